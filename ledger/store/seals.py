"""The SQL of seals: the ledger's id, the chain's state at a place, and the list of seals issued.

A ledger's id is the start of its first link's digest: the same in every copy, dump and upgrade of
it, and bound to its history (a ledger rewritten from its first link is another ledger)."""

from __future__ import annotations

import sqlite3
from typing import Any


def ledger_id(conn: sqlite3.Connection) -> str | None:
    """The ledger's id; None while its chain has no link."""
    row = conn.execute("SELECT substr(digest, 1, 32) FROM (SELECT seq, digest FROM topup_version UNION ALL "
                       "SELECT seq, digest FROM ledger_link) ORDER BY seq LIMIT 1").fetchone()
    return None if row is None else row[0]


def chain_state(conn: sqlite3.Connection) -> tuple[int, int, str] | None:
    """(how many links, the newest's place, its digest) of the chain now; None when it has none."""
    head = conn.execute("SELECT seq, digest FROM chain_head").fetchone()
    return None if head is None else (links_up_to(conn, head[0]), head[0], head[1])


def digest_at(conn: sqlite3.Connection, seq: int) -> str | None:
    """The digest of the chain's link at place `seq`, of a record's or of another's."""
    row = conn.execute("SELECT digest FROM topup_version WHERE seq = ? UNION ALL "
                       "SELECT digest FROM ledger_link WHERE seq = ?", (seq, seq)).fetchone()
    return None if row is None else row[0]


def links_up_to(conn: sqlite3.Connection, seq: int) -> int:
    return conn.execute("SELECT (SELECT count(*) FROM topup_version WHERE seq <= ?) + "
                        "(SELECT count(*) FROM ledger_link WHERE seq <= ?)", (seq, seq)).fetchone()[0]


def record_seal(conn: sqlite3.Connection, links: int, head_seq: int, head_digest: str, sealed_at_utc: str,
                statement_sha256: str) -> None:
    conn.execute("INSERT INTO seal (links, head_seq, head_digest, sealed_at_utc, statement_sha256) "
                 "VALUES (?, ?, ?, ?, ?)", (links, head_seq, head_digest, sealed_at_utc, statement_sha256))


def issued(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """(links, head place, head digest, time) of every seal the ledger lists, oldest first."""
    return conn.execute("SELECT links, head_seq, head_digest, sealed_at_utc FROM seal ORDER BY id").fetchall()
