"""Receipts as evidence: adding and handing back files, checking the whole ledger, backups.

`verify` never repairs anything: it reports exactly what does not hold, so that a damaged
ledger can be compared with a backup by a person.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import sqlite3
import stat
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ledger.domain import chain
from ledger.domain.fields import Record
from ledger.domain.receipts import MAX_RECEIPT_BYTES, ReceiptFile, distinct_names, receipt_file, renamed, safe_file_name
from ledger.domain.times import now_utc, to_stored
from ledger.errors import DamageFound, Duplicate, InvalidInput, LedgerError, NotFound
from ledger.store import db, header, reads, search, writes
from ledger.store.db import Tx, transaction


def read_receipt(path_text: str) -> ReceiptFile:
    """Read one receipt file whole; refuse what is missing, a folder, unreadable or too big."""
    path = Path(path_text).expanduser()
    if not path.exists():
        raise InvalidInput(f"receipt file {path_text!r} does not exist")
    if path.is_dir():
        raise InvalidInput(f"receipt {path_text!r} is a folder; give the file inside it")
    if not path.is_file():
        raise InvalidInput(f"receipt {path_text!r} is not a regular file")
    size = path.stat().st_size
    if size > MAX_RECEIPT_BYTES:
        raise InvalidInput(f"receipt {path_text!r} is {size:,} bytes; the limit is {MAX_RECEIPT_BYTES:,} (25 MB)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read receipt {path_text!r}: {exc.strerror}") from None
    return received_receipt(path.name, data, repr(path_text))


def received_receipt(name: str, data: bytes, shown: str) -> ReceiptFile:
    """A receipt file's bytes as read or uploaded, under its name: refused when empty or over the
    limit; its type is told by its name, whichever way it came."""
    if not data:
        raise InvalidInput(f"receipt {shown} is empty; nothing to keep")
    if len(data) > MAX_RECEIPT_BYTES:
        raise InvalidInput(f"receipt {shown} is over the 25 MB limit")
    name = unicodedata.normalize("NFC", name)
    return receipt_file(name, data, mimetypes.guess_type(name)[0] or "application/octet-stream")


def add_receipts(tx: Tx, topup_id: int, file_paths: list[str]) -> tuple[Record, int]:
    """Keep more receipt files with a record; returns the record and how many files were new."""
    files = [read_receipt(p) for p in file_paths]
    now = to_stored(now_utc())
    row = writes.stored_topup(tx, topup_id)
    added = writes.attach_receipts(tx, topup_id, files, now)
    if added:
        row["version"] += 1
        writes.update_topup(tx, row)
        reason = "; ".join(filter(None, [f"{added} receipt file(s) added", renamed(files)]))
        writes.record_version(tx, row, "receipt", reason, now)
    return reads.get_record(tx.conn, topup_id), added


def write_receipts(tx: Tx, topup_id: int, folder: Path) -> list[Path]:
    """Write a record's receipt files into `folder` (made if missing), byte for byte, never over an
    existing file."""
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"{folder} is a file, not a folder; give a folder to write the receipts into")
    files = stored_receipts(tx, topup_id)
    if not files:
        raise NotFound(f"record {topup_id} has no receipt files; `topup receipt add {topup_id} FILE` keeps one")
    _make_private_folder(folder)
    written: list[Path] = []
    for index, receipt in enumerate(files, start=1):
        name = safe_file_name(receipt.name, f"receipt-{topup_id}-{index}")
        written.append(_write_new(folder, name, receipt.data, written, tx.path))
    return written


def stored_receipts(tx: Tx, topup_id: int) -> list[ReceiptFile]:
    """A record's receipt files as kept, each checked against its digest: a damaged file is never
    handed out as evidence."""
    reads.get_record(tx.conn, topup_id)  # refuses a record that does not exist
    files = [ReceiptFile(name, bytes(data), sha256, media_type)
             for name, sha256, media_type, data in reads.receipt_files(tx.conn, topup_id)]
    for receipt in files:
        if hashlib.sha256(receipt.data).hexdigest() != receipt.sha256:
            raise DamageFound(f"receipt {receipt.name!r} of record {topup_id} is damaged in the ledger; "
                              "run `topup verify`")
    return files


def _make_private_folder(folder: Path) -> None:
    """Make `folder` and each missing parent, as `mkdir -p` would, but readable only by the user."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        for path in reversed(missing):
            path.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"the folder {folder} could not be made: {exc.strerror}") from None


def _write_new(folder: Path, name: str, data: bytes, written: list[Path], ledger: Path) -> Path:
    """Write `data` into `folder` under `name`, or the first free variant of it (also apart from the
    files just `written`, ignoring case): private (0600), whole or not at all, never over a file."""
    from ledger.output.files import replaced_when_done

    chosen = {path.name.casefold() for path in written}
    while True:
        (free,) = distinct_names([name], taken=lambda n: n.casefold() in chosen or (folder / n).exists())
        try:
            with replaced_when_done(folder / free, overwrite=False, ledger=ledger) as partial:
                partial.write_bytes(data)
            return folder / free
        except Duplicate:
            continue  # another command took that name meanwhile: the next one


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


def verify(tx: Tx) -> Verification:
    """Check the database, every record's hash-chained history and every receipt file, in one
    consistent snapshot while other processes may write."""
    conn = tx.conn
    try:
        problems = (_integrity(conn) + _chain(conn) + _found_at_upgrade(conn) + _records(conn) + _cards(conn)
                    + _blobs(conn) + _text_index(conn) + _seals(tx))
        return Verification(problems, reads.count_records(conn))
    except sqlite3.DatabaseError as exc:
        return Verification([Problem(None, "database", f"SQLite cannot read the ledger: {exc}")])


def _seals(tx: Tx) -> list[Problem]:
    """Each seal issued of this ledger (listed in it, or outside it) that it no longer holds."""
    from ledger.service.sealing import known_seals_problems

    return [Problem(None, "seal", problem) for problem in known_seals_problems(tx)]


def describe(problem: Problem) -> str:
    """One line for a person: where, then what."""
    where = f"record {problem.record}" if problem.record is not None else "ledger"
    return f"{where}: {problem.kind}: {problem.detail}"


def problems_as_json(problems: list[Problem]) -> list[dict[str, Any]]:
    return [asdict(p) for p in problems]


def _integrity(conn: sqlite3.Connection) -> list[Problem]:
    return [Problem(None, "database", detail) for detail in reads.integrity_problems(conn)]


def _chain(conn: sqlite3.Connection) -> list[Problem]:
    found = []
    for (kind, subject_id), detail in chain.broken_links(reads.chain_links(conn), reads.chain_head(conn)):
        if kind == "record":
            found.append(Problem(subject_id, "history", detail))
        else:
            name = _card_name(subject_id, reads.card_label(conn, subject_id)) if kind == "card" else ""
            found.append(Problem(None, kind, f"{name}{detail}"))
    return found


def _card_name(card_id: int | None, label: str | None) -> str:
    return f"card {card_id}{f' ({label!r})' if label is not None else ''}: "


def _records(conn: sqlite3.Connection) -> list[Problem]:
    """Each record must equal the content of its newest version, receipts included."""
    found = []
    newest = reads.newest_contents(conn)
    receipts = reads.receipts_by_record(conn)
    columns = {scheme: chain.chained_columns(scheme) for scheme in range(1, chain.current_scheme() + 1)}
    for row in reads.stored_topups(conn):
        link = newest.pop(row["id"], None)
        if link is None:
            found.append(Problem(row["id"], "record", "has no history: it was added outside topup"))
            continue
        changed = chain.differences(row, receipts.get(row["id"], []), *link, columns)
        if changed:
            found.append(Problem(row["id"], "record", f"differs from its history in: {', '.join(changed)}"))
    for topup_id in sorted(newest):
        found.append(Problem(topup_id, "record", "was removed; its history is still in the ledger"))
    return found


def _cards(conn: sqlite3.Connection) -> list[Problem]:
    """Each card must equal its newest version: its label, number, currency and limits give its
    records their meaning."""
    found = []
    newest = reads.newest_card_contents(conn)
    for card in reads.all_cards(conn):
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


def _found_at_upgrade(conn: sqlite3.Connection) -> list[Problem]:
    """What the upgrade found outside older links (their action, reason and time, and the receipts'
    names and types) must be as it was, and its link must be there while such links are."""
    founds = reads.found_at_upgrade(conn)
    old_links = chain.found_state(reads.unchained_link_facts(conn, chain.SCHEME_TAG), ())["links"]
    if not founds:
        return [Problem(None, "history", f"{old_links['count']} version(s) written before the upgrade are no longer "
                                         "covered: the link the upgrade wrote for them was removed")
                ] if old_links["count"] else []
    if len(founds) > 1:
        return [Problem(None, "history", "more than one link claims to be what the upgrade found")]
    was = chain.found_of(founds[0])
    if was is None:
        return [Problem(None, "history", "the link the upgrade wrote no longer holds what it found")]
    old_receipts = reads.unchained_receipt_facts(conn, was["receipts"]["last"] or 0)
    now = {"links": old_links, "receipts": chain.found_state((), old_receipts)["receipts"]}
    words = {"links": "the action, reason or time of a version written before the upgrade",
             "receipts": "the name, type or size of a receipt file kept before the upgrade"}
    return [Problem(None, "history", f"{words[key]} was changed or removed after the upgrade chained it")
            for key in sorted(words) if was[key] != now[key]]


_REBUILD = "`topup doctor --rebuild-index` builds it again from the records"


def _text_index(conn: sqlite3.Connection) -> list[Problem]:
    """The text index must hold exactly the records' text, or search hides or invents records."""
    missing, extra, differs = search.index_mismatch(conn)
    found = [Problem(topup_id, "search", f"is missing from the text index, so no search finds it; {_REBUILD}")
             for topup_id in missing]
    found += [Problem(topup_id, "search", f"is in the text index but no such record exists; {_REBUILD}")
              for topup_id in extra]
    if differs and not (missing or extra):
        found.append(Problem(None, "search", "the text index does not hold the records' text, so searches miss or "
                                             f"wrongly find records; {_REBUILD}"))
    return found


def rebuild_index(tx: Tx) -> None:
    """Build the text index again from the records (it is derived from them, never evidence itself)."""
    search.rebuild_index(tx.conn)


def repair_marks(path: Path) -> int | None:
    """Give a ledger copied with sqlite3's `.dump` its marks back (see `db.repair_marks`); its
    records are then verified as any ledger's are."""
    return db.repair_marks(path)


def _blobs(conn: sqlite3.Connection) -> list[Problem]:
    found = []
    for sha256, users in reads.damaged_blobs(conn):
        where = ", ".join(f"{name!r} of record {topup_id}" for topup_id, name in users) or f"file {sha256[:12]}…"
        found.append(Problem(None, "receipt", f"receipt file {where} is damaged (its SHA-256 no longer matches)"))
    return found


@dataclass
class Backup:
    """What `backup` wrote: how many records, where its seal went (if one was made), what to say."""

    records: int
    seal: Path | None
    notes: list[str]


def backup(path: Path, target: Path, *, overwrite: bool = False) -> Backup:
    """A consistent copy, and a fresh seal of the ledger beside it (TARGET.seal, TARGET.seal.sig),
    taken first so that the copy holds the sealed state."""
    from ledger.service import sealing

    done, notes = sealing.fresh(path)
    records = _copy(path, target, overwrite=overwrite)
    if done is None:
        return Backup(records, None, notes)
    seal_file = target.with_name(f"{target.name}.seal")
    sealing.write_files(done, seal_file, overwrite=True, ledger=path)
    return Backup(records, seal_file, notes + sealing.listed(path, done))


def _copy(path: Path, target: Path, *, overwrite: bool) -> int:
    """A consistent copy made while others may write; refuses to replace a file unless asked.

    The copy is verified before it takes its name; returns the number of records in it."""
    from ledger.output.files import replaced_when_done

    with transaction(path) as source, replaced_when_done(target, overwrite=overwrite, ledger=path) as partial:
        db.copy_database(source.conn, partial, shown=target, new=False)
        with transaction(partial) as copy:
            result = verify(copy)
        # The text index is derived from the records; one out of step loses nothing and is rebuilt at will.
        # Seals say whether a ledger holds a history, not whether a copy of it is whole: a copy of a
        # ledger already below a seal is still a good copy of it.
        damage = [problem for problem in result.problems if problem.kind not in ("search", "seal")]
        if damage:
            raise DamageFound(f"the copy does not verify ({describe(damage[0])}); run `topup verify` on the ledger")
        return result.records


def doctor(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Facts about the ledger file, and what `verify` finds in it."""
    from ledger.output.files import partials_in

    with transaction(path) as tx:
        stored = reads.ledger_facts(tx.conn)
        if tx.older_schema is not None:  # read through an upgraded copy: speak of the file itself
            stored |= {"schema_version": tx.older_schema, "journal_mode": header.journal_mode(path)}
        size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
        result = verify(tx)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    facts: dict[str, Any] = {
        "path": str(path.resolve()), "size_bytes": size,
        "schema_version": stored["schema_version"], "sqlite_version": stored["sqlite_version"],
        "journal_mode": stored["journal_mode"], "permissions": oct(mode),
        **{key: stored[key] for key in ("cards", "records", "void_records", "receipt_files", "receipt_bytes")},
    }
    # Partial outputs a killed command left beside the ledger; the next output to the same name removes them.
    facts["leftover_files"] = [str(p) for p in partials_in(path.parent)]
    problems = result.problems
    if mode & 0o077:
        problems.append(Problem(None, "permissions", f"the ledger file is readable by others ({facts['permissions']}); "
                                                     f"run: chmod 600 {path}"))
    return facts, problems
