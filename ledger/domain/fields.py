"""The one registry of record fields.

Everything that lists a record's fields is derived from `RECORD_FIELDS`: the SQLModel table
(`store.models`), the SQL that computes the contract's fields (`store.projection`), the CSV and
JSON columns and which of them are numbers or guarded text, the content each link of the hash
chain covers (`chain`), the columns an import recognises, and the fields `show` lists for each
version. Adding a field is a line here, a migration step that adds its column, and the use case
that sets it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypedDict

from ledger.domain.money import format_minor
from ledger.domain.times import local_iso
from ledger.domain.values import clean_merchant, clean_note, clean_ref


class Kind(StrEnum):
    """How a field is stored, and so how it is shown, exported and imported."""

    key = "key"  # the record's id
    card = "card"  # stored as the card's id, shown as its label
    card_kind = "card_kind"  # kept on the card, shown with each record
    money = "money"  # integer minor units, shown as a decimal string in the record's currency
    code = "code"  # one of a few fixed words: currency, channel, outcome, status
    moment = "moment"  # UTC text, shown in local time with its offset
    day = "day"  # a calendar day, YYYY-MM-DD
    text = "text"  # free text a person typed
    receipts = "receipts"  # the record's files: a list in JSON, a count in CSV
    counter = "counter"  # how many versions the record has had


@dataclass(frozen=True)
class RecordField:
    """One field of a top-up record."""

    name: str  # JSON key, CSV column and import header
    column: str | None  # the `topup` column that stores it; None when it lives elsewhere
    kind: Kind
    optional: bool = False  # may be unknown: null in JSON, empty in CSV
    chained: bool = True  # covered by the hash chain
    importable: bool = True  # read from an import file
    public: bool = True  # one of the contract's record fields
    fixed: bool = False  # set when the record is logged and never amended
    since: int = 1  # the chain content scheme that added it (see `chain`)
    clean: Callable[[str | None], str | None] | None = None  # how typed text is kept
    zero_ok: bool = False  # an amount that may be zero (a balance)

    @property
    def numeric(self) -> bool:
        """Written as a number in CSV and spreadsheets, never guarded."""
        return self.kind in (Kind.key, Kind.money, Kind.receipts)

    @property
    def guarded(self) -> bool:
        """Text a person typed: a spreadsheet must never take it for a formula or a number."""
        return self.kind in (Kind.text, Kind.card)

    @property
    def in_history(self) -> bool:
        """Shown for each version by `show`: what an amendment can change."""
        return self.public and self.chained and not self.fixed


RECORD_FIELDS: tuple[RecordField, ...] = (
    RecordField("id", "id", Kind.key, fixed=True),
    RecordField("card", "card_id", Kind.card, fixed=True),
    RecordField("card_kind", None, Kind.card_kind, chained=False, fixed=True),
    RecordField("amount", "amount_minor", Kind.money),
    RecordField("paid", "paid_minor", Kind.money, optional=True),
    RecordField("currency", "currency", Kind.code),
    RecordField("channel", "channel", Kind.code),
    RecordField("outcome", "outcome", Kind.code),
    RecordField("occurred_at", "occurred_at_utc", Kind.moment),
    RecordField("ref", "ref", Kind.text, optional=True, clean=clean_ref),
    RecordField("merchant", "merchant", Kind.text, optional=True, clean=clean_merchant),
    RecordField("note", "note", Kind.text, optional=True, clean=clean_note),
    RecordField("balance_after", "balance_after_minor", Kind.money, optional=True, zero_ok=True),
    RecordField("valid_until", "valid_until", Kind.day, optional=True),
    RecordField("status", "status", Kind.code),
    RecordField("receipts", None, Kind.receipts, importable=False),
    RecordField("created_at", "created_at_utc", Kind.moment, fixed=True),
    RecordField("version", "version", Kind.counter, importable=False, public=False),
)

PUBLIC_FIELDS = tuple(f for f in RECORD_FIELDS if f.public)
FIELD_NAMES = tuple(f.name for f in PUBLIC_FIELDS)  # the contract's order
NUMERIC_NAMES = frozenset(f.name for f in PUBLIC_FIELDS if f.numeric)
IMPORTABLE = {f.name: f for f in RECORD_FIELDS if f.importable}
STORED = tuple(f for f in RECORD_FIELDS if f.column is not None)  # the `topup` table's columns


class ReceiptInfo(TypedDict):
    name: str
    sha256: str
    size: int


class Record(TypedDict):
    """A record as the contract shows it (JSON keys, CSV columns); kept in step with
    `RECORD_FIELDS` by a test."""

    id: int
    card: str
    card_kind: str
    amount: str
    paid: str | None
    currency: str
    channel: str
    outcome: str
    occurred_at: str
    ref: str | None
    merchant: str | None
    note: str | None
    balance_after: str | None
    valid_until: str | None
    status: str
    receipts: list[ReceiptInfo]
    created_at: str


class Version(TypedDict):
    """One version of a record as `show` lists it."""

    version: int
    action: str
    reason: str | None
    recorded_at: str
    digest: str
    content: dict[str, Any]  # the fields an amendment can change, as they were in this version


class ShownRecord(Record):
    """A record with every version of its history."""

    history: list[Version]


StoredTopup = dict[str, Any]  # a `topup` row: column name → stored value, as `STORED` lists them


def shown_value(field: RecordField, stored: Any, currency: str) -> Any:
    """A stored value as records show it: money as a decimal string, moments in local time."""
    if stored is None:
        return None
    if field.kind is Kind.money:
        return format_minor(stored, currency)
    if field.kind is Kind.moment:
        return local_iso(stored)
    if field.kind is Kind.receipts:
        return len(stored)
    return stored
