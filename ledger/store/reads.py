"""Reads on a plain sqlite3 connection: what the use cases look up before they act or show.

Reading commands use these on a reading `Tx` and never load SQLAlchemy; writing ones use them on
their own transaction's connection, so that a check and the write after it see the same state.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Iterator
from typing import Any

from ledger.domain.cards import CARD_COLUMNS, Card
from ledger.domain.fields import Record
from ledger.domain.values import label_key, shell_word
from ledger.errors import NotFound
from ledger.store.projection import record_from_row, record_select

_CARDS = f"SELECT {', '.join(CARD_COLUMNS)} FROM card"


LARGEST_ID = 2**63 - 1  # SQLite's largest integer: no id, count or limit is larger


def no_record(topup_id: int) -> NotFound:
    return NotFound(f"there is no record {topup_id}; `topup search` lists the records")


def _card(row: Any) -> Card:
    return dict(zip(CARD_COLUMNS, row, strict=True))  # type: ignore[return-value]


# ---------------------------------------------------------------- cards


def all_cards(conn: sqlite3.Connection) -> list[Card]:
    return [_card(row) for row in conn.execute(f"{_CARDS} ORDER BY label_key")]


def find_card(conn: sqlite3.Connection, label: str) -> Card:
    """The card with this label, compared case-insensitively; refuses with the closest labels."""
    row = conn.execute(f"{_CARDS} WHERE label_key = ?", (label_key(label),)).fetchone()
    if row is not None:
        return _card(row)
    by_key = {key: known for known, key in conn.execute("SELECT label, label_key FROM card")}
    close = difflib.get_close_matches(label_key(label), list(by_key), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(by_key[key] for key in close)}?" if close else ""
    raise NotFound(f"there is no card {label!r}.{hint} To add it: topup card add {shell_word(label)} --kind sim|smart")


def card_of(conn: sqlite3.Connection, topup_id: int) -> Card:
    """The card a record belongs to."""
    row = conn.execute(f"SELECT {', '.join('c.' + c for c in CARD_COLUMNS)} FROM card AS c "
                       "JOIN topup AS t ON t.card_id = c.id WHERE t.id = ?", (topup_id,)).fetchone()
    if row is None:
        raise no_record(topup_id)
    return _card(row)


def card_by_id(conn: sqlite3.Connection, card_id: int) -> Card:
    return _card(conn.execute(f"{_CARDS} WHERE id = ?", (card_id,)).fetchone())


def card_label(conn: sqlite3.Connection, card_id: int | None) -> str | None:
    row = conn.execute("SELECT label FROM card WHERE id = ?", (card_id,)).fetchone()
    return row[0] if row else None


def card_version(conn: sqlite3.Connection, card_id: int) -> int:
    """The version of a card's newest link (0 before its first)."""
    return conn.execute("SELECT coalesce(max(version), 0) FROM ledger_link WHERE card_id = ?", (card_id,)).fetchone()[0]


def label_owner(conn: sqlite3.Connection, key: str, other_than: int | None) -> str | None:
    """The label of another card that already has this label key."""
    row = conn.execute("SELECT label FROM card WHERE label_key = ? AND id IS NOT ?", (key, other_than)).fetchone()
    return row[0] if row else None


def card_activity(conn: sqlite3.Connection, card_id: int) -> tuple[int, str | None]:
    """How many records a card has (void ones aside) and when the newest happened."""
    count, last = conn.execute("SELECT count(*), max(occurred_at_utc) FROM topup "
                               "WHERE card_id = ? AND status != 'void'", (card_id,)).fetchone()
    return count, last


def card_has_records(conn: sqlite3.Connection, card_id: int) -> bool:
    return conn.execute("SELECT 1 FROM topup WHERE card_id = ? LIMIT 1", (card_id,)).fetchone() is not None


# ---------------------------------------------------------------- records


def get_record(conn: sqlite3.Connection, topup_id: int) -> Record:
    """One record with the contract's fields."""
    if not 0 <= topup_id <= LARGEST_ID:  # no such id could exist; SQLite cannot even compare it
        raise no_record(topup_id)
    row = conn.execute(record_select() + " WHERE t.id = ?", (topup_id,)).fetchone()
    if row is None:
        raise no_record(topup_id)
    return record_from_row(row)


def records_with_ref(conn: sqlite3.Connection, card_id: int, ref: str, exclude_id: int | None = None, *,
                     with_void: bool = False) -> list[int]:
    """Records of a card (not voided, unless `with_void`) that already carry this receipt reference."""
    rows = conn.execute(
        "SELECT id FROM topup WHERE card_id = ? AND ref = ? COLLATE NOCASE AND (status != 'void' OR ?) AND id != ?",
        (card_id, ref, with_void, exclude_id or 0),
    )
    return [row[0] for row in rows]


def records_with_ref_on_any_card(conn: sqlite3.Connection, ref: str, prefer_card: int) -> tuple[Any, ...] | None:
    """(id, card label, outcome, status) of a record that carries this reference, on any card and
    voided or not; one of `prefer_card` first, then a standing one."""
    return conn.execute(
        "SELECT t.id, c.label, t.outcome, t.status FROM topup AS t JOIN card AS c ON c.id = t.card_id "
        "WHERE t.ref = ? COLLATE NOCASE ORDER BY t.card_id != ?, t.status = 'void', t.id", (ref, prefer_card),
    ).fetchone()


def record_whose_ref_begins(conn: sqlite3.Connection, text: str, shortest: int) -> tuple[Any, ...] | None:
    """(id, card label, outcome, status) of the record with the longest reference (`shortest`
    characters or more) that `text` begins with: a refund's order number that extends its top-up's.
    Reads every record: for the rare refund no other way finds."""
    return conn.execute(
        "SELECT t.id, c.label, t.outcome, t.status FROM topup AS t JOIN card AS c ON c.id = t.card_id "
        "WHERE length(t.ref) >= ? AND length(t.ref) < length(?) AND substr(?, 1, length(t.ref)) = t.ref "
        "ORDER BY length(t.ref) DESC, t.status = 'void', t.id", (shortest, text, text)).fetchone()


def kept_texts(conn: sqlite3.Connection, card_id: int, max_bytes: int) -> list[tuple[int, bytes]]:
    """(record id, bytes) of every plain-text receipt up to `max_bytes` kept with a record of a card
    (not voided), oldest record first: the pasted messages among them."""
    return conn.execute(
        "SELECT r.topup_id, b.data FROM receipt AS r JOIN topup AS t ON t.id = r.topup_id "
        "JOIN blob AS b ON b.sha256 = r.sha256 WHERE t.card_id = ? AND t.status != 'void' "
        "AND r.media_type = 'text/plain' AND r.size <= ? ORDER BY r.topup_id, r.id", (card_id, max_bytes)).fetchall()


def same_amount_between(conn: sqlite3.Connection, card_id: int, amount_minor: int, first_utc: str,
                        last_utc: str, exclude_id: int) -> list[int]:
    """Records of a card (not voided) of this amount that happened from `first_utc` to `last_utc`."""
    return [row[0] for row in conn.execute(
        "SELECT id FROM topup WHERE card_id = ? AND amount_minor = ? AND status != 'void' AND id != ? "
        "AND occurred_at_utc BETWEEN ? AND ? ORDER BY id", (card_id, amount_minor, exclude_id, first_utc, last_utc))]


def receipt_list(conn: sqlite3.Connection, topup_id: int) -> list[tuple[str, str, int, str]]:
    """(sha256, name, size, media type) of a record's receipt files, in the order they were added."""
    return conn.execute("SELECT sha256, name, size, media_type FROM receipt WHERE topup_id = ? ORDER BY id",
                        (topup_id,)).fetchall()


def receipt_files(conn: sqlite3.Connection, topup_id: int) -> list[tuple[str, str, str, bytes]]:
    """(name, sha256, media type, bytes) of a record's receipt files, in the order they were added."""
    return conn.execute("SELECT r.name, r.sha256, r.media_type, b.data FROM receipt AS r "
                        "JOIN blob AS b ON b.sha256 = r.sha256 WHERE r.topup_id = ? ORDER BY r.id",
                        (topup_id,)).fetchall()


def versions(conn: sqlite3.Connection, topup_id: int) -> list[dict[str, Any]]:
    """Every version of a record, oldest first, with its place in the hash chain."""
    columns = ("version", "action", "reason", "recorded_at_utc", "content", "prev_digest", "digest")
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM topup_version WHERE topup_id = ? ORDER BY version",
                        (topup_id,))
    return [dict(zip(columns, row, strict=True)) for row in rows]


def standing_records_between(conn: sqlite3.Connection, first_utc: str, last_utc: str) -> list[tuple[Any, ...]]:
    """(id, card_id, occurred_at_utc, amount_minor, paid_minor, outcome) of every record not voided from
    `first_utc` to `last_utc`."""
    return conn.execute("SELECT id, card_id, occurred_at_utc, amount_minor, paid_minor, outcome FROM topup "
                        "WHERE occurred_at_utc BETWEEN ? AND ? AND status != 'void' ORDER BY occurred_at_utc, id",
                        (first_utc, last_utc)).fetchall()


def records_between(conn: sqlite3.Connection, first_utc: str, last_utc: str) -> list[tuple[Any, ...]]:
    """(card_id, occurred_at_utc, amount_minor, ref) of every record from `first_utc` to `last_utc`."""
    return conn.execute("SELECT card_id, occurred_at_utc, amount_minor, ref FROM topup "
                        "WHERE occurred_at_utc BETWEEN ? AND ?", (first_utc, last_utc)).fetchall()


def last_topup(conn: sqlite3.Connection, card_id: int) -> tuple[Any, ...] | None:
    """(id, occurred_at_utc, amount_minor, channel, ref, outcome) of a card's newest record."""
    return conn.execute("SELECT id, occurred_at_utc, amount_minor, channel, ref, outcome FROM topup "
                        "WHERE card_id = ? AND status != 'void' ORDER BY occurred_at_utc DESC, id DESC LIMIT 1",
                        (card_id,)).fetchone()


def last_balance(conn: sqlite3.Connection, card_id: int) -> int | None:
    """The balance after a card's newest credited top-up that states one."""
    row = conn.execute("SELECT balance_after_minor FROM topup WHERE card_id = ? AND status != 'void' "
                       "AND outcome = 'credited' AND balance_after_minor IS NOT NULL "
                       "ORDER BY occurred_at_utc DESC, id DESC LIMIT 1", (card_id,)).fetchone()
    return None if row is None else row[0]


def pending_records(conn: sqlite3.Connection, card_id: int) -> list[int]:
    return [row[0] for row in conn.execute(
        "SELECT id FROM topup WHERE card_id = ? AND status != 'void' AND outcome = 'pending' ORDER BY id", (card_id,))]


def validity_facts(conn: sqlite3.Connection, card_id: int | None = None) -> list[tuple[Any, ...]]:
    """(label, kind, number, validity_days, valid_until stated by the newest top-up that states one,
    when that top-up happened, last top-up) of each card in use with a credited top-up (or of one card)."""
    newest_stated = ("SELECT {} FROM topup AS s WHERE s.card_id = c.id AND s.status != 'void' "
                     "AND s.outcome = 'credited' AND s.valid_until IS NOT NULL "
                     "ORDER BY s.occurred_at_utc DESC, s.id DESC LIMIT 1")
    return conn.execute(
        f"""
        SELECT c.label, c.kind, c.number, c.validity_days, ({newest_stated.format("s.valid_until")}),
               ({newest_stated.format("s.occurred_at_utc")}), max(t.occurred_at_utc)
          FROM card AS c JOIN topup AS t ON t.card_id = c.id
         WHERE c.retired_at_utc IS NULL AND t.status != 'void' AND t.outcome = 'credited' AND (? IS NULL OR c.id = ?)
         GROUP BY c.id
        """, (card_id, card_id),
    ).fetchall()


# ---------------------------------------------------------------- the whole ledger, for verify and doctor


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """What SQLite's own checks find wrong in the file."""
    found = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        found.append(f"{table} row {rowid} points to a missing {parent}")
    return found


def chain_links(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """(seq, subject, its id, version, action, reason, time, content, prev_digest, digest) of every
    link, records' and the others' in their one order, oldest first. The few links of cards and of
    the ledger are slotted in among the records' as they stream: sorting the union would copy
    every link's content first."""
    others = conn.execute("SELECT seq, CASE WHEN card_id IS NULL THEN 'ledger' ELSE 'card' END, card_id, version, "
                          "action, reason, recorded_at_utc, content, prev_digest, digest FROM ledger_link ORDER BY seq"
                          ).fetchall()
    waiting = 0
    for link in conn.execute("SELECT seq, 'record', topup_id, version, action, reason, recorded_at_utc, content, "
                             "prev_digest, digest FROM topup_version ORDER BY seq"):
        while waiting < len(others) and others[waiting][0] < link[0]:
            yield others[waiting]
            waiting += 1
        yield link
    yield from others[waiting:]


def chain_head(conn: sqlite3.Connection) -> tuple[int, str] | None:
    return conn.execute("SELECT seq, digest FROM chain_head").fetchone()


def newest_contents(conn: sqlite3.Connection) -> dict[int, tuple[str, tuple[str, str | None, str]]]:
    """Each record's newest link: its content and its change (action, reason, time)."""
    return {topup_id: (content, (action, reason, at_utc)) for topup_id, content, action, reason, at_utc in conn.execute(
        "SELECT topup_id, content, action, reason, recorded_at_utc FROM topup_version AS v WHERE version = "
        "(SELECT max(version) FROM topup_version WHERE topup_id = v.topup_id)")}


def newest_card_contents(conn: sqlite3.Connection) -> dict[int, str]:
    """Each card's newest link content."""
    return dict(conn.execute("SELECT card_id, content FROM ledger_link AS l WHERE card_id IS NOT NULL AND version = "
                             "(SELECT max(version) FROM ledger_link WHERE card_id = l.card_id)"))


def newest_card_content(conn: sqlite3.Connection, card_id: int) -> str | None:
    row = conn.execute("SELECT content FROM ledger_link WHERE card_id = ? ORDER BY version DESC LIMIT 1",
                       (card_id,)).fetchone()
    return row[0] if row else None


def found_at_upgrade(conn: sqlite3.Connection) -> list[str]:
    """The content of each link that says an upgrade chained what older links left out (one at most)."""
    return [row[0] for row in conn.execute("SELECT content FROM ledger_link WHERE card_id IS NULL AND action = 'found' "
                                           "ORDER BY seq")]


def unchained_link_facts(conn: sqlite3.Connection, tag: str) -> sqlite3.Cursor:
    """(seq, record, version, action, reason, time) of each record link whose content does not begin
    with `tag`, the mark of the schemes that chain these facts themselves."""
    return conn.execute("SELECT seq, topup_id, version, action, reason, recorded_at_utc FROM topup_version "
                        "WHERE substr(content, 1, length(?1)) != ?1 ORDER BY seq", (tag,))


def unchained_receipt_facts(conn: sqlite3.Connection, last: int | None) -> sqlite3.Cursor:
    """(id, record, sha256, name, media type, size, time) of each receipt up to `last` (None: all)."""
    return conn.execute("SELECT id, topup_id, sha256, name, media_type, size, added_at_utc FROM receipt "
                        "WHERE ?1 IS NULL OR id <= ?1 ORDER BY id", (last,))


def receipts_by_record(conn: sqlite3.Connection) -> dict[int, list[tuple[str, str, int, str]]]:
    found: dict[int, list[tuple[str, str, int, str]]] = {}
    for topup_id, *receipt in conn.execute("SELECT topup_id, sha256, name, size, media_type FROM receipt ORDER BY id"):
        found.setdefault(topup_id, []).append(tuple(receipt))  # type: ignore[arg-type]
    return found


def stored_topups(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Every `topup` row as stored, by id."""
    cursor = conn.execute("SELECT * FROM topup ORDER BY id")
    names = [column[0] for column in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def damaged_blobs(conn: sqlite3.Connection) -> Iterator[tuple[str, list[tuple[int, str]]]]:
    """(sha256, [(record, name)…]) of every stored file whose bytes no longer match its digest."""
    import hashlib

    for sha256, size, data in conn.execute("SELECT sha256, size, data FROM blob"):
        if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
            yield sha256, conn.execute("SELECT topup_id, name FROM receipt WHERE sha256 = ?", (sha256,)).fetchall()


def count_records(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM topup").fetchone()[0]


def ledger_facts(conn: sqlite3.Connection) -> dict[str, Any]:
    """Schema, journal and counts, for `doctor`."""

    def one(sql: str) -> Any:
        return conn.execute(sql).fetchone()[0]

    return {
        "schema_version": one("PRAGMA user_version"),
        "sqlite_version": sqlite3.sqlite_version,
        "journal_mode": one("PRAGMA journal_mode"),
        "cards": one("SELECT count(*) FROM card"),
        "records": one("SELECT count(*) FROM topup"),
        "void_records": one("SELECT count(*) FROM topup WHERE status = 'void'"),
        "receipt_files": one("SELECT count(*) FROM receipt"),
        "receipt_bytes": one("SELECT coalesce(sum(size), 0) FROM blob"),
    }
