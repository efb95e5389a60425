import json

from tests.conftest import run_process, table_dump


def test_void_keeps_the_record_marks_it_and_keeps_it_out_of_totals(topup_ok, topup, hk_card):
    topup_ok("log", hk_card, "100", "--at", "2026-10-01")
    topup_ok("log", hk_card, "40", "--at", "2026-10-02")
    topup_ok("void", "2", "--reason", "logged twice")
    shown = json.loads(topup_ok("show", "2", "--format", "json").stdout)
    assert shown["status"] == "void" and shown["amount"] == "40.00"
    assert [(v["action"], v["reason"]) for v in shown["history"]] == [("log", None), ("void", "logged twice")]
    totals = json.loads(topup_ok("report", "--by", "card", "--format", "json").stdout)
    assert [(r["count"], r["total"]) for r in totals] == [(1, "100.00")]
    again = topup("void", "2", "--reason", "again")
    assert again.exit_code == 1 and "already void" in again.stderr


def test_amend_is_a_new_version_and_show_lists_every_version(topup_ok, hk_card):
    topup_ok("log", hk_card, "100", "--ref", "R1", "--outcome", "pending")
    topup_ok("amend", "1", "--amount", "120", "--reason", "receipt says 120")
    topup_ok("amend", "1", "--outcome", "credited", "--note", "arrived next day", "--reason", "credited at last")
    shown = json.loads(topup_ok("show", "1", "--format", "json").stdout)
    assert (shown["amount"], shown["outcome"], shown["status"]) == ("120.00", "credited", "amended")
    history = shown["history"]
    assert [v["version"] for v in history] == [1, 2, 3]
    assert [v["content"]["amount"] for v in history] == ["100.00", "120.00", "120.00"]
    assert [v["content"]["outcome"] for v in history] == ["pending", "pending", "credited"]
    assert history[2]["reason"] == "credited at last"
    text = topup_ok("show", "1").stdout
    assert "v1 log" in text and "v2 amend" in text and "reason: receipt says 120" in text


def test_refused_corrections_change_nothing(topup_ok, topup, hk_card, ledger_path):
    topup_ok("log", hk_card, "100", "--ref", "R1")
    topup_ok("log", hk_card, "100", "--ref", "R2")
    before = table_dump(ledger_path)
    cases = [
        ("amend", "1", "--amount", "0", "--reason", "x"),
        ("amend", "1", "--amount", "5000", "--reason", "over the limit"),
        ("amend", "1", "--ref", "r2", "--reason", "clash"),
        ("amend", "1", "--reason", "nothing"),
        ("amend", "1", "--amount", "120", "--reason", "  "),
        ("amend", "9", "--amount", "1", "--reason", "missing"),
        ("void", "9", "--reason", "missing"),
        ("void", "1", "--reason", ""),
        ("amend", "1", "--outcome", "lost", "--reason", "x"),
    ]
    for args in cases:
        result = topup(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("error: "), args
    assert topup("amend", "1", "--amount", "5").exit_code == 2  # --reason is required
    assert table_dump(ledger_path) == before


def test_a_void_record_cannot_be_amended(topup_ok, topup, hk_card):
    topup_ok("log", hk_card, "100")
    topup_ok("void", "1", "--reason", "mistake")
    result = topup("amend", "1", "--amount", "5", "--reason", "x")
    assert result.exit_code == 1 and "void" in result.stderr


def test_an_amendment_is_held_only_to_the_rules_of_what_it_changes(topup_ok, topup, ledger_path):
    topup_ok("card", "add", "Octopus", "--kind", "smart", "--region", "HK", "--max-topup", "500",
             "--max-balance", "1000")
    topup_ok("log", "Octopus", "100", "--ref", "R1")
    topup_ok("log", "Octopus", "100", "--ref", "R1", "--force")  # the same slip, really twice
    topup_ok("log", "Octopus", "800", "--ref", "R2", "--balance-after", "1200", "--force")  # over both limits
    for record, change in (("2", ["--amount", "120"]), ("2", ["--note", "second slip"]),
                           ("3", ["--note", "limit raised that day"]), ("3", ["--channel", "kiosk"])):
        result = run_process("--db", str(ledger_path), "amend", record, *change, "--reason", "correcting")
        assert result.returncode == 0, (record, change, result.stderr)
    before = table_dump(ledger_path)
    for record, change, words in (("1", ["--ref", "R2"], "already has reference 'R2'"),
                                  ("3", ["--amount", "900"], "over the single top-up limit"),
                                  ("3", ["--balance-after", "1100"], "over the balance cap"),
                                  ("1", ["--amount", "501"], "over the single top-up limit")):
        result = run_process("--db", str(ledger_path), "amend", record, *change, "--reason", "correcting")
        assert result.returncode == 1 and words in result.stderr, (record, change, result.stderr)
    assert table_dump(ledger_path) == before
