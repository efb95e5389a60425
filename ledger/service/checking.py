"""`topup check`: the guide's advice before paying, in one look.

Compare the number with the one typed into the kiosk or app, stay within the single top-up
limit and the balance cap, do not pay twice, and know when the card's validity ends. The balance
is the newest one a top-up stated, plus every top-up credited after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ledger.domain import rules
from ledger.domain.cards import Card
from ledger.domain.channels import parse_channel
from ledger.domain.money import format_minor, parse_amount
from ledger.domain.named import channels_named
from ledger.domain.times import ago, from_stored, local_iso, now_utc
from ledger.domain.values import mask_number
from ledger.i18n import _
from ledger.service.cards import find_card
from ledger.service.finding import card_validity
from ledger.service.limits import held, problems_by_channel, profile_problems
from ledger.store.interface import Ledger
from ledger.store.types import LastTopup

_RECENT_HOURS = 24


@dataclass(frozen=True)
class LastTopupShown:
    id: int
    occurred_at: str | None
    amount: str | None
    channel: str
    ref: str | None
    outcome: str


@dataclass(frozen=True)
class Check:
    """What to compare and watch before paying: the card, the amount against its limits, its last
    top-up and validity; `problems` are limits paying would break, `warnings` what to look at first."""

    card: str
    kind: str
    number: str | None
    issuer: str | None
    currency: str
    amount: str | None
    max_topup: str | None
    last_balance: str | None
    balance_after: str | None
    max_balance: str | None
    last_topup: LastTopupShown | None
    valid_until: str | None
    problems: list[str]
    warnings: list[str]
    last_balance_record: int | None  # the record that stated `last_balance`
    counted_records: list[int]  # credited after it, added to it in `balance_after`


def check_before_paying(ledger: Ledger, label: str, amount_text: str, reveal: bool = False,
                        channel: str | None = None) -> Check:
    """What to compare and watch before paying `amount_text` onto a card.

    `problems` are limits that paying would break (the command exits 1), those of the card's
    profile too (its rules for some channels only when `channel` is given); `warnings` are things
    to look at first."""
    now = now_utc()
    card = find_card(ledger, label)
    amount = parse_amount(amount_text, card["currency"]).minor
    channel = parse_channel(channel).value if channel else None
    last = ledger.last_topup(card["id"])
    stated, counted = known = held(ledger, card)
    pending = ledger.pending_ids(card["id"])
    ends = card_validity(ledger, card["id"])

    def money(minor: int | None) -> str | None:
        return None if minor is None else format_minor(minor, card["currency"])

    balance = None if stated is None else stated.balance_minor
    after = None if known.balance_minor is None else known.balance_minor + amount
    valid_until = ends[0].ends.isoformat() if ends else None
    return Check(
        card["label"], card["kind"], card["number"] if reveal else mask_number(card["number"]), card["issuer"],
        card["currency"], money(amount), money(card["max_topup_minor"]), money(balance), money(after),
        money(card["max_balance_minor"]),
        None if last is None else LastTopupShown(last.id, last.occurred_on or local_iso(last.occurred_at_utc),
                                                 money(last.amount_minor), last.channel, last.ref, last.outcome),
        valid_until, _problems(card, amount, after, money) + profile_problems(ledger, card, amount, channel, now),
        _warnings(last, pending, valid_until, now, money) + [
            _("if paid by {channel}: {problem}", channel=channels_named(channels), problem=problem)
            for channels, problem in ([] if channel else problems_by_channel(ledger, card, amount, now))],
        None if stated is None else stated.id, [top_up.id for top_up in counted])


def _problems(card: Card, amount: int, after: int | None, money: Callable[[int | None], str | None]) -> list[str]:
    def said(breach: rules.Breach) -> str:
        rule = rules.published(card, breach)
        if breach.rule == "max_topup":
            return _("{amount} is over the single top-up limit of {limit}", amount=money(breach.value),
                     limit=money(breach.limit)) if rule is None else _(
                "{amount} is over the single top-up limit of {limit}, its profile's rule: {rule}",
                amount=money(breach.value), limit=money(breach.limit), rule=rule)
        if breach.rule == "max_balance":
            return _("the balance would be {balance}, over the cap of {cap}", balance=money(breach.value),
                     cap=money(breach.limit)) if rule is None else _(
                "the balance would be {balance}, over the cap of {cap}, its profile's rule: {rule}",
                balance=money(breach.value), cap=money(breach.limit), rule=rule)
        return _("card {label!r} is retired", label=card["label"])

    return [said(breach) for breach in rules.breaches(card, amount, after)]


def _warnings(last: LastTopup | None, pending: list[int], valid_until: str | None, now: datetime,
              money: Callable[[int | None], str | None]) -> list[str]:
    warnings = []
    if last is not None:
        seconds = (now - from_stored(last.occurred_at_utc)).total_seconds()
        if seconds < _RECENT_HOURS * 3600:
            warnings.append(_("this card was topped up {amount} {ago} (record {id}); make sure you are not paying "
                              "twice", amount=money(last.amount_minor), ago=ago(seconds, last.occurred_on), id=last.id))
    warnings += [_("record {id} is still pending; chase it before paying again", id=record_id) for record_id in pending]
    if valid_until is not None and valid_until < now.astimezone().date().isoformat():
        warnings.append(_("the card's validity ended on {day}", day=valid_until))
    return warnings
