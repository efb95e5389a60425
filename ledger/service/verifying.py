"""`verify`: everything that must hold in a ledger, checked in one consistent snapshot while other
processes may write, and reported together. Nothing is ever repaired here: what does not hold is
said exactly, so that a damaged ledger can be compared with a backup by a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.domain import chain
from ledger.errors import DamageFound
from ledger.i18n import N_, _, joined
from ledger.store.interface import Ledger


@dataclass(frozen=True)
class Problem:
    """One thing `verify` found wrong: where, what kind (a code), and in words (a message, which JSON
    gives in English)."""

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
    if problem.record is None:
        return _("ledger: {kind}: {detail}", kind=problem.kind, detail=problem.detail)
    return _("record {id}: {kind}: {detail}", id=problem.record, kind=problem.kind, detail=problem.detail)


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
        elif kind == "card" and (label := labels.get(subject_id)) is not None:  # type: ignore[arg-type]
            found.append(Problem(None, kind, _("card {id} ({label!r}): {detail}", id=subject_id, label=label,
                                               detail=detail)))
        elif kind == "card":
            found.append(Problem(None, kind, _("card {id}: {detail}", id=subject_id, detail=detail)))
        else:
            found.append(Problem(None, kind, detail))
    return found


def _records(ledger: Ledger) -> list[Problem]:
    """Each record must equal the content of its newest version, receipts included."""
    found = []
    newest = ledger.newest_links()
    receipts = ledger.receipts_by_record()
    columns = {scheme: chain.chained_columns(scheme) for scheme in range(1, chain.current_scheme() + 1)}
    for row in ledger.stored_topups():
        link = newest.pop(row["id"], None)
        if link is None:
            found.append(Problem(row["id"], "record", _("has no history: it was added outside topup")))
            continue
        try:
            changed = chain.differences(row, receipts.get(row["id"], []), link.content, link.change, columns)
        except chain.UnreadableLink:
            found.append(Problem(row["id"], "history", _("version {version} cannot be read: the text it was stored "
                                                         "as was damaged", version=link.version)))
            continue
        if changed:
            found.append(Problem(row["id"], "record", _("differs from its history in: {fields}",
                                                        fields=", ".join(changed))))
    for topup_id in sorted(newest):
        found.append(Problem(topup_id, "record", _("was removed; its history is still in the ledger")))
    return found


def _cards(ledger: Ledger) -> list[Problem]:
    """Each card must equal its newest version: its label, number, currency and limits give its
    records their meaning."""
    found = []
    newest = ledger.newest_card_contents()
    for card in ledger.cards():
        content = newest.pop(card["id"], None)
        if content is None:
            found.append(Problem(None, "card", _("card {id} ({label!r}): has no history: it was added outside topup",
                                                 id=card["id"], label=card["label"])))
            continue
        try:
            changed = chain.card_differences(card, content)
        except chain.UnreadableLink:
            changed = [_("all (its newest version cannot be read: the text it was stored as was damaged)")]
        if changed:
            found.append(Problem(None, "card", _("card {id} ({label!r}): differs from its history in: {fields}",
                                                 id=card["id"], label=card["label"], fields=", ".join(changed))))
    for card_id in sorted(newest):
        found.append(Problem(None, "card", _("card {id}: was removed; its history is still in the ledger",
                                             id=card_id)))
    return found


def _found_at_upgrade(ledger: Ledger) -> list[Problem]:
    """What the upgrade found outside older links (their action, reason and time, and the receipts'
    names and types) must be as it was, and its link must be there while such links are."""
    founds = ledger.found_at_upgrade()
    old_links = chain.found_state(ledger.unchained_link_facts(), ())["links"]
    if not founds:
        return [Problem(None, "history", _("{count} version(s) written before the upgrade are no longer covered: the "
                                           "link the upgrade wrote for them was removed", count=old_links["count"]))
                ] if old_links["count"] else []
    if len(founds) > 1:
        return [Problem(None, "history", _("more than one link claims to be what the upgrade found"))]
    was = chain.found_of(founds[0])
    if was is None:
        return [Problem(None, "history", _("the link the upgrade wrote no longer holds what it found"))]
    old_receipts = ledger.unchained_receipt_facts(was["receipts"]["last"] or 0)
    now = {"links": old_links, "receipts": chain.found_state((), old_receipts)["receipts"]}
    changed = {"links": N_("the action, reason or time of a version written before the upgrade was changed or "
                           "removed after the upgrade chained it"),
               "receipts": N_("the name, type or size of a receipt file kept before the upgrade was changed or "
                              "removed after the upgrade chained it")}
    return [Problem(None, "history", _(changed[key])) for key in sorted(changed) if was[key] != now[key]]


def _text_index(ledger: Ledger) -> list[Problem]:
    """The text index must hold exactly the records' text, or search hides or invents records."""
    mismatch = ledger.index_mismatch()
    found = [Problem(topup_id, "search", _("is missing from the text index, so no search finds it; `topup doctor "
                                           "--rebuild-index` builds it again from the records"))
             for topup_id in mismatch.missing]
    found += [Problem(topup_id, "search", _("is in the text index but no such record exists; `topup doctor "
                                            "--rebuild-index` builds it again from the records"))
              for topup_id in mismatch.extra]
    if mismatch.differs and not (mismatch.missing or mismatch.extra):
        found.append(Problem(None, "search", _("the text index does not hold the records' text, so searches miss or "
                                               "wrongly find records; `topup doctor --rebuild-index` builds it again "
                                               "from the records")))
    return found


def _blobs(ledger: Ledger) -> list[Problem]:
    found = []
    for blob in ledger.damaged_blobs():
        if not blob.uses:  # kept by no record: named by the start of its digest
            found.append(Problem(None, "receipt", _("receipt file {digest}… is damaged (its SHA-256 no longer "
                                                    "matches)", digest=blob.sha256[:12])))
            continue
        uses = [_("{name!r} of record {id}", name=use.name, id=use.record_id) for use in blob.uses]
        found.append(Problem(None, "receipt", _("receipt file {uses} is damaged (its SHA-256 no longer matches)",
                                                uses=joined(uses))))
    return found


