import csv
import io
import json
from datetime import date, timedelta

from tests.conftest import run_process


def test_totals_per_currency_never_mix(topup_ok):
    topup_ok("card", "add", "Octopus", "--kind", "smart", "--region", "HK")
    topup_ok("card", "add", "campus", "--kind", "smart", "--region", "CN")
    topup_ok("log", "Octopus", "100", "--at", "2026-10-01", "--channel", "app")
    topup_ok("log", "Octopus", "50.50", "--at", "2026-10-20", "--channel", "kiosk")
    topup_ok("log", "campus", "30", "--at", "2026-10-05", "--channel", "微信")
    topup_ok("log", "campus", "20", "--at", "2026-11-05", "--channel", "微信", "--outcome", "pending")
    by_month = json.loads(topup_ok("report", "--format", "json").stdout)
    none = {"pending_count": 0, "failed_count": 0, "refunded_count": 0}
    assert by_month == [
        {"month": "2026-10", "currency": "CNY", "count": 1, "total": "30.00", "pending": "0.00", **none},
        {"month": "2026-10", "currency": "HKD", "count": 2, "total": "150.50", "pending": "0.00", **none},
        {"month": "2026-11", "currency": "CNY", "count": 0, "total": "0.00", "pending": "20.00",
         **none, "pending_count": 1},
    ]
    by_channel = json.loads(topup_ok("report", "--by", "channel", "--card", "octopus", "--format", "json").stdout)
    assert [(r["channel"], r["total"]) for r in by_channel] == [("app", "100.00"), ("kiosk", "50.50")]
    table = topup_ok("report", "--by", "card", "--format", "table").stdout
    assert "█" in table and "Octopus" in table


def test_count_and_total_describe_the_same_credited_records(topup_ok, ledger_path):
    topup_ok("card", "add", "Octopus", "--kind", "smart", "--region", "HK")
    for amount in ("100", "50", "20", "10"):
        topup_ok("log", "Octopus", amount, "--at", "2026-10-01")
    topup_ok("log", "Octopus", "500", "--at", "2026-10-02", "--outcome", "failed")
    topup_ok("log", "Octopus", "300", "--at", "2026-10-03", "--outcome", "failed")
    topup_ok("log", "Octopus", "40", "--at", "2026-10-04", "--outcome", "pending")
    topup_ok("log", "Octopus", "60", "--at", "2026-10-05")
    topup_ok("amend", "8", "--outcome", "refunded", "--reason", "the carrier paid it back")
    topup_ok("log", "Octopus", "70", "--at", "2026-10-06")
    topup_ok("void", "9", "--reason", "logged twice")  # a void record is in no column
    result = run_process("--db", str(ledger_path), "report", "--by", "card", "--format", "csv")
    assert result.returncode == 0, result.stderr
    (row,) = csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff")))
    assert row == {"card": "Octopus", "currency": "HKD", "count": "4", "total": "180.00", "pending": "40.00",
                   "pending_count": "1", "failed_count": "2", "refunded_count": "1"}
    table = run_process("--db", str(ledger_path), "report", "--by", "card", "--format", "table").stdout
    assert "pend/fail/ref" in table and "1/2/1" in table


def test_a_month_is_counted_in_local_time(topup_ok):
    topup_ok("card", "add", "campus", "--kind", "smart")
    topup_ok("log", "campus", "10", "--at", "2026-11-01 00:30")  # 2026-10-31 16:30 UTC
    assert json.loads(topup_ok("report", "--format", "json").stdout)[0]["month"] == "2026-11"


def test_due_lists_cards_whose_validity_ends_soon_soonest_first(topup_ok):
    today = date.today()
    topup_ok("card", "add", "sim-a", "--kind", "sim", "--region", "HK", "--number", "91234567")
    topup_ok("card", "add", "sim-b", "--kind", "sim", "--region", "HK", "--validity-days", "30")
    topup_ok("card", "add", "sim-c", "--kind", "sim", "--region", "HK", "--validity-days", "365")
    topup_ok("card", "add", "old", "--kind", "sim", "--region", "HK", "--validity-days", "10")
    topup_ok("log", "sim-a", "100", "--valid-until", (today + timedelta(days=20)).isoformat())
    topup_ok("log", "sim-b", "100", "--at", (today - timedelta(days=25)).isoformat())
    topup_ok("log", "sim-c", "100")
    topup_ok("log", "old", "100", "--at", (today - timedelta(days=40)).isoformat())
    topup_ok("card", "retire", "old")
    rows = json.loads(topup_ok("due", "--format", "json").stdout)
    assert [(r["card"], r["days_left"]) for r in rows] == [("sim-b", 5), ("sim-a", 20)]
    assert rows[1]["number"] == "****4567"
    assert [r["card"] for r in json.loads(topup_ok("due", "--within", "7", "--format", "json").stdout)] == ["sim-b"]
    assert len(json.loads(topup_ok("due", "--within", "400", "--format", "json").stdout)) == 3


def test_the_date_the_carrier_stated_beats_the_counted_period(topup_ok, topup, ledger_path):
    today = date.today()
    topup_ok("card", "add", "sim", "--kind", "sim", "--region", "HK", "--validity-days", "180")

    def ends() -> tuple[str, str]:
        due = json.loads(topup_ok("due", "--within", "1000", "--format", "json").stdout)
        check = json.loads(topup_ok("check", "sim", "10", "--format", "json").stdout)
        assert len(due) == 1
        return due[0]["valid_until"], check["valid_until"]

    stated = (today + timedelta(days=30)).isoformat()  # sooner than 180 days from today: the statement wins
    topup_ok("log", "sim", "100", "--at", (today - timedelta(days=2)).isoformat(), "--valid-until", stated)
    assert ends() == (stated, stated)
    older = today - timedelta(days=5)  # a top-up logged late, from before the statement, changes nothing
    topup_ok("log", "sim", "20", "--at", older.isoformat(), "--valid-until", (today + timedelta(days=400)).isoformat())
    assert ends() == (stated, stated)
    topup_ok("log", "sim", "50", "--at", "today 00:00")  # no date stated since: the period counts from it
    counted = (today + timedelta(days=180)).isoformat()
    assert ends() == (counted, counted)
    topup_ok("card", "add", "pass", "--kind", "smart", "--currency", "HKD")  # no period: the last stated date stands
    topup_ok("log", "pass", "100", "--at", (today - timedelta(days=3)).isoformat(), "--valid-until", stated)
    topup_ok("log", "pass", "100", "--at", "today 00:00")
    assert json.loads(topup_ok("check", "pass", "10", "--format", "json").stdout)["valid_until"] == stated
