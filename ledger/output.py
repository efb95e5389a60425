"""Rendering for the CLI: tables for people, JSON and CSV for scripts. Only the CLI calls this."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], title: str | None = None) -> None:
    """A table that fits the terminal (80 columns when not one); long text ends in an ellipsis."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 80, soft_wrap=False)
    table = Table(title=title, box=None, pad_edge=False, header_style="bold")
    for key, heading in columns:
        numeric = key in {"id", "amount", "paid", "balance_after", "count", "total", "records"}
        table.add_column(heading, justify="right" if numeric else "left", overflow="ellipsis", no_wrap=True,
                         min_width=2)
    for row in rows:
        table.add_row(*(_cell(row.get(key)) for key, _ in columns))
    console.print(table)


def _cell(value: Any) -> str:
    from rich.markup import escape

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, list):
        return str(len(value))
    return escape(str(value).replace("\n", " ⏎ "))


def print_fields(data: dict[str, Any], keys: Iterable[str] | None = None) -> None:
    """`key: value` lines, for one card or one record."""
    keys = list(keys or data)
    width = max(len(k) for k in keys)
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value) if value else ""
        sys.stdout.write(f"{key:<{width}}  {'' if value is None else value}\n")
