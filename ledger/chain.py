"""The hash chain that makes the history tamper-evident.

Every change to a record (log, amend, void, a receipt added) appends a version holding the
record's canonical content and a digest over that content and the previous link's digest.
Changing, removing or reordering any link breaks every digest after it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64
# Built once: an import encodes one content per row.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))

# The columns of `topup` that a version captures, in a fixed order.
CONTENT_FIELDS = (
    "id", "card_id", "amount_minor", "paid_minor", "currency", "channel", "outcome",
    "occurred_at_utc", "ref", "merchant", "note", "balance_after_minor", "valid_until",
    "status", "created_at_utc", "version",
)


def canonical_content(record: dict[str, Any], receipts: list[tuple[str, str, int]]) -> str:
    """The one text a version's digest covers: the record's fields and its receipt files."""
    body = {field: record[field] for field in CONTENT_FIELDS}
    body["receipts"] = [list(receipt) for receipt in receipts]
    return _CANONICAL_JSON.encode(body)


def link_digest(prev_digest: str, content: str) -> str:
    """SHA-256 over the previous link's digest and this link's content."""
    return hashlib.sha256(f"{prev_digest}\n{content}".encode()).hexdigest()
