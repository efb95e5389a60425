"""Numbers written in Chinese numerals, as prices (一百元, 两百五) and clock times (八點半) say them.

One table of the numerals, everyday and formal (壹, 貳 as on receipts), in both scripts, and one
reader of the whole numbers they write.
"""

from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "三": 3, "叁": 3,
          "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7, "八": 8,
          "捌": 8, "九": 9, "玖": 9}
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10000, "萬": 10000}


def chinese_number(text: str) -> int | None:
    """A whole number in Chinese numerals (十五, 一百零五, 两百, and 两百五 for 250 and 一千二 for 1200 as
    people say them), or None for two digits in a row (五五), which make no number."""
    total = section = 0
    digit: int | None = None  # a digit waiting for its unit
    unit_before = 0  # the unit just said, which a last digit counts in tenths of (两百五); none after 零
    for char in text:
        if char in DIGITS:
            if digit:
                return None
            digit = DIGITS[char]
            unit_before = unit_before if digit else 0
            continue
        unit = UNITS[char]
        if unit == 10000:
            total, section = total + (section + (digit or 0)) * unit, 0
        else:
            section += (1 if digit is None else digit) * unit
        digit, unit_before = None, unit
    if digit and unit_before >= 100:
        digit *= unit_before // 10
    return total + section + (digit or 0)
