"""Writes through an open session. Nothing here commits: the service decides the transaction."""

from __future__ import annotations

from sqlmodel import Session

from ledger import chain, queries
from ledger.db import raw
from ledger.errors import NotFound
from ledger.models import Blob, Card, ChainHead, Receipt, Topup, TopupVersion
from ledger.receipts import ReceiptFile


def get_topup(session: Session, topup_id: int) -> Topup:
    topup = session.get(Topup, topup_id)
    if topup is None:
        raise NotFound(f"there is no record {topup_id}; `topup search` lists the records")
    return topup


def find_card(session: Session, label: str) -> Card:
    """The card with this label, to change; refuses with the closest labels."""
    card = session.get(Card, queries.find_card(raw(session), label)["id"])
    assert card is not None  # just found in the same transaction
    return card


def append_version(session: Session, topup: Topup, action: str, reason: str | None, at_utc: str) -> TopupVersion:
    """Add the record's current state to the hash chain as its newest link."""
    session.flush()
    head = session.get(ChainHead, 1)
    prev = head.digest if head else chain.GENESIS
    content = chain.canonical_content(topup.model_dump(), queries.receipt_list(raw(session), topup.id))
    link = TopupVersion(
        topup_id=topup.id, version=topup.version, action=action, reason=reason,
        recorded_at_utc=at_utc, content=content, prev_digest=prev, digest=chain.link_digest(prev, content),
    )
    session.add(link)
    session.flush()
    if head is None:
        session.add(ChainHead(id=1, seq=link.seq, digest=link.digest))
    else:
        head.seq, head.digest = link.seq, link.digest
        session.add(head)
    return link


def attach_receipts(session: Session, topup: Topup, files: list[ReceiptFile], at_utc: str) -> int:
    """Store receipt files for a record; the bytes are kept once per digest. Returns how many were new."""
    session.flush()
    added = 0
    seen = {sha for sha, _, _ in queries.receipt_list(raw(session), topup.id)}
    for file in files:
        if file.sha256 in seen:
            continue
        seen.add(file.sha256)
        if session.get(Blob, file.sha256) is None:
            session.add(Blob(sha256=file.sha256, size=file.size, data=file.data))
        session.add(Receipt(topup_id=topup.id, sha256=file.sha256, name=file.name,
                            media_type=file.media_type, size=file.size, added_at_utc=at_utc))
        added += 1
    session.flush()
    return added
