"""Writes inside a use case's transaction. Nothing here commits: `db.transaction` does.

Single records and their receipt files go through the SQLModel session of the transaction;
cards, and an import's thousands of rows, through plain sqlite3. Either way every change to a
record becomes a link of the hash chain through `append_links`, the chain's only writer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from ledger.domain import chain
from ledger.domain.cards import CARD_COLUMNS, Card
from ledger.domain.fields import STORED, StoredTopup
from ledger.domain.receipts import ReceiptFile
from ledger.store import reads, search
from ledger.store.db import Tx

# (what the link is about: a record's or card's id, or None for the whole ledger; its version;
# action; reason; UTC time; the content of `chain.content`, `chain.card_content` or `chain.found_content`)
NewLink = tuple[int | None, int, str, str | None, str, str]


def append_links(conn: sqlite3.Connection, links: Iterable[NewLink], *, of_records: bool = True) -> None:
    """Append each change to the hash chain, in order, and move the chain's head to the last one.

    The only code that writes links: log, amend, void, receipts, imports, cards, upgrades and the
    benchmark's generator all come here, so every link is made the same way. Links of records go
    to `topup_version`; the others (`of_records=False`: cards', and the ledger's own) to
    `ledger_link`. All take their places from one sequence, the chain's order."""
    head = conn.execute("SELECT seq, digest FROM chain_head").fetchone()
    last_seq, prev = head if head else (0, chain.GENESIS)
    first = prev

    def rows() -> Iterator[tuple[Any, ...]]:
        nonlocal prev, last_seq
        for subject_id, version, action, reason, at_utc, content in links:
            digest = chain.link_digest(prev, content)
            last_seq += 1
            yield subject_id, last_seq, version, action, reason, at_utc, content, prev, digest
            prev = digest

    table, subject = ("topup_version", "topup_id") if of_records else ("ledger_link", "card_id")
    conn.executemany(f"INSERT INTO {table} ({subject}, seq, version, action, reason, recorded_at_utc, content, "
                     "prev_digest, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    if prev == first:
        return
    conn.execute("INSERT INTO chain_head (id, seq, digest) VALUES (1, ?, ?) "
                 "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, digest = excluded.digest", (last_seq, prev))


def record_version(tx: Tx, row: StoredTopup, action: str, reason: str | None, at_utc: str) -> None:
    """Chain a record's state as stored now (its receipts included) as its newest link."""
    tx.session.flush()
    content = chain.content(row, reads.receipt_list(tx.conn, row["id"]), (action, reason, at_utc))
    append_links(tx.conn, [(row["id"], row["version"], action, reason, at_utc, content)])


def chain_found_state(conn: sqlite3.Connection, at_utc: str) -> None:
    """Right after the upgrade that began chaining cards, inside its transaction: a first link for
    every card as found, and one for what the older links never covered, so that from then on a
    change to any of it is caught."""
    _chain_cards(conn, sorted(card["id"] for card in reads.all_cards(conn)), "found", at_utc)
    found = chain.found_state(reads.unchained_link_facts(conn, chain.SCHEME_TAG),
                              reads.unchained_receipt_facts(conn, None))
    if found["links"]["count"] or found["receipts"]["count"]:
        change = ("found", "what the ledger held when it was upgraded to chain cards and changes", at_utc)
        append_links(conn, [(None, 1, *change, chain.found_content(found, change))], of_records=False)


# ---------------------------------------------------------------- cards


def _chain_cards(conn: sqlite3.Connection, card_ids: list[int], action: str, at_utc: str) -> None:
    def links() -> Iterator[NewLink]:
        for card_id in card_ids:
            version = reads.card_version(conn, card_id) + 1
            content = chain.card_content(reads.card_by_id(conn, card_id), version, (action, None, at_utc))
            yield card_id, version, action, None, at_utc, content

    append_links(conn, list(links()), of_records=False)


def insert_card(conn: sqlite3.Connection, card: dict[str, Any], action: str = "add") -> int:
    """Add a card from the columns given (all but the id) and chain it; returns its id. Plain SQL,
    because an import creates cards too and must not wait for SQLAlchemy to load."""
    columns = [column for column in CARD_COLUMNS if column != "id" and column in card]
    cursor = conn.execute(f"INSERT INTO card ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                          [card[column] for column in columns])
    assert cursor.lastrowid is not None
    _chain_cards(conn, [cursor.lastrowid], action, card["created_at_utc"])
    return cursor.lastrowid


def update_card(conn: sqlite3.Connection, card: Card, action: str, at_utc: str) -> None:
    """Store a card's new settings and chain them."""
    columns = [column for column in CARD_COLUMNS if column != "id"]
    conn.execute(f"UPDATE card SET {', '.join(f'{column} = ?' for column in columns)} WHERE id = ?",
                 [*(card[column] for column in columns), card["id"]])  # type: ignore[literal-required]
    _chain_cards(conn, [card["id"]], action, at_utc)


# ---------------------------------------------------------------- records


def stored_topup(tx: Tx, topup_id: int) -> StoredTopup:
    """A record's columns as stored, to change them."""
    from ledger.store.models import Topup

    topup = tx.session.get(Topup, topup_id) if 0 <= topup_id <= reads.LARGEST_ID else None
    if topup is None:
        raise reads.no_record(topup_id)
    return {field.column: getattr(topup, field.column) for field in STORED if field.column}


def insert_topup(tx: Tx, row: StoredTopup) -> StoredTopup:
    """Add a record (its columns but the id); returns it with its id."""
    from ledger.store.models import Topup

    topup = Topup(**{column: value for column, value in row.items() if column != "id"})
    tx.session.add(topup)
    tx.session.flush()
    return {**row, "id": topup.id}


def update_topup(tx: Tx, row: StoredTopup) -> None:
    from ledger.store.models import Topup

    topup = tx.session.get(Topup, row["id"])
    for column, value in row.items():
        setattr(topup, column, value)
    tx.session.add(topup)
    tx.session.flush()


def attach_receipts(tx: Tx, topup_id: int, files: list[ReceiptFile], at_utc: str) -> int:
    """Store receipt files for a record; the bytes are kept once per digest. Returns how many were new."""
    from ledger.store.models import Blob, Receipt

    session = tx.session
    session.flush()
    added = 0
    seen = {receipt[0] for receipt in reads.receipt_list(tx.conn, topup_id)}
    for file in files:
        if file.sha256 in seen:
            continue
        seen.add(file.sha256)
        if session.get(Blob, file.sha256) is None:
            session.add(Blob(sha256=file.sha256, size=file.size, data=file.data))
        session.add(Receipt(topup_id=topup_id, sha256=file.sha256, name=file.name,
                            media_type=file.media_type, size=file.size, added_at_utc=at_utc))
        added += 1
    session.flush()
    return added


# ---------------------------------------------------------------- bulk


def prepare_for_bulk(conn: sqlite3.Connection) -> None:
    """Before a bulk write: the indexes take new rows all over, and 64 MiB of page cache keeps the
    pages they touch in memory until the commit, instead of writing each one to the WAL again and again."""
    conn.execute(f"PRAGMA cache_size = -{64 * 1024}")


def insert_many(conn: sqlite3.Connection, rows: list[StoredTopup], action: str, at_utc: str) -> None:
    """Add many records at once, each with its first link in the hash chain. Rows keep the id they
    carry; the text index takes them in one statement rather than one trigger call per row."""
    columns = [field.column for field in STORED if field.column]
    # The insert trigger is dropped and made again from its own stored SQL inside this transaction,
    # so no other writer ever sees the ledger without it.
    (trigger,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'topup_fts_insert'"
                              ).fetchone()
    conn.execute("DROP TRIGGER topup_fts_insert")
    conn.executemany(f"INSERT INTO topup ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                     ([row[column] for column in columns] for row in rows))
    search.index_rows(conn, json.dumps([row["id"] for row in rows]))
    conn.execute(trigger)
    scheme = chain.current_scheme()
    chained = chain.chained_columns(scheme)
    change = (action, None, at_utc)
    append_links(conn, ((row["id"], row["version"], *change, chain.content(row, (), change, scheme, chained))
                        for row in rows))


def next_free_ids(conn: sqlite3.Connection, wanted: list[int | None]) -> list[int]:
    """Ids for new records: the wanted ones when all are given, distinct and free; else the next ones."""
    taken = {row[0] for row in conn.execute("SELECT id FROM topup")}
    if None not in wanted and len(set(wanted)) == len(wanted) and not taken & set(wanted):
        return wanted  # type: ignore[return-value]
    start = (max(taken) if taken else 0) + 1
    return list(range(start, start + len(wanted)))
