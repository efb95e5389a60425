"""Cards and SIMs: adding, showing, editing and retiring them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import select

from ledger import store
from ledger.errors import Duplicate, InvalidInput
from ledger.models import Card
from ledger.money import REGION_CURRENCY, check_currency, format_minor, parse_amount
from ledger.service import session_for
from ledger.times import local_iso, now_utc, to_stored
from ledger.values import CardKind, clean_label, label_key, mask_number, optional_text, parse_card_number, parse_region


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
