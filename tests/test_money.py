from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.money import CURRENCIES, Money, format_minor, minor_digits, parse_amount
from ledger.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("100", "HKD", 10000), ("100.5", "HKD", 10050), ("1,000", "CNY", 100000), ("HK$100", "HKD", 10000),
        ("¥50", "CNY", 5000), ("１００", "CNY", 10000), ("１，０００．５０", "CNY", 100050), ("100元", "CNY", 10000),
        ("NT$500", "TWD", 50000), ("P100.00", "PHP", 10000), ("HKD 20", "HKD", 2000), ("50 cny", "CNY", 5000),
        (" 100\u200b ", "HKD", 10000), ("＄100", "HKD", 10000), ("1,234,567", "VND", 1234567), ("0.01", "CNY", 1),
    ],
)
def test_amounts_people_type_are_read_exactly(text, currency, minor):
    assert parse_amount(text, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    "text",
    ["0", "0.00", "-5", "-0", "NaN", "nan", "sNaN", "inf", "Infinity", "1e3", "1E3", "1_000", "1.000,50", "1,00",
     "10,0000", "100.", ".5", "", "   ", "١٢٣", "²", "①", "100.001", "9999999", "12 34", "HK$", "abc", "100 dollars"],
)
def test_amounts_that_are_not_amounts_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_amount(text, "HKD")


@pytest.mark.parametrize(("text", "currency"), [("HK$100", "CNY"), ("NT$5", "HKD"), ("100円", "CNY"), ("€5", "HKD")])
def test_a_symbol_that_contradicts_the_card_currency_is_refused(text, currency):
    with pytest.raises(InvalidInput, match=currency):
        parse_amount(text, currency)


@pytest.mark.parametrize(("text", "currency"), [("100.5", "JPY"), ("1000.1", "KRW"), ("320.505", "TWD"),
                                                ("1.001", "HKD")])
def test_more_decimals_than_the_currency_has_is_refused_not_rounded(text, currency):
    with pytest.raises(InvalidInput, match="nothing is rounded"):
        parse_amount(text, currency)


def test_the_ledgers_minor_units_are_those_of_iso_4217():
    from iso4217 import Currency

    assert {code: Currency(code).exponent for code in CURRENCIES} == {code: minor_digits(code) for code in CURRENCIES}
    assert parse_amount("320.5", "TWD") == Money(32050, "TWD")
    assert format_minor(32050, "TWD") == "320.50"


@given(minor=st.integers(min_value=1, max_value=10**6), currency=st.sampled_from(sorted(CURRENCIES)))
def test_printing_then_parsing_gives_the_same_money(minor, currency):
    text = format_minor(minor, currency)
    assert parse_amount(text, currency) == Money(minor, currency)
    assert Decimal(text) == Decimal(minor).scaleb(-minor_digits(currency))
