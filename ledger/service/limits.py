"""The published rules of a card's profile, applied to one top-up: what `log` refuses and `check`
reports. The rules themselves and their wording are in `domain.rules`; this reads the top-ups each
one counts."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from ledger.domain import profiles, rules
from ledger.domain.cards import Card
from ledger.domain.channels import Channel
from ledger.domain.times import from_stored, to_stored
from ledger.i18n import Text
from ledger.store.interface import Ledger
from ledger.store.types import Credited, StatedBalance


class Held(NamedTuple):
    """What a card holds as far as the ledger knows: the newest balance a top-up stated, and every
    top-up credited after it (a balance stated once and top-ups logged since without one)."""

    stated: StatedBalance | None
    since: list[Credited]

    @property
    def balance_minor(self) -> int | None:
        return None if self.stated is None else self.stated.balance_minor + sum(c.amount_minor for c in self.since)


def held(ledger: Ledger, card: Card) -> Held:
    """The card's balance as `check` and `log` count it (see `Held`)."""
    stated = ledger.last_balance(card["id"])
    return Held(stated, [] if stated is None else ledger.credited_after(card["id"], stated))


def profile_problems(ledger: Ledger, card: Card, amount_minor: int, channel: str | None,
                     moment: datetime, besides: int | None = None) -> list[Text]:
    """Every rule of the card's profile that a top-up of `amount_minor` by `channel` at `moment`
    breaks, beside the other top-ups (all but record `besides`, the one an amendment changes); a
    rule for some channels only is looked at when the channel is known."""
    kept = profiles.kept_rules(card)
    if kept is None:
        return []
    zone = ZoneInfo(kept.zone)
    found = []
    for rule in kept.rules:
        if rule.channels and channel not in rule.channels:
            continue
        paid = []
        if rule.kind in profiles.WINDOWED:
            start, end = rules.window(rule, moment, zone)
            paid = [(from_stored(payment.occurred_at_utc), payment.amount_minor) for payment in
                    ledger.payments_between(card["id"], to_stored(start), to_stored(end), rule.channels, besides)]
        problem = rules.profile_breach(card, rule, amount_minor, moment, zone, paid)
        if problem is not None:
            found.append(problem)
    return found


def problems_by_channel(ledger: Ledger, card: Card, amount_minor: int,
                        moment: datetime) -> list[tuple[list[str], Text]]:
    """For a top-up whose channel is not known yet: what each rule for some channels only would say
    were it paid by one of them, each problem once with the channels it comes with."""
    kept = profiles.kept_rules(card)
    found: dict[Text, list[str]] = {}
    named = {channel for rule in kept.rules for channel in rule.channels} if kept else set()
    for_any = set(profile_problems(ledger, card, amount_minor, None, moment)) if named else set()
    for channel in (channel for channel in Channel if channel in named):  # in the vocabulary's order
        for problem in profile_problems(ledger, card, amount_minor, channel, moment):
            if problem not in for_any:  # a rule for every channel is said once, as a problem
                found.setdefault(problem, []).append(channel)
    return [(channels, problem) for problem, channels in found.items()]
