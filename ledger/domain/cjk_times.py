"""Chinese words for dates and times, and Taiwan's ROC years, in the forms dateutil reads.

What people type for `--at` and what a pasted message states share these words: the halves of the
day (下午3點 is 15:00), hours in words (8点半, 3點15分, 20时) and the years of the ROC calendar.
"""

from __future__ import annotations

import re

from ledger.errors import InvalidInput
from ledger.i18n import _

# Taiwan writes years of the Republic of China's calendar (民國): three digits, its year 1 being 1912,
# in dates such as 114/03/14 and 114年3月14日.
ROC_DATE = r"(?<![\d/])(?P<y>1\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"
_ROC_DATE_ALONE = re.compile(ROC_DATE + r"(?![\d/])")
_ROC_YEAR_OF_DAY = re.compile(r"(?<!\d)(?P<y>\d{3})(?=\s*年)")
# A year the era names outright (民國99年, 民国114/03/14) is an ROC year whatever its digits.
_ROC_ERA_YEAR = re.compile(r"民[國国]\s*(?P<y>\d{1,3})(?=\s*[年/])")

# The words for a half of the day written before an hour: "?" where it does not say whether
# before or after midnight.
HALF_DAY = {"上午": "am", "早上": "am", "凌晨": "am", "中午": "pm", "下午": "pm", "傍晚": "pm", "晚上": "pm",
            "晚": "pm", "夜間": "pm", "夜间": "pm", "夜里": "pm", "夜裡": "pm", "夜晚": "pm",
            "午夜": "?", "深夜": "?", "半夜": "?"}
EVENING = frozenset({"傍晚", "晚上", "晚", "夜間", "夜间", "夜里", "夜裡", "夜晚"})  # 12 then: noon or midnight?
_HALF_THEN_HOUR = re.compile("(?P<half>" + "|".join(sorted(HALF_DAY, key=len, reverse=True)) + r")\s*"
                             r"(?P<h>\d{1,2})(?=:\d{2})")
_CJK_HOUR = r"(?<!\d)(\d{1,2})\s*[时時点點]"


def gregorian_year(stated: str) -> int:
    """A year as a date writes it; three digits are a year of the ROC calendar (民國), as Taiwan writes them."""
    return int(stated) + 1911 if len(stated) == 3 else int(stated)


def normalise_cjk(text: str, shown: str) -> str:
    """Rewrite Chinese date and time words, and Taiwan's ROC years, into the forms dateutil reads:
    2025年3月14日 下午6點半 becomes 2025-3-14 18:30, 114/03/14 becomes 2025-03-14."""
    text = _ROC_ERA_YEAR.sub(lambda m: str(int(m["y"]) + 1911), text)
    text = _ROC_DATE_ALONE.sub(lambda m: f"{gregorian_year(m['y'])}-{m['m']}-{m['d']}", text)
    text = _ROC_YEAR_OF_DAY.sub(lambda m: str(gregorian_year(m["y"])), text)
    text = re.sub(r"(\d{2,4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?", r"\1-\2-\3 ", text)
    text = re.sub(_CJK_HOUR + r"\s*(\d{1,2})\s*分?(?:\s*(\d{1,2})\s*秒)?",
                  lambda m: f"{m[1]}:{m[2]}" + (f":{m[3]}" if m[3] else ""), text)
    text = re.sub(_CJK_HOUR + r"\s*半", r"\1:30", text)
    text = re.sub(_CJK_HOUR + r"(?:\s*整)?", r"\1:00", text)
    text = re.sub(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]", r"\1/\2", text)
    text = _HALF_THEN_HOUR.sub(lambda m: f" {_hour_of_day(int(m['h']), m['half'], shown)}", text)
    return text.strip()


def _hour_of_day(hour: int, half: str, shown: str) -> int:
    """The hour of a 24-hour clock that an hour after a half of the day (下午3 → 15) names."""
    if HALF_DAY[half] == "?":
        raise InvalidInput(_("{shown!r} does not say whether it is before or after midnight; write the hour as on a "
                             "24-hour clock, e.g. 'yesterday 23:30'", shown=shown))
    if hour == 12 and half in EVENING:
        raise InvalidInput(_("{shown!r} could be noon or midnight; write it as 12:00 or 00:00", shown=shown))
    if HALF_DAY[half] == "am" and hour <= 12:
        return hour % 12
    if HALF_DAY[half] == "pm" and 1 <= hour < 24:
        return hour % 12 + 12 if hour <= 12 else hour
    raise InvalidInput(_("{shown!r} is not a time of day; write it like 'today 18:42'", shown=shown))
