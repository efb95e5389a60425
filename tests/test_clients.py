"""The clients people read the ledger with: the shell, programs reading CSV or JSON lines."""

import csv
import io
import json
from importlib.metadata import version

import pytest

from tests.conftest import run_process

AWKWARD = {"ref": "0012345678901234567890", "note": '=HYPERLINK("http://example.com")'}


@pytest.fixture
def awkward_record(topup_ok):
    topup_ok("card", "add", "手机", "--kind", "sim", "--region", "CN", "--number", "13912345678")
    topup_ok("log", "手机", "100", "--ref", AWKWARD["ref"], "--note", AWKWARD["note"], "--at", "2025-03-14 18:42")


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_the_version_comes_from_the_installed_package(flag):
    done = run_process(flag)
    assert done.returncode == 0 and done.stdout == f"topup {version('topup-ledger')}\n"


@pytest.mark.parametrize("command", [[], ["card"], ["search"], ["card", "add"]])
def test_h_is_help(command):
    short, long = run_process(*command, "-h"), run_process(*command, "--help")
    assert short.returncode == long.returncode == 0 and short.stdout == long.stdout and "Usage: topup" in short.stdout


def test_csv_for_programs_holds_the_values_exactly_and_the_default_keeps_its_guard(topup_ok, awkward_record):
    plain = list(csv.DictReader(io.StringIO(topup_ok("export", "--no-guard", "--no-bom").stdout)))
    assert (plain[0]["ref"], plain[0]["note"]) == (AWKWARD["ref"], AWKWARD["note"])
    guarded = list(csv.DictReader(io.StringIO(topup_ok("export").stdout.lstrip("\ufeff"))))
    assert (guarded[0]["ref"], guarded[0]["note"]) == ("'" + AWKWARD["ref"], "'" + AWKWARD["note"])


def test_json_lines_hold_one_record_a_line_and_import_back(topup_ok, awkward_record, tmp_path):
    lines = topup_ok("export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == json.loads(topup_ok("export", "--format", "json").stdout)
    path = tmp_path / "all.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "would add 0 record(s), 1 already in the ledger" in topup_ok("import", str(path), "--dry-run").stderr
    copied = run_process("--db", str(tmp_path / "other.db"), "import", str(path))
    assert copied.returncode == 0 and "added 1 record(s)" in copied.stderr
    broken = tmp_path / "broken.jsonl"
    broken.write_text(lines[0] + "\n{not json\n", encoding="utf-8")
    refused = run_process("import", str(broken))
    assert refused.returncode == 1 and "(line 2:" in refused.stderr


def _cells(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@pytest.fixture
def narrow_ledger(topup_ok):
    """Cards with long Chinese labels and records with 22-digit references, in two currencies."""
    topup_ok("card", "add", "八达通主卡", "--kind", "smart", "--currency", "HKD", "--max-topup", "1000",
             "--max-balance", "3000", "--issuer", "八达通卡有限公司")
    topup_ok("card", "add", "校园一卡通", "--kind", "smart", "--currency", "CNY", "--validity-days", "365")
    topup_ok("card", "add", "work-phone", "--kind", "sim", "--region", "HK", "--number", "91234567")
    for card, amount, ref, merchant in [("八达通主卡", "500", "4200001234202503141842", "7-Eleven 旺角"),
                                        ("校园一卡通", "100", "4200001234202503141843", "饭堂"),
                                        ("work-phone", "98", "CMHK-998877", "")]:
        topup_ok("log", card, amount, "--ref", ref, "--channel", "wechat", "--merchant", merchant,
                 "--note", "paid at the counter near home, with a receipt kept in the drawer",
                 "--at", "2025-03-14 18:42")


@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize("command", [["search"], ["card", "list"]])
def test_a_table_fits_the_terminal_and_never_cuts_a_label_or_a_reference(topup_ok, narrow_ledger, width, command):
    every = json.loads(topup_ok(*command, "--format", "json").stdout)
    done = run_process(*command, "--format", "table", env={"COLUMNS": str(width)})
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and max(map(_cells, lines)) <= width
    assert done.stderr.count("left out to fit") == 1 and "--format json" in done.stderr
    assert len(lines) == 1 + len(every)
    for line, record in zip(lines[1:], every, strict=True):  # the cells, each whole and in its own words
        cells = line.split()
        assert record.get("card", record.get("label")) in cells
        if "ref" in record:
            assert record["ref"] in cells and record["amount"] in cells


def test_below_a_readable_width_each_record_is_a_block_of_field_value_lines(topup_ok, narrow_ledger):
    lines = run_process("search", "--format", "table", env={"COLUMNS": "36"}).stdout.splitlines()
    assert max(map(_cells, lines)) <= 36
    assert [line.split()[1] for line in lines if line.startswith("ref ")] == [
        "CMHK-998877", "4200001234202503141843", "4200001234202503141842"]
    assert sum(line.startswith("card ") for line in lines) == 3
    notes = " ".join(" ".join(lines).split()).count("paid at the counter near home, with a receipt kept in the drawer")
    assert notes == 3  # long text wraps at its spaces, every word whole


def test_a_search_that_matched_a_merchant_shows_the_merchant(topup_ok, narrow_ledger):
    lines = run_process("search", "旺角", "--format", "table", env={"COLUMNS": "80"}).stdout.splitlines()
    assert lines[0].split()[-1] == "merchant" and lines[1].endswith("7-Eleven 旺角")
    plain = run_process("search", "--format", "table", env={"COLUMNS": "80"}).stdout.splitlines()
    assert "merchant" not in plain[0]
    assert "7-Eleven 旺角" in run_process("search", "旺角", "--format", "table", env={"COLUMNS": "60"}).stdout


def test_show_wraps_its_history_at_word_boundaries(topup_ok, narrow_ledger):
    reason = "the clerk said the first receipt was misprinted and gave another one"
    topup_ok("amend", "1", "--amount", "400", "--reason", reason)
    lines = run_process("show", "1", env={"COLUMNS": "60"}).stdout.splitlines()
    assert max(map(_cells, lines)) <= 60
    history = " ".join(" ".join(lines[lines.index("history") + 1:]).split())
    assert f"reason: {reason}" in history
    assert "paid at the counter near home, with a receipt kept in the drawer" in " ".join(" ".join(lines).split())


def _complete(shell: str, words: str, ledger: str) -> str:
    """What the program answers a shell's completion script asking for `words`, as each script asks."""
    env = {"_TOPUP_COMPLETE": f"complete_{shell}", "TOPUP_DB": ledger}
    if shell == "bash":
        env |= {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": words, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    done = run_process(env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def completing(topup_ok, ledger_path):
    topup_ok("card", "add", "八达通", "--kind", "smart", "--currency", "HKD")
    topup_ok("card", "add", "work-sim", "--kind", "sim", "--region", "HK")
    topup_ok("card", "add", "old-sim", "--kind", "sim", "--region", "HK")
    topup_ok("card", "retire", "old-sim")
    for amount in ("100", "200"):
        topup_ok("log", "八达通", amount)
    topup_ok("log", "work-sim", "50")
    return str(ledger_path)


def test_bash_completes_card_labels_record_ids_and_channels_through_its_own_script(completing, tmp_path):
    import os
    import subprocess
    import sys

    script = run_process(env={"_TOPUP_COMPLETE": "source_bash"}).stdout  # what --install-completion writes
    assert "complete -o default -F _topup_completion topup" in script
    (tmp_path / "topup").write_text(f"#!/bin/sh\nexec {sys.executable} -m ledger \"$@\"\n")
    (tmp_path / "topup").chmod(0o755)

    def tab(*words: str) -> list[str]:
        line = " ".join(f'"{word}"' for word in words)
        shell = f'{script}\nCOMP_WORDS=(topup {line}); COMP_CWORD={len(words)}; _topup_completion topup; ' \
                'printf "%s\\n" "${COMPREPLY[@]}"'
        env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "TOPUP_DB": completing}
        return subprocess.run(["bash", "-c", shell], capture_output=True, text=True, env=env).stdout.split("\n")[:-1]

    assert tab("log", "") == ["work-sim", "八达通", "old-sim"]  # cards in use first
    assert tab("card", "show", "w") == ["work-sim"] and tab("check", "八") == ["八达通"]
    assert tab("show", "") == ["3", "2", "1"] and tab("void", "2") == ["2"]
    assert tab("search", "--card", "wo") == ["work-sim"]
    assert "wechat" in tab("log", "八达通", "10", "--channel", "w") and tab("search", "--channel", "微") == ["微信", "微信支付",
                                                                                                   "微信支付香港", "微信支付HK"]
    assert tab("export", "--dispute", "1") == ["1"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_get_the_card_and_amount_beside_each_record_id(completing, shell):
    answer = _complete(shell, "topup show ", completing)
    hints = ['"3":"work-sim 50.00 HKD"', '"2":"八达通 200.00 HKD"'] if shell == "zsh" else \
        ["3\twork-sim 50.00 HKD", "2\t八达通 200.00 HKD"]
    assert all(hint in answer for hint in hints) and answer.index(hints[0]) < answer.index(hints[1])
    assert "old-sim" in _complete(shell, "topup card retire o", completing)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_tab_after_a_command_name_offers_what_the_whole_app_offers(completing, shell):
    """Under Tab the program builds only the command already typed; with `--db` first it builds them
    all. Both must offer the same."""
    lines = ["log ", "log 八", "log 八达通 10 --channel w", "log 八达通 10 --", "show ", "card ", "card sh",
             "card show ", "search --card ", "export --dispute ", "se", "", "lo x", "log 'open"]
    for line in lines:
        alone = _complete(shell, f"topup {line}", completing)
        whole = _complete(shell, f"topup --db {completing} {line}", completing)
        assert alone == whole, line
    assert "work-sim" in _complete(shell, "topup log ", completing)


def test_completion_never_touches_or_refuses_a_ledger(tmp_path, completing, ledger_path):
    from tests.conftest import table_dump

    before = table_dump(ledger_path)
    assert _complete("bash", "topup show ", str(tmp_path / "missing.db")).split() == []
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert _complete("bash", "topup log ", str(folder)).split() == []
    assert _complete("bash", "topup show ", completing).split() == ["3", "2", "1"]
    assert _complete("bash", "topup show ²", completing).split() == []  # a digit, but no id begins with it
    assert table_dump(ledger_path) == before and not (tmp_path / "missing.db").exists()


def test_a_workbook_holds_numbers_as_numbers_text_as_text_and_times_as_times(topup_ok, awkward_record, tmp_path):
    import zipfile
    from datetime import date, datetime

    from openpyxl import load_workbook

    receipt = tmp_path / "收据.txt"
    receipt.write_text("收据", encoding="utf-8")
    topup_ok("card", "add", "Suica", "--kind", "smart", "--currency", "JPY")
    topup_ok("log", "Suica", "3000", "--at", "2025-04-01 09:30", "--valid-until", "2035-03-31", "--receipt",
             str(receipt), "--note", "第二行\n换行")
    path = tmp_path / "all.xlsx"
    assert "exported 2 records" in topup_ok("export", "--format", "xlsx", "--output", str(path)).stderr
    book = load_workbook(path)
    assert book.sheetnames == ["records", "receipts"]
    rows = list(book["records"].iter_rows())
    header = [cell.value for cell in rows[0]]
    phone, suica = ({name: cell for name, cell in zip(header, row, strict=True)} for row in rows[1:])
    assert (phone["amount"].value, phone["amount"].number_format) == (100, "0.00")
    assert (suica["amount"].value, suica["amount"].number_format) == (3000, "0")
    assert (phone["ref"].value, phone["ref"].data_type) == (AWKWARD["ref"], "s")
    assert (phone["note"].value, phone["note"].data_type) == (AWKWARD["note"], "s")
    assert suica["occurred_at"].value == datetime(2025, 4, 1, 9, 30) and suica["occurred_at_offset"].value == "+08:00"
    assert suica["valid_until"].value == datetime.combine(date(2035, 3, 31), datetime.min.time())
    assert suica["note"].value == "第二行\n换行" and suica["receipts"].value == 1
    receipts = [[cell.value for cell in row] for row in book["receipts"].iter_rows()]
    assert receipts[0] == ["record", "name", "sha256", "size"] and receipts[1][:2] == [2, "收据.txt"]
    with zipfile.ZipFile(path) as parts:  # nothing a spreadsheet would run
        assert "<f>" not in parts.read("xl/worksheets/sheet1.xml").decode()
    stdout = run_process("export", "--format", "xlsx")
    assert stdout.returncode == 1 and "--output FILE.xlsx" in stdout.stderr


def test_the_dispute_pack_carries_the_workbook(topup_ok, awkward_record, tmp_path):
    import io
    import zipfile

    from openpyxl import load_workbook

    pack = tmp_path / "pack.zip"
    topup_ok("export", "--dispute", "1", "--output", str(pack))
    with zipfile.ZipFile(pack) as opened:
        book = load_workbook(io.BytesIO(opened.read("records.xlsx")))
    assert [cell.value for cell in next(book["records"].iter_rows())][:4] == ["id", "card", "card_kind", "amount"]
    assert book["records"]["J2"].value == AWKWARD["ref"]


def test_what_a_narrow_table_keeps_and_how_long_words_are_shown(topup_ok, narrow_ledger, tmp_path):
    topup_ok("void", "3", "--reason", "logged twice")
    voided = run_process("search", "--with-void", "--format", "table", env={"COLUMNS": "80"})
    assert "void" in voided.stdout and "status" not in voided.stderr  # a void record never looks standing
    note = run_process("card", "list", "--format", "table", env={"COLUMNS": "40"}).stderr
    assert note and max(map(_cells, note.splitlines())) <= 40
    long_ref = "TW-2025-" + "0" * 30 + "123456789"
    topup_ok("amend", "1", "--ref", long_ref, "--reason", "the whole reference")
    receipt = tmp_path / "rc.png"
    receipt.write_bytes(b"\x89PNG\r\n\x1a\n")
    topup_ok("receipt", "add", "1", str(receipt))
    shown = run_process("show", "1", env={"COLUMNS": "60"}).stdout.splitlines()
    assert f"    {long_ref}" in shown  # below its key, whole
    assert max(map(_cells, shown)) <= 60


def test_csv_for_programs_has_no_byte_order_mark(topup_ok, awkward_record):
    assert not topup_ok("export", "--no-guard").stdout.startswith("\ufeff")
    assert topup_ok("export").stdout.startswith("\ufeff")


def test_the_dispute_pack_is_checked_by_sha256sum_alone(topup_ok, awkward_record, tmp_path):
    import subprocess
    import zipfile

    receipt = tmp_path / "收据 photo.png"
    receipt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"receipt" * 10)
    topup_ok("receipt", "add", "1", str(receipt))
    pack, unpacked = tmp_path / "pack.zip", tmp_path / "unpacked"
    topup_ok("export", "--dispute", "1", "--output", str(pack))
    with zipfile.ZipFile(pack) as opened:
        opened.extractall(unpacked)
        listed = {line.split("  ", 1)[1] for line in opened.read("SHA256SUMS").decode().splitlines()}
        assert listed == set(opened.namelist()) - {"SHA256SUMS"}  # every other file in the pack
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    kept = next(unpacked.glob("receipts/record-1/*"))
    kept.write_bytes(kept.read_bytes()[:-1] + b"!")  # one byte of a receipt changed
    changed = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert changed.returncode == 1 and "FAILED" in changed.stdout
