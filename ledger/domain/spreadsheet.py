"""The spreadsheet guard: text that a spreadsheet must show as text, never run or reformat.

OWASP's advice for CSV injection: a leading apostrophe before `= + - @`, tab and carriage return
(and their full-width forms). The same apostrophe keeps a long digit string (a reference) from
becoming `1.23457E+19`, and guards text that starts with an apostrophe itself, so that `unguard`
gives back exactly what was written. `store.sqlite.projection` computes the same rule in SQL.
"""

from __future__ import annotations

import re

FORMULA_STARTS = tuple("=+-@\t\r＝＋－＠'")
NUMBER_LIKE = re.compile(r"[0-9][0-9.,]*")


def guard(text: str) -> str:
    """Make a text cell safe to open in a spreadsheet, and keep digit strings as text."""
    if text.startswith(FORMULA_STARTS) or NUMBER_LIKE.fullmatch(text):
        return "'" + text
    return text


def unguard(text: str) -> str:
    """Undo `guard`: the exact text that was exported."""
    if text.startswith("'") and guard(text[1:]) == text:
        return text[1:]
    return text
