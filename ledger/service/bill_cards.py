"""Which card a bill's top-up belongs to, never guessed; and when none can be told, or a row cannot be
recorded, the lines that would do it by hand.

A row is placed by the phone number its item names (a whole number must be the card's whole
number, a masked one its first three and last four digits), else by the one card whose label or
issuer its counterparty or item names, else onto `--card` when that card is of the row's kind.
Retired cards are placed only when `--card` names them. A row not placed comes with the command
that would place it, written so that pasting it unchanged is refused rather than misread: its
placeholders (LABEL, YOUR_NUMBER, HKD_AMOUNT) are no values, and it carries no shell redirection.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from ledger.domain import carriers, phones
from ledger.domain.cards import Card
from ledger.domain.channels import paid_with_text
from ledger.domain.money import format_minor, parse_amount
from ledger.domain.phones import Phone, phone_in
from ledger.domain.profiles import find_profile, kept_rules
from ledger.domain.values import Outcome, shell_word
from ledger.errors import LedgerError
from ledger.i18n import N_, _
from ledger.service.cards import card_to_write_on
from ledger.sources import bills
from ledger.sources.bills.source import BillSource
from ledger.sources.bills.words import ANY_CARD, CARD_CURRENCIES
from ledger.store.interface import Ledger

# Why a row is not placed when no card of its kind is named by it.
_NONE_NAMED = {"sim": N_("no sim card is named by it"), "smart": N_("no smart card is named by it")}


class NotPlaced(Exception):
    """A top-up row no card can be told for: why, and the command that would place it."""

    def __init__(self, why: str, suggestion: str, card: Card | None = None) -> None:
        super().__init__(why)
        self.why, self.suggestion = why, suggestion
        self.card = card  # the card the row names, when it is kept in another currency: `log_lines` place the row


class Placer:
    """Which card a top-up row belongs to: told by the row, or `--card` for rows of its kind."""

    def __init__(self, ledger: Ledger, default: str | None, source: BillSource, file: str) -> None:
        self.source, self.file = source, file
        every = ledger.cards()
        self.cards = [c for c in every if c["retired_at_utc"] is None]
        self.retired = [c for c in every if c["retired_at_utc"] is not None]
        self.default = card_to_write_on(ledger, default) if default else None
        # The names of the smart cards kept: a city's own card the table of top-up words does not know.
        self.own_names = [("smart", name) for c in self.cards if c["kind"] == "smart" for name in card_names(c)]

    def place(self, row: bills.BillRow, kind: str) -> Card:
        phone = phone_in(row.get("item"), self.source.phone_region) if kind == "sim" else None
        matching = self._told(self.cards, row, kind, phone)
        default = self.default
        if len(matching) == 1:
            if phone is not None:
                self._same_carrier(matching[0], row, phone)
            return self._in_currency(matching[0], row)
        if len(matching) > 1 and default is not None and default in matching:
            return self._in_currency(default, row)
        if len(matching) > 1:
            labels = ", ".join(shell_word(c["label"]) for c in matching)
            raise NotPlaced(_("it could be any of cards {labels}", labels=labels),
                            _("topup import {file} --card LABEL  # one of {labels}", file=shell_word(self.file),
                              labels=labels))
        retired = self._told(self.retired, row, kind, phone)
        if default is not None and default["kind"] == kind and default not in retired and retired:
            raise NotPlaced(_("it names card {label!r}, which is retired, not {default!r}",
                              label=retired[0]["label"], default=default["label"]),
                            f"topup import {shell_word(self.file)} --card {shell_word(retired[0]['label'])}")
        if default is not None and default["kind"] == kind and (not phone or phone.matches(default["number"])):
            self._answers_to(default, row, kind)
            return self._in_currency(default, row)
        if default is not None and default["kind"] == kind and not default["number"]:
            # The row names a number and the card has none kept: whose number it is, is not known.
            raise NotPlaced(_("it tops up {phone}; card {label!r} has no number kept", phone=phone,
                              label=default["label"]),
                            _("topup card edit {label} --number YOUR_NUMBER  # the one the bill shows as {phone}",
                              label=shell_word(default["label"]), phone=phone))
        if retired:
            label = shell_word(retired[0]["label"])
            raise NotPlaced(_("it names card {label}, which is retired", label=label),
                            _("topup import {file} --card {label}  # adds it to the retired card",
                              file=shell_word(self.file), label=label))
        raise NotPlaced(_(_NONE_NAMED[kind]), self._suggestion(row, kind, phone))

    @staticmethod
    def _same_carrier(card: Card, row: bills.BillRow, phone: Phone) -> None:
        """Refuse a row for a SIM's number that names another carrier than the SIM's: the number may
        have moved to that carrier (携号转网), or the row is not the SIM's; which, only its owner knows."""
        said, kept = carriers.carrier_topped_up(row.text), carriers.issuer_carrier(card["issuer"])
        if said is not None and kept is not None and said != kept:
            national = carriers.national_name(said)
            raise NotPlaced(_("it tops up {phone}, the number of card {label!r}, with {named}; the card's issuer is "
                              "{issuer}", phone=phone, label=card["label"], named=national, issuer=card["issuer"]),
                            _("topup card edit {label} --issuer {named}  # if the number has moved to {named}",
                              label=shell_word(card["label"]), named=national))

    def _answers_to(self, card: Card, row: bills.BillRow, kind: str) -> None:
        """Refuse `--card` for a row that names a card system (深圳通), a carrier or a place (香港)
        the card does not answer to."""
        label = shell_word(card["label"])
        place = phones.region_named(row.text) if kind == "sim" else None
        if place is not None and card["region"] != place:
            raise NotPlaced(_("it tops up a number of {region}; card {label} is not a SIM of {region}", region=place,
                              label=label), self._suggestion(row, kind, None))
        named = bills.card_named(row.text, kind, specific=True)
        if named is None or any(bills.names(named, name) for name in card_names(card)):
            return
        if kind == "sim":
            region = self._region(row)
            if card["region"] not in (None, region):  # 中国移动 is the mainland's, not China Mobile Hong Kong
                raise NotPlaced(_("it tops up a number of {region}; card {label} is not a SIM of {region}",
                                  region=region, label=label), self._suggestion(row, kind, None))
            if carriers.issuer_carrier(card["issuer"]) in (None, carriers.carrier(named)):
                return  # the same carrier (广东移动 is 中国移动's), or a SIM whose carrier is not kept
            # A SIM of another carrier: the row's number is on a card of its own carrier, to be added.
            raise NotPlaced(_("it names {named}; card {label} does not", named=named, label=label),
                            self._suggestion(row, kind, None))
        raise NotPlaced(_("it names {named}; card {label} does not", named=named, label=label),
                        _("topup card edit {label} --issuer {named}  # if the {named} top-ups are this card's",
                          label=label, named=named))

    def _told(self, cards: list[Card], row: bills.BillRow, kind: str, phone: Phone | None) -> list[Card]:
        """The cards the row names: by its phone number, else by label, issuer or the names of the card's
        profile (a SIM's issuer by its carrier, so that 中国移动 answers to 移动 and 广东移动, and only
        for a SIM of the row's region: China Mobile Hong Kong is not the mainland's 中国移动)."""
        if phone:
            return [c for c in cards if c["kind"] == "sim" and phone.matches(c["number"])]
        if kind != "sim":
            return [c for c in cards if c["kind"] == kind
                    and any(bills.names(row.text, name) for name in card_names(c))]
        named, region = carriers.carrier_topped_up(row.text), self._region(row)

        def by_carrier(card: Card) -> bool:
            return card["region"] in (None, region) and (bills.names(row.text, card["issuer"]) or (
                named is not None and carriers.issuer_carrier(card["issuer"]) == named))

        return [c for c in cards if c["kind"] == "sim" and (
            any(bills.names(row.text, name) for name in card_names(c, issuer=False)) or by_carrier(c))]

    def _region(self, row: bills.BillRow) -> str:
        """Where the number a phone top-up row is for is from: the place it names, else the bill's."""
        return phones.region_named(row.text) or self.source.phone_region

    def _in_currency(self, card: Card, row: bills.BillRow) -> Card:
        """The card, when it is kept in the bill's currency: the bill gives no amount credited in another
        (`log_lines` then writes the line that logs it)."""
        currency, paid_in = card["currency"], self.source.currency
        if currency != paid_in:
            raise NotPlaced(_("card {label!r} is in {currency}; the bill gives what was paid in {paid_in}, not the "
                              "{currency} credited", label=card["label"], currency=currency, paid_in=paid_in), "", card)
        return card

    def _suggestion(self, row: bills.BillRow, kind: str, phone: Phone | None) -> str:
        """The `topup card add` line that would place the row: by its number and carrier, or by the
        name of the card (校园卡, 深圳通) the row gives, else its counterparty's."""
        named = bills.card_named(row.text, kind)
        if kind == "sim":
            region = self._region(row)
            if phone and (numberless := self._numberless_sim(row, region)):
                return _("topup card edit {label} --number YOUR_NUMBER  # the one the bill shows as {phone}",
                         label=shell_word(numberless["label"]), phone=phone)
            if phone and named:
                return _("topup card add LABEL --kind sim --region {region} --issuer {issuer} --number YOUR_NUMBER  "
                         "# the one the bill shows as {phone}", region=region, issuer=named, phone=phone)
            if phone:
                return _("topup card add LABEL --kind sim --region {region} --number YOUR_NUMBER  # the one the bill "
                         "shows as {phone}", region=region, phone=phone)
            # A command and nothing else: no words to translate.
            return f"topup card add LABEL --kind sim --region {region}" + (f" --issuer {named}" if named else "")
        label = named or row.get("counterparty") or row.get("item")
        currency = CARD_CURRENCIES.get(label.casefold(), self.source.currency)
        return f"topup card add {shell_word(label)} --kind smart --currency {currency}"

    def _numberless_sim(self, row: bills.BillRow, region: str) -> Card | None:
        """The one SIM of the row's region, and of its carrier when it names one, kept without a number:
        the card a row's number most likely belongs to, once that number is given to it."""
        said = carriers.carrier_topped_up(row.text)
        found = [c for c in self.cards if c["kind"] == "sim" and not c["number"] and c["region"] == region
                 and (said is None or carriers.issuer_carrier(c["issuer"]) in (None, said))]
        return found[0] if len(found) == 1 else None


def card_names(card: Card, *, issuer: bool = True) -> list[str]:
    """What a card answers to in a bill: its label, its issuer (unless `issuer` is False) and the names
    of the profile it was added with (深圳通 for a card added with --profile 深圳通), but for those any
    card may go by (一卡通), which a row may say of something else."""
    kept = kept_rules(card)
    profile = find_profile(kept.profile) if kept else None
    known = [name for name in (profile.names if profile else ()) if name not in ANY_CARD]
    return [name for name in (card["label"], card["issuer"] if issuer else None, *known) if name]


def log_lines(row: bills.BillRow, placer: Placer, kind: str, outcome: Outcome | None, now: datetime,
              card: Card | None = None) -> list[str]:
    """The commands that record a row left to log by hand: the one that adds its card when none is
    told, its `topup log` line, with what the bill gives for certain and in capitals (LABEL, AMOUNT,
    HKD_AMOUNT, WHEN, OUTCOME) what the person must say, which pasted as it is is refused, and for a
    refunded top-up the `topup amend` line that says so (`log` takes no refunded outcome)."""
    source, commands = placer.source, []
    if card is None:
        try:
            card = placer.place(row, kind)
        except NotPlaced as problem:
            card = problem.card  # the card named, kept in another currency
            if card is None:
                commands.append(problem.suggestion)
    amounts = []
    for said in (bills.face_value(row.get("item")), bills.clean_amount(row.get("amount"))):
        with suppress(LedgerError):
            amounts.append(format_minor(parse_amount(said or "", source.currency, "amount").minor, source.currency))
    credited_in = card["currency"] if card and card["currency"] != source.currency else None
    if credited_in:  # what was paid in the bill's currency says nothing of what the card was credited
        amounts = [f"{credited_in}_AMOUNT"]
    when = row.get("time") or row.get("created")
    with suppress(LedgerError):
        when = bills.moment_of(when, source, now).isoformat(sep=" ") if when else ""
    words = ["topup", "log", shell_word(card["label"]) if card else "LABEL", amounts[0] if amounts else "AMOUNT"]
    if len(amounts) == 2 and amounts[0] != amounts[1]:
        words += ["--paid", amounts[1]]
    words += ["--channel", source.channel, "--at", shell_word(when) if when else "WHEN"]
    if ref := bills.order_number(row.get("order")):
        words += ["--ref", shell_word(ref)]
    if payer := paid_with_text(row.get("method")):
        words += ["--paid-with", shell_word(payer)]
    # A refunded top-up is logged as never credited, then amended to refunded, as `amend` alone can say.
    logged = Outcome.failed if outcome is Outcome.refunded else outcome
    words += ["--outcome", logged.value if logged else "OUTCOME"]
    line = " ".join(words)
    if credited_in:
        line = _("{command}  # {currency}_AMOUNT: what the card was credited", command=line, currency=credited_in)
    commands.append(line)
    if outcome is Outcome.refunded:
        reason = shell_word(amend_reason(source, row.line))
        commands.append(_("topup amend ID --outcome refunded --reason {reason}  # ID: the record the line above adds",
                          reason=reason))
    return commands


def amend_reason(source: BillSource, line: int) -> str:
    """The reason an amendment a bill suggests keeps, as evidence: the bill and its line."""
    return _("{bill}, line {line}", bill=_(source.name), line=line)
