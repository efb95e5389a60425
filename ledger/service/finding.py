"""Finding records again: one with its history, a search, a streamed export, totals, and the
cards whose validity is about to end. These only read."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from ledger.domain.cards import CardView
from ledger.domain.channels import parse_channel, payer_names
from ledger.domain.fields import FIELD_NAMES, Record
from ledger.domain.money import CURRENCIES, format_minor, parse_amount
from ledger.domain.times import from_stored, local_iso, now_utc, parse_period, to_stored
from ledger.domain.values import clean_ref, clean_token, mask_number, parse_outcome
from ledger.errors import InvalidInput
from ledger.i18n import Option, _
from ledger.service.cards import find_card, list_cards
from ledger.service.opening import its_own
from ledger.store.interface import Ledger
from ledger.store.types import Query

REPORT_GROUPINGS = ("month", "card", "channel")
PAGE = 50  # records a screen shows at once, on a terminal and in a browser
LARGEST_LIMIT = 2**63 - 1  # no ledger holds more records than this
MAX_SEARCH_CHARS = 1_000  # a part of a reference, note or message to find, never a whole document


@dataclass
class Filters:
    """Search filters as typed; None means 'not given'."""

    text: str | None = None
    card: str | None = None
    channel: str | None = None
    since: str | None = None
    until: str | None = None
    min_amount: str | None = None
    max_amount: str | None = None
    ref: str | None = None
    outcome: str | None = None
    with_void: bool = False
    limit: int | None = None


def query(ledger: Ledger, filters: Filters, *, newest_first: bool = True) -> Query:
    """The filters as typed, checked (in the order they are listed) and turned into the store's values."""
    if filters.text is not None and len(filters.text) > MAX_SEARCH_CHARS:
        raise InvalidInput(_("the search text is {length} characters long; search for at most {largest} characters, "
                             "a distinctive part of what you look for", length=len(filters.text),
                             largest=MAX_SEARCH_CHARS))
    terms = tuple(clean_token(filters.text).split()) if filters.text is not None else ()
    card_id = find_card(ledger, filters.card)["id"] if filters.card is not None else None
    channel = parse_channel(filters.channel).value if filters.channel is not None else None
    since = to_stored(parse_period(filters.since).start) if filters.since is not None else None
    until = to_stored(parse_period(filters.until).end) if filters.until is not None else None
    min_minor, max_minor = _bound(filters.min_amount, Option("min")), _bound(filters.max_amount, Option("max"))
    ref = None
    if filters.ref is not None:
        ref = clean_ref(filters.ref)
        if ref is None:
            raise InvalidInput(_("{ref} needs a reference", ref=Option("ref")))
    outcome = parse_outcome(filters.outcome).value if filters.outcome is not None else None
    if filters.limit is not None and not 1 <= filters.limit <= LARGEST_LIMIT:
        raise InvalidInput(_("{limit} must be between 1 and {largest}", limit=Option("limit"), largest=LARGEST_LIMIT))
    # A channel named by what paid (PayMe, 街口支付) is that channel, paid with that.
    paid_with = payer_names(filters.channel) if filters.channel is not None else ()
    return Query(terms, card_id, channel, since, until, min_minor, max_minor, ref, outcome, filters.with_void,
                 filters.limit, newest_first, paid_with)


def _bound(text: str | None, name: Option) -> tuple[tuple[str, int], ...] | None:
    """An amount bound in every currency it can be written in ('HK$100' only in HKD)."""
    if text is None:
        return None
    found, first_error = [], None
    for currency in CURRENCIES:
        try:
            found.append((currency, parse_amount(text, currency, name).minor))
        except InvalidInput as exc:
            first_error = first_error or exc
    if not found:
        raise first_error or InvalidInput(_("{option} {text!r} is not an amount", option=name, text=text))
    return tuple(found)


def search_records(ledger: Ledger, filters: Filters) -> list[Record]:
    """Matching records, newest first."""
    return list(ledger.records(query(ledger, filters)))


@dataclass(frozen=True)
class Browsed:
    """Records to look through: the cards to filter by, the matching records, and each currency's
    credited totals per month, from `chart_since`."""

    cards: list[CardView]
    records: list[Record]
    totals: list[Totals]


def browse(ledger: Ledger, filters: Filters, chart_since: str | None) -> Browsed:
    """The matching records, newest first, with the cards and the monthly totals beside them."""
    records = search_records(ledger, filters)
    totals = report(ledger, "month", replace(filters, limit=None, since=chart_since))
    return Browsed(list_cards(ledger), records, totals)


def export_records(ledger: Ledger, filters: Filters, stream: TextIO, fmt: str, *, bom: bool = True,
                   guard: bool = True, newest_first: bool = False) -> int:
    """Stream every matching record to `stream` as CSV, a JSON array or JSON lines; returns the count.
    CSV is `guard`ed for spreadsheets unless it is for programs."""
    from ledger.output import formats

    if fmt == "xlsx":
        raise InvalidInput(_("a workbook is a file: give it one with --output FILE.xlsx"))
    matching = query(ledger, filters, newest_first=newest_first)
    if fmt in ("json", "jsonl"):
        write = formats.write_json if fmt == "json" else formats.write_json_lines
        return write(stream, ledger.records(matching))
    return formats.write_csv_lines(stream, ledger.csv_lines(matching, guard), FIELD_NAMES, bom=bom)


def export_to_file(ledger: Ledger, filters: Filters, target: Path, fmt: str, *, bom: bool = True,
                   guard: bool = True) -> int:
    """Export into `target`, which appears only once it is complete."""
    from ledger.output.files import replaced_when_done

    own = its_own(ledger.location)
    if fmt == "xlsx":
        from ledger.output.workbook import write_workbook

        records = ledger.records(query(ledger, filters, newest_first=False))
        with replaced_when_done(target, kept=own) as partial:
            return write_workbook(partial, records)
    with replaced_when_done(target, kept=own) as partial, partial.open("w", encoding="utf-8", newline="") as stream:
        return export_records(ledger, filters, stream, fmt, bom=bom, guard=guard)


@dataclass(frozen=True)
class Totals:
    """A group's top-ups in one currency: how many were credited and their total (so that count and
    total describe the same records), how many are pending and how much, how many failed or were
    refunded."""

    group: str  # a month (YYYY-MM), a card's label or a channel
    currency: str
    count: int
    total: str
    pending: str
    pending_count: int
    failed_count: int
    refunded_count: int


def report(ledger: Ledger, by: str, filters: Filters) -> list[Totals]:
    """The totals of the matching records by month, card or channel, each currency apart (they never mix)."""
    if by not in REPORT_GROUPINGS:
        raise InvalidInput(_("--by must be one of {groupings}", groupings=", ".join(REPORT_GROUPINGS)))
    return [Totals(row.group, row.currency, row.credited_count, format_minor(row.credited_minor, row.currency),
                   format_minor(row.pending_minor, row.currency), row.pending_count, row.failed_count,
                   row.refunded_count)
            for row in ledger.report(query(ledger, filters), by)]


@dataclass(frozen=True)
class ValidityEnd:
    """When a card in use stops being valid, by its stated date or its validity period."""

    card: str
    kind: str
    number: str | None
    ends: date
    last_topup_utc: str


def card_validity(ledger: Ledger, card_id: int | None = None) -> list[ValidityEnd]:
    """Cards in use that have an end date (or the one card).

    The date the carrier stated on the card's newest top-up is the truth. Only when top-ups came
    after the last stated date is the card's validity period, counted from the last of them, used
    instead; with no period known, the last stated date stands.
    """
    found = []
    for facts in ledger.validity_facts(card_id):
        if facts.stated_until and (facts.stated_at_utc >= facts.last_at_utc or not facts.validity_days):
            end = date.fromisoformat(facts.stated_until)
        elif facts.validity_days:
            end = from_stored(facts.last_at_utc).astimezone().date() + timedelta(days=facts.validity_days)
        else:
            continue
        found.append(ValidityEnd(facts.label, facts.kind, facts.number, end, facts.last_at_utc))
    return found


@dataclass(frozen=True)
class Validity:
    """A card in use whose validity has an end, as `due` shows it: the days left are negative once it ended."""

    card: str
    kind: str
    number: str | None  # masked
    valid_until: str
    days_left: int
    last_topup_at: str | None
    # None for the card's validity; else the profile rule that begins on `valid_until` (a yearly fee, or
    # the card lapsing, once it has gone unused that long since its last top-up) and its source.
    rule: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class CardsAhead:
    """Every card as shown, and when those in use stop being valid."""

    cards: list[CardView]
    ends: list[Validity]


def cards_ahead(ledger: Ledger) -> CardsAhead:
    return CardsAhead(list_cards(ledger), validity_ends(ledger))


def validity_ends(ledger: Ledger, today: date | None = None) -> list[Validity]:
    """Every card in use whose validity has an end, soonest first."""
    today = today or now_utc().astimezone().date()
    found = [Validity(end.card, end.kind, mask_number(end.number), end.ends.isoformat(), (end.ends - today).days,
                      local_iso(end.last_topup_utc))
             for end in card_validity(ledger)]
    found += _unused_ends(ledger, today)
    return sorted(found, key=lambda validity: (validity.valid_until, validity.card))


def _unused_ends(ledger: Ledger, today: date) -> list[Validity]:
    """When each card in use that has a profile's inactivity rule starts paying a fee or lapses, if it
    goes unused from its last credited top-up on (from when it was added, if it has none): a failed
    top-up added nothing to it."""
    from ledger.domain import profiles

    found = []
    for card in ledger.cards():
        kept = profiles.kept_rules(card)
        if kept is None or card["retired_at_utc"] is not None:
            continue
        last_utc = ledger.last_credited_at(card["id"])
        for rule in kept.rules:
            if rule.kind in profiles.INACTIVITY:
                ends = _years_after(from_stored(last_utc or card["created_at_utc"]).astimezone().date(), rule.value)
                found.append(Validity(card["label"], card["kind"], mask_number(card["number"]), ends.isoformat(),
                                      (ends - today).days, local_iso(last_utc), rule.kind, rule.source))
    return found


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year without one
        return day.replace(year=day.year + years, day=28)


def due(ledger: Ledger, within_days: int, today: date | None = None) -> list[Validity]:
    """Cards in use whose validity ends within `within_days` (or has ended), soonest first."""
    if within_days < 0:
        raise InvalidInput(_("--within must be 0 or more days"))
    return [validity for validity in validity_ends(ledger, today) if validity.days_left <= within_days]
