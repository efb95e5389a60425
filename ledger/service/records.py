"""A record by its id: as shown, or as stored to change it; refused by the same words when there is none."""

from __future__ import annotations

from ledger.domain.fields import Record, StoredTopup
from ledger.errors import NotFound
from ledger.store.interface import Ledger


def no_record(topup_id: int) -> NotFound:
    return NotFound(f"there is no record {topup_id}; `topup search` lists the records")


def shown_record(ledger: Ledger, topup_id: int) -> Record:
    """A record with the contract's fields."""
    record = ledger.record(topup_id)
    if record is None:
        raise no_record(topup_id)
    return record


def stored_topup(ledger: Ledger, topup_id: int) -> StoredTopup:
    """A record's columns as stored, to change them."""
    row = ledger.stored_topup(topup_id)
    if row is None:
        raise no_record(topup_id)
    return row
