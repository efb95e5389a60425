"""Top-ups: logging one (typed, or read from a pasted message), voiding and amending it.

Every change is checked with the rules of `domain.rules`, written in the caller's transaction,
and chained as the record's newest version.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ledger.domain import rules
from ledger.domain.cards import Card
from ledger.domain.channels import parse_channel
from ledger.domain.fields import Record, StoredTopup
from ledger.domain.money import parse_amount
from ledger.domain.receipts import ReceiptFile, renamed
from ledger.domain.times import from_stored, now_utc, parse_day, parse_moment, to_stored
from ledger.domain.values import Outcome, Status, clean_merchant, clean_note, clean_ref, optional_text, parse_outcome
from ledger.errors import InvalidInput
from ledger.service.cards import card_of, card_to_write_on, refuse_altered
from ledger.service.receipts import read_receipt
from ledger.service.records import shown_record, stored_topup
from ledger.store.interface import Ledger


@dataclass
class LogRequest:
    """`topup log` as typed; values are parsed against the card's currency and region."""

    card: str
    amount: str | None
    channel: str | None = None
    at: str | None = None
    ref: str | None = None
    merchant: str | None = None
    note: str | None = None
    receipts: list[str] = field(default_factory=list)  # paths of files to read
    files: list[ReceiptFile] = field(default_factory=list)  # files already read (uploaded through a form)
    balance_after: str | None = None
    valid_until: str | None = None
    paid: str | None = None
    outcome: str | None = None
    force: bool = False
    sms: str | None = None


@dataclass
class Logged:
    """A new record, and what was read from a pasted message (empty without one)."""

    record: Record
    read: dict[str, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def said(self) -> list[str]:
        """What the person is told besides the new record: what the message gave, notes and warnings."""
        lines = []
        if self.read:
            found = ", ".join(f"{key} {value}" for key, value in self.read.items() if value is not None)
            missing = ", ".join(key for key, value in self.read.items() if value is None)
            lines.append(f"read from the message: {found}" + (f"; not in it: {missing}" if missing else ""))
            lines += [f"note: {note}" for note in self.notes]
        return lines + [f"warning: {warning}" for warning in self.warnings]


def _optional_minor(text: str | None, currency: str, name: str, allow_zero: bool = False) -> int | None:
    """Minor units of an optional amount; empty text means unknown."""
    if text is None or not text.strip():
        return None
    return parse_amount(text, currency, name, allow_zero=allow_zero).minor


def log_topup(ledger: Ledger, request: LogRequest) -> Logged:
    """Record one top-up with its receipt files."""
    files = [read_receipt(p) for p in request.receipts] + request.files
    now = now_utc()
    card = card_to_write_on(ledger, request.card)
    read: dict[str, str | None] = {}
    notes: list[str] = []
    message = None
    if request.sms is not None:
        request, message, read, notes = _fill_from_message(request, card, now)
        files.append(message)
    if request.amount is None:
        raise InvalidInput("give the amount credited, e.g. topup log CARD 100")
    currency = card["currency"]
    row: StoredTopup = {
        "card_id": card["id"], "amount_minor": parse_amount(request.amount, currency).minor,
        "paid_minor": _optional_minor(request.paid, currency, "--paid"), "currency": currency,
        "channel": parse_channel(request.channel).value if request.channel else "other",
        "outcome": parse_outcome(request.outcome, (Outcome.credited, Outcome.pending, Outcome.failed)).value
        if request.outcome else Outcome.credited.value,
        "occurred_at_utc": to_stored(parse_moment(request.at, now) if request.at else now),
        "ref": clean_ref(request.ref), "merchant": clean_merchant(request.merchant), "note": clean_note(request.note),
        "balance_after_minor": _optional_minor(request.balance_after, currency, "--balance-after", True),
        "valid_until": parse_day(request.valid_until).isoformat() if request.valid_until else None,
        "status": Status.active.value, "created_at_utc": to_stored(now), "version": 1,
    }
    if not request.force:
        # A text that names no time, reference, balance or validity may recur: "您已成功充值50元".
        if message is not None and any(read[key] for key in ("at", "ref", "balance_after", "valid_until")):
            rules.refuse_repeated_message(card, _records_keeping(ledger, card, message.data))
        _refuse_unforced(ledger, card, row)
    row["id"] = ledger.add_topup(row)
    ledger.add_receipts(row["id"], files, to_stored(now))
    ledger.record_version(row, "log", renamed(files), to_stored(now))
    warning = rules.same_amount_warning(_same_amount_near(ledger, row))
    return Logged(shown_record(ledger, row["id"]), read, notes, [warning] if warning else [])


def _records_keeping(ledger: Ledger, card: Card, message_bytes: bytes) -> list[int]:
    """Records of the card that already keep this message (compared as `message.comparable` text)."""
    from ledger.domain.message import MAX_MESSAGE_CHARS, comparable

    wanted = comparable(message_bytes.decode())
    kept = ledger.kept_texts(card["id"], 4 * MAX_MESSAGE_CHARS)
    return sorted({text.record_id for text in kept if comparable(text.data.decode(errors="replace")) == wanted})


def _same_amount_near(ledger: Ledger, row: StoredTopup) -> list[int]:
    moment = from_stored(row["occurred_at_utc"])
    return ledger.same_amount_between(row["card_id"], row["amount_minor"],
                                      to_stored(moment - rules.SAME_AMOUNT_WINDOW),
                                      to_stored(moment + rules.SAME_AMOUNT_WINDOW), row["id"])


def _fill_from_message(request: LogRequest, card: Card,
                       now: datetime) -> tuple[LogRequest, ReceiptFile, dict[str, str | None], list[str]]:
    """The request with the values read from its pasted message where the options did not give
    them; the message to keep as a receipt; what was read, and notes on how."""
    from ledger.domain import message
    from ledger.domain.receipts import text_receipt

    message.check_size(request.sms or "")
    given_at = parse_moment(request.at, now) if request.at else None
    reading = message.read_message(request.sms or "", card["currency"], card["region"], now, given_at)
    if reading.time_problem and request.at is None:
        raise InvalidInput(f"{reading.time_problem}; give the time with --at, e.g. --at '2025-03-14 18:42'")
    if reading.validity_problem and request.valid_until is None:
        raise InvalidInput(f"{reading.validity_problem}; give it with --valid-until, e.g. --valid-until 2025-06-12")
    read = {
        "amount": reading.amount, "paid": reading.paid, "ref": reading.ref,
        "at": reading.occurred_at.astimezone().isoformat() if reading.occurred_at else None,
        "balance_after": reading.balance_after,
        "valid_until": reading.valid_until.isoformat() if reading.valid_until else None,
        "channel": reading.channel.value if reading.channel else None, "outcome": reading.outcome.value,
    }
    given = {key: getattr(request, key) for key in read}
    filled = replace(request, **{key: given[key] if given[key] is not None else read[key] for key in read})
    if filled.amount is None:
        raise InvalidInput("could not find the top-up amount in the message; give it: topup log CARD AMOUNT --sms …")
    return filled, text_receipt("message.txt", reading.kept_text), read, reading.notes


def _refuse_unforced(ledger: Ledger, card: Card, row: StoredTopup, before: StoredTopup | None = None) -> None:
    """The refusals `--force` overrides: the card's limits and a receipt reference seen before. For
    an amendment (`before` is the record as it was), only a value it changes is checked again: a
    note corrected on a record logged with --force is no reason to refuse."""

    def changed(column: str) -> Any:
        return row[column] if before is None or row[column] != before[column] else None

    ref = changed("ref")
    same_ref = ledger.ids_with_ref(card["id"], ref, row.get("id")) if ref else []
    rules.refuse_unforced(card, changed("amount_minor"), changed("balance_after_minor"), ref, same_ref,
                          retired_ok=before is not None)


# ---------------------------------------------------------------- corrections


def void_record(ledger: Ledger, topup_id: int, reason: str) -> Record:
    """Mark a record void: it stays, with its history, but leaves totals."""
    reason_text = _reason(reason)
    row = stored_topup(ledger, topup_id)
    if row["status"] == Status.void.value:
        raise InvalidInput(f"record {topup_id} is already void")
    row.update(status=Status.void.value, version=row["version"] + 1)
    ledger.update_topup(row)
    ledger.record_version(row, "void", reason_text, to_stored(now_utc()))
    return shown_record(ledger, topup_id)


@dataclass
class Amendment:
    """`topup amend` as typed; None means 'unchanged', an empty text clears an optional field."""

    reason: str
    amount: str | None = None
    at: str | None = None
    ref: str | None = None
    channel: str | None = None
    merchant: str | None = None
    note: str | None = None
    outcome: str | None = None
    paid: str | None = None
    balance_after: str | None = None
    valid_until: str | None = None
    force: bool = False


def amend_record(ledger: Ledger, topup_id: int, change: Amendment) -> Record:
    """Correct a record as a new version; the earlier versions stay in its history."""
    reason_text = _reason(change.reason)
    before = stored_topup(ledger, topup_id)
    if before["status"] == Status.void.value:
        raise InvalidInput(f"record {topup_id} is void; log a new top-up instead of amending it")
    card = refuse_altered(ledger, card_of(ledger, topup_id))
    currency = before["currency"]
    row = dict(before)
    if change.amount is not None:
        row["amount_minor"] = parse_amount(change.amount, currency).minor
    if change.at is not None:
        row["occurred_at_utc"] = to_stored(parse_moment(change.at))
    if change.ref is not None:
        row["ref"] = clean_ref(change.ref)
    if change.channel is not None:
        row["channel"] = parse_channel(change.channel).value
    if change.merchant is not None:
        row["merchant"] = clean_merchant(change.merchant)
    if change.note is not None:
        row["note"] = clean_note(change.note)
    if change.outcome is not None:
        row["outcome"] = parse_outcome(change.outcome).value
    if change.paid is not None:
        row["paid_minor"] = _optional_minor(change.paid, currency, "--paid")
    if change.balance_after is not None:
        row["balance_after_minor"] = _optional_minor(change.balance_after, currency, "--balance-after", True)
    if change.valid_until is not None:
        row["valid_until"] = parse_day(change.valid_until).isoformat() if change.valid_until.strip() else None
    if row == before:
        raise InvalidInput(f"the amendment changes nothing in record {topup_id}")
    if not change.force:  # correcting an old record of a retired card is fine
        _refuse_unforced(ledger, card, row, before)
    row.update(status=Status.amended.value, version=row["version"] + 1)
    ledger.update_topup(row)
    ledger.record_version(row, "amend", reason_text, to_stored(now_utc()))
    return shown_record(ledger, topup_id)


def _reason(text: str) -> str:
    reason = optional_text(text, "reason", 1000)
    if not reason:
        raise InvalidInput("give a --reason; it is kept in the record's history")
    return reason
