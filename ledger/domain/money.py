"""Money: an exact amount in a currency's minor units, parsed from what people type.

`Decimal` is used only while parsing; from there on an amount is an integer of minor units
(fen, cents) with its ISO 4217 code, and it is printed back as a plain decimal string.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from ledger.domain.values import clean_token
from ledger.errors import InvalidInput
from ledger.i18n import _

# The currencies a card may be kept in, and how many digits each has after the decimal point: the
# minor units of ISO 4217, in which every stored amount is counted (HKD 2, JPY 0). They are written
# here, not read from the ISO table at each start, because they are part of what the ledger stores:
# should ISO 4217 change one, stored amounts need a schema step to rescale them (as TWD had).
# tests/test_money.py checks each against the published table.
MINOR_DIGITS = {"CNY": 2, "HKD": 2, "MOP": 2, "TWD": 2, "JPY": 0, "KRW": 0, "SGD": 2, "MYR": 2, "PHP": 2, "THB": 2,
                "VND": 0, "IDR": 2, "INR": 2, "USD": 2, "EUR": 2, "GBP": 2, "AUD": 2, "CAD": 2, "NZD": 2, "CHF": 2}
CURRENCIES = tuple(MINOR_DIGITS)


def minor_digits(currency: str) -> int:
    """Digits after the decimal point of `currency` as the ledger counts it (ISO 4217's minor units)."""
    return MINOR_DIGITS[currency]


REGION_CURRENCY = {
    "CN": "CNY", "HK": "HKD", "MO": "MOP", "TW": "TWD", "JP": "JPY", "KR": "KRW", "SG": "SGD",
    "MY": "MYR", "PH": "PHP", "TH": "THB", "VN": "VND", "ID": "IDR", "IN": "INR", "US": "USD",
    "GB": "GBP", "AU": "AUD", "CA": "CAD", "NZ": "NZD", "CH": "CHF",
}

_DOLLARS = frozenset({"HKD", "TWD", "USD", "SGD", "AUD", "CAD", "NZD", "MOP"})

# What may stand before or after the number, and which currencies each one can mean.
SYMBOLS: dict[str, frozenset[str]] = {
    "HK$": frozenset({"HKD"}), "NT$": frozenset({"TWD"}), "MOP$": frozenset({"MOP"}),
    "US$": frozenset({"USD"}), "S$": frozenset({"SGD"}), "A$": frozenset({"AUD"}),
    "C$": frozenset({"CAD"}), "NZ$": frozenset({"NZD"}), "$": _DOLLARS,
    "RM": frozenset({"MYR"}), "P": frozenset({"PHP"}), "₱": frozenset({"PHP"}),
    "¥": frozenset({"CNY", "JPY"}), "￥": frozenset({"CNY", "JPY"}), "RMB": frozenset({"CNY"}),
    "€": frozenset({"EUR"}), "£": frozenset({"GBP"}), "₩": frozenset({"KRW"}), "฿": frozenset({"THB"}),
    "₫": frozenset({"VND"}), "₹": frozenset({"INR"}), "RP": frozenset({"IDR"}),
    "元": frozenset({"CNY", "TWD", "HKD", "MOP"}), "圓": frozenset({"TWD", "HKD"}),
    "圆": frozenset({"CNY"}), "円": frozenset({"JPY"}), "块": frozenset({"CNY"}), "塊": frozenset({"TWD", "HKD"}),
    "人民币": frozenset({"CNY"}), "人民幣": frozenset({"CNY"}), "港元": frozenset({"HKD"}),
    "港幣": frozenset({"HKD"}), "港币": frozenset({"HKD"}), "新台幣": frozenset({"TWD"}),
    "新臺幣": frozenset({"TWD"}), "台幣": frozenset({"TWD"}), "臺幣": frozenset({"TWD"}),
    "日元": frozenset({"JPY"}), "日圓": frozenset({"JPY"}), "澳門元": frozenset({"MOP"}),
    "澳门元": frozenset({"MOP"}), "원": frozenset({"KRW"}),
    **{code: frozenset({code}) for code in CURRENCIES},
}

_AMOUNT = re.compile(
    r"(?P<prefix>[^0-9\s.,]*)\s*"
    r"(?P<number>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)"
    r"\s*(?P<suffix>[^0-9\s.,]*)"
)
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Large currencies are counted in big numbers; everywhere else a million is already absurd.
_MAX_MAJOR = {"VND": 10**9, "IDR": 10**9, "KRW": 10**8, "JPY": 10**7}
_DEFAULT_MAX_MAJOR = 10**6


class Money(NamedTuple):
    """An exact amount: `minor` units (cents, fen) of `currency` (ISO 4217)."""

    minor: int
    currency: str

    def __str__(self) -> str:
        return format_minor(self.minor, self.currency)


@lru_cache(maxsize=256)
def check_currency(text: str) -> str:
    """An ISO 4217 code this ledger knows how to count."""
    code = clean_token(text).upper()
    if code not in CURRENCIES:
        known = ", ".join(sorted(CURRENCIES))
        raise InvalidInput(_("unknown currency {text!r}; use one of {known}", text=text, known=known))
    return code


def format_minor(minor: int, currency: str) -> str:
    """Minor units as a plain decimal string with the currency's digits: 10050 HKD → '100.50'."""
    digits = minor_digits(currency)
    if digits == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{part:0{digits}d}"


def symbol_currencies(symbol: str) -> frozenset[str] | None:
    """The currencies a symbol or code may stand for, or None if it is not one."""
    return SYMBOLS.get(symbol.upper() if symbol.isascii() else symbol)


def parse_amount(text: str, currency: str, field: object = "amount", *, allow_zero: bool = False) -> Money:
    """A positive amount typed by a person, in `currency`: '1,000', 'HK$100', '¥50', '１００'.

    `allow_zero` is for a balance, which may be empty after a top-up cleared a negative one."""
    if _PLAIN_NUMBER.fullmatch(text):  # as exports write it: nothing to clean, no symbol to check
        return money_from_decimal(Decimal(text), currency, field, text, allow_zero)
    cleaned = clean_token(text)
    if cleaned.startswith("-"):
        raise InvalidInput(_("{field} {shown!r} must be more than zero", field=field, shown=text.strip()))
    match = _AMOUNT.fullmatch(cleaned)
    if not match or any(s and symbol_currencies(s) is None for s in (match["prefix"], match["suffix"])):
        raise InvalidInput(_(
            "{field} {shown!r} is not an amount; write it like 100, 100.50 or 1,000 "
            "(commas only between groups of three digits)", field=field, shown=text.strip()))
    for symbol in (match["prefix"], match["suffix"]):
        if not symbol:
            continue
        if currency not in symbol_currencies(symbol):
            raise InvalidInput(_("{field} {shown!r} is not in {currency}, the card's currency", field=field,
                                 shown=text.strip(), currency=currency))
    return money_from_decimal(Decimal(match["number"].replace(",", "")), currency, field, text.strip(), allow_zero)


def money_from_decimal(value: Decimal, currency: str, field: object, shown: str, allow_zero: bool = False) -> Money:
    """Exact conversion to minor units; refuses rounding, zero and absurd sizes."""
    digits = minor_digits(currency)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        raise InvalidInput(
            _("{field} {shown!r} has more decimals than {currency} has ({digits} decimal places); nothing is rounded",
              field=field, shown=shown, currency=currency, digits=digits) if digits else
            _("{field} {shown!r} has more decimals than {currency} has (no decimal places); nothing is rounded",
              field=field, shown=shown, currency=currency))
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidInput(_("{field} {shown!r} must be more than zero", field=field, shown=shown))
    limit = _MAX_MAJOR.get(currency, _DEFAULT_MAX_MAJOR)
    if value > limit:
        raise InvalidInput(_("{field} {shown!r} is larger than any top-up ({currency} {limit:,} at most)",
                             field=field, shown=shown, currency=currency, limit=limit))
    return Money(int(value.scaleb(digits)), currency)
