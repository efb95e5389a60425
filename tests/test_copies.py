"""A copy of the ledger file alone is whole after every write; reading never changes the file; a
write-ahead log that was written on top of another state of the file is refused, not laid over it."""

import hashlib
import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import run_process


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _log_of(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


class Reader:
    """Another program (sqlite3, Datasette) in the middle of a read: it keeps looking at the state
    the ledger had when its read began."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None,
                                    check_same_thread=False)
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT count(*) FROM topup").fetchone()

    def stop(self, after: float = 0.0) -> None:
        if after:
            threading.Timer(after, self.conn.close).start()
        else:
            self.conn.close()


@pytest.fixture
def three(topup_ok, ledger_path):
    topup_ok("card", "add", "八达通", "--kind", "smart", "--region", "HK")
    for amount in ("100", "200", "300"):
        topup_ok("log", "八达通", amount)
    return ledger_path


def _verified_records(path: Path) -> str:
    done = run_process("--db", str(path), "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stderr.split(":")[1].split()[0]


def test_after_a_write_the_file_alone_is_a_whole_copy_even_while_another_program_reads(three, topup_ok, tmp_path):
    reader = Reader(three)
    reader.stop(after=1.0)  # a read that ends while the write waits for it
    logged = topup_ok("log", "八达通", "400")
    assert "warning" not in logged.stderr
    copy = tmp_path / "copy.db"
    shutil.copy(three, copy)  # the file alone, as `cp` copies it
    assert _verified_records(copy) == "4"


def test_a_write_says_when_a_long_read_keeps_its_change_out_of_the_file(three, topup_ok):
    reader = Reader(three)
    try:
        logged = topup_ok("log", "八达通", "400")
    finally:
        reader.stop()
    assert f"warning: another program is reading an older state of the ledger, so this change waits in " \
           f"{_log_of(three)}" in logged.stderr and "topup backup" in logged.stderr
    assert logged.stdout.strip() == "4"


@pytest.fixture
def waiting(three, topup_ok):
    """Two changes left in the log by writes a long read kept from the file, the read since over."""
    reader = Reader(three)
    try:
        topup_ok("log", "八达通", "400")
        topup_ok("log", "八达通", "500")
    finally:
        reader.stop()
    assert _log_of(three).stat().st_size > 0
    return three


def test_commands_that_only_read_never_change_the_file(waiting, tmp_path):
    before = _digest(waiting)
    for command in (["verify"], ["doctor"], ["search", "--format", "json"], ["show", "5"], ["check", "八达通", "1"],
                    ["export", "--output", str(tmp_path / "out.csv")], ["report", "--by", "month"]):
        done = run_process(*command)
        assert done.returncode == 0, (command, done.stderr)
        assert _digest(waiting) == before, command
    assert "ok: 5 records" in run_process("verify").stderr  # read through the log


def test_the_next_write_moves_what_waited_into_the_file(waiting, topup_ok, tmp_path):
    topup_ok("log", "八达通", "600")
    shutil.copy(waiting, tmp_path / "copy.db")
    assert _verified_records(tmp_path / "copy.db") == "6"


def _copy_put_back_beside_a_waiting_log(topup_ok, ledger_path, tmp_path, *, grown_since: bool) -> None:
    """A copy put back with `cp`, a minute after a write left its change in the log (a long read kept
    it there): one taken just before that write, or one taken before the ledger grew by 400 records."""
    topup_ok("card", "add", "八达通", "--kind", "smart", "--region", "HK")
    topup_ok("log", "八达通", "100")
    shutil.copy(ledger_path, tmp_path / "older.db")
    if grown_since:
        rows = tmp_path / "rows.csv"
        rows.write_text("time,amount,note\n" + "".join(f"2025-03-{n % 28 + 1:02d} {n % 24:02d}:00,{n + 1},"
                                                       f"便利店增值 第{n}次\n" for n in range(400)), encoding="utf-8")
        topup_ok("import", str(rows), "--card", "八达通", "--map", "time=occurred_at", "--map", "amount=amount",
                 "--map", "note=note")
    reader = Reader(ledger_path)
    try:
        topup_ok("log", "八达通", "400")
    finally:
        reader.stop()
    _a_minute_ago(_log_of(ledger_path))
    shutil.copy(tmp_path / "older.db", ledger_path)


def _a_minute_ago(path: Path) -> None:
    earlier = time.time() - 60
    os.utime(path, (earlier, earlier))


def test_a_log_left_beside_an_older_copy_put_back_is_refused(topup_ok, ledger_path, tmp_path):
    _copy_put_back_beside_a_waiting_log(topup_ok, ledger_path, tmp_path, grown_since=True)
    restored = _digest(ledger_path)
    for command in (["verify"], ["search"], ["log", "八达通", "1"], ["backup", str(tmp_path / "b.db")]):
        refused = run_process(*command)
        assert refused.returncode == 1, (command, refused.stdout, refused.stderr)
        assert refused.stderr.startswith(f"error: {_log_of(ledger_path)} holds changes written on top of another "
                                         f"state of {ledger_path}")
        assert _digest(ledger_path) == restored
    for end in ("-wal", "-shm"):
        ledger_path.with_name(ledger_path.name + end).rename(tmp_path / f"set-aside{end}")
    assert _verified_records(ledger_path) == "1"


def test_a_copy_of_the_very_state_the_log_was_written_on_takes_the_log(topup_ok, ledger_path, tmp_path):
    """Byte for byte what a crash leaves (the file, and the changes after it in the log): it reads as
    the ledger with those changes, whole."""
    _copy_put_back_beside_a_waiting_log(topup_ok, ledger_path, tmp_path, grown_since=False)
    assert _verified_records(ledger_path) == "2"


def test_a_file_changed_only_in_its_mode_keeps_its_log(waiting):
    """`chmod` changes the file's change time as a copy put back does; the log still belongs to it."""
    _a_minute_ago(_log_of(waiting))
    waiting.chmod(0o600)
    assert _verified_records(waiting) == "5"
    assert run_process("log", "八达通", "600").returncode == 0
    assert _verified_records(waiting) == "6"
