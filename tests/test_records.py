"""The record fields SQLite computes agree with the Python functions that define them."""

import csv
import io
import os
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.money import CURRENCIES, format_minor
from ledger.domain.spreadsheet import guard
from ledger.domain.times import local_iso, local_offsets, to_stored
from ledger.store.sqlite.projection import csv_line_sql, guard_sql, local_time_sql, money_sql, text_cell_sql

conn = sqlite3.connect(":memory:")


# SQLite text ends at NUL; the ledger refuses control characters in typed text anyway.
typed_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@given(typed_text)
def test_the_sql_guard_is_the_python_guard(text):
    assert conn.execute(f"SELECT {guard_sql('x')} FROM (SELECT ? AS x)", (text,)).fetchone()[0] == guard(text)


@given(st.lists(st.one_of(st.none(), typed_text), min_size=1, max_size=4), st.integers(-2**63, 2**63 - 1))
def test_a_line_built_by_sqlite_is_what_the_csv_module_writes(texts, number):
    cells = [text_cell_sql(f"x{i}") for i in range(len(texts))] + ["n", "NULL"]
    names = ", ".join(f"? AS x{i}" for i in range(len(texts)))
    line = conn.execute(f"SELECT {csv_line_sql(cells)} FROM (SELECT {names}, ? AS n)",
                        (*texts, number)).fetchone()[0]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerow(
        [*(None if text is None else guard(text) for text in texts), number, None])
    assert line == expected.getvalue()


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(sorted(CURRENCIES)))
def test_sql_amounts_are_printed_like_format_minor(minor, currency):
    shown = conn.execute(f"SELECT {money_sql('t.m')} FROM (SELECT ? AS m, ? AS currency) AS t",
                         (minor, currency)).fetchone()[0]
    assert shown == format_minor(minor, currency)


ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Adelaide", "UTC", "America/Noronha",
         "Africa/Casablanca", "Pacific/Apia", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Lima"]


@pytest.fixture(params=ZONES)
def zone(request, monkeypatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def sql_local_time(stored):
    return conn.execute(f"SELECT {local_time_sql('x')} FROM (SELECT ? AS x)", (stored,)).fetchone()[0]


def test_sql_local_times_are_python_local_times(zone):
    @settings(max_examples=60)
    @given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime.now(), timezones=st.just(UTC)))
    def same(moment):
        stored = to_stored(moment)
        assert sql_local_time(stored) == local_iso(stored)

    same()
    assert os.environ["TZ"] == zone


def test_every_offset_change_is_placed_to_the_second(zone):
    changes = local_offsets()[1:]
    assert bool(changes) == (zone not in {"UTC", "Asia/Kathmandu"}), "UTC and Nepal kept one offset since 1990"
    for first, _ in changes:
        moment = datetime.strptime(first, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        for stored in (to_stored(moment - timedelta(seconds=1)), first, to_stored(moment + timedelta(seconds=1))):
            assert sql_local_time(stored) == local_iso(stored)


@pytest.mark.parametrize("zone_name, stored, shown", [
    # Fernando de Noronha kept summer time for one week in October 2000, the shortest stretch since 1990.
    ("America/Noronha", "2000-10-12T12:00:00Z", "2000-10-12T11:00:00-01:00"),
    ("America/Noronha", "2000-10-15T12:00:00Z", "2000-10-15T10:00:00-02:00"),
])
def test_the_shortest_offset_stretch_is_not_skipped(zone_name, stored, shown, monkeypatch):
    monkeypatch.setenv("TZ", zone_name)
    time.tzset()
    try:
        assert sql_local_time(stored) == shown == local_iso(stored)
    finally:
        monkeypatch.undo()
        time.tzset()


# ---------------------------------------------------------------- the views' SQL and Datasette's, pinned to Python


@given(typed_text)
def test_datasettes_search_pattern_is_the_one_search_makes(text):
    from ledger.store.sqlite.datasette import PATTERN
    from ledger.store.sqlite.search import like_pattern

    assert conn.execute(f"SELECT {PATTERN}", {"text": text}).fetchone()[0] == like_pattern(text)


def _ledger_in_memory() -> sqlite3.Connection:
    from ledger.store.sqlite import migrations

    ledger = sqlite3.connect(":memory:", isolation_level=None)
    migrations.upgrade(ledger)
    return ledger


@settings(max_examples=60)
@given(st.integers(min_value=1, max_value=10**12), st.sampled_from(sorted(CURRENCIES)),
       st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2037, 1, 1), timezones=st.just(UTC)),
       st.text(alphabet="0123456789ABCDEFXYZ", min_size=4, max_size=24))
def test_the_views_show_what_the_program_shows(minor, currency, moment, number):
    from ledger.domain.values import mask_number

    ledger = _ledger_in_memory()
    ledger.execute("INSERT INTO card (id, label, label_key, kind, number, currency, created_at_utc) "
                   "VALUES (1, 'c', 'c', 'smart', ?, ?, ?)", (number, currency, to_stored(moment)))
    ledger.execute("INSERT INTO topup (id, card_id, amount_minor, currency, channel, outcome, occurred_at_utc, status, "
                   "created_at_utc, version) VALUES (1, 1, ?, ?, 'app', 'credited', ?, 'active', ?, 1)",
                   (minor, currency, to_stored(moment), to_stored(moment)))
    amount, occurred_at = ledger.execute("SELECT amount, occurred_at FROM records").fetchone()
    assert (amount, occurred_at) == (format_minor(minor, currency), local_iso(to_stored(moment)))
    assert ledger.execute("SELECT number FROM cards").fetchone()[0] == mask_number(number)
    ledger.close()
