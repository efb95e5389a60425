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
