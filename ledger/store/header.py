"""What the ledger file's header says, and the marks in it that a copy made with `.dump` loses."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ledger.errors import NotALedger, NotFound
from ledger.store import migrations
from ledger.store.db import connect, ledger_error


def journal_mode(path: Path) -> str:
    """The journal mode written in the file's header, read without opening it for SQL."""
    with path.open("rb") as file:
        header = file.read(20)
    return "wal" if header[18:20] == b"\x02\x02" else "delete"


def repair_marks(path: Path) -> int | None:
    """Write back the application id and schema version of a ledger copied without them (sqlite3's
    `.dump`), and turn on its write-ahead log as in every ledger; returns the schema version, or None
    when the marks were already there. Anything but an exact ledger schema is refused unchanged."""
    if not path.is_file():
        raise NotFound(f"there is no ledger file at {path} to repair")
    conn = connect(path)
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID:
            return None
        try:
            version = migrations.restore_marks(conn)
        except ValueError as problem:
            raise NotALedger(f"{path} was left untouched: {problem}, so there is nothing to repair") from None
        conn.execute("PRAGMA journal_mode = WAL")
        return version
    except sqlite3.Error as exc:
        raise ledger_error(exc, path, "repaired") from None
    finally:
        conn.close()
