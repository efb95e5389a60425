import json
import zipfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.times import (
    ago,
    clock_readings,
    days_until,
    from_stored,
    local_iso,
    local_moment,
    parse_day,
    parse_moment,
    parse_period,
    to_stored,
)
from ledger.errors import InvalidInput
from tests.conftest import TEST_TZ, run_process, sql_value, table_dump

# Fixed "now" so the tests do not depend on the day they run; local time is Asia/Shanghai (+08:00).
NOW = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)  # 14:30 local


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-14 18:42", utc(2025, 3, 14, 10, 42)),
        ("2025-03-14T18:42:00+08:00", utc(2025, 3, 14, 10, 42)),
        ("2025-03-14T10:42Z", utc(2025, 3, 14, 10, 42)),
        ("14/03/2025 18:42", utc(2025, 3, 14, 10, 42)),
        ("03/14/2025 6:42PM", utc(2025, 3, 14, 10, 42)),
        ("2025年3月14日18时42分", utc(2025, 3, 14, 10, 42)),
        ("２０２５-０３-１４ １８:４２", utc(2025, 3, 14, 10, 42)),
        ("2025-03-14", utc(2025, 3, 13, 16, 0)),
        ("now", NOW),
        ("today", utc(2026, 11, 19, 16, 0)),
        ("yesterday 18:42", utc(2026, 11, 19, 10, 42)),
        ("昨天 18:42", utc(2026, 11, 19, 10, 42)),
        ("today 9:05", utc(2026, 11, 20, 1, 5)),
        # A time of day alone is today's; Chinese hours, halves of the day, 前天 and Taiwan's ROC years.
        ("12:05", utc(2026, 11, 20, 4, 5)),
        ("9am", utc(2026, 11, 20, 1, 0)),
        ("下午2點", utc(2026, 11, 20, 6, 0)),
        ("下午２點", utc(2026, 11, 20, 6, 0)),
        ("１３:００", utc(2026, 11, 20, 5, 0)),
        ("13点", utc(2026, 11, 20, 5, 0)),
        ("13时", utc(2026, 11, 20, 5, 0)),
        ("中午12點", utc(2026, 11, 20, 4, 0)),
        ("凌晨1點", utc(2026, 11, 19, 17, 0)),
        ("上午10:30", utc(2026, 11, 20, 2, 30)),
        ("3點15分", utc(2026, 11, 19, 19, 15)),
        ("9点整", utc(2026, 11, 20, 1, 0)),
        ("今天下午2點", utc(2026, 11, 20, 6, 0)),
        ("昨天晚上8点半", utc(2026, 11, 19, 12, 30)),
        ("昨日 20點", utc(2026, 11, 19, 12, 0)),
        ("前天", utc(2026, 11, 17, 16, 0)),
        ("前日 晚上8點", utc(2026, 11, 18, 12, 0)),
        ("115/11/04 08:10", utc(2026, 11, 4, 0, 10)),
        ("114年12月4日下午3點", utc(2025, 12, 4, 7, 0)),
        ("民國114年12月4日 08:10", utc(2025, 12, 4, 0, 10)),
        ("民国 114/12/04 08:10", utc(2025, 12, 4, 0, 10)),
        ("民國99年1月2日 08:00", utc(2010, 1, 2, 0, 0)),
        ("2026年11月4日 晚上9点", utc(2026, 11, 4, 13, 0)),
        # Hours and minutes in Chinese numerals, a day and its half in one word, the era's full name.
        ("昨晚八點半", utc(2026, 11, 19, 12, 30)),
        ("昨天 晚上八點", utc(2026, 11, 19, 12, 0)),
        ("昨晚8點", utc(2026, 11, 19, 12, 0)),
        ("昨夜11点", utc(2026, 11, 19, 15, 0)),
        ("今早9點", utc(2026, 11, 20, 1, 0)),
        ("今晨5點", utc(2026, 11, 19, 21, 0)),
        ("下午兩點", utc(2026, 11, 20, 6, 0)),
        ("十點半", utc(2026, 11, 20, 2, 30)),
        ("昨天 二十三时零五分", utc(2026, 11, 19, 15, 5)),
        ("中午1點", utc(2026, 11, 20, 5, 0)),
        ("凌晨12:10", utc(2026, 11, 19, 16, 10)),
        ("中華民國114年12月4日", utc(2025, 12, 3, 16, 0)),
    ],
)
def test_moments_are_read_in_local_time_and_kept_in_utc(text, expected):
    assert parse_moment(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("01/02/03", "more than one date"), ("03/04/2025", "more than one date"), ("2026-02-30", "not a possible"),
        ("13", "missing"), ("March", "missing"), ("12月4日 下午3點", "missing"), ("2026-11", "whole period"), ("2026", "whole period"),
        ("2026-11-21", "future"), ("today 23:59", "future"), ("2025-03-14 10:00 PST", "time zone"),
        ("soon", "not a date"), ("1989-06-01", "before"),
        ("20:00", "future"), ("晚上8點", "future"), ("20點", "future"), ("115/12/04 08:10", "future"),
        ("晚上12點", "noon or midnight"), ("午夜12點", "before or after midnight"), ("下午25點", "past 12"),
        # An evening's small hours belong to the night before; 12 is noon only after 中午, midnight after 凌晨.
        ("晚上1點", "after midnight"), ("昨晚1點", "after midnight"), ("夜里3点", "after midnight"),
        ("昨天晚上4點半", "after midnight"), ("上午12點", "noon or midnight"), ("晚上十二點", "noon or midnight"),
        ("下午13點", "past 12"), ("晚上20:00", "past 12"), ("中午5點", "not a time of day"),
        ("今晚8點", "future"), ("明晚8點", "future"), ("明天", "future"), ("十点一刻", "not a date"),
        ("三点十五", "not a date"),
    ],
)
def test_ambiguous_impossible_partial_and_future_moments_are_refused(text, reason):
    with pytest.raises(InvalidInput, match=reason):
        parse_moment(text, NOW)


def test_a_month_and_a_year_are_whole_periods():
    assert parse_period("2026-11", NOW) == (utc(2026, 10, 31, 16), utc(2026, 11, 30, 16))
    assert parse_period("2026", NOW) == (utc(2025, 12, 31, 16), utc(2026, 12, 31, 16))
    assert parse_period("2026-12", NOW) == (utc(2026, 11, 30, 16), utc(2026, 12, 31, 16))
    assert parse_period("2025-03-14", NOW) == (utc(2025, 3, 13, 16), utc(2025, 3, 14, 16))


def test_a_validity_date_may_lie_in_the_future():
    assert parse_day("2027-06-12").isoformat() == "2027-06-12"
    with pytest.raises(InvalidInput):
        parse_day("12/06/07")


@given(st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_stored_moments_round_trip(moment):
    moment = moment.replace(microsecond=0)
    assert from_stored(to_stored(moment)) == moment and from_stored(to_stored(moment)).tzinfo is UTC
    assert datetime.fromisoformat(local_iso(to_stored(moment))) == moment


@pytest.mark.parametrize("text", ["2025-03-14T10:42:00", "2025-03-14 10:42:00Z", "2025-03-14T10:42:00+08:00",
                                  "2025-03-14T10:42Z", "２０２５-03-14T10:42:00Z", "2025-03-14T10:42:00.5Z"])
def test_only_the_stored_form_is_read_as_a_stored_moment(text):
    with pytest.raises(ValueError):
        from_stored(text)


CHANGES_OF_CLOCKS = [datetime(2025, 3, 30, 1, 30), datetime(2025, 10, 26, 1, 30), datetime(2026, 3, 8, 2, 30),
                     datetime(2025, 11, 2, 1, 30), datetime(2025, 10, 5, 2, 15), datetime(2025, 4, 6, 1, 45)]


@given(st.one_of(st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2100, 1, 1)),
                 st.sampled_from(CHANGES_OF_CLOCKS)),
       st.sampled_from(["Asia/Shanghai", "Asia/Hong_Kong", "Europe/London", "America/New_York",
                        "Australia/Lord_Howe"]))
def test_a_time_of_a_named_zone_is_the_moment_its_clocks_showed(wall, zone_name):
    zone = ZoneInfo(zone_name)
    earlier, later = clock_readings(wall, zone)
    if earlier.utcoffset() != later.utcoffset():
        with pytest.raises(InvalidInput):
            local_moment(wall, str(wall), zone)
    else:
        moment = local_moment(wall, str(wall), zone)
        assert moment == earlier and moment.replace(tzinfo=None) == wall and moment.utcoffset() == earlier.utcoffset()


@pytest.mark.parametrize(("zone", "typed", "happened"), [
    ("America/New_York", "2026-03-08 02:30", "never showed"), ("America/New_York", "2025-11-02 01:30", "showed twice"),
    ("Europe/London", "2025-03-30 01:30", "never showed"), ("Europe/London", "2025-10-26 01:30", "showed twice"),
    ("Australia/Lord_Howe", "2025-10-05 02:15", "never showed"),  # a half-hour change
    ("Australia/Lord_Howe", "2025-04-06 01:45", "showed twice"),
])
def test_a_clock_time_that_summer_time_skipped_or_doubled_is_refused_with_the_choices(
        topup_ok, topup, monkeypatch, zone, typed, happened):
    import re
    import time

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    topup_ok("card", "add", "card", "--kind", "smart", "--currency", "USD")
    refused = topup("log", "card", "1", "--at", typed)
    assert refused.exit_code == 1 and happened in refused.stderr
    choices = re.findall(r"'(\d{4}-\d\d-\d\d \d\d:\d\d[+-]\d\d:\d\d)'", refused.stderr)
    assert len(choices) == 2
    for n, choice in enumerate(choices):
        logged = json.loads(topup_ok("log", "card", "1", "--at", choice, "--ref", f"R{n}", "--format", "json").stdout)
        assert logged["occurred_at"] == choice.replace(" ", "T")[:16] + ":00" + choice[16:]


@pytest.mark.parametrize(("seconds", "said"), [
    (0, "just now"), (59, "just now"), (60, "1 minute ago"), (35 * 60 + 59, "35 minutes ago"),
    (3600, "1 hour ago"), (47 * 3600, "47 hours ago"), (48 * 3600, "2 days ago"),
])
def test_how_long_ago_is_said_as_a_person_says_it(seconds, said):
    assert ago(seconds) == said


@pytest.mark.parametrize(("days", "said"), [(12, "in 12 days"), (1, "in 1 day"), (0, "today"),
                                            (-1, "expired 1 day ago"), (-12, "expired 12 days ago")])
def test_when_a_validity_ends_is_said_without_negative_days(days, said):
    assert days_until(days) == said


def test_check_and_due_speak_of_time_in_words(topup_ok, ledger_path):
    topup_ok("card", "add", "sim", "--kind", "sim", "--region", "HK", "--validity-days", "30")
    topup_ok("log", "sim", "10", "--at", (datetime.now() - timedelta(days=42)).strftime("%Y-%m-%d %H:%M"))
    table = run_process("--db", str(ledger_path), "due", "--within", "30", "--format", "table").stdout
    assert "expired 12 days ago" in table and "-12" not in table
    topup_ok("log", "sim", "10")
    checked = run_process("--db", str(ledger_path), "check", "sim", "10")
    assert "just now" in checked.stdout + checked.stderr and "hour(s)" not in checked.stdout + checked.stderr


def test_the_command_reads_chinese_days_hours_and_roc_dates(topup_ok):
    topup_ok("card", "add", "卡", "--kind", "smart", "--currency", "TWD")
    today = datetime.now(ZoneInfo(TEST_TZ)).date()
    logged = {at: json.loads(topup_ok("log", "卡", "100", "--at", at, "--format", "json").stdout)["occurred_at"]
              for at in ("前天", "前日 晚上8點半", "115/03/14 下午3點")}
    assert logged == {"前天": f"{today - timedelta(days=2)}",
                      "前日 晚上8點半": f"{today - timedelta(days=2)}T20:30:00+08:00",
                      "115/03/14 下午3點": "2026-03-14T15:00:00+08:00"}


def test_an_evening_hour_after_midnight_is_refused_and_the_ledger_left_as_it_was(topup_ok, topup, ledger_path):
    topup_ok("card", "add", "卡", "--kind", "smart", "--currency", "HKD")
    before = table_dump(ledger_path)
    for at, said in (("晚上1點", "after midnight"), ("上午12點", "noon or midnight"), ("下午13點", "24-hour clock")):
        refused = topup("log", "卡", "100", "--at", at)
        assert refused.exit_code == 1 and refused.stderr.startswith(f"error: '{at}'") and said in refused.stderr
        assert "Traceback" not in refused.stderr and table_dump(ledger_path) == before
    logged = json.loads(topup_ok("log", "卡", "100", "--at", "昨晚八點半", "--format", "json").stdout)["occurred_at"]
    yesterday = datetime.now(ZoneInfo(TEST_TZ)).date() - timedelta(days=1)
    assert logged == f"{yesterday}T20:30:00+08:00"


def _record(topup_ok, record_id: int) -> dict:
    return json.loads(topup_ok("show", str(record_id), "--format", "json").stdout)


def test_a_top_up_given_as_a_day_alone_is_kept_and_shown_as_that_day(topup_ok, ledger_path, tmp_path):
    topup_ok("card", "add", "卡", "--kind", "smart", "--currency", "CNY")
    two_days_ago = str(datetime.now(ZoneInfo(TEST_TZ)).date() - timedelta(days=2))
    topup_ok("log", "卡", "10", "--at", "2026-03-04")
    topup_ok("log", "卡", "20", "--at", "前天")
    topup_ok("log", "卡", "--sms", "您于2026年03月05日充值30.00元，余额80.00元")
    topup_ok("log", "卡", "40", "--at", "2026-03-04 09:15")
    assert [_record(topup_ok, i)["occurred_at"] for i in (1, 2, 3, 4)] == [
        "2026-03-04", two_days_ago, "2026-03-05", "2026-03-04T09:15:00+08:00"]
    # Every place a record is shown or exported says the day, never a midnight nobody stated.
    shown = topup_ok("show", "1").stdout
    searched = json.loads(topup_ok("search", "--format", "json").stdout)
    exported = topup_ok("export", "--no-guard").stdout.splitlines()
    assert "2026-03-04" in shown and "T00:00" not in shown
    assert [r["occurred_at"] for r in searched] == [two_days_ago, "2026-03-05", "2026-03-04T09:15:00+08:00",
                                                    "2026-03-04"]
    assert ",2026-03-04,," in exported[1] and "T00:00" not in "".join(exported)
    assert sql_value(ledger_path, "SELECT occurred_at FROM records WHERE id = 1") == "2026-03-04"
    assert topup_ok("search", "--since", "2026-03", "--until", "2026-03", "--format", "json").stdout.count('"id"') == 3
    pack = tmp_path / "pack.zip"
    topup_ok("export", "--dispute", "1", "--output", str(pack), "--lang", "en")
    with zipfile.ZipFile(pack) as opened:
        letter = opened.read("summary.html").decode()
    assert "2026-03-04" in letter and "2026-03-04 00:00" not in letter
    # A time given later replaces the day, with the day kept in the history; the chain still holds.
    topup_ok("amend", "1", "--at", "2026-03-04 10:00", "--reason", "the receipt gives the time")
    amended = _record(topup_ok, 1)
    assert amended["occurred_at"] == "2026-03-04T10:00:00+08:00"
    assert [v["content"]["occurred_at"] for v in amended["history"]] == ["2026-03-04", "2026-03-04T10:00:00+08:00"]
    verified = topup_ok("verify")
    assert "ok:" in verified.stdout + verified.stderr


def test_check_names_the_day_of_a_top_up_given_without_its_time(topup_ok, ledger_path):
    topup_ok("card", "add", "sim", "--kind", "sim", "--region", "HK")
    topup_ok("log", "sim", "10", "--at", "today")
    today = str(datetime.now(ZoneInfo(TEST_TZ)).date())
    checked = run_process("--db", str(ledger_path), "check", "sim", "10")
    said = checked.stdout + checked.stderr
    assert f"topped up 10.00 on {today} (record 1)" in said and "ago" not in said, said
    assert "T00:00" not in said and json.loads(topup_ok("check", "sim", "10", "--format", "json").stdout)[
        "last_topup"]["occurred_at"] == today


def test_an_exported_day_alone_is_imported_as_that_day(topup_ok, tmp_path):
    topup_ok("card", "add", "卡", "--kind", "smart", "--currency", "CNY")
    topup_ok("log", "卡", "10", "--at", "2026-03-04")
    topup_ok("log", "卡", "20", "--at", "2026-03-05 08:00")
    for kind in ("csv", "json"):
        exported = tmp_path / f"export.{kind}"
        topup_ok("export", "--format", kind, "--output", str(exported))
        other = str(tmp_path / f"other-{kind}.db")
        topup_ok("--db", other, "import", str(exported))
        found = json.loads(topup_ok("--db", other, "search", "--format", "json").stdout)
        assert [r["occurred_at"] for r in found] == ["2026-03-05T08:00:00+08:00", "2026-03-04"], kind
        assert "2 already in the ledger" in topup_ok("--db", other, "import", str(exported)).stderr
