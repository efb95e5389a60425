"""Importing a WeChat Pay or Alipay bill as downloaded: its top-ups, and only those, onto their cards.

Each row gets one decision: added onto a card, skipped as not a top-up, skipped as already in the
ledger (the same order number on the card, or the same amount on it within ten minutes), or not
placed because no card can be told for certain. A row is placed by the phone number its item
names, else by the one card whose label or issuer its counterparty or item names, else onto
`--card` when that card is of the row's kind; nothing is guessed. Rows not placed are listed with
the `topup card add` line that would place them, so importing the bill again adds exactly those.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledger.domain import bills, rules
from ledger.domain.cards import Card
from ledger.domain.fields import StoredTopup
from ledger.domain.money import format_minor, parse_amount
from ledger.domain.times import from_stored, now_utc, parse_moment, to_stored
from ledger.domain.values import Outcome, Status, clean_merchant, clean_note, clean_ref, label_key
from ledger.errors import LedgerError
from ledger.service.cards import card_to_write_on
from ledger.store import reads, writes
from ledger.store.db import Tx

CURRENCY = "CNY"  # WeChat Pay and Alipay bills are in yuan
HEADER_SEARCH = 200  # the header is found within this many rows: the preambles run to about 25


@dataclass
class BillImport:
    """What importing a bill did, or would do, with each of its rows."""

    layout: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    added: int = 0
    not_topups: int = 0
    already: int = 0
    not_placed: list[str] = field(default_factory=list)  # a `topup card add` line for each kind of row left out
    mangled_refs: int = 0  # order numbers a spreadsheet rewrote as 4.2E+27

    @property
    def read(self) -> int:
        return len(self.rows)

    @property
    def unplaced(self) -> int:
        return self.read - self.added - self.not_topups - self.already


def is_bill(table: list[tuple[int, list[str]]]) -> bool:
    return bills.find_header([cells for _, cells in table[:HEADER_SEARCH]]) is not None


def import_bill(tx: Tx, table: list[tuple[int, list[str]]], *, card: str | None, dry_run: bool) -> BillImport:
    """Decide every row of a bill, then add its new top-ups in the caller's transaction (none when `dry_run`)."""
    found = bills.find_header([cells for _, cells in table[:HEADER_SEARCH]])
    assert found is not None
    layout, header_at, columns = found
    rows = [(row, bills.decide(row)) for row in _bill_rows(table[header_at + 1:], columns)]
    refunded = {row.get("order").partition("_")[0] for row, decision in rows if decision.refund}
    now = now_utc()
    placer = _Placer(tx, card)
    result = BillImport(layout.name)
    candidates: list[tuple[dict[str, Any], StoredTopup]] = []
    for row, decision in rows:
        shown = {"line": row.line, "occurred_at": row.get("time"), "paid": bills.clean_amount(row.get("amount")),
                 "counterparty": row.get("counterparty"), "item": row.get("item"), "ref": row.get("order")}
        result.rows.append(shown)
        if decision.kind is None:
            result.not_topups += 1
            shown |= {"decision": "skipped", "why": decision.reason}
            continue
        outcome = decision.outcome
        if outcome is Outcome.failed and row.get("order") in refunded:
            outcome = Outcome.refunded
        try:
            target = placer.place(row, decision.kind)
        except _NotPlaced as problem:
            shown |= {"decision": "not placed", "why": problem.why}
            if problem.suggestion not in result.not_placed:
                result.not_placed.append(problem.suggestion)
            continue
        try:
            record = _record(row, target, outcome, layout.channel, now)
        except LedgerError as exc:
            raise type(exc)(f"line {row.line}: {exc.message}; nothing was imported") from None
        result.mangled_refs += bool(row.get("order")) and not record["ref"]
        shown |= {"card": target["label"], "outcome": outcome.value,
                  "amount": format_minor(record["amount_minor"], CURRENCY)}
        candidates.append((shown, record))
    new = []
    records = [record for _, record in candidates]
    for (shown, record), there in zip(candidates, _AlreadyThere(tx, records).which(records), strict=True):
        if there:
            result.already += 1
            shown["decision"] = "already in the ledger"
        else:
            new.append(record)
            shown["decision"] = "added"
    result.added = len(new)
    if new and not dry_run:
        for record, topup_id in zip(new, writes.next_free_ids(tx.conn, [None] * len(new)), strict=True):
            record["id"] = topup_id
        writes.insert_many(tx.conn, new, "import", to_stored(now))
    return result


def _bill_rows(table: Iterable[tuple[int, list[str]]], columns: dict[str, int]) -> Iterable[bills.BillRow]:
    """The rows below the header, up to the footer (a dashed line), with their cells by role."""
    for line, cells in table:
        first = cells[0].strip() if cells else ""
        if first.startswith("---"):
            return
        if not any(cell.strip() for cell in cells):
            continue
        yield bills.BillRow(line, {role: bills.clean_cell(cells[index]) if index < len(cells) else ""
                                   for role, index in columns.items()})


def _record(row: bills.BillRow, card: Card, outcome: Outcome, channel: str, now: datetime) -> StoredTopup:
    paid = parse_amount(bills.clean_amount(row.get("amount")), CURRENCY, "amount").minor
    face = bills.face_value(row.get("item"))
    amount = parse_amount(face, CURRENCY, "amount").minor if face else paid
    when = row.get("time") or row.get("created")
    ref = bills.order_number(row.get("order")) or bills.order_number(row.get("merchant_order"))
    return {
        "card_id": card["id"], "amount_minor": amount, "paid_minor": paid, "currency": CURRENCY,
        "channel": channel, "outcome": outcome.value,
        # The bills give China's time, whatever the zone of the computer reading them.
        "occurred_at_utc": to_stored(parse_moment(f"{when} +08:00", now)), "ref": clean_ref(ref or None),
        "merchant": clean_merchant(row.get("counterparty") or None),
        "note": clean_note(row.get("item") or None), "balance_after_minor": None, "valid_until": None,
        "status": Status.active.value, "created_at_utc": to_stored(now), "version": 1,
    }


class _AlreadyThere:
    """Which of a bill's top-ups the ledger, or the bill further up, already holds: a record of the card
    with the same order number (voided ones too), or one of the same amount within ten minutes. Each
    record answers for one row: those with the same outcome are paired first, the nearest in time."""

    def __init__(self, tx: Tx, records: list[StoredTopup]) -> None:
        self.tx = tx
        self.seen: set[tuple[int, str, str, int]] = set()  # card, ref, time and amount of rows further up
        self.near: dict[tuple[int, int], list[tuple[datetime, int, str]]] = defaultdict(list)
        self.matched: set[int] = set()
        if not records:
            return
        window = rules.SAME_AMOUNT_WINDOW
        first = to_stored(min(from_stored(r["occurred_at_utc"]) for r in records) - window)
        last = to_stored(max(from_stored(r["occurred_at_utc"]) for r in records) + window)
        for topup_id, card_id, at, amount, paid, outcome in reads.standing_records_between(tx.conn, first, last):
            for value in {amount, paid} - {None}:
                self.near[(card_id, value)].append((from_stored(at), topup_id, outcome))

    def which(self, records: list[StoredTopup]) -> list[bool]:
        """For each record, whether it is already there."""
        there = [self._by_ref(record) for record in records]
        for same_outcome in (True, False):
            for index, record in enumerate(records):
                if not there[index]:
                    there[index] = self._near(record, same_outcome)
        return there

    def _by_ref(self, record: StoredTopup) -> bool:
        card_id, ref = record["card_id"], record["ref"]
        if not ref:
            return False
        key = (card_id, ref.casefold(), record["occurred_at_utc"], record["amount_minor"])
        if key in self.seen or reads.records_with_ref(self.tx.conn, card_id, ref, with_void=True):
            return True
        self.seen.add(key)
        return False

    def _near(self, record: StoredTopup, same_outcome: bool) -> bool:
        moment = from_stored(record["occurred_at_utc"])
        candidates = [(abs(at - moment), topup_id)
                      for value in {record["amount_minor"], record["paid_minor"]} - {None}
                      for at, topup_id, outcome in self.near[(record["card_id"], value)]
                      if topup_id not in self.matched and abs(at - moment) <= rules.SAME_AMOUNT_WINDOW
                      and (outcome == record["outcome"] or not same_outcome)]
        if not candidates:
            return False
        self.matched.add(min(candidates)[1])
        return True


class _NotPlaced(Exception):
    def __init__(self, why: str, suggestion: str) -> None:
        super().__init__(why)
        self.why, self.suggestion = why, suggestion


class _Placer:
    """Which card a top-up row belongs to: told by the row, or `--card` for rows of its kind."""

    def __init__(self, tx: Tx, default: str | None) -> None:
        self.cards = [c for c in reads.all_cards(tx.conn) if c["retired_at_utc"] is None]
        self.default = card_to_write_on(tx, default) if default else None

    def place(self, row: bills.BillRow, kind: str) -> Card:
        phone = bills.phone_in(row.get("item")) if kind == "sim" else None
        if phone:
            matching = [c for c in self.cards if c["kind"] == "sim" and _number_matches(c["number"], phone)]
        else:
            matching = [c for c in self.cards if c["kind"] == kind and _named(c, row.text)]
        if len(matching) == 1:
            return self._in_yuan(matching[0])
        if len(matching) > 1 and self.default is not None and self.default in matching:
            return self._in_yuan(self.default)
        if len(matching) > 1:
            labels = ", ".join(repr(c["label"]) for c in matching)
            raise _NotPlaced(f"it could be any of cards {labels}", "name the card it belongs to with --card LABEL")
        default = self.default
        if default is not None and default["kind"] == kind and (not phone or not default["number"]):
            return self._in_yuan(default)  # a number the row names must be the card's own
        raise _NotPlaced(f"no {kind} card is named by it", _suggestion(row, kind, phone))

    def _in_yuan(self, card: Card) -> Card:
        if card["currency"] != CURRENCY:
            raise _NotPlaced(f"card {card['label']!r} is in {card['currency']}; the bill is in {CURRENCY}",
                             f"the bill's top-ups are in {CURRENCY}: they belong on a card kept in {CURRENCY}")
        return card


def _number_matches(number: str | None, phone: tuple[str, str]) -> bool:
    national = (number or "").removeprefix("+86")
    return len(national) == 11 and national.startswith(phone[0]) and national.endswith(phone[1])


def _named(card: Card, text: str) -> bool:
    """Whether the text names the card's label or issuer: as a whole word when it is in Latin
    letters, and never by one letter or digit alone."""
    folded = label_key(text)
    for name in (card["label"], card["issuer"]):
        key = label_key(name or "")
        if len(key) < 2:
            continue
        if key.isascii() and re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", folded):
            return True
        if not key.isascii() and key in folded:
            return True
    return False


def _suggestion(row: bills.BillRow, kind: str, phone: tuple[str, str] | None) -> str:
    """The `topup card add` line that would place the row: by its number, or by the name it gives."""
    import shlex

    if phone:
        return f"topup card add LABEL --kind sim --region CN --number <your number {phone[0]}****{phone[1]}>"
    label = row.get("counterparty") or row.get("item")
    return f"topup card add {shlex.quote(label)} --kind {kind} --currency {CURRENCY}"
