"""A quick read-only look into a ledger file, for shell completion: no upgrade, no lock, no error.

Completion runs at every Tab press, so it must be fast and must never change or refuse anything:
a missing, locked, older or foreign file simply completes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ledger.errors import LedgerError
from ledger.store.interface import CardName, Peek, RecentRecord
from ledger.store.sqlite.header import is_ledger_file

_ID_DIGITS = 12  # record ids are not longer than this


@contextmanager
def peek(path: Path) -> Iterator[Peek | None]:
    """A look into the ledger at `path`, or None when there is none to read."""
    try:
        if not is_ledger_file(path):
            raise FileNotFoundError(path)
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.2)
    except (LedgerError, OSError, sqlite3.Error):
        yield None
        return
    try:
        yield _Peek(conn)
    finally:
        conn.close()


class _Peek(Peek):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def card_names(self) -> list[CardName]:
        with suppress(sqlite3.Error):
            return [CardName(*row) for row in self.conn.execute(
                "SELECT label, kind, retired_at_utc IS NOT NULL FROM card ORDER BY retired_at_utc IS NOT NULL, label")]
        return []

    def newest_records(self, id_prefix: str, limit: int) -> list[RecentRecord]:
        if id_prefix.startswith("0"):
            return []
        # The ids that begin with 12 are 12, 120–129, 1200–1299 …: ranges the primary key walks newest
        # first, the ranges of longer ids first, until enough are found.
        first = int(id_prefix) if id_prefix else None
        ranges = ([(first * 10 ** n, first * 10 ** n + 10 ** n - 1) for n in range(_ID_DIGITS - len(id_prefix), -1, -1)]
                  if first is not None else [(1, 10 ** _ID_DIGITS)])
        # The amount only where the ledger has its `records` view (schema 7 on).
        for select in ("SELECT id, card, amount || ' ' || currency FROM records",
                       "SELECT t.id AS id, c.label, '' FROM topup AS t JOIN card AS c ON c.id = t.card_id"):
            with suppress(sqlite3.Error):
                found: list[RecentRecord] = []
                for low, high in ranges:
                    found += [RecentRecord(*row) for row in self.conn.execute(
                        f"SELECT * FROM ({select}) WHERE id BETWEEN ? AND ? ORDER BY id DESC LIMIT ?",
                        (low, high, limit - len(found)))]
                    if len(found) == limit:
                        break
                return found
        return []
