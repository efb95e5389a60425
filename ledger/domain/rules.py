"""The limits a top-up must respect, written once for log, amend and check.

A card may be retired, may have a single top-up limit and a balance cap; and a receipt
reference belongs to one top-up of a card, and so does a pasted message. `log` and `amend` refuse
what breaks these unless `--force` is given; `check` reports the same breaches before anyone pays.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from ledger.domain.cards import Card
from ledger.domain.money import format_minor
from ledger.errors import Duplicate, InvalidInput, LimitExceeded
from ledger.i18n import FORCE, Text, _


class Breach(NamedTuple):
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
            raise InvalidInput(_("card {label!r} is retired; {force} to log on it anyway", label=label, force=FORCE))
        if breach.rule == "max_topup":
            raise LimitExceeded(_(
                "{amount} {currency} is over the single top-up limit of card {label!r} ({limit}); check the amount, "
                "or {force} if it is right", amount=money(breach.value), currency=currency, label=label,
                limit=money(breach.limit), force=FORCE))
        if breach.rule == "max_balance":
            raise LimitExceeded(_(
                "a balance of {balance} is over the balance cap of card {label!r} ({cap}); check it, or {force} if it "
                "is right", balance=money(breach.value), label=label, cap=money(breach.limit), force=FORCE))
    if ref and records_with_ref:
        first = records_with_ref[0]
        raise Duplicate(_("card {label!r} already has reference {ref!r} in record {first} (`topup show {first}`); "
                          "{force} if this is a different top-up", label=label, ref=ref, first=first, force=FORCE))


# Two top-ups of one amount on one card this close together are worth a second look.
SAME_AMOUNT_WINDOW = timedelta(minutes=10)


def refuse_repeated_message(card: Card, records_with_message: list[int]) -> None:
    """A pasted message already kept with a record of the card is that record's, not a new top-up."""
    if records_with_message:
        first = records_with_message[0]
        raise Duplicate(_("this message is already kept with record {first} of card {label!r} "
                          "(`topup show {first}`); {force} if it is a different top-up", first=first,
                          label=card["label"], force=FORCE))


def same_amount_warning(records_near: list[int]) -> Text | None:
    """A warning naming the records of the same amount on the same card close in time, if any."""
    if not records_near:
        return None
    minutes = int(SAME_AMOUNT_WINDOW.total_seconds() // 60)
    if len(records_near) == 1:
        return _("record {record} of this card has the same amount within {minutes} minutes of this one; if it is "
                 "the same top-up, void the extra: topup void ID --reason 'logged twice'", record=records_near[0],
                 minutes=minutes)
    return _("records {records} of this card have the same amount within {minutes} minutes of this one; if it is "
             "the same top-up, void the extra: topup void ID --reason 'logged twice'",
             records=", ".join(str(i) for i in records_near), minutes=minutes)
