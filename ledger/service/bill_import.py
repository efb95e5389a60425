"""Importing a WeChat Pay or Alipay bill as downloaded: its top-ups, and only those, onto their cards.

Each row gets one decision: added onto a card, skipped as not a top-up, skipped as already in the
ledger (the same order number on the card, or the same amount on it within ten minutes), or not
placed because no card can be told for certain. A row is placed by the phone number its item
names, else by the one card whose label or issuer its counterparty or item names, else onto
`--card` when that card is of the row's kind; nothing is guessed. Rows not placed are listed with
the `topup card add` line that would place them, so importing the bill again adds exactly those.
"""

from __future__ import annotations

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
from ledger.domain.values import Outcome, Status, clean_merchant, clean_note, clean_ref, shell_word
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
    unplaced: int = 0  # top-ups no card can be told for
    by_hand: int = 0  # top-ups whose status or amount cannot be recorded as the bill gives them
    not_placed: list[str] = field(default_factory=list)  # a `topup card …` line for each kind of row left out
    differing: list[str] = field(default_factory=list)  # an amend line for each record the bill tells otherwise
    mangled_refs: int = 0  # order numbers a spreadsheet rewrote as 4.2E+27

    @property
    def read(self) -> int:
        return len(self.rows)


def is_bill(table: list[tuple[int, list[str]]]) -> bool:
    return bills.find_header([cells for _, cells in table[:HEADER_SEARCH]]) is not None


def import_bill(tx: Tx, table: list[tuple[int, list[str]]], *, card: str | None, dry_run: bool) -> BillImport:
    """Decide every row of a bill, then add its new top-ups in the caller's transaction (none when `dry_run`)."""
    found = bills.find_header([cells for _, cells in table[:HEADER_SEARCH]])
    assert found is not None
    layout, header_at, columns = found
    placer = _Placer(tx, card, layout.channel)
    rows = [(row, bills.decide(row, placer.own_names)) for row in _bill_rows(table[header_at + 1:], columns)]
    refunded = {row.get("order").partition("_")[0] for row, decision in rows if decision.refund}
    now = now_utc()
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
        if decision.outcome is None:
            result.by_hand += 1
            shown |= {"decision": "not added", "why": decision.reason}
            continue
        outcome = decision.outcome
        if outcome is Outcome.failed and row.get("order") in refunded:
            outcome = Outcome.refunded
        try:
            target = placer.place(row, decision.kind)
        except _NotPlaced as problem:
            if logged := _logged_in_another_currency(tx, problem.card, row):
                result.already += 1
                shown |= {"decision": "already in the ledger", "why": f"record {logged}", "card": problem.card["label"]}
                continue
            result.unplaced += 1
            shown |= {"decision": "not placed", "why": problem.why}
            if problem.suggestion not in result.not_placed:
                result.not_placed.append(problem.suggestion)
            continue
        try:
            record = _record(row, target, outcome, layout.channel, now)
        except LedgerError as exc:  # one unrecordable row does not keep the bill's other top-ups out
            result.by_hand += 1
            shown |= {"decision": "not added", "why": f"{exc.message}; log it by hand"}
            continue
        result.mangled_refs += bool(row.get("order")) and not record["ref"]
        shown |= {"card": target["label"], "outcome": outcome.value,
                  "amount": format_minor(record["amount_minor"], CURRENCY)}
        candidates.append((shown, record))
    new = []
    records = [record for _, record in candidates]
    for (shown, record), there in zip(candidates, _AlreadyThere(tx, records).which(records), strict=True):
        if there is None:
            new.append(record)
            shown["decision"] = "added"
            continue
        result.already += 1
        shown |= {"decision": "already in the ledger", "why": there.named}
        if there.id is not None and there.outcome != record["outcome"] and not there.void:
            told = f"record {there.id} says {there.outcome}; the bill says {record['outcome']}"
            shown["why"] = told
            reason = shell_word(f"{layout.name}, line {shown['line']}")
            result.differing.append(f"{told}: topup amend {there.id} --outcome {record['outcome']} --reason {reason}")
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


@dataclass(frozen=True)
class _Match:
    """What a bill's top-up is already there as: a record (its id, outcome, whether voided), or a row above."""

    id: int | None
    outcome: str = ""
    void: bool = False

    @property
    def named(self) -> str:
        return f"record {self.id}" if self.id is not None else "a row above in this bill"


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

    def which(self, records: list[StoredTopup]) -> list[_Match | None]:
        """For each record, what it is already there as, if it is."""
        there = [self._by_ref(record) for record in records]
        for same_outcome in (True, False):
            for index, record in enumerate(records):
                if there[index] is None:
                    there[index] = self._near(record, same_outcome)
        return there

    def _by_ref(self, record: StoredTopup) -> _Match | None:
        card_id, ref = record["card_id"], record["ref"]
        if not ref:
            return None
        key = (card_id, ref.casefold(), record["occurred_at_utc"], record["amount_minor"])
        if key in self.seen:
            return _Match(None)
        if found := reads.records_with_ref(self.tx.conn, card_id, ref, with_void=True):
            kept = reads.get_record(self.tx.conn, found[0])
            return _Match(kept["id"], kept["outcome"], kept["status"] == Status.void.value)
        self.seen.add(key)
        return None

    def _near(self, record: StoredTopup, same_outcome: bool) -> _Match | None:
        moment = from_stored(record["occurred_at_utc"])
        candidates = [(abs(at - moment), topup_id, outcome)
                      for value in {record["amount_minor"], record["paid_minor"]} - {None}
                      for at, topup_id, outcome in self.near[(record["card_id"], value)]
                      if topup_id not in self.matched and abs(at - moment) <= rules.SAME_AMOUNT_WINDOW
                      and (outcome == record["outcome"] or not same_outcome)]
        if not candidates:
            return None
        _, topup_id, outcome = min(candidates)
        self.matched.add(topup_id)
        return _Match(topup_id, outcome)


class _NotPlaced(Exception):
    def __init__(self, why: str, suggestion: str, card: Card | None = None) -> None:
        super().__init__(why)
        self.why, self.suggestion = why, suggestion
        self.card = card  # the card the row names, when it is kept in another currency


def _logged_in_another_currency(tx: Tx, card: Card | None, row: bills.BillRow) -> int | None:
    """The record, logged by hand in the card's own currency, that carries the row's order number."""
    ref = clean_ref(bills.order_number(row.get("order")) or None)
    found = reads.records_with_ref(tx.conn, card["id"], ref, with_void=True) if card and ref else []
    return found[0] if found else None


class _Placer:
    """Which card a top-up row belongs to: told by the row, or `--card` for rows of its kind."""

    def __init__(self, tx: Tx, default: str | None, channel: str) -> None:
        self.channel = channel
        self.cards = [c for c in reads.all_cards(tx.conn) if c["retired_at_utc"] is None]
        self.default = card_to_write_on(tx, default) if default else None
        # The names of the smart cards kept: a city's own card the table of top-up words does not know.
        self.own_names = [("smart", name) for c in self.cards if c["kind"] == "smart"
                          for name in (c["label"], c["issuer"]) if name]

    def place(self, row: bills.BillRow, kind: str) -> Card:
        phone = bills.phone_in(row.get("item")) if kind == "sim" else None
        if phone:
            matching = [c for c in self.cards if c["kind"] == "sim" and _number_matches(c["number"], phone)]
        else:
            matching = [c for c in self.cards if c["kind"] == kind
                        and (bills.names(row.text, c["label"]) or bills.names(row.text, c["issuer"]))]
        if len(matching) == 1:
            return self._in_yuan(matching[0], row)
        if len(matching) > 1 and self.default is not None and self.default in matching:
            return self._in_yuan(self.default, row)
        if len(matching) > 1:
            labels = ", ".join(repr(c["label"]) for c in matching)
            raise _NotPlaced(f"it could be any of cards {labels}", "name the card it belongs to with --card LABEL")
        default = self.default
        if default is not None and default["kind"] == kind and not phone:
            return self._in_yuan(default, row)
        if default is not None and default["kind"] == kind and not default["number"]:
            # The row names a number and the card has none kept: whose number it is, is not known.
            shown = f"{phone[0]}****{phone[1]}"
            raise _NotPlaced(f"it tops up {shown}; card {default['label']!r} has no number kept",
                             f"topup card edit {shell_word(default['label'])} --number <your number {shown}>")
        raise _NotPlaced(f"no {kind} card is named by it", _suggestion(row, kind, phone))

    def _in_yuan(self, card: Card, row: bills.BillRow) -> Card:
        """The card, when it is kept in yuan; else the `topup log` line for the amount it was credited."""
        currency = card["currency"]
        if currency != CURRENCY:
            ref = bills.order_number(row.get("order"))
            at = shell_word(f"{row.get('time') or row.get('created')} +08:00")
            raise _NotPlaced(
                f"card {card['label']!r} is in {currency}; the bill gives yuan paid, not the {currency} credited",
                f"topup log {shell_word(card['label'])} <{currency} credited> --channel {self.channel} --at {at}"
                + (f" --ref {shell_word(ref)}" if ref else ""), card)
        return card


def _number_matches(number: str | None, phone: tuple[str, str]) -> bool:
    national = (number or "").removeprefix("+86")
    return len(national) == 11 and national.startswith(phone[0]) and national.endswith(phone[1])


def _suggestion(row: bills.BillRow, kind: str, phone: tuple[str, str] | None) -> str:
    """The `topup card add` line that would place the row: by its number, or by the name it gives."""
    if phone:
        return f"topup card add LABEL --kind sim --region CN --number <your number {phone[0]}****{phone[1]}>"
    label = row.get("counterparty") or row.get("item")
    return f"topup card add {shell_word(label)} --kind {kind} --currency {CURRENCY}"
