"""The limits a top-up must respect, written once for log, amend and check.

A card may be retired, may have a single top-up limit and a balance cap; and a receipt
reference belongs to one top-up of a card, and so does a pasted message. `log` and `amend` refuse
what breaks these unless `--force` is given; `check` reports the same breaches before anyone pays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ledger.domain.cards import Card
from ledger.domain.money import format_minor
from ledger.errors import Duplicate, InvalidInput, LimitExceeded
from ledger.i18n import FORCE, _


@dataclass(frozen=True)
class Breach:
    """A limit a top-up would break: `rule` is retired, max_topup or max_balance."""

    rule: str
    value: int | None = None
    limit: int | None = None


def breaches(card: Card, amount_minor: int | None, balance_minor: int | None) -> list[Breach]:
    """Every limit of the card that a top-up of `amount_minor` leaving `balance_minor` breaks (None:
    not looked at)."""
    found = []
    if card["retired_at_utc"] is not None:
        found.append(Breach("retired"))
    limit, cap = card["max_topup_minor"], card["max_balance_minor"]
    if limit is not None and amount_minor is not None and amount_minor > limit:
        found.append(Breach("max_topup", amount_minor, limit))
    if cap is not None and balance_minor is not None and balance_minor > cap:
        found.append(Breach("max_balance", balance_minor, cap))
    return found


def refuse_unforced(card: Card, amount_minor: int | None, balance_minor: int | None, ref: str | None,
                    records_with_ref: list[int], *, retired_ok: bool = False) -> None:
    """Refuse what `--force` would let through: a broken limit, then a reference already used."""
    label, currency = card["label"], card["currency"]

    def money(minor: int | None) -> str:
        return format_minor(minor or 0, currency)

    for breach in breaches(card, amount_minor, balance_minor):
        if breach.rule == "retired" and not retired_ok:
            raise InvalidInput(f"card {label!r} is retired; add --force to log on it anyway")
        if breach.rule == "max_topup":
            raise LimitExceeded(_(
                "{amount} {currency} is over the single top-up limit of card {label!r} ({limit}); check the amount, "
                "or {force} if it is right", amount=money(breach.value), currency=currency, label=label,
                limit=money(breach.limit), force=FORCE))
        if breach.rule == "max_balance":
            raise LimitExceeded(
                f"a balance of {money(breach.value)} is over the balance cap of card {label!r} "
                f"({money(breach.limit)}); check it, or add --force if it is right")
    if ref and records_with_ref:
        first = records_with_ref[0]
        raise Duplicate(f"card {label!r} already has reference {ref!r} in record {first} "
                        f"(`topup show {first}`); add --force if this is a different top-up")


# Two top-ups of one amount on one card this close together are worth a second look.
SAME_AMOUNT_WINDOW = timedelta(minutes=10)


def refuse_repeated_message(card: Card, records_with_message: list[int]) -> None:
    """A pasted message already kept with a record of the card is that record's, not a new top-up."""
    if records_with_message:
        first = records_with_message[0]
        raise Duplicate(f"this message is already kept with record {first} of card {card['label']!r} "
                        f"(`topup show {first}`); add --force if it is a different top-up")


def same_amount_warning(records_near: list[int]) -> str | None:
    """A warning naming the records of the same amount on the same card close in time, if any."""
    if not records_near:
        return None
    named = ("record " if len(records_near) == 1 else "records ") + ", ".join(str(i) for i in records_near)
    minutes = int(SAME_AMOUNT_WINDOW.total_seconds() // 60)
    return (f"{named} of this card {'has' if len(records_near) == 1 else 'have'} the same amount within "
            f"{minutes} minutes of this one; if it is the same top-up, void the extra: "
            f"topup void ID --reason 'logged twice'")
