"""The limits a top-up must respect, written once for log, amend and check.

A card may be retired, may have a single top-up limit and a balance cap; and a receipt
reference belongs to one top-up of a card, and so does a pasted message. `log` and `amend` refuse
what breaks these unless `--force` is given; `check` reports the same breaches before anyone pays.
A card added with a profile also keeps its issuer's published rules (`profiles`): a smallest
top-up, and limits per day, per calendar month and per rolling period, each named with its source
when broken (`log` refuses, `check` reports).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from ledger.domain import profiles
from ledger.domain.cards import Card
from ledger.domain.money import format_minor
from ledger.domain.named import channels_named
from ledger.errors import Duplicate, InvalidInput, LimitExceeded
from ledger.i18n import FORCE, Text, _, joined


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
        rule = published(card, breach)
        values = {"label": label, "force": FORCE, "rule": rule}
        if breach.rule == "max_topup":
            values |= {"amount": money(breach.value), "currency": currency, "limit": money(breach.limit)}
            raise LimitExceeded(_(
                "{amount} {currency} is over the single top-up limit of card {label!r} ({limit}); check the amount, "
                "or {force} if it is right", **values) if rule is None else _(
                "{amount} {currency} is over the single top-up limit of card {label!r} ({limit}), its profile's rule: "
                "{rule}; check the amount, or {force} if it is right", **values))
        if breach.rule == "max_balance":
            values |= {"balance": money(breach.value), "cap": money(breach.limit)}
            raise LimitExceeded(_(
                "a balance of {balance} is over the balance cap of card {label!r} ({cap}); check it, or {force} if it "
                "is right", **values) if rule is None else _(
                "a balance of {balance} is over the balance cap of card {label!r} ({cap}), its profile's rule: "
                "{rule}; check it, or {force} if it is right", **values))
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


def same_amount_warning(record: int, records_near: list[int]) -> Text | None:
    """A warning naming the records of the same amount on the same card close in time to `record`
    (just logged), if any, with the line that voids it should it be one of them logged again."""
    if not records_near:
        return None
    minutes = int(SAME_AMOUNT_WINDOW.total_seconds() // 60)
    if len(records_near) == 1:
        return _("record {record} of this card has the same amount within {minutes} minutes of this one; if it is "
                 "the same top-up, void this one: topup void {id} --reason 'logged twice'", record=records_near[0],
                 minutes=minutes, id=record)
    return _("records {records} of this card have the same amount within {minutes} minutes of this one; if it is "
             "the same top-up, void this one: topup void {id} --reason 'logged twice'",
             records=", ".join(str(i) for i in records_near), minutes=minutes, id=record)


# ---------------------------------------------------------------- a profile's published rules


def shown_rule(rule: profiles.Rule, currency: str) -> dict[str, Any]:
    """A rule as `card show`, `card profiles` and their JSON give it: an amount as decimal text."""
    value = format_minor(rule.value, currency) if rule.kind in profiles.IN_MONEY else rule.value
    return {"rule": rule.kind, "value": value, "channels": list(rule.channels), "days": rule.days,
            "source": rule.source, "read_on": rule.read_on}


def describe(shown: Mapping[str, Any]) -> Text:
    """A rule (`shown_rule`) as people read it, e.g. "at most 300.00 in any 30 days, counting top-ups by
    automatic reload"."""
    value = shown["value"]
    said = {
        profiles.MAX_TOPUP: lambda: _("at most {amount} a top-up", amount=value),
        profiles.MIN_TOPUP: lambda: _("at least {amount} a top-up", amount=value),
        profiles.MAX_BALANCE: lambda: _("a balance of at most {amount}", amount=value),
        profiles.TOPUPS_PER_DAY: lambda: (_("at most one top-up a day") if value == 1
                                          else _("at most {count} top-ups a day", count=value)),
        profiles.AMOUNT_PER_DAY: lambda: _("at most {amount} a day", amount=value),
        profiles.AMOUNT_PER_MONTH: lambda: _("at most {amount} a calendar month", amount=value),
        profiles.AMOUNT_PER_PERIOD: lambda: _("at most {amount} in any {days} days", amount=value,
                                              days=shown["days"]),
        profiles.FEE_AFTER_UNUSED_YEARS: lambda: _("a yearly fee once unused (no top-up or payment) for {years} "
                                                   "years, on the kinds of card its source names", years=value),
        profiles.LAPSE_AFTER_UNUSED_YEARS: lambda: _("lapses once unused for {years} years", years=value),
    }[shown["rule"]]()
    if shown["channels"]:
        return _("{rule}, counting top-ups by {channels}", rule=said, channels=channels_named(shown["channels"]))
    return said


def cited(shown: Mapping[str, Any]) -> Text:
    """A rule (`shown_rule`) with where it was published and when that was read."""
    return _("{rule} (published in {source}, read on {read_on})", rule=describe(shown), source=shown["source"],
             read_on=shown["read_on"])


def published(card: Card, breach: Breach) -> Text | None:
    """The profile rule, with where it was published, that set the limit a breach breaks; None when
    the card's own option set it."""
    kept = profiles.kept_rules(card)
    rule = kept.rule(breach.rule) if kept else None
    if rule is None or rule.value != breach.limit:
        return None
    return cited(shown_rule(rule, card["currency"]))


def window(rule: profiles.Rule, moment: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """From when to before when the top-ups a windowed rule weighs with one at `moment` happened: its
    day or calendar month in the issuer's zone; for a rolling period, every period that holds it."""
    local = moment.astimezone(zone)
    if rule.kind == profiles.AMOUNT_PER_PERIOD:
        length = timedelta(days=rule.days or 1)
        return moment - length, moment + length
    if rule.kind == profiles.AMOUNT_PER_MONTH:
        first = local.date().replace(day=1)
        return _midnight(first, zone), _midnight((first + timedelta(days=32)).replace(day=1), zone)
    return _midnight(local.date(), zone), _midnight(local.date() + timedelta(days=1), zone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def profile_breach(card: Card, rule: profiles.Rule, amount_minor: int, moment: datetime, zone: tzinfo,
                   paid: list[tuple[datetime, int]]) -> Text | None:
    """What a top-up of `amount_minor` at `moment` breaks of a profile rule, beside the top-ups `paid`
    in its `window` (when, how much); None when it keeps to it."""
    currency, label, day = card["currency"], card["label"], moment.astimezone(zone).date()
    rule_text = cited(shown_rule(rule, currency))

    def money(minor: int) -> str:
        return format_minor(minor, currency)

    total = amount_minor + sum(amount for _at, amount in paid)
    if rule.kind == profiles.MIN_TOPUP and amount_minor < rule.value:
        return _("{amount} is under the smallest top-up of card {label!r}: {rule}", amount=money(amount_minor),
                 label=label, rule=rule_text)
    if rule.kind == profiles.TOPUPS_PER_DAY and len(paid) + 1 > rule.value:
        return _("this would be top-up {count} on {day} of card {label!r}, over its rule: {rule}", count=len(paid) + 1,
                 day=day, label=label, rule=rule_text)
    if rule.kind == profiles.AMOUNT_PER_DAY and total > rule.value:
        return _("this would make {total} topped up on {day} on card {label!r}, over its rule: {rule}",
                 total=money(total), day=day, label=label, rule=rule_text)
    if rule.kind == profiles.AMOUNT_PER_MONTH and total > rule.value:
        return _("this would make {total} topped up in {month} on card {label!r}, over its rule: {rule}",
                 total=money(total), month=day.strftime("%Y-%m"), label=label, rule=rule_text)
    if rule.kind == profiles.AMOUNT_PER_PERIOD:
        # The fullest period that holds this top-up ends at it or at a later one (a top-up logged late).
        length = timedelta(days=rule.days or 1)
        ends = [moment] + [at for at, _amount in paid if at > moment]
        worst, end = max((amount_minor + sum(amount for at, amount in paid if end - length < at <= end), end)
                         for end in ends)
        if worst > rule.value:
            return _("this would make {total} topped up in the {days} days to {day} on card {label!r}, over its "
                     "rule: {rule}", total=money(worst), days=rule.days, day=end.astimezone(zone).date(), label=label,
                     rule=rule_text)
    return None


def over_known_balance(card: Card, held_minor: int, stated_by: int, counted: list[int]) -> Text | None:
    """A warning when the balance the ledger knows (`held_minor`: the one record `stated_by` stated,
    and the top-ups `counted` since) is over the card's cap; spending is never logged, so it is the
    most the card may hold."""
    cap = card["max_balance_minor"]
    if cap is None or held_minor <= cap:
        return None
    currency = card["currency"]
    values = {"label": card["label"], "balance": format_minor(held_minor, currency), "cap": format_minor(cap, currency),
              "stated": stated_by, "counted": joined([Text(str(record), str(record)) for record in counted])}
    if len(counted) > 1:
        return _("card {label!r} may now hold up to {balance}, over its balance cap of {cap}: the balance record "
                 "{stated} stated, and records {counted} credited since, less what was spent; check the top-ups",
                 **values)
    return _("card {label!r} may now hold up to {balance}, over its balance cap of {cap}: the balance record "
             "{stated} stated, and record {counted} credited since, less what was spent; check the top-ups", **values)


def refuse_profile_breach(problems: list[Text]) -> None:
    """`log` without `--force`: refuse the first profile rule a top-up breaks."""
    if problems:
        raise LimitExceeded(_("{problem}; check it, or {force} if it is right", problem=problems[0], force=FORCE))
