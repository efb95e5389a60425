"""The contract's record fields, computed by SQLite itself.

show, search and export read the same expressions, so they always agree; and because amounts,
local times, spreadsheet guards and even CSV quoting are computed in SQL, a million-row export
is SQLite handing over finished lines, with no Python work per field.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ledger.exporting import csv_line_sql, text_cell_sql
from ledger.money import CURRENCY_DIGITS
from ledger.times import local_offsets


def money_sql(column: str) -> str:
    """An amount column printed like `money.format_minor`: the currency's decimals, exactly."""
    by_digits: dict[int, list[str]] = {}
    for code, digits in CURRENCY_DIGITS.items():
        by_digits.setdefault(digits, []).append(code)
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


_RECEIPT_LIST = ("(SELECT json_group_array(json_object('name', r.name, 'sha256', r.sha256, 'size', r.size)) "
                 "FROM (SELECT name, sha256, size FROM receipt WHERE topup_id = t.id ORDER BY id) AS r)")
_RECEIPT_COUNT = "(SELECT count(*) FROM receipt WHERE topup_id = t.id)"

# (field, SQL expression, kind) in the contract's order. Kind "typed" is free text a person typed,
# guarded in CSV; "moment" is a stored UTC moment, shown in local time.
RECORD_COLUMNS = [
    ("id", "t.id", ""), ("card", "c.label", "typed"), ("card_kind", "c.kind", ""),
    ("amount", money_sql("t.amount_minor"), ""), ("paid", money_sql("t.paid_minor"), ""),
    ("currency", "t.currency", ""), ("channel", "t.channel", ""), ("outcome", "t.outcome", ""),
    ("occurred_at", "t.occurred_at_utc", "moment"), ("ref", "t.ref", "typed"),
    ("merchant", "t.merchant", "typed"), ("note", "t.note", "typed"),
    ("balance_after", money_sql("t.balance_after_minor"), ""), ("valid_until", "t.valid_until", ""),
    ("status", "t.status", ""), ("receipts", _RECEIPT_LIST, ""), ("created_at", "t.created_at_utc", "moment"),
]
RECORD_FIELDS = tuple(name for name, _, _ in RECORD_COLUMNS)
_FROM = " FROM topup AS t JOIN card AS c ON c.id = t.card_id"


def record_select() -> str:
    """SELECT … FROM for the contract's record fields, in the local zone of this moment."""
    return "SELECT " + ", ".join(
        local_time_sql(expr) if kind == "moment" else expr for _, expr, kind in RECORD_COLUMNS
    ) + _FROM


def csv_select() -> str:
    """The same fields as one CSV line per record: typed text guarded and quoted, receipts counted."""
    return "SELECT " + csv_line_sql([
        _RECEIPT_COUNT if name == "receipts" else local_time_sql(expr) if kind == "moment"
        else text_cell_sql(expr) if kind == "typed" else expr
        for name, expr, kind in RECORD_COLUMNS
    ]) + _FROM


def record_from_row(row: Any) -> dict[str, Any]:
    """A `record_select()` row as the contract's record."""
    record = dict(zip(RECORD_FIELDS, row, strict=True))
    record["receipts"] = json.loads(record["receipts"])
    return record
