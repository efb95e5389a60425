"""Reading records back: one with its history, a search, a streamed export.

These only read, through a plain sqlite3 connection, so they never load SQLAlchemy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ledger import db, queries
from ledger.money import format_minor
from ledger.records import RECORD_FIELDS, record_from_row
from ledger.search import Filters, record_query
from ledger.times import local_iso


def show_record(path: Path, topup_id: int) -> dict[str, Any]:
    """One record with its receipt files and every version in its history."""
    with db.connection(path) as conn:
        record = queries.get_record(conn, topup_id)
        record["history"] = [
            {"version": v["version"], "action": v["action"], "reason": v["reason"],
             "recorded_at": local_iso(v["recorded_at_utc"]), "digest": v["digest"],
             "content": _version_fields(v["content"])}
            for v in queries.versions(conn, topup_id)
        ]
        return record


def _version_fields(content: str) -> dict[str, Any]:
    """A version's stored content in the form records are shown in."""
    body = json.loads(content)
    currency = body["currency"]

    def money(minor: int | None) -> str | None:
        return None if minor is None else format_minor(minor, currency)

    return {
        "amount": money(body["amount_minor"]), "paid": money(body["paid_minor"]), "currency": currency,
        "channel": body["channel"], "outcome": body["outcome"], "occurred_at": local_iso(body["occurred_at_utc"]),
        "ref": body["ref"], "merchant": body["merchant"], "note": body["note"],
        "balance_after": money(body["balance_after_minor"]), "valid_until": body["valid_until"],
        "status": body["status"], "receipts": len(body["receipts"]),
    }


def search_records(path: Path, filters: Filters) -> list[dict[str, Any]]:
    """Matching records, newest first."""
    with db.connection(path) as conn:
        sql, params = record_query(conn, filters)
        return [record_from_row(row) for row in conn.execute(sql, params)]


def export_records(path: Path, filters: Filters, stream: Any, fmt: str, *, bom: bool = True,
                   newest_first: bool = False) -> int:
    """Stream every matching record to `stream` as CSV or JSON; returns the count."""
    from ledger import exporting
    from ledger.records import csv_select

    with db.connection(path) as conn:  # the cursor streams rows one at a time
        if fmt == "json":
            sql, params = record_query(conn, filters, newest_first=newest_first)
            return exporting.write_json(stream, (record_from_row(row) for row in conn.execute(sql, params)))
        sql, params = record_query(conn, filters, newest_first=newest_first, select=csv_select())
        return exporting.write_csv_lines(stream, conn.execute(sql, params), RECORD_FIELDS, bom=bom)


def export_to_file(path: Path, filters: Filters, target: Path, fmt: str, *, bom: bool = True) -> int:
    """Export into `target`, which appears only once it is complete."""
    from ledger.files import replaced_when_done

    with replaced_when_done(target) as partial, partial.open("w", encoding="utf-8", newline="") as stream:
        return export_records(path, filters, stream, fmt, bom=bom)
