"""Receipts as evidence: adding and handing back files, checking the whole ledger, backups.

`verify` never repairs anything: it reports exactly what does not hold, so that a damaged
ledger can be compared with a backup by a person.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ledger import chain, db, queries
from ledger.errors import DamageFound, InvalidInput, NotFound
from ledger.receipts import read_receipt, safe_file_name
from ledger.times import now_utc, to_stored


def add_receipts(path: Path, topup_id: int, file_paths: list[str]) -> tuple[dict[str, Any], int]:
    """Keep more receipt files with a record; returns the record and how many files were new."""
    from ledger import store
    from ledger.service import session_for

    files = [read_receipt(p) for p in file_paths]
    now = to_stored(now_utc())
    with session_for(path, write=True) as session:
        topup = store.get_topup(session, topup_id)
        added = store.attach_receipts(session, topup, files, now)
        if added:
            topup.version += 1
            session.add(topup)
            store.append_version(session, topup, "receipt", f"{added} receipt file(s) added", now)
        return queries.get_record(db.raw(session), topup_id), added


def write_receipts(path: Path, topup_id: int, folder: Path) -> list[Path]:
    """Write a record's receipt files into `folder`, byte for byte, never over an existing file."""
    if not folder.is_dir():
        raise InvalidInput(f"folder {folder} does not exist")
    with db.connection(path) as conn:
        queries.get_record(conn, topup_id)  # refuses a record that does not exist
        rows = queries.receipt_files(conn, topup_id)
    if not rows:
        raise NotFound(f"record {topup_id} has no receipt files; `topup receipt add {topup_id} FILE` keeps one")
    for name, sha256, data in rows:
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DamageFound(f"receipt {name!r} of record {topup_id} is damaged in the ledger; run `topup verify`")
    written = []
    for index, (name, _, data) in enumerate(rows, start=1):
        target = _free_name(folder, safe_file_name(name, f"receipt-{topup_id}-{index}"))
        with target.open("xb") as file:
            file.write(data)
        written.append(target)
    return written


def _free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    number = 1
    while candidate.exists():
        candidate = folder / f"{stem} ({number}){dot}{suffix}"
        number += 1
    return candidate


@dataclass(frozen=True)
class Problem:
    """One thing `verify` found wrong: where, what kind, and in words."""

    record: int | None
    kind: str
    detail: str


def verify(path: Path) -> list[Problem]:
    """Check the database, every record's hash-chained history and every receipt file."""
    db.prepare(path)
    conn = db.connect(path)
    try:
        conn.execute("BEGIN")  # one consistent snapshot while other processes write
        return _integrity(conn) + _chain(conn) + _records(conn) + _blobs(conn)
    except sqlite3.DatabaseError as exc:
        return [Problem(None, "database", f"SQLite cannot read the ledger: {exc}")]
    finally:
        conn.close()


def describe(problem: Problem) -> str:
    """One line for a person: where, then what."""
    where = f"record {problem.record}" if problem.record is not None else "ledger"
    return f"{where}: {problem.kind}: {problem.detail}"


def problems_as_json(problems: list[Problem]) -> list[dict[str, Any]]:
    return [asdict(p) for p in problems]


def count_records(path: Path) -> int:
    conn = db.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM topup").fetchone()[0]
    finally:
        conn.close()


def _integrity(conn: sqlite3.Connection) -> list[Problem]:
    found = [Problem(None, "database", row[0]) for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        found.append(Problem(None, "database", f"{table} row {rowid} points to a missing {parent}"))
    return found


def _chain(conn: sqlite3.Connection) -> list[Problem]:
    found = []
    prev, last_seq = chain.GENESIS, None
    expected_version: dict[int, int] = {}
    rows = conn.execute("SELECT seq, topup_id, version, content, prev_digest, digest FROM topup_version ORDER BY seq")
    for seq, topup_id, version, content, prev_digest, digest in rows:
        if prev_digest != prev:
            found.append(Problem(topup_id, "history", f"the link before version {version} is missing or out of "
                                                       "order (a record or a version was removed)"))
        if chain.link_digest(prev_digest, content) != digest:
            found.append(Problem(topup_id, "history", f"version {version} was changed after it was written"))
        want = expected_version.get(topup_id, 0) + 1
        if version != want:
            found.append(Problem(topup_id, "history", f"version {version} follows version {want - 1}"))
        expected_version[topup_id] = version
        prev, last_seq = digest, seq
    head = conn.execute("SELECT seq, digest FROM chain_head").fetchone()
    if (head is None and last_seq is not None) or (head is not None and tuple(head) != (last_seq, prev)):
        found.append(Problem(None, "history", "the newest links of the history are missing or were replaced"))
    return found


def _records(conn: sqlite3.Connection) -> list[Problem]:
    """Each record must equal the content of its newest version, receipts included."""
    found = []
    latest = dict(conn.execute(
        "SELECT topup_id, content FROM topup_version AS v WHERE version = "
        "(SELECT max(version) FROM topup_version WHERE topup_id = v.topup_id)"
    ))
    receipts: dict[int, list[tuple[str, str, int]]] = {}
    for topup_id, sha256, name, size in conn.execute("SELECT topup_id, sha256, name, size FROM receipt ORDER BY id"):
        receipts.setdefault(topup_id, []).append((sha256, name, size))
    columns = ", ".join(chain.CONTENT_FIELDS)
    conn.row_factory = sqlite3.Row
    try:
        for row in conn.execute(f"SELECT {columns} FROM topup ORDER BY id"):
            record = dict(row)
            content = latest.pop(record["id"], None)
            if content is None:
                found.append(Problem(record["id"], "record", "has no history: it was added outside topup"))
                continue
            actual = chain.canonical_content(record, receipts.get(record["id"], []))
            if actual != content:
                stored, now = json.loads(content), json.loads(actual)
                changed = sorted(key for key in now if now[key] != stored.get(key))
                found.append(Problem(record["id"], "record", f"differs from its history in: {', '.join(changed)}"))
    finally:
        conn.row_factory = None
    for topup_id in sorted(latest):
        found.append(Problem(topup_id, "record", "was removed; its history is still in the ledger"))
    return found


def _blobs(conn: sqlite3.Connection) -> list[Problem]:
    found = []
    for sha256, size, data in conn.execute("SELECT sha256, size, data FROM blob"):
        if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
            users = [f"{name!r} of record {topup_id}" for topup_id, name in
                     conn.execute("SELECT topup_id, name FROM receipt WHERE sha256 = ?", (sha256,))]
            where = ", ".join(users) or f"file {sha256[:12]}…"
            found.append(Problem(None, "receipt", f"receipt file {where} is damaged (its SHA-256 no longer matches)"))
    return found


def backup(path: Path, target: Path, *, overwrite: bool = False) -> int:
    """A consistent copy made while others may write; refuses to replace a file unless asked.

    The copy is verified before it takes its name; returns the number of records in it."""
    from ledger.files import replaced_when_done

    db.prepare(path)
    with replaced_when_done(target, overwrite=overwrite) as partial:
        partial.unlink()  # copy_database creates the file itself, 0600
        db.copy_database(path, partial)
        problems = verify(partial)
        if problems:
            raise DamageFound(f"the copy does not verify ({describe(problems[0])}); run `topup verify` on the ledger")
        return count_records(partial)


def doctor(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Facts about the ledger file, and what `verify` finds in it."""
    import os
    import stat

    db.prepare(path)
    conn = db.connect(path)
    try:
        def one(sql: str) -> Any:
            return conn.execute(sql).fetchone()[0]

        facts: dict[str, Any] = {
            "path": str(path.resolve()),
            "size_bytes": sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists()),
            "schema_version": one("PRAGMA user_version"),
            "sqlite_version": sqlite3.sqlite_version,
            "journal_mode": one("PRAGMA journal_mode"),
            "permissions": oct(stat.S_IMODE(os.stat(path).st_mode)),
            "cards": one("SELECT count(*) FROM card"),
            "records": one("SELECT count(*) FROM topup"),
            "void_records": one("SELECT count(*) FROM topup WHERE status = 'void'"),
            "receipt_files": one("SELECT count(*) FROM receipt"),
            "receipt_bytes": one("SELECT coalesce(sum(size), 0) FROM blob"),
        }
    finally:
        conn.close()
    problems = verify(path)
    if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
        problems.append(Problem(None, "permissions", f"the ledger file is readable by others ({facts['permissions']}); "
                                                     f"run: chmod 600 {path}"))
    return facts, problems
