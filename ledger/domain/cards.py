"""Cards and SIMs as the core passes them around: the stored card and the card as shown."""

from __future__ import annotations

from typing import Any, TypedDict

from ledger.domain.money import format_minor
from ledger.domain.profiles import kept_rules
from ledger.domain.times import local_iso
from ledger.domain.values import mask_number


class Card(TypedDict):
    """A card as stored: one row of the `card` table."""

    id: int
    label: str
    label_key: str
    kind: str
    number: str | None
    region: str | None
    currency: str
    issuer: str | None
    max_topup_minor: int | None
    max_balance_minor: int | None
    validity_days: int | None
    retired_at_utc: str | None
    created_at_utc: str
    profile: str | None  # the rules of the profile it was added with (`profiles.stored`)


CARD_COLUMNS = tuple(Card.__annotations__)


class CardView(TypedDict, total=False):
    """A card as people and scripts see it; `records` and `last_topup_at` only from `card show`, `profile`
    and `rules` only for a card added with a profile."""

    label: str
    kind: str
    number: str | None
    region: str | None
    currency: str
    issuer: str | None
    max_topup: str | None
    max_balance: str | None
    validity_days: int | None
    retired: bool
    created_at: str | None
    records: int
    last_topup_at: str | None
    profile: str | None  # the key of the profile it was added with
    rules: list[dict[str, Any]]  # that profile's rules it keeps, each with its source (`rules.shown_rule`)


def card_view(card: Card, reveal: bool = False) -> CardView:
    """A card as shown; the number masked unless `reveal`."""
    from ledger.domain.rules import shown_rule

    currency = card["currency"]
    kept = kept_rules(card)

    def money(minor: int | None) -> str | None:
        return None if minor is None else format_minor(minor, currency)

    view: CardView = {
        "label": card["label"], "kind": card["kind"],
        "number": card["number"] if reveal else mask_number(card["number"]),
        "region": card["region"], "currency": currency, "issuer": card["issuer"],
        "max_topup": money(card["max_topup_minor"]), "max_balance": money(card["max_balance_minor"]),
        "validity_days": card["validity_days"], "retired": card["retired_at_utc"] is not None,
        "created_at": local_iso(card["created_at_utc"]),
    }
    if kept is not None:  # a card without a profile shows exactly as before profiles existed
        view["profile"], view["rules"] = kept.profile, [shown_rule(rule, currency) for rule in kept.rules]
    return view
