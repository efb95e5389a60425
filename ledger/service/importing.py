"""Importing top-ups from CSV: this program's own export, or another layout through a column map.

The whole file is one transaction: every row is checked with the same rules as `topup log`
before anything is written, a bad row refuses the file with its line number, and a row that
matches a record already in the ledger (card, time, amount, reference), or a top-up of the same
amount logged on its card within minutes, is not added again.
Which columns are recognised, and how each value is checked, follows the registry of record
fields, so an export made before a field was added imports as well as today's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain, islice
from pathlib import Path
from typing import Any

from ledger.domain import rules
from ledger.domain.cards import CARD_COLUMNS, Card
from ledger.domain.channels import with_what_the_channel_names
from ledger.domain.fields import DAY_ALONE, IMPORTABLE, Kind, RecordField, StoredTopup, parser
from ledger.domain.money import check_currency, format_minor
from ledger.domain.spreadsheet import unguard
from ledger.domain.times import day_alone, from_stored, local_iso, now_utc, to_stored
from ledger.domain.values import CardKind, Outcome, clean_label, label_key
from ledger.errors import InvalidInput, LedgerError, NotFound
from ledger.i18n import _
from ledger.service.bill_import import BillImport, bill_layout, import_bill
from ledger.service.cards import card_to_write_on
from ledger.sources import tables
from ledger.sources.bills import HEADER_SEARCH
from ledger.store.interface import Ledger
from ledger.store.types import StandingRecord

_FIELD_ALIASES = {"time": "occurred_at", "at": "occurred_at", "date": "occurred_at", "when": "occurred_at",
                  "reference": "ref", "balance": "balance_after"}
_CARD_KINDS = frozenset(k.value for k in CardKind)


@dataclass(frozen=True)
class ToAdd:
    """A row a dry run would add, as it lists it."""

    id: int | None
    card: str
    amount: str
    currency: str
    channel: str
    occurred_at: str | None
    ref: str | None
    note: str | None


@dataclass
class ImportResult:
    """What an import added (the records themselves only for a dry run), skipped and created."""

    added: list[ToAdd] = field(default_factory=list)
    added_count: int = 0
    skipped: int = 0
    new_cards: list[str] = field(default_factory=list)


def parse_map(pairs: list[str]) -> dict[str, str]:
    """`COLUMN=FIELD` pairs as {column: field}."""
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        target = _FIELD_ALIASES.get(target.strip().lower(), target.strip().lower())
        if not sep or not column.strip() or target not in IMPORTABLE:
            raise InvalidInput(_("--map {pair!r} must be COLUMN=FIELD, FIELD one of {fields}", pair=pair,
                                 fields=", ".join(IMPORTABLE)))
        mapping[column.strip()] = target
    return mapping


def read_rows(rows: Iterator[tuple[int, list[str]]], file: Path,
              mapping: dict[str, str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {field: text}) for each row below the header, parsed as it is checked so that
    memory holds only the checked records; the header is checked at once."""
    try:
        _line, first = next(rows)
    except StopIteration:
        raise InvalidInput(_("{file} is empty", file=file)) from None
    header = [h.strip() for h in first]
    if mapping:
        header = _mapped_header(header, rows, mapping)
    return _data_rows(rows, len(header), _columns(header, mapping))


def _mapped_header(first: list[str], rows: Iterator[tuple[int, list[str]]], mapping: dict[str, str]) -> list[str]:
    """The header of a file read through a column map: the first row holding every column mapped, below
    any preamble (an account's lines above a statement), within HEADER_SEARCH rows. When none does (a
    column mistyped), the first row holding the most of them, or of those the widest: the columns are
    then checked against it, and the refusal lists the header's columns, not a line of the preamble."""
    best, most = first, (-1, -1)
    for _line, cells in islice(chain([(0, first)], rows), HEADER_SEARCH):
        header = [cell.strip() for cell in cells]
        held = len(set(mapping) & set(header))
        if held == len(mapping):
            return header
        fit = (held, sum(map(bool, header)))  # named cells: a preamble's lines have one or two
        if fit > most:
            best, most = header, fit
    return best


def _data_rows(rows: Iterator[tuple[int, list[str]]], width: int,
               columns: dict[int, str]) -> Iterator[tuple[int, dict[str, str]]]:
    for line, values in rows:
        if not any(v.strip() for v in values):
            continue
        if len(values) != width:
            raise InvalidInput(_("line {line}: {cells} cells where the header has {width}", line=line,
                                 cells=len(values), width=width))
        # Only a cell starting with an apostrophe can carry a spreadsheet guard.
        yield line, {target: unguard(values[i]) if values[i].startswith("'") else values[i]
                     for i, target in columns.items()}


def _field_name(column: str) -> str:
    name = column.strip().lower().replace(" ", "_").replace("-", "_")
    return _FIELD_ALIASES.get(name, name)


def _columns(header: list[str], mapping: dict[str, str]) -> dict[int, str]:
    """Which field each column index fills."""
    if not mapping:
        # A topup export of this or an earlier version, or a file whose columns are named as record
        # fields (in any case, or by a common alias): every column is a field, the amount and time are there.
        header = [_field_name(name) for name in header]
        known = set(IMPORTABLE) | {"receipts"}
        if not set(header) <= known or not {"amount", "occurred_at"} <= set(header):
            raise InvalidInput(_("this file is in no layout this program knows: a topup export (CSV or JSON), a "
                                 "CSV whose columns are record fields (amount, occurred_at, card …), or a WeChat Pay, "
                                 "Alipay, JD or Meituan bill as downloaded. Name its columns with --map COLUMN=FIELD, "
                                 "e.g. --map 交易時間=occurred_at --map 金額=amount --map 備註=note --card LABEL"))
        return {i: name for i, name in enumerate(header) if name in IMPORTABLE}
    missing = [column for column in mapping if column not in header]
    columns = ", ".join(name for name in header if name)
    if len(missing) == 1:
        raise InvalidInput(_("the file has no column {column!r}; its columns are {columns}", column=missing[0],
                             columns=columns))
    if missing:
        raise InvalidInput(_("the file has none of the columns {missing}; its columns are {columns}",
                             missing=", ".join(map(repr, missing)), columns=columns))
    return {header.index(column): target for column, target in mapping.items()}


def import_file(ledger: Ledger, file: Path, *, mapping: dict[str, str], encoding: str | None = None,
                card: str | None = None, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> ImportResult | BillImport:
    """Check every row, then add the new ones in the caller's transaction (none with `dry_run`,
    whose transaction is a reading one: nothing is written, not even a card the file would add).
    A payment app's bill (WeChat Pay, Alipay, JD, Meituan) is read as `bill_import` says."""
    table, about = tables.rows(file, encoding)
    head = list(islice(table, HEADER_SEARCH))
    if (layout := bill_layout(head)) and mapping:
        raise InvalidInput(_("{file} is a {layout} as downloaded: import it without --map, and its top-ups are "
                             "found by themselves (--card places those the bill does not name)", file=file,
                             layout=_(layout)))
    if layout:
        return import_bill(ledger, head + list(table), card=card, dry_run=dry_run, file=str(file))
    if mapping and "card" not in mapping.values() and card is None:
        raise InvalidInput(_("the file has no card column; name the card with --card LABEL or --map COLUMN=card"))
    table = chain(head, table)
    rows = read_rows(table, file, mapping)
    now = now_utc()
    result = ImportResult()
    cards = _CardBook(ledger, card, result, dry_run)
    readers = _readers(now)
    records = []
    for done, (line, values) in enumerate(rows, start=1):
        try:
            records.append(_record(values, cards, readers, now))
        except LedgerError as exc:
            raise type(exc)(_("line {line}: {problem}; nothing was imported", line=line,
                              problem=exc.message)) from None
        if progress and done % 1000 == 0:
            progress(done, max(about, done))
    new = _only_new(ledger, records)
    result.skipped = len(records) - len(new)
    if dry_run:
        result.added = [_shown(r, cards) for r in new]
    elif new:
        for record, topup_id in zip(new, ledger.free_ids([r.pop("wanted_id") for r in new]), strict=True):
            record["id"] = topup_id
        ledger.add_topups(new, "import", to_stored(now))
        result.added_count = len(new)
    if progress:
        progress(len(records), len(records))
    return result


class _CardBook:
    """Cards by label; a card the file names but the ledger lacks is created (own exports only)."""

    def __init__(self, ledger: Ledger, default: str | None, result: ImportResult, dry_run: bool) -> None:
        self.ledger, self.result, self.dry_run = ledger, result, dry_run
        self.by_key: dict[str, Card] = {}
        self.default = card_to_write_on(ledger, default) if default else None

    def get(self, values: dict[str, str]) -> Card:
        label = values.get("card", "").strip()
        if self.default is not None:
            return self.default
        if not label:
            raise InvalidInput(_("no card on this row; give --card LABEL"))
        key = label_key(label)
        if key not in self.by_key:
            self.by_key[key] = self._find_or_create(label, values)
        return self.by_key[key]

    def _find_or_create(self, label: str, values: dict[str, str]) -> Card:
        try:
            return card_to_write_on(self.ledger, label)
        except NotFound:
            if not values.get("card_kind") or not values.get("currency"):
                raise  # with the closest labels
        if values["card_kind"] not in _CARD_KINDS:
            raise InvalidInput(_("card_kind {kind!r} must be sim or smart", kind=values["card_kind"]))
        card: Card = dict.fromkeys(CARD_COLUMNS) | {  # type: ignore[assignment]
            "label": clean_label(label), "label_key": label_key(label), "kind": values["card_kind"],
            "currency": check_currency(values["currency"]), "created_at_utc": to_stored(now_utc())}
        # A dry run reads the ledger without writing to it: a card it would add has an id no card has.
        card["id"] = -1 - len(self.result.new_cards) if self.dry_run else self.ledger.add_card(
            card, "import", card["created_at_utc"])
        self.result.new_cards.append(card["label"])
        return card


def _reader(spec: RecordField, now: datetime) -> Callable[[str | None, str], Any]:
    """How one column's cells are checked with the rules of `topup log` and stored, made once per
    import: (cell, the card's currency) → stored value. An empty cell takes the field's default."""
    parse = parser(spec, now)
    if spec.kind is Kind.text:
        return lambda raw, currency: parse(raw or "", currency)
    if spec.default is not None:
        empty: Any = spec.default
    elif spec.kind is Kind.moment and spec.fixed:  # when it was recorded: now, if the file does not say
        empty = to_stored(now)
    elif spec.optional:
        empty = None
    else:
        def refuse() -> Any:
            if spec.kind is Kind.moment:
                raise InvalidInput(_("the time is empty"))
            raise InvalidInput(_("the {field} is empty", field=_(spec.label)))

        return lambda raw, currency: parse(raw, currency) if raw and raw.strip() else refuse()
    return lambda raw, currency: parse(raw, currency) if raw and raw.strip() else empty


Reader = tuple[str, str, Callable[[str | None, str], Any]]


def _readers(now: datetime) -> list[Reader]:
    """(field, column, reader) for each field read from a row; the card, its kind and currency come
    from the card itself."""
    return [(spec.name, spec.column, _reader(spec, now)) for spec in IMPORTABLE.values()
            if spec.column and spec.kind not in (Kind.key, Kind.card) and spec.name != "currency"]


def _record(values: dict[str, str], cards: _CardBook, readers: list[Reader], now: datetime) -> StoredTopup:
    """One row checked with the rules of `topup log`, as the columns of `topup`."""
    values = with_what_the_channel_names(values)  # a channel of PayMe or 全家 says what paid or where
    card = cards.get(values)
    currency = card["currency"]
    if values.get("currency") and check_currency(values["currency"]) != currency:
        raise InvalidInput(_("currency {given} is not {currency}, the currency of card {label!r}",
                             given=values["currency"], currency=currency, label=card["label"]))
    row: StoredTopup = {"card_id": card["id"], "currency": currency, "version": 1}
    for name, column, read in readers:
        row[column] = read(values.get(name), currency)
    for name, column in DAY_ALONE.items():  # an export's `2026-03-04` is a day given alone, and stays one
        day = day_alone(values[name], now) if values.get(name) else None
        row[column] = day and day.isoformat()  # type: ignore[literal-required]
    row["wanted_id"] = int(values["id"]) if values.get("id", "").strip().isdigit() else None
    return row


def _key(record: StoredTopup) -> tuple[Any, ...]:
    return record["card_id"], record["occurred_at_utc"], record["amount_minor"], (record["ref"] or "").casefold()


def _only_new(ledger: Ledger, records: list[StoredTopup]) -> list[StoredTopup]:
    """Rows beyond those the ledger already has: with the same card, time, amount and reference (a
    file imported again), or, as a bill's import finds them, standing on the same card with the same
    amount within minutes (the top-up logged from its message). Each record answers for one row."""
    if not records:
        return []
    first, last = min(r["occurred_at_utc"] for r in records), max(r["occurred_at_utc"] for r in records)
    existing = Counter(
        (key.card_id, key.occurred_at_utc, key.amount_minor, (key.ref or "").casefold())
        for key in ledger.keys_between(first, last)
    )
    answered: Counter[tuple[Any, ...]] = Counter()  # card, time and amount of the records paired so far
    unpaired = []
    for record in records:
        key = _key(record)
        if existing[key] > 0:
            existing[key] -= 1
            answered[key[:3]] += 1
        else:
            unpaired.append(record)
    return _not_logged_near(ledger, unpaired, answered, first, last)


def _not_logged_near(ledger: Ledger, records: list[StoredTopup], answered: Counter[tuple[Any, ...]], first: str,
                     last: str) -> list[StoredTopup]:
    """The records no standing record answers for: one of their card and amount within
    SAME_AMOUNT_WINDOW (on the same day, when either gives its day alone), of a like outcome (a
    failed payment is no copy of the top-up that followed it), whose reference, if both have one, is
    the same. Each takes the nearest one left; records already `answered` for a row answer for none."""
    window = rules.SAME_AMOUNT_WINDOW
    near: dict[tuple[int, int], list[StandingRecord]] = defaultdict(list)
    day = timedelta(days=1)  # a day given alone is its midnight: the same day may be a day away either side
    for standing in ledger.standing_between(to_stored(from_stored(first) - day - window),
                                            to_stored(from_stored(last) + day + window)):
        key = (standing.card_id, standing.occurred_at_utc, standing.amount_minor)
        if answered[key] > 0:
            answered[key] -= 1
        else:
            near[(standing.card_id, standing.amount_minor)].append(standing)
    new = []
    for record in records:
        candidates = [standing for standing in near[(record["card_id"], record["amount_minor"])]
                      if _answers_for(standing, record, window)]
        moment = from_stored(record["occurred_at_utc"])
        if candidates:
            near[(record["card_id"], record["amount_minor"])].remove(
                min(candidates, key=lambda standing: abs(from_stored(standing.occurred_at_utc) - moment)))
        else:
            new.append(record)
    return new


def _answers_for(standing: StandingRecord, record: StoredTopup, window: timedelta) -> bool:
    """Whether a standing record of the row's card and amount is the row's top-up (see `_not_logged_near`)."""
    at, ref, moment = from_stored(standing.occurred_at_utc), (record["ref"] or "").casefold(), \
        from_stored(record["occurred_at_utc"])
    if record["occurred_on"] or standing.occurred_on:  # either gives its day alone: the same day is close
        close = at.astimezone().date() == moment.astimezone().date()
    else:
        close = abs(at - moment) <= window
    return close and _settled(standing.outcome) == _settled(record["outcome"]) and (
        not ref or not standing.ref or standing.ref.casefold() == ref)


def _settled(outcome: str) -> bool:
    """Whether a record's money went, or is going, onto the card (credited, pending), not failed or refunded."""
    return outcome in (Outcome.credited.value, Outcome.pending.value)


def _shown(record: StoredTopup, cards: _CardBook) -> ToAdd:
    label = next((c["label"] for c in cards.by_key.values() if c["id"] == record["card_id"]),
                 cards.default["label"] if cards.default else "")
    return ToAdd(record.get("id"), label, format_minor(record["amount_minor"], record["currency"]), record["currency"],
                 record["channel"], local_iso(record["occurred_at_utc"]), record["ref"], record["note"])
