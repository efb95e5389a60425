"""Moments and periods typed by people, read without guessing.

python-dateutil does the reading; the checks around it refuse what it would otherwise guess:
ambiguous day/month order, a missing year or day filled in from today, unknown zone names.
Inside the ledger every moment is UTC text ('2025-03-14T10:42:00Z'); local time is for the edges.
"""

from __future__ import annotations

import os
import re
import time
import warnings
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple

from ledger.domain.cjk_times import TOMORROW, day_and_half_apart, normalise_cjk
from ledger.domain.values import clean_token
from ledger.errors import InvalidInput
from ledger.i18n import Option, Text, _

EARLIEST_YEAR = 1990
_FUTURE_TOLERANCE = timedelta(seconds=60)

_KEYWORDS = {
    "now": 0, "現在": 0, "现在": 0,
    "today": 0, "今天": 0, "今日": 0,
    "yesterday": -1, "昨天": -1, "昨日": -1,
    "前天": -2, "前日": -2,
}
_KEYWORD = re.compile(r"(?P<word>now|today|yesterday|現在|现在|今天|今日|昨天|昨日|前天|前日)\s*(?P<rest>.*)", re.I)
# A time of day alone, as normalise_cjk leaves it: it means today, as dateutil reads 20:00.
_TIME_OF_DAY = re.compile(r"\d{1,2}(?::\d{2}(?::\d{2})?)?\s*[AaPp]\.?[Mm]\.?|\d{1,2}:\d{2}(?::\d{2})?")
_YEAR = re.compile(r"(?P<year>\d{4})年?")
_MONTH = re.compile(r"(?P<year>\d{4})(?:[-/.]|年)(?P<month>\d{1,2})月?")
_ISO_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})")
_STORED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})(?!\d)")


def now_utc() -> datetime:
    """The current moment, to the second, in UTC."""
    return datetime.now(UTC).replace(microsecond=0)


def to_stored(moment: datetime) -> str:
    """The UTC text form kept in the ledger; it sorts in time order."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def from_stored(text: str) -> datetime:
    """A moment kept in the ledger (`to_stored`'s form, and only that form) as UTC."""
    if not _STORED.fullmatch(text):
        raise ValueError(f"not a stored moment: {text!r}")
    return datetime.fromisoformat(text)  # reads the Z as UTC, many times faster than strptime


def offset_in(zone: tzinfo, moment: datetime) -> str:
    """The UTC offset of `zone` at `moment`, as ISO 8601 writes it: +08:00."""
    shift = moment.astimezone(zone).strftime("%z")
    return f"{shift[:3]}:{shift[3:]}"


def local_iso(stored: str | None) -> str | None:
    """A stored UTC moment shown in local time with its offset: '2025-03-14T18:42:00+08:00'."""
    return None if stored is None else from_stored(stored).astimezone().isoformat()


def names_a_day(shown: str) -> bool:
    """Whether a shown time is a day alone (2026-03-04): a top-up given with no time of day is shown so."""
    return len(shown) == len("2026-03-04")


def local_offsets() -> tuple[tuple[str, int], ...]:
    """Each stretch of one local UTC offset from 1990 to now: (first stored moment, offset in seconds).

    It comes from the same C library `astimezone` asks, so SQL that shifts by these offsets prints
    exactly what `local_iso` prints. The offset is sampled every three days and each change narrowed
    to the second: in the zone database no offset since 1990 lasts less than six days, so no
    stretch falls between two samples.
    """
    return _offsets_for_zone(os.environ.get("TZ"), time.tzname)


@lru_cache(maxsize=4)
def _offsets_for_zone(_zone: str | None, _names: tuple[str, str]) -> tuple[tuple[str, int], ...]:
    def offset(second: int) -> int:
        return time.localtime(second).tm_gmtoff

    step = 3 * 86_400
    second = int(datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC).timestamp())
    end = int(time.time()) + step
    spans = [(second, offset(second))]
    while second < end:
        following = second + step
        if offset(following) != spans[-1][1]:
            before, after = second, following  # the change lies in (before, after]
            while after - before > 1:
                middle = (before + after) // 2
                before, after = (middle, after) if offset(middle) == spans[-1][1] else (before, middle)
            spans.append((after, offset(after)))
        second = following
    return tuple((to_stored(datetime.fromtimestamp(start, UTC)), shift) for start, shift in spans)


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day).astimezone()


def day_first_by_numbers(a: int, b: int) -> bool | None:
    """Whether a numeric date a/b/yyyy puts its day first, as its numbers alone say: one above 12 is
    the day (and the same number twice reads either way); None when they do not say."""
    if a > 12 >= b:
        return True
    if b > 12 >= a or a == b:
        return False
    return None


def _day_first(text: str, shown: str) -> bool:
    """Decide the order of a numeric date such as 14/03/2025, refusing one that could be read two ways."""
    match = _NUMERIC_DATE.search(text)
    if not match:
        return False
    first, _separator, second, last = match.groups()
    if len(first) == 4:
        return False
    if len(last) == 4 and (order := day_first_by_numbers(int(first), int(second))) is not None:
        return order
    raise InvalidInput(_("{shown!r} could be read as more than one date; write it as YYYY-MM-DD (e.g. 2025-03-14)",
                         shown=shown))


def _read(text: str, shown: str) -> tuple[datetime, bool]:
    """Read a full date with an optional time; returns (moment, whether a time was given)."""
    from dateutil import parser
    from dateutil.parser import UnknownTimezoneWarning

    if text.startswith(("-", "+")):  # dateutil would drop the sign and read the rest
        raise InvalidInput(_("{shown!r} is not a date; write it like 2025-03-14 18:42", shown=shown))
    text = normalise_cjk(text, shown)
    day_first = _day_first(text, shown)
    results = []
    for default in (datetime(2001, 1, 1, 0, 0, 0), datetime(2003, 3, 3, 1, 1, 1)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", UnknownTimezoneWarning)
                results.append(parser.parse(text, default=default, dayfirst=day_first, yearfirst=not day_first))
        except UnknownTimezoneWarning:
            raise InvalidInput(_("{shown!r} names a time zone this program cannot know; use an offset such as +08:00",
                                 shown=shown)) from None
        except (ValueError, OverflowError) as exc:
            if "out of range" in str(exc) or "must be in" in str(exc):
                raise InvalidInput(_("{shown!r} is not a possible date; write it like 2025-03-14 18:42",
                                     shown=shown)) from None
            raise InvalidInput(_("{shown!r} is not a date; write it like 2025-03-14 18:42", shown=shown)) from None
    first, second = results
    _check_offset(first, shown)
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        if first.year != second.year and first.month != second.month and first.day != second.day:
            raise InvalidInput(_("{shown!r} has no date; write it like 'today 18:42' or '2025-03-14 18:42'",
                                 shown=shown))
        raise InvalidInput(_("{shown!r} is missing the year, month or day; write the whole date, e.g. 2025-03-14",
                             shown=shown))
    if first.year < EARLIEST_YEAR:
        raise InvalidInput(_("{shown!r} is before {year}; check the year", shown=shown, year=EARLIEST_YEAR))
    return first, first.hour == second.hour


_EARLIEST_OFFSET, _LATEST_OFFSET = timedelta(hours=-12), timedelta(hours=14)


def _check_offset(moment: datetime, shown: str) -> None:
    """Refuse a UTC offset no place uses (one of 24 hours or more, Python cannot even hold)."""
    try:
        offset = moment.utcoffset()
    except ValueError:
        offset = _LATEST_OFFSET * 2
    if offset is not None and not _EARLIEST_OFFSET <= offset <= _LATEST_OFFSET:
        raise InvalidInput(_("{shown!r} has a UTC offset no place uses; give one from -12:00 to +14:00", shown=shown))


def check_local_zone() -> None:
    """Refuse a local zone (TZ) whose UTC offset no place uses: no local time could be shown in it."""
    offset = timedelta(seconds=time.localtime().tm_gmtoff)
    if not _EARLIEST_OFFSET <= offset <= _LATEST_OFFSET:
        raise InvalidInput(_("the local time zone TZ={zone!r} has a UTC offset no place uses; set TZ to a zone such as "
                             "Asia/Hong_Kong, or to one with an offset from -12:00 to +14:00",
                             zone=os.environ.get("TZ", "")))


def clock_readings(wall: datetime, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The moments a clock time in `zone` (the reader's, by default) can mean, as that zone shows them:
    one, twice, but two when summer time began (the clocks skipped it; the first keeps the time of
    before) or ended (the clocks showed it twice)."""
    if zone is None:
        return wall.replace(fold=0).astimezone(), wall.replace(fold=1).astimezone()
    return tuple(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC).astimezone(zone)  # type: ignore[return-value]
                 for fold in (0, 1))


def local_moment(wall: datetime, shown: str, zone: tzinfo | None = None) -> datetime:
    """A clock time in `zone` (the reader's, by default) as a moment. One the clocks skipped, or
    showed twice, when summer time began or ended is refused with the times it could have meant:
    nothing is guessed."""
    if wall.tzinfo is not None:
        return wall
    if zone is not None:  # most times of a named zone mean one moment: say so without converting
        moment = wall.replace(tzinfo=zone)
        if moment.utcoffset() == moment.replace(fold=1).utcoffset():
            return moment
    earlier, later = clock_readings(wall, zone)
    if earlier.utcoffset() == later.utcoffset():
        return earlier

    def shown_as(moment: datetime) -> str:
        return moment.isoformat(sep=" ", timespec="minutes")

    if earlier.replace(tzinfo=None) != wall:  # the clocks jumped over it
        raise InvalidInput(_("{shown!r} never showed on the clocks here: summer time skipped it. Write the time "
                             "with its offset, e.g. '{later}' or '{earlier}'", shown=shown, later=shown_as(later),
                             earlier=shown_as(earlier)))
    raise InvalidInput(_("{shown!r} showed twice on the clocks here, when summer time ended. Say which with its "
                         "offset: '{earlier}' or '{later}'", shown=shown, earlier=shown_as(earlier),
                         later=shown_as(later)))


def parse_moment(text: str, now: datetime | None = None, zone: tzinfo | None = None) -> datetime:
    """When a top-up happened (`--at`): a full date, optionally a time, in `zone` unless it states
    its offset (the reader's zone by default); never in the future. A day alone is its midnight."""
    return _moment_and_day(text, now, zone)[0]


def day_alone(text: str, now: datetime | None = None) -> date | None:
    """The day an `--at` names when it gives no time of it (2026-03-04, yesterday, 前天); None when it
    names a time. Such a top-up is kept as that day, not as a midnight nobody stated."""
    if ":" in text:  # a time of day is written in it: no need to read it again (imports ask for every row)
        return None
    return _moment_and_day(text, now)[1]


def _moment_and_day(text: str, now: datetime | None, zone: tzinfo | None = None) -> tuple[datetime, date | None]:
    """`parse_moment`, and the day it names when it gives no time."""
    now = now or now_utc()
    day_only: date | None = None
    shown = text.strip()
    cleaned = clean_token(text)
    if not cleaned:  # an empty --at is a mistake, not a request for now: a pasted value went missing
        raise InvalidInput(_("{at} needs a time, e.g. {example} or now", at=Option("at"),
                             example=Option("at", "2025-03-14 18:42")))
    if TOMORROW.search(cleaned):
        raise _in_the_future(shown)
    cleaned = day_and_half_apart(cleaned)
    if _ISO_WITH_OFFSET.fullmatch(cleaned):
        # Nothing to guess in the form exports use; skip dateutil (imports read many of them).
        try:
            moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(_("{shown!r} is not a possible date; write it like 2025-03-14 18:42",
                                 shown=shown)) from None
        if moment.year < EARLIEST_YEAR:
            raise InvalidInput(_("{shown!r} is before {year}; check the year", shown=shown, year=EARLIEST_YEAR))
    elif keyword := _KEYWORD.fullmatch(cleaned):
        word, rest = keyword["word"].lower(), keyword["rest"]
        if word in ("now", "現在", "现在") and not rest:
            moment = now
        else:
            day = now.astimezone().date() + timedelta(days=_KEYWORDS[word])
            if rest:
                moment = _read(f"{day.isoformat()} {rest}", shown)[0]
                if moment.date() != day:
                    raise InvalidInput(_("{shown!r}: after {word} give only a time, like '{word} 18:42'",
                                         shown=shown, word=word))
            else:
                moment, day_only = _local_midnight(day), day
    elif _YEAR.fullmatch(cleaned) or _MONTH.fullmatch(cleaned):
        raise InvalidInput(_("{shown!r} is a whole period; {at} needs a day, e.g. 2025-03-14 or 'today 18:42'",
                             shown=shown, at=Option("at")))
    elif _TIME_OF_DAY.fullmatch(normalise_cjk(cleaned, shown)):
        moment = _read(f"{now.astimezone().date().isoformat()} {cleaned}", shown)[0]
    else:
        moment, has_time = _read(cleaned, shown)
        day_only = None if has_time or moment.tzinfo is not None else moment.date()
    if moment.year > now.year + 1:  # in the future in any zone: applying one at the calendar's end would overflow
        raise _in_the_future(shown)
    moment = local_moment(moment, shown, zone).astimezone(UTC).replace(microsecond=0)
    return happened_by(moment, now, shown), day_only


def happened_by(moment: datetime, now: datetime, shown: str) -> datetime:
    """`moment`, refused when it is still to come (beyond a clock's drift): a top-up happened."""
    if moment > now + _FUTURE_TOLERANCE:
        raise _in_the_future(shown)
    return moment


def _in_the_future(shown: str) -> InvalidInput:
    return InvalidInput(_("{shown!r} is in the future; a top-up can only be logged once it has happened", shown=shown))


class Period(NamedTuple):
    """A stretch of time, [start, end) in UTC."""

    start: datetime
    end: datetime


def parse_period(text: str, now: datetime | None = None) -> Period:
    """A period for `--since`/`--until` as [start, end) in UTC: a year, a month, a day or a moment."""
    now = now or now_utc()
    shown = text.strip()
    cleaned = clean_token(text)
    keyword = _KEYWORD.fullmatch(cleaned)
    if keyword and not keyword["rest"]:
        word = keyword["word"].lower()
        if word in ("now", "現在", "现在"):
            return Period(now, now + timedelta(seconds=1))
        day = now.astimezone().date() + timedelta(days=_KEYWORDS[word])
        return Period(_utc(_local_midnight(day)), _utc(_local_midnight(day + timedelta(days=1))))
    if year := _YEAR.fullmatch(cleaned):
        y = _period_year(year["year"], shown)
        return Period(_utc(datetime(y, 1, 1).astimezone()), _utc(datetime(y + 1, 1, 1).astimezone()))
    if month := _MONTH.fullmatch(cleaned):
        y, m = _period_year(month["year"], shown), int(month["month"])
        if not 1 <= m <= 12:
            raise InvalidInput(_("{shown!r} is not a month; write it like 2026-11", shown=shown))
        start = datetime(y, m, 1)
        end = datetime(y + (m == 12), m % 12 + 1, 1)
        return Period(_utc(start.astimezone()), _utc(end.astimezone()))
    if keyword:
        moment = parse_moment(cleaned, now)
        return Period(moment, moment + timedelta(seconds=1))
    moment, has_time = _read(cleaned, shown)
    _period_year(str(moment.year), shown)
    if has_time:
        start = _utc(local_moment(moment, shown))
        return Period(start, start + timedelta(seconds=1))
    day = moment.date()
    return Period(_utc(_local_midnight(day)), _utc(_local_midnight(day + timedelta(days=1))))


def _period_year(text: str, shown: str) -> int:
    year = int(text)
    if not EARLIEST_YEAR <= year <= 9998:
        raise InvalidInput(_("{shown!r} is not a year of top-ups; check the year", shown=shown))
    return year


def parse_day(text: str) -> date:
    """A calendar day such as a validity date (`--valid-until`); may lie in the future."""
    return _read(clean_token(text), text.strip())[0].date()


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def ago(seconds: float, day: str | None = None) -> Text:
    """How long ago something happened, as a person says it: 'just now', '35 minutes ago'; for what
    was given as a day alone (`day`), no hours counted from a midnight nobody stated: 'on 2026-03-04'."""
    if day is not None:
        return _("on {day}", day=day)
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        minutes = int(seconds // 60)
        return _("1 minute ago") if minutes == 1 else _("{count} minutes ago", count=minutes)
    if seconds < 48 * 3600:
        hours = int(seconds // 3600)
        return _("1 hour ago") if hours == 1 else _("{count} hours ago", count=hours)
    return _("{count} days ago", count=int(seconds // 86400))  # two days at least


def days_until(days: int) -> Text:
    """When a validity ends, from today: 'in 12 days', 'today', 'expired 12 days ago'."""
    if days == 0:
        return _("today")
    if days > 0:
        return _("in 1 day") if days == 1 else _("in {count} days", count=days)
    return _("expired 1 day ago") if days == -1 else _("expired {count} days ago", count=-days)
