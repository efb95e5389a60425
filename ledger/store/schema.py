"""The ledger's tables as SQLModel classes.

The schema itself is created by `migrations.py` (plain SQL, one step per version); these
classes describe the same tables for the ORM, and a test checks that the two agree. `Topup` is
built from the registry of record fields, so a new field needs no change here.
Enum values are stored as their plain text, amounts as integer minor units, moments as UTC text.
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


class TopupVersion(SQLModel, table=True):
    """One link of the hash chain: a record's content after a log, amend, void or receipt."""

    __tablename__ = "topup_version"

    seq: int | None = Field(default=None, primary_key=True)
    topup_id: int = Field(foreign_key="topup.id")
    version: int
    action: str
    reason: str | None = None
    recorded_at_utc: str
    content: str
    prev_digest: str
    digest: str = Field(unique=True)


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
