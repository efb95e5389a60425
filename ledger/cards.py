"""Cards and SIMs: adding, showing, editing and retiring them.

A card is handled here as a dict of its columns; only the writing functions load the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger import db, queries
from ledger.errors import Duplicate, InvalidInput
from ledger.money import REGION_CURRENCY, check_currency, format_minor, parse_amount
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


def card_view(card: dict[str, Any], reveal: bool = False) -> dict[str, Any]:
    """A card as shown to people and scripts; the number masked unless `reveal`."""
    currency = card["currency"]

    def money(minor: int | None) -> str | None:
        return None if minor is None else format_minor(minor, currency)

    return {
        "label": card["label"], "kind": card["kind"],
        "number": card["number"] if reveal else mask_number(card["number"]),
        "region": card["region"], "currency": currency, "issuer": card["issuer"],
        "max_topup": money(card["max_topup_minor"]), "max_balance": money(card["max_balance_minor"]),
        "validity_days": card["validity_days"], "retired": card["retired_at_utc"] is not None,
        "created_at": local_iso(card["created_at_utc"]),
    }


def _apply_card_spec(card: dict[str, Any], spec: CardSpec) -> None:
    """Check the given settings and copy them onto `card` (new or existing)."""
    if spec.label is not None:
        card["label"] = clean_label(spec.label)
        card["label_key"] = label_key(card["label"])
    if spec.kind is not None:
        try:
            card["kind"] = CardKind(spec.kind.strip().lower()).value
        except ValueError:
            raise InvalidInput(f"card kind {spec.kind!r} must be sim or smart") from None
    if spec.region is not None:
        card["region"] = parse_region(spec.region) if spec.region.strip() else None
    if spec.currency is not None:
        card["currency"] = check_currency(spec.currency)
    if spec.number is not None:
        card["number"] = (parse_card_number(CardKind(card["kind"]), spec.number, card["region"])
                          if spec.number.strip() else None)
    if spec.issuer is not None:
        card["issuer"] = optional_text(spec.issuer, "issuer", 100)
    for text, column, option in ((spec.max_topup, "max_topup_minor", "--max-topup"),
                                 (spec.max_balance, "max_balance_minor", "--max-balance")):
        if text is not None:
            card[column] = parse_amount(text, card["currency"], option).minor if text.strip() else None
    if spec.validity_days is not None:
        if not 1 <= spec.validity_days <= 3660:
            raise InvalidInput("--validity-days must be between 1 and 3660")
        card["validity_days"] = spec.validity_days


def _refuse_clash(conn: Any, card: dict[str, Any]) -> None:
    row = conn.execute("SELECT label FROM card WHERE label_key = ? AND id IS NOT ?",
                       (card["label_key"], card.get("id"))).fetchone()
    if row is not None:
        raise Duplicate(f"there is already a card {row[0]!r}; choose another label or `topup card edit` it")


def add_card(path: Path, label: str, spec: CardSpec) -> dict[str, Any]:
    """Add a card; its currency comes from --currency, else its region, else CNY."""
    from ledger.models import Card
    from ledger.service import session_for

    if spec.kind is None:
        raise InvalidInput("give the card's kind: --kind sim or --kind smart")
    currency = spec.currency
    if currency is None:
        region = parse_region(spec.region) if spec.region else None
        if region and region not in REGION_CURRENCY:
            raise InvalidInput(f"no currency is known for region {region}; add --currency")
        currency = REGION_CURRENCY[region] if region else "CNY"
    card = dict.fromkeys(queries.CARD_COLUMNS) | {"created_at_utc": to_stored(now_utc())}
    _apply_card_spec(card, CardSpec(**{**spec.__dict__, "label": label, "currency": currency}))
    with session_for(path, write=True) as session:
        _refuse_clash(db.raw(session), card)
        session.add(Card(**{k: v for k, v in card.items() if k != "id"}))
        session.flush()
        return card_view(queries.find_card(db.raw(session), card["label"]))


def list_cards(path: Path, reveal: bool = False) -> list[dict[str, Any]]:
    with db.connection(path) as conn:
        return [card_view(card, reveal) for card in queries.all_cards(conn)]


def show_card(path: Path, label: str, reveal: bool = False) -> dict[str, Any]:
    """One card, with how many records it has and when it was last topped up."""
    with db.connection(path) as conn:
        card = queries.find_card(conn, label)
        view = card_view(card, reveal)
        view["records"], last = conn.execute(
            "SELECT count(*), max(occurred_at_utc) FROM topup WHERE card_id = ? AND status != 'void'", (card["id"],)
        ).fetchone()
        view["last_topup_at"] = local_iso(last)
        return view


def _update(label: str, path: Path, change: Any) -> dict[str, Any]:
    """Apply `change(conn, card_dict)` to a card and save it, in one transaction."""
    from ledger.models import Card
    from ledger.service import session_for

    with session_for(path, write=True) as session:
        conn = db.raw(session)
        card = queries.find_card(conn, label)
        change(conn, card)
        stored = session.get(Card, card["id"])
        for column, value in card.items():
            setattr(stored, column, value)
        session.add(stored)
        session.flush()
        return card_view(card)


def edit_card(path: Path, label: str, spec: CardSpec) -> dict[str, Any]:
    """Change a card's settings. Its currency is fixed once it has records."""

    def change(conn: Any, card: dict[str, Any]) -> None:
        if spec.currency is not None and check_currency(spec.currency) != card["currency"]:
            if conn.execute("SELECT 1 FROM topup WHERE card_id = ? LIMIT 1", (card["id"],)).fetchone():
                raise InvalidInput(f"card {card['label']!r} has records in {card['currency']}; "
                                   "its currency cannot change")
        if spec.kind is not None and spec.number is None and card["number"] is not None:
            spec.number = card["number"]  # the number must pass the new kind's rules too
        _apply_card_spec(card, spec)
        _refuse_clash(conn, card)

    return _update(label, path, change)


def retire_card(path: Path, label: str) -> dict[str, Any]:
    """Mark a card as no longer used; its records stay."""

    def change(conn: Any, card: dict[str, Any]) -> None:
        card["retired_at_utc"] = card["retired_at_utc"] or to_stored(now_utc())

    return _update(label, path, change)
