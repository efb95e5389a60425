"""Several processes writing one ledger at once: every record once, no 'database is locked'."""

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_process, sql_value

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.serial  # many processes at once: best run alone


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.workers", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("writers", [2, 4])
def test_processes_logging_at_once_each_record_lands_once(topup_ok, ledger_path, writers):
    topup_ok("card", "add", "shop", "--kind", "smart")
    each = 200
    workers = [start("log", "shop", str(each), f"w{n}") for n in range(writers)]
    for worker in workers:
        _, errors = worker.communicate(timeout=600)
        assert worker.returncode == 0, errors
        assert "locked" not in errors
    conn = sqlite3.connect(ledger_path)
    refs = [row[0] for row in conn.execute("SELECT ref FROM topup")]
    assert len(refs) == writers * each and len(set(refs)) == len(refs)
    assert conn.execute("SELECT count(*) FROM topup_version").fetchone()[0] == writers * each
    conn.close()
    assert run_process("verify").returncode == 0
    print(f"concurrent writes: {writers} processes x {each} top-ups, all {writers * each} present once, verify ok")


def test_processes_opening_a_new_ledger_at_once_create_it_once(tmp_path):
    path = tmp_path / "fresh.db"
    workers = [subprocess.Popen([sys.executable, "-m", "ledger", "--db", str(path), "card", "add", f"c{n}",
                                 "--kind", "smart"], stderr=subprocess.PIPE, text=True) for n in range(4)]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors
    assert sql_value(path, "SELECT count(*) FROM card") == 4


def test_refused_first_commands_among_others_take_back_only_what_they_made(tmp_path):
    """Commands that would start the ledger, half of them refused, at once: each card added is there,
    and the refused ones, which may each have made the ledger first, leave nothing of their own."""
    path = tmp_path / "new" / "fresh.db"
    for _ in range(3):
        commands = [["card", "add", f"c{n}", "--kind", "smart"] if n % 2 else ["log", "nosuch", "10"]
                    for n in range(6)]
        workers = [subprocess.Popen([sys.executable, "-m", "ledger", "--db", str(path), *args],
                                    stderr=subprocess.PIPE, text=True) for args in commands]
        ended = [(worker.communicate(timeout=120)[1], worker.returncode) for worker in workers]
        for (errors, code), args in zip(ended, commands, strict=True):
            assert code == (0 if args[0] == "card" else 1), errors
        assert sql_value(path, "SELECT count(*) FROM card") == 3
        assert run_process("--db", str(path), "verify").returncode == 0
        shutil.rmtree(path.parent)


def test_logging_while_an_import_runs_keeps_every_record_searchable(topup_ok, ledger_path, tmp_path):
    """An import takes the search trigger away inside its transaction; writers around it never notice."""
    topup_ok("card", "add", "shop", "--kind", "smart")
    rows = tmp_path / "rows.csv"
    rows.write_text("time,amount,note\n" + "".join(f"2025-03-{d:02d} {h:02d}:{m:02d},{m + 1},bulkrow\n"
                                                  for d in range(1, 11) for h in range(24) for m in range(0, 60, 5)))
    importer = subprocess.Popen([sys.executable, "-m", "ledger", "import", str(rows), "--card", "shop",
                                 "--map", "time=occurred_at", "--map", "amount=amount", "--map", "note=note"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    logger = start("log", "shop", "60", "live")
    for process in (importer, logger):
        _, errors = process.communicate(timeout=600)
        assert process.returncode == 0, errors
    imported = 10 * 24 * 12
    assert sql_value(ledger_path, "SELECT count(*) FROM topup") == imported + 60
    found = run_process("search", "live", "--format", "json")
    assert found.stdout.count('"ref": "live-') == 60
    assert run_process("search", "bulkrow", "--format", "json").stdout.count('"id"') == imported
    assert run_process("verify").returncode == 0


_ANOTHER_WRITES_FIRST = """
import subprocess, sys
from ledger.store.sqlite import db
opening = db.open_for_writing
def and_another_writes_first(path):
    opened = opening(path)
    if opened.made:  # this command made the ledger; another one takes the write lock before it does
        for args in (["card", "add", "Octo", "--kind", "smart"], ["log", "Octo", "100"]):
            assert subprocess.run([sys.executable, "-m", "ledger", *args]).returncode == 0
    return opened
db.open_for_writing = and_another_writes_first
from ledger.cli import main
sys.argv = ["topup", "log", "nosuch", "50"]
main()
"""


def test_a_refused_command_never_takes_back_a_ledger_another_has_written_to(ledger_path):
    refused = subprocess.run([sys.executable, "-c", _ANOTHER_WRITES_FIRST], capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode == 1 and "no card 'nosuch'" in refused.stderr, refused.stderr
    assert sql_value(ledger_path, "SELECT count(*) FROM topup") == 1
    assert run_process("verify").returncode == 0
