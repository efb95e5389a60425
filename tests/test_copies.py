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


@pytest.mark.parametrize("copied_after", [3, 1])
def test_a_log_left_beside_an_older_copy_put_back_is_refused(topup_ok, ledger_path, tmp_path, copied_after):
    """An older copy (taken when the ledger held `copied_after` records) put back with `cp` beside a log
    that holds changes of the ledger as it was later."""
    topup_ok("card", "add", "八达通", "--kind", "smart", "--region", "HK")
    for number in range(1, 4):
        topup_ok("log", "八达通", str(number * 100))
        if number == copied_after:
            shutil.copy(ledger_path, tmp_path / "older.db")
    reader = Reader(ledger_path)
    try:
        topup_ok("log", "八达通", "400")
    finally:
        reader.stop()
    a_minute_ago = time.time() - 60
    os.utime(_log_of(ledger_path), (a_minute_ago, a_minute_ago))  # the copy is put back later than that
    shutil.copy(tmp_path / "older.db", ledger_path)
    restored = _digest(ledger_path)
    for command in (["verify"], ["search"], ["log", "八达通", "1"], ["backup", str(tmp_path / "b.db")]):
        refused = run_process(*command)
        assert refused.returncode == 1, (command, refused.stdout, refused.stderr)
        assert refused.stderr.startswith(f"error: {_log_of(ledger_path)} holds changes written on top of another "
                                         f"state of {ledger_path}")
        assert _digest(ledger_path) == restored
    for end in ("-wal", "-shm"):
        ledger_path.with_name(ledger_path.name + end).rename(tmp_path / f"set-aside{end}")
    assert _verified_records(ledger_path) == str(copied_after)
