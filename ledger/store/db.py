"""Opening the ledger file: where it lives, what it must be, and the transaction every command runs in.

The file's identity and schema version are read with plain sqlite3 before anything heavier is
loaded; a file that is not a topup ledger, or is newer than this program, is refused unread and
unchanged. An older ledger is copied aside and then upgraded. Every SQLite error becomes one of
ours in `ledger_error`, and nowhere else.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.errors import LedgerError, NotALedger, SchemaTooNew
from ledger.store import migrations

BUSY_TIMEOUT_SECONDS = 60


def default_path() -> Path:
    """`ledger.db` in the platform's user data folder for topup-ledger."""
    import platformdirs

    return platformdirs.user_data_path("topup-ledger", appauthor=False) / "ledger.db"


def resolve_path(given: str | None) -> Path:
    """The ledger named by `--db`, else by `TOPUP_DB`, else the default."""
    chosen = given or os.environ.get("TOPUP_DB") or None
    return Path(chosen).expanduser() if chosen else default_path()


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the ledger's settings; transactions are begun explicitly by the caller."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def prepare(path: Path) -> None:
    """Make sure `path` is a ledger of the current schema: create it, or check and upgrade it."""
    _create_if_missing(path)
    version = _schema_version(path)
    if version == migrations.LATEST:
        return
    if version > 0:
        backup_before_upgrade(path, version)
    conn = connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        migrations.upgrade(conn)
    except sqlite3.Error as exc:
        raise ledger_error(exc, path, "prepared") from None
    finally:
        conn.close()


def _create_if_missing(path: Path) -> None:
    if path.is_dir():
        raise NotALedger(f"{path} is a folder; give the path of a ledger file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Created 0600 before SQLite sees it: SQLite would make it readable by everyone.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise LedgerError(f"the ledger {path} could not be created: {exc.strerror}") from None


def _schema_version(path: Path) -> int:
    """The ledger's schema version, 0 for an empty file; refuses anything that is not a ledger.

    Only SQLite opens the file: closing a descriptor of our own on it would drop every POSIX
    lock this process holds there, under any other connection to it."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    except sqlite3.Error as exc:
        raise ledger_error(exc, path, "opened") from None
    finally:
        conn.close()
    if app_id == 0 and not has_tables:
        return 0
    if app_id != migrations.APPLICATION_ID:
        raise NotALedger(f"{path} is an SQLite database of another program, not a topup ledger; it was left untouched")
    if version > migrations.LATEST:
        raise SchemaTooNew(
            f"{path} was written by a newer topup-ledger (schema {version}; this one knows {migrations.LATEST}); "
            "upgrade topup-ledger to use it. The file was left untouched"
        )
    return version


def backup_before_upgrade(path: Path, version: int) -> Path:
    """Copy an old ledger aside before its schema is changed."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.schema{version}-{stamp}.bak")
    copy_database(path, target)
    return target


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy with SQLite's online backup API, the new file created 0600."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
        src.close()


def ledger_error(exc: sqlite3.Error, path: Path, doing: str) -> LedgerError:
    """SQLite's error as one of ours; `doing` says what could not be done (opened, read, used…)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return LedgerError(f"the ledger refused the change: {exc}")
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError) and doing == "opened":
        return NotALedger(f"{path} is not a topup ledger ({exc}); it was left untouched")
    return LedgerError(f"the ledger {path} could not be {doing}: {exc}")


# What SQLite says about the file or the data (locked, read-only, a constraint) rather than about
# a mistake in our own SQL, which stays a bug with its traceback.
_REFUSALS = (sqlite3.OperationalError, sqlite3.IntegrityError)


class _SharedConnection:
    """The transaction's sqlite3 connection as SQLAlchemy sees it: the session runs its statements
    inside the transaction but never commits, rolls back or closes it; `transaction` does."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


class Tx:
    """One transaction on the ledger, which every use case receives.

    The file is opened when the use case first needs it, so input refused before that leaves no
    trace, not even a new file. Reads, cards and bulk writes go through `conn`, plain sqlite3;
    single records and their receipts are written through `session` (SQLModel), made on first use
    on the same connection, so that reading commands never load SQLAlchemy and a check and the
    write after it see the same transaction."""

    def __init__(self, path: Path, write: bool) -> None:
        self.path, self.write = path, write
        self._conn: sqlite3.Connection | None = None
        self._session: Any = None

    @property
    def conn(self) -> sqlite3.Connection:
        """The transaction's connection. A reading transaction holds one snapshot while others write;
        a writing one begins IMMEDIATE, so it waits for the write lock instead of failing when a
        read turns into a write."""
        if self._conn is None:
            prepare(self.path)
            conn = connect(self.path)
            conn.execute("BEGIN IMMEDIATE" if self.write else "BEGIN")
            self._conn = conn
        return self._conn

    @property
    def session(self) -> Any:
        """The SQLModel session inside this transaction."""
        if self._session is None:
            from sqlalchemy import create_engine
            from sqlalchemy.pool import StaticPool
            from sqlmodel import Session

            conn = self.conn
            # hide_parameters: an error's text must never carry a card number into a log or a traceback.
            engine = create_engine("sqlite://", creator=lambda: _SharedConnection(conn), poolclass=StaticPool,
                                   pool_reset_on_return=None, hide_parameters=True)
            self._session = Session(engine)
        return self._session


@contextmanager
def transaction(path: Path, *, write: bool = False) -> Iterator[Tx]:
    """A transaction on the ledger at `path` for the block: a writing one commits only if the block
    succeeds; closing without COMMIT rolls everything back."""
    tx = Tx(path, write)
    doing = "used" if write else "read"
    try:
        yield tx
        if tx._session is not None:
            tx._session.flush()
        if write and tx._conn is not None:
            tx._conn.execute("COMMIT")
    except _REFUSALS as exc:
        raise ledger_error(exc, path, doing) from None
    except Exception as exc:
        orig = getattr(exc, "orig", None)  # SQLAlchemy wraps SQLite's own error
        if isinstance(orig, _REFUSALS):
            raise ledger_error(orig, path, doing) from None
        raise
    finally:
        if tx._session is not None:
            tx._session.close()
        if tx._conn is not None:
            tx._conn.close()
