"""One transaction on a ledger file: the store's interface (`store.interface.Ledger`) on SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ledger.errors import SchemaTooNew
from ledger.i18n import _
from ledger.store.interface import Ledger
from ledger.store.location import Location
from ledger.store.sqlite import db, log, migrations
from ledger.store.sqlite.errors import is_refusal, ledger_error, raising_ours
from ledger.store.sqlite.header import journal_mode
from ledger.store.sqlite.search import Finding
from ledger.store.sqlite.writes import Writes
from ledger.store.types import StoreFacts


@raising_ours(path_of=lambda ledger: ledger.path, doing_of=lambda ledger: ledger._doing())
class SqliteLedger(Writes, Finding, Ledger):
    """One transaction on the ledger file at `path`.

    The file is opened when the transaction first needs it, so input refused before that leaves
    no trace, not even a new file. A reading transaction holds one snapshot while others write; a
    writing one begins IMMEDIATE, so it waits for the write lock instead of failing when a read
    turns into a write."""

    def __init__(self, path: Path, write: bool, missing_is_empty: bool = False) -> None:
        self.location = Location(path=path)
        self.path, self.write, self.missing_is_empty = path, write, missing_is_empty
        self._conn: sqlite3.Connection | None = None
        self.made: list[Path] = []  # a new ledger made by this transaction, taken back if it writes nothing
        self.inode: int | None = None  # the ledger file this writing transaction holds
        self.older_schema: int | None = None
        self.notices: list[str] = []

    @property
    def conn(self) -> sqlite3.Connection:
        for _attempt in range(db.OPEN_ATTEMPTS):
            if self._conn is not None:
                return self._conn
            opened = db.open_for_writing(self.path) if self.write else db.open_for_reading(
                self.path, missing_is_empty=self.missing_is_empty)
            conn = opened.conn
            try:
                conn.execute("BEGIN IMMEDIATE" if self.write else "BEGIN")
                if self.write and not db.still_named(self.path, opened.inode):
                    conn.close()  # a new ledger taken back while this waited: open it again
                    continue
                # A newer topup-ledger may have upgraded the file while this one waited for the lock.
                if self.write and conn.execute("PRAGMA user_version").fetchone()[0] != migrations.LATEST:
                    raise SchemaTooNew(_("{path} was upgraded by a newer topup-ledger just now; "
                                         "upgrade topup-ledger to use it. Nothing was changed", path=self.path))
                # Another command may have written to a ledger this one made, before this one had the lock:
                # then it is no longer this command's to take back.
                if opened.made and conn.execute("SELECT count(*) FROM chain_head").fetchone()[0]:
                    opened.made = []
            except (sqlite3.Error, SchemaTooNew):
                conn.close()
                raise
            self._conn, self.older_schema, self.notices = conn, opened.older_schema, opened.notices
            self.made, self.inode = opened.made, opened.inode
        if self._conn is None:
            raise db.opened_too_often(self.path)
        return self._conn

    @property
    def schema(self) -> int:
        return migrations.LATEST  # an older file is read through a copy upgraded to it

    def bring_up_to_date(self) -> None:
        assert self.write
        self.conn  # noqa: B018 - opening the connection is what prepares the file

    def facts(self) -> StoreFacts:
        conn = self.conn  # opened first: then it is known whether an older file is read through a copy

        def one(sql: str) -> int:
            return conn.execute(sql).fetchone()[0]

        journal = journal_mode(self.path) if self.older_schema is not None else conn.execute(
            "PRAGMA journal_mode").fetchone()[0]  # read through an upgraded copy: that of the file itself
        return StoreFacts(
            schema_version=self.older_schema or one("PRAGMA user_version"), engine="sqlite",
            engine_version=sqlite3.sqlite_version, journal_mode=journal,
            cards=one("SELECT count(*) FROM card"), records=one("SELECT count(*) FROM topup"),
            void_records=one("SELECT count(*) FROM topup WHERE status = 'void'"),
            receipt_files=one("SELECT count(*) FROM receipt"),
            receipt_bytes=one("SELECT coalesce(sum(size), 0) FROM blob"))

    def copy_to_file(self, target: Path, shown: Path) -> None:
        db.copy_database(self.conn, target, shown=shown, new=False)

    def _doing(self) -> str:
        return "used" if self.write else "read"


def _settled(conn: sqlite3.Connection, path: Path) -> bool:
    """Whether the file alone now holds the change just committed (see `log.settle`). The change is
    committed either way: a log that cannot be emptied now is emptied by the next write."""
    try:
        return log.settle(conn, path)
    except (sqlite3.Error, OSError):
        return False


@contextmanager
def transaction(path: Path, *, write: bool = False, missing_is_empty: bool = False) -> Iterator[SqliteLedger]:
    """A transaction on the ledger at `path` for the block: a writing one commits only if the block
    succeeds; closing without COMMIT rolls everything back."""
    ledger = SqliteLedger(path, write, missing_is_empty)
    try:
        try:
            yield ledger
        except BaseException:
            if ledger.made and ledger._conn is not None:
                with suppress(OSError):
                    db.take_back(path, ledger.inode)  # still under the write lock: nothing was committed
                ledger._conn.close()
                with suppress(OSError):
                    db.clear_after_take_back(path, ledger.made)
            raise
        if write and ledger._conn is not None:
            ledger._conn.execute("COMMIT")
            if not _settled(ledger._conn, path):
                ledger.notices.append("warning: " + _(
                    "another program is reading an older state of the ledger, so this change waits in {log} until "
                    "it stops; until then a copy of {path} alone lacks it: copy with `topup backup`, or copy {log} "
                    "with it", log=log.log_of(path), path=path))
    except sqlite3.Error as exc:
        if is_refusal(exc):
            raise ledger_error(exc, path, ledger._doing()) from None
        raise
    finally:
        if ledger._conn is not None:
            ledger._conn.close()
