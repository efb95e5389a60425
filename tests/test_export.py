import csv
import io
import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.fields import FIELD_NAMES as RECORD_FIELDS
from ledger.domain.spreadsheet import guard, unguard
from tests.conftest import log_json

PAYLOADS = ["=1+2", '=HYPERLINK("http://example.invalid","x")', "@SUM(A1)", "-2+3", "+1", "＝1+2",
            "＠SUM(A1)", "'quoted", 'say "hi", then\nleave']


@pytest.fixture
def exported(topup_ok, hk_card):
    records = [log_json(topup_ok, hk_card, "100", "--note", note, "--at", f"2026-10-{i + 1:02d} 10:00")
               for i, note in enumerate(PAYLOADS)]
    records.append(log_json(topup_ok, hk_card, "1,000", "--ref", "202503142210998877", "--merchant", "0123"))
    return records


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_csv_has_the_bom_the_header_and_every_record(topup_ok, exported):
    out = topup_ok("export").stdout
    rows = read_csv(out)
    assert out[1:].splitlines()[0] == ",".join(RECORD_FIELDS)
    assert [int(r["id"]) for r in rows] == [r["id"] for r in exported]  # oldest first


def test_csv_read_back_equals_the_records_and_no_cell_is_a_formula(topup_ok, exported):
    rows = read_csv(topup_ok("export").stdout)
    for row, record in zip(rows, exported, strict=True):
        for key in RECORD_FIELDS:
            cell = row[key]
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")), (key, cell)
            expected = record[key]
            if key == "receipts":
                assert cell == str(len(expected))
            elif key == "amount":
                assert cell == expected and float(cell) > 0  # a plain number, read as one
            else:
                assert unguard(cell) == ("" if expected is None else str(expected)), key


def test_a_long_reference_stays_text(topup_ok, exported):
    row = read_csv(topup_ok("export").stdout)[-1]
    assert row["ref"] == "'202503142210998877" and row["merchant"] == "'0123"


def test_no_bom_and_json(topup_ok, exported):
    assert topup_ok("export", "--no-bom").stdout.startswith("id,card,")
    data = json.loads(topup_ok("export", "--format", "json").stdout)
    assert [r["note"] for r in data[: len(PAYLOADS)]] == PAYLOADS


def test_export_takes_the_search_filters_and_writes_a_file(topup_ok, exported, tmp_path):
    target = tmp_path / "out.csv"
    result = topup_ok("export", "--since", "2026-10-02", "--until", "2026-10-03", "--output", str(target))
    assert result.stdout == "" and "exported 2 records" in result.stderr
    assert len(read_csv(target.read_text(encoding="utf-8"))) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".topup-export")]


def test_export_to_a_missing_folder_is_refused(topup, exported, tmp_path):
    result = topup("export", "--output", str(tmp_path / "no" / "such" / "out.csv"))
    assert result.exit_code == 1 and "does not exist" in result.stderr


@pytest.mark.parametrize("command", ["export", "export --format json", "search --format json", "search --format csv",
                                     "show 1", "report --format json", "card list --format json"])
@pytest.mark.parametrize("reader", ["head -c 100", "head -1", "true"])
def test_a_closed_pipe_ends_quietly_with_exit_0(topup_ok, exported, ledger_path, command, reader):
    for _ in range(30):  # more than a pipe holds, so the writer is still writing when the reader leaves
        log_json(topup_ok, "Octopus", "1", "--note", "x" * 3000)
    pipeline = subprocess.run(["bash", "-c", f"{sys.executable} -m ledger {command} | {reader} > /dev/null; "
                               "echo ${PIPESTATUS[0]} >&2"], capture_output=True, text=True)
    assert pipeline.stderr == "0\n", pipeline.stderr


def test_guard_neutralises_every_formula_start():
    for text in ("=1", "+1", "-1", "@A", "\t=1", "\r=1", "＝1", "＋1", "－1", "＠A", "'x", "123", "0123"):
        assert guard(text) == "'" + text
    for text in ("WX4200", "7-Eleven", "在深圳", "", "1e5x"):
        assert guard(text) == text


@given(st.text())
def test_guarding_is_undone_exactly(text):
    assert unguard(guard(text)) == text
    assert not guard(text).startswith(("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"))
