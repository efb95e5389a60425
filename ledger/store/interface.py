"""The one interface between the use cases and wherever the ledger is kept.

An `Engine` is a ledger at its location: it opens transactions on it and does what concerns the
ledger as a whole. A `Ledger` is one such transaction, which every use case receives: reads see
one consistent state, and a writing one commits all its changes or none. Everything crosses
this interface as declared types (cards, records, links, receipts, queries, the read models of
`types`); no engine's connection, row or cursor does.

An engine writes links only through `append_links`; which links a change makes, and what they
hold, is written once for every engine in `chaining`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, NoReturn

from ledger.store.chaining import Chaining

if TYPE_CHECKING:  # Tab completion reaches a peek through here, at every key press: only what it uses loads
    from ledger.domain.cards import Card
    from ledger.domain.chain import Head, Link, NewLink
    from ledger.domain.fields import Record, StoredTopup
    from ledger.domain.receipts import KeptReceipt, ReceiptFile
    from ledger.store.location import Location
    from ledger.store.types import (
        CardActivity,
        ChainState,
        Credited,
        DamagedBlob,
        IndexMismatch,
        IssuedSeal,
        KeptText,
        LastTopup,
        OldLink,
        OldReceipt,
        Payment,
        Query,
        RecordKey,
        RefMatch,
        ReportRow,
        StandingRecord,
        StatedBalance,
        StoreFacts,
        ValidityFacts,
    )


class Ledger(Chaining, ABC):
    """One transaction on a ledger."""

    location: Location
    notices: list[str]  # what the person should know about how the ledger was read
    older_schema: int | None  # read through an upgraded copy: the schema the ledger itself has

    @property
    @abstractmethod
    def schema(self) -> int:
        """The schema version of the ledger as this transaction sees it."""

    @abstractmethod
    def bring_up_to_date(self) -> None:
        """For a writing transaction: create the ledger, or upgrade it to this program's schema, now."""

    # ---------------------------------------------------------------- cards

    @abstractmethod
    def cards(self) -> list[Card]:
        """Every card, by label."""

    @abstractmethod
    def card(self, card_id: int) -> Card: ...

    @abstractmethod
    def card_by_key(self, key: str) -> Card | None:
        """The card whose label has this key (`values.label_key`)."""

    @abstractmethod
    def card_of(self, topup_id: int) -> Card | None:
        """The card a record belongs to; None when there is no such record."""

    @abstractmethod
    def last_credited_at(self, card_id: int) -> str | None:
        """When the card's newest credited top-up happened (UTC), if it has one."""

    @abstractmethod
    def card_activity(self, card_id: int) -> CardActivity: ...

    @abstractmethod
    def card_has_records(self, card_id: int) -> bool: ...

    @abstractmethod
    def add_card(self, card: Card, action: str, at_utc: str) -> int:
        """Store a new card (its id is not given) and chain it; returns its id."""

    @abstractmethod
    def update_card(self, card: Card, action: str, at_utc: str) -> None:
        """Store a card's new settings and chain them."""

    @abstractmethod
    def card_version(self, card_id: int) -> int:
        """The version of a card's newest link (0 before its first)."""

    @abstractmethod
    def newest_card_content(self, card_id: int) -> str | None:
        """The content of a card's newest link."""

    # ---------------------------------------------------------------- records as shown

    @abstractmethod
    def record(self, topup_id: int) -> Record | None:
        """One record with the contract's fields; None when there is none with that id."""

    @abstractmethod
    def records(self, query: Query) -> Iterator[Record]:
        """The matching records in time order, streamed."""

    @abstractmethod
    def csv_lines(self, query: Query, guarded: bool) -> Iterator[list[str]]:
        """The matching records in time order as finished CSV lines (each ending CRLF), streamed in
        batches; `guarded`, safe to open in a spreadsheet (`domain.spreadsheet`)."""

    @abstractmethod
    def report(self, query: Query, by: str) -> list[ReportRow]:
        """Totals of the matching records by month (local), card or channel, and currency."""

    @abstractmethod
    def count_records(self) -> int: ...

    # ---------------------------------------------------------------- records as stored

    @abstractmethod
    def stored_topup(self, topup_id: int) -> StoredTopup | None:
        """A record's columns as stored; None when there is none with that id."""

    @abstractmethod
    def stored_topups(self) -> Iterator[StoredTopup]:
        """Every record as stored, by id."""

    @abstractmethod
    def add_topup(self, row: StoredTopup) -> int:
        """Store a new record (its columns but the id); returns its id."""

    @abstractmethod
    def update_topup(self, row: StoredTopup) -> None: ...

    @abstractmethod
    def add_topups(self, rows: list[StoredTopup], action: str, at_utc: str) -> None:
        """Store many records at once (each with its id) and chain each one's first version."""

    @abstractmethod
    def free_ids(self, wanted: list[int | None]) -> list[int]:
        """Ids for new records: the wanted ones when all are given, distinct and free; else the next ones."""

    @abstractmethod
    def ids_with_ref(self, card_id: int, ref: str, exclude_id: int | None = None, *,
                     with_void: bool = False) -> list[int]:
        """Records of a card (not voided, unless `with_void`) that carry this reference, in any case."""

    @abstractmethod
    def ref_on_any_card(self, ref: str, prefer_card: int) -> RefMatch | None:
        """A record on any card, voided or not, that carries this reference: one of `prefer_card`
        first, then a standing one."""

    @abstractmethod
    def ref_extended_by(self, text: str, shortest: int) -> RefMatch | None:
        """The record with the longest reference (`shortest` characters or more) that `text` begins with."""

    @abstractmethod
    def kept_texts(self, card_id: int, max_bytes: int) -> list[KeptText]:
        """Plain-text receipts up to `max_bytes` of a card's standing records, oldest record first."""

    @abstractmethod
    def same_amount_between(self, card_id: int, amount_minor: int, first_utc: str, last_utc: str,
                            exclude_id: int) -> list[int]:
        """Standing records of a card of this amount from `first_utc` to `last_utc`."""

    @abstractmethod
    def standing_between(self, first_utc: str, last_utc: str) -> list[StandingRecord]:
        """Every standing record from `first_utc` to `last_utc`, in time order."""

    @abstractmethod
    def keys_between(self, first_utc: str, last_utc: str) -> list[RecordKey]:
        """What tells apart every record from `first_utc` to `last_utc`, voided ones too."""

    @abstractmethod
    def last_topup(self, card_id: int) -> LastTopup | None:
        """A card's newest standing record."""

    @abstractmethod
    def last_balance(self, card_id: int) -> StatedBalance | None:
        """The balance after a card's newest credited top-up that states one."""

    @abstractmethod
    def credited_after(self, card_id: int, balance: StatedBalance) -> list[Credited]:
        """A card's credited top-ups after the one that stated `balance`, oldest first."""

    @abstractmethod
    def payments_between(self, card_id: int, first_utc: str, before_utc: str, channels: tuple[str, ...] = (),
                         besides: int | None = None) -> list[Payment]:
        """A card's top-ups paid from `first_utc` to before `before_utc`, by these channels (empty: any),
        but for record `besides` (the one being amended), in time order."""

    @abstractmethod
    def pending_ids(self, card_id: int) -> list[int]: ...

    @abstractmethod
    def validity_facts(self, card_id: int | None = None) -> list[ValidityFacts]:
        """Of each card in use with a credited top-up (or of one card)."""

    # ---------------------------------------------------------------- receipts

    @abstractmethod
    def kept_receipts(self, topup_id: int) -> list[KeptReceipt]:
        """A record's receipt files, in the order they were added."""

    @abstractmethod
    def receipt_files(self, topup_id: int) -> list[ReceiptFile]:
        """A record's receipt files with their bytes, in the order they were added."""

    @abstractmethod
    def add_receipts(self, topup_id: int, files: list[ReceiptFile], at_utc: str) -> int:
        """Keep receipt files with a record, each file's bytes once per digest; returns how many
        were new to the record."""

    @abstractmethod
    def receipts_by_record(self) -> dict[int, list[KeptReceipt]]: ...

    @abstractmethod
    def damaged_blobs(self) -> Iterator[DamagedBlob]:
        """Every stored file whose bytes no longer match its digest."""

    # ---------------------------------------------------------------- the chain

    @abstractmethod
    def append_links(self, links: Iterable[NewLink], *, of_records: bool = True) -> None:
        """Append each change to the hash chain in order, and move its head to the last: the only
        writer of links. `of_records=False`: links of cards, and of the ledger itself."""

    @abstractmethod
    def versions(self, topup_id: int) -> list[Link]:
        """Every link of a record, oldest first."""

    @abstractmethod
    def links(self) -> Iterator[Link]:
        """Every link, records' and the others', in the chain's one order, oldest first."""

    @abstractmethod
    def head(self) -> Head | None: ...

    @abstractmethod
    def newest_links(self) -> dict[int, Link]:
        """Each record's newest link, by record."""

    @abstractmethod
    def newest_card_contents(self) -> dict[int, str]:
        """Each card's newest link content, by card."""

    @abstractmethod
    def found_at_upgrade(self) -> list[str]:
        """The content of each link that says what an upgrade chained that older links left out."""

    @abstractmethod
    def unchained_link_facts(self) -> Iterator[OldLink]:
        """Each record link of the first content scheme, which did not chain these facts itself."""

    @abstractmethod
    def unchained_receipt_facts(self, last: int | None) -> Iterator[OldReceipt]:
        """Each receipt up to id `last` (None: all), as the first content scheme left it unchained."""

    # ---------------------------------------------------------------- the text index

    @abstractmethod
    def index_mismatch(self) -> IndexMismatch:
        """How the text index differs from the records' text."""

    @abstractmethod
    def rebuild_index(self) -> None:
        """Index every record's text anew."""

    # ---------------------------------------------------------------- seals

    @abstractmethod
    def ledger_id(self) -> str | None:
        """The start of the first link's digest: the same in every copy; None while the chain is empty."""

    @abstractmethod
    def chain_state(self) -> ChainState | None: ...

    @abstractmethod
    def digest_at(self, seq: int) -> str | None:
        """The digest of the link at place `seq`, of a record's or of another's."""

    @abstractmethod
    def links_up_to(self, seq: int) -> int: ...

    @abstractmethod
    def add_seal(self, seal: IssuedSeal, statement_sha256: str) -> None: ...

    @abstractmethod
    def issued_seals(self) -> list[IssuedSeal]:
        """Every seal the ledger lists, oldest first."""

    # ---------------------------------------------------------------- the ledger as a whole

    @abstractmethod
    def integrity_problems(self) -> list[str]:
        """What the engine's own checks find wrong in the stored data."""

    @abstractmethod
    def schema_problems(self) -> list[str]:
        """Where the ledger's tables, views and currency decimals are not what this program declares
        (`store.schema`) and makes: a column changed, a view redefined, a currency's decimals edited."""

    @abstractmethod
    def facts(self) -> StoreFacts: ...

    @abstractmethod
    def copy_to_file(self, target: Path, shown: Path) -> None:
        """This transaction's state as a ledger file at `target`, an empty private file made for it;
        `shown` is the name to speak of when it cannot be written."""


class Engine(ABC):
    """A ledger at its location, and what concerns it as a whole."""

    location: Location

    @abstractmethod
    def exists(self) -> bool:
        """Whether a ledger is there; refuses what is there and cannot be one."""

    @abstractmethod
    def refuse_missing(self) -> NoReturn: ...

    @abstractmethod
    def transaction(self, *, write: bool = False, missing_is_empty: bool = False) -> AbstractContextManager[Ledger]:
        """One transaction for the block: a writing one commits only if the block succeeds; `missing_is_empty`,
        a reading one on a location with no ledger sees an empty ledger instead of being refused."""

    @abstractmethod
    def repair_marks(self) -> int | None:
        """Write back what a copy made with the engine's own dump tool lost; returns the schema
        version found, or None when nothing was missing."""

    @abstractmethod
    def size_bytes(self) -> int: ...

    @abstractmethod
    def is_part_of_it(self, path: Path) -> bool:
        """Whether a file at `path` is the ledger or one of its own files, never to be written over."""

    @abstractmethod
    def peek(self) -> AbstractContextManager[Peek | None]:
        """A quick look for Tab completion, which never changes, upgrades, waits or refuses: None when
        there is nothing to look at."""

    @abstractmethod
    def datasette_metadata(self) -> dict[str, object]:
        """What Datasette needs to show the ledger as people read it."""


class CardName(NamedTuple):
    """A card as Tab completion offers it."""

    label: str
    kind: str
    retired: bool


class RecentRecord(NamedTuple):
    """A record as Tab completion offers it: its id, and its card and amount beside it."""

    id: int
    card: str
    amount: str


class Peek(ABC):
    """What Tab completion reads of a ledger; whatever cannot be read is simply not offered."""

    @abstractmethod
    def card_names(self) -> list[CardName]:
        """Every card, those in use first."""

    @abstractmethod
    def newest_records(self, id_prefix: str, limit: int) -> list[RecentRecord]:
        """The newest records whose id starts with `id_prefix`, newest first."""
