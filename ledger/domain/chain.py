"""The hash chain that makes the history tamper-evident.

Every change to a record (log, amend, void, a receipt added, an import) or to a card (added,
edited, retired) appends a link holding what the record or card is after the change, and a digest
over that content and the previous link's digest. Changing, removing or reordering any link breaks
every digest after it. Record links and the others (cards, and the state an upgrade found) share
one order. An engine's `append_links` is the only code that writes links (`store.chaining`).

A record link's content is canonical JSON of the record's chained columns (`fields.RECORD_FIELDS`)
and its receipt files, in a numbered scheme: the fields whose `since` is at most the scheme. Scheme 1
carries no tag; a later one begins `{"_scheme":N,` (an underscore sorts before every field name).
From scheme 2 on a link also carries its own change (what was done, why and when) and each
receipt's media type. From scheme 3 on every amount is in ISO 4217 minor units; before it, TWD
amounts were whole dollars, and such links are read as `in_iso_units` says. A record is compared
with its newest link in that link's scheme, so a field added later never breaks records written
before it; until such a record changes again, the new field must stay empty on it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from ledger.domain import fields
from ledger.i18n import N_, Text, _

GENESIS = "0" * 64
# What each change a link records is called where people read it (looked up in the catalog when shown).
ACTIONS = {"log": N_("logged"), "amend": N_("amended"), "void": N_("voided"), "receipt": N_("receipt added"),
           "import": N_("imported"), "found": N_("found at an upgrade")}
# Built once: an import encodes one content per row.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
SCHEME_TAG = '{"_scheme":'  # how every content of scheme 2 or later begins
WITH_CHANGE = 2  # the first scheme whose links carry their change and each receipt's media type
ISO_UNITS = 3  # the first scheme whose amounts are all in ISO 4217 minor units
# Before ISO_UNITS, a currency whose amounts were kept in other units, and how many of today's
# minor units one of those was (TWD: whole dollars, 100 hundredths each).
_OLD_UNITS = {"TWD": 100}

Receipts = Sequence[Sequence[Any]]  # (sha256, name, size, media_type) of each file, in the order added
Change = tuple[str, str | None, str]  # (action, reason, UTC time) of a link
Subject = tuple[str, int | None]  # what a link is about: ("record", id), ("card", id) or ("ledger", None)


class Link(NamedTuple):
    """One link of the chain as stored."""

    seq: int  # its place in the chain
    subject: str  # record, card or ledger
    subject_id: int | None
    version: int
    action: str
    reason: str | None
    at_utc: str
    content: str
    prev_digest: str
    digest: str

    @property
    def change(self) -> Change:
        return self.action, self.reason, self.at_utc


class Head(NamedTuple):
    """The chain's newest link, as kept apart from the links."""

    seq: int
    digest: str


class NewLink(NamedTuple):
    """A change to append to the chain: its subject's id (None for the ledger itself), version,
    change and content (`content`, `card_content` or `found_content`)."""

    subject_id: int | None
    version: int
    action: str
    reason: str | None
    at_utc: str
    content: str


def current_scheme() -> int:
    """The scheme new links are written in."""
    return max(WITH_CHANGE, ISO_UNITS, *(f.since for f in fields.RECORD_FIELDS if f.chained))


def chained_columns(scheme: int) -> tuple[str, ...]:
    """The `topup` columns a link of this scheme covers."""
    return tuple(f.column for f in fields.RECORD_FIELDS if f.chained and f.since <= scheme and f.column)


def _change(subject: Subject, version: int, change: Change) -> dict[str, Any]:
    """What a link of scheme 2 or later says of itself: which version of what, and the change made.
    Binding the subject and version into the digest means a link cannot be passed off as
    another's, as a card's or as the ledger's."""
    action, reason, at_utc = change
    kind, subject_id = subject
    return {"action": action, "at": at_utc, "id": subject_id, "reason": reason, "subject": kind, "version": version}


def _encode(body: dict[str, Any], subject: Subject, version: int, change: Change, scheme: int) -> str:
    if scheme >= WITH_CHANGE:
        body["change"] = _change(subject, version, change)
    if scheme > 1:
        body["_scheme"] = scheme
    return _CANONICAL_JSON.encode(body)


def content(row: Mapping[str, Any], receipts: Receipts, change: Change, scheme: int | None = None,
            columns: Sequence[str] | None = None) -> str:
    """The one text a record link's digest covers: the record's chained columns, its receipt files
    and the change. `columns` may pass `chained_columns(scheme)` when many records are encoded at once."""
    scheme = scheme or current_scheme()
    body: dict[str, Any] = {column: row[column] for column in columns or chained_columns(scheme)}
    body["receipts"] = [list(receipt[:3] if scheme < WITH_CHANGE else receipt) for receipt in receipts]
    return _encode(body, ("record", row["id"]), row["version"], change, scheme)


def card_content(card: Mapping[str, Any], version: int, change: Change) -> str:
    """The text a card link's digest covers: every column of the card, and the change."""
    return _encode(dict(card), ("card", card["id"]), version, change, current_scheme())


def found_content(found: Mapping[str, Any], change: Change) -> str:
    """The text of the link an upgrade writes for what links of scheme 1 never covered (see `found_state`)."""
    return _encode({"found": dict(found)}, ("ledger", None), 1, change, current_scheme())


def found_state(old_links: Iterable[Sequence[Any]], old_receipts: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """A digest of what scheme 1 left outside the chain, as an upgrade finds it: each link's action,
    reason and time, and each receipt file's name, type and size. Neither ever changes afterwards, so
    `verify` computes it again and compares."""

    def summary(rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
        digest, count, last = hashlib.sha256(), 0, None
        for row in rows:
            digest.update(_CANONICAL_JSON.encode(list(row)).encode() + b"\n")
            count, last = count + 1, row[0]
        return {"count": count, "last": last, "sha256": digest.hexdigest()}

    return {"links": summary(old_links), "receipts": summary(old_receipts)}


def in_iso_units(body: dict[str, Any], scheme: int) -> dict[str, Any]:
    """A link's content with its amounts (every `…_minor` value) in today's ISO 4217 minor units."""
    scale = _OLD_UNITS.get(body.get("currency", "")) if scheme < ISO_UNITS else None
    if scale is None:
        return body
    return {key: value * scale if key.endswith("_minor") and isinstance(value, int) else value
            for key, value in body.items()}


class UnreadableLink(ValueError):
    """A link's stored content is no longer the JSON object it was written as: damage, which `verify`
    reports against its record instead of stopping."""


def scheme_of(text: str) -> int:
    """The scheme a link's content was written in."""
    if not text.startswith(SCHEME_TAG):
        return 1
    try:
        return int(text[len(SCHEME_TAG): text.index(",")])
    except ValueError:
        raise UnreadableLink(text[:40]) from None


def _body(text: str) -> dict[str, Any]:
    """A link's content as the object it was written as."""
    try:
        body = json.loads(text)
    except ValueError:  # a byte changed, or cut short
        raise UnreadableLink(text[:40]) from None
    if not isinstance(body, dict):
        raise UnreadableLink(text[:40])
    return body


def link_digest(prev_digest: str, text: str) -> str:
    """SHA-256 over the previous link's digest and this link's content."""
    return hashlib.sha256(f"{prev_digest}\n{text}".encode()).hexdigest()


def carries(text: str, subject: Subject, version: int, change: Change) -> bool:
    """Whether a link's content says it is this version of this subject, with this change (always,
    for a scheme that did not chain them).

    A substring test instead of parsing every link: in canonical JSON every quote inside a value is
    escaped, so `"change":{…}` can only be the top-level key itself."""
    try:
        if scheme_of(text) < WITH_CHANGE:
            return True
    except UnreadableLink:
        return False
    action, reason, at_utc = change
    kind, subject_id = subject
    quoted = json.encoder.encode_basestring  # what the canonical encoder writes for a string
    return (f'"change":{{"action":{quoted(action)},"at":{quoted(at_utc)},'
            f'"id":{"null" if subject_id is None else int(subject_id)},'
            f'"reason":{"null" if reason is None else quoted(reason)},'
            f'"subject":{quoted(kind)},"version":{int(version)}}}') in text


def differences(row: Mapping[str, Any], receipts: Receipts, newest: str, change: Change,
                columns: Mapping[int, Sequence[str]] | None = None) -> list[str]:
    """Where a record no longer matches its newest link (whose change is `change`); empty when it
    does. `columns` may hold `chained_columns` by scheme when many records are compared."""
    scheme = scheme_of(newest)
    actual = content(row, receipts, change, scheme, columns.get(scheme) if columns else None)
    # A link in other units never matches its record's text: compared value by value, it must.
    if actual != newest or (scheme < ISO_UNITS and row["currency"] in _OLD_UNITS):
        was, now = in_iso_units(_body(newest), scheme), json.loads(actual)
        # A change that differs is the link's own fault, which the walk of the chain reports.
        changed = sorted(key for key in was.keys() | now.keys() if was.get(key) != now.get(key) and key != "change")
        if changed:
            return changed
    return [f.column for f in fields.RECORD_FIELDS
            if f.column and f.chained and f.since > scheme and row.get(f.column) is not None]


def card_differences(card: Mapping[str, Any], newest: str) -> list[str]:
    """Where a card no longer matches its newest link; a column added since must still be empty."""
    was = in_iso_units(_body(newest), scheme_of(newest))
    return sorted(column for column, value in card.items()
                  if (column in was and was[column] != value) or (column not in was and value is not None))


def found_of(text: str) -> dict[str, Any] | None:
    """The state an upgrade found, from its link's content (see `found_state`); None if it holds none."""
    try:
        found = _body(text).get("found")
    except UnreadableLink:
        return None
    return found if isinstance(found, dict) and {"links", "receipts"} <= found.keys() else None


def version_fields(text: str) -> dict[str, Any]:
    """A link's content as `show` lists each version: the fields an amendment can change."""
    body = in_iso_units(_body(text), scheme_of(text))
    currency = body.get("currency")
    if not isinstance(currency, str):
        raise UnreadableLink(text[:40])
    shown = {
        field.name: fields.shown_value(field, body.get(field.column or field.name), currency)
        for field in fields.RECORD_FIELDS if field.in_history
    }
    return shown | {name: body[column] for name, column in fields.DAY_ALONE.items() if body.get(column)}


def broken_links(links: Iterable[Link], head: Head | None) -> list[tuple[Subject, Text]]:
    """Walk the chain, oldest first, and compare its end with the stored head. Returns what is
    wrong, and where."""
    found: list[tuple[Subject, Text]] = []
    prev, last_seq = GENESIS, None
    versions: dict[Subject, int] = {}
    for link in links:
        subject, version = (link.subject, link.subject_id), link.version
        if link.prev_digest != prev:
            found.append((subject, _("the link before version {version} is missing or out of order "
                                     "(a version was removed or inserted)", version=version)))
        if link_digest(link.prev_digest, link.content) != link.digest:
            found.append((subject, _("version {version} was changed after it was written", version=version)))
        elif not carries(link.content, subject, version, link.change):
            found.append((subject, _("version {version}'s action, reason, time or place in the history was changed "
                                     "after it was written", version=version)))
        want = versions.get(subject, 0) + 1
        if version != want:
            found.append((subject, _("version {version} stands where version {expected} should (a version is "
                                     "missing or repeated)", version=version, expected=want)))
        versions[subject] = version
        prev, last_seq = link.digest, link.seq
    if (head is None and last_seq is not None) or (head is not None and tuple(head) != (last_seq, prev)):
        found.append((("ledger", None), _("the newest links of the history are missing or were replaced")))
    return found
