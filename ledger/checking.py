"""`topup check`: the guide's advice before paying, in one look.

Compare the number with the one typed into the kiosk or app, stay within the single top-up
limit and the balance cap, do not pay twice, and know when the card's validity ends.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ledger import db, queries
from ledger.money import format_minor, parse_amount
from ledger.reports import validity
from ledger.times import from_stored, local_iso, now_utc
from ledger.values import mask_number

_RECENT_HOURS = 24


def check_before_paying(path: Path, label: str, amount_text: str, reveal: bool = False) -> dict[str, Any]:
    """What to compare and watch before paying `amount_text` onto a card.

    `problems` are limits that paying would break (the command exits 1); `warnings` are things
    to look at first."""
    now = now_utc()
    with db.connection(path) as conn:
        card = queries.find_card(conn, label)
        amount = parse_amount(amount_text, card["currency"]).minor
        last = conn.execute(
            "SELECT id, occurred_at_utc, amount_minor, channel, ref, outcome FROM topup "
            "WHERE card_id = ? AND status != 'void' ORDER BY occurred_at_utc DESC, id DESC LIMIT 1", (card["id"],),
        ).fetchone()
        balance = conn.execute(
            "SELECT balance_after_minor FROM topup WHERE card_id = ? AND status != 'void' AND outcome = 'credited' "
            "AND balance_after_minor IS NOT NULL ORDER BY occurred_at_utc DESC, id DESC LIMIT 1", (card["id"],),
        ).fetchone()
        pending = [row[0] for row in conn.execute(
            "SELECT id FROM topup WHERE card_id = ? AND status != 'void' AND outcome = 'pending' ORDER BY id",
            (card["id"],))]
        ends = validity(conn, card["id"])

    def money(minor: int | None) -> str | None:
        return None if minor is None else format_minor(minor, card["currency"])

    after = None if balance is None else balance[0] + amount
    result: dict[str, Any] = {
        "card": card["label"], "kind": card["kind"],
        "number": card["number"] if reveal else mask_number(card["number"]), "issuer": card["issuer"],
        "currency": card["currency"], "amount": money(amount), "max_topup": money(card["max_topup_minor"]),
        "last_balance": money(balance and balance[0]), "balance_after": money(after),
        "max_balance": money(card["max_balance_minor"]), "last_topup": None,
        "valid_until": ends[0][3].isoformat() if ends else None,
        "problems": _problems(card, amount, after, money), "warnings": [],
    }
    if last is not None:
        result["last_topup"] = dict(zip(("id", "occurred_at", "amount", "channel", "ref", "outcome"),
                                        (last[0], local_iso(last[1]), money(last[2]), *last[3:]), strict=True))
    result["warnings"] = _warnings(last, pending, result["valid_until"], now, money)
    return result


def _problems(card: dict[str, Any], amount: int, after: int | None, money: Any) -> list[str]:
    problems = []
    if card["retired_at_utc"] is not None:
        problems.append(f"card {card['label']!r} is retired")
    if card["max_topup_minor"] is not None and amount > card["max_topup_minor"]:
        problems.append(f"{money(amount)} is over the single top-up limit of {money(card['max_topup_minor'])}")
    if card["max_balance_minor"] is not None and after is not None and after > card["max_balance_minor"]:
        problems.append(f"the balance would be {money(after)}, over the cap of {money(card['max_balance_minor'])}")
    return problems


def _warnings(last: Any, pending: list[int], valid_until: str | None, now: datetime, money: Any) -> list[str]:
    warnings = []
    if last is not None:
        hours = (now - from_stored(last[1])).total_seconds() / 3600
        if hours < _RECENT_HOURS:
            warnings.append(f"this card was topped up {money(last[2])} {hours:.0f} hour(s) ago "
                            f"(record {last[0]}); make sure you are not paying twice")
    warnings += [f"record {record_id} is still pending; chase it before paying again" for record_id in pending]
    if valid_until is not None and valid_until < now.astimezone().date().isoformat():
        warnings.append(f"the card's validity ended on {valid_until}")
    return warnings
