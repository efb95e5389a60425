"""Cards and SIMs: adding, showing, editing and retiring them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from ledger.chinese import folded
from ledger.domain import chain, profiles
from ledger.domain.cards import CARD_COLUMNS, Card, CardView, card_view
from ledger.domain.money import REGION_CURRENCY, check_currency, format_minor, parse_amount
from ledger.domain.named import named
from ledger.domain.times import local_iso, now_utc, to_stored
from ledger.domain.values import (
    CardKind,
    clean_label,
    label_key,
    optional_text,
    parse_card_number,
    parse_region,
    shell_word,
)
from ledger.errors import DamageFound, Duplicate, InvalidInput, NotFound
from ledger.i18n import N_, Text, _
from ledger.service.records import no_record
from ledger.store.interface import Ledger


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
    profile: str | None = None  # a known card's or carrier's name (`domain.profiles`)


def _apply_card_spec(card: Card, spec: CardSpec) -> None:
    """Check the given settings and copy them onto `card` (new or existing)."""
    if spec.label is not None:
        card["label"] = clean_label(spec.label)
        card["label_key"] = label_key(card["label"])
    if spec.kind is not None:
        try:
            card["kind"] = CardKind(spec.kind.strip().lower()).value
        except ValueError:
            raise InvalidInput(_("card kind {kind!r} must be sim or smart", kind=spec.kind)) from None
    if spec.region is not None:
        card["region"] = parse_region(spec.region) if spec.region.strip() else None
    if spec.currency is not None:
        card["currency"] = check_currency(spec.currency)
    if spec.number is not None:
        card["number"] = (parse_card_number(CardKind(card["kind"]), spec.number, card["region"])
                          if spec.number.strip() else None)
    if spec.issuer is not None:
        card["issuer"] = optional_text(spec.issuer, N_("issuer"), 100)
    for text, column, option in ((spec.max_topup, "max_topup_minor", "--max-topup"),
                                 (spec.max_balance, "max_balance_minor", "--max-balance")):
        if text is not None:
            card[column] = parse_amount(text, card["currency"], option).minor if text.strip() else None
    if spec.validity_days is not None:
        if not 1 <= spec.validity_days <= 3660:
            raise InvalidInput(_("--validity-days must be between 1 and 3660"))
        card["validity_days"] = spec.validity_days


def find_card(ledger: Ledger, label: str) -> Card:
    """The card with this label, compared case-insensitively and in either script of Chinese (八达通
    is 八達通, unless both are cards); refused with the closest labels."""
    card = ledger.card_by_key(label_key(label))
    if card is not None:
        return card
    cards = ledger.cards()
    if len(same := [known for known in cards if folded(known["label_key"]) == folded(label_key(label))]) == 1:
        return same[0]
    by_key = {known["label_key"]: known["label"] for known in cards}
    close = difflib.get_close_matches(label_key(label), list(by_key), n=3, cutoff=0.5)
    if close:
        raise NotFound(_("there is no card {label!r}. Did you mean {close}? To add it: topup card add {word} --kind "
                         "sim|smart", label=label, close=", ".join(by_key[key] for key in close),
                         word=shell_word(label)))
    raise NotFound(_("there is no card {label!r}. To add it: topup card add {word} --kind sim|smart", label=label,
                     word=shell_word(label)))


def card_of(ledger: Ledger, topup_id: int) -> Card:
    """The card a record belongs to; refused when there is no such record."""
    card = ledger.card_of(topup_id)
    if card is None:
        raise no_record(topup_id)
    return card


def card_to_write_on(ledger: Ledger, label: str) -> Card:
    """The card a change is about to rely on, refused when it no longer matches its own history:
    only an edit behind the program's back does that, and a record logged on it would take, say, a
    currency nobody chose."""
    return refuse_altered(ledger, find_card(ledger, label))


def refuse_altered(ledger: Ledger, card: Card) -> Card:
    """`card`, unless it no longer matches its newest link (see `card_to_write_on`)."""
    newest = ledger.newest_card_content(card["id"])
    if newest is None:
        raise DamageFound(_("card {label!r} was changed outside topup (in: all (it has no history)), so nothing was "
                            "written. `topup verify` lists what changed; compare the ledger with a backup",
                            label=card["label"]))
    try:
        changed = chain.card_differences(card, newest)
    except chain.UnreadableLink:
        changed = [_("all (its newest version cannot be read)")]
    if changed:
        raise DamageFound(_("card {label!r} was changed outside topup (in: {fields}), so nothing was written. "
                            "`topup verify` lists what changed; compare the ledger with a backup",
                            label=card["label"], fields=", ".join(changed)))
    return card


def _refuse_clash(ledger: Ledger, card: Card) -> None:
    owner = ledger.card_by_key(card["label_key"])
    if owner is not None and owner["id"] != card.get("id"):
        raise Duplicate(_("there is already a card {label!r}; choose another label or `topup card edit` it",
                          label=owner["label"]))


class SavedCard(NamedTuple):
    """A card as added or edited, and what the person should look at."""

    view: CardView
    warnings: list[Text]


def _number_warnings(ledger: Ledger, card: Card) -> list[Text]:
    """Two cards in use with one number are most often one card added twice: say which card has it
    first. A retired card's number passing to a new card (a SIM replaced, keeping its number) is no slip."""
    if card["number"] is None:
        return []
    first = min((other for other in ledger.cards() if other["number"] == card["number"] and other["id"] != card["id"]
                 and other["retired_at_utc"] is None), key=lambda other: other["id"], default=None)
    if first is None:
        return []
    return [_("card {first!r} has the same number (ending {last}); if they are one card, keep one and retire the "
              "other: topup card retire {word}", first=first["label"], last=card["number"][-4:],
              word=shell_word(card["label"]))]


def _with_profile(spec: CardSpec) -> tuple[CardSpec, str | None]:
    """The settings with what the named profile fills in where none was given, and the rules the card
    keeps; options given win."""
    if spec.profile is None:
        return spec, None
    profile = profiles.find_profile(spec.profile)
    if profile is None:
        raise InvalidInput(_("there is no card profile {name!r}; the known ones are {known} (`topup card profiles` "
                             "lists their rules)", name=spec.profile,
                             known=", ".join(known.name for known in profiles.PROFILES)))
    if spec.kind is not None and spec.kind.strip().lower() != profile.kind:
        raise InvalidInput(_("profile {name} is a {kind}; leave out --kind or give --kind {given}", name=profile.name,
                             kind=named(profile.kind), given=profile.kind))
    if spec.currency is not None and check_currency(spec.currency) != profile.currency:
        raise InvalidInput(_("the limits of profile {name} are in {currency}; leave out --currency or give "
                             "{currency}", name=profile.name, currency=profile.currency))
    given = {profiles.MAX_TOPUP: spec.max_topup, profiles.MAX_BALANCE: spec.max_balance}
    filled = {kind: format_minor(rule.value, profile.currency) for rule in profile.rules
              for kind in profiles.ON_THE_CARD if rule.kind == kind and given[kind] is None}
    kept = profiles.card_rules(profile, {kind for kind, text in given.items() if text is not None})
    return replace(spec, kind=spec.kind or profile.kind, region=spec.region or profile.region,
                   currency=profile.currency, issuer=spec.issuer or profile.issuer,
                   max_topup=filled.get(profiles.MAX_TOPUP, spec.max_topup),
                   max_balance=filled.get(profiles.MAX_BALANCE, spec.max_balance)), profiles.stored(kept)


def add_card(ledger: Ledger, label: str, spec: CardSpec) -> SavedCard:
    """Add a card; its currency comes from --currency, else its profile's, else its region's, else CNY."""
    spec, kept_rules = _with_profile(spec)
    if spec.kind is None:
        raise InvalidInput(_("give the card's kind: --kind sim or --kind smart"))
    currency = spec.currency
    if currency is None:
        region = parse_region(spec.region) if spec.region else None
        if region and region not in REGION_CURRENCY:
            raise InvalidInput(_("no currency is known for region {region}; add --currency", region=region))
        currency = REGION_CURRENCY[region] if region else "CNY"
    card: Card = dict.fromkeys(CARD_COLUMNS) | {  # type: ignore[assignment]
        "created_at_utc": to_stored(now_utc()), "profile": kept_rules}
    _apply_card_spec(card, CardSpec(**{**spec.__dict__, "label": label, "currency": currency}))
    _refuse_clash(ledger, card)
    card["id"] = ledger.add_card(card, "add", card["created_at_utc"])
    return SavedCard(card_view(card), _number_warnings(ledger, card))


def list_cards(ledger: Ledger, reveal: bool = False) -> list[CardView]:
    return [card_view(card, reveal) for card in ledger.cards()]


def show_card(ledger: Ledger, label: str, reveal: bool = False) -> CardView:
    """One card, with how many records it has and when it was last topped up."""
    card = find_card(ledger, label)
    view = card_view(card, reveal)
    activity = ledger.card_activity(card["id"])
    view["records"], view["last_topup_at"] = activity.records, local_iso(activity.last_at_utc)
    return view


def edit_card(ledger: Ledger, label: str, spec: CardSpec) -> SavedCard:
    """Change a card's settings. Its currency is fixed once it has records."""
    card = card_to_write_on(ledger, label)
    if spec.currency is not None and check_currency(spec.currency) != card["currency"]:
        if ledger.card_has_records(card["id"]):
            raise InvalidInput(_("card {label!r} has records in {currency}; its currency cannot change",
                                 label=card["label"], currency=card["currency"]))
    if spec.kind is not None and spec.number is None and card["number"] is not None:
        spec = replace(spec, number=card["number"])  # the number must pass the new kind's rules too
    kept = profiles.kept_rules(card)
    replaced = {kind for kind, text in ((profiles.MAX_TOPUP, spec.max_topup), (profiles.MAX_BALANCE, spec.max_balance))
                if text is not None}
    if kept is not None and replaced:  # the card's own limit replaces the published one
        card["profile"] = profiles.stored(profiles.without(kept, replaced))
    _apply_card_spec(card, spec)
    _refuse_clash(ledger, card)
    ledger.update_card(card, "edit", to_stored(now_utc()))
    return SavedCard(card_view(card), _number_warnings(ledger, card) if spec.number else [])


def retire_card(ledger: Ledger, label: str) -> CardView:
    """Mark a card as no longer used; its records stay."""
    card = card_to_write_on(ledger, label)
    if card["retired_at_utc"] is None:
        card["retired_at_utc"] = to_stored(now_utc())
        ledger.update_card(card, "retire", card["retired_at_utc"])
    return card_view(card)


def card_profiles() -> list[dict[str, Any]]:
    """Each known card's and carrier's published rules, one row a rule (one row for a profile with none)."""
    from ledger.domain.rules import shown_rule

    rows = []
    for profile in profiles.PROFILES:
        about = {"profile": profile.key, "name": profile.name, "names": list(profile.names), "kind": profile.kind,
                 "region": profile.region, "currency": profile.currency, "issuer": profile.issuer}
        rows += [about | shown_rule(rule, profile.currency) for rule in profile.rules] or [
            about | dict.fromkeys(("rule", "value", "channels", "days", "source", "read_on"))]
    return rows
