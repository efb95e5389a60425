"""The write-ahead log beside a ledger file (`ledger.db-wal`): emptied into the file after every
write, so that the file alone is a complete copy, and refused when it does not belong to the file.

SQLite writes each change to the log first and moves it into the file at a checkpoint. A reader
that still looks at an older state keeps the changes after it in the log, so a write waits a little
for such readers before it leaves its change there (and says so).

A log belongs to the file it was written on top of. Put an older copy of the file back beside a log
that still holds changes, and SQLite would lay those changes over it: a mix of two states. The file
changes only at checkpoints, and every checkpoint here first dates the log ahead; so a file changed
well after its log was last written, while that log holds something the file lacks, was replaced.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from ledger.errors import LedgerError
from ledger.i18n import _

SETTLE_SECONDS = 3.0  # how long a write waits for readers of an older state before leaving its change in the log
_AHEAD_NS = 60 * 10**9  # how far ahead the log is dated while a checkpoint writes the file
# How much later than its log a file may have been written without being taken for another: among
# writers at work together, one may checkpoint just after another committed and before that one
# dates the log ahead.
_TOGETHER_NS = 2 * 10**9


def log_of(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def settle(conn: sqlite3.Connection, path: Path) -> bool:
    """After a commit on `conn`: move everything the log holds into the file. False when a reader of
    an older state kept some of it in the log for longer than SETTLE_SECONDS."""
    log = log_of(path)
    try:
        _date(log, time.time_ns() + _AHEAD_NS)
    except FileNotFoundError:
        return True  # a ledger kept without a log (an older journal mode): each commit is in the file
    deadline = time.monotonic() + SETTLE_SECONDS
    # PASSIVE never waits for other writers; their own checkpoint follows their commit.
    while (counts := conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())[1] != counts[2]:
        if time.monotonic() > deadline:
            _date(log, time.time_ns())  # the file was written just now; the log still holds more
            return False
        time.sleep(0.02)
    conn.execute("PRAGMA busy_timeout = 0")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # frees the log's space, unless someone reads it right now
    return True


def _date(log: Path, ns: int) -> None:
    os.utime(log, ns=(ns, ns))


def refuse_a_foreign_log(path: Path) -> None:
    """Refuse a log beside the ledger file that holds changes the file lacks, when the file was
    changed after that log was last written: it was written on top of another file."""
    log = log_of(path)
    try:
        logged, kept = log.stat(), path.stat()
    except FileNotFoundError:
        return
    if logged.st_size == 0 or kept.st_ctime_ns <= logged.st_mtime_ns + _TOGETHER_NS:
        return
    if _head(path, "immutable=1") == _head(path, "mode=ro"):
        return  # the log adds nothing: a checkpoint moved all of it into the file already
    raise LedgerError(_("{log} holds changes written on top of another state of {path}: the file was changed "
                        "after them, as when an older copy is put back. Nothing was read or changed. If you put "
                        "back a copy on purpose, move {log} and {path}-shm out of the folder (keep them: they "
                        "hold the later changes); otherwise put the file they belong to back",
                        log=log, path=path))


def _head(path: Path, mode: str) -> tuple[object, ...] | None:
    """The chain's head as the file alone (`immutable=1`) or the file with its log (`mode=ro`) has it."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        try:
            return conn.execute("SELECT seq, digest FROM chain_head").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # unreadable as it stands: not the same state
