"""The contract's record fields, computed by SQLite itself.

show, search and export read the same expressions, so they always agree; and because amounts,
local times, spreadsheet guards and even CSV quoting are computed in SQL, a million-row export
is SQLite handing over finished lines, with no Python work per field. Each field's expression
follows from its kind in the registry (`domain.fields`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.domain.fields import DAY_ALONE, PUBLIC_FIELDS, Kind, RecordField
from ledger.domain.money import CURRENCIES, minor_digits
from ledger.domain.spreadsheet import FORMULA_STARTS
from ledger.domain.times import local_offsets


def money_sql(column: str) -> str:
    """An amount column printed like `money.format_minor`: the currency's decimals, exactly."""
    by_digits: dict[int, list[str]] = {}
    for code in CURRENCIES:
        by_digits.setdefault(minor_digits(code), []).append(code)
    cases = []
    for digits, codes in sorted(by_digits.items()):
        listed = ", ".join(f"'{code}'" for code in codes)
        shown = (f"CAST({column} AS TEXT)" if digits == 0
                 else f"printf('%d.%0{digits}d', {column} / {10 ** digits}, {column} % {10 ** digits})")
        cases.append(f"WHEN t.currency IN ({listed}) THEN {shown}")
    return f"CASE WHEN {column} IS NULL THEN NULL {' '.join(cases)} END"


def local_time_sql(column: str) -> str:
    """A stored UTC moment in local time with its offset, like `times.local_iso`.

    SQLite's own 'localtime' asks the C library on every row, which costs more than the rest of an
    export row; instead the offsets are looked up once and the moment is placed among them by a
    balanced tree of comparisons on the stored text.
    """
    return _offset_tree(column, local_offsets())


def _offset_tree(column: str, spans: Sequence[tuple[str, int]]) -> str:
    if len(spans) == 1:
        shift = spans[0][1]
        hours, rest = divmod(abs(shift), 3600)
        minutes, seconds = divmod(rest, 60)
        suffix = f"{'-' if shift < 0 else '+'}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")
        return f"strftime('%Y-%m-%dT%H:%M:%S{suffix}', {column}, '{shift:+d} seconds')"
    middle = len(spans) // 2
    return (f"CASE WHEN {column} < '{spans[middle][0]}' THEN {_offset_tree(column, spans[:middle])} "
            f"ELSE {_offset_tree(column, spans[middle:])} END")


def guard_sql(expression: str) -> str:
    """`spreadsheet.guard` as an SQL expression, so that a large export guards its cells inside SQLite."""
    quoted = {"\t": "char(9)", "\r": "char(13)", "'": "''''"}
    starts = ", ".join(quoted.get(c, f"'{c}'") for c in FORMULA_STARTS)
    number_like = f"({expression} GLOB '[0-9]*' AND {expression} NOT GLOB '*[^0-9.,]*')"
    return (f"CASE WHEN substr({expression}, 1, 1) IN ({starts}) OR {number_like} "
            f"THEN '''' || {expression} ELSE {expression} END")


def text_cell_sql(expression: str, guarded: bool = True) -> str:
    """A typed text cell as SQL: guarded (unless not `guarded`), then quoted as csv.writer quotes
    (RFC 4180) when it holds a comma, a double quote or a line break."""
    shown = guard_sql(expression) if guarded else expression
    needs_quotes = f"{expression} GLOB '*[\",' || char(10, 13) || ']*'"
    return f"CASE WHEN {needs_quotes} THEN '\"' || replace({shown}, '\"', '\"\"') || '\"' ELSE {shown} END"


def csv_line_sql(cells: Sequence[str]) -> str:
    """One CRLF-ended CSV line built by SQLite from cell expressions (NULL is an empty cell).

    Only `text_cell_sql` cells are quoted, so the others must never hold a comma, quote or line
    break: numbers, codes, dates. SQLite joining the cells is what keeps a large export close to
    the speed of reading the rows at all.
    """
    return f"printf('{','.join(['%s'] * len(cells))}' || char(13, 10), {', '.join(cells)})"


_RECEIPT_LIST = ("(SELECT json_group_array(json_object('name', r.name, 'sha256', r.sha256, 'size', r.size)) "
                 "FROM (SELECT name, sha256, size FROM receipt WHERE topup_id = t.id ORDER BY id) AS r)")
_RECEIPT_COUNT = "(SELECT count(*) FROM receipt WHERE topup_id = t.id)"
_FROM = " FROM topup AS t JOIN card AS c ON c.id = t.card_id"


def _json_sql(field: RecordField) -> str:
    """A field's value as the record's JSON holds it (`t` is the topup, `c` its card)."""
    if field.kind is Kind.card:
        return "c.label"
    if field.kind is Kind.card_kind:
        return "c.kind"
    if field.kind is Kind.receipts:
        return _RECEIPT_LIST
    if field.kind is Kind.money:
        return money_sql(f"t.{field.column}")
    if field.kind is Kind.moment and field.name in DAY_ALONE:
        return f"coalesce(t.{DAY_ALONE[field.name]}, {local_time_sql(f't.{field.column}')})"
    if field.kind is Kind.moment:
        return local_time_sql(f"t.{field.column}")
    return f"t.{field.column}"


def _csv_sql(field: RecordField, guarded: bool) -> str:
    """A field's value as a finished CSV cell: typed text quoted (and guarded), receipts counted."""
    if field.kind is Kind.receipts:
        return _RECEIPT_COUNT
    expression = _json_sql(field)
    return text_cell_sql(expression, guarded) if field.guarded else expression


def record_select() -> str:
    """SELECT … FROM for the contract's record fields, in the local zone of this moment."""
    return "SELECT " + ", ".join(_json_sql(field) for field in PUBLIC_FIELDS) + _FROM


def csv_select(guarded: bool = True) -> str:
    """The same fields as one CSV line per record; with `guarded`, safe to open in a spreadsheet."""
    return "SELECT " + csv_line_sql([_csv_sql(field, guarded) for field in PUBLIC_FIELDS]) + _FROM
