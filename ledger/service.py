"""The use cases. Each function opens the ledger, does one job in one transaction and returns
plain data (dicts), never ORM objects that would expire when the session closes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlmodel import Session

from ledger import db, queries, store
from ledger.db import raw
from ledger.errors import Duplicate, InvalidInput, LedgerError, LimitExceeded
from ledger.models import Topup
from ledger.money import Money, format_minor, parse_amount
from ledger.receipts import ReceiptFile, read_receipt
from ledger.times import now_utc, parse_day, parse_moment, to_stored
from ledger.values import (
    Outcome,
    Status,
    clean_merchant,
    clean_note,
    clean_ref,
    optional_text,
    parse_channel,
    parse_outcome,
)


@contextmanager
def session_for(path: Path, *, write: bool) -> Iterator[Session]:
    """A session on the ledger at `path`; a writing one commits only if the block succeeds."""
    db.prepare(path)
    try:
        with db.open_engine(path, write=write) as engine, Session(engine) as session:
            yield session
            if write:
                session.commit()
    except sa_exc.OperationalError as exc:
        raise LedgerError(f"the ledger {path} could not be used: {exc.orig}") from None
    except sa_exc.IntegrityError as exc:
        raise LedgerError(f"the ledger refused the change: {exc.orig}") from None


# ---------------------------------------------------------------- top-ups


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
    receipts: list[str] = field(default_factory=list)
    balance_after: str | None = None
    valid_until: str | None = None
    paid: str | None = None
    outcome: str | None = None
    force: bool = False
    sms: str | None = None


@dataclass
class Logged:
    """A new record, and what was read from a pasted message (empty without one)."""

    record: dict[str, Any]
    read: dict[str, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _optional_money(text: str | None, currency: str, name: str, allow_zero: bool = False) -> Money | None:
    return parse_amount(text, currency, name, allow_zero=allow_zero) if text is not None and text.strip() else None


def log_topup(path: Path, request: LogRequest) -> Logged:
    """Record one top-up with its receipt files, all in one transaction."""
    files = [read_receipt(p) for p in request.receipts]
    now = now_utc()
    with session_for(path, write=True) as session:
        card = queries.find_card(raw(session), request.card)
        logged = Logged(record={})
        if request.sms is not None:
            request, message = _fill_from_message(request, card, now, logged)
            files.append(message)
        if request.amount is None:
            raise InvalidInput("give the amount credited, e.g. topup log CARD 100")
        currency = card["currency"]
        amount = parse_amount(request.amount, currency)
        topup = Topup(
            card_id=card["id"], amount_minor=amount.minor, currency=currency,
            paid_minor=_minor(_optional_money(request.paid, currency, "--paid")),
            channel=parse_channel(request.channel).value if request.channel else "other",
            outcome=parse_outcome(request.outcome, (Outcome.credited, Outcome.pending, Outcome.failed)).value
            if request.outcome else Outcome.credited.value,
            occurred_at_utc=to_stored(parse_moment(request.at, now) if request.at else now),
            ref=clean_ref(request.ref),
            merchant=clean_merchant(request.merchant), note=clean_note(request.note),
            balance_after_minor=_minor(_optional_money(request.balance_after, currency, "--balance-after", True)),
            valid_until=parse_day(request.valid_until).isoformat() if request.valid_until else None,
            status=Status.active.value, created_at_utc=to_stored(now), version=1,
        )
        if not request.force:
            _check_limits(session, card, topup)
        session.add(topup)
        session.flush()
        store.attach_receipts(session, topup, files, to_stored(now))
        store.append_version(session, topup, "log", None, to_stored(now))
        logged.record = queries.get_record(raw(session), topup.id)
        return logged


def _fill_from_message(request: LogRequest, card: dict[str, Any], now: Any,
                       logged: Logged) -> tuple[LogRequest, ReceiptFile]:
    """Values read from a pasted message, where the options did not give them; the message is kept as a receipt."""
    from dataclasses import replace

    from ledger import sms
    from ledger.receipts import text_receipt

    reading = sms.read_message(request.sms or "", card["currency"], card["region"], now)
    if reading.time_problem and request.at is None:
        raise InvalidInput(f"{reading.time_problem}; give the time with --at")
    read = {
        "amount": reading.amount, "paid": reading.paid, "ref": reading.ref,
        "at": reading.occurred_at.astimezone().isoformat() if reading.occurred_at else None,
        "balance_after": reading.balance_after,
        "valid_until": reading.valid_until.isoformat() if reading.valid_until else None,
        "channel": reading.channel.value if reading.channel else None, "outcome": reading.outcome.value,
    }
    logged.read, logged.notes = read, reading.notes
    given = {key: getattr(request, key) for key in read}
    filled = replace(request, **{key: given[key] if given[key] is not None else read[key] for key in read})
    if filled.amount is None:
        raise InvalidInput("could not find the top-up amount in the message; give it: topup log CARD AMOUNT --sms …")
    return filled, text_receipt("message.txt", reading.kept_text)


def _minor(money: Money | None) -> int | None:
    return None if money is None else money.minor


def _check_limits(session: Session, card: dict[str, Any], topup: Topup, exclude_id: int | None = None,
                  retired_ok: bool = False) -> None:
    """Refusals that `--force` overrides: the card's limits and a receipt reference seen before."""
    label, currency = card["label"], card["currency"]
    if card["retired_at_utc"] is not None and not retired_ok:
        raise InvalidInput(f"card {label!r} is retired; add --force to log on it anyway")
    limit, cap = card["max_topup_minor"], card["max_balance_minor"]
    if limit is not None and topup.amount_minor > limit:
        raise LimitExceeded(
            f"{format_minor(topup.amount_minor, currency)} {currency} is over the single top-up limit of "
            f"card {label!r} ({format_minor(limit, currency)}); check the amount, or add --force if it is right"
        )
    if cap is not None and topup.balance_after_minor is not None and topup.balance_after_minor > cap:
        raise LimitExceeded(
            f"a balance of {format_minor(topup.balance_after_minor, currency)} is over the balance cap of "
            f"card {label!r} ({format_minor(cap, currency)}); check it, or add --force if it is right"
        )
    if topup.ref:
        existing = queries.records_with_ref(raw(session), card["id"], topup.ref, exclude_id)
        if existing:
            raise Duplicate(
                f"card {label!r} already has reference {topup.ref!r} in record {existing[0]} "
                f"(`topup show {existing[0]}`); add --force if this is a different top-up"
            )


# ---------------------------------------------------------------- corrections


def void_record(path: Path, topup_id: int, reason: str) -> dict[str, Any]:
    """Mark a record void: it stays, with its history, but leaves totals."""
    reason_text = _reason(reason)
    with session_for(path, write=True) as session:
        topup = store.get_topup(session, topup_id)
        if topup.status == Status.void.value:
            raise InvalidInput(f"record {topup_id} is already void")
        topup.status = Status.void.value
        topup.version += 1
        session.add(topup)
        store.append_version(session, topup, "void", reason_text, to_stored(now_utc()))
        return queries.get_record(raw(session), topup_id)


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


def amend_record(path: Path, topup_id: int, change: Amendment) -> dict[str, Any]:
    """Correct a record as a new version; the earlier versions stay in its history."""
    reason_text = _reason(change.reason)
    with session_for(path, write=True) as session:
        topup = store.get_topup(session, topup_id)
        if topup.status == Status.void.value:
            raise InvalidInput(f"record {topup_id} is void; log a new top-up instead of amending it")
        card = queries.card_of(raw(session), topup_id)
        before = topup.model_dump()
        currency = topup.currency
        if change.amount is not None:
            topup.amount_minor = parse_amount(change.amount, currency).minor
        if change.at is not None:
            topup.occurred_at_utc = to_stored(parse_moment(change.at))
        if change.ref is not None:
            topup.ref = clean_ref(change.ref)
        if change.channel is not None:
            topup.channel = parse_channel(change.channel).value
        if change.merchant is not None:
            topup.merchant = clean_merchant(change.merchant)
        if change.note is not None:
            topup.note = clean_note(change.note)
        if change.outcome is not None:
            topup.outcome = parse_outcome(change.outcome).value
        if change.paid is not None:
            topup.paid_minor = _minor(_optional_money(change.paid, currency, "--paid"))
        if change.balance_after is not None:
            topup.balance_after_minor = _minor(_optional_money(change.balance_after, currency, "--balance-after", True))
        if change.valid_until is not None:
            topup.valid_until = parse_day(change.valid_until).isoformat() if change.valid_until.strip() else None
        if topup.model_dump() == before:
            raise InvalidInput(f"the amendment changes nothing in record {topup_id}")
        if not change.force:  # correcting an old record of a retired card is fine
            _check_limits(session, card, topup, exclude_id=topup.id, retired_ok=True)
        topup.status = Status.amended.value
        topup.version += 1
        session.add(topup)
        store.append_version(session, topup, "amend", reason_text, to_stored(now_utc()))
        return queries.get_record(raw(session), topup_id)


def _reason(text: str) -> str:
    reason = optional_text(text, "reason", 1000)
    if not reason:
        raise InvalidInput("give a --reason; it is kept in the record's history")
    return reason


