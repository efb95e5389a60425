"""Writing records out as CSV or JSON, one row at a time so memory stays flat.

CSV is for spreadsheets, so no text cell may be taken for a formula (OWASP's advice: a leading
apostrophe before `= + - @`, tab and carriage return, and their full-width forms), and a long
number kept as text (a reference) must not turn into `1.23457E+19`. The same apostrophe also
guards text that starts with one, so `unguard` gives back exactly what was written.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

_FORMULA_STARTS = tuple("=+-@\t\r＝＋－＠'")
_NUMBER_LIKE = re.compile(r"[0-9][0-9.,]*")
# A cell whose first character lies between these code points never needs a guard, so most cells
# (letters, Chinese) skip the full test.
_SAFE_FIRST = (max(ord(c) for c in "0123456789" + "".join(_FORMULA_STARTS) if c.isascii()) + 1,
               min(ord(c) for c in _FORMULA_STARTS if not c.isascii()) - 1)

# Columns a spreadsheet should read as numbers; they are plain decimals, never guarded.
NUMERIC_COLUMNS = frozenset({"id", "amount", "paid", "balance_after", "receipts", "count", "total", "pending"})


def guard(text: str) -> str:
    """Make a text cell safe to open in a spreadsheet, and keep digit strings as text."""
    if text.startswith(_FORMULA_STARTS) or _NUMBER_LIKE.fullmatch(text):
        return "'" + text
    return text


def guard_sql(expression: str) -> str:
    """`guard` as an SQL expression, so that a large export guards its cells inside SQLite."""
    quoted = {"\t": "char(9)", "\r": "char(13)", "'": "''''"}
    starts = ", ".join(quoted.get(c, f"'{c}'") for c in _FORMULA_STARTS)
    number_like = f"({expression} GLOB '[0-9]*' AND {expression} NOT GLOB '*[^0-9.,]*')"
    return (f"CASE WHEN substr({expression}, 1, 1) IN ({starts}) OR {number_like} "
            f"THEN '''' || {expression} ELSE {expression} END")


def text_cell_sql(expression: str) -> str:
    """A typed text cell as SQL: `guard`ed, then quoted as csv.writer quotes (RFC 4180) when it holds
    a comma, a double quote or a line break."""
    guarded = guard_sql(expression)
    needs_quotes = f"{expression} GLOB '*[\",' || char(10, 13) || ']*'"
    return f"CASE WHEN {needs_quotes} THEN '\"' || replace({guarded}, '\"', '\"\"') || '\"' ELSE {guarded} END"


def csv_line_sql(cells: Sequence[str]) -> str:
    """One CRLF-ended CSV line built by SQLite from cell expressions (NULL is an empty cell).

    Only `text_cell_sql` cells are quoted, so the others must never hold a comma, quote or line
    break: numbers, codes, dates. SQLite joining the cells is what keeps a large export close to
    the speed of reading the rows at all.
    """
    return f"printf('{','.join(['%s'] * len(cells))}' || char(13, 10), {', '.join(cells)})"


def unguard(text: str) -> str:
    """Undo `guard`: the exact text that was exported."""
    if text.startswith("'") and guard(text[1:]) == text:
        return text[1:]
    return text


def csv_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return str(len(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if column in NUMERIC_COLUMNS else guard(text)


def write_csv(stream: TextIO, rows: Iterable[dict[str, Any]], columns: Sequence[str], *, bom: bool = True) -> int:
    """Records (dicts) as CSV, each cell made safe with `csv_cell`. Returns the row count."""
    writer = _start_csv(stream, columns, bom)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(column, row.get(column)) for column in columns])
        count += 1
    return count


_BATCH = 2000  # lines fetched and written at a time


def write_csv_lines(stream: TextIO, cursor: sqlite3.Cursor, columns: Sequence[str], *, bom: bool = True) -> int:
    """Header, then the lines a query built with `csv_line_sql`, fetched a batch at a time so that
    memory stays flat. Returns the line count."""
    _start_csv(stream, columns, bom)
    count = 0
    while batch := cursor.fetchmany(_BATCH):
        stream.write("".join([line for line, in batch]))
        count += len(batch)
    return count


def _start_csv(stream: TextIO, columns: Sequence[str], bom: bool) -> Any:
    """Write the header, RFC 4180 quoting and CRLF; UTF-8 with BOM so that Excel reads Chinese text."""
    if bom:
        stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    return writer


def write_json(stream: TextIO, rows: Iterable[dict[str, Any]]) -> int:
    """One JSON array, written element by element. Returns the row count."""
    count = 0
    stream.write("[")
    for row in rows:
        stream.write(",\n  " if count else "\n  ")
        stream.write(json.dumps(row, ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count
