"""The record fields SQLite computes agree with the Python functions that define them."""

import os
import sqlite3
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.exporting import guard, guard_sql
from ledger.money import CURRENCY_DIGITS, format_minor
from ledger.records import local_time_sql, money_sql
from ledger.times import local_iso, to_stored

conn = sqlite3.connect(":memory:")


@given(st.text())
def test_the_sql_guard_is_the_python_guard(text):
    assert conn.execute(f"SELECT {guard_sql('x')} FROM (SELECT ? AS x)", (text,)).fetchone()[0] == guard(text)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(sorted(CURRENCY_DIGITS)))
def test_sql_amounts_are_printed_like_format_minor(minor, currency):
    shown = conn.execute(f"SELECT {money_sql('t.m')} FROM (SELECT ? AS m, ? AS currency) AS t",
                         (minor, currency)).fetchone()[0]
    assert shown == format_minor(minor, currency)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Adelaide", "UTC"])
def test_sql_local_times_are_python_local_times(zone, monkeypatch):
    monkeypatch.setenv("TZ", zone)
    time.tzset()

    # Stored moments are never in the future; SQLite folds years after 2037 into its own range.
    @settings(max_examples=60)
    @given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)))
    def same(moment):
        stored = to_stored(moment)
        local = sqlite3.connect(":memory:")  # a new connection reads the zone afresh
        assert local.execute(f"SELECT {local_time_sql('x')} FROM (SELECT ? AS x)", (stored,)).fetchone()[0] == local_iso(stored)
        local.close()

    same()
    assert os.environ["TZ"] == zone
