"""The ledger file: what it must be, creating and upgrading it, opening it to read or to write,
and copying it whole.

The file's identity and schema version are read before anything else is done with it; a file
that is not a topup ledger, or is newer than this program, is refused unread and unchanged. An
older ledger is copied aside and then upgraded by a command that writes; one that only reads it
reads an upgraded copy in memory.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ledger.chinese import folded
from ledger.domain.values import shell_word
from ledger.errors import LedgerError, NotALedger, SchemaTooNew
from ledger.i18n import _
from ledger.private import make_folder, remove_if_empty
from ledger.store.sqlite import log, migrations
from ledger.store.sqlite.errors import ledger_error
from ledger.store.sqlite.header import is_ledger_file, refuse_missing

BUSY_TIMEOUT_SECONDS = 60
MAX_UPGRADED_IN_MEMORY = 512 << 20  # bytes of an older ledger a reading command copies into memory to upgrade


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection with the ledger's settings; transactions are begun explicitly by the caller. A
    read-only one never changes the file, not even by moving its log into it when it closes."""
    # Never `mode=rwc`: a ledger removed meanwhile must not come back as an empty file.
    target = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rw'}"
    conn = sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    define_functions(conn)
    return conn


def define_functions(conn: sqlite3.Connection) -> None:
    """The functions the ledger's searches call: `search_fold`, Chinese in one script."""
    conn.create_function("search_fold", 1, lambda text: folded(text) if isinstance(text, str) else text,
                         deterministic=True)


def prepare(path: Path) -> list[Path]:
    """Make sure `path` is a ledger of the current schema, for a command that writes: create it, or
    check it and upgrade it (keeping a copy of it as it was). Returns what this call made for a new
    ledger (its folders, then the file), for a command that then writes nothing to take back."""
    if not is_ledger_file(path):
        return _create(path)
    version = _schema_version(path)
    if version == migrations.LATEST:
        return []
    backup_before_upgrade(path, version)
    conn = connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        migrations.upgrade(conn, after=_chain_found_state)
    except sqlite3.Error as exc:
        raise ledger_error(exc, path, "prepared") from None
    finally:
        conn.close()
    return []


def _chain_found_state(conn: sqlite3.Connection, version: int) -> None:
    """Inside an upgrade's transaction: chain what the older schema left outside the chain."""
    if 0 < version < migrations.CHAINED_CARDS:
        from ledger.domain.times import now_utc, to_stored
        from ledger.store.sqlite.writes import chain_found_state

        chain_found_state(conn, to_stored(now_utc()))


@dataclass
class Opened:
    """A connection to read or write the ledger through, and what to say of how it was opened."""

    conn: sqlite3.Connection
    older_schema: int | None = None  # read through an upgraded copy: the file's own schema
    notices: list[str] = field(default_factory=list)
    made: list[Path] = field(default_factory=list)  # a new ledger's folders and file, made by this opening
    inode: int | None = None  # the file the connection is on, for a writer


def open_for_reading(path: Path, *, missing_is_empty: bool) -> Opened:
    """A connection for a command that only reads: never creates, upgrades or changes the file. A
    ledger of an older schema is read through an upgraded copy in memory; so is none at all, when
    `missing_is_empty`. A ledger in a read-only folder is read as it stands (see `_read_only`)."""
    if not is_ledger_file(path):
        if not missing_is_empty:
            refuse_missing(path)
        return Opened(_in_memory(None), None,
                      ["note: " + _("there is no ledger at {path} yet; the file was checked against an empty one",
                                    path=path)])
    frozen = _frozen(path)
    log.refuse_a_foreign_log(path)
    wal = log.log_of(path)
    if frozen and wal.exists() and wal.stat().st_size > 0:
        raise LedgerError(_("the ledger's folder {folder} is read-only, and changes to the ledger wait in {wal}, "
                            "which SQLite can only read from a writable folder; copy the folder somewhere writable",
                            folder=path.parent, wal=wal))
    version = _schema_version(path, immutable=frozen)
    if version == migrations.LATEST:
        return Opened(_read_only(path) if frozen else connect(path, read_only=True))
    size = sum(p.stat().st_size for p in (path, wal) if p.exists())
    if size > MAX_UPGRADED_IN_MEMORY:
        raise LedgerError(_("{path} was written by an older topup-ledger (schema {version}) and is too large "
                            "({mebibytes} MiB) to read through an upgraded copy in memory; upgrade it first with any "
                            "command that changes it, such as `topup doctor --rebuild-index` (a copy of it as it was "
                            "is kept beside it)", path=path, version=version, mebibytes=size >> 20))
    notice = "note: " + _("{path} was written by an older topup-ledger (schema {version}); it was read through an "
                          "upgraded copy and left unchanged. The next command that changes it upgrades it, keeping a "
                          "copy of it as it was", path=path, version=version)
    return Opened(_in_memory(_read_only(path) if frozen else connect(path, read_only=True)), version, [notice])


OPEN_ATTEMPTS = 20  # a new ledger taken back by a refused command while this one opened it: open again


def open_for_writing(path: Path) -> Opened:
    """A connection for a command that writes, to a ledger created or upgraded first if need be; the
    caller checks, once it holds the write lock, that it is `still_named` at its path."""
    if _frozen(path):
        raise LedgerError(_("the ledger's folder {folder} is read-only, so nothing can be "
                            "logged or changed there (reading still works)", folder=path.parent))
    log.refuse_a_foreign_log(path)
    for _attempt in range(OPEN_ATTEMPTS):
        made = prepare(path)
        try:
            before = path.stat().st_ino
            conn = connect(path)
        except FileNotFoundError:  # taken back by a command that made it and then wrote nothing
            continue
        except sqlite3.Error as exc:
            if not path.exists():
                continue
            raise ledger_error(exc, path, "opened") from None
        if still_named(path, before):
            return Opened(conn, made=made, inode=before)
        conn.close()
    raise opened_too_often(path)


def opened_too_often(path: Path) -> LedgerError:
    return LedgerError(_("the ledger {path} kept being made and removed by other commands while this one opened "
                         "it; nothing was changed. Run the command again", path=path))


def still_named(path: Path, inode: int | None) -> bool:
    """Whether `path` still names the file a writer opened (checked once it holds the write lock: the
    command that made a new ledger takes it back, under that lock, when it wrote nothing)."""
    try:
        return path.stat().st_ino == inode
    except OSError:
        return False


def take_back(path: Path, inode: int | None) -> None:
    """Remove a new ledger while the write lock on it is still held, for a command that made it,
    found it empty once it held that lock, and then wrote nothing: a refused first command leaves
    nothing behind. A writer that opened it meanwhile finds it gone once it has the lock, and opens
    again."""
    if still_named(path, inode):
        path.unlink()


def clear_after_take_back(path: Path, made: list[Path]) -> None:
    """Once the connection to a ledger taken back is closed: its log files, unless a new ledger is
    already there again, and the folders made for it."""
    if not path.exists():
        for leftover in log.beside(path):
            leftover.unlink(missing_ok=True)
    remove_if_empty([folder for folder in made if folder != path])


def _frozen(path: Path) -> bool:
    """Whether the ledger's folder exists and this process cannot write in it."""
    return path.parent.exists() and not os.access(path.parent, os.W_OK)


def _in_memory(source: sqlite3.Connection | None) -> sqlite3.Connection:
    """A ledger of the current schema in memory: a copy of `source`, upgraded, or a new one."""
    memory = sqlite3.connect(":memory:", isolation_level=None)
    define_functions(memory)
    if source is not None:
        try:
            source.backup(memory)
        finally:
            source.close()
    memory.execute("PRAGMA foreign_keys = ON")
    migrations.upgrade(memory, after=_chain_found_state)
    return memory


def _create(path: Path) -> list[Path]:
    """A new ledger, made complete under a temporary name and then put in place, so that no process
    ever finds a half-made one: an empty file at a ledger's path is always a fault. Returns the
    folders made for it and the file, or nothing when another process put its own in place first."""
    import tempfile  # only here: reading commands should not pay for loading it

    for _attempt in range(OPEN_ATTEMPTS):
        try:
            folders = make_folder(path.parent)
            # Created 0600 before SQLite sees it: SQLite would make it readable by everyone.
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
            os.close(fd)
            break
        except FileNotFoundError:  # a folder made for a ledger a refused command took back just now
            continue
        except OSError as exc:
            raise LedgerError(_("the ledger {path} could not be created: {error}", path=path,
                                error=exc.strerror)) from None
    else:
        raise opened_too_often(path)
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
            return []  # another process made it first: theirs is just as new
        except OSError:  # a file system without hard links
            if path.exists():
                return []
            os.replace(new, path)
        return [*folders, path]
    except sqlite3.Error as exc:
        raise ledger_error(exc, path, "created") from None
    except OSError as exc:
        raise LedgerError(_("the ledger {path} could not be created: {error}", path=path,
                            error=exc.strerror)) from None
    finally:
        for leftover in (new, *log.beside(new)):
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
        raise NotALedger(_("{path} is an empty database: it holds no ledger. If your records should be there, "
                           "restore a backup; to start a new ledger at this path, remove the file first", path=path))
    if unmarked:
        raise NotALedger(_("{path} holds a topup ledger (schema {version}) without the marks that a copy made with "
                           "sqlite3's .dump leaves out (application_id, user_version); it was left untouched. "
                           "`topup --db {db} doctor --repair` writes them back, then checks every record",
                           path=path, version=unmarked, db=shell_word(str(path))))
    if app_id != migrations.APPLICATION_ID:
        raise NotALedger(_("{path} is an SQLite database of another program, not a topup ledger; it was left "
                           "untouched", path=path))
    if version > migrations.LATEST:
        raise SchemaTooNew(_("{path} was written by a newer topup-ledger (schema {version}; this one knows {latest}); "
                             "upgrade topup-ledger to use it. The file was left untouched", path=path, version=version,
                             latest=migrations.LATEST))
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
        raise NotALedger(_("{path} was left as it was: {problem}, so there is nothing to repair", path=path,
                           problem=problem.args[0] if problem.args else problem)) from None
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
        raise LedgerError(_("could not find a free name beside {path} for a copy before upgrading it", path=path))
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


def _read_only(path: Path) -> sqlite3.Connection:
    """A ledger in a folder this process cannot write: SQLite cannot keep its shared-memory index
    there, so the file is read as it stands, which is exact only while no changes wait in its
    write-ahead log (none do once every writer has closed it)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    define_functions(conn)
    return conn
