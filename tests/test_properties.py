"""Any text at all: every parser either accepts it or refuses it with InvalidInput, never crashes."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.channels import parse_channel
from ledger.domain.money import format_minor, parse_amount
from ledger.domain.times import parse_day, parse_moment, parse_period
from ledger.domain.values import CardKind, clean_text, parse_card_number
from ledger.errors import InvalidInput
from ledger.sources.messages import read_message

NOW = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
anything = st.text(max_size=40) | st.from_regex(r"[0-9,.\-/: 年月日时分HK$¥元]{1,20}", fullmatch=True)


def accepted_or_refused(parse, text):
    try:
        return parse(text)
    except InvalidInput:
        return None


@given(anything)
def test_amounts(text):
    money = accepted_or_refused(lambda t: parse_amount(t, "HKD"), text)
    if money is not None:
        assert money.minor > 0 and parse_amount(format_minor(money.minor, "HKD"), "HKD") == money


@given(anything)
def test_moments_and_periods(text):
    moment = accepted_or_refused(lambda t: parse_moment(t, NOW), text)
    if moment is not None:
        assert moment <= NOW + timedelta(seconds=60)  # never in the future
    period = accepted_or_refused(lambda t: parse_period(t, NOW), text)
    if period is not None:
        assert period[0] < period[1]
    accepted_or_refused(parse_day, text)


@given(anything)
def test_channels_card_numbers_and_free_text(text):
    accepted_or_refused(parse_channel, text)
    for kind in CardKind:
        number = accepted_or_refused(lambda t, k=kind: parse_card_number(k, t, "HK"), text)
        if number is not None:
            assert parse_card_number(kind, number, "HK") == number
    cleaned = accepted_or_refused(lambda t: clean_text(t, "note", 100), text)
    if cleaned is not None:
        assert clean_text(cleaned, "note", 100) == cleaned


@given(st.text(max_size=200))
def test_messages(text):
    reading = accepted_or_refused(lambda t: read_message(t, "HKD", "HK", NOW), text)
    if reading is not None and reading.amount is not None:
        accepted_or_refused(lambda a: parse_amount(a, "HKD"), reading.amount)
