"""Importing top-ups from CSV: this program's own export, or another layout through a column map.

The whole file is one transaction: every row is checked with the same rules as `topup log`
before anything is written, a bad row refuses the file with its line number, and a row that
matches a record already in the ledger (card, time, amount, reference) is not added again.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger import chain, db, queries
from ledger.errors import InvalidInput, LedgerError, NotFound
from ledger.exporting import unguard
from ledger.migrations import SEARCH_BODY, SEARCH_INSERT_TRIGGER
from ledger.money import check_currency, parse_amount
from ledger.records import RECORD_FIELDS
from ledger.times import now_utc, parse_day, parse_moment, to_stored
from ledger.values import (
    CardKind,
    Status,
    clean_label,
    clean_merchant,
    clean_note,
    clean_ref,
    label_key,
    parse_channel,
    parse_outcome,
)

FIELDS = ("card", "card_kind", "amount", "paid", "currency", "channel", "outcome", "occurred_at", "ref",
          "merchant", "note", "balance_after", "valid_until", "status", "created_at", "id")
_FIELD_ALIASES = {"time": "occurred_at", "at": "occurred_at", "date": "occurred_at", "when": "occurred_at",
                  "reference": "ref", "balance": "balance_after"}
_CACHE_KIB = 64 * 1024
_STATUSES = frozenset(s.value for s in Status)
_CARD_KINDS = frozenset(k.value for k in CardKind)
ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030",
             "big5": "big5hkscs", "big5hkscs": "big5hkscs"}


@dataclass
class ImportResult:
    """What an import added (the records themselves only for a dry run), skipped and created."""

    added: list[dict[str, Any]] = field(default_factory=list)
    added_count: int = 0
    skipped: int = 0
    new_cards: list[str] = field(default_factory=list)


def parse_map(pairs: list[str]) -> dict[str, str]:
    """`COLUMN=FIELD` pairs as {column: field}."""
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        target = _FIELD_ALIASES.get(target.strip().lower(), target.strip().lower())
        if not sep or not column.strip() or target not in FIELDS:
            raise InvalidInput(f"--map {pair!r} must be COLUMN=FIELD, FIELD one of {', '.join(FIELDS[:13])}")
        mapping[column.strip()] = target
    return mapping


def read_rows(file: Path, encoding: str, mapping: dict[str, str]) -> tuple[Iterator[tuple[int, dict[str, str]]], int]:
    """(line number, {field: text}) for each row, parsed as it is checked so that memory holds only
    the checked records; and about how many rows there are, for progress. The file is decoded and
    its header checked at once; every row is checked before anything is written."""
    codec = ENCODINGS.get(encoding.lower().replace("_", "-"))
    if codec is None:
        raise InvalidInput(f"--encoding must be one of utf-8, gb18030, big5 (not {encoding!r})")
    try:
        text = file.read_bytes().decode(codec)
    except FileNotFoundError:
        raise InvalidInput(f"file {str(file)!r} does not exist") from None
    except IsADirectoryError:
        raise InvalidInput(f"{str(file)!r} is a folder; give a CSV file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{file} is not {encoding} text; for a Chinese bank's file try --encoding gb18030 "
                           "or --encoding big5") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(f"{file} is empty") from None
    return _data_rows(reader, len(header), _columns(header, mapping)), text.count("\n")


def _data_rows(reader: Any, width: int, columns: dict[int, str]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) != width:
                raise InvalidInput(f"line {reader.line_num}: {len(values)} cells where the header has {width}")
            # Only a cell starting with an apostrophe can carry a spreadsheet guard.
            yield reader.line_num, {target: unguard(values[i]) if values[i].startswith("'") else values[i]
                                    for i, target in columns.items()}
    except csv.Error as exc:
        raise InvalidInput(f"line {reader.line_num}: not valid CSV ({exc})") from None


def _columns(header: list[str], mapping: dict[str, str]) -> dict[int, str]:
    """Which field each column index fills."""
    if not mapping:
        if header != list(RECORD_FIELDS):
            raise InvalidInput("this is not a topup export; map its columns with --map COLUMN=FIELD "
                               "(e.g. --map 交易時間=occurred_at --map 金額=amount --map 備註=note)")
        return {i: name for i, name in enumerate(header) if name in FIELDS}
    missing = [column for column in mapping if column not in header]
    if missing:
        raise InvalidInput(f"the file has no column {missing[0]!r}; its columns are {', '.join(header)}")
    return {header.index(column): target for column, target in mapping.items()}


def import_file(path: Path, file: Path, *, mapping: dict[str, str], encoding: str = "utf-8",
                card: str | None = None, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Check every row, then add the new ones in one transaction (none with `dry_run`)."""
    if mapping and "card" not in mapping.values() and card is None:
        raise InvalidInput("the file has no card column; name the card with --card LABEL or --map COLUMN=card")
    rows, about = read_rows(file, encoding, mapping)
    now = now_utc()
    result = ImportResult()
    # A dry run does not commit: whatever it wrote while checking (new cards) is rolled back.
    with db.connection(path, write=not dry_run) as conn:
        # The indexes take new rows all over; 64 MiB of page cache keeps the pages they touch in memory
        # until the commit, instead of writing each one to the WAL again and again.
        conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        cards = _CardBook(conn, card, result)
        records = []
        for done, (line, values) in enumerate(rows, start=1):
            try:
                records.append(_record(values, cards, now))
            except LedgerError as exc:
                raise InvalidInput(f"line {line}: {exc.message}; nothing was imported") from None
            if progress and done % 1000 == 0:
                progress(done, max(about, done))
        new = _only_new(conn, records)
        result.skipped = len(records) - len(new)
        if dry_run:
            result.added = [_shown(r, cards) for r in new]
        else:
            _insert(conn, new, to_stored(now))
            result.added_count = len(new)
        if progress:
            progress(len(records), len(records))
    return result


class _CardBook:
    """Cards by label; a card the file names but the ledger lacks is created (own exports only)."""

    def __init__(self, conn: sqlite3.Connection, default: str | None, result: ImportResult) -> None:
        self.conn, self.result = conn, result
        self.by_key: dict[str, dict[str, Any]] = {}
        self.default = queries.find_card(conn, default) if default else None

    def get(self, values: dict[str, str]) -> dict[str, Any]:
        label = values.get("card", "").strip()
        if self.default is not None:
            return self.default
        if not label:
            raise InvalidInput("no card on this row; give --card LABEL")
        key = label_key(label)
        if key not in self.by_key:
            self.by_key[key] = self._find_or_create(label, values)
        return self.by_key[key]

    def _find_or_create(self, label: str, values: dict[str, str]) -> dict[str, Any]:
        try:
            return queries.find_card(self.conn, label)
        except NotFound:
            if not values.get("card_kind") or not values.get("currency"):
                raise  # with the closest labels
        if values["card_kind"] not in _CARD_KINDS:
            raise InvalidInput(f"card_kind {values['card_kind']!r} must be sim or smart")
        card = {"label": clean_label(label), "currency": check_currency(values["currency"])}
        card["id"] = self.conn.execute(
            "INSERT INTO card (label, label_key, kind, currency, created_at_utc) VALUES (?, ?, ?, ?, ?)",
            (card["label"], label_key(label), values["card_kind"], card["currency"], to_stored(now_utc())),
        ).lastrowid
        self.result.new_cards.append(card["label"])
        return card


def _record(values: dict[str, str], cards: _CardBook, now: datetime) -> dict[str, Any]:
    """One row checked with the rules of `topup log`, as the columns of `topup`."""
    card = cards.get(values)
    currency = card["currency"]
    if values.get("currency") and check_currency(values["currency"]) != currency:
        raise InvalidInput(f"currency {values['currency']} is not {currency}, the currency of card {card['label']!r}")

    def money(name: str) -> int | None:
        text = values.get(name, "").strip()
        return parse_amount(text, currency, name, allow_zero=name == "balance_after").minor if text else None

    if not values.get("amount", "").strip():
        raise InvalidInput("the amount is empty")
    if not values.get("occurred_at", "").strip():
        raise InvalidInput("the time is empty")
    status = values.get("status", "").strip() or Status.active.value
    if status not in _STATUSES:
        raise InvalidInput(f"status {status!r} must be active, void or amended")
    created = values.get("created_at", "").strip()
    return {
        "card_id": card["id"], "amount_minor": money("amount"), "paid_minor": money("paid"), "currency": currency,
        "channel": parse_channel(values["channel"]).value if values.get("channel", "").strip() else "other",
        "outcome": parse_outcome(values["outcome"]).value if values.get("outcome", "").strip() else "credited",
        "occurred_at_utc": to_stored(parse_moment(values["occurred_at"], now)), "ref": clean_ref(values.get("ref")),
        "merchant": clean_merchant(values.get("merchant")), "note": clean_note(values.get("note")),
        "balance_after_minor": money("balance_after"),
        "valid_until": parse_day(values["valid_until"]).isoformat() if values.get("valid_until", "").strip() else None,
        "status": status, "created_at_utc": to_stored(parse_moment(created, now) if created else now), "version": 1,
        "wanted_id": int(values["id"]) if values.get("id", "").strip().isdigit() else None,
    }


def _key(record: dict[str, Any]) -> tuple[Any, ...]:
    return record["card_id"], record["occurred_at_utc"], record["amount_minor"], (record["ref"] or "").casefold()


def _only_new(conn: sqlite3.Connection, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows beyond those the ledger already has with the same card, time, amount and reference."""
    if not records:
        return []
    existing = Counter(
        (card_id, at, amount, (ref or "").casefold())
        for card_id, at, amount, ref in conn.execute(
            "SELECT card_id, occurred_at_utc, amount_minor, ref FROM topup WHERE occurred_at_utc BETWEEN ? AND ?",
            (min(r["occurred_at_utc"] for r in records), max(r["occurred_at_utc"] for r in records)),
        )
    )
    new = []
    for record in records:
        key = _key(record)
        if existing[key] > 0:
            existing[key] -= 1
        else:
            new.append(record)
    return new


def _insert(conn: sqlite3.Connection, records: list[dict[str, Any]], now: str) -> None:
    """Insert in bulk, each record with its first link in the hash chain."""
    if not records:
        return
    wanted = [r["wanted_id"] for r in records]
    taken = {row[0] for row in conn.execute("SELECT id FROM topup")}
    keep_ids = None not in wanted and len(set(wanted)) == len(wanted) and not taken & set(wanted)
    next_id = (max(taken) if taken else 0) + 1
    for offset, record in enumerate(records):
        record["id"] = record["wanted_id"] if keep_ids else next_id + offset
    head = conn.execute("SELECT digest FROM chain_head").fetchone()
    prev = head[0] if head else chain.GENESIS

    def links() -> Iterator[tuple[Any, ...]]:
        """Each record's first link in the hash chain, made as it is written, not all held at once."""
        nonlocal prev
        for record in records:
            content = chain.canonical_content(record, [])
            digest = chain.link_digest(prev, content)
            yield record["id"], 1, "import", None, now, content, prev, digest
            prev = digest

    columns = ", ".join(chain.CONTENT_FIELDS)
    marks = ", ".join("?" * len(chain.CONTENT_FIELDS))
    # Index the new rows in one statement, not row by row from the trigger (see migrations).
    conn.execute("DROP TRIGGER topup_fts_insert")
    conn.executemany(f"INSERT INTO topup ({columns}) VALUES ({marks})",
                     (tuple(record[f] for f in chain.CONTENT_FIELDS) for record in records))
    conn.execute(
        f"INSERT INTO topup_fts (rowid, body) SELECT t.id, {SEARCH_BODY.format('t')} FROM topup AS t "
        "JOIN json_each(?) AS new ON new.value = t.id", (json.dumps([r["id"] for r in records]),),
    )
    conn.execute(SEARCH_INSERT_TRIGGER)
    conn.executemany(
        "INSERT INTO topup_version (topup_id, version, action, reason, recorded_at_utc, content, prev_digest, digest) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", links(),
    )
    last_seq = conn.execute("SELECT max(seq) FROM topup_version").fetchone()[0]
    conn.execute(
        "INSERT INTO chain_head (id, seq, digest) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, digest = excluded.digest", (last_seq, prev),
    )


def _shown(record: dict[str, Any], cards: _CardBook) -> dict[str, Any]:
    from ledger.money import format_minor
    from ledger.times import local_iso

    label = next((c["label"] for c in cards.by_key.values() if c["id"] == record["card_id"]),
                 cards.default["label"] if cards.default else "")
    return {"id": record.get("id"), "card": label, "amount": format_minor(record["amount_minor"], record["currency"]),
            "currency": record["currency"], "channel": record["channel"],
            "occurred_at": local_iso(record["occurred_at_utc"]), "ref": record["ref"], "note": record["note"]}
