import json
from datetime import date, timedelta


def test_totals_per_currency_never_mix(topup_ok):
    topup_ok("card", "add", "Octopus", "--kind", "smart", "--region", "HK")
    topup_ok("card", "add", "campus", "--kind", "smart", "--region", "CN")
    topup_ok("log", "Octopus", "100", "--at", "2026-10-01", "--channel", "app")
    topup_ok("log", "Octopus", "50.50", "--at", "2026-10-20", "--channel", "kiosk")
    topup_ok("log", "campus", "30", "--at", "2026-10-05", "--channel", "微信")
    topup_ok("log", "campus", "20", "--at", "2026-11-05", "--channel", "微信", "--outcome", "pending")
    by_month = json.loads(topup_ok("report", "--format", "json").stdout)
    assert by_month == [
        {"month": "2026-10", "currency": "CNY", "count": 1, "total": "30.00", "pending": "0.00"},
        {"month": "2026-10", "currency": "HKD", "count": 2, "total": "150.50", "pending": "0.00"},
        {"month": "2026-11", "currency": "CNY", "count": 1, "total": "0.00", "pending": "20.00"},
    ]
    by_channel = json.loads(topup_ok("report", "--by", "channel", "--card", "octopus", "--format", "json").stdout)
    assert [(r["channel"], r["total"]) for r in by_channel] == [("app", "100.00"), ("kiosk", "50.50")]
    table = topup_ok("report", "--by", "card", "--format", "table").stdout
    assert "█" in table and "Octopus" in table


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
