"""Amounts in each currency's ISO 4217 minor units, and older ledgers whose TWD was kept in whole dollars."""

import json
import sqlite3
from pathlib import Path

import pytest

from ledger.store.sqlite import migrations
from tests.conftest import log_json, run_process, sql, sql_value, table_dump, verify_problems

SCHEMA_5 = Path(__file__).with_name("data") / "dump-schema5.sql"


def _schema_5_ledger(path: Path) -> Path:
    """The schema 5 ledger of tests/data, its two header marks restored: its TWD in whole dollars."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_5.read_text(encoding="utf-8")
                       + f"PRAGMA application_id = {migrations.APPLICATION_ID}; PRAGMA user_version = 5;")
    conn.close()
    path.chmod(0o600)
    return path


def test_twd_takes_two_decimals_and_yen_and_won_none(topup_ok, topup, ledger_path):
    topup_ok("card", "add", "悠遊卡", "--kind", "smart", "--region", "TW", "--max-balance", "10000.5")
    assert log_json(topup_ok, "悠遊卡", "300", "--balance-after", "320.5")["balance_after"] == "320.50"
    read = log_json(topup_ok, "悠遊卡", "--sms", "中華電信：您的預付卡已於2025/10/02 21:05儲值NT$101.25元，"
                                                 "交易序號CHT0001，餘額320.50元。")
    assert (read["amount"], read["balance_after"], read["currency"]) == ("101.25", "320.50", "TWD")
    card = json.loads(topup_ok("card", "show", "悠遊卡", "--format", "json").stdout)
    assert card["max_balance"] == "10000.50"
    for region, amount in (("JP", "100.5"), ("KR", "1000.1")):
        topup_ok("card", "add", region, "--kind", "smart", "--region", region)
        before = table_dump(ledger_path)
        refused = topup("log", region, amount)
        assert refused.exit_code == 1 and "no decimal places" in refused.stderr
        assert table_dump(ledger_path) == before
    refused = topup("log", "悠遊卡", "1.005")
    assert refused.exit_code == 1 and "2 decimal places" in refused.stderr


def _twd(topup_ok) -> dict:
    records = json.loads(topup_ok("search", "--card", "悠遊卡", "--with-void", "--format", "json").stdout)
    return {r["id"]: (r["amount"], r["paid"], r["balance_after"]) for r in records}


WAS = {4: ("300.00", None, "310.00"), 5: ("600.00", "495.00", "910.00"), 6: ("200.00", None, None)}


def test_an_older_ledger_keeps_every_twd_amount_when_it_gains_hundredths(ledger_path, topup_ok, topup):
    _schema_5_ledger(ledger_path)
    before = ledger_path.read_bytes()
    assert _twd(topup_ok) == WAS  # read through an upgraded copy; the file stays as it was
    assert ledger_path.read_bytes() == before
    assert sql_value(ledger_path, "SELECT amount_minor FROM topup WHERE id = 4") == 300

    topup_ok("card", "add", "later", "--kind", "smart")  # the first write upgrades the file
    assert sql_value(ledger_path, "PRAGMA user_version") == migrations.LATEST
    assert sql_value(ledger_path, "SELECT amount_minor FROM topup WHERE id = 4") == 30000
    assert _twd(topup_ok) == WAS
    assert json.loads(topup_ok("show", "1", "--format", "json").stdout)["amount"] == "120.00"  # HKD as it was
    card = json.loads(topup_ok("card", "show", "悠遊卡", "--format", "json").stdout)
    assert (card["max_topup"], card["max_balance"]) == ("2000.00", "10000.00")
    history = json.loads(topup_ok("show", "5", "--format", "json").stdout)["history"]
    assert [(v["content"]["amount"], v["content"]["balance_after"]) for v in history] == [
        ("500.00", "810.00"), ("600.00", "910.00")]  # links written in whole dollars, read as such
    assert verify_problems(ledger_path) == []
    over = topup("check", "悠遊卡", "2000.01")
    assert over.exit_code == 1 and "2000.00" in over.stdout + over.stderr
    assert log_json(topup_ok, "悠遊卡", "99.90")["amount"] == "99.90"
    assert verify_problems(ledger_path) == []


@pytest.mark.parametrize(("statement", "named"), [
    ("UPDATE topup SET amount_minor = 300 WHERE id = 4", "amount"),
    # every amount of a record, or every limit of a card, back in whole dollars, as before the upgrade
    ("UPDATE topup SET amount_minor = amount_minor / 100, paid_minor = paid_minor / 100, "
     "balance_after_minor = balance_after_minor / 100 WHERE currency = 'TWD'", "amount"),
    ("UPDATE topup SET balance_after_minor = 91001 WHERE id = 5", "balance_after"),
    ("UPDATE card SET max_topup_minor = max_topup_minor / 100, max_balance_minor = max_balance_minor / 100 "
     "WHERE currency = 'TWD'", "max_topup"),
])
def test_an_upgraded_twd_amount_changed_afterwards_is_caught(ledger_path, topup_ok, statement, named):
    _schema_5_ledger(ledger_path)
    topup_ok("card", "add", "later", "--kind", "smart")
    sql(ledger_path, statement)
    problems = run_process("verify", "--format", "json")
    assert problems.returncode == 3 and named in problems.stdout


def test_a_copy_without_marks_of_the_newest_schema_is_not_upgraded_twice(ledger_path, topup_ok):
    _schema_5_ledger(ledger_path)
    topup_ok("card", "add", "later", "--kind", "smart")
    sql(ledger_path, "PRAGMA application_id = 0")
    sql(ledger_path, "PRAGMA user_version = 0")
    assert f"schema {migrations.LATEST}" in run_process("search").stderr
    topup_ok("doctor", "--repair")
    assert sql_value(ledger_path, "PRAGMA user_version") == migrations.LATEST
    assert _twd(topup_ok) == WAS


def test_an_older_program_cannot_add_whole_dollar_links_once_the_ledger_is_upgraded(ledger_path, topup_ok):
    _schema_5_ledger(ledger_path)
    topup_ok("card", "add", "later", "--kind", "smart")
    old_link = sql_value(ledger_path, "SELECT content FROM topup_version WHERE topup_id = 4 ORDER BY version DESC")
    assert old_link.startswith('{"_scheme":2,')
    for table, subject in (("topup_version", "topup_id"), ("ledger_link", "card_id")):
        with pytest.raises(sqlite3.IntegrityError, match="older topup-ledger"):
            sql(ledger_path, f"INSERT INTO {table} ({subject}, seq, version, action, recorded_at_utc, content, "
                             "prev_digest, digest) VALUES (4, 999, 9, 'log', '2026-01-01T00:00:00Z', ?, 'x', 'y')",
                (old_link,))
    assert verify_problems(ledger_path) == []


def test_a_copy_without_marks_from_a_newer_version_is_not_taken_for_this_one(ledger_path, topup, topup_ok):
    topup_ok("card", "add", "c", "--kind", "smart")
    sql(ledger_path, "INSERT INTO schema_step (version, name) VALUES (?, 'a step that changes only data')",
        (migrations.LATEST + 1,))
    sql(ledger_path, "PRAGMA application_id = 0")
    sql(ledger_path, "PRAGMA user_version = 0")
    assert f"schema {migrations.LATEST + 1}" in topup("search").stderr
    repaired = topup("doctor", "--repair")  # the marks go back as they were: the newer version's own
    assert repaired.exit_code == 1 and "newer topup-ledger" in repaired.stderr
    assert sql_value(ledger_path, "PRAGMA user_version") == migrations.LATEST + 1
    refused = topup("search")
    assert refused.exit_code == 1 and "newer topup-ledger" in refused.stderr
