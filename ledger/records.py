"""The contract's record fields, computed by SQLite itself.

show, search and export read the same expressions, so they always agree; and because amounts,
local times and spreadsheet guards are computed in SQL, a million-row export is a plain cursor
streamed into the csv module, with no Python work per field.
"""

from __future__ import annotations

import json
from typing import Any

from ledger.exporting import guard_sql
from ledger.money import CURRENCY_DIGITS


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
    """A stored UTC moment in local time with its offset, like `times.local_iso`."""
    offset = f"(strftime('%s', {column}, 'localtime') - strftime('%s', {column}))"
    return (f"strftime('%Y-%m-%dT%H:%M:%S', {column}, 'localtime') "
            f"|| printf('%+03d:%02d', {offset} / 3600, abs({offset}) % 3600 / 60)")


_RECEIPT_LIST = ("(SELECT json_group_array(json_object('name', r.name, 'sha256', r.sha256, 'size', r.size)) "
                 "FROM (SELECT name, sha256, size FROM receipt WHERE topup_id = t.id ORDER BY id) AS r)")
_RECEIPT_COUNT = "(SELECT count(*) FROM receipt WHERE topup_id = t.id)"

# (field, SQL expression, free text typed by a person) in the contract's order.
RECORD_COLUMNS = [
    ("id", "t.id", False), ("card", "c.label", True), ("card_kind", "c.kind", False),
    ("amount", money_sql("t.amount_minor"), False), ("paid", money_sql("t.paid_minor"), False),
    ("currency", "t.currency", False), ("channel", "t.channel", False), ("outcome", "t.outcome", False),
    ("occurred_at", local_time_sql("t.occurred_at_utc"), False), ("ref", "t.ref", True),
    ("merchant", "t.merchant", True), ("note", "t.note", True),
    ("balance_after", money_sql("t.balance_after_minor"), False), ("valid_until", "t.valid_until", False),
    ("status", "t.status", False), ("receipts", _RECEIPT_LIST, False),
    ("created_at", local_time_sql("t.created_at_utc"), False),
]
RECORD_FIELDS = tuple(name for name, _, _ in RECORD_COLUMNS)
_FROM = " FROM topup AS t JOIN card AS c ON c.id = t.card_id"

RECORD_SELECT = "SELECT " + ", ".join(expr for _, expr, _ in RECORD_COLUMNS) + _FROM
# The same fields as spreadsheet cells: typed text guarded, receipts counted.
CSV_SELECT = "SELECT " + ", ".join(
    _RECEIPT_COUNT if name == "receipts" else guard_sql(expr) if typed else expr
    for name, expr, typed in RECORD_COLUMNS
) + _FROM


def record_from_row(row: Any) -> dict[str, Any]:
    """A `RECORD_SELECT` row as the contract's record."""
    record = dict(zip(RECORD_FIELDS, row, strict=True))
    record["receipts"] = json.loads(record["receipts"])
    return record
