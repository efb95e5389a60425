"""Cards and SIMs: adding, showing, editing and retiring them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ledger.domain import chain
from ledger.domain.cards import CARD_COLUMNS, Card, CardView, card_view
from ledger.domain.money import REGION_CURRENCY, check_currency, parse_amount
from ledger.domain.times import local_iso, now_utc, to_stored
from ledger.domain.values import CardKind, clean_label, label_key, optional_text, parse_card_number, parse_region
from ledger.errors import DamageFound, Duplicate, InvalidInput
from ledger.store import reads, writes
from ledger.store.db import Tx


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


def _apply_card_spec(card: Card, spec: CardSpec) -> None:
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


def card_to_write_on(tx: Tx, label: str) -> Card:
    """The card a change is about to rely on, refused when it no longer matches its own history:
    only an edit behind the program's back does that, and a record logged on it would take, say, a
    currency nobody chose."""
    return refuse_altered(tx, reads.find_card(tx.conn, label))


def refuse_altered(tx: Tx, card: Card) -> Card:
    """`card`, unless it no longer matches its newest link (see `card_to_write_on`)."""
    newest = reads.newest_card_content(tx.conn, card["id"])
    changed = ["all (it has no history)"] if newest is None else chain.card_differences(card, newest)
    if changed:
        raise DamageFound(f"card {card['label']!r} was changed outside topup (in: {', '.join(changed)}), so nothing "
                          "was written. `topup verify` lists what changed; compare the ledger with a backup")
    return card


def _refuse_clash(tx: Tx, card: Card) -> None:
    owner = reads.label_owner(tx.conn, card["label_key"], card.get("id"))
    if owner is not None:
        raise Duplicate(f"there is already a card {owner!r}; choose another label or `topup card edit` it")


def add_card(tx: Tx, label: str, spec: CardSpec) -> CardView:
    """Add a card; its currency comes from --currency, else its region, else CNY."""
    if spec.kind is None:
        raise InvalidInput("give the card's kind: --kind sim or --kind smart")
    currency = spec.currency
    if currency is None:
        region = parse_region(spec.region) if spec.region else None
        if region and region not in REGION_CURRENCY:
            raise InvalidInput(f"no currency is known for region {region}; add --currency")
        currency = REGION_CURRENCY[region] if region else "CNY"
    card: Card = dict.fromkeys(CARD_COLUMNS) | {"created_at_utc": to_stored(now_utc())}  # type: ignore[assignment]
    _apply_card_spec(card, CardSpec(**{**spec.__dict__, "label": label, "currency": currency}))
    _refuse_clash(tx, card)
    writes.insert_card(tx.conn, card)
    return card_view(reads.find_card(tx.conn, card["label"]))


def list_cards(tx: Tx, reveal: bool = False) -> list[CardView]:
    return [card_view(card, reveal) for card in reads.all_cards(tx.conn)]


def show_card(tx: Tx, label: str, reveal: bool = False) -> CardView:
    """One card, with how many records it has and when it was last topped up."""
    card = reads.find_card(tx.conn, label)
    view = card_view(card, reveal)
    view["records"], last = reads.card_activity(tx.conn, card["id"])
    view["last_topup_at"] = local_iso(last)
    return view


def edit_card(tx: Tx, label: str, spec: CardSpec) -> CardView:
    """Change a card's settings. Its currency is fixed once it has records."""
    card = card_to_write_on(tx, label)
    if spec.currency is not None and check_currency(spec.currency) != card["currency"]:
        if reads.card_has_records(tx.conn, card["id"]):
            raise InvalidInput(f"card {card['label']!r} has records in {card['currency']}; its currency cannot change")
    if spec.kind is not None and spec.number is None and card["number"] is not None:
        spec = replace(spec, number=card["number"])  # the number must pass the new kind's rules too
    _apply_card_spec(card, spec)
    _refuse_clash(tx, card)
    writes.update_card(tx.conn, card, "edit", to_stored(now_utc()))
    return card_view(card)


def retire_card(tx: Tx, label: str) -> CardView:
    """Mark a card as no longer used; its records stay."""
    card = card_to_write_on(tx, label)
    if card["retired_at_utc"] is None:
        card["retired_at_utc"] = to_stored(now_utc())
        writes.update_card(tx.conn, card, "retire", card["retired_at_utc"])
    return card_view(card)
