"""Queries on an open session. Nothing here commits: the service decides the transaction."""

from __future__ import annotations

import difflib
import json
from typing import Any

from sqlmodel import Session, select

from ledger import chain
from ledger.errors import NotFound
from ledger.models import Blob, Card, ChainHead, Receipt, Topup, TopupVersion
from ledger.money import format_minor
from ledger.receipts import ReceiptFile
from ledger.times import local_iso
from ledger.values import label_key

# The contract's record fields, read in one query so that show, search and export agree.
RECORD_SELECT = """
SELECT t.id, c.label, c.kind, t.amount_minor, t.paid_minor, t.currency, t.channel, t.outcome,
       t.occurred_at_utc, t.ref, t.merchant, t.note, t.balance_after_minor, t.valid_until,
       t.status,
       (SELECT json_group_array(json_object('name', r.name, 'sha256', r.sha256, 'size', r.size))
          FROM (SELECT name, sha256, size FROM receipt WHERE topup_id = t.id ORDER BY id) AS r),
       t.created_at_utc
  FROM topup AS t JOIN card AS c ON c.id = t.card_id
"""

RECORD_FIELDS = (
    "id", "card", "card_kind", "amount", "paid", "currency", "channel", "outcome", "occurred_at",
    "ref", "merchant", "note", "balance_after", "valid_until", "status", "receipts", "created_at",
)


def record_from_row(row: Any) -> dict[str, Any]:
    """A `RECORD_SELECT` row as the contract's record: amounts as strings, local times."""
    (id_, label, kind, amount, paid, currency, channel, outcome, occurred, ref, merchant, note,
     balance, valid_until, status, receipts, created) = row

    def money(minor: int | None) -> str | None:
        return None if minor is None else format_minor(minor, currency)

    return {
        "id": id_, "card": label, "card_kind": kind, "amount": money(amount), "paid": money(paid),
        "currency": currency, "channel": channel, "outcome": outcome, "occurred_at": local_iso(occurred),
        "ref": ref, "merchant": merchant, "note": note, "balance_after": money(balance),
        "valid_until": valid_until, "status": status, "receipts": json.loads(receipts),
        "created_at": local_iso(created),
    }


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
