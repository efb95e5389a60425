"""What crosses the store's interface besides cards, records and links: a query, and named read
models for the few facts the use cases look up (Tab completion's two are beside `Peek`). Never a
row, a cursor or a connection.

They are named tuples, read by name (but `OldLink` and `OldReceipt`, digested in their fields'
order): a class of them costs a fraction of a dataclass to make, and a command makes them all each
time it starts."""

from __future__ import annotations

from typing import NamedTuple


class Query(NamedTuple):
    """Which records to read, in stored values: the service makes it from what a person typed."""

    terms: tuple[str, ...] = ()  # each must be found in the reference, merchant, note or card label
    card_id: int | None = None
    channel: str | None = None
    since_utc: str | None = None  # from this moment on
    until_utc: str | None = None  # before this moment
    # An amount bound in each currency it can be written in: ((currency, minor units), …).
    min_minor: tuple[tuple[str, int], ...] | None = None
    max_minor: tuple[tuple[str, int], ...] | None = None
    ref: str | None = None  # this exact reference, in any case
    outcome: str | None = None
    with_void: bool = False
    limit: int | None = None
    newest_first: bool = True
    paid_with: tuple[str, ...] = ()  # paid with one of these, in any case (a channel named by what paid: PayMe)


class ReportRow(NamedTuple):
    """A group's totals in one currency: credited and pending count and sum, failed and refunded count."""

    group: str
    currency: str
    credited_count: int
    credited_minor: int
    pending_count: int
    pending_minor: int
    failed_count: int
    refunded_count: int


class CardActivity(NamedTuple):
    records: int  # void ones aside
    last_at_utc: str | None


class RefMatch(NamedTuple):
    """A record found by its reference, on whichever card."""

    id: int
    card: str  # its card's label
    outcome: str
    status: str


class KeptText(NamedTuple):
    """A plain-text receipt kept with a record: a pasted message, most likely."""

    record_id: int
    data: bytes


class StandingRecord(NamedTuple):
    """A record not voided, as a bill's import compares its rows with it."""

    id: int
    card_id: int
    occurred_at_utc: str
    amount_minor: int
    paid_minor: int | None
    outcome: str
    ref: str | None
    occurred_on: str | None  # the day it was given as, when given with no time


class RecordKey(NamedTuple):
    """What tells a record from a row of an import: card, time, amount and reference."""

    card_id: int
    occurred_at_utc: str
    amount_minor: int
    ref: str | None


class LastTopup(NamedTuple):
    id: int
    occurred_at_utc: str
    amount_minor: int
    channel: str
    ref: str | None
    outcome: str
    occurred_on: str | None  # the day it was given as, when given with no time


class StatedBalance(NamedTuple):
    """The balance a credited top-up stated it left on its card."""

    id: int
    occurred_at_utc: str
    balance_minor: int


class Credited(NamedTuple):
    """A credited top-up, for adding to a stated balance."""

    id: int
    amount_minor: int


class Payment(NamedTuple):
    """A top-up paid onto a card (credited or pending, not void): when, and how much."""

    occurred_at_utc: str
    amount_minor: int


class ValidityFacts(NamedTuple):
    """What a card in use with a credited top-up says of its validity."""

    label: str
    kind: str
    number: str | None
    validity_days: int | None
    stated_until: str | None  # stated by the newest top-up that states one
    stated_at_utc: str | None  # when that top-up happened
    last_at_utc: str  # the newest credited top-up


class IndexMismatch(NamedTuple):
    """How the text index differs from the records."""

    missing: list[int]  # records it lacks
    extra: list[int]  # ids it holds that no record has
    differs: bool  # the text it holds is not the records'


class ReceiptUse(NamedTuple):
    record_id: int
    name: str


class DamagedBlob(NamedTuple):
    """A stored file whose bytes no longer match its digest, and the receipts that use it."""

    sha256: str
    uses: list[ReceiptUse]


class ChainState(NamedTuple):
    links: int
    head_seq: int
    head_digest: str


class IssuedSeal(NamedTuple):
    links: int
    head_seq: int
    head_digest: str
    sealed_at_utc: str


class StoreFacts(NamedTuple):
    """What `doctor` says of the ledger's storage."""

    schema_version: int
    engine: str  # which engine keeps it: sqlite
    engine_version: str
    journal_mode: str
    cards: int
    records: int
    void_records: int
    receipt_files: int
    receipt_bytes: int


class OldLink(NamedTuple):
    """What a link of the first content scheme did not chain itself, in the order it is digested."""

    seq: int
    record_id: int
    version: int
    action: str
    reason: str | None
    at_utc: str


class OldReceipt(NamedTuple):
    """What a receipt kept under the first content scheme was, in the order it is digested."""

    id: int
    record_id: int
    sha256: str
    name: str
    media_type: str
    size: int
    added_at_utc: str
