"""A record by its id: as shown, or as stored to change it; refused by the same words when there is none."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.domain.fields import Record, ShownRecord, StoredTopup, Version
from ledger.domain.times import local_iso
from ledger.errors import DamageFound, NotFound
from ledger.i18n import _
from ledger.store.interface import Ledger

if TYPE_CHECKING:
    from ledger.domain.chain import Link


def no_record(topup_id: int) -> NotFound:
    return NotFound(_("there is no record {id}; `topup search` lists the records", id=topup_id))


def shown_record(ledger: Ledger, topup_id: int) -> Record:
    """A record with the contract's fields."""
    record = ledger.record(topup_id)
    if record is None:
        raise no_record(topup_id)
    return record


def history(ledger: Ledger, topup_id: int) -> list[Version]:
    """Every version of a record, oldest first: what was done, why and when, the values it had then,
    and its place in the hash chain."""
    from ledger.domain import chain  # loads hashlib, which searches and exports do without

    def fields_of(link: Link) -> dict[str, Any]:
        try:
            return chain.version_fields(link.content)
        except chain.UnreadableLink:
            raise DamageFound(_("version {version} of record {id} cannot be read: the text it was stored as was "
                                "damaged. `topup verify` lists what is damaged; compare the ledger with a backup",
                                version=link.version, id=topup_id)) from None

    return [{"version": link.version, "action": link.action, "reason": link.reason,
             "recorded_at": local_iso(link.at_utc) or "", "digest": link.digest,
             "content": fields_of(link), "prev_digest": link.prev_digest}
            for link in ledger.versions(topup_id)]


def show_record(ledger: Ledger, topup_id: int) -> ShownRecord:
    """One record with its receipt files and every version in its history."""
    return {**shown_record(ledger, topup_id), "history": history(ledger, topup_id)}


def stored_topup(ledger: Ledger, topup_id: int) -> StoredTopup:
    """A record's columns as stored, to change them."""
    row = ledger.stored_topup(topup_id)
    if row is None:
        raise no_record(topup_id)
    return row
