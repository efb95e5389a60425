"""The dates and times a pasted message states: when the top-up happened, and until when it is valid.

Each form in DATE_FORMS is read exactly; a time may follow the date or come just before it, in
24-hour or 12-hour form (6:42 PM, 6:42pm, 下午6时42分), with an offset where ISO text gives one.
Anything else in the message that looks like a date or a time, but fits no form for certain
(31/02/2025, 14 Mrz 2025, a time with no day), is a problem to report, never a reason to use now.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from ledger.domain.money import REGION_CURRENCY
from ledger.domain.times import local_moment
from ledger.errors import InvalidInput

DAY_FIRST_REGIONS = frozenset({"HK", "CN", "TW", "SG", "MY", "MO", "GB", "AU", "NZ", "IN", "ID", "TH", "VN"})
MONTH_FIRST_REGIONS = frozenset({"PH", "US", "CA"})

MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")], start=1) for name in names}
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?(?![A-Za-z])"
_ORDINAL = r"(?:st|nd|rd|th)?"
_HALF_DAY = {"上午": "am", "早上": "am", "凌晨": "am", "中午": "pm", "下午": "pm", "傍晚": "pm", "晚上": "pm",
             "夜間": "pm", "夜间": "pm"}
_TIME = (r"(?:(?P<half>" + "|".join(_HALF_DAY) + r")\s*)?(?<!\d)(?P<h>\d{1,2})\s*"
         r"(?::\s*(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,6})?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
         r"|[时時点點]\s*(?:(?P<cmi>\d{1,2})\s*分(?:\s*(?P<cs>\d{1,2})\s*秒)?|整)?)"
         r"(?:\s*(?P<ampm>[AaPp])\.?\s?[Mm]\.?(?![A-Za-z]))?"
         r"(?:\s*\(?(?:UTC|GMT)\s?(?P<gmt>[+-]\d{1,2}(?::?\d{2})?)\)?)?(?![\d:])")
_TIME_AFTER = r"(?:,?\s*(?:at\s+|@\s*)?" + _TIME + ")?"
# A year of four digits, or none at all: "14 Mar 25" is left for _DATE_LIKE to report.
_YEAR_AFTER = r"(?:,?[\s\-/]*(?P<y>(?:19|20)\d{2})(?!\d)|(?![\s,\-/']*\d{2}(?![\d:])))"
DATE_FORMS: list[tuple[str, re.Pattern[str]]] = [
    ("cjk", re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]\s*" + _TIME_AFTER)),
    ("iso", re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T]+" + _TIME + ")?")),
    ("roc", re.compile(r"(?<![\d/])(?P<y>1\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:\s+" + _TIME + ")?")),
    ("numeric", re.compile(r"(?<![\d/])(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})" + _TIME_AFTER)),
    ("named", re.compile(r"(?<![\w])(?P<d>\d{1,2})" + _ORDINAL + r"[\s\-/]*(?:of\s+)?" + _MONTH + _YEAR_AFTER
                         + _TIME_AFTER, re.I)),
    ("named", re.compile(r"(?<![\w])(?<!\d[\s\-/])" + _MONTH + r"[\s\-/]*(?P<d>\d{1,2})" + _ORDINAL + r"(?!\d)"
                         + _YEAR_AFTER + _TIME_AFTER, re.I)),
    ("no-year", re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]\s*" + _TIME_AFTER)),
]
_TIME_BEFORE = re.compile(_TIME + r"\s*,?\s*(?:on\s+)?$", re.I)
# What looks like a date or a time even when no form above reads it.
_DATE_LIKE = re.compile(
    r"(?<![\w.])\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}(?![\d.])"
    r"|(?<!\d)\d{1,2}:\d{2}(?!\d)"
    r"|(?<!\d)\d{1,2}\s*[时時点點]\s*\d{1,2}\s*分"
    r"|\d+\s*年\s*\d+\s*月|(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*[日号號]"
    r"|(?<![\w])\d{1,2}" + _ORDINAL + r"[\s\-/]+[A-Za-z]{3,9}\.?,?[\s\-/']+(?:(?:19|20)\d{2}|\d{2})(?![\d:])"
    r"|(?<![\w])[A-Za-z]{3,9}\.?\s+\d{1,2}" + _ORDINAL + r",?[\s']+(?:(?:19|20)\d{2}|\d{2})(?![\d:])"
)
_VALID = re.compile(r"(?:valid (?:until|till|thru|through|to)|expir(?:es|y|ation)(?: date)?(?: on)?|exp\.? date|"
                    r"有效期至|有效期到|有效期限至|有效期限|有效至|有效日期|有效期|效期至|使用期限至|使用期限|"
                    r"到期日期|到期日|到期)\s*[:：]?\s*", re.I)


class DateProblem(ValueError):
    """A date or time in the message that cannot be read for certain."""


def take_validity(text: str, region: str | None, currency: str, now: datetime,
                  notes: list[str]) -> tuple[date | None, str]:
    """The 'valid until' date, and the text without it (so that it is not read as the top-up time)."""
    for keyword in _VALID.finditer(text):  # a phrase with no date after it ("到期提醒") is passed over
        rest = text[keyword.end():]
        for form, pattern in DATE_FORMS:
            match = pattern.match(rest)
            if match:
                moment = _to_moment(form, match, None, region, currency, now, notes, allow_future=True)
                end = keyword.end() + match.end()
                return moment.astimezone().date(), text[: keyword.start()] + " " * (end - keyword.start()) + text[end:]
        if unread := _DATE_LIKE.match(rest):
            raise DateProblem(f"the message's validity date {unread[0]!r} cannot be read for certain")
    return None, text


def first_moment(text: str, region: str | None, currency: str, now: datetime, notes: list[str]) -> datetime | None:
    """The earliest date (and time) the message states; None only when nothing in it looks like one."""
    earliest = None
    for form, pattern in DATE_FORMS:
        match = pattern.search(text)
        if match and (earliest is None or match.start() < earliest[1].start()):
            earliest = (form, match)
    if earliest is None:
        if unread := _DATE_LIKE.search(text):
            raise DateProblem(f"the message's {unread[0]!r} looks like a date or time but cannot be read for certain")
        return None
    form, match = earliest
    before = None if match["h"] else _TIME_BEFORE.search(text, max(0, match.start() - 24), match.start())
    if before and not (before["mi"] or before["cmi"] or before["half"]):
        before = None  # a bare "30點" before a date is points or a count, not an hour
    return _to_moment(form, match, before, region, currency, now, notes, allow_future=False)


def _day_first(region: str | None, currency: str) -> tuple[bool, str] | None:
    where = region or next((r for r, c in REGION_CURRENCY.items() if c == currency), None)
    if where in DAY_FIRST_REGIONS:
        return True, where
    if where in MONTH_FIRST_REGIONS:
        return False, where
    return None


def _day_and_month(form: str, match: re.Match[str], region: str | None, currency: str,
                   notes: list[str]) -> tuple[int, int]:
    parts = match.groupdict()
    if form == "named":
        return int(parts["d"]), MONTHS[parts["mon"].lower()]
    if form != "numeric":
        return int(parts["d"]), int(parts["m"])
    a, b = int(parts["a"]), int(parts["b"])
    if a > 12 >= b:
        return a, b
    if b > 12 >= a or a == b:
        return b, a
    if a > 12:
        raise DateProblem(f"the message's date {match[0].strip()!r} is not a possible date")
    order = _day_first(region, currency)
    if order is None:
        raise DateProblem(f"the message's date {match[0].strip()!r} could be read two ways")
    notes.append(f"read {match[0].strip()!r} {'day' if order[0] else 'month'} first, as in {order[1]}")
    return (a, b) if order[0] else (b, a)


def _clock(parts: dict[str, str | None], shown: str) -> tuple[int, int, int, timezone | None]:
    """Hour, minute, second and any stated offset of a time read by _TIME."""
    hour = int(parts.get("h") or 0)
    minute = int(parts.get("mi") or parts.get("cmi") or 0)
    second = int(parts.get("s") or parts.get("cs") or 0)
    half = (parts.get("ampm") or "").lower() + "m" if parts.get("ampm") else _HALF_DAY.get(parts.get("half") or "")
    if half:
        if not 1 <= hour <= 12 and not (half == "pm" and 12 < hour < 24) and not (half == "am" and hour == 0):
            raise DateProblem(f"the message's time {shown!r} is not a time of day")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DateProblem(f"the message's time {shown!r} is not a time of day")
    zone = None
    if stated := parts.get("tz") or parts.get("gmt"):
        zone = UTC if stated == "Z" else _offset(stated, shown)
    return hour, minute, second, zone


def _offset(stated: str, shown: str) -> timezone:
    """A stated UTC offset (+08:00, +0800, -5, +5:30) as a zone; one no place uses is a problem."""
    digits = stated[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
    offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if stated[0] == "-" else 1)
    if not timedelta(hours=-12) <= offset <= timedelta(hours=14) or int(minutes) > 59:
        raise DateProblem(f"the message's time {shown!r} has a UTC offset no place uses")
    return timezone(offset)


def _to_moment(form: str, match: re.Match[str], time_before: re.Match[str] | None, region: str | None,
               currency: str, now: datetime, notes: list[str], *, allow_future: bool) -> datetime:
    shown = match[0].strip() if time_before is None else f"{time_before[0].strip()} {match[0].strip()}"
    local_now = now.astimezone()
    day, month = _day_and_month(form, match, region, currency, notes)
    stated_year = match.groupdict().get("y")
    year = int(stated_year) + 1911 if form == "roc" else int(stated_year) if stated_year else local_now.year
    hour, minute, second, zone = _clock((time_before or match).groupdict(), shown)
    try:
        wall = datetime(year, month, day, hour, minute, second, tzinfo=zone)
        if not stated_year and wall.astimezone() > local_now:
            wall = wall.replace(year=year - 1)
        moment = local_moment(wall, shown)
    except ValueError:
        raise DateProblem(f"the message's date {shown!r} is not a possible date") from None
    except InvalidInput as problem:
        raise DateProblem(problem.message.replace("'", "the message's time '", 1)) from None
    if not stated_year:
        notes.append(f"the message gives no year; read it as {moment.date().isoformat()}, the latest such day")
    if form == "roc":
        notes.append(f"read the ROC year {stated_year} as {year}")
    if not allow_future and moment > local_now + timedelta(minutes=1):
        raise DateProblem(f"the message's time {shown!r} is in the future")
    return moment.astimezone(UTC)
