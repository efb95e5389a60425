"""`verify`: everything that must hold in a ledger, checked in one consistent snapshot while other
processes may write, and reported together. Nothing is ever repaired here: what does not hold is
said exactly, so that a damaged ledger can be compared with a backup by a person.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ledger.domain import chain
from ledger.errors import DamageFound
from ledger.store.interface import Ledger


@dataclass(frozen=True)
class Problem:
    """One thing `verify` found wrong: where, what kind, and in words."""

    record: int | None
    kind: str
    detail: str


@dataclass
class Verification:
    """What `verify` found, and how many records it checked."""

    problems: list[Problem] = field(default_factory=list)
    records: int = 0


def verify(ledger: Ledger) -> Verification:
    """Check the stored data, every record's and card's hash-chained history, every receipt file, the
    text index and every seal issued of the ledger."""
    try:
        problems = (_integrity(ledger) + _structure(ledger) + _chain(ledger) + _found_at_upgrade(ledger)
                    + _records(ledger) + _cards(ledger) + _blobs(ledger) + _text_index(ledger) + _seals(ledger))
        return Verification(problems, ledger.count_records())
    except DamageFound as exc:
        return Verification([Problem(None, "database", exc.message)])


def describe(problem: Problem) -> str:
    """One line for a person: where, then what."""
    where = f"record {problem.record}" if problem.record is not None else "ledger"
    return f"{where}: {problem.kind}: {problem.detail}"


def problems_as_json(problems: list[Problem]) -> list[dict[str, Any]]:
    return [asdict(p) for p in problems]


def _integrity(ledger: Ledger) -> list[Problem]:
    return [Problem(None, "database", detail) for detail in ledger.integrity_problems()]


def _structure(ledger: Ledger) -> list[Problem]:
    return [Problem(None, "schema", detail) for detail in ledger.schema_problems()]


def _seals(ledger: Ledger) -> list[Problem]:
    """Each seal issued of this ledger (listed in it, or outside it) that it no longer holds."""
    from ledger.service.sealing import known_seals_problems

    return [Problem(None, "seal", problem) for problem in known_seals_problems(ledger)]


def _chain(ledger: Ledger) -> list[Problem]:
    found = []
    labels = {card["id"]: card["label"] for card in ledger.cards()}
    for (kind, subject_id), detail in chain.broken_links(ledger.links(), ledger.head()):
        if kind == "record":
            found.append(Problem(subject_id, "history", detail))
        else:
            name = _card_name(subject_id, labels.get(subject_id)) if kind == "card" else ""  # type: ignore[arg-type]
            found.append(Problem(None, kind, f"{name}{detail}"))
    return found


def _card_name(card_id: int | None, label: str | None) -> str:
    return f"card {card_id}{f' ({label!r})' if label is not None else ''}: "


def _records(ledger: Ledger) -> list[Problem]:
    """Each record must equal the content of its newest version, receipts included."""
    found = []
    newest = ledger.newest_links()
    receipts = ledger.receipts_by_record()
    columns = {scheme: chain.chained_columns(scheme) for scheme in range(1, chain.current_scheme() + 1)}
    for row in ledger.stored_topups():
        link = newest.pop(row["id"], None)
        if link is None:
            found.append(Problem(row["id"], "record", "has no history: it was added outside topup"))
            continue
        changed = chain.differences(row, receipts.get(row["id"], []), link.content, link.change, columns)
        if changed:
            found.append(Problem(row["id"], "record", f"differs from its history in: {', '.join(changed)}"))
    for topup_id in sorted(newest):
        found.append(Problem(topup_id, "record", "was removed; its history is still in the ledger"))
    return found


def _cards(ledger: Ledger) -> list[Problem]:
    """Each card must equal its newest version: its label, number, currency and limits give its
    records their meaning."""
    found = []
    newest = ledger.newest_card_contents()
    for card in ledger.cards():
        content, name = newest.pop(card["id"], None), _card_name(card["id"], card["label"])
        if content is None:
            found.append(Problem(None, "card", f"{name}has no history: it was added outside topup"))
            continue
        changed = chain.card_differences(card, content)
        if changed:
            found.append(Problem(None, "card", f"{name}differs from its history in: {', '.join(changed)}"))
    for card_id in sorted(newest):
        found.append(Problem(None, "card", f"card {card_id}: was removed; its history is still in the ledger"))
    return found


def _found_at_upgrade(ledger: Ledger) -> list[Problem]:
    """What the upgrade found outside older links (their action, reason and time, and the receipts'
    names and types) must be as it was, and its link must be there while such links are."""
    founds = ledger.found_at_upgrade()
    old_links = chain.found_state(ledger.unchained_link_facts(), ())["links"]
    if not founds:
        return [Problem(None, "history", f"{old_links['count']} version(s) written before the upgrade are no longer "
                                         "covered: the link the upgrade wrote for them was removed")
                ] if old_links["count"] else []
    if len(founds) > 1:
        return [Problem(None, "history", "more than one link claims to be what the upgrade found")]
    was = chain.found_of(founds[0])
    if was is None:
        return [Problem(None, "history", "the link the upgrade wrote no longer holds what it found")]
    old_receipts = ledger.unchained_receipt_facts(was["receipts"]["last"] or 0)
    now = {"links": old_links, "receipts": chain.found_state((), old_receipts)["receipts"]}
    words = {"links": "the action, reason or time of a version written before the upgrade",
             "receipts": "the name, type or size of a receipt file kept before the upgrade"}
    return [Problem(None, "history", f"{words[key]} was changed or removed after the upgrade chained it")
            for key in sorted(words) if was[key] != now[key]]


REBUILD = "`topup doctor --rebuild-index` builds it again from the records"


def _text_index(ledger: Ledger) -> list[Problem]:
    """The text index must hold exactly the records' text, or search hides or invents records."""
    mismatch = ledger.index_mismatch()
    found = [Problem(topup_id, "search", f"is missing from the text index, so no search finds it; {REBUILD}")
             for topup_id in mismatch.missing]
    found += [Problem(topup_id, "search", f"is in the text index but no such record exists; {REBUILD}")
              for topup_id in mismatch.extra]
    if mismatch.differs and not (mismatch.missing or mismatch.extra):
        found.append(Problem(None, "search", "the text index does not hold the records' text, so searches miss or "
                                             f"wrongly find records; {REBUILD}"))
    return found


def _blobs(ledger: Ledger) -> list[Problem]:
    found = []
    for blob in ledger.damaged_blobs():
        where = ", ".join(f"{use.name!r} of record {use.record_id}" for use in blob.uses) or f"file {blob.sha256[:12]}…"
        found.append(Problem(None, "receipt", f"receipt file {where} is damaged (its SHA-256 no longer matches)"))
    return found
