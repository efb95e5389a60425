"""Mobile numbers named in a text (a bill's item, a message), whole or masked the way the region's
payment apps mask them, by region; only the regions whose forms are known here are read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.domain.values import fold_width


@dataclass(frozen=True)
class Phone:
    """A number a text names: whole, or masked to its first and last digits."""

    first: str
    last: str
    whole: str | None = None  # the national number, when the text gives all of it
    country_code: str = ""

    def matches(self, number: str | None) -> bool:
        """Whether a card's number (E.164, as kept) is this one."""
        national = (number or "").removeprefix(f"+{self.country_code}")
        if self.whole:
            return national == self.whole
        return len(national) == len(self.first) + 4 + len(self.last) and national.startswith(self.first) \
            and national.endswith(self.last)

    def __str__(self) -> str:
        return f"{self.first}****{self.last}"


@dataclass(frozen=True)
class _Forms:
    country_code: str
    masked: re.Pattern[str]  # its first digits and its last four, around four asterisks
    whole: re.Pattern[str]  # its three groups of digits, a country code and spaces or dashes allowed


_REGIONS = {
    # 139****5678; 13912345678, 139 1234 5678, +86 139-1234-5678, 8613912345678.
    "CN": _Forms("86", re.compile(r"(?<!\d)(1\d{2})\*{4}(\d{4})(?!\d)"),
                 re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")),
}


# Where a text may say a number is from, by region: a top-up naming one is for a number of there.
_PLACES = {"HK": ("香港", "Hong Kong", "HK"), "MO": ("澳門", "澳门", "Macau", "Macao"),
           "TW": ("台灣", "臺灣", "台湾", "Taiwan")}
_PLACE_NAMED = {region: re.compile("|".join(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])" for name in names))
                for region, names in _PLACES.items()}


def region_named(text: str) -> str | None:
    """The region whose name the text gives (香港, Hong Kong), if it names one."""
    return next((region for region, named in _PLACE_NAMED.items() if named.search(fold_width(text))), None)


def phone_in(text: str, region: str) -> Phone | None:
    """The mobile number of `region` the text names, masked or whole; None if it names none, or if
    the region's forms are not known."""
    forms = _REGIONS.get(region)
    if forms is None:
        return None
    text = fold_width(text)
    if match := forms.masked.search(text):
        return Phone(match[1], match[2], country_code=forms.country_code)
    if match := forms.whole.search(text):
        return Phone(match[1], match[3], "".join(match.groups()), forms.country_code)
    return None
