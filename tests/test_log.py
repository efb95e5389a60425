import json

import pytest

from ledger.domain.fields import FIELD_NAMES as RECORD_FIELDS
from tests.conftest import log_json, make_ledger, table_dump


def test_log_prints_the_new_records_id(topup_ok, hk_card):
    assert topup_ok("log", hk_card, "100").stdout == "1\n"
    assert topup_ok("log", hk_card, "50").stdout == "2\n"


def test_log_json_has_the_contract_fields_in_order(topup_ok, hk_card):
    record = log_json(topup_ok, hk_card, "HK$１，０００", "--channel", "支付寶", "--at", "2025-03-14 18:42",
                      "--ref", "RC2503141842077", "--merchant", "7-Eleven", "--note", "在深圳用短信充值",
                      "--balance-after", "1128.5", "--valid-until", "2025-06-12", "--paid", "990",
                      "--paid-with", "招商银行(4523)")
    assert list(record) == list(RECORD_FIELDS)
    assert record == {
        "id": 1, "card": "Octopus", "card_kind": "smart", "amount": "1000.00", "paid": "990.00", "currency": "HKD",
        "channel": "alipay", "outcome": "credited", "occurred_at": "2025-03-14T18:42:00+08:00",
        "ref": "RC2503141842077", "merchant": "7-Eleven", "note": "在深圳用短信充值", "balance_after": "1128.50",
        "valid_until": "2025-06-12", "status": "active", "receipts": [], "created_at": record["created_at"],
        "paid_with": "招商银行(4523)",
    }


def test_unknown_values_are_null(topup_ok, hk_card):
    record = log_json(topup_ok, hk_card, "100")
    for key in ("paid", "ref", "merchant", "note", "balance_after", "valid_until"):
        assert record[key] is None
    assert record["channel"] == "other" and record["outcome"] == "credited"


def test_limits_are_refused_unless_forced(topup_ok, topup, hk_card, ledger_path):
    topup_ok("log", hk_card, "10")
    before = table_dump(ledger_path)
    over = topup("log", hk_card, "1000.01")
    assert over.exit_code == 1 and "single top-up limit" in over.stderr and "--force" in over.stderr
    capped = topup("log", hk_card, "100", "--balance-after", "3000.50")
    assert capped.exit_code == 1 and "balance cap" in capped.stderr
    assert table_dump(ledger_path) == before
    topup_ok("log", hk_card, "1000.01", "--force")
    topup_ok("log", hk_card, "100", "--balance-after", "3000.50", "--force")


def test_a_repeated_reference_names_the_first_record(topup_ok, topup, hk_card, ledger_path):
    topup_ok("log", hk_card, "100", "--ref", "WX42001234")
    before = table_dump(ledger_path)
    again = topup("log", hk_card, "100", "--ref", "\u200bwx42001234 ")
    assert again.exit_code == 1 and "record 1" in again.stderr
    assert table_dump(ledger_path) == before
    assert topup_ok("log", hk_card, "100", "--ref", "WX42001234", "--force").stdout == "2\n"


def test_the_same_reference_on_another_card_is_fine(topup_ok, hk_card):
    topup_ok("card", "add", "campus", "--kind", "smart")
    topup_ok("log", hk_card, "100", "--ref", "R1")
    topup_ok("log", "campus", "100", "--ref", "R1")


def test_an_unknown_card_is_refused_with_the_closest_labels(topup_ok, topup, hk_card):
    topup_ok("card", "add", "Octopus Kid", "--kind", "smart")
    result = topup("log", "octopis", "100")
    assert result.exit_code == 1
    assert "Did you mean Octopus" in result.stderr
    assert "topup card add octopis --kind" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("0",), ("-5",), ("1e3",), ("NaN",), ("1_000",), ("1.000,50",), ("100.001",), ("¥50",), ("NT$50",),
        ("100", "--at", "01/02/03"), ("100", "--at", "2026-02-30"), ("100", "--at", "March"), ("100", "--at", "2999-01-01"),
        ("100", "--channel", "pigeon"), ("100", "--note", "a\x07b"), ("100", "--note", "x" * 10_001),
        ("100", "--receipt", "/no/such/file.png"), ("100", "--outcome", "refunded"), ("100", "--paid", "0"),
        ("100", "--balance-after", "lots"), ("100", "--valid-until", "13"), ("100", "--merchant", "a\x1bb"),
        ("100", "--ref", "a\u202eb"),
    ],
)
def test_bad_input_is_refused_with_an_error_line_and_changes_nothing(topup_ok, topup, hk_card, ledger_path, args):
    topup_ok("log", hk_card, "1")
    before = table_dump(ledger_path)
    result = topup("log", hk_card, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stdout == ""
    assert table_dump(ledger_path) == before


def test_a_missing_amount_says_what_to_type(topup, hk_card):
    result = topup("log", hk_card)
    assert result.exit_code == 1 and "give the amount" in result.stderr


@pytest.mark.parametrize("command", [("log", "Octopus", "50"), ("amend", "1", "--reason", "typo")])
@pytest.mark.parametrize("empty", ["", "   ", "\u200b"])
def test_an_empty_time_is_refused_not_read_as_now(topup_ok, topup, hk_card, ledger_path, command, empty):
    topup_ok("log", hk_card, "100", "--at", "2025-03-14 18:42")
    before = table_dump(ledger_path)
    result = topup(*command, "--at", empty)
    assert result.exit_code == 1 and result.stderr.startswith("error: --at needs a time"), result.stderr
    assert table_dump(ledger_path) == before


def test_log_records_history_and_show_lists_it(topup_ok, hk_card):
    topup_ok("log", hk_card, "100", "--note", "first")
    shown = json.loads(topup_ok("show", "1", "--format", "json").stdout)
    assert shown["note"] == "first"
    assert [(v["version"], v["action"]) for v in shown["history"]] == [(1, "log")]
    text = topup_ok("show", "1").stdout
    assert "100.00" in text and "v1 log" in text


def test_show_of_a_missing_record_is_refused(topup, ledger_path):
    make_ledger(ledger_path)
    result = topup("show", "42")
    assert result.exit_code == 1 and "no record 42" in result.stderr
