"""Records as an Excel workbook: each value in the cell type a spreadsheet should read it as.

Amounts are numbers shown with their currency's decimals, times and dates are real date-times
(a spreadsheet cannot hold an offset, so each time's offset is kept in a text column beside it),
and everything a person typed is a text cell, never a formula and never a number: a reference of
22 digits stays whole, and a note reading =HYPERLINK(…) is only text. A second sheet lists each
record's receipt files. Rows are streamed (openpyxl's write-only mode), so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from ledger.domain.fields import PUBLIC_FIELDS, Kind
from ledger.domain.money import minor_digits
from ledger.domain.times import names_a_day

_MOMENTS = [field.name for field in PUBLIC_FIELDS if field.kind is Kind.moment]
RECORD_COLUMNS = [field.name for field in PUBLIC_FIELDS] + [f"{name}_offset" for name in _MOMENTS]
RECEIPT_COLUMNS = ["record", "name", "sha256", "size"]
_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_DATE_FORMAT = "yyyy-mm-dd"


def write_workbook(target: Path | BinaryIO, records: Iterable[dict[str, Any]]) -> int:
    """Write the records (the contract's, with their receipt lists) as a workbook; returns the count."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet, receipts = book.create_sheet("records"), book.create_sheet("receipts")
    sheet.append(RECORD_COLUMNS)
    receipts.append(RECEIPT_COLUMNS)
    count = 0
    for record in records:
        sheet.append([_cell(sheet, name, value, record["currency"]) for name, value in _row(record)])
        for receipt in record["receipts"]:
            receipts.append([record["id"], _text(receipts, receipt["name"]), _text(receipts, receipt["sha256"]),
                             receipt["size"]])
        count += 1
    _save(book, target)
    return count


def _save(book: Any, target: Path | BinaryIO) -> None:
    """openpyxl's save, but failing cleanly: it leaves its archive open when a write fails (a full
    disk), and the archive and unfinished sheets then fail again, with tracebacks, as Python exits."""
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    for sheet in book.worksheets:
        sheet.close()  # finished in openpyxl's own temporary files, before the target is touched
    with ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).write_data()


def _row(record: dict[str, Any]) -> list[tuple[str, Any]]:
    """(column, value) of a record's row: its fields, then the offset of each of its times."""
    offsets = [(f"{name}_offset", record[name][19:] or None if record[name] else None) for name in _MOMENTS]
    return [*((field.name, record[field.name]) for field in PUBLIC_FIELDS), *offsets]


def _cell(sheet: Any, column: str, value: Any, currency: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if column == "receipts":
        return len(value)
    if isinstance(value, int | float):
        return value
    kind = _KINDS.get(column)
    if kind is Kind.money:
        cell = WriteOnlyCell(sheet, value=Decimal(value))
        digits = minor_digits(currency)
        cell.number_format = f"0.{'0' * digits}" if digits else "0"
        return cell
    if kind is Kind.moment and names_a_day(value):
        kind = Kind.day
    if kind is Kind.moment:
        cell = WriteOnlyCell(sheet, value=datetime.fromisoformat(value).replace(tzinfo=None))
        cell.number_format = _TIME_FORMAT
        return cell
    if kind is Kind.day:
        cell = WriteOnlyCell(sheet, value=date.fromisoformat(value))
        cell.number_format = _DATE_FORMAT
        return cell
    return _text(sheet, str(value))


def _text(sheet: Any, value: str) -> Any:
    """A text cell whatever the text looks like: openpyxl would take '=…' for a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


_KINDS = {field.name: field.kind for field in PUBLIC_FIELDS}
