"""Chinese words for dates and times, and Taiwan's ROC years, in the forms dateutil reads.

What people type for `--at` and what a pasted message states share these words: the halves of the
day (下午3點 is 15:00, 晚上12點 and 晚上1點 are refused as unclear), hours in words (8点半, 3點15分,
20时), in Chinese numerals (八點半, 十五点十五分) and the years of the ROC calendar.
"""

from __future__ import annotations

import re
from enum import Enum

from ledger.domain.numerals import chinese_number
from ledger.errors import InvalidInput
from ledger.i18n import _

# Taiwan writes years of the Republic of China's calendar (民國): three digits, its year 1 being 1912,
# in dates such as 114/03/14 and 114年3月14日.
ROC_DATE = r"(?<![\d/])(?P<y>1\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"
_ROC_DATE_ALONE = re.compile(ROC_DATE + r"(?![\d/])")
_ROC_YEAR_OF_DAY = re.compile(r"(?<!\d)(?P<y>\d{3})(?=\s*年)")
# A year the era names outright (民國99年, 中華民國114年, 民国114/03/14) is an ROC year whatever its digits.
_ROC_ERA_YEAR = re.compile(r"(?:中[華华])?民[國国]\s*(?P<y>\d{1,3})(?=\s*[年/])")

# The words for a half of the day written before an hour, by the hours each takes (see clock_hour).
HALF_DAY = {"上午": "morning", "早上": "morning", "凌晨": "small hours", "中午": "noon", "下午": "afternoon",
            "傍晚": "evening", "晚上": "evening", "晚": "evening", "夜間": "evening", "夜间": "evening",
            "夜里": "evening", "夜裡": "evening", "夜晚": "evening", "午夜": "?", "深夜": "?", "半夜": "?"}
_HALF_THEN_HOUR = re.compile("(?P<half>" + "|".join(sorted(HALF_DAY, key=len, reverse=True)) + r")\s*"
                             r"(?P<h>\d{1,2})(?=:\d{2})")
# A day and a half of it in one word (今晚8點 is today 晚上8點); tomorrow's (明晚) has not happened yet.
DAY_AND_HALF = {"今晚": ("今天", "晚上"), "今夜": ("今天", "夜里"), "今早": ("今天", "早上"), "今晨": ("今天", "凌晨"),
                "昨晚": ("昨天", "晚上"), "昨夜": ("昨天", "夜里"), "昨早": ("昨天", "早上"), "昨晨": ("昨天", "凌晨")}
_DAY_AND_HALF = re.compile("|".join(DAY_AND_HALF))
TOMORROW = re.compile(r"明(?:天|日|晚|夜|早|晨)|後天|后天")

# Hours and minutes in Chinese numerals: 八點半, 十五点十五分, 二十時零五分, 兩點.
_NUMERAL = r"(?:[二三四五]?十[一二三四五六七八九]?|[零〇]?[一二两兩三四五六七八九]|[零〇])"
_NUMERAL_CLOCK = re.compile(r"(?:(?P<before>" + "|".join(sorted(HALF_DAY, key=len, reverse=True)) + r"|[日号號])"
                            r"(?P<space>\s*))?(?<![零〇一二两兩三四五六七八九十\d])(?P<h>" + _NUMERAL + r")\s*"
                            r"(?P<mark>[时時点點])(?:\s*(?P<mi>" + _NUMERAL + r")\s*分)?"
                            r"(?![零〇一二两兩三四五六七八九十])")  # 三点十五 or 十点一刻: not read rather than misread


class UnclearHour(Enum):
    """Why an hour after a half of the day names no one hour of the clock."""

    either_side_of_midnight = "either side"  # 午夜11點: before or after midnight?
    noon_or_midnight = "noon or midnight"  # 晚上12點, 上午12點
    after_midnight = "after midnight"  # 晚上1點: the small hours, but of which day?
    past_twelve = "past twelve"  # 下午13點
    not_a_time = "not a time"


def clock_hour(hour: int, half: str) -> int | UnclearHour:
    """The hour of a 24-hour clock that an hour after a half of the day names (下午3 → 15, 晚上8 → 20),
    or why it names none. 12 is noon only after 中午 and midnight only after 凌晨; an evening's 1 to 4
    are the small hours, which people write after the evening they belong to, so the day is not
    certain either."""
    kind = HALF_DAY[half]
    if kind == "?":
        return UnclearHour.either_side_of_midnight
    if hour > 12:
        return UnclearHour.past_twelve
    if hour == 12:
        return {"noon": 12, "small hours": 0}.get(kind, UnclearHour.noon_or_midnight)
    if kind in ("morning", "small hours"):
        return hour
    if kind == "noon":
        return hour + 12 if 1 <= hour <= 2 else hour if hour == 11 else UnclearHour.not_a_time
    if kind == "evening" and 1 <= hour <= 4:
        return UnclearHour.after_midnight
    return hour + 12 if hour >= 1 else UnclearHour.not_a_time


def numerals_in_digits(text: str, *, after_day_or_half: bool = False) -> str:
    """Hours and minutes written in Chinese numerals, in digits: 晚上八點半 becomes 晚上8點半. With
    `after_day_or_half`, only those right after a day (14日) or a half of the day, as a message
    states a time: elsewhere 一点 is as often 'a little'."""
    def in_digits(found: re.Match[str]) -> str:
        if after_day_or_half and not found["before"]:
            return found[0]
        minutes = f"{chinese_number(found['mi'])}分" if found["mi"] else ""
        return f"{found['before'] or ''}{found['space'] or ''}{chinese_number(found['h'])}{found['mark']}{minutes}"

    return _NUMERAL_CLOCK.sub(in_digits, text)


def day_and_half_apart(text: str) -> str:
    """A day and a half of it said in one word, as two: 昨晚8點 becomes 昨天 晚上8點."""
    return _DAY_AND_HALF.sub(lambda found: " ".join(DAY_AND_HALF[found[0]]) + " ", text)


_CJK_HOUR = r"(?<!\d)(\d{1,2})\s*[时時点點]"


def gregorian_year(stated: str) -> int:
    """A year as a date writes it; three digits are a year of the ROC calendar (民國), as Taiwan writes them."""
    return int(stated) + 1911 if len(stated) == 3 else int(stated)


def normalise_cjk(text: str, shown: str) -> str:
    """Rewrite Chinese date and time words, and Taiwan's ROC years, into the forms dateutil reads:
    2025年3月14日 下午6點半 becomes 2025-3-14 18:30, 114/03/14 becomes 2025-03-14."""
    text = numerals_in_digits(text)
    text = _ROC_ERA_YEAR.sub(lambda m: str(int(m["y"]) + 1911), text)
    text = _ROC_DATE_ALONE.sub(lambda m: f"{gregorian_year(m['y'])}-{m['m']}-{m['d']}", text)
    text = _ROC_YEAR_OF_DAY.sub(lambda m: str(gregorian_year(m["y"])), text)
    text = re.sub(r"(\d{2,4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?", r"\1-\2-\3 ", text)
    text = re.sub(_CJK_HOUR + r"\s*(\d{1,2})\s*分?(?:\s*(\d{1,2})\s*秒)?",
                  lambda m: f"{m[1]}:{m[2]:0>2}" + (f":{m[3]:0>2}" if m[3] else ""), text)
    text = re.sub(_CJK_HOUR + r"\s*半", r"\1:30", text)
    text = re.sub(_CJK_HOUR + r"(?:\s*整)?", r"\1:00", text)
    text = re.sub(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]", r"\1/\2", text)
    text = _HALF_THEN_HOUR.sub(lambda m: f" {_hour_of_day(int(m['h']), m['half'], shown)}", text)
    return text.strip()


def _hour_of_day(hour: int, half: str, shown: str) -> int:
    """The hour of a 24-hour clock that an hour after a half of the day (下午3 → 15) names."""
    reading = clock_hour(hour, half)
    if isinstance(reading, int):
        return reading
    if reading is UnclearHour.either_side_of_midnight:
        raise InvalidInput(_("{shown!r} does not say whether it is before or after midnight; write the hour as on a "
                             "24-hour clock, e.g. 'yesterday 23:30'", shown=shown))
    if reading is UnclearHour.noon_or_midnight:
        raise InvalidInput(_("{shown!r} could be noon or midnight; write it as 12:00 or 00:00", shown=shown))
    if reading is UnclearHour.after_midnight:
        raise InvalidInput(_("{shown!r} is after midnight, and which day it falls on is not clear; write the day "
                             "and the hour as on a 24-hour clock, e.g. '2025-03-14 01:30'", shown=shown))
    if reading is UnclearHour.past_twelve:
        raise InvalidInput(_("{shown!r} gives an hour past 12 after a half of the day; write the hour alone as on "
                             "a 24-hour clock, e.g. 'today 13:00'", shown=shown))
    raise InvalidInput(_("{shown!r} is not a time of day; write it like 'today 18:42'", shown=shown))
