"""Opening the ledger file: where it lives, what it must be, and how connections are set up.

The file's identity and schema version are read with plain sqlite3 before anything heavier is
loaded; a file that is not a topup ledger, or is newer than this program, is refused unread and
unchanged. An older ledger is copied aside and then upgraded.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger import migrations
from ledger.errors import LedgerError, NotALedger, SchemaTooNew

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
        raise LedgerError(f"could not prepare the ledger {path}: {exc}") from None
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
        raise LedgerError(f"cannot create the ledger {path}: {exc.strerror}") from None


def _schema_version(path: Path) -> int:
    """The ledger's schema version, 0 for an empty file; refuses anything that is not a ledger.

    Only SQLite opens the file: closing a descriptor of our own on it would drop every POSIX
    lock this process holds there, under any other connection to it."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    except sqlite3.OperationalError as exc:
        raise LedgerError(f"cannot open the ledger {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise NotALedger(f"{path} is not a topup ledger ({exc}); it was left untouched") from None
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


@contextmanager
def open_engine(path: Path, *, write: bool) -> Iterator[object]:
    """An SQLAlchemy engine on a prepared ledger; every transaction begins IMMEDIATE when writing."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    # hide_parameters: an error's text must never carry a card number into a log or a traceback.
    engine = create_engine("sqlite://", creator=lambda: connect(path), poolclass=NullPool, hide_parameters=True)

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        # IMMEDIATE takes the write lock up front, so busy_timeout can wait for it instead of
        # failing with "database is locked" when a read turns into a write.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def connection(path: Path, *, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection on the ledger inside one transaction, for work the ORM would only
    slow down. A reading one holds a consistent snapshot; a writing one begins IMMEDIATE and
    commits only if the block succeeds. Closing without COMMIT rolls everything back."""
    prepare(path)
    conn = connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        yield conn
        if write:
            conn.execute("COMMIT")
    except sqlite3.IntegrityError as exc:
        raise LedgerError(f"the ledger refused the change: {exc}") from None
    except sqlite3.OperationalError as exc:
        raise LedgerError(f"the ledger {path} could not be {'used' if write else 'read'}: {exc}") from None
    finally:
        conn.close()


def raw(session: Any) -> sqlite3.Connection:
    """The sqlite3 connection under an SQLAlchemy session, inside the session's transaction."""
    return session.connection().connection.driver_connection
