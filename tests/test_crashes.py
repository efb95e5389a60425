"""A process killed (SIGKILL) while it writes: the ledger opens, holds together and loses nothing that
was committed; each command happened whole or not at all.

Each victim is killed only once it has shown that it is writing (its records appear, the ledger's
write-ahead log changes, its output's partial file appears), at a random moment soon after; a run
whose victim had already ended proves nothing, and each test needs at least one that did not."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import sql_value, verify_problems
from tests.test_concurrency import start

pytestmark = pytest.mark.serial  # many processes and SIGKILLs: best run alone

Sign = Callable[[], bool]


def changed(path: Path) -> Sign:
    """Whether the file at `path` has changed (appeared, grown or been written) since now."""

    def state() -> tuple[int, int] | None:
        try:
            found = path.stat()
        except FileNotFoundError:
            return None
        return found.st_size, found.st_mtime_ns

    before = state()
    return lambda: state() != before


def appeared(folder: Path, pattern: str) -> Sign:
    """Whether a file matching `pattern` that is not there now has appeared in `folder`."""
    before = set(folder.glob(pattern))
    return lambda: bool(set(folder.glob(pattern)) - before)


def kill_while_writing(victim: subprocess.Popen, writing: Sign, rng: random.Random, within: float) -> bool:
    """Wait until the victim shows it is writing, then kill it at a random moment within `within`
    seconds; returns whether it was still running when killed."""
    deadline = time.monotonic() + 300  # a safety net for a victim that hangs, not a measure of speed
    while not writing():
        assert victim.poll() is None, f"the victim ended before it began writing: {victim.stderr.read()}"
        assert time.monotonic() < deadline, "the victim never began writing"
        time.sleep(0.002)
    time.sleep(rng.uniform(0, within))
    alive = victim.poll() is None
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    victim.stderr.close()
    return alive


def assert_sound(ledger: Path) -> None:
    conn = sqlite3.connect(ledger)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert verify_problems(ledger) == []


def counted(ledger: Path, sql: str, *params: object) -> Sign:
    """Whether the count an SQL query makes has grown since now."""
    before = sql_value(ledger, sql, params)
    return lambda: sql_value(ledger, sql, params) > before


def test_killed_while_logging(topup_ok, ledger_path, tmp_path, runs):
    topup_ok("card", "add", "shop", "--kind", "smart")
    receipt = tmp_path / "slip.txt"
    receipt.write_text("slip")
    rng = random.Random(7)
    for run in range(runs(3)):
        victim = start("log", "shop", "100000", f"r{run}", str(receipt))
        writing = counted(ledger_path, "SELECT count(*) FROM topup WHERE ref LIKE ?", f"r{run}-%")
        assert kill_while_writing(victim, writing, rng, 0.5)
        assert_sound(ledger_path)
        conn = sqlite3.connect(ledger_path)
        refs = [r for (r,) in conn.execute("SELECT ref FROM topup WHERE ref LIKE ?", (f"r{run}-%",))]
        # Commands run one after another: what is there is exactly the first N, each with its receipt.
        assert refs and sorted(refs, key=lambda r: int(r.split("-")[1])) == [f"r{run}-{i}" for i in range(len(refs))]
        bare = conn.execute("SELECT count(*) FROM topup WHERE id NOT IN (SELECT topup_id FROM receipt)").fetchone()[0]
        assert bare == 0
        conn.close()


def test_killed_while_importing(topup_ok, ledger_path, tmp_path, runs):
    topup_ok("card", "add", "bulk", "--kind", "smart")
    rng = random.Random(11)
    expected, running = 0, []
    for run in range(runs(3)):
        path = tmp_path / f"rows{run}.csv"
        rows = [f"2025-{run % 12 + 1:02d}-{d:02d} {h:02d}:{m:02d},{m + 1},r{run}" for d in range(1, 11)
                for h in range(24) for m in range(60)]
        path.write_text("time,amount,note\n" + "\n".join(rows) + "\n")
        command = [sys.executable, "-m", "ledger", "import", str(path), "--card", "bulk", "--map", "time=occurred_at",
                   "--map", "amount=amount", "--map", "note=note"]
        # The import writes its rows to the write-ahead log as it commits them, all at once.
        writing = changed(ledger_path.with_name(ledger_path.name + "-wal"))
        victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        running.append(kill_while_writing(victim, writing, rng, 0.01))
        assert_sound(ledger_path)
        count = sql_value(ledger_path, "SELECT count(*) FROM topup")
        assert count in (expected, expected + len(rows)), (count, expected)  # the whole file or nothing
        expected = count
        # The import drops the search-index trigger inside its transaction: a kill never loses it.
        assert sql_value(ledger_path, "SELECT count(*) FROM sqlite_master WHERE name = 'topup_fts_insert'") == 1
    assert any(running), "every import had finished before it was killed"


def test_killed_while_amending(topup_ok, ledger_path, runs):
    topup_ok("card", "add", "shop", "--kind", "smart")
    topup_ok("log", "shop", "10")
    rng = random.Random(13)
    for _ in range(runs(3)):
        amending = counted(ledger_path, "SELECT count(*) FROM topup_version WHERE topup_id = 1")
        assert kill_while_writing(start("amend", "1", "100000"), amending, rng, 0.5)
        assert_sound(ledger_path)
        shown = json.loads(topup_ok("show", "1", "--format", "json").stdout)
        assert [v["version"] for v in shown["history"]] == list(range(1, len(shown["history"]) + 1))
        assert shown["amount"] == shown["history"][-1]["content"]["amount"]


def test_killed_while_backing_up(topup_ok, ledger_path, tmp_path, runs):
    topup_ok("card", "add", "shop", "--kind", "smart")
    for i in range(30):
        topup_ok("log", "shop", "10", "--note", "x" * 500, "--ref", f"b{i}")
    rng = random.Random(17)
    for run in range(runs(3)):
        folder = tmp_path / f"backups{run}"
        folder.mkdir()
        victim = start("backup", str(folder), "100000")
        assert kill_while_writing(victim, appeared(folder, ".copy-*.partial"), rng, 0.5)
        assert_sound(ledger_path)
        for copy in folder.glob("copy-*.db"):  # a copy gets its name only once it is complete and verified
            assert verify_problems(copy) == [], copy


def test_killed_while_adding_a_20_mb_receipt(topup_ok, ledger_path, tmp_path, runs):
    topup_ok("card", "add", "shop", "--kind", "smart")
    topup_ok("log", "shop", "10")
    rng = random.Random(19)
    running = []
    for run in range(runs(3)):
        big = tmp_path / f"scan{run}.pdf"
        big.write_bytes(os.urandom(20 * 1024 * 1024))
        command = [sys.executable, "-m", "ledger", "receipt", "add", "1", str(big)]
        writing = changed(ledger_path.with_name(ledger_path.name + "-wal"))
        victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        running.append(kill_while_writing(victim, writing, rng, 0.05))
        assert_sound(ledger_path)  # verify checks every kept file against its digest
        kept = json.loads(topup_ok("show", "1", "--format", "json").stdout)["receipts"]
        assert all(r["size"] == 20 * 1024 * 1024 for r in kept)
    assert any(running), "every receipt was added before it was killed"


def test_killed_while_exporting_to_a_file(topup_ok, ledger_path, tmp_path, runs):
    topup_ok("card", "add", "shop", "--kind", "smart")
    rows = "".join(f"2025-01-01T10:{n % 60:02d}:{n // 60:02d}+08:00,shop,{n + 1},E{n},{'x' * 200}\n" for n in range(3000))
    (tmp_path / "rows.csv").write_text("occurred_at,card,amount,ref,note\n" + rows, encoding="utf-8")
    topup_ok("import", str(tmp_path / "rows.csv"))
    target = tmp_path / "out" / "all.csv"
    target.parent.mkdir()
    rng = random.Random(23)
    running = []
    for _ in range(runs(3)):
        command = [sys.executable, "-m", "ledger", "export", "--output", str(target)]
        victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        running.append(kill_while_writing(victim, appeared(target.parent, ".all.csv.*.partial"), rng, 0.05))
        if target.exists():  # the file appears only whole
            assert target.read_bytes().count(b"\r\n") == 3001
    assert any(running), "every export had finished before it was killed"
    topup_ok("export", "--output", str(target))
    assert [p.name for p in target.parent.iterdir()] == ["all.csv"]  # what killed exports left is gone
