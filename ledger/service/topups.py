"""Top-ups: logging one (typed, or read from a pasted message), voiding and amending it.

Every change is checked with the rules of `domain.rules`, written in the caller's transaction,
and chained as the record's newest version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ledger.domain import fields, rules
from ledger.domain.cards import Card
from ledger.domain.channels import with_what_the_channel_names
from ledger.domain.fields import Record, StoredTopup
from ledger.domain.receipts import ReceiptFile, renamed
from ledger.domain.times import day_alone, from_stored, now_utc, parse_moment, to_stored
from ledger.domain.values import Outcome, Status, optional_text, parse_outcome
from ledger.errors import InvalidInput
from ledger.i18n import N_, Option, Text, _
from ledger.service.cards import card_of, card_to_write_on, refuse_altered
from ledger.service.receipts import read_receipt
from ledger.service.records import shown_record, stored_topup
from ledger.store.interface import Ledger


@dataclass
class LogRequest:
    """`topup log` as typed: each value by its option's name (`fields.RecordField.key`: amount, at,
    channel, balance_after …), parsed against the card's currency and region; a value not given,
    or left empty, takes the field's default."""

    card: str
    values: dict[str, str | None] = field(default_factory=dict)
    receipts: list[str] = field(default_factory=list)  # paths of files to read
    files: list[ReceiptFile] = field(default_factory=list)  # files already read (uploaded through a form)
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
            lines.append(_("read from the message: {found}; not in it: {missing}", found=found, missing=missing)
                         if missing else _("read from the message: {found}", found=found))
            lines += ["note: " + note for note in self.notes]  # the markers scripts look for are never translated
        return lines + ["warning: " + warning for warning in self.warnings]


# How long after a balance is stated the top-ups credited since still tell what a card holds.
KNOWN_BALANCE_LASTS = timedelta(days=7)

# What a top-up is logged as: a refund only ever follows a payment that was recorded.
LOGGED_OUTCOMES = (Outcome.credited, Outcome.pending, Outcome.failed)


def _typed(spec: fields.RecordField, text: str, currency: str, now: datetime) -> Any:
    """A value as typed on the command line or in the form, as stored; a refusal names its option."""
    return fields.typed(spec, text, currency, now, shown=Option(spec.key) if spec.optional else None)


def _keep_day_alone(row: StoredTopup, values: dict[str, str | None], now: datetime) -> None:
    """Keep the day a time was given as when it was given with no time of day (its moment is then
    that day's local midnight); a time given again replaces it."""
    for name, column in fields.DAY_ALONE.items():
        text = values.get(fields.BY_NAME[name].key)
        if text:
            day = day_alone(text, now)
            row[column] = day and day.isoformat()  # type: ignore[literal-required]


def log_topup(ledger: Ledger, request: LogRequest) -> Logged:
    """Record one top-up with its receipt files."""
    files = [read_receipt(p) for p in request.receipts] + request.files
    now = now_utc()
    card = card_to_write_on(ledger, request.card)
    # --channel PayMe says what paid, and --channel 全家 where, before any message does.
    values = with_what_the_channel_names(request.values)
    read: dict[str, str | None] = {}
    notes: list[str] = []
    message = None
    if request.sms is not None:
        values, message, read, notes = _fill_from_message(values, request.sms, card, now)
        files.append(message)
    if values.get("amount") is None:
        raise InvalidInput(_("give the amount credited, e.g. 100"))
    currency = card["currency"]
    row = fields.new_row(card["id"], card["currency"], to_stored(now))
    for spec in fields.SETTABLE:
        text = values.get(spec.key)
        # An empty option is one not given, but for the amount and the time: an empty --at is refused, never now.
        if text is not None and (text or spec.name == "amount" or spec.kind is fields.Kind.moment):
            row[spec.column] = _typed(spec, text, currency, now)  # type: ignore[index]
    _keep_day_alone(row, values, now)
    parse_outcome(row["outcome"], LOGGED_OUTCOMES)
    if not request.force:
        # A text that names no time, reference, balance or validity may recur: "您已成功充值50元".
        if message is not None and any(read[key] for key in ("at", "ref", "balance_after", "valid_until")):
            rules.refuse_repeated_message(card, _records_keeping(ledger, card, message.data))
        _refuse_unforced(ledger, card, row)
    row["id"] = ledger.add_topup(row)
    ledger.add_receipts(row["id"], files, to_stored(now))
    ledger.record_version(row, "log", renamed(files), to_stored(now))
    warnings = [rules.same_amount_warning(row["id"], _same_amount_near(ledger, row)),
                _over_known_balance(ledger, card, row)]
    return Logged(shown_record(ledger, row["id"]), read, notes, [warning for warning in warnings if warning])


def _over_known_balance(ledger: Ledger, card: Card, row: StoredTopup) -> Text | None:
    """With no balance given, the one the ledger knows (the newest stated, and the top-ups credited
    since, this one among them) over the card's cap. Spending in between is never logged, so this
    is what the card may hold at most: worth a look, not a refusal of what happened, and only within
    `KNOWN_BALANCE_LASTS` of the balance stated, beyond which spending makes the sum say nothing."""
    if row["balance_after_minor"] is not None or row["outcome"] != Outcome.credited.value:
        return None
    from ledger.service.limits import held

    known = held(ledger, card)
    if known.stated is None or known.balance_minor is None or not (
            timedelta(0) <= from_stored(row["occurred_at_utc"]) - from_stored(known.stated.occurred_at_utc)
            <= KNOWN_BALANCE_LASTS):
        return None
    return rules.over_known_balance(card, known.balance_minor, known.stated.id,
                                    [top_up.id for top_up in known.since])


def _records_keeping(ledger: Ledger, card: Card, message_bytes: bytes) -> list[int]:
    """Records of the card that already keep this message (compared as `messages.comparable` text)."""
    from ledger.sources.messages import MAX_MESSAGE_CHARS, comparable

    wanted = comparable(message_bytes.decode())
    kept = ledger.kept_texts(card["id"], 4 * MAX_MESSAGE_CHARS)
    return sorted({text.record_id for text in kept if comparable(text.data.decode(errors="replace")) == wanted})


def _same_amount_near(ledger: Ledger, row: StoredTopup) -> list[int]:
    moment = from_stored(row["occurred_at_utc"])
    return ledger.same_amount_between(row["card_id"], row["amount_minor"],
                                      to_stored(moment - rules.SAME_AMOUNT_WINDOW),
                                      to_stored(moment + rules.SAME_AMOUNT_WINDOW), row["id"])


def _fill_from_message(given: dict[str, str | None], text: str, card: Card,
                       now: datetime) -> tuple[dict[str, str | None], ReceiptFile, dict[str, str | None], list[str]]:
    """The values given, with those read from a pasted message where none was given; the message to
    keep as a receipt; what was read, and notes on how."""
    from ledger.domain.receipts import text_receipt
    from ledger.sources import messages as message

    message.check_size(text)
    given_at = parse_moment(given["at"], now) if given.get("at") else None
    reading = message.read_message(text, card["currency"], card["region"], now, given_at)
    if reading.time_problem and given.get("at") is None:
        raise InvalidInput(_("{problem}; give the time with {at}, e.g. {example}", problem=reading.time_problem,
                             at=Option("at"), example=Option("at", "2025-03-14 18:42")))
    if reading.validity_problem and given.get("valid_until") is None:
        raise InvalidInput(_("{problem}; give it with {valid_until}, e.g. {example}", problem=reading.validity_problem,
                             valid_until=Option("valid_until"), example=Option("valid_until", "2025-06-12")))
    read = {
        "amount": reading.amount, "paid": reading.paid, "ref": reading.ref,
        "at": _stated_at(reading.occurred_at, reading.time_stated),
        "balance_after": reading.balance_after,
        "valid_until": reading.valid_until.isoformat() if reading.valid_until else None,
        "channel": reading.channel.value if reading.channel else None, "paid_with": reading.paid_with,
        "outcome": reading.outcome.value,
    }
    filled = given | {key: read[key] for key in read if given.get(key) is None}
    if filled["amount"] is None:
        raise InvalidInput(_("could not find the top-up amount in the message; give it beside the message, e.g. 100"))
    return filled, text_receipt("message.txt", reading.kept_text), read, reading.notes


def _stated_at(moment: datetime | None, time_stated: bool) -> str | None:
    """A message's date as `--at` would give it: its day alone when the message gives no time."""
    if moment is None:
        return None
    return moment.astimezone().isoformat() if time_stated else moment.astimezone().date().isoformat()


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
    if row["outcome"] not in (Outcome.credited.value, Outcome.pending.value):
        return
    from ledger.service.limits import profile_problems

    # The profile's rules count the card's other top-ups: an amendment is checked again when it moves
    # the top-up into a rule's reach (a larger amount, its channel, time or outcome), as logging it so
    # would be; one that only lowers the amount never is (a window already over, by --force, stays fixable).
    if before is None or row["amount_minor"] > before["amount_minor"] or any(
            row[column] != before[column] for column in ("channel", "occurred_at_utc", "outcome")):
        rules.refuse_profile_breach(profile_problems(ledger, card, row["amount_minor"], row["channel"],
                                                     from_stored(row["occurred_at_utc"]), besides=row.get("id")))


# ---------------------------------------------------------------- corrections


def void_record(ledger: Ledger, topup_id: int, reason: str) -> Record:
    """Mark a record void: it stays, with its history, but leaves totals."""
    reason_text = _reason(reason)
    row = stored_topup(ledger, topup_id)
    if row["status"] == Status.void.value:
        raise InvalidInput(_("record {id} is already void", id=topup_id))
    row.update(status=Status.void.value, version=row["version"] + 1)
    ledger.update_topup(row)
    ledger.record_version(row, "void", reason_text, to_stored(now_utc()))
    return shown_record(ledger, topup_id)


@dataclass
class Amendment:
    """`topup amend` as typed: each value by its option's name, as for `LogRequest`; a value not
    given is left as it was, and an empty one clears an optional field."""

    reason: str
    values: dict[str, str | None] = field(default_factory=dict)
    force: bool = False


def amend_record(ledger: Ledger, topup_id: int, change: Amendment) -> Record:
    """Correct a record as a new version; the earlier versions stay in its history."""
    reason_text = _reason(change.reason)
    before = stored_topup(ledger, topup_id)
    if before["status"] == Status.void.value:
        raise InvalidInput(_("record {id} is void; log a new top-up instead of amending it", id=topup_id))
    card = refuse_altered(ledger, card_of(ledger, topup_id))
    row, now = dict(before), now_utc()
    # A channel that names what paid (PayMe) or where (全家) fills in only what the record does not yet
    # say and the amendment does not set or clear (--paid-with "").
    given = {key: text for key, text in change.values.items() if text is not None}
    kept = {key: before[key] or "" for key in ("paid_with", "merchant")}
    named = with_what_the_channel_names(kept | given)
    values = change.values | {key: named[key] for key in kept if key not in given and named[key] != kept[key]}
    for spec in fields.SETTABLE:
        text = values.get(spec.key)
        if text is not None:
            row[spec.column] = _typed(spec, text, before["currency"], now)  # type: ignore[index]
    _keep_day_alone(row, change.values, now)
    if row == before:
        raise InvalidInput(_("the amendment changes nothing in record {id}", id=topup_id))
    if not change.force:  # correcting an old record of a retired card is fine
        _refuse_unforced(ledger, card, row, before)
    row.update(status=Status.amended.value, version=row["version"] + 1)
    ledger.update_topup(row)
    ledger.record_version(row, "amend", reason_text, to_stored(now))
    return shown_record(ledger, topup_id)


def _reason(text: str) -> str:
    reason = optional_text(text, N_("reason"), 1000)
    if not reason:
        raise InvalidInput(_("give a --reason; it is kept in the record's history"))
    return reason
