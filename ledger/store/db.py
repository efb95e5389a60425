"""Opening the ledger file: where it lives, what it must be, and the transaction every command runs in.

The file's identity and schema version are read with plain sqlite3 before anything heavier is
loaded; a file that is not a topup ledger, or is newer than this program, is refused unread and
unchanged. An older ledger is copied aside and then upgraded by a command that writes; one that
only reads it reads an upgraded copy in memory. Every SQLite error becomes one of ours in
`ledger_error`, and nowhere else.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.domain.values import shell_word
from ledger.errors import DamageFound, LedgerError, NotALedger, SchemaTooNew
from ledger.store import migrations
from ledger.store.header import is_ledger_file, refuse_missing

BUSY_TIMEOUT_SECONDS = 60
MAX_UPGRADED_IN_MEMORY = 512 << 20  # bytes of an older ledger a reading command copies into memory to upgrade


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
    """Make sure `path` is a ledger of the current schema, for a command that writes: create it, or
    check it and upgrade it (keeping a copy of it as it was)."""
    if not is_ledger_file(path):
        _create(path)
        return
    version = _schema_version(path)
    if version == migrations.LATEST:
        return
    backup_before_upgrade(path, version)
    conn = connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        migrations.upgrade(conn, after=_chain_found_state)
    except sqlite3.Error as exc:
        raise ledger_error(exc, path, "prepared") from None
    finally:
        conn.close()


def _chain_found_state(conn: sqlite3.Connection, version: int) -> None:
    """Inside an upgrade's transaction: chain what the older schema left outside the chain."""
    if 0 < version < migrations.CHAINED_CARDS:
        from ledger.domain.times import now_utc, to_stored
        from ledger.store.writes import chain_found_state

        chain_found_state(conn, to_stored(now_utc()))


def _open_for_reading(path: Path, frozen: bool, tx: Tx) -> sqlite3.Connection:
    """A connection for a command that only reads: never creates, upgrades or changes the file. A
    ledger of an older schema is read through an upgraded copy in memory; `frozen`, the folder is
    read-only (see `_read_only`)."""
    if not is_ledger_file(path):
        if not tx.missing_is_empty:
            refuse_missing(path)
        tx.notices.append(f"note: there is no ledger at {path} yet; the file was checked against an empty one")
        return _in_memory(None)
    wal = path.with_name(path.name + "-wal")
    if frozen and wal.exists() and wal.stat().st_size > 0:
        raise LedgerError(f"the ledger's folder {path.parent} is read-only, and changes to the ledger wait in {wal}, "
                          "which SQLite can only read from a writable folder; copy the folder somewhere writable")
    version = _schema_version(path, immutable=frozen)
    if version == migrations.LATEST:
        return _read_only(path) if frozen else connect(path)
    size = sum(p.stat().st_size for p in (path, wal) if p.exists())
    if size > MAX_UPGRADED_IN_MEMORY:
        raise LedgerError(f"{path} was written by an older topup-ledger (schema {version}) and is too large "
                          f"({size >> 20} MiB) to read through an upgraded copy in memory; upgrade it first with any "
                          "command that changes it, such as `topup doctor --rebuild-index` (a copy of it as it was "
                          "is kept beside it)")
    tx.older_schema = version
    tx.notices.append(f"note: {path} was written by an older topup-ledger (schema {version}); it was read through "
                      "an upgraded copy and left unchanged. The next command that changes it upgrades it, keeping a "
                      "copy of it as it was")
    # Opened as usual when it can be: a read-only connection would leave SQLite's -wal and -shm behind.
    return _in_memory(_read_only(path) if frozen else connect(path))


def _in_memory(source: sqlite3.Connection | None) -> sqlite3.Connection:
    """A ledger of the current schema in memory: a copy of `source`, upgraded, or a new one."""
    memory = sqlite3.connect(":memory:", isolation_level=None)
    if source is not None:
        try:
            source.backup(memory)
        finally:
            source.close()
    memory.execute("PRAGMA foreign_keys = ON")
    migrations.upgrade(memory, after=_chain_found_state)
    return memory


def _create(path: Path) -> None:
    """A new ledger, made complete under a temporary name and then put in place, so that no process
    ever finds a half-made one: an empty file at a ledger's path is always a fault."""
    import tempfile  # only here: reading commands should not pay for loading it

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Created 0600 before SQLite sees it: SQLite would make it readable by everyone.
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise LedgerError(f"the ledger {path} could not be created: {exc.strerror}") from None
    new = Path(name)
    try:
        conn = connect(new)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            migrations.upgrade(conn)
        finally:
            conn.close()
        try:
            os.link(new, path)
        except FileExistsError:
            pass  # another process made it first: theirs is just as new
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(new, path)
    except sqlite3.Error as exc:
        raise ledger_error(exc, path, "created") from None
    except OSError as exc:
        raise LedgerError(f"the ledger {path} could not be created: {exc.strerror}") from None
    finally:
        for leftover in (new, *(new.with_name(new.name + end) for end in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)


def _schema_version(path: Path, *, immutable: bool = False) -> int:
    """The ledger's schema version; refuses anything that is not a ledger.

    Only SQLite opens the file: closing a descriptor of our own on it would drop every POSIX
    lock this process holds there, under any other connection to it."""
    mode = "immutable=1" if immutable else "mode=ro"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        unmarked = migrations.version_without_marks(conn) if has_tables and app_id == version == 0 else None
    except sqlite3.Error as exc:
        raise ledger_error(exc, path, "opened") from None
    finally:
        conn.close()
    if app_id == 0 and not has_tables:
        raise NotALedger(f"{path} is an empty database: it holds no ledger. If your records should be there, restore "
                         "a backup; to start a new ledger at this path, remove the file first")
    if unmarked:
        raise NotALedger(f"{path} holds a topup ledger (schema {unmarked}) without the marks that a copy made with "
                         "sqlite3's .dump leaves out (application_id, user_version); it was left untouched. "
                         f"`topup --db {shell_word(str(path))} doctor --repair` writes them back, then checks every "
                         "record")
    if app_id != migrations.APPLICATION_ID:
        raise NotALedger(f"{path} is an SQLite database of another program, not a topup ledger; it was left untouched")
    if version > migrations.LATEST:
        raise SchemaTooNew(
            f"{path} was written by a newer topup-ledger (schema {version}; this one knows {migrations.LATEST}); "
            "upgrade topup-ledger to use it. The file was left untouched"
        )
    return version


def repair_marks(path: Path) -> int | None:
    """Write back the marks of a ledger copied without them (see `migrations.restore_marks`);
    returns its schema version, or None when they were already there."""
    if not is_ledger_file(path):
        refuse_missing(path)
    conn = None
    try:
        conn = connect(path)
        return migrations.restore_marks(conn)
    except ValueError as problem:
        raise NotALedger(f"{path} was left as it was: {problem}, so there is nothing to repair") from None
    except sqlite3.Error as exc:
        raise ledger_error(exc, path, "opened") from None
    finally:
        if conn is not None:
            conn.close()


def backup_before_upgrade(path: Path, version: int) -> Path:
    """Copy an old ledger aside before its schema is changed."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    source = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        for attempt in range(1, 100):  # two processes upgrading in the same second each keep a copy
            target = path.with_name(f"{path.name}.schema{version}-{stamp}{f'-{attempt}' if attempt > 1 else ''}.bak")
            try:
                copy_database(source, target)
                return target
            except FileExistsError:
                continue
        raise LedgerError(f"could not find a free name beside {path} for a copy before upgrading it")
    finally:
        source.close()


def copy_database(source: sqlite3.Connection, target: Path, shown: Path | None = None, *, new: bool = True) -> None:
    """A consistent copy of the ledger open on `source`, with SQLite's online backup API, into a new
    file created 0600 (or, not `new`, an empty private one made for it); `shown` is the name to speak
    of when it cannot be written (the final name of a temporary `target`)."""
    if new:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    dst = sqlite3.connect(target)
    try:
        source.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.OperationalError as exc:
        raise ledger_error(exc, shown or target, "written") from None
    finally:
        dst.close()


def ledger_error(exc: sqlite3.Error, path: Path, doing: str) -> LedgerError:
    """SQLite's error as one of ours; `doing` says what could not be done (opened, read, used…)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return LedgerError(f"the ledger refused the change: {exc}")
    if type(exc) is sqlite3.DatabaseError:  # SQLite cannot make sense of the file: damage, or not a database
        if doing == "opened" and not _was_a_ledger(path):
            return NotALedger(f"{path} is not a topup ledger ({exc}); it was left untouched")
        return DamageFound(f"the ledger {path} is damaged ({exc}); it was left as it is. Keep a copy of the file, "
                           "then restore your latest backup (`topup backup` makes them)")
    return LedgerError(f"{'the copy' if doing == 'written' else 'the ledger'} {path} could not be {doing}: {exc}")


def _was_a_ledger(path: Path) -> bool:
    """Whether a file SQLite cannot read still shows a ledger's marks: its application id in the
    header, or its tables' definitions in the schema pages (looked for only once SQLite has given up)."""
    import mmap

    try:
        with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return (data[68:72] == migrations.APPLICATION_ID.to_bytes(4, "big")
                    or data.find(b"CREATE TABLE topup_version") >= 0)
    except (OSError, ValueError):  # unreadable, or empty
        return False


# What SQLite says about the file or the data: locked, read-only, a constraint, damage. (SQLite
# reports a mistake in our own SQL as an OperationalError too, so such a bug reads as a refusal
# carrying SQLite's own words.)
_REFUSALS = (sqlite3.OperationalError, sqlite3.IntegrityError)


def _is_refusal(exc: BaseException) -> bool:
    return isinstance(exc, _REFUSALS) or type(exc) is sqlite3.DatabaseError


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

    def __init__(self, path: Path, write: bool, missing_is_empty: bool = False) -> None:
        self.path, self.write, self.missing_is_empty = path, write, missing_is_empty
        self._conn: sqlite3.Connection | None = None
        self._session: Any = None
        self.older_schema: int | None = None  # read through an upgraded copy: the file's own schema
        self.notices: list[str] = []  # what the person should know about how the ledger was read

    @property
    def conn(self) -> sqlite3.Connection:
        """The transaction's connection. A reading transaction holds one snapshot while others write;
        a writing one begins IMMEDIATE, so it waits for the write lock instead of failing when a
        read turns into a write."""
        if self._conn is None:
            frozen = self.path.parent.exists() and not os.access(self.path.parent, os.W_OK)
            if not self.write:
                conn = _open_for_reading(self.path, frozen, self)
            elif frozen:
                raise LedgerError(f"the ledger's folder {self.path.parent} is read-only, so nothing can be "
                                  "logged or changed there (reading still works)")
            else:
                prepare(self.path)
                conn = connect(self.path)
            try:
                conn.execute("BEGIN IMMEDIATE" if self.write else "BEGIN")
                # A newer topup-ledger may have upgraded the file while this one waited for the lock.
                if self.write and conn.execute("PRAGMA user_version").fetchone()[0] != migrations.LATEST:
                    raise SchemaTooNew(f"{self.path} was upgraded by a newer topup-ledger just now; "
                                       "upgrade topup-ledger to use it. Nothing was changed")
            except (sqlite3.Error, SchemaTooNew):
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def bring_up_to_date(self) -> None:
        """For a writing transaction: create or upgrade the file to the newest schema now."""
        assert self.write
        self.conn  # noqa: B018 - opening the connection is what prepares the file

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


def _read_only(path: Path) -> sqlite3.Connection:
    """A ledger in a folder this process cannot write: SQLite cannot keep its shared-memory index
    there, so the file is read as it stands, which is exact only while no changes wait in its
    write-ahead log (none do once every writer has closed it)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def transaction(path: Path, *, write: bool = False, missing_is_empty: bool = False) -> Iterator[Tx]:
    """A transaction on the ledger at `path` for the block: a writing one commits only if the block
    succeeds; closing without COMMIT rolls everything back. `missing_is_empty`: a reading one on a
    path with no ledger sees an empty ledger in memory instead of being refused (a dry run)."""
    tx = Tx(path, write, missing_is_empty)
    doing = "used" if write else "read"
    try:
        yield tx
        if tx._session is not None:
            tx._session.flush()
        if write and tx._conn is not None:
            tx._conn.execute("COMMIT")
    except Exception as exc:
        orig = getattr(exc, "orig", exc)  # SQLAlchemy wraps SQLite's own error
        if _is_refusal(orig):
            raise ledger_error(orig, path, doing) from None
        raise
    finally:
        if tx._session is not None:
            tx._session.close()
        if tx._conn is not None:
            tx._conn.close()
