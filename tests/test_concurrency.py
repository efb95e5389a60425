"""Several processes writing one ledger at once: every record once, no 'database is locked'."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_process, sql_value

ROOT = Path(__file__).resolve().parents[1]


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
