"""Rendering for the command line: tables for people, JSON for scripts. Only the CLI prints."""

from __future__ import annotations

import json
import shutil
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# Columns that give way (with an ellipsis) when a row is wider than the terminal.
_FLEXIBLE = frozenset({"card", "label", "ref", "note", "merchant", "issuer", "bar", "why", "item"})
_NUMERIC = frozenset({"id", "line", "amount", "paid", "balance_after", "count", "total", "pending", "records",
                      "days_left"})
_GAP = "  "


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


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> None:
    """A table that fits the terminal (80 columns when not one); long text ends in an ellipsis."""
    total = shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80
    cells = [[_cell(key, row.get(key)) for key, _ in columns] for row in rows]
    widths = [max([_width(heading), *(_width(line[i]) for line in cells)]) for i, (_, heading) in enumerate(columns)]
    flexible = [i for i, (key, _) in enumerate(columns) if key in _FLEXIBLE]
    spare = total - sum(widths) - len(_GAP) * (len(columns) - 1)
    # Take what is missing from the widest flexible column, a cell at a time, never below 4 cells.
    while spare < 0 and flexible:
        widest = max(flexible, key=lambda i: widths[i])
        if widths[widest] <= 4:
            break
        widths[widest] -= 1
        spare += 1
    for line in [[heading for _, heading in columns], *cells]:
        parts = []
        for i, (key, _) in enumerate(columns):
            text = _fit(line[i], widths[i])
            pad = " " * (widths[i] - _width(text))
            parts.append(pad + text if key in _NUMERIC else text + pad)
        sys.stdout.write(_GAP.join(parts).rstrip() + "\n")


def _cell(key: str, value: Any) -> str:
    if key in ("occurred_at", "created_at", "last_topup_at") and value:
        return value[:16].replace("T", " ")  # minutes are enough on screen; JSON keeps the offset
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, list):
        return str(len(value))
    return str(value).replace("\n", " ⏎ ").replace("\t", " ")


def print_fields(data: dict[str, Any], keys: Iterable[str] | None = None) -> None:
    """`key: value` lines, for one card or one record."""
    keys = list(keys or data)
    width = max(len(k) for k in keys)
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value) if value else ""
        sys.stdout.write(f"{key:<{width}}  {'' if value is None else value}\n")


def add_bars(rows: list[dict[str, Any]], value_key: str, group_key: str, width: int = 20) -> None:
    """A `bar` for each row, scaled to the largest value of its group (amounts never mix currencies)."""
    largest: dict[str, float] = {}
    for row in rows:
        largest[row[group_key]] = max(largest.get(row[group_key], 0.0), float(row[value_key]))
    for row in rows:
        top = largest[row[group_key]]
        row["bar"] = "█" * round(width * float(row[value_key]) / top) if top else ""
