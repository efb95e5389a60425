"""The use cases. Each function opens the ledger, does one job in one transaction and returns
plain data (dicts), never ORM objects that would expire when the session closes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlmodel import Session, select

from ledger import db, store
from ledger.errors import Duplicate, InvalidInput, LedgerError, LimitExceeded
from ledger.models import Blob, Card, Receipt, Topup
from ledger.money import REGION_CURRENCY, Money, check_currency, format_minor, parse_amount
from ledger.receipts import ReceiptFile, read_receipt
from ledger.times import now_utc, parse_day, parse_moment, to_stored, local_iso
from ledger.values import (
    CardKind, Outcome, Status, clean_label, clean_ref, label_key, mask_number, optional_text,
    parse_card_number, parse_channel, parse_outcome, parse_region,
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


# ---------------------------------------------------------------- cards


@dataclass
class CardSpec:
    """A card's settings as typed; None means 'not given'."""

    kind: str | None = None
    number: str | None = None
    region: str | None = None
    currency: str | None = None
    issuer: str | None = None
    max_topup: str | None = None
    max_balance: str | None = None
    validity_days: int | None = None
    label: str | None = None


def card_view(card: Card, reveal: bool = False) -> dict[str, Any]:
    def money(minor: int | None) -> str | None:
        return None if minor is None else format_minor(minor, card.currency)

    return {
        "label": card.label, "kind": card.kind,
        "number": card.number if reveal else mask_number(card.number),
        "region": card.region, "currency": card.currency, "issuer": card.issuer,
        "max_topup": money(card.max_topup_minor), "max_balance": money(card.max_balance_minor),
        "validity_days": card.validity_days, "retired": card.retired_at_utc is not None,
        "created_at": local_iso(card.created_at_utc),
    }


def _apply_card_spec(card: Card, spec: CardSpec) -> None:
    """Check and copy the given settings onto `card` (new or existing)."""
    if spec.label is not None:
        card.label = clean_label(spec.label)
        card.label_key = label_key(card.label)
    if spec.kind is not None:
        try:
            card.kind = CardKind(spec.kind.strip().lower()).value
        except ValueError:
            raise InvalidInput(f"card kind {spec.kind!r} must be sim or smart") from None
    if spec.region is not None:
        card.region = parse_region(spec.region) if spec.region.strip() else None
    if spec.currency is not None:
        card.currency = check_currency(spec.currency)
    if spec.number is not None:
        card.number = parse_card_number(CardKind(card.kind), spec.number, card.region) if spec.number.strip() else None
    if spec.issuer is not None:
        card.issuer = optional_text(spec.issuer, "issuer", 100, multiline=False)
    if spec.max_topup is not None:
        card.max_topup_minor = parse_amount(spec.max_topup, card.currency, "--max-topup").minor if spec.max_topup.strip() else None
    if spec.max_balance is not None:
        card.max_balance_minor = (
            parse_amount(spec.max_balance, card.currency, "--max-balance").minor if spec.max_balance.strip() else None
        )
    if spec.validity_days is not None:
        if not 1 <= spec.validity_days <= 3660:
            raise InvalidInput("--validity-days must be between 1 and 3660")
        card.validity_days = spec.validity_days


def add_card(path: Path, label: str, spec: CardSpec) -> dict[str, Any]:
    """Add a card; its currency comes from --currency, else its region, else CNY."""
    if spec.kind is None:
        raise InvalidInput("give the card's kind: --kind sim or --kind smart")
    currency = spec.currency
    if currency is None:
        region = parse_region(spec.region) if spec.region else None
        currency = REGION_CURRENCY.get(region, "CNY") if region else "CNY"
        if region and region not in REGION_CURRENCY:
            raise InvalidInput(f"no currency is known for region {region}; add --currency")
    card = Card(label="", label_key="", kind="", currency="", created_at_utc=to_stored(now_utc()))
    _apply_card_spec(card, CardSpec(**{**spec.__dict__, "label": label, "currency": currency}))
    with session_for(path, write=True) as session:
        existing = session.exec(select(Card).where(Card.label_key == card.label_key)).first()
        if existing is not None:
            raise Duplicate(f"there is already a card {existing.label!r}; choose another label or `topup card edit` it")
        session.add(card)
        session.flush()
        return card_view(card)


def list_cards(path: Path, reveal: bool = False) -> list[dict[str, Any]]:
    with session_for(path, write=False) as session:
        return [card_view(card, reveal) for card in session.exec(select(Card).order_by(Card.label_key))]


def show_card(path: Path, label: str, reveal: bool = False) -> dict[str, Any]:
    with session_for(path, write=False) as session:
        card = store.find_card(session, label)
        view = card_view(card, reveal)
        row = session.connection().exec_driver_sql(
            "SELECT count(*), max(occurred_at_utc) FROM topup WHERE card_id = ? AND status != 'void'", (card.id,)
        ).fetchone()
        view["records"], view["last_topup_at"] = row[0], local_iso(row[1])
        return view


def edit_card(path: Path, label: str, spec: CardSpec) -> dict[str, Any]:
    """Change a card's settings. Its currency is fixed once it has records."""
    with session_for(path, write=True) as session:
        card = store.find_card(session, label)
        if spec.currency is not None and check_currency(spec.currency) != card.currency:
            used = session.connection().exec_driver_sql("SELECT 1 FROM topup WHERE card_id = ? LIMIT 1", (card.id,)).first()
            if used:
                raise InvalidInput(f"card {card.label!r} has records in {card.currency}; its currency cannot change")
        if spec.kind is not None and spec.number is None and card.number is not None:
            spec.number = card.number  # the number must pass the new kind's rules too
        _apply_card_spec(card, spec)
        clash = session.exec(select(Card).where(Card.label_key == card.label_key, Card.id != card.id)).first()
        if clash is not None:
            raise Duplicate(f"there is already a card {clash.label!r}")
        session.add(card)
        session.flush()
        return card_view(card)


def retire_card(path: Path, label: str) -> dict[str, Any]:
    """Mark a card as no longer used; its records stay."""
    with session_for(path, write=True) as session:
        card = store.find_card(session, label)
        if card.retired_at_utc is None:
            card.retired_at_utc = to_stored(now_utc())
            session.add(card)
        return card_view(card)


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


def _optional_money(text: str | None, currency: str, name: str) -> Money | None:
    return parse_amount(text, currency, name) if text is not None and text.strip() else None


def log_topup(path: Path, request: LogRequest, extra_receipts: tuple[ReceiptFile, ...] = ()) -> dict[str, Any]:
    """Record one top-up with its receipt files, all in one transaction."""
    files = [read_receipt(p) for p in request.receipts] + list(extra_receipts)
    now = now_utc()
    with session_for(path, write=True) as session:
        card = store.find_card(session, request.card)
        if request.amount is None:
            raise InvalidInput("give the amount credited, e.g. topup log CARD 100")
        amount = parse_amount(request.amount, card.currency)
        topup = Topup(
            card_id=card.id, amount_minor=amount.minor, currency=card.currency,
            paid_minor=_minor(_optional_money(request.paid, card.currency, "--paid")),
            channel=parse_channel(request.channel).value if request.channel else "other",
            outcome=parse_outcome(request.outcome, (Outcome.credited, Outcome.pending, Outcome.failed)).value
            if request.outcome else Outcome.credited.value,
            occurred_at_utc=to_stored(parse_moment(request.at, now) if request.at else now),
            ref=clean_ref(request.ref),
            merchant=optional_text(request.merchant, "merchant", 200, multiline=False),
            note=optional_text(request.note, "note", 10_000),
            balance_after_minor=_minor(_optional_money(request.balance_after, card.currency, "--balance-after")),
            valid_until=parse_day(request.valid_until).isoformat() if request.valid_until else None,
            status=Status.active.value, created_at_utc=to_stored(now), version=1,
        )
        if not request.force:
            _check_limits(session, card, topup)
        session.add(topup)
        session.flush()
        _attach(session, topup, files, to_stored(now))
        store.append_version(session, topup, "log", None, to_stored(now))
        return store.get_record(session, topup.id)


def _minor(money: Money | None) -> int | None:
    return None if money is None else money.minor


def _check_limits(session: Session, card: Card, topup: Topup, exclude_id: int | None = None) -> None:
    """Refusals that `--force` overrides: the card's limits and a receipt reference seen before."""
    if card.retired_at_utc is not None:
        raise InvalidInput(f"card {card.label!r} is retired; add --force to log on it anyway")
    if card.max_topup_minor is not None and topup.amount_minor > card.max_topup_minor:
        raise LimitExceeded(
            f"{format_minor(topup.amount_minor, card.currency)} {card.currency} is over the single top-up limit of "
            f"card {card.label!r} ({format_minor(card.max_topup_minor, card.currency)}); check the amount, "
            "or add --force if it is right"
        )
    if (card.max_balance_minor is not None and topup.balance_after_minor is not None
            and topup.balance_after_minor > card.max_balance_minor):
        raise LimitExceeded(
            f"a balance of {format_minor(topup.balance_after_minor, card.currency)} is over the balance cap of "
            f"card {card.label!r} ({format_minor(card.max_balance_minor, card.currency)}); "
            "check it, or add --force if it is right"
        )
    if topup.ref:
        existing = store.records_with_ref(session, card.id, topup.ref, exclude_id)
        if existing:
            raise Duplicate(
                f"card {card.label!r} already has reference {topup.ref!r} in record {existing[0]} "
                f"(`topup show {existing[0]}`); add --force if this is a different top-up"
            )


def _attach(session: Session, topup: Topup, files: list[ReceiptFile], at_utc: str) -> int:
    """Store receipt files for a record; the bytes are kept once per digest. Returns how many were new."""
    added = 0
    seen = {sha for sha, _, _ in store.receipt_list(session, topup.id)}
    for file in files:
        if file.sha256 in seen:
            continue
        seen.add(file.sha256)
        if session.get(Blob, file.sha256) is None:
            session.add(Blob(sha256=file.sha256, size=file.size, data=file.data))
        session.add(Receipt(topup_id=topup.id, sha256=file.sha256, name=file.name,
                            media_type=file.media_type, size=file.size, added_at_utc=at_utc))
        added += 1
    session.flush()
    return added


def show_record(path: Path, topup_id: int) -> dict[str, Any]:
    """One record with its receipt files and every version in its history."""
    with session_for(path, write=False) as session:
        record = store.get_record(session, topup_id)
        record["history"] = [
            {"version": v.version, "action": v.action, "reason": v.reason,
             "recorded_at": local_iso(v.recorded_at_utc), "digest": v.digest,
             "content": _version_fields(v.content)}
            for v in store.versions(session, topup_id)
        ]
        return record


def _version_fields(content: str) -> dict[str, Any]:
    """A version's stored content in the form records are shown in."""
    import json

    body = json.loads(content)
    currency = body["currency"]

    def money(minor: int | None) -> str | None:
        return None if minor is None else format_minor(minor, currency)

    return {
        "amount": money(body["amount_minor"]), "paid": money(body["paid_minor"]), "currency": currency,
        "channel": body["channel"], "outcome": body["outcome"], "occurred_at": local_iso(body["occurred_at_utc"]),
        "ref": body["ref"], "merchant": body["merchant"], "note": body["note"],
        "balance_after": money(body["balance_after_minor"]), "valid_until": body["valid_until"],
        "status": body["status"], "receipts": len(body["receipts"]),
    }
