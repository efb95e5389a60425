"""Reads on a plain sqlite3 connection: what commands look up before they act.

Reading commands use these through `db.connection()` and never load SQLAlchemy; writing ones pass
their session's own connection (`db.raw()`), so a check and the write that follows it see the
same transaction.
"""

from __future__ import annotations

import difflib
import shlex
import sqlite3
from typing import Any

from ledger.errors import NotFound
from ledger.records import record_from_row, record_select
from ledger.values import label_key

CARD_COLUMNS = ("id", "label", "label_key", "kind", "number", "region", "currency", "issuer", "max_topup_minor",
                "max_balance_minor", "validity_days", "retired_at_utc", "created_at_utc")


def _no_record(topup_id: int) -> NotFound:
    return NotFound(f"there is no record {topup_id}; `topup search` lists the records")


def get_record(conn: sqlite3.Connection, topup_id: int) -> dict[str, Any]:
    """One record with the contract's fields."""
    row = conn.execute(record_select() + " WHERE t.id = ?", (topup_id,)).fetchone()
    if row is None:
        raise _no_record(topup_id)
    return record_from_row(row)


def card_of(conn: sqlite3.Connection, topup_id: int) -> dict[str, Any]:
    """The card a record belongs to."""
    row = conn.execute(f"SELECT {', '.join('c.' + c for c in CARD_COLUMNS)} FROM card AS c "
                       "JOIN topup AS t ON t.card_id = c.id WHERE t.id = ?", (topup_id,)).fetchone()
    if row is None:
        raise _no_record(topup_id)
    return dict(zip(CARD_COLUMNS, row, strict=True))


def all_cards(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT {', '.join(CARD_COLUMNS)} FROM card ORDER BY label_key")
    return [dict(zip(CARD_COLUMNS, row, strict=True)) for row in rows]


def find_card(conn: sqlite3.Connection, label: str) -> dict[str, Any]:
    """The card with this label, compared case-insensitively; refuses with the closest labels."""
    row = conn.execute(f"SELECT {', '.join(CARD_COLUMNS)} FROM card WHERE label_key = ?",
                       (label_key(label),)).fetchone()
    if row is not None:
        return dict(zip(CARD_COLUMNS, row, strict=True))
    by_key = {key: known for known, key in conn.execute("SELECT label, label_key FROM card")}
    close = difflib.get_close_matches(label_key(label), list(by_key), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(by_key[key] for key in close)}?" if close else ""
    raise NotFound(f"there is no card {label!r}.{hint} To add it: topup card add {shlex.quote(label)} --kind sim|smart")


def records_with_ref(conn: sqlite3.Connection, card_id: int, ref: str, exclude_id: int | None = None) -> list[int]:
    """Records of a card (not voided) that already carry this receipt reference."""
    rows = conn.execute(
        "SELECT id FROM topup WHERE card_id = ? AND ref = ? COLLATE NOCASE AND status != 'void' AND id != ?",
        (card_id, ref, exclude_id or 0),
    )
    return [row[0] for row in rows]


def receipt_list(conn: sqlite3.Connection, topup_id: int) -> list[tuple[str, str, int]]:
    """(sha256, name, size) of a record's receipt files, in the order they were added."""
    return conn.execute("SELECT sha256, name, size FROM receipt WHERE topup_id = ? ORDER BY id", (topup_id,)).fetchall()


def receipt_files(conn: sqlite3.Connection, topup_id: int) -> list[tuple[str, str, bytes]]:
    """(name, sha256, bytes) of a record's receipt files."""
    return conn.execute("SELECT r.name, r.sha256, b.data FROM receipt AS r JOIN blob AS b ON b.sha256 = r.sha256 "
                        "WHERE r.topup_id = ? ORDER BY r.id", (topup_id,)).fetchall()


def versions(conn: sqlite3.Connection, topup_id: int) -> list[dict[str, Any]]:
    """Every version of a record, oldest first, with its place in the hash chain."""
    columns = ("version", "action", "reason", "recorded_at_utc", "content", "prev_digest", "digest")
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM topup_version WHERE topup_id = ? ORDER BY version",
                        (topup_id,))
    return [dict(zip(columns, row, strict=True)) for row in rows]
