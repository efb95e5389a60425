"""The dates and times a pasted message states: when the top-up happened, and until when it is valid.

Each form in DATE_FORMS is read exactly; a time may follow the date or come just before it, in
24-hour or 12-hour form (6:42 PM, 6:42pm, 下午6时42分), with the offset or zone it states. Anything
else in the message that looks like a date or a time, but fits no form for certain (31/02/2025,
14 Mrz 2025, 14.03.25, a time with no day), is a problem to report, never a reason to use now.
Clock ranges (服务时间08:00-22:00) and deadlines (24:00前到账) say nothing of the top-up's time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from ledger.domain.cjk_times import HALF_DAY, ROC_DATE, UnclearHour, clock_hour, gregorian_year
from ledger.domain.money import REGION_CURRENCY
from ledger.domain.times import EARLIEST_YEAR, clock_readings, day_first_by_numbers, local_moment
from ledger.i18n import _

DAY_FIRST_REGIONS = frozenset({"HK", "CN", "TW", "SG", "MY", "MO", "GB", "AU", "NZ", "IN", "ID", "TH", "VN"})
MONTH_FIRST_REGIONS = frozenset({"PH", "US", "CA"})

MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")], start=1) for name in names}
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?(?![A-Za-z])"
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"
_NOT_MONEY = r"(?<![\w$¥￥€£₱.,])"  # a day is not the end of an amount (HK$20 may …)
_HALF_WORDS = "|".join(sorted(HALF_DAY, key=len, reverse=True))
_TIME = (r"(?:(?P<half>" + _HALF_WORDS + r")\s*|(?P<preampm>[AaPp][Mm])\s*)?(?<!\d)(?P<h>\d{1,2})\s*"
         r"(?::\s*(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,6})?)?(?:(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)|\s(?P<spaced_tz>[+-]\d{2}:?\d{2}))?(?![\d:])"
         r"|[时時点點]\s*(?:(?P<cmi>\d{1,2})\s*分(?:\s*(?P<cs>\d{1,2})\s*秒)?|整|(?P<half_hour>半))?)"
         r"(?:\s*(?P<ampm>[AaPp])\.?\s?[Mm]\.?(?![A-Za-z]))?"
         r"(?:\s*\(?(?P<utc>UTC|GMT)(?:/(?:UTC|GMT))?(?:(?P<gmt>\s*[+\-\u2212]\s*\d{1,2}(?::?\d{2})?)"
         r"|(?P<unclear_zone>\s*\d))?\)?)?(?![\d:])")
_TIME_AFTER = r"(?:,?\s*(?:at\s+|@\s*)?" + _TIME + ")?"
# A year of four digits, or none at all: "14 Mar 25" is left for _DATE_LIKE to report.
_YEAR_AFTER = r"(?:,?[\s\-/]*(?P<y>(?:19|20)\d{2})(?!\d)|(?![\s,\-/']*\d{2}(?![\d:])))"
DATE_FORMS: list[tuple[str, re.Pattern[str]]] = [
    ("cjk", re.compile(r"(?<!\d)(?P<y>\d{3,4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]\s*"
                       + _TIME_AFTER)),
    ("iso", re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:(?P<sep>[ T]+)" + _TIME + ")?")),
    ("roc", re.compile(ROC_DATE + r"(?:\s+" + _TIME + ")?")),
    ("numeric", re.compile(r"(?<![\d/])(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})" + _TIME_AFTER)),
    ("named", re.compile(_NOT_MONEY + r"(?P<d>\d{1,2})" + _ORDINAL + r"[\s\-/]*(?:of\s+)?" + _MONTH + _YEAR_AFTER
                         + _TIME_AFTER, re.I)),
    ("named", re.compile(r"(?<![\w])(?<!\d[\s\-/])" + _MONTH + r"[\s\-/]*(?P<d>\d{1,2})" + _ORDINAL + r"(?!\d)"
                         + _YEAR_AFTER + _TIME_AFTER, re.I)),
    ("no-year", re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]\s*" + _TIME_AFTER)),
]
_TIME_BEFORE = re.compile(_TIME + r"\s*,?\s*(?:on\s+)?$", re.I)
_TIME_LEADING = re.compile(_TIME + r"\s*,?\s*(?:on\s+)?", re.I)
# What looks like a date or a time even when no form above reads it.
_DATE_LIKE = re.compile(
    r"(?<![\w.])\d{1,4}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d|\.\d)"
    r"|(?P<clock>(?<!\d)\d{1,2}:\d{2}(?!\d))"
    r"|(?<!\d)\d{1,2}\s*[时時点點]\s*\d{1,2}\s*分"
    r"|(?<!\d)\d{1,4}\s*年\s*\d{1,2}\s*月|(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*[日号號]"
    r"|" + _NOT_MONEY + r"\d{1,2}" + _ORDINAL + r"[\s\-/]*(?:" + _MONTH_NAMES + r")\.?(?![A-Za-z])"
    r"(?:,?[\s\-/']*\d{2}(?![\d:]))?"
    r"|(?<![\w])(?:" + _MONTH_NAMES + r")\.?[\s\-/]*\d{1,2}" + _ORDINAL + r"(?![\w])(?:,?[\s']*\d{2}(?![\d:]))?"
    r"|(?<![\w])\d{1,2}" + _ORDINAL + r"[\s\-/]+[A-Za-z]{3,9}\.?,?[\s\-/']+(?:19|20)\d{2}(?![\d:])"
    r"|(?<![\w])[A-Za-z]{3,9}\.?\s+\d{1,2}" + _ORDINAL + r",?[\s']+(?:19|20)\d{2}(?![\d:])", re.I)
# Times that are not when anything happened: a range of opening hours, a deadline, after an hours label.
_CLOCK_RANGE = re.compile(r"\d{1,2}:\d{2}\s*(?:-|~|～|至|到|to)\s*\d{1,2}:\d{2}", re.I)
_DEADLINE_AFTER = re.compile(r"\s*(?:前|之前|以前|before)", re.I)
_HOURS_BEFORE = re.compile(r"(?:(?:服务|服務|营业|營業|客服|办公|辦公)(?:时间|時間)|hours|opens?|closes?)"
                           r"\s*[:：]?\s*$", re.I)
# Right after a date with no time read: something that may be a time in words this reader does not know.
_LOOSE_TIME = re.compile(r"\s*[^\d\s，。,.;；]{0,3}\s*(?:\d{1,2}|[一二三四五六七八九十两兩]{1,3})\s*[点點时時:：]")
_VALID = re.compile(r"(?:valid (?:until|till|thru|through|to)|good (?:until|till|thru|through)|"
                    r"(?:will )?expir(?:es|e|ing|y|ation)(?: date)?(?: on)?|exp\.? date|validity(?: period)?|"
                    r"有效期至|有效期到|有效期限至|有效期限|有效日至|有效至|有效日期|有效期|效期至|使用期限至|使用期限|"
                    r"截止日期|截止日|到期日期|到期日|到期)\s*[:：]?\s*", re.I)
# A validity stated as a range ends with its second date: 有效期：2025年03月14日至2025年04月13日.
_RANGE_TO = re.compile(r"\s*(?:至|到|~|～|-|–|to|until)\s*", re.I)


class DateProblem(ValueError):
    """A date or time in the message that cannot be read for certain; `message` says which (a `Text`,
    which `str()` of the exception would not keep)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class StatedValidity:
    """A 'valid until' phrase found in a message, read once the top-up's own time is known."""

    form: str
    match: re.Match[str]
    time_before: re.Match[str] | None


def take_validity(text: str) -> tuple[StatedValidity | None, str, str | None]:
    """The 'valid until' date a message states, the text without it (so that it is not read as the
    top-up time), and what is wrong with it when it cannot be read for certain."""
    for keyword in _VALID.finditer(text):  # a phrase with no date after it ("到期提醒") is passed over
        leading = _TIME_LEADING.match(text, keyword.end())
        if leading and not (leading["mi"] or leading["cmi"] or leading["half"] or leading["half_hour"]):
            leading = None
        start = leading.end() if leading else keyword.end()
        for form, pattern in DATE_FORMS:
            match = pattern.match(text, start)
            if match:  # right after "valid until", a date in words needs no year
                if end := _range_end(text, match):
                    form, match = end
                return StatedValidity(form, match, leading), _blank(text, keyword.start(), match.end()), None
        if unread := _DATE_LIKE.match(text, start):
            return (None, _blank(text, keyword.start(), unread.end()),
                    _("the message's validity date {date!r} cannot be read for certain", date=unread[0].strip()))
    return None, text, None


def _range_end(text: str, first: re.Match[str]) -> tuple[str, re.Match[str]] | None:
    """The second date of a range that begins with `first`, if it is one."""
    to = _RANGE_TO.match(text, first.end())
    if to is None:
        return None
    return next(((form, m) for form, pattern in DATE_FORMS if (m := pattern.match(text, to.end()))), None)


def validity_date(stated: StatedValidity, region: str | None, currency: str, topped_up: datetime,
                  notes: list[str], *, stated_top_up: bool) -> date:
    """The day a stated validity ends. With no year, the first such day on or after the top-up; one
    that ends before the top-up the message states is a problem."""
    moment = _to_moment(stated.form, stated.match, stated.time_before, region, currency, topped_up, notes,
                        validity=True)
    day = moment.astimezone().date()
    if _end_of_day(stated.time_before or stated.match):
        day -= timedelta(days=1)  # 24:00 of the 31st is the end of the 31st
    if stated_top_up and day < topped_up.astimezone().date():
        raise DateProblem(_("the message's validity date {date!r} is before the top-up", date=stated.match[0].strip()))
    return day


def first_moment(text: str, region: str | None, currency: str, now: datetime,
                 notes: list[str]) -> tuple[datetime, bool] | None:
    """The earliest date (and time) the message states, and whether it states a time of that day;
    None only when nothing in it looks like one."""
    earliest = None
    for form, pattern in DATE_FORMS:
        match = next((m for m in pattern.finditer(text) if _acceptable(form, m)), None)
        if match and (earliest is None or match.start() < earliest[1].start()):
            earliest = (form, match)
    if earliest is None:
        if unread := _looks_like_a_date(text):
            raise DateProblem(_("the message's {text!r} looks like a date or time but cannot be read for certain",
                                text=unread))
        return None
    form, match = earliest
    before = None if match["h"] else _TIME_BEFORE.search(text, max(0, match.start() - 24), match.start())
    if before and not (before["mi"] or before["cmi"] or before["half"] or before["half_hour"]):
        before = None  # a bare "30點" before a date is points or a count, not an hour
    if not match["h"] and not before and (loose := _LOOSE_TIME.match(text, match.end())):
        raise DateProblem(_("the message's time {time!r} cannot be read for certain",
                            time=(match[0] + loose[0]).strip()))
    moment = _to_moment(form, match, before, region, currency, now, notes, validity=False)
    return moment, bool(match["h"] or before)


def _acceptable(form: str, match: re.Match[str]) -> bool:
    """A date named in words counts without its year only with a time beside it, and May only with a year."""
    if form != "named" or match["y"]:
        return True
    return bool(match["h"]) and match["mon"].lower() != "may"


def _looks_like_a_date(text: str) -> str | None:
    text = _CLOCK_RANGE.sub(lambda found: " " * len(found[0]), text)
    for found in _DATE_LIKE.finditer(text):
        if found["clock"] and (_DEADLINE_AFTER.match(text, found.end())
                               or _HOURS_BEFORE.search(text[max(0, found.start() - 12): found.start()])):
            continue
        return found[0].strip()
    return None


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _end_of_day(time: re.Match[str]) -> bool:
    return time["h"] == "24"


def _region_order(region: str | None, currency: str) -> tuple[bool, str] | None:
    """Whether dates put the day first where the card is (its region's, or its currency's), and where that is."""
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
    if (day_first := day_first_by_numbers(a, b)) is not None:
        return (a, b) if day_first else (b, a)
    if a > 12:
        raise DateProblem(_("the message's date {date!r} is not a possible date", date=match[0].strip()))
    order = _region_order(region, currency)
    if order is None:
        raise DateProblem(_("the message's date {date!r} could be read two ways", date=match[0].strip()))
    day_first_there, where = order
    if day_first_there:
        notes.append(_("read {date!r} day first, as in {region}", date=match[0].strip(), region=where))
        return a, b
    notes.append(_("read {date!r} month first, as in {region}", date=match[0].strip(), region=where))
    return b, a


def _clock(parts: dict[str, str | None], shown: str, iso_t: bool) -> tuple[int, int, int, timezone | None]:
    """Hour, minute, second and any stated zone of a time read by _TIME (hour 24 only as 24:00)."""
    hour = int(parts.get("h") or 0)
    minute = 30 if parts.get("half_hour") else int(parts.get("mi") or parts.get("cmi") or 0)
    second = int(parts.get("s") or parts.get("cs") or 0)
    marker = (parts.get("ampm") or (parts.get("preampm") or "")[:1]).lower()
    if parts.get("unclear_zone"):
        raise DateProblem(_("the message's time {time!r} does not make clear which hour it is", time=shown))
    if marker:
        if not 1 <= hour <= 12 and not (marker == "p" and 12 < hour < 24) and not (marker == "a" and hour == 0):
            raise DateProblem(_("the message's time {time!r} is not a time of day", time=shown))
        hour = hour % 12 + (12 if marker == "p" else 0)
    elif parts.get("half"):
        hour = _hour_after_half(hour, parts["half"], shown)
    if (hour > 23 and (hour, minute, second) != (24, 0, 0)) or minute > 59 or second > 59:
        raise DateProblem(_("the message's time {time!r} is not a time of day", time=shown))
    stated = parts.get("tz") or parts.get("spaced_tz")
    if stated and stated.startswith("-") and not iso_t:
        raise DateProblem(_("the message's time {time!r} could be a range of hours or a UTC offset", time=shown))
    if parts.get("utc") and not parts.get("gmt"):
        stated = "Z"
    stated = stated or re.sub(r"\s", "", parts.get("gmt") or "").replace("\u2212", "-")
    return hour, minute, second, None if not stated else UTC if stated == "Z" else _offset(stated, shown)


def _hour_after_half(hour: int, half: str, shown: str) -> int:
    """The hour a Chinese half of the day and an hour name (下午3点 → 15), as `--at` reads them."""
    reading = clock_hour(hour, half)
    if isinstance(reading, int):
        return reading
    if reading is UnclearHour.noon_or_midnight:
        raise DateProblem(_("the message's time {time!r} could be noon or midnight", time=shown))
    if reading is UnclearHour.after_midnight:
        raise DateProblem(_("the message's time {time!r} is after midnight, and which day it falls on is not clear",
                            time=shown))
    if reading is UnclearHour.either_side_of_midnight:
        raise DateProblem(_("the message's time {time!r} does not make clear which hour it is", time=shown))
    raise DateProblem(_("the message's time {time!r} is not a time of day", time=shown))


def _offset(stated: str, shown: str) -> timezone:
    """A stated UTC offset (+08:00, +0800, -5, +5:30) as a zone; one no place uses is a problem."""
    digits = stated[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
    offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if stated[0] == "-" else 1)
    if not timedelta(hours=-12) <= offset <= timedelta(hours=14) or int(minutes) > 59:
        raise DateProblem(_("the message's time {time!r} has a UTC offset no place uses", time=shown))
    return timezone(offset)


def _local_moment(wall: datetime, shown: str) -> datetime:
    """`local_moment`, its refusal of a time summer time skipped or doubled said of the message's time,
    with the same two choices."""
    earlier, later = clock_readings(wall)
    if wall.tzinfo is not None or earlier.utcoffset() == later.utcoffset():
        return local_moment(wall, shown)
    choices = {"earlier": earlier.isoformat(sep=" ", timespec="minutes"),
               "later": later.isoformat(sep=" ", timespec="minutes")}
    if earlier.replace(tzinfo=None) != wall:  # the clocks jumped over it
        raise DateProblem(_("the message's time {time!r} never showed on the clocks here: summer time skipped it. "
                            "Write the time with its offset, e.g. '{later}' or '{earlier}'", time=shown, **choices))
    raise DateProblem(_("the message's time {time!r} showed twice on the clocks here, when summer time ended. "
                        "Say which with its offset: '{earlier}' or '{later}'", time=shown, **choices))


def _to_moment(form: str, match: re.Match[str], time_before: re.Match[str] | None, region: str | None,
               currency: str, now: datetime, notes: list[str], *, validity: bool) -> datetime:
    """The moment a matched date (and time) names. Without a year: for a top-up, the latest such day
    up to `now`; for a validity, the first such day on or after `now` (the top-up's time)."""
    shown = match[0].strip() if time_before is None else f"{time_before[0].strip()} {match[0].strip()}"
    local_now = now.astimezone()
    day, month = _day_and_month(form, match, region, currency, notes)
    stated_year = match.groupdict().get("y")
    roc = len(stated_year or "") == 3  # 114/03/14, 114年: a year of the ROC calendar
    year = gregorian_year(stated_year) if stated_year else local_now.year
    if not EARLIEST_YEAR <= year <= 9998:
        raise DateProblem(_("the message's date {date!r} is not a year of top-ups", date=shown))
    clock = time_before or match
    hour, minute, second, zone = _clock(clock.groupdict(), shown, iso_t="T" in (match.groupdict().get("sep") or ""))
    try:
        wall = datetime(year, month, day, min(hour, 23), minute, second, tzinfo=zone)
        if not stated_year:
            if not validity and wall.astimezone() > local_now:
                wall = wall.replace(year=year - 1)
            elif validity and wall.date() < local_now.date():
                wall = wall.replace(year=year + 1)
        if hour == 24:
            wall = wall.replace(hour=0) + timedelta(days=1)
        moment = _local_moment(wall, shown)
        moment.astimezone(UTC)
    except DateProblem:  # a ValueError too, but one that says what is wrong
        raise
    except (ValueError, OverflowError):
        raise DateProblem(_("the message's date {date!r} is not a possible date", date=shown)) from None
    if not stated_year:
        without_year, read_as = match[0].strip(), (moment - timedelta(days=hour == 24)).date().isoformat()
        if validity:
            notes.append(_("the message gives no year for {date!r}; read it as {day}, the first such day on or after "
                           "the top-up", date=without_year, day=read_as))
        else:
            notes.append(_("the message gives no year for {date!r}; read it as {day}, the latest such day",
                           date=without_year, day=read_as))
    if roc:
        notes.append(_("read the ROC year {stated} as {year}", stated=stated_year, year=year))
    if not validity and moment > local_now + timedelta(minutes=1):
        raise DateProblem(_("the message's time {time!r} is in the future", time=shown))
    return moment.astimezone(UTC)
