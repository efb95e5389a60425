"""Totals over time, cards and channels, and the cards whose validity is about to end."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ledger import store
from ledger.errors import InvalidInput
from ledger.money import format_minor, parse_amount
from ledger.search import Filters, where_clause
from ledger.service import session_for
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
    with session_for(path, write=False) as session:
        where, params = where_clause(session, filters)
        sql = f"""
            SELECT {GROUPINGS[by]} AS grp, t.currency, count(*),
                   total(CASE WHEN t.outcome = 'credited' THEN t.amount_minor END),
                   total(CASE WHEN t.outcome = 'pending' THEN t.amount_minor END)
              FROM topup AS t JOIN card AS c ON c.id = t.card_id
              {where}
             GROUP BY grp, t.currency
             ORDER BY grp, t.currency"""
        rows = session.connection().exec_driver_sql(sql, tuple(params)).fetchall()
    return [
        {by: group, "currency": currency, "count": count,
         "total": format_minor(int(total), currency), "pending": format_minor(int(pending), currency)}
        for group, currency, count, total, pending in rows
    ]


def _validity(session: Any, card_id: int | None = None) -> list[tuple[Any, ...]]:
    """(label, kind, number, validity end, last top-up time) for cards in use that have an end date.

    A card's validity ends on the latest `valid_until` among its credited top-ups, or its
    validity period counted from its last credited top-up, whichever is later.
    """
    rows = session.connection().exec_driver_sql(
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
    with session_for(path, write=False) as session:
        rows = _validity(session)
    found = [
        {"card": label, "kind": kind, "number": mask_number(number), "valid_until": end.isoformat(),
         "days_left": (end - today).days, "last_topup_at": local_iso(last_at)}
        for label, kind, number, end, last_at in rows
        if (end - today).days <= within_days
    ]
    return sorted(found, key=lambda row: (row["valid_until"], row["card"]))


def check_before_paying(path: Path, label: str, amount_text: str, reveal: bool = False) -> dict[str, Any]:
    """The guide's advice before paying: the number to compare, the limit, the cap, the last top-up, validity.

    `problems` are limits that paying would break; `warnings` are things to look at first."""
    now = now_utc()
    with session_for(path, write=False) as session:
        card = store.find_card(session, label)
        amount = parse_amount(amount_text, card.currency)
        conn = session.connection()
        last = conn.exec_driver_sql(
            "SELECT id, occurred_at_utc, amount_minor, channel, ref, outcome FROM topup "
            "WHERE card_id = ? AND status != 'void' ORDER BY occurred_at_utc DESC, id DESC LIMIT 1", (card.id,),
        ).fetchone()
        balance = conn.exec_driver_sql(
            "SELECT balance_after_minor, occurred_at_utc FROM topup WHERE card_id = ? AND status != 'void' "
            "AND outcome = 'credited' AND balance_after_minor IS NOT NULL ORDER BY occurred_at_utc DESC, id DESC LIMIT 1",
            (card.id,),
        ).fetchone()
        pending = [row[0] for row in conn.exec_driver_sql(
            "SELECT id FROM topup WHERE card_id = ? AND status != 'void' AND outcome = 'pending' ORDER BY id", (card.id,))]
        validity = _validity(session, card.id)
    money = lambda minor: None if minor is None else format_minor(minor, card.currency)  # noqa: E731
    result: dict[str, Any] = {
        "card": card.label, "kind": card.kind, "number": card.number if reveal else mask_number(card.number),
        "issuer": card.issuer, "currency": card.currency, "amount": money(amount.minor),
        "max_topup": money(card.max_topup_minor), "last_balance": None, "balance_after": None,
        "max_balance": money(card.max_balance_minor), "last_topup": None, "valid_until": None,
        "problems": [], "warnings": [],
    }
    if card.retired_at_utc is not None:
        result["problems"].append(f"card {card.label!r} is retired")
    if card.max_topup_minor is not None and amount.minor > card.max_topup_minor:
        result["problems"].append(f"{money(amount.minor)} is over the single top-up limit of {money(card.max_topup_minor)}")
    if balance is not None:
        result["last_balance"] = money(balance[0])
        result["balance_after"] = money(balance[0] + amount.minor)
        if card.max_balance_minor is not None and balance[0] + amount.minor > card.max_balance_minor:
            result["problems"].append(
                f"the balance would be {money(balance[0] + amount.minor)}, over the cap of {money(card.max_balance_minor)}")
    if last is not None:
        last_id, last_at, last_minor, channel, ref, outcome = last
        result["last_topup"] = {"id": last_id, "occurred_at": local_iso(last_at), "amount": money(last_minor),
                                "channel": channel, "ref": ref, "outcome": outcome}
        hours = (now - from_stored(last_at)).total_seconds() / 3600
        if hours < 24:
            result["warnings"].append(f"this card was topped up {money(last_minor)} {hours:.0f} hour(s) ago "
                                      f"(record {last_id}); make sure you are not paying twice")
    for record_id in pending:
        result["warnings"].append(f"record {record_id} is still pending; chase it before paying again")
    if validity:
        end = validity[0][3]
        result["valid_until"] = end.isoformat()
        if end < now.astimezone().date():
            result["warnings"].append(f"the card's validity ended on {end.isoformat()}")
    return result
