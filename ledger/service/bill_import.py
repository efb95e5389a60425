"""Importing a payment app's bill as downloaded: its top-ups, and only those, onto their cards.

Each row gets one decision: added onto a card, skipped (not a top-up, or a refund row, which
settles the top-up of its order), already in the ledger (a record with the same order number on
any card, or of the same amount on the card within ten minutes), not placed because no card can be
told for certain (`bill_cards`), or left to log by hand when the bill's status or values cannot be
recorded as they are. Rows not placed come with the command that would place them, so importing
the bill again adds exactly those.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ledger.domain import rules
from ledger.domain.cards import Card
from ledger.domain.channels import paid_with_text
from ledger.domain.fields import BY_NAME, StoredTopup, new_row, typed
from ledger.domain.money import format_minor, parse_amount
from ledger.domain.times import from_stored, now_utc, to_stored
from ledger.domain.values import Outcome, Status, clean_ref, shell_word
from ledger.errors import InvalidInput, LedgerError
from ledger.i18n import Text, _, joined
from ledger.service.bill_cards import NotPlaced, Placer, amend_reason, log_lines
from ledger.service.records import shown_record
from ledger.sources import bills
from ledger.sources.bills.source import BillSource
from ledger.store.interface import Ledger
from ledger.store.types import RefMatch


@dataclass
class RowFate:
    """A bill's row as `--dry-run` lists it, and what becomes of it: its decision and why (messages,
    which JSON and CSV give in English), and for a top-up, the card, outcome and amount it is
    recorded with."""

    line: int
    occurred_at: str | None
    paid: str
    counterparty: str
    item: str
    ref: str
    decision: str | None = None
    why: str | None = None
    card: str | None = None
    outcome: str | None = None
    amount: str | None = None

    def decided(self, decision: str, why: str) -> None:
        self.decision, self.why = decision, why


@dataclass
class BillImport:
    """What importing a bill did, or would do, with each of its rows."""

    layout: str
    rows: list[RowFate] = field(default_factory=list)
    added: int = 0
    not_topups: int = 0
    refunds: int = 0  # refund rows, each settling the top-up of its order
    already: int = 0
    unplaced: int = 0  # top-ups no card can be told for
    by_hand: int = 0  # top-ups whose status or values cannot be recorded as the bill gives them
    not_placed: list[str] = field(default_factory=list)  # the command that would place each kind of row left out
    left_out: list[RowFate] = field(default_factory=list)  # the top-ups neither added nor already in the ledger
    differing: list[str] = field(default_factory=list)  # an amend line for each record the bill tells more of
    notes: list[str] = field(default_factory=list)
    mangled_refs: int = 0  # order numbers a spreadsheet rewrote as 4.2E+27

    @property
    def read(self) -> int:
        return len(self.rows)


def bill_layout(table: list[tuple[int, list[str]]]) -> str | None:
    """The name of the bill layout the first rows of a file follow, if any."""
    found = bills.find_header([cells for _line, cells in table])
    return found.source.name if found else None


def import_bill(ledger: Ledger, table: list[tuple[int, list[str]]], *, card: str | None, dry_run: bool,
                file: str) -> BillImport:
    """Decide every row of a bill, then add its new top-ups in the caller's transaction (none when `dry_run`).
    `file` names the bill in the commands suggested."""
    found = bills.find_header([cells for _line, cells in table[:bills.HEADER_SEARCH]])
    assert found is not None
    source, header_at, columns = found.source, found.row, found.columns
    placer = Placer(ledger, card, source, file)
    rows = [(row, bills.decide(row, source, placer.own_names)) for row in _bill_rows(table[header_at + 1:], columns)]
    # Order numbers a spreadsheet rewrote (4.2E+27) are all alike: they settle nothing.
    top_ups = {bills.order_number(row.get("order")) for row, decision in rows if decision.kind} - {""}
    given_back: dict[str, Decimal] = defaultdict(Decimal)  # by the order of a top-up in this bill
    now = now_utc()
    result = BillImport(source.name)
    if placer.default is not None and placer.default["retired_at_utc"] is not None:
        result.notes.append(_("card {label!r} is retired; the top-ups placed on it with --card are added all the "
                              "same", label=placer.default["label"]))
    result.rows = [_shown(row, source, now) for row, _decision in rows]
    for (row, decision), shown in zip(rows, result.rows, strict=True):  # refunds first: they settle top-ups
        if decision.refund:
            _refund(ledger, row, top_ups, given_back, source, shown, result)
    candidates: list[tuple[RowFate, StoredTopup]] = []
    for (row, decision), shown in zip(rows, result.rows, strict=True):
        if decision.refund:
            continue
        if decision.kind is None:
            result.not_topups += 1
            shown.decided(_("skipped"), decision.reason)
        elif decision.outcome is None:
            _by_hand(ledger, row, decision.reason, shown, result, log_lines(row, placer, decision.kind, None, now))
        elif record := _placed(ledger, row, decision, placer, given_back, now, shown, result):
            candidates.append((shown, record))
    new = _settle(ledger, candidates, source, result)
    result.added = len(new)
    if new and not dry_run:
        for record, topup_id in zip(new, ledger.free_ids([None] * len(new)), strict=True):
            record["id"] = topup_id
        ledger.add_topups(new, "import", to_stored(now))
    return result


def _shown(row: bills.BillRow, source: BillSource, now: datetime) -> RowFate:
    """A row as `--dry-run` lists it: its time (in the bill's zone, shown in the reader's with its
    offset) and its amount as decimals when they can be read (else as the bill gives them)."""
    when = row.get("time") or row.get("created")
    with suppress(LedgerError):
        when = bills.moment_of(when, source, now).astimezone().isoformat() if when else None
    paid = bills.clean_amount(row.get("amount"))
    with suppress(LedgerError):
        paid = format_minor(parse_amount(paid, source.currency, "amount", allow_zero=True).minor, source.currency)
    return RowFate(row.line, when, paid, row.get("counterparty"), row.get("item"), row.get("order"))


def _refund(ledger: Ledger, row: bills.BillRow, top_ups: set[str], given_back: dict[str, Decimal], source: BillSource,
            shown: RowFate, result: BillImport) -> None:
    """Settle a refund row: with the top-up of this bill whose order number it extends (2025…001_R1,
    or 2025…0019001), or with the record of the ledger that carries that order number, for which it
    gives the amend line when the record does not say refunded yet."""
    order, amount = bills.order_number(row.get("order")), bills.amount_of(row.get("amount"))
    original = order.partition("_")[0]
    if original not in top_ups:
        original = max((top_up for top_up in top_ups if len(top_up) >= bills.SHORTEST_EXTENDED_ORDER
                        and order.startswith(top_up)), key=len, default=original)
    if original in top_ups:
        given_back[original] += amount
        result.refunds += 1
        shown.decided(_("skipped"), _("a refund, settled with its top-up in this bill"))
        return
    found = (ledger.ref_on_any_card(original, prefer_card=0)
             or ledger.ref_extended_by(order, bills.SHORTEST_EXTENDED_ORDER)) if order else None
    if found is None:
        result.not_topups += 1
        shown.decided(_("skipped"), _("a refund of a payment that is no top-up in this bill or the ledger"))
        return
    topup_id, outcome, status = found.id, found.outcome, found.status
    result.refunds += 1
    shown.decided(_("skipped"), _("a refund of record {id}", id=topup_id))
    kept = shown_record(ledger, topup_id)
    if outcome != Outcome.refunded.value and status != Status.void.value and \
            amount >= bills.amount_of(kept["paid"] or kept["amount"]):
        reason = shell_word(amend_reason(source, row.line))
        result.differing.append(_("record {id}: it says {outcome}, a refund row gave it all back: topup amend {id} "
                                  "--outcome refunded --reason {reason}", id=topup_id, outcome=outcome, reason=reason))


def _placed(ledger: Ledger, row: bills.BillRow, decision: bills.Decision, placer: Placer,
            given_back: dict[str, Decimal], now: datetime, shown: RowFate,
            result: BillImport) -> StoredTopup | None:
    """The record a top-up row would become on its card, or None (and why, in `shown`) when it cannot."""
    assert decision.kind is not None and decision.outcome is not None
    outcome = decision.outcome
    refunded = given_back.get(bills.order_number(row.get("order")))
    if refunded is not None and (refunded >= bills.amount_of(row.get("amount")) or outcome is Outcome.failed):
        outcome = Outcome.refunded  # a refund row of the same order gave it all back
    try:
        target = placer.place(row, decision.kind)
    except NotPlaced as problem:
        if logged := _logged_by_ref(ledger, row):  # by hand, on a card the bill does not name (or in its currency)
            result.already += 1
            shown.decided(_("already in the ledger"), _("record {id} on card {label!r}", id=logged.id,
                                                        label=logged.card))
            shown.card = logged.card
            return None
        result.unplaced += 1
        shown.decided(_("not placed"), problem.why)
        result.left_out.append(shown)
        # A card in another currency is named: the line that logs the row on it places it.
        commands = log_lines(row, placer, decision.kind, outcome, now, problem.card) if problem.card \
            else [problem.suggestion]
        result.not_placed.extend(command for command in commands if command not in result.not_placed)
        return None
    try:
        record = _record(row, target, outcome, placer.source, now)
    except LedgerError as exc:  # one unrecordable row does not keep the bill's other top-ups out
        _by_hand(ledger, row, _("{problem}; log it by hand", problem=exc.message), shown, result,
                 log_lines(row, placer, decision.kind, outcome, now, target))
        return None
    result.mangled_refs += bool(row.get("order")) and not record["ref"]
    shown.card, shown.outcome = target["label"], outcome.value
    shown.amount = format_minor(record["amount_minor"], placer.source.currency)
    return record


def _settle(ledger: Ledger, candidates: list[tuple[RowFate, StoredTopup]], source: BillSource,
            result: BillImport) -> list[StoredTopup]:
    """Mark each candidate added or already in the ledger, and return those added; for a record the
    bill tells more of (its outcome, or the order number or payment it lacks), the amend line that
    adds it."""
    records = [record for _row, record in candidates]
    added = []
    for (shown, record), there in zip(candidates, _AlreadyThere(ledger, records).which(records), strict=True):
        if there is None:
            shown.decision = _("added")
            added.append(record)
            continue
        result.already += 1
        shown.decided(_("already in the ledger"), there.named)
        if there.id is None or there.void:
            continue
        kept = shown_record(ledger, there.id)
        changes, told = {}, []
        if kept["outcome"] != record["outcome"]:
            changes["outcome"] = record["outcome"]
            told.append(_("it says {kept}, the bill {bill}", kept=kept["outcome"], bill=record["outcome"]))
        if not kept["ref"] and record["ref"]:
            changes["ref"] = record["ref"]
            told.append(_("the bill gives its order number"))
        if kept["paid"] is None and kept["card"] == shown.card and record["paid_minor"] != record["amount_minor"]:
            changes["paid"] = format_minor(record["paid_minor"], source.currency)
            told.append(_("the bill gives what was paid"))
        if not kept["paid_with"] and record["paid_with"]:
            changes["paid-with"] = record["paid_with"]
            told.append(_("the bill gives what paid for it"))
        if changes:
            shown.why = _("{record}: {told}", record=there.named, told=joined(told, "; "))
            options = " ".join(f"--{name} {shell_word(value)}" for name, value in changes.items())
            reason = shell_word(amend_reason(source, shown.line))
            result.differing.append(_("{why}: topup amend {id} {options} --reason {reason}", why=shown.why,
                                      id=there.id, options=options, reason=reason))
    return added


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


def _record(row: bills.BillRow, card: Card, outcome: Outcome, source: BillSource, now: datetime) -> StoredTopup:
    currency = source.currency
    paid = parse_amount(bills.clean_amount(row.get("amount")), currency, "amount").minor
    face = bills.face_value(row.get("item"))
    amount = parse_amount(face, currency, "amount").minor if face else paid
    if face and bills.overcharged(Decimal(face), bills.amount_of(row.get("amount"))):
        raise InvalidInput(_("the item names {face} but {paid} was charged", face=format_minor(amount, currency),
                             paid=format_minor(paid, currency)))
    when = row.get("time") or row.get("created")
    if not when:
        raise InvalidInput(_("the bill gives it no time"))
    ref = bills.order_number(row.get("order"))
    return new_row(card["id"], currency, to_stored(now)) | {
        "amount_minor": amount, "paid_minor": paid,
        "channel": source.channel, "outcome": outcome.value,
        "occurred_at_utc": to_stored(bills.moment_of(when, source, now)),
        "ref": clean_ref(ref or None), "merchant": BY_NAME["merchant"].clean(row.get("counterparty") or None),
        "note": BY_NAME["note"].clean(row.get("item") or None),
        # What the payment column says paid (零钱, 招商银行(4523), 花呗): what a dispute asks first.
        "paid_with": typed(BY_NAME["paid_with"], paid_with_text(row.get("method")) or "", currency, now),
    }


@dataclass(frozen=True)
class _Match:
    """What a bill's top-up is already there as: a record (its id, outcome, whether voided), or a row above."""

    id: int | None
    outcome: str = ""
    void: bool = False
    elsewhere: str | None = None  # the record's card, when it is another card than the row's

    @property
    def named(self) -> Text:
        if self.id is None:
            return _("a row above in this bill")
        if self.elsewhere is not None:
            return _("record {id} on card {label!r}", id=self.id, label=self.elsewhere)
        return _("record {id}", id=self.id)


class _AlreadyThere:
    """Which of a bill's top-ups the ledger, or the bill further up, already holds: a record with the
    same order number (on any card, voided ones too), or one of the card of the same amount within ten minutes. Each
    record answers for one row: those with the same outcome are paired first, the nearest in time."""

    def __init__(self, ledger: Ledger, records: list[StoredTopup]) -> None:
        self.ledger = ledger
        self.labels = {card["id"]: card["label"] for card in ledger.cards()}
        self.seen: set[tuple[int, str, str, int]] = set()  # card, ref, time and amount of rows further up
        self.near: dict[tuple[int, int], list[tuple[datetime, int, str]]] = defaultdict(list)
        self.matched: set[int] = set()
        if not records:
            return
        window = rules.SAME_AMOUNT_WINDOW
        first = to_stored(min(from_stored(r["occurred_at_utc"]) for r in records) - window)
        last = to_stored(max(from_stored(r["occurred_at_utc"]) for r in records) + window)
        for standing in ledger.standing_between(first, last):
            for value in {standing.amount_minor, standing.paid_minor} - {None}:
                self.near[(standing.card_id, value)].append(
                    (from_stored(standing.occurred_at_utc), standing.id, standing.outcome))

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
        # An order number is the payment's own: on another card it is the same top-up, logged there.
        if found := self.ledger.ref_on_any_card(ref, prefer_card=card_id):
            topup_id, label, outcome, status = found.id, found.card, found.outcome, found.status
            elsewhere = label if label != self.labels.get(card_id) else None
            return _Match(topup_id, outcome, status == Status.void.value, elsewhere)
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
        _gap, topup_id, outcome = min(candidates)
        self.matched.add(topup_id)
        return _Match(topup_id, outcome)


def _by_hand(ledger: Ledger, row: bills.BillRow, why: str, shown: RowFate, result: BillImport,
             commands: list[str]) -> None:
    """A top-up that cannot be recorded as the bill gives it (a status not understood, a value
    refused) is left to log by hand, with the commands that do it; once it is, the record with its
    order number is found."""
    found = _logged_by_ref(ledger, row)
    if found:
        result.already += 1
        shown.decided(_("already in the ledger"), _("record {id}", id=found.id))
    else:
        result.by_hand += 1
        shown.decided(_("not added"), why)
        result.left_out.append(shown)
        result.not_placed.extend(command for command in commands if command not in result.not_placed)


def _logged_by_ref(ledger: Ledger, row: bills.BillRow) -> RefMatch | None:
    """A record on any card that carries the row's order number."""
    ref = bills.order_number(row.get("order"))
    with suppress(LedgerError):  # an order number no record could carry (a control character) is on none
        return ledger.ref_on_any_card(clean_ref(ref) or "", prefer_card=0) if ref else None
    return None
