"""Rendering for the command line: tables for people, JSON for scripts. Only the CLI prints."""

from __future__ import annotations

import json
import shutil
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

from ledger.domain.values import shown_safely
from ledger.i18n import _, english


def write_line(text: str, *, err: bool = False) -> None:
    """A line for a person, on stdout (stderr when `err`). Every line meant for a terminal goes through
    here, so that what a file, an argument or the ledger holds is shown on it, never obeyed by it."""
    (sys.stderr if err else sys.stdout).write(shown_safely(text, lines=True) + "\n")


def print_json(data: Any) -> None:
    """Data as JSON; a declared type by its fields, in their order."""
    sys.stdout.write(json.dumps(plain(data), ensure_ascii=False, indent=2) + "\n")


def plain(data: Any, *, for_programs: bool = True) -> Any:
    """Data as JSON, CSV and tables are written from it: declared types (dataclasses, named tuples) as
    dicts; and, `for_programs`, every message in English, since what programs read never changes with
    the language."""
    if is_dataclass(data) and not isinstance(data, type):
        data = asdict(data)
    elif isinstance(data, tuple) and hasattr(data, "_asdict"):
        data = data._asdict()
    if isinstance(data, dict):
        return {key: plain(value, for_programs=for_programs) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(item, for_programs=for_programs) for item in data]
    return english(data) if for_programs else data


# Free text that may end in an ellipsis when a table is short of room. A card's label or a
# reference is never cut: cut short, two of them could look the same.
_CUTTABLE = frozenset({"note", "merchant", "issuer", "why", "item", "bar"})
# What a table gives up, in this order, when it is wider than the terminal: the least useful
# columns first, then the time of day (the day is kept), then columns that matter more. A column
# not named here is one a row cannot be read without.
_TIME_OF_DAY = "time of day"
_GIVES_UP = ("bar", "created_at", "last_topup_at", "validity_days", "region", "issuer", "max_balance", "max_topup",
             "merchant", "note", "why", "pending", "other", _TIME_OF_DAY, "item", "channel", "retired", "kind",
             "number", "currency", "paid")
# Columns a row cannot be read without unless every row holds the same (then the note says what).
_SAME_FOR_ALL = frozenset({"currency"})
_MOMENTS = frozenset({"occurred_at", "created_at", "last_topup_at"})
# Columns of the ledger's own words (a channel, an outcome …), shown by their names in the reader's language.
_NAMED = frozenset({"channel", "outcome", "status", "kind", "card_kind"})
_NUMERIC = frozenset({"id", "line", "amount", "paid", "balance_after", "count", "total", "pending", "records",
                      "days_left"})
_GAPS = ("  ", " ")  # between columns: two spaces, one when that is what lets a row fit
_NARROWEST_CUT = 8  # a cut text column keeps at least this many cells


def terminal_width() -> int:
    """The terminal's width (COLUMNS when set); 80 when the output is not a terminal."""
    return max(shutil.get_terminal_size((80, 24)).columns, 20)


def _width(text: str) -> int:
    """Terminal cells: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """Cut `text` to `width` cells, ending in an ellipsis when something was cut."""
    if _width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        if used + _width(ch) > width - 1:
            break
        out.append(ch)
        used += _width(ch)
    return "".join(out) + "…"


def _chunks(text: str) -> Iterator[str]:
    """What a line may break around: runs of spaces, each wide (Chinese) character, and runs of
    anything else (words)."""
    run = ""
    for ch in text:
        wide = _width(ch) == 2
        if run and (wide or ch.isspace() != run[0].isspace()):
            yield run
            run = ""
        if wide:
            yield ch
        else:
            run += ch
    if run:
        yield run


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells, broken at spaces or between Chinese characters; a word is
    split only when it is longer than a whole line."""
    lines: list[str] = []
    line, space = "", ""
    for chunk in _chunks(text):
        if chunk.isspace():
            space = chunk if line else ""
            continue
        if _width(line + space + chunk) <= width:
            line, space = line + space + chunk, ""
            continue
        if line:
            lines.append(line)
        while _width(chunk) > width:  # a word longer than the line: cut, as nothing else will do
            head = _fit(chunk, width + 1)[:-1]
            lines.append(head)
            chunk = chunk[len(head):]
        line, space = chunk, ""
    return [*lines, line] if line or not lines else lines


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], *,
                keep: Iterable[str] = ()) -> None:
    """A table that fits the terminal. Empty columns are left out; when the rest do not fit, free
    text is cut, then what `_GIVES_UP` lists goes in its order (`keep` names columns that must
    stay), said once on stderr; when even then a row would not fit, each row is shown as a block of
    `field value` lines."""
    total = terminal_width()
    shown = [(key, heading) for key, heading in columns if not rows or any(_cell(key, r.get(key)) for r in rows)]
    cells = {key: [_cell(key, row.get(key)) for row in rows] for key, _heading in shown}
    left_out: list[str] = []
    gap = _GAPS[0]
    while (widths := _widths(shown, cells, total, gap, keep)) is None:
        timed = [key for key, _heading in shown if key in _MOMENTS and any(len(value) > 10 for value in cells[key])]
        going = next((key for key in _GIVES_UP if (key == _TIME_OF_DAY and timed) or (
            key not in keep and key in dict(shown) and (key not in _SAME_FOR_ALL or len(set(cells[key])) == 1))),
                     None)
        if going == _TIME_OF_DAY:
            for key in timed:
                cells[key] = [value[:10] for value in cells[key]]
            continue
        if going is None and gap != _GAPS[-1]:
            gap = _GAPS[-1]
            continue
        if going is None:
            _print_blocks(rows, columns, total)
            return
        shown = [(key, heading) for key, heading in shown if key != going]
        heading = dict(columns)[going] or going
        left_out.append(_("{heading} (all {value})", heading=heading, value=cells[going][0])
                        if going in _SAME_FOR_ALL else heading)
    if left_out:
        said = "note: " + _("left out to fit {width} columns: {columns} (--format json shows every field)",
                            width=total, columns=", ".join(left_out))
        write_line("\n".join(wrap(said, total)), err=True)
    for index in range(-1, len(rows)):
        parts = []
        for (key, heading), width in zip(shown, widths, strict=True):
            text = _fit(heading if index < 0 else cells[key][index], width)
            pad = " " * (width - _width(text))
            parts.append(pad + text if key in _NUMERIC else text + pad)
        write_line(gap.join(parts).rstrip())


def _widths(shown: Sequence[tuple[str, str]], cells: dict[str, list[str]], total: int, gap: str,
            keep: Iterable[str]) -> list[int] | None:
    """Each column's width, free text cut as far as it may be (not what `keep` names), or None when
    they cannot fit `total`."""
    widths = [max([_width(heading), *map(_width, cells[key])]) for key, heading in shown]
    spare = total - sum(widths) - len(gap) * (len(shown) - 1)
    cuttable = [i for i, (key, _heading) in enumerate(shown) if key in _CUTTABLE and key not in keep]
    while spare < 0 and cuttable:
        widest = max(cuttable, key=lambda i: widths[i])
        if widths[widest] <= _NARROWEST_CUT:
            break
        widths[widest] -= 1
        spare += 1
    return widths if spare >= 0 else None


def _print_blocks(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], total: int) -> None:
    """Each row as a short block of `field value` lines: for a screen too narrow for a table."""
    for index, row in enumerate(rows):
        if index:
            write_line("")
        _print_pairs([(heading or key, _cell(key, row.get(key))) for key, heading in columns
                      if _cell(key, row.get(key))], total)


def _cell(key: str, value: Any) -> str:
    if key in _MOMENTS and value:
        return value[:16].replace("T", " ")  # minutes are enough on screen; JSON keeps the offset
    if value is None:
        return ""
    if key in _NAMED:
        value = _named(value)
    if isinstance(value, bool):
        return _("yes") if value else ""
    if isinstance(value, list):
        return str(len(value))
    # Escaped before it is measured, so that the columns line up as shown.
    return shown_safely(str(value).replace("\n", " ⏎ ").replace("\t", " "))


def print_fields(data: dict[str, Any], labels: dict[str, str], keys: Iterable[str] | None = None) -> None:
    """`label  value` lines, for one card or one record (`labels` are catalog messages, by key);
    long values wrap under themselves."""
    pairs = []
    for key in keys or data:
        value = data.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value) if value else ""
        elif key in _NAMED:
            value = _named(value)
        pairs.append((_(labels[key]) if key in labels else key, "" if value is None else str(value)))
    _print_pairs(pairs, terminal_width())


def _print_pairs(pairs: Sequence[tuple[str, str]], total: int) -> None:
    """`key  value` lines; a value with a word too long to stand beside its key (a long reference)
    goes on the lines below it, indented, so that the word is never split."""
    width = max(_width(key) for key, _value in pairs)
    beside = max(total - width - 2, 10)
    for key, text in pairs:
        value = shown_safely(text, lines=True)
        label = key + " " * (width - _width(key))
        if any(_width(word) > beside for word in value.split()):
            write_line(label.rstrip())
            label, width_here, indent = "", total - 4, "    "
        else:
            width_here, indent = beside, " " * width + "  "
        lines = [part for line in value.split("\n") for part in wrap(line, width_here)]
        for number, line in enumerate(lines):
            start = f"{label}  " if number == 0 and label else indent
            write_line(f"{start}{line}".rstrip())


def print_wrapped(text: str, indent: str = "  ", hanging: str = "      ") -> None:
    """One line of text in the terminal's width, continued under itself with `hanging` indent."""
    for number, line in enumerate(wrap(shown_safely(text), terminal_width() - len(hanging))):
        write_line((hanging if number else indent) + line)


def add_bars(rows: list[dict[str, Any]], value_key: str, group_key: str, width: int = 20) -> None:
    """A `bar` for each row, scaled to the largest value of its group (amounts never mix currencies)."""
    largest: dict[str, float] = {}
    for row in rows:
        largest[row[group_key]] = max(largest.get(row[group_key], 0.0), float(row[value_key]))
    for row in rows:
        top = largest[row[group_key]]
        row["bar"] = "█" * round(width * float(row[value_key]) / top) if top else ""


def _named(word: str) -> str | None:
    """A stored word by its name; the names load with the first table, not with every command."""
    from ledger.domain.named import named

    return named(word)
