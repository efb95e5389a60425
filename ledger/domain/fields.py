"""The one registry of record fields.

Everything that lists a record's fields is derived from `RECORD_FIELDS`: the stored row and its
defaults, how typed text becomes a stored value (for log, amend and every import), the option that
sets a field on the command line and in the browser's form, the declared tables and the SQL that
computes the contract's fields and the `records` view, the CSV, JSON and workbook columns and which
of them are numbers or guarded text, the content each link of the hash chain covers (`chain`), the
fields pages, the letter and `show` list for each version.

A new field is a line here (with `since` one above the newest chain scheme, and its option), and a
schema step that adds its column and makes the views again; its label and help go in the catalogs.
README's "A new record field" says it step by step, and a test follows it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple, TypedDict

from ledger.domain.values import Status, clean_ref, kept_text, parse_outcome
from ledger.errors import InvalidInput
from ledger.i18n import N_, _


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


class RecordField(NamedTuple):  # a named tuple: cheaper to make than a dataclass, at every start
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
    # How typed text is kept; text with none is one line of at most `_TEXT_LENGTH` characters.
    clean: Callable[[str | None], str | None] | None = None
    zero_ok: bool = False  # an amount that may be zero (a balance)
    default: str | None = None  # a code's value when none is given
    option: str | None = None  # the option, and the form's field, that sets it: --merchant
    label: str = ""  # what pages and the letter call it (a catalog message)
    help: str = ""  # what its option is for (a catalog message)

    @property
    def key(self) -> str:
        """The name a typed value goes by: its option's (`balance_after` for --balance-after, `at` for --at)."""
        return self.option.removeprefix("--").replace("-", "_") if self.option else self.name

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


_TEXT_LENGTH = 200

RECORD_FIELDS: tuple[RecordField, ...] = (
    RecordField("id", "id", Kind.key, fixed=True, label=N_("record")),
    RecordField("card", "card_id", Kind.card, fixed=True, label=N_("card")),
    RecordField("card_kind", None, Kind.card_kind, chained=False, fixed=True, label=N_("kind of card")),
    RecordField("amount", "amount_minor", Kind.money, option="--amount", label=N_("amount credited"),
                help=N_("Amount credited, e.g. 100, HK$100, ¥50.")),
    RecordField("paid", "paid_minor", Kind.money, optional=True, option="--paid", label=N_("paid"),
                help=N_("What was charged, when it differs from the amount.")),
    RecordField("currency", "currency", Kind.code, label=N_("currency")),
    RecordField("channel", "channel", Kind.code, default="other", option="--channel", label=N_("channel"),
                help=N_("store, online, app, wechat, alipay, sms, kiosk, auto, marketplace, other (or 微信, "
                        "支付宝 …).")),
    RecordField("outcome", "outcome", Kind.code, default="credited", option="--outcome", label=N_("outcome"),
                help=N_("credited (default), pending or failed; refunded too when amending.")),
    RecordField("occurred_at", "occurred_at_utc", Kind.moment, option="--at", label=N_("when"),
                help=N_("When it happened (default: now).")),
    RecordField("ref", "ref", Kind.text, optional=True, clean=clean_ref, option="--ref", label=N_("reference"),
                help=N_("Receipt or transaction reference.")),
    RecordField("merchant", "merchant", Kind.text, optional=True, clean=kept_text(N_("merchant"), 200),
                option="--merchant", label=N_("merchant"), help=N_("Where it was paid.")),
    RecordField("note", "note", Kind.text, optional=True, clean=kept_text(N_("note"), 10_000), option="--note",
                label=N_("note"), help=N_("Anything worth remembering.")),
    RecordField("balance_after", "balance_after_minor", Kind.money, optional=True, zero_ok=True,
                option="--balance-after", label=N_("balance after"), help=N_("Balance after the top-up.")),
    RecordField("valid_until", "valid_until", Kind.day, optional=True, option="--valid-until",
                label=N_("valid until"), help=N_("Date the card stays valid until.")),
    RecordField("status", "status", Kind.code, default=Status.active.value, label=N_("status")),
    RecordField("receipts", None, Kind.receipts, importable=False, label=N_("receipts")),
    RecordField("created_at", "created_at_utc", Kind.moment, fixed=True, label=N_("logged at")),
    RecordField("paid_with", "paid_with", Kind.text, optional=True, since=4, option="--paid-with",
                label=N_("paid with"), help=N_("The wallet, card or account that paid, e.g. PayMe, 招商银行(4523), "
                                               "零钱.")),
    RecordField("version", "version", Kind.counter, importable=False, public=False),
    # The day a top-up was given as, with no time (--at 2026-03-04, yesterday, a message stating a
    # date only): kept and chained as evidence of what was stated, and shown as its `occurred_at`.
    RecordField("occurred_on", "occurred_on", Kind.day, optional=True, importable=False, public=False, since=4),
)

PUBLIC_FIELDS = tuple(f for f in RECORD_FIELDS if f.public)
LABELS = {spec.name: spec.label for spec in PUBLIC_FIELDS}  # what a person reads a record's field as
FIELD_NAMES = tuple(f.name for f in PUBLIC_FIELDS)  # the contract's order
NUMERIC_NAMES = frozenset(f.name for f in PUBLIC_FIELDS if f.numeric)
IMPORTABLE = {f.name: f for f in RECORD_FIELDS if f.importable}
STORED = tuple(f for f in RECORD_FIELDS if f.column is not None)  # the `topup` table's columns
SETTABLE = tuple(f for f in RECORD_FIELDS if f.option)  # what a person gives when logging or amending
BY_NAME = {f.name: f for f in RECORD_FIELDS}
# A moment given as a day alone: the column that keeps that day, shown in the moment's place.
DAY_ALONE = {"occurred_at": "occurred_on"}


class ReceiptInfo(TypedDict):
    name: str
    sha256: str
    size: int


_SHOWN_TYPES: dict[Kind, Any] = {Kind.key: int, Kind.card: str, Kind.card_kind: str, Kind.money: str, Kind.code: str,
                                 Kind.moment: str, Kind.day: str, Kind.text: str, Kind.receipts: list[ReceiptInfo]}
# A record as the contract shows it (JSON keys, CSV columns), one key for each public field.
Record = TypedDict("Record", {f.name: _SHOWN_TYPES[f.kind] | None if f.optional else _SHOWN_TYPES[f.kind]  # type: ignore[misc]
                              for f in PUBLIC_FIELDS})


class Version(TypedDict):
    """One version of a record as `show` lists it."""

    version: int
    action: str
    reason: str | None
    recorded_at: str
    digest: str
    content: dict[str, Any]  # the fields an amendment can change, as they were in this version
    prev_digest: str  # the link before it in the hash chain (added later: last)


class ShownRecord(Record):  # type: ignore[valid-type, misc]
    """A record with every version of its history."""

    history: list[Version]


_STORED_TYPES: dict[Kind, Any] = {Kind.key: int, Kind.card: int, Kind.money: int, Kind.counter: int, Kind.code: str,
                                  Kind.moment: str, Kind.day: str, Kind.text: str}
# A `topup` row as stored: one key for each column `STORED` lists.
StoredTopup = TypedDict("StoredTopup", {f.column: _STORED_TYPES[f.kind] | None for f in STORED})  # type: ignore[misc]


def new_row(card_id: int, currency: str, now_utc: str) -> StoredTopup:
    """A record's first row: every stored field empty or at its default, on a card, logged now."""
    row: StoredTopup = {f.column: f.default for f in STORED}
    return row | {"card_id": card_id, "currency": currency, "occurred_at_utc": now_utc, "created_at_utc": now_utc,
                  "version": 1}


def _code(field: RecordField) -> Callable[[str], str]:
    if field.name == "channel":
        from ledger.domain.channels import parse_channel

        return lambda text: parse_channel(text).value
    if field.name == "outcome":
        return lambda text: parse_outcome(text).value
    if field.name == "status":
        def status(text: str) -> str:
            if text not in tuple(Status):
                raise InvalidInput(_("status {text!r} must be active, void or amended", text=text))
            return text

        return status
    raise TypeError(f"the code field {field.name!r} needs `clean`: how its typed words become the stored ones")


def parser(field: RecordField, now: datetime, shown: object = None) -> Callable[[str, str], Any]:
    """How a value typed for `field` (an option, a form's field, an import's cell), and the card's
    currency, become the value stored, checked by the same rules wherever it comes from; made once
    for an import's many rows. `shown` is what a refusal calls the value (--paid); the field's name
    by default."""
    # Money, times and channels are loaded when a value is first read or shown, not with the
    # registry: the command line reads the registry at every start, Tab completion's included.
    from ledger.domain.money import parse_amount
    from ledger.domain.times import parse_day, parse_moment, to_stored

    if field.clean is not None:
        clean = field.clean
        return lambda text, currency: clean(text)
    if field.kind is Kind.text:
        plain = kept_text(field.label or field.name, _TEXT_LENGTH, multiline=False)
        return lambda text, currency: plain(text)
    if field.kind is Kind.money:
        name, zero_ok = shown or field.name, field.zero_ok
        return lambda text, currency: parse_amount(text.strip(), currency, name, allow_zero=zero_ok).minor
    if field.kind is Kind.moment:
        return lambda text, currency: to_stored(parse_moment(text.strip(), now))
    if field.kind is Kind.day:
        return lambda text, currency: parse_day(text.strip()).isoformat()
    code = _code(field)
    return lambda text, currency: code(text.strip())


def typed(field: RecordField, text: str, currency: str, now: datetime, shown: object = None) -> Any:
    """One typed value as stored (see `parser`); blank text leaves an optional field unknown."""
    if field.optional and not text.strip():
        return None
    return parser(field, now, shown)(text, currency)


def shown_value(field: RecordField, stored: Any, currency: str) -> Any:
    """A stored value as records show it: money as a decimal string, moments in local time."""
    from ledger.domain.money import format_minor
    from ledger.domain.times import local_iso

    if stored is None:
        return None
    if field.kind is Kind.money:
        return format_minor(stored, currency)
    if field.kind is Kind.moment:
        return local_iso(stored)
    if field.kind is Kind.receipts:
        return len(stored)
    return stored


HISTORY_FIELDS = tuple(spec.name for spec in PUBLIC_FIELDS if spec.in_history)  # what an amendment can change


def changes(history: list[Version]) -> list[list[str]]:
    """For each version of a record, the fields (by name) whose value differs from the version before;
    not its status, which what the version did (amended, voided) already says."""
    found, before = [], None
    for version in history:
        values = {name: version["content"].get(name) for name in HISTORY_FIELDS if name != "status"}
        found.append([] if before is None else [name for name in values if before[name] != values[name]])
        before = values
    return found
