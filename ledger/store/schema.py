"""The ledger's tables, declared once for every engine (as SQLModel classes).

An engine keeps these tables with these columns, their types, keys and what may be empty: SQLite's
schema steps build them (a test checks each step leads there), and `verify` checks a ledger's
tables against them, so that a column changed behind the program's back is found. `Topup` is made
from the registry of record fields, so a new field needs no change here. Amounts are integer minor
units, moments UTC text, enum values their plain text. Loaded only by what checks a whole ledger.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from ledger.domain.fields import STORED, Kind


class Card(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    label: str
    label_key: str = Field(unique=True)
    kind: str
    number: str | None = None
    region: str | None = None
    currency: str
    issuer: str | None = None
    max_topup_minor: int | None = None
    max_balance_minor: int | None = None
    validity_days: int | None = None
    retired_at_utc: str | None = None
    created_at_utc: str
    profile: str | None = None


def _topup_model() -> type[SQLModel]:
    """The `topup` table: one column for each stored field of the registry, typed by its kind."""
    annotations: dict[str, object] = {}
    namespace: dict[str, object] = {"__tablename__": "topup", "__annotations__": annotations,
                                    "__doc__": "The current state of a record; its full history is in `TopupVersion`."}
    for field in STORED:
        python_type = int if field.kind in (Kind.key, Kind.card, Kind.money, Kind.counter) else str
        if field.kind is Kind.key:
            annotations[field.column], namespace[field.column] = int | None, Field(default=None, primary_key=True)
        elif field.kind is Kind.card:
            annotations[field.column], namespace[field.column] = int, Field(foreign_key="card.id")
        elif field.optional:
            annotations[field.column], namespace[field.column] = python_type | None, None
        else:
            annotations[field.column] = python_type
    return type(SQLModel)("Topup", (SQLModel,), namespace, table=True)


Topup = _topup_model()


class _Link(SQLModel):
    """What each link of the hash chain holds, whatever it is about: a version of it, the action and
    why, its content, and the digests that chain it."""

    seq: int | None = Field(default=None, primary_key=True)
    version: int
    action: str
    reason: str | None = None
    recorded_at_utc: str
    content: str
    prev_digest: str
    digest: str = Field(unique=True)


class TopupVersion(_Link, table=True):
    """A link of the hash chain about a record: its content after a log, amend, void or receipt."""

    __tablename__ = "topup_version"

    topup_id: int = Field(foreign_key="topup.id")


class LedgerLink(_Link, table=True):
    """A link of the hash chain about a card, or (with no card) about the ledger as a whole."""

    __tablename__ = "ledger_link"

    card_id: int | None = Field(default=None, foreign_key="card.id")


class ChainHead(SQLModel, table=True):
    """The newest link, kept apart so that removing the last links is noticed too."""

    __tablename__ = "chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int
    digest: str


class Blob(SQLModel, table=True):
    """A receipt file's bytes, stored once however many records share it."""

    sha256: str = Field(primary_key=True)
    size: int
    data: bytes


class Receipt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    topup_id: int = Field(foreign_key="topup.id")
    sha256: str = Field(foreign_key="blob.sha256")
    name: str
    media_type: str
    size: int
    added_at_utc: str


class Currency(SQLModel, table=True):
    """Each currency's decimals, for the views that show amounts."""

    code: str = Field(primary_key=True)
    digits: int
    scale: int


class SchemaStep(SQLModel, table=True):
    """Each schema step a ledger went through, by number and name."""

    __tablename__ = "schema_step"

    version: int | None = Field(default=None, primary_key=True)
    name: str


class Seal(SQLModel, table=True):
    """A seal issued of the chain: the state it states, and a digest of its statement."""

    id: int | None = Field(default=None, primary_key=True)
    links: int
    head_seq: int
    head_digest: str
    sealed_at_utc: str
    statement_sha256: str
