"""Totals over time, cards and channels, and the cards whose validity is about to end."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ledger import db
from ledger.errors import InvalidInput
from ledger.money import format_minor
from ledger.search import Filters, where_clause
from ledger.times import from_stored, local_iso, now_utc
from ledger.values import mask_number

GROUPINGS = {
    "month": "strftime('%Y-%m', t.occurred_at_utc, 'localtime')",
    "card": "c.label",
    "channel": "t.channel",
}


def report(path: Path, by: str, filters: Filters) -> list[dict[str, Any]]:
    """Count, credited total and pending total for each group and currency; currencies never mix."""
    if by not in GROUPINGS:
        raise InvalidInput(f"--by must be one of {', '.join(GROUPINGS)}")
    with db.connection(path) as conn:
        where, params = where_clause(conn, filters)
        sql = f"""
            SELECT {GROUPINGS[by]} AS grp, t.currency, count(*),
                   total(CASE WHEN t.outcome = 'credited' THEN t.amount_minor END),
                   total(CASE WHEN t.outcome = 'pending' THEN t.amount_minor END)
              FROM topup AS t JOIN card AS c ON c.id = t.card_id
              {where}
             GROUP BY grp, t.currency
             ORDER BY grp, t.currency"""
        rows = conn.execute(sql, params).fetchall()
    return [
        {by: group, "currency": currency, "count": count,
         "total": format_minor(int(total), currency), "pending": format_minor(int(pending), currency)}
        for group, currency, count, total, pending in rows
    ]


def validity(conn: sqlite3.Connection, card_id: int | None = None) -> list[tuple[Any, ...]]:
    """(label, kind, number, validity end, last top-up time) for cards in use that have an end date.

    A card's validity ends on the latest `valid_until` among its credited top-ups, or its
    validity period counted from its last credited top-up, whichever is later.
    """
    rows = conn.execute(
        """
        SELECT c.label, c.kind, c.number, c.validity_days, max(t.valid_until), max(t.occurred_at_utc)
          FROM card AS c JOIN topup AS t ON t.card_id = c.id
         WHERE c.retired_at_utc IS NULL AND t.status != 'void' AND t.outcome = 'credited' AND (? IS NULL OR c.id = ?)
         GROUP BY c.id
        """, (card_id, card_id),
    ).fetchall()
    found = []
    for label, kind, number, validity_days, valid_until, last_at in rows:
        ends = [date.fromisoformat(valid_until)] if valid_until else []
        if validity_days:
            ends.append(from_stored(last_at).astimezone().date() + timedelta(days=validity_days))
        if ends:
            found.append((label, kind, number, max(ends), last_at))
    return found


def due(path: Path, within_days: int, today: date | None = None) -> list[dict[str, Any]]:
    """Cards in use whose validity ends within `within_days` (or has ended), soonest first."""
    if within_days < 0:
        raise InvalidInput("--within must be 0 or more days")
    today = today or now_utc().astimezone().date()
    with db.connection(path) as conn:
        rows = validity(conn)
    found = [
        {"card": label, "kind": kind, "number": mask_number(number), "valid_until": end.isoformat(),
         "days_left": (end - today).days, "last_topup_at": local_iso(last_at)}
        for label, kind, number, end, last_at in rows
        if (end - today).days <= within_days
    ]
    return sorted(found, key=lambda row: (row["valid_until"], row["card"]))
