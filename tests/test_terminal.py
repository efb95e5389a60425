"""What a terminal is sent: control characters from a file, an argument or the ledger are shown as
escapes, never obeyed; JSON and CSV for programs keep the exact data."""

import json

from tests.conftest import run_process, tamper

# Retitles the window, rings the bell, turns the text red, clears the screen (C1 CSI), reverses the line.
ATTACK = "\x1b]0;owned\x07\x1b[31m\x9b2J\u202e"
SHOWN = "\\u001b]0;owned\\u0007\\u001b[31m\\u009b2J\\u202e"


def _raw_controls(text: str) -> list[str]:
    return [ch for ch in text if ch in "\x1b\x07\x9b\u202e"]


def test_a_card_label_argument_is_shown_escaped_in_the_error_and_its_suggested_command(topup_ok):
    topup_ok("card", "add", "八达通", "--kind", "smart", "--region", "HK")
    refused = run_process("log", f"八达通{ATTACK}", "100")
    assert refused.returncode == 1 and refused.stderr.startswith("error: there is no card")
    assert not _raw_controls(refused.stderr) and f"topup card add '八达通{SHOWN}'" in refused.stderr


def test_a_column_name_from_an_imported_csv_is_shown_escaped(topup_ok, tmp_path):
    topup_ok("card", "add", "card", "--kind", "smart", "--region", "HK")
    bill = tmp_path / "bill.csv"
    bill.write_text(f"amount,when{ATTACK},note\n5,2025-03-14,hi\n", encoding="utf-8")
    refused = run_process("import", str(bill), "--card", "card", "--map", "备注=note", "--dry-run")
    assert refused.returncode == 1 and refused.stderr.startswith("error: ")
    assert not _raw_controls(refused.stderr) and f"when{SHOWN}" in refused.stderr


def test_a_message_with_escape_sequences_is_logged_and_nothing_of_them_is_echoed(topup_ok):
    topup_ok("card", "add", "sim", "--kind", "sim", "--region", "HK")
    logged = run_process("log", "sim", "--sms", f"Top-up HK$100.00 done{ATTACK}. Ref R20250314.")
    refused = run_process("log", "sim", "--sms", f"Top-up NT$100{ATTACK} done")
    assert logged.returncode == 0 and refused.returncode == 1
    assert not _raw_controls(logged.stdout + logged.stderr + refused.stderr)


def test_table_cells_and_fields_show_what_an_edit_behind_the_programs_back_put_in_escaped(topup_ok, ledger_path):
    """Text with control characters is refused on the way in; one edited into the file is still shown safely."""
    topup_ok("card", "add", "八达通", "--kind", "smart", "--region", "HK")
    topup_ok("log", "八达通", "100", "--note", "收据 🧾 ＦＵＬＬ")
    tamper(ledger_path, f"UPDATE topup SET merchant = '7-Eleven{ATTACK}'")
    table = run_process("search", "--format", "table", env={"COLUMNS": "200"})
    fields = run_process("show", "1")
    for shown in (table, fields):
        assert shown.returncode == 0 and not _raw_controls(shown.stdout + shown.stderr), shown.stderr
        assert f"7-Eleven{SHOWN}" in shown.stdout and "收据 🧾 ＦＵＬＬ" in shown.stdout
    data = run_process("search", "--format", "json")
    assert json.loads(data.stdout)[0]["merchant"] == f"7-Eleven{ATTACK}"
