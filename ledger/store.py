"""Queries on an open session. Nothing here commits: the service decides the transaction."""

from __future__ import annotations

import difflib
from typing import Any

from sqlmodel import Session, select

from ledger import chain
from ledger.errors import NotFound
from ledger.models import Blob, Card, ChainHead, Receipt, Topup, TopupVersion
from ledger.receipts import ReceiptFile
from ledger.records import RECORD_SELECT, record_from_row
from ledger.values import label_key


def get_record(session: Session, topup_id: int) -> dict[str, Any]:
    row = session.connection().exec_driver_sql(RECORD_SELECT + " WHERE t.id = ?", (topup_id,)).fetchone()
    if row is None:
        raise NotFound(f"there is no record {topup_id}; `topup search` lists the records")
    return record_from_row(row)


def get_topup(session: Session, topup_id: int) -> Topup:
    topup = session.get(Topup, topup_id)
    if topup is None:
        raise NotFound(f"there is no record {topup_id}; `topup search` lists the records")
    return topup


def find_card(session: Session, label: str) -> Card:
    """The card with this label, compared case-insensitively; refuses with the closest labels."""
    card = session.exec(select(Card).where(Card.label_key == label_key(label))).first()
    if card is not None:
        return card
    labels = list(session.exec(select(Card.label)))
    by_key = {label_key(known): known for known in labels}
    close = difflib.get_close_matches(label_key(label), list(by_key), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(by_key[key] for key in close)}?" if close else ""
    raise NotFound(
        f"there is no card {label!r}.{hint} To add it: topup card add {_shell_word(label)} --kind sim|smart"
    )


def _shell_word(text: str) -> str:
    import shlex

    return shlex.quote(text)


def records_with_ref(session: Session, card_id: int, ref: str, exclude_id: int | None = None) -> list[int]:
    """Records of a card (not voided) that already carry this receipt reference."""
    rows = session.connection().exec_driver_sql(
        "SELECT id FROM topup WHERE card_id = ? AND ref = ? COLLATE NOCASE AND status != 'void' AND id != ?",
        (card_id, ref, exclude_id or 0),
    )
    return [row[0] for row in rows]


def receipt_list(session: Session, topup_id: int) -> list[tuple[str, str, int]]:
    rows = session.exec(select(Receipt).where(Receipt.topup_id == topup_id).order_by(Receipt.id))
    return [(r.sha256, r.name, r.size) for r in rows]


def append_version(session: Session, topup: Topup, action: str, reason: str | None, at_utc: str) -> TopupVersion:
    """Add the record's current state to the hash chain as its newest link."""
    session.flush()
    head = session.get(ChainHead, 1)
    prev = head.digest if head else chain.GENESIS
    content = chain.canonical_content(topup.model_dump(), receipt_list(session, topup.id))
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


def versions(session: Session, topup_id: int) -> list[TopupVersion]:
    return list(session.exec(select(TopupVersion).where(TopupVersion.topup_id == topup_id).order_by(TopupVersion.version)))


def attach_receipts(session: Session, topup: Topup, files: list[ReceiptFile], at_utc: str) -> int:
    """Store receipt files for a record; the bytes are kept once per digest. Returns how many were new."""
    added = 0
    seen = {sha for sha, _, _ in receipt_list(session, topup.id)}
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
