"""Writes inside a transaction; nothing here commits (the transaction does).

One path for every writer: a record logged, amended or given a receipt, an import's thousands of
rows, a card, a seal. Every change to a record or a card becomes a link of the hash chain through
`append_links`, the chain's only writer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator

from ledger.domain import chain
from ledger.domain.cards import CARD_COLUMNS, Card
from ledger.domain.chain import GENESIS, NewLink
from ledger.domain.fields import STORED, StoredTopup
from ledger.domain.receipts import ReceiptFile
from ledger.store.chaining import Chaining
from ledger.store.sqlite.chain import ChainReads
from ledger.store.sqlite.reads import Reads
from ledger.store.sqlite.search import SEARCH_BODY
from ledger.store.types import IssuedSeal

_COLUMNS = [field.column for field in STORED if field.column]


class Writes(Reads, ChainReads, Chaining):
    """Writes of a `SqliteLedger`."""

    conn: sqlite3.Connection

    def append_links(self, links: Iterable[NewLink], *, of_records: bool = True) -> None:
        """Append each change to the hash chain, in order, and move the chain's head to the last one.

        The only code that writes links: log, amend, void, receipts, imports, cards, upgrades and the
        benchmark's generator all come here, so every link is made the same way. Links of records go
        to `topup_version`; the others (cards', and the ledger's own) to `ledger_link`. All take their
        places from one sequence, the chain's order."""
        head = self.conn.execute("SELECT seq, digest FROM chain_head").fetchone()
        last_seq, prev = head if head else (0, GENESIS)
        first = prev

        def rows() -> Iterator[tuple[object, ...]]:
            nonlocal prev, last_seq
            for link in links:
                digest = chain.link_digest(prev, link.content)
                last_seq += 1
                yield (link.subject_id, last_seq, link.version, link.action, link.reason, link.at_utc, link.content,
                       prev, digest)
                prev = digest

        table, subject = ("topup_version", "topup_id") if of_records else ("ledger_link", "card_id")
        self.conn.executemany(f"INSERT INTO {table} ({subject}, seq, version, action, reason, recorded_at_utc, "
                              "content, prev_digest, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
        if prev == first:
            return
        self.conn.execute("INSERT INTO chain_head (id, seq, digest) VALUES (1, ?, ?) "
                          "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, digest = excluded.digest",
                          (last_seq, prev))

    # ------------------------------------------------------------ cards

    def add_card(self, card: Card, action: str, at_utc: str) -> int:
        columns = [column for column in CARD_COLUMNS if column != "id" and column in card]
        cursor = self.conn.execute(f"INSERT INTO card ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                                   [card[column] for column in columns])  # type: ignore[literal-required]
        assert cursor.lastrowid is not None
        self.chain_cards([cursor.lastrowid], action, at_utc)
        return cursor.lastrowid

    def update_card(self, card: Card, action: str, at_utc: str) -> None:
        columns = [column for column in CARD_COLUMNS if column != "id"]
        self.conn.execute(f"UPDATE card SET {', '.join(f'{column} = ?' for column in columns)} WHERE id = ?",
                          [*(card[column] for column in columns), card["id"]])  # type: ignore[literal-required]
        self.chain_cards([card["id"]], action, at_utc)

    # ------------------------------------------------------------ records

    def add_topup(self, row: StoredTopup) -> int:
        columns = [column for column in _COLUMNS if column != "id"]
        cursor = self.conn.execute(f"INSERT INTO topup ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                                   [row[column] for column in columns])
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update_topup(self, row: StoredTopup) -> None:
        columns = [column for column in _COLUMNS if column != "id"]
        self.conn.execute(f"UPDATE topup SET {', '.join(f'{column} = ?' for column in columns)} WHERE id = ?",
                          [*(row[column] for column in columns), row["id"]])

    def add_receipts(self, topup_id: int, files: list[ReceiptFile], at_utc: str) -> int:
        seen = {kept.sha256 for kept in self.kept_receipts(topup_id)}
        added = 0
        for file in files:
            if file.sha256 in seen:
                continue
            seen.add(file.sha256)
            self.conn.execute("INSERT INTO blob (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                              (file.sha256, file.size, file.data))
            self.conn.execute("INSERT INTO receipt (topup_id, sha256, name, media_type, size, added_at_utc) "
                              "VALUES (?, ?, ?, ?, ?, ?)",
                              (topup_id, file.sha256, file.name, file.media_type, file.size, at_utc))
            added += 1
        return added

    def add_topups(self, rows: list[StoredTopup], action: str, at_utc: str) -> None:
        # The indexes take new rows all over: 64 MiB of page cache keeps the pages they touch in
        # memory until the commit, instead of writing each one to the WAL again and again.
        self.conn.execute(f"PRAGMA cache_size = -{64 * 1024}")
        # The insert trigger is dropped and made again from its own stored SQL inside this transaction,
        # so no other writer ever sees the ledger without it; the rows are indexed in one statement
        # rather than one trigger call each.
        (trigger,) = self.conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                       "AND name = 'topup_fts_insert'").fetchone()
        self.conn.execute("DROP TRIGGER topup_fts_insert")
        self.conn.executemany(f"INSERT INTO topup ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                              ([row[column] for column in _COLUMNS] for row in rows))
        self.conn.execute(f"INSERT INTO topup_fts (rowid, body) SELECT t.id, {SEARCH_BODY} FROM topup AS t "
                          "JOIN json_each(?) AS new ON new.value = t.id", (json.dumps([row["id"] for row in rows]),))
        self.conn.execute(trigger)
        self.chain_first_versions(rows, action, at_utc)

    def free_ids(self, wanted: list[int | None]) -> list[int]:
        taken = {row[0] for row in self.conn.execute("SELECT id FROM topup")}
        if None not in wanted and len(set(wanted)) == len(wanted) and not taken & set(wanted):
            return wanted  # type: ignore[return-value]
        start = (max(taken) if taken else 0) + 1
        return list(range(start, start + len(wanted)))

    # ------------------------------------------------------------ seals

    def add_seal(self, seal: IssuedSeal, statement_sha256: str) -> None:
        self.conn.execute("INSERT INTO seal (links, head_seq, head_digest, sealed_at_utc, statement_sha256) "
                          "VALUES (?, ?, ?, ?, ?)",
                          (seal.links, seal.head_seq, seal.head_digest, seal.sealed_at_utc, statement_sha256))


def chain_found_state(conn: sqlite3.Connection, at_utc: str) -> None:
    """Inside the upgrade that began chaining cards, on its connection: `Chaining.chain_found`."""
    _Upgrading(conn).chain_found(at_utc)


class _Upgrading(Writes):
    """The writes an upgrade makes on the connection it upgrades."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
