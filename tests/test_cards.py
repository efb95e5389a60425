import json

from tests.conftest import make_ledger, table_dump


def test_a_card_is_added_shown_masked_and_revealed(topup_ok):
    added = topup_ok("card", "add", "Work SIM", "--kind", "sim", "--region", "HK", "--number", "9123 4567",
                     "--issuer", "SampleTel", "--validity-days", "180", "--format", "json")
    card = json.loads(added.stdout)
    assert card["number"] == "****4567" and card["currency"] == "HKD" and card["validity_days"] == 180
    shown = json.loads(topup_ok("card", "show", "work sim", "--format", "json").stdout)
    assert shown["number"] == "****4567" and shown["records"] == 0
    revealed = json.loads(topup_ok("card", "show", "WORK SIM", "--reveal", "--format", "json").stdout)
    assert revealed["number"] == "+85291234567"
    listed = topup_ok("card", "list", "--format", "json").stdout
    assert "91234567" not in listed and json.loads(listed)[0]["label"] == "Work SIM"


def test_currency_comes_from_the_option_then_the_region_then_cny(topup_ok):
    topup_ok("card", "add", "a", "--kind", "smart", "--currency", "usd")
    topup_ok("card", "add", "b", "--kind", "smart", "--region", "tw")
    topup_ok("card", "add", "c", "--kind", "smart")
    cards = {c["label"]: c["currency"] for c in json.loads(topup_ok("card", "list", "--format", "json").stdout)}
    assert cards == {"a": "USD", "b": "TWD", "c": "CNY"}


def test_labels_are_unique_whatever_their_case_or_width(topup_ok, topup, ledger_path):
    topup_ok("card", "add", "Octopus", "--kind", "smart")
    before = table_dump(ledger_path)
    for label in ("octopus", "ＯＣＴＯＰＵＳ"):
        result = topup("card", "add", label, "--kind", "smart")
        assert result.exit_code == 1 and "already a card 'Octopus'" in result.stderr
    assert table_dump(ledger_path) == before


def test_a_bad_card_is_refused_and_nothing_is_written(topup, ledger_path, topup_ok):
    make_ledger(ledger_path)
    before = table_dump(ledger_path)
    cases = [
        ("sim", "--number", "12345", "--region", "HK"),
        ("sim", "--number", "91234567"),
        ("smart", "--number", "x"),
        ("smart", "--currency", "XYZ"),
        ("smart", "--max-topup", "-5"),
        ("smart", "--region", "Hong Kong"),
        ("sim", "--number", "2123 4567", "--region", "HK"),  # a landline
    ]
    for kind, *options in cases:
        result = topup("card", "add", "bad", "--kind", kind, *options)
        assert result.exit_code == 1, options
        assert result.stderr.startswith("error: "), options
    assert topup("card", "add", "bad", "--kind", "bus").exit_code == 2
    assert table_dump(ledger_path) == before


def test_a_second_card_with_the_same_number_is_kept_with_a_warning_naming_the_first(topup_ok):
    topup_ok("card", "add", "Work SIM", "--kind", "sim", "--region", "HK", "--number", "9123 4567")
    topup_ok("card", "add", "Octopus", "--kind", "smart", "--number", "1234 5678(3)")
    again = topup_ok("card", "add", "my sim", "--kind", "sim", "--number", "+852 9123-4567", "--format", "json")
    assert "warning: card 'Work SIM' has the same number (ending 4567)" in again.stderr
    assert "topup card retire 'my sim'" in again.stderr
    assert json.loads(again.stdout)["label"] == "my sim"
    assert "warning" not in topup_ok("card", "add", "other", "--kind", "sim", "--number", "+852 9123 4568").stderr
    edited = topup_ok("card", "edit", "other", "--kind", "smart", "--number", "12345678-3")
    assert "warning: card 'Octopus' has the same number (ending 6783)" in edited.stderr
    assert "warning" not in topup_ok("card", "edit", "other", "--max-topup", "100").stderr
    assert len(json.loads(topup_ok("card", "list", "--format", "json").stdout)) == 4
    topup_ok("card", "retire", "Work SIM")
    topup_ok("card", "retire", "my sim")
    assert "warning" not in topup_ok("card", "add", "new sim", "--kind", "sim", "--number", "+852 9123 4567").stderr


def test_a_card_is_edited_and_retired(topup_ok, topup):
    topup_ok("card", "add", "campus", "--kind", "smart", "--max-topup", "500")
    edited = json.loads(topup_ok("card", "edit", "campus", "--label", "Campus Card", "--max-topup", "",
                                 "--number", "A1234567", "--format", "json").stdout)
    assert edited["label"] == "Campus Card" and edited["max_topup"] is None and edited["number"] == "****4567"
    topup_ok("card", "retire", "campus card")
    assert json.loads(topup_ok("card", "show", "campus card", "--format", "json").stdout)["retired"] is True
    refused = topup("log", "campus card", "10")
    assert refused.exit_code == 1 and "retired" in refused.stderr
    topup_ok("log", "campus card", "10", "--force")


def test_a_cards_currency_cannot_change_once_it_has_records(topup_ok, topup):
    topup_ok("card", "add", "campus", "--kind", "smart")
    topup_ok("log", "campus", "10")
    result = topup("card", "edit", "campus", "--currency", "HKD")
    assert result.exit_code == 1 and "cannot change" in result.stderr


def test_a_label_is_found_however_its_accent_was_typed(topup_ok):
    topup_ok("card", "add", "Café", "--kind", "smart", "--currency", "EUR")
    for typed in ("Cafe\u0301", "CAFÉ", "cafe\u0301"):
        assert json.loads(topup_ok("log", typed, "5", "--format", "json").stdout)["card"] == "Café"


def test_a_label_pasted_with_a_zero_width_space_or_spaces_at_its_ends_is_found(topup_ok, ledger_path):
    from tests.conftest import run_process

    topup_ok("card", "add", "八达通", "--kind", "smart", "--region", "HK")
    for typed in ("八达通\u200b", "\u200b八达通", "八达通 ", " 八达通", "\ufeff八达通\u2060"):
        logged = run_process("log", typed, "5", "--format", "json")  # as a shell passes it to the real program
        assert logged.returncode == 0 and json.loads(logged.stdout)["card"] == "八达通", (typed, logged.stderr)
    assert run_process("card", "add", "八达通\u200b ", "--kind", "smart").returncode == 1  # the same card
