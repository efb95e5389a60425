"""The write-ahead log beside a ledger file (`ledger.db-wal`): emptied into the file after every
write, so that the file alone is a complete copy, and refused when it does not belong to the file.

SQLite writes each change to the log first and moves it into the file at a checkpoint. A reader
that still looks at an older state keeps the changes after it in the log, so a write waits a little
for such readers before it leaves its change there (and says so).

A log belongs to the file it was written on top of. Put an older copy of the file back beside a log
that still holds changes, and SQLite would lay those changes over it: a mix of two states. The file
changes only at checkpoints, and every checkpoint here dates the log first; so when the file changed
well after its log was last written, the two are read together, without writing, and the log is
refused unless the result is sound and holds the file's own history whole. (A copy put back that is
exactly the state the log was written on is indistinguishable from the file a crash left: both take
the log.)
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


# The files SQLite keeps beside a database file while it is in use: its log, the log's index, and
# (for a file not in WAL mode) its rollback journal.
ENDS = ("-wal", "-shm", "-journal")


def log_of(path: Path) -> Path:
    return path.with_name(path.name + ENDS[0])


def beside(path: Path) -> list[Path]:
    """The files SQLite may keep beside the database file at `path`."""
    return [path.with_name(path.name + end) for end in ENDS]


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
    _date(log, time.time_ns())  # all of it is in the file: a file changed after now was changed by someone else
    conn.execute("PRAGMA busy_timeout = 0")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # frees the log's space, unless someone reads it right now
    return True


def _date(log: Path, ns: int) -> None:
    os.utime(log, ns=(ns, ns))


def refuse_a_foreign_log(path: Path) -> None:
    """Refuse a log beside the ledger file that was written on top of another state of it: one whose
    changes, laid over the file, would not hold the file's own history whole. Looked into only when
    the file changed well after the log was last written (a copy put back, or as harmless a change
    as `chmod`): the log is then read, never written."""
    log = log_of(path)
    try:
        logged, kept = log.stat(), path.stat()
    except FileNotFoundError:
        return
    if logged.st_size == 0 or kept.st_ctime_ns <= logged.st_mtime_ns + _TOGETHER_NS:
        return
    if _holds_the_files_history(path):
        return
    raise LedgerError(_("{log} holds changes written on top of another state of {path}: laid over the file, they "
                        "would not hold its own history whole, as when an older copy is put back. Nothing was read "
                        "or changed. If you put back a copy on purpose, move {log} and {path}-shm out of the folder "
                        "(keep them: they hold the later changes); otherwise put the file they belong to back",
                        log=log, path=path))


_LINKS = "SELECT seq, digest FROM topup_version UNION ALL SELECT seq, digest FROM ledger_link"


def _holds_the_files_history(path: Path) -> bool:
    """Whether the file read with its log is sound, its history one unbroken run of links up to its
    head, and holds every link the file alone holds, the newest of them unchanged."""
    alone = _history(path, "immutable=1")
    if alone is None:
        return True  # nothing of the file's own to lose (no history yet, or an older schema)
    with_log = _history(path, "mode=ro", check=True, upto=alone[0])
    return with_log == alone and _unbroken(path)


def _unbroken(path: Path) -> bool:
    """Whether the links the file with its log holds are numbered without a gap, up to its head."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            count, first, last = conn.execute(f"SELECT count(*), min(seq), max(seq) FROM ({_LINKS})").fetchone()
            head = conn.execute("SELECT seq FROM chain_head").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return head is not None and last == head[0] and count == last - first + 1


def _history(path: Path, mode: str, *, check: bool = False, upto: int | None = None) -> tuple[object, ...] | None:
    """(the newest link's seq, its digest, how many links up to it) as the file is read in `mode`;
    with `upto`, of that link instead of the newest; None for a file with no history to compare."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    except sqlite3.Error:
        return ("unreadable",)
    try:
        if check and conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            return ("damaged",)
        seq = upto if upto is not None else conn.execute("SELECT seq FROM chain_head").fetchone()
        if seq is None:
            return None
        seq = seq if isinstance(seq, int) else seq[0]
        digest = conn.execute(f"SELECT digest FROM ({_LINKS}) WHERE seq = ?", (seq,)).fetchone()
        count = conn.execute(f"SELECT count(*) FROM ({_LINKS}) WHERE seq <= ?", (seq,)).fetchone()[0]
        return seq, digest[0] if digest else None, count
    except sqlite3.Error:
        return ("unreadable",)
    finally:
        conn.close()
