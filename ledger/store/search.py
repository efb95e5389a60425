"""Finding records: the filters shared by search, export and report, turned into one SQL clause;
and the text index itself.

Text is found with the trigram full-text index `topup_fts` (any part of a word, Chinese
included); terms shorter than three characters, which a trigram index cannot hold, fall back to
a scan. The index holds each record's reference, merchant and note, kept in step by triggers
that the migrations create; an import indexes its rows in one statement instead (`index_rows`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from ledger.domain.channels import parse_channel
from ledger.domain.money import CURRENCIES, parse_amount
from ledger.domain.times import parse_period, to_stored
from ledger.domain.values import clean_ref, clean_token, label_key, parse_outcome
from ledger.errors import InvalidInput
from ledger.store import reads
from ledger.store.projection import record_select


@dataclass
class Filters:
    """Search filters as typed; None means 'not given'."""

    text: str | None = None
    card: str | None = None
    channel: str | None = None
    since: str | None = None
    until: str | None = None
    min_amount: str | None = None
    max_amount: str | None = None
    ref: str | None = None
    outcome: str | None = None
    with_void: bool = False
    limit: int | None = None


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_COMMON_MATCHES = 2000


def _text_clause(conn: sqlite3.Connection, term: str) -> tuple[str, list[Any]]:
    """One search word: in the reference, merchant or note, or in the card's label."""
    # The few cards whose label matches are looked up first: an OR on the label inside the
    # query would keep SQLite from starting at the handful of rows the text index finds.
    card_ids = [card_id for (card_id,) in conn.execute("SELECT id FROM card WHERE label_key LIKE ? ESCAPE '\\'",
                                                          (_like_pattern(label_key(term)),))]
    if len(term) >= 3:
        phrase = '"' + term.replace('"', '""') + '"'
        # A rare word is quickest found from the index; a common one by walking records newest first
        # and stopping at the limit. The unary + keeps SQLite from starting at the index.
        common = conn.execute("SELECT count(*) FROM (SELECT 1 FROM topup_fts WHERE topup_fts MATCH ? LIMIT ?)",
                              (phrase, _COMMON_MATCHES)).fetchone()[0] == _COMMON_MATCHES
        clause = f"{'+' if common else ''}t.id IN (SELECT rowid FROM topup_fts WHERE topup_fts MATCH ?)"
        params: list[Any] = [phrase]
    else:
        pattern = _like_pattern(term)
        clause = "t.ref LIKE ? ESCAPE '\\' OR t.merchant LIKE ? ESCAPE '\\' OR t.note LIKE ? ESCAPE '\\'"
        params = [pattern, pattern, pattern]
    if card_ids:
        clause += f" OR t.card_id IN ({', '.join('?' * len(card_ids))})"
        params += card_ids
    return f"({clause})", params


def _amount_clause(text: str, operator: str, name: str) -> tuple[str, list[Any]]:
    """An amount bound in every currency it can be written in ('HK$100' only in HKD)."""
    parts, params = [], []
    first_error = None
    for currency in CURRENCIES:
        try:
            minor = parse_amount(text, currency, name).minor
        except InvalidInput as exc:
            first_error = first_error or exc
            continue
        parts.append(f"(t.currency = ? AND t.amount_minor {operator} ?)")
        params += [currency, minor]
    if not parts:
        raise first_error or InvalidInput(f"{name} {text!r} is not an amount")
    return "(" + " OR ".join(parts) + ")", params


def where_clause(conn: sqlite3.Connection, filters: Filters) -> tuple[str, list[Any]]:
    """The SQL condition (on `t` = topup, `c` = card) and its parameters for these filters."""
    clauses: list[str] = []
    params: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        clauses.append(clause)
        params.extend(values)

    if filters.text is not None:
        for term in clean_token(filters.text).split():
            clause, values = _text_clause(conn, term)
            add(clause, *values)
    if filters.card is not None:
        add("t.card_id = ?", reads.find_card(conn, filters.card)["id"])
    if filters.channel is not None:
        add("t.channel = ?", parse_channel(filters.channel).value)
    if filters.since is not None:
        add("t.occurred_at_utc >= ?", to_stored(parse_period(filters.since)[0]))
    if filters.until is not None:
        add("t.occurred_at_utc < ?", to_stored(parse_period(filters.until)[1]))
    if filters.min_amount is not None:
        add(*_flatten(_amount_clause(filters.min_amount, ">=", "--min")))
    if filters.max_amount is not None:
        add(*_flatten(_amount_clause(filters.max_amount, "<=", "--max")))
    if filters.ref is not None:
        ref = clean_ref(filters.ref)
        if ref is None:
            raise InvalidInput("--ref needs a reference")
        add("t.ref = ? COLLATE NOCASE", ref)
    if filters.outcome is not None:
        add("t.outcome = ?", parse_outcome(filters.outcome).value)
    if not filters.with_void:
        add("t.status != 'void'")
    if filters.limit is not None and not 1 <= filters.limit <= reads.LARGEST_ID:
        raise InvalidInput(f"--limit must be between 1 and {reads.LARGEST_ID}")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _flatten(pair: tuple[str, list[Any]]) -> tuple[Any, ...]:
    return (pair[0], *pair[1])


def matching(conn: sqlite3.Connection, filters: Filters, *, newest_first: bool = True,
             select: str | None = None) -> sqlite3.Cursor:
    """The matching records, streamed: `select` is the JSON (default) or the CSV form of the fields."""
    return conn.execute(*record_query(conn, filters, newest_first=newest_first, select=select))


_GROUPINGS = {
    "month": "strftime('%Y-%m', t.occurred_at_utc, 'localtime')",
    "card": "c.label",
    "channel": "t.channel",
}
REPORT_GROUPINGS = tuple(_GROUPINGS)


def report_rows(conn: sqlite3.Connection, by: str, filters: Filters) -> list[tuple[Any, ...]]:
    """(group, currency, credited count and total, pending count and total, failed count, refunded
    count) of the matching records."""
    where, params = where_clause(conn, filters)
    return conn.execute(f"""
        SELECT {_GROUPINGS[by]} AS grp, t.currency,
               count(CASE WHEN t.outcome = 'credited' THEN 1 END),
               total(CASE WHEN t.outcome = 'credited' THEN t.amount_minor END),
               count(CASE WHEN t.outcome = 'pending' THEN 1 END),
               total(CASE WHEN t.outcome = 'pending' THEN t.amount_minor END),
               count(CASE WHEN t.outcome = 'failed' THEN 1 END),
               count(CASE WHEN t.outcome = 'refunded' THEN 1 END)
          FROM topup AS t JOIN card AS c ON c.id = t.card_id
          {where}
         GROUP BY grp, t.currency
         ORDER BY grp, t.currency""", params).fetchall()


def record_query(conn: sqlite3.Connection, filters: Filters, *, newest_first: bool = True,
                 select: str | None = None) -> tuple[str, list[Any]]:
    """The record query (`select`: the JSON or the CSV form of the fields) for these filters, in time order."""
    where, params = where_clause(conn, filters)
    order = "DESC" if newest_first else "ASC"
    sql = f"{select or record_select()}{where} ORDER BY t.occurred_at_utc {order}, t.id {order}"
    if filters.limit is not None:
        sql += " LIMIT ?"
        params.append(filters.limit)
    return sql, params


# What a record is found by, as the triggers index it: reference, merchant and note.
SEARCH_BODY = "coalesce(t.ref, '') || char(10) || coalesce(t.merchant, '') || char(10) || coalesce(t.note, '')"


def index_rows(conn: sqlite3.Connection, ids_json: str) -> None:
    """Index the records whose ids `ids_json` lists (a JSON array) in one statement."""
    conn.execute(f"INSERT INTO topup_fts (rowid, body) SELECT t.id, {SEARCH_BODY} FROM topup AS t "
                 "JOIN json_each(?) AS new ON new.value = t.id", (ids_json,))


def index_mismatch(conn: sqlite3.Connection) -> tuple[list[int], list[int], bool]:
    """How the text index differs from the records: ids it lacks, ids it holds that no record has,
    and whether the text it holds differs (compared, term by term, with an index built afresh)."""
    missing = [row[0] for row in conn.execute("SELECT id FROM topup EXCEPT SELECT rowid FROM topup_fts ORDER BY 1")]
    extra = [row[0] for row in conn.execute("SELECT rowid FROM topup_fts EXCEPT SELECT id FROM topup ORDER BY 1")]
    conn.execute("CREATE VIRTUAL TABLE temp.fts_expected USING fts5(body, content='', tokenize='trigram')")
    try:
        conn.execute(f"INSERT INTO temp.fts_expected (rowid, body) SELECT t.id, {SEARCH_BODY} FROM topup AS t")
        conn.execute("CREATE VIRTUAL TABLE temp.vocab_held USING fts5vocab(main, topup_fts, row)")
        conn.execute("CREATE VIRTUAL TABLE temp.vocab_expected USING fts5vocab(temp, fts_expected, row)")
        differs = conn.execute(
            "SELECT 1 FROM (SELECT * FROM temp.vocab_held EXCEPT SELECT * FROM temp.vocab_expected "
            "UNION ALL SELECT * FROM temp.vocab_expected EXCEPT SELECT * FROM temp.vocab_held) LIMIT 1"
        ).fetchone() is not None
    finally:
        for table in ("vocab_held", "vocab_expected", "fts_expected"):
            conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    return missing, extra, differs


def rebuild_index(conn: sqlite3.Connection) -> None:
    """Index every record's text anew."""
    conn.execute("INSERT INTO topup_fts (topup_fts) VALUES ('delete-all')")
    conn.execute(f"INSERT INTO topup_fts (rowid, body) SELECT t.id, {SEARCH_BODY} FROM topup AS t")
