import json
from datetime import date, timedelta


def _check(topup, *args):
    result = topup("check", *args, "--format", "json")
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_a_payment_within_every_limit(topup_ok, topup):
    topup_ok("card", "add", "sim", "--kind", "sim", "--region", "HK", "--number", "91234567", "--max-topup", "500",
             "--max-balance", "1000", "--validity-days", "90", "--issuer", "SampleTel")
    topup_ok("log", "sim", "100", "--at", "2026-10-01", "--balance-after", "300")
    code, result, _ = _check(topup, "sim", "200")
    assert code == 0
    assert result["number"] == "****4567" and result["issuer"] == "SampleTel"
    assert (result["last_balance"], result["balance_after"]) == ("300.00", "500.00")
    assert result["last_topup"]["amount"] == "100.00" and result["problems"] == []
    assert result["valid_until"] == (date(2026, 10, 1) + timedelta(days=90)).isoformat()
    text = topup_ok("check", "sim", "200", "--reveal")
    assert "+85291234567" in text.stdout and "ok: within" in text.stderr


def test_over_the_single_limit_exits_1(topup_ok, topup):
    topup_ok("card", "add", "sim", "--kind", "smart", "--max-topup", "500")
    code, result, stderr = _check(topup, "sim", "600")
    assert code == 1 and "over the single top-up limit" in stderr and result["problems"]


def test_over_the_balance_cap_exits_1(topup_ok, topup):
    topup_ok("card", "add", "sim", "--kind", "smart", "--max-balance", "1000")
    topup_ok("log", "sim", "100", "--at", "2026-10-01", "--balance-after", "950")
    code, result, stderr = _check(topup, "sim", "100")
    assert code == 1 and result["balance_after"] == "1050.00" and "over the cap" in stderr


def test_a_recent_or_pending_top_up_is_a_warning(topup_ok, topup):
    topup_ok("card", "add", "sim", "--kind", "smart")
    topup_ok("log", "sim", "100", "--at", "2026-10-01", "--outcome", "pending")
    topup_ok("log", "sim", "100")
    code, result, _ = _check(topup, "sim", "100")
    assert code == 0
    assert any("not paying twice" in w for w in result["warnings"])
    assert any("record 1 is still pending" in w for w in result["warnings"])
    assert "warning: this card was topped up" in topup_ok("check", "sim", "100").stderr


def test_bad_input_to_check_is_refused(topup_ok, topup):
    topup_ok("card", "add", "sim", "--kind", "smart")
    assert topup("check", "sim", "0").exit_code == 1
    assert topup("check", "nope", "10").exit_code == 1


def test_top_ups_credited_after_the_last_stated_balance_are_counted(topup_ok, topup):
    topup_ok("card", "add", "card", "--kind", "smart", "--region", "HK", "--max-balance", "1000")
    topup_ok("log", "card", "100", "--at", "2026-10-01 09:00", "--balance-after", "900")
    topup_ok("log", "card", "50", "--at", "2026-10-02 09:00")
    topup_ok("log", "card", "20", "--at", "2026-10-03 09:00", "--outcome", "failed")
    topup_ok("log", "card", "30", "--at", "2026-10-03 10:00")
    topup_ok("void", "4", "--reason", "logged twice")
    code, result, stderr = _check(topup, "card", "80")
    assert code == 1 and "over the cap" in stderr
    assert (result["last_balance"], result["last_balance_record"]) == ("900.00", 1)
    assert result["counted_records"] == [2] and result["balance_after"] == "1030.00"
    text = topup("check", "card", "40")
    assert text.exit_code == 0
    assert "900.00, stated by record 1" in text.stdout and "balance after" in text.stdout


def test_a_balance_stated_after_the_top_ups_is_the_one_counted_from(topup_ok, topup):
    topup_ok("card", "add", "card", "--kind", "smart", "--max-balance", "1000")
    topup_ok("log", "card", "100", "--at", "2026-10-01 09:00", "--balance-after", "900")
    topup_ok("log", "card", "50", "--at", "2026-10-02 09:00", "--balance-after", "200")
    code, result, _ = _check(topup, "card", "80")
    assert code == 0 and result["counted_records"] == [] and result["balance_after"] == "280.00"


def test_log_warns_when_the_balance_known_goes_over_the_cap(topup_ok, topup, ledger_path):
    topup_ok("card", "add", "card", "--kind", "smart", "--max-balance", "1000")
    topup_ok("log", "card", "100", "--at", "2026-10-01 09:00", "--balance-after", "900")
    topup_ok("log", "card", "50", "--at", "2026-10-02 09:00")
    assert "warning" not in topup_ok("log", "card", "40", "--at", "2026-10-03 09:00").stderr  # 990: within the cap
    logged = topup_ok("log", "card", "80", "--at", "2026-10-04 09:00")
    assert "warning: card 'card' may now hold up to 1070.00, over its balance cap of 1000.00: the balance record 1 " \
           "stated, and records 2, 3, 4 credited since, less what was spent" in logged.stderr
    assert "warning" not in topup_ok("log", "card", "20", "--at", "2026-10-05 09:00", "--balance-after", "1000").stderr
    assert "warning" not in topup_ok("log", "card", "5", "--at", "2026-09-01 09:00").stderr  # before the stated one
    assert "warning" not in topup_ok("log", "card", "5", "--outcome", "failed").stderr
    code, result, _ = _check(topup, "card", "1")
    assert code == 1 and result["last_balance_record"] == 5
    # A week after the balance was stated, what was spent since says more than what was added.
    assert "warning" not in topup_ok("log", "card", "50", "--at", "2026-10-13 09:00").stderr


def test_check_names_the_first_ten_records_it_counted_and_how_many_more(topup_ok):
    topup_ok("card", "add", "card", "--kind", "smart", "--max-balance", "100000")
    topup_ok("log", "card", "100", "--at", "2026-10-01 09:00", "--balance-after", "100")
    for day in range(2, 14):
        topup_ok("log", "card", "1", "--at", f"2026-10-{day:02} 09:00")
    shown = topup_ok("check", "card", "1").stdout
    assert "records 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more" in " ".join(shown.split())
