"""Reads of cards, records and receipts: what the use cases look up before they act or show.

Reading commands use these in a reading transaction and never load more than sqlite3; writing
ones in their own, so that a check and the write after it see the same state.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from ledger.domain.cards import CARD_COLUMNS, Card
from ledger.domain.fields import STORED, StoredTopup
from ledger.domain.receipts import KeptReceipt, ReceiptFile
from ledger.i18n import _
from ledger.store.types import (
    CardActivity,
    Credited,
    DamagedBlob,
    KeptText,
    LastTopup,
    Payment,
    ReceiptUse,
    RecordKey,
    RefMatch,
    StandingRecord,
    StatedBalance,
    ValidityFacts,
)

_CARDS = f"SELECT {', '.join(CARD_COLUMNS)} FROM card"
_STORED = f"SELECT {', '.join(f.column for f in STORED if f.column)} FROM topup"
LARGEST_ID = 2**63 - 1  # SQLite's largest integer: no id, count or limit is larger


def _card(row: tuple[object, ...]) -> Card:
    return dict(zip(CARD_COLUMNS, row, strict=True))  # type: ignore[return-value]


def _stored(row: tuple[object, ...]) -> StoredTopup:
    return dict(zip((f.column for f in STORED), row, strict=True))


def _ref_match(row: tuple[object, ...] | None) -> RefMatch | None:
    return None if row is None else RefMatch(*row)  # type: ignore[arg-type]


class Reads:
    """Reads of a `SqliteLedger`."""

    conn: sqlite3.Connection

    # ------------------------------------------------------------ cards

    def cards(self) -> list[Card]:
        return [_card(row) for row in self.conn.execute(f"{_CARDS} ORDER BY label_key")]

    def card(self, card_id: int) -> Card:
        return _card(self.conn.execute(f"{_CARDS} WHERE id = ?", (card_id,)).fetchone())

    def card_by_key(self, key: str) -> Card | None:
        row = self.conn.execute(f"{_CARDS} WHERE label_key = ?", (key,)).fetchone()
        return None if row is None else _card(row)

    def card_of(self, topup_id: int) -> Card | None:
        if not 0 <= topup_id <= LARGEST_ID:  # no such id could exist; SQLite cannot even compare it
            return None
        row = self.conn.execute(f"SELECT {', '.join('c.' + c for c in CARD_COLUMNS)} FROM card AS c "
                                "JOIN topup AS t ON t.card_id = c.id WHERE t.id = ?", (topup_id,)).fetchone()
        return None if row is None else _card(row)

    def card_activity(self, card_id: int) -> CardActivity:
        count, last = self.conn.execute("SELECT count(*), max(occurred_at_utc) FROM topup "
                                        "WHERE card_id = ? AND status != 'void'", (card_id,)).fetchone()
        return CardActivity(count, last)

    def last_credited_at(self, card_id: int) -> str | None:
        return self.conn.execute("SELECT max(occurred_at_utc) FROM topup WHERE card_id = ? AND status != 'void' "
                                 "AND outcome = 'credited'", (card_id,)).fetchone()[0]

    def card_has_records(self, card_id: int) -> bool:
        return self.conn.execute("SELECT 1 FROM topup WHERE card_id = ? LIMIT 1", (card_id,)).fetchone() is not None

    def card_version(self, card_id: int) -> int:
        """The version of a card's newest link (0 before its first)."""
        return self.conn.execute("SELECT coalesce(max(version), 0) FROM ledger_link WHERE card_id = ?",
                                 (card_id,)).fetchone()[0]

    def newest_card_content(self, card_id: int) -> str | None:
        row = self.conn.execute("SELECT content FROM ledger_link WHERE card_id = ? ORDER BY version DESC LIMIT 1",
                                (card_id,)).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------ records as stored

    def stored_topup(self, topup_id: int) -> StoredTopup | None:
        if not 0 <= topup_id <= LARGEST_ID:
            return None
        row = self.conn.execute(f"{_STORED} WHERE id = ?", (topup_id,)).fetchone()
        return None if row is None else _stored(row)

    def stored_topups(self) -> Iterator[StoredTopup]:
        cursor = self.conn.execute("SELECT * FROM topup ORDER BY id")  # every column, to compare with the chain
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def count_records(self) -> int:
        return self.conn.execute("SELECT count(*) FROM topup").fetchone()[0]

    def ids_with_ref(self, card_id: int, ref: str, exclude_id: int | None = None, *,
                     with_void: bool = False) -> list[int]:
        rows = self.conn.execute("SELECT id FROM topup WHERE card_id = ? AND ref = ? COLLATE NOCASE "
                                 "AND (status != 'void' OR ?) AND id != ?", (card_id, ref, with_void, exclude_id or 0))
        return [row[0] for row in rows]

    def ref_on_any_card(self, ref: str, prefer_card: int) -> RefMatch | None:
        return _ref_match(self.conn.execute(
            "SELECT t.id, c.label, t.outcome, t.status FROM topup AS t JOIN card AS c ON c.id = t.card_id "
            "WHERE t.ref = ? COLLATE NOCASE ORDER BY t.card_id != ?, t.status = 'void', t.id",
            (ref, prefer_card)).fetchone())

    def ref_extended_by(self, text: str, shortest: int) -> RefMatch | None:
        # Reads every record: for the rare refund no other way finds.
        return _ref_match(self.conn.execute(
            "SELECT t.id, c.label, t.outcome, t.status FROM topup AS t JOIN card AS c ON c.id = t.card_id "
            "WHERE length(t.ref) >= ? AND length(t.ref) < length(?) AND substr(?, 1, length(t.ref)) = t.ref "
            "ORDER BY length(t.ref) DESC, t.status = 'void', t.id", (shortest, text, text)).fetchone())

    def kept_texts(self, card_id: int, max_bytes: int) -> list[KeptText]:
        return [KeptText(topup_id, data) for topup_id, data in self.conn.execute(
            "SELECT r.topup_id, b.data FROM receipt AS r JOIN topup AS t ON t.id = r.topup_id "
            "JOIN blob AS b ON b.sha256 = r.sha256 WHERE t.card_id = ? AND t.status != 'void' "
            "AND r.media_type = 'text/plain' AND r.size <= ? ORDER BY r.topup_id, r.id", (card_id, max_bytes))]

    def same_amount_between(self, card_id: int, amount_minor: int, first_utc: str, last_utc: str,
                            exclude_id: int) -> list[int]:
        return [row[0] for row in self.conn.execute(
            "SELECT id FROM topup WHERE card_id = ? AND amount_minor = ? AND status != 'void' AND id != ? "
            "AND occurred_at_utc BETWEEN ? AND ? ORDER BY id",
            (card_id, amount_minor, exclude_id, first_utc, last_utc))]

    def standing_between(self, first_utc: str, last_utc: str) -> list[StandingRecord]:
        return [StandingRecord(*row) for row in self.conn.execute(
            "SELECT id, card_id, occurred_at_utc, amount_minor, paid_minor, outcome, ref, occurred_on FROM topup "
            "WHERE occurred_at_utc BETWEEN ? AND ? AND status != 'void' ORDER BY occurred_at_utc, id",
            (first_utc, last_utc))]

    def keys_between(self, first_utc: str, last_utc: str) -> list[RecordKey]:
        return [RecordKey(*row) for row in self.conn.execute(
            "SELECT card_id, occurred_at_utc, amount_minor, ref FROM topup WHERE occurred_at_utc BETWEEN ? AND ?",
            (first_utc, last_utc))]

    def last_topup(self, card_id: int) -> LastTopup | None:
        row = self.conn.execute("SELECT id, occurred_at_utc, amount_minor, channel, ref, outcome, occurred_on "
                                "FROM topup WHERE card_id = ? AND status != 'void' "
                                "ORDER BY occurred_at_utc DESC, id DESC LIMIT 1", (card_id,)).fetchone()
        return None if row is None else LastTopup(*row)

    def last_balance(self, card_id: int) -> StatedBalance | None:
        row = self.conn.execute("SELECT id, occurred_at_utc, balance_after_minor FROM topup WHERE card_id = ? "
                                "AND status != 'void' AND outcome = 'credited' AND balance_after_minor IS NOT NULL "
                                "ORDER BY occurred_at_utc DESC, id DESC LIMIT 1", (card_id,)).fetchone()
        return None if row is None else StatedBalance(*row)

    def credited_after(self, card_id: int, balance: StatedBalance) -> list[Credited]:
        # In the order `last_balance` picks the newest: by time, then by id at the same time.
        return [Credited(*row) for row in self.conn.execute(
            "SELECT id, amount_minor FROM topup WHERE card_id = ? AND status != 'void' AND outcome = 'credited' "
            "AND (occurred_at_utc > ? OR (occurred_at_utc = ? AND id > ?)) ORDER BY occurred_at_utc, id",
            (card_id, balance.occurred_at_utc, balance.occurred_at_utc, balance.id))]

    def payments_between(self, card_id: int, first_utc: str, before_utc: str, channels: tuple[str, ...] = (),
                         besides: int | None = None) -> list[Payment]:
        marks = ", ".join("?" * len(channels))
        by_channel = f"AND channel IN ({marks})" if channels else ""
        return [Payment(*row) for row in self.conn.execute(
            "SELECT occurred_at_utc, amount_minor FROM topup WHERE card_id = ? AND status != 'void' "
            f"AND outcome IN ('credited', 'pending') AND occurred_at_utc >= ? AND occurred_at_utc < ? {by_channel} "
            "AND id IS NOT ? ORDER BY occurred_at_utc, id", (card_id, first_utc, before_utc, *channels, besides))]

    def pending_ids(self, card_id: int) -> list[int]:
        return [row[0] for row in self.conn.execute(
            "SELECT id FROM topup WHERE card_id = ? AND status != 'void' AND outcome = 'pending' ORDER BY id",
            (card_id,))]

    def validity_facts(self, card_id: int | None = None) -> list[ValidityFacts]:
        newest_stated = ("SELECT {} FROM topup AS s WHERE s.card_id = c.id AND s.status != 'void' "
                         "AND s.outcome = 'credited' AND s.valid_until IS NOT NULL "
                         "ORDER BY s.occurred_at_utc DESC, s.id DESC LIMIT 1")
        return [ValidityFacts(*row) for row in self.conn.execute(
            f"""
            SELECT c.label, c.kind, c.number, c.validity_days, ({newest_stated.format("s.valid_until")}),
                   ({newest_stated.format("s.occurred_at_utc")}), max(t.occurred_at_utc)
              FROM card AS c JOIN topup AS t ON t.card_id = c.id
             WHERE c.retired_at_utc IS NULL AND t.status != 'void' AND t.outcome = 'credited'
               AND (? IS NULL OR c.id = ?)
             GROUP BY c.id
            """, (card_id, card_id))]

    # ------------------------------------------------------------ receipts

    def kept_receipts(self, topup_id: int) -> list[KeptReceipt]:
        return [KeptReceipt(*row) for row in self.conn.execute(
            "SELECT sha256, name, size, media_type FROM receipt WHERE topup_id = ? ORDER BY id", (topup_id,))]

    def receipt_files(self, topup_id: int) -> list[ReceiptFile]:
        return [ReceiptFile(name, bytes(data), sha256, media_type) for name, sha256, media_type, data in
                self.conn.execute("SELECT r.name, r.sha256, r.media_type, b.data FROM receipt AS r "
                                  "JOIN blob AS b ON b.sha256 = r.sha256 WHERE r.topup_id = ? ORDER BY r.id",
                                  (topup_id,))]

    def receipts_by_record(self) -> dict[int, list[KeptReceipt]]:
        found: dict[int, list[KeptReceipt]] = {}
        for topup_id, *kept in self.conn.execute("SELECT topup_id, sha256, name, size, media_type FROM receipt "
                                                 "ORDER BY id"):
            found.setdefault(topup_id, []).append(KeptReceipt(*kept))
        return found

    def damaged_blobs(self) -> Iterator[DamagedBlob]:
        import hashlib

        for sha256, size, data in self.conn.execute("SELECT sha256, size, data FROM blob"):
            if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
                uses = self.conn.execute("SELECT topup_id, name FROM receipt WHERE sha256 = ?", (sha256,))
                yield DamagedBlob(sha256, [ReceiptUse(*use) for use in uses])

    # ------------------------------------------------------------ the file as a whole

    def integrity_problems(self) -> list[str]:
        found = [row[0] for row in self.conn.execute("PRAGMA integrity_check") if row[0] != "ok"]  # SQLite's words
        for table, rowid, parent, _key in self.conn.execute("PRAGMA foreign_key_check"):
            found.append(_("{table} row {rowid} points to a missing {parent}", table=table, rowid=rowid, parent=parent))
        return found

    def schema_problems(self) -> list[str]:
        from ledger.store.sqlite.structure import problems

        return problems(self.conn)
