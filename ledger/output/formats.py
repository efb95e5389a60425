"""Writing records out as CSV or JSON, one row at a time so memory stays flat.

CSV is for spreadsheets, so every text cell goes through the spreadsheet guard
(`domain.spreadsheet`); only the columns that are numbers are written bare. An export for
programs leaves the guard out (`export --no-guard`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TextIO

from ledger.domain.fields import NUMERIC_NAMES
from ledger.domain.spreadsheet import guard

# Columns a spreadsheet should read as numbers: the record fields the registry marks numeric,
# and a report's totals. They are plain decimals, never guarded; so is any integer (a count).
NUMERIC_COLUMNS = NUMERIC_NAMES | {"count", "total", "pending"}


def csv_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # a record's receipts are counted; any other list's items are listed
        return str(len(value)) if column == "receipts" else guard(", ".join(str(item) for item in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if column in NUMERIC_COLUMNS or isinstance(value, int | Decimal) else guard(text)


def write_csv(stream: TextIO, rows: Iterable[Any], columns: Sequence[str], *, bom: bool = True) -> int:
    """Rows (dicts) as CSV, each cell made safe with `csv_cell`. Returns the row count."""
    writer = _start_csv(stream, columns, bom)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(column, row.get(column)) for column in columns])
        count += 1
    return count


def write_csv_lines(stream: TextIO, batches: Iterable[list[str]], columns: Sequence[str], *, bom: bool = True) -> int:
    """Header, then the finished lines the store made (`Ledger.csv_lines`), a batch at a time, so
    that memory stays flat. Returns the line count."""
    _start_csv(stream, columns, bom)
    count = 0
    for batch in batches:
        stream.write("".join(batch))
        count += len(batch)
    return count


def _start_csv(stream: TextIO, columns: Sequence[str], bom: bool) -> Any:
    """Write the header, RFC 4180 quoting and CRLF; UTF-8 with BOM so that Excel reads Chinese text."""
    if bom:
        stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    return writer


def write_json(stream: TextIO, rows: Iterable[Any]) -> int:
    """One JSON array, written element by element. Returns the row count."""
    count = 0
    stream.write("[")
    for row in rows:
        stream.write(",\n  " if count else "\n  ")
        stream.write(json.dumps(row, ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def write_json_lines(stream: TextIO, rows: Iterable[Any]) -> int:
    """One JSON object a line, for reading a record at a time. Returns the row count."""
    count = 0
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
