"""Reading a table file as rows of text: CSV in UTF-8 (with or without BOM), GB18030, Big5 or UTF-16,
a JSON export, or an Excel workbook (.xlsx, through openpyxl). Without --encoding, the text's
encoding is found, and a file that could be read in two is never read silently in the wrong one.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.errors import InvalidInput
from ledger.i18n import _
from ledger.sources.files import read_regular

ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030",
             "big5": "big5hkscs", "big5hkscs": "big5hkscs", "utf-16": "utf-16"}
_ZIP, _OLD_EXCEL = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
# A spreadsheet keeps 15 significant digits: a number cell this large lost the rest (an order number
# saved again by Excel), so it is shown as the spreadsheet shows it, never as digits it does not hold.
_DIGITS_KEPT = 1e15
_SHEETS_LOOKED_AT = 10
MAX_TABLE_BYTES = 256 * 2**20  # a bill of many years, or the export of a large ledger, is far less


def read_bytes(file: Path) -> bytes:
    try:
        return read_regular(file, MAX_TABLE_BYTES, streams=True)
    except FileNotFoundError:
        raise InvalidInput(_("file {file!r} does not exist", file=str(file))) from None
    except IsADirectoryError:
        raise InvalidInput(_("{file!r} is a folder; give a CSV or XLSX file", file=str(file))) from None
    except OSError as exc:
        raise InvalidInput(_("{file!r} cannot be read: {reason}", file=str(file), reason=exc.strerror)) from None


def rows(file: Path, encoding: str | None) -> tuple[Iterator[tuple[int, list[str]]], int]:
    """(line number, cells) of each row of a CSV or XLSX file, and about how many rows there are."""
    data = read_bytes(file)
    if data.startswith(_OLD_EXCEL):
        raise InvalidInput(_("{file} is an old Excel workbook (.xls); save it as .xlsx or CSV and import that",
                             file=file))
    if data.startswith(_ZIP):
        table = _workbook_rows(file, data)
        return iter(table), len(table)
    text = decode(data, file, encoding)
    if text.lstrip("\ufeff \t\r\n").startswith(("[", "{")):
        table = _json_rows(file, text)
        return iter(table), len(table)
    head = text[:4096]  # a spreadsheet's "Unicode text" separates its cells with tabs
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if head.count("\t") > head.count(",") else ",")
    return _csv_rows(reader), text.count("\n")


def decode(data: bytes, file: Path, encoding: str | None) -> str:
    """The text of a CSV file, in the encoding given or the one found (see `_found`)."""
    if encoding is None:
        return _found(data, file)
    codec = ENCODINGS.get(encoding.lower().replace("_", "-"))
    if codec is None:
        raise InvalidInput(_("--encoding must be one of utf-8, gb18030, big5, utf-16 (not {encoding!r})",
                             encoding=encoding))
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        others = ", ".join(name for name in ("utf-8", "gb18030", "big5", "utf-16") if ENCODINGS[name] != codec)
        raise InvalidInput(_("{file} is not {encoding} text; try --encoding with one of {others}, "
                             "or leave it out to have the encoding found", file=file, encoding=encoding,
                             others=others)) from None


_CHINESE = ("gb18030", "big5hkscs")  # GBK is a part of GB18030


def _same_codec(one: str, other: str) -> bool:
    return codecs.lookup(one).name == codecs.lookup(other).name


def _found(data: bytes, file: Path) -> str:
    """The text of a file whose encoding is not given, never decoded silently as the wrong one.

    A UTF-16 byte-order mark is UTF-16 (a spreadsheet's "Unicode text"); valid UTF-8 is UTF-8. Of the
    Chinese encodings, and those the bill sources declare, most bytes of Big5 text are valid GB18030
    too, so when two read a file, the one in which a bill's header is found wins if its source says
    its files come in it, else the one whose Chinese characters are the common ones of either script;
    when neither clearly is, the file is refused and --encoding asked for."""
    from ledger.sources.bills import HEADER_SEARCH, encodings, find_header

    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InvalidInput(_("{file} begins as UTF-16 text but is not; give its encoding with --encoding "
                                 "(utf-8, gb18030, big5 or utf-16)", file=str(file))) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    readings = {}
    declared = [codec for codec in encodings() if not codecs.lookup(codec).name.startswith(("utf-8", "utf-16"))]
    for codec in dict.fromkeys([*_CHINESE, *declared]):
        try:
            readings[codec] = data.decode(codec)
        except UnicodeDecodeError:
            continue
    if len(readings) == 1:
        return next(iter(readings.values()))
    if not readings:
        raise InvalidInput(_("{file} is neither UTF-8, GB18030 nor Big5 text; give its encoding with --encoding "
                             "(utf-8, gb18030, big5 or utf-16)", file=file))
    for codec, text in readings.items():
        header = find_header(list(csv.reader(io.StringIO(text[:65536], newline="")))[:HEADER_SEARCH])
        if header and any(_same_codec(codec, declared) for declared in header.source.encodings):
            return text
    (best, best_score), (_other, other_score), *_rest = sorted(
        ((codec, _ordinary(text)) for codec, text in readings.items()), key=lambda pair: pair[1], reverse=True)
    if best_score >= 0.9 and best_score - other_score >= 0.15:
        return readings[best]
    raise InvalidInput(_("{file} reads as GB18030 and as Big5 text, and which it is cannot be told for certain; "
                         "say it with --encoding gb18030 (simplified Chinese) or --encoding big5 (traditional)",
                         file=file))


def _ordinary(text: str) -> float:
    """How much of a text's Chinese is made of common characters, in either script (the first level of
    GB2312, or of Big5): nearly all of real text is; bytes read in the wrong encoding give rare ones."""
    letters = [ch for ch in text[:20_000] if ord(ch) > 0x2E7F and ch.isalpha()]
    return sum(map(_common, letters)) / len(letters) if letters else 0.0


def _common(ch: str) -> bool:
    for codec, first, last in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
        try:
            encoded = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and first <= encoded[0] <= last:
            return True
    return False


def _json_rows(file: Path, text: str) -> list[tuple[int, list[str]]]:
    """A JSON array of records (`export --format json`), or one record a line (`--format jsonl`), as a
    header row and a row of text per record."""
    import json

    text = text.lstrip("\ufeff")
    whole = text.lstrip().startswith("[")
    records = []
    for number, line in enumerate([text] if whole else text.splitlines(), start=1):
        try:
            if line.strip():
                records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InvalidInput(_("{file} is not valid JSON (line {line}: {reason})", file=file,
                                 line=exc.lineno + number - 1, reason=exc.msg)) from None
        except RecursionError:  # no export nests more than a record's receipts in it
            raise InvalidInput(_("{file} is JSON nested too deeply to be a list of records, as `topup export "
                                 "--format json` writes", file=file)) from None
    if whole:
        records = records[0]
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise InvalidInput(_("{file} is JSON but not a list of records, as `topup export --format json` writes",
                             file=file))
    header = list(dict.fromkeys(key for record in records for key in record))
    return [(1, header)] + [(number, [_cell_text(record.get(key)) for key in header])
                            for number, record in enumerate(records, start=2)]


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    try:
        for values in reader:
            yield reader.line_num, values
    except csv.Error as exc:
        raise InvalidInput(_("line {line}: not valid CSV ({reason})", line=reader.line_num, reason=exc)) from None


def _workbook_rows(file: Path, data: bytes) -> list[tuple[int, list[str]]]:
    """The first sheet of a workbook (or the first holding a bill), every cell as the text a CSV of it would hold."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        raise InvalidInput(_("{file} is not a workbook this program can read ({error}); save it as .xlsx or CSV",
                             file=file, error=type(exc).__name__)) from None
    from ledger.sources.bills import find_header

    # The first sheet, unless a later one holds a bill's header (a bill pasted into its owner's workbook).
    try:
        first = None
        for sheet in book.worksheets[:_SHEETS_LOOKED_AT]:
            rows = [(number, [_cell_text(value) for value in row])
                    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
            if first is None:
                first = rows
            if find_header([cells for _number, cells in rows]):
                return rows
        return first or []
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, float) and abs(value) >= _DIGITS_KEPT:
        return f"{value:E}"  # as a spreadsheet shows it: the digits past the 15th are not in the file
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):  # a record's receipts: the count, as a CSV export has it
        return str(len(value))
    return str(value)
