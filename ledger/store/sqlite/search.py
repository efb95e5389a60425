"""Finding records: a query turned into one SQL clause, the records it matches as the contract
shows them (or as finished CSV lines), their totals, and the text index itself.

Text is found with the trigram full-text index `topup_fts` (any part of a word, Chinese
included); terms shorter than three characters, which a trigram index cannot hold, fall back to
a scan. The index holds each record's reference, merchant, note and what paid, kept in step by triggers
that the migrations create; an import indexes its rows in one statement instead.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from ledger.chinese import folded, spellings
from ledger.domain.fields import FIELD_NAMES, Record
from ledger.domain.values import label_key
from ledger.store.sqlite.projection import csv_select, record_select
from ledger.store.types import IndexMismatch, Query, ReportRow

# What a record is found by, as the triggers index it: reference, merchant, note and what paid.
SEARCH_BODY = ("coalesce(t.ref, '') || char(10) || coalesce(t.merchant, '') || char(10) || coalesce(t.note, '') "
               "|| coalesce(char(10) || t.paid_with, '')")
_SEARCHED = ("ref", "merchant", "note", "paid_with")  # the columns of SEARCH_BODY
_COMMON_MATCHES = 2000
_GROUPINGS = {
    "month": "strftime('%Y-%m', t.occurred_at_utc, 'localtime')",
    "card": "c.label",
    "channel": "t.channel",
}
_BATCH = 2000  # rows fetched at a time while streaming


def like_pattern(term: str) -> str:
    """`term` anywhere in a text, as a LIKE pattern with ESCAPE '\\': % and _ are characters, not wildcards."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _record(row: tuple[Any, ...]) -> Record:
    """A `record_select()` row as the contract's record."""
    record: dict[str, Any] = dict(zip(FIELD_NAMES, row, strict=True))
    record["receipts"] = json.loads(record["receipts"])
    return record  # type: ignore[return-value]


class Finding:
    """Finding records, of a `SqliteLedger`."""

    conn: sqlite3.Connection

    def record(self, topup_id: int) -> Record | None:
        from ledger.store.sqlite.reads import LARGEST_ID

        if not 0 <= topup_id <= LARGEST_ID:  # no such id could exist; SQLite cannot even compare it
            return None
        row = self.conn.execute(record_select() + " WHERE t.id = ?", (topup_id,)).fetchone()
        return None if row is None else _record(row)

    def records(self, query: Query) -> Iterator[Record]:
        cursor = self.conn.execute(*self._select(query, record_select()))
        while batch := cursor.fetchmany(_BATCH):
            yield from map(_record, batch)

    def csv_lines(self, query: Query, guarded: bool) -> Iterator[list[str]]:
        cursor = self.conn.execute(*self._select(query, csv_select(guarded)))
        while batch := cursor.fetchmany(_BATCH):
            yield [line for line, in batch]

    def report(self, query: Query, by: str) -> list[ReportRow]:
        where, params = self._where(query)
        return [ReportRow(group, currency, credited, int(credited_total), pending, int(pending_total), failed, refunded)
                for group, currency, credited, credited_total, pending, pending_total, failed, refunded
                in self.conn.execute(f"""
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
             ORDER BY grp, t.currency""", params)]

    def _select(self, query: Query, select: str) -> tuple[str, list[Any]]:
        """`select` (the JSON or the CSV form of the fields) of the matching records, in time order."""
        where, params = self._where(query)
        order = "DESC" if query.newest_first else "ASC"
        sql = f"{select}{where} ORDER BY t.occurred_at_utc {order}, t.id {order}"
        if query.limit is not None:
            sql += " LIMIT ?"
            params.append(query.limit)
        return sql, params

    def _where(self, query: Query) -> tuple[str, list[Any]]:
        """The SQL condition (on `t` = topup, `c` = card) and its parameters for a query."""
        clauses: list[str] = []
        params: list[Any] = []

        def add(clause: str, *values: Any) -> None:
            clauses.append(clause)
            params.extend(values)

        for term in query.terms:
            clause, values = self._text_clause(term)
            add(clause, *values)
        if query.card_id is not None:
            add("t.card_id = ?", query.card_id)
        if query.channel is not None:
            add("t.channel = ?", query.channel)
        if query.since_utc is not None:
            add("t.occurred_at_utc >= ?", query.since_utc)
        if query.until_utc is not None:
            add("t.occurred_at_utc < ?", query.until_utc)
        for bound, operator in ((query.min_minor, ">="), (query.max_minor, "<=")):
            if bound is not None:  # in each currency it can be written in ('HK$100' only in HKD)
                add("(" + " OR ".join([f"(t.currency = ? AND t.amount_minor {operator} ?)"] * len(bound)) + ")",
                    *(value for pair in bound for value in pair))
        if query.ref is not None:
            add("t.ref = ? COLLATE NOCASE", query.ref)
        if query.outcome is not None:
            add("t.outcome = ?", query.outcome)
        if query.paid_with:
            add(f"t.paid_with COLLATE NOCASE IN ({', '.join('?' * len(query.paid_with))})", *query.paid_with)
        if not query.with_void:
            add("t.status != 'void'")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _text_clause(self, term: str) -> tuple[str, list[Any]]:
        """One search word, in either script of Chinese: in the reference, merchant, note or what paid,
        or in the card's label."""
        # The few cards whose label matches are looked up first: an OR on the label inside the
        # query would keep SQLite from starting at the handful of rows the text index finds.
        card_ids = [card_id for (card_id,) in self.conn.execute(
            "SELECT id FROM card WHERE search_fold(label_key) LIKE ? ESCAPE '\\'",
            (like_pattern(folded(label_key(term))),))]
        spelled = spellings(term)  # the index and the columns hold text as it was typed
        if spelled is None:  # too many ways to write it: the text folded, row by row
            clause, params = f"search_fold({SEARCH_BODY}) LIKE ? ESCAPE '\\'", [like_pattern(folded(term))]
        elif len(term) >= 3:
            phrases = " OR ".join('"' + each.replace('"', '""') + '"' for each in spelled)
            # A rare word is quickest found from the index; a common one by walking records newest
            # first and stopping at the limit. The unary + keeps SQLite from starting at the index.
            common = self.conn.execute("SELECT count(*) FROM (SELECT 1 FROM topup_fts WHERE topup_fts MATCH ? "
                                       "LIMIT ?)", (phrases, _COMMON_MATCHES)).fetchone()[0] == _COMMON_MATCHES
            clause = f"{'+' if common else ''}t.id IN (SELECT rowid FROM topup_fts WHERE topup_fts MATCH ?)"
            params = [phrases]
        else:  # shorter than the index's trigrams: a scan
            patterns = [like_pattern(each) for each in spelled]
            clause = " OR ".join(f"t.{column} LIKE ? ESCAPE '\\'" for column in _SEARCHED for _pattern in patterns)
            params = [pattern for _column in _SEARCHED for pattern in patterns]
        if card_ids:
            clause += f" OR t.card_id IN ({', '.join('?' * len(card_ids))})"
            params += card_ids
        return f"({clause})", params

    # ------------------------------------------------------------ the text index

    def index_mismatch(self) -> IndexMismatch:
        conn = self.conn
        missing = [row[0] for row in conn.execute("SELECT id FROM topup EXCEPT SELECT rowid FROM topup_fts ORDER BY 1")]
        extra = [row[0] for row in conn.execute("SELECT rowid FROM topup_fts EXCEPT SELECT id FROM topup ORDER BY 1")]
        # The text it holds is compared, term by term, with an index built afresh.
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
        return IndexMismatch(missing, extra, differs)

    def rebuild_index(self) -> None:
        self.conn.execute("INSERT INTO topup_fts (topup_fts) VALUES ('delete-all')")
        self.conn.execute(f"INSERT INTO topup_fts (rowid, body) SELECT t.id, {SEARCH_BODY} FROM topup AS t")
