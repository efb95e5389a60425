"""The hash chain that makes the history tamper-evident.

Every change to a record (log, amend, void, a receipt added, an import) appends a link holding
the record's content and a digest over that content and the previous link's digest. Changing,
removing or reordering any link breaks every digest after it. `store.writes.append_links` is the
only code that writes links.

A link's content is canonical JSON of the record's chained columns (`fields.RECORD_FIELDS`) and
its receipt files, in a numbered scheme: the fields whose `since` is at most the scheme. Scheme 1
carries no tag; a later one begins `{"_scheme":N,` (an underscore sorts before every field name).
A record is compared with its newest link in that link's scheme, so a field added later never
breaks records written before it; until such a record changes again, the new field must stay
empty on it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ledger.domain import fields

GENESIS = "0" * 64
# Built once: an import encodes one content per row.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_TAG = '{"_scheme":'

Receipts = Sequence[tuple[str, str, int]]  # (sha256, name, size) of each file, in the order added


def current_scheme() -> int:
    """The scheme new links are written in: the newest field's."""
    return max(f.since for f in fields.RECORD_FIELDS if f.chained)


def chained_columns(scheme: int) -> tuple[str, ...]:
    """The `topup` columns a link of this scheme covers."""
    return tuple(f.column for f in fields.RECORD_FIELDS if f.chained and f.since <= scheme and f.column)


def content(row: Mapping[str, Any], receipts: Receipts, scheme: int | None = None,
            columns: Sequence[str] | None = None) -> str:
    """The one text a link's digest covers: the record's chained columns and its receipt files.
    `columns` may pass `chained_columns(scheme)` when many records are encoded at once."""
    scheme = scheme or current_scheme()
    body: dict[str, Any] = {column: row[column] for column in columns or chained_columns(scheme)}
    body["receipts"] = [list(receipt) for receipt in receipts]
    if scheme > 1:
        body["_scheme"] = scheme
    return _CANONICAL_JSON.encode(body)


def scheme_of(text: str) -> int:
    """The scheme a link's content was written in."""
    if not text.startswith(_TAG):
        return 1
    return int(text[len(_TAG): text.index(",")])


def link_digest(prev_digest: str, text: str) -> str:
    """SHA-256 over the previous link's digest and this link's content."""
    return hashlib.sha256(f"{prev_digest}\n{text}".encode()).hexdigest()


def differences(row: Mapping[str, Any], receipts: Receipts, newest: str) -> list[str]:
    """Where a record no longer matches its newest link; empty when it does."""
    scheme = scheme_of(newest)
    actual = content(row, receipts, scheme)
    if actual != newest:
        was, now = json.loads(newest), json.loads(actual)
        return sorted(key for key in was.keys() | now.keys() if was.get(key) != now.get(key)) or ["content"]
    return [f.column for f in fields.RECORD_FIELDS
            if f.column and f.chained and f.since > scheme and row.get(f.column) is not None]


def version_fields(text: str) -> dict[str, Any]:
    """A link's content as `show` lists each version: the fields an amendment can change."""
    body = json.loads(text)
    currency = body["currency"]
    return {
        field.name: fields.shown_value(field, body.get(field.column or field.name), currency)
        for field in fields.RECORD_FIELDS if field.in_history
    }


def broken_links(links: Iterable[tuple[int, int, int, str, str, str]],
                 head: tuple[int, str] | None) -> list[tuple[int | None, str]]:
    """Walk the chain, oldest first: (seq, record, version, content, prev_digest, digest) of each
    link and the stored head. Returns (record or None, what is wrong) for every break found."""
    found: list[tuple[int | None, str]] = []
    prev, last_seq = GENESIS, None
    versions: dict[int, int] = {}
    for seq, topup_id, version, text, prev_digest, digest in links:
        if prev_digest != prev:
            found.append((topup_id, f"the link before version {version} is missing or out of order "
                                    "(a record or a version was removed)"))
        if link_digest(prev_digest, text) != digest:
            found.append((topup_id, f"version {version} was changed after it was written"))
        want = versions.get(topup_id, 0) + 1
        if version != want:
            found.append((topup_id, f"version {version} follows version {want - 1}"))
        versions[topup_id] = version
        prev, last_seq = digest, seq
    if (head is None and last_seq is not None) or (head is not None and tuple(head) != (last_seq, prev)):
        found.append((None, "the newest links of the history are missing or were replaced"))
    return found
