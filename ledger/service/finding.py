"""Finding records again: one with its history, a search, a streamed export, totals, and the
cards whose validity is about to end. These only read."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from ledger.domain.fields import FIELD_NAMES, Record, ShownRecord, Version
from ledger.domain.money import format_minor
from ledger.domain.times import from_stored, local_iso, now_utc
from ledger.domain.values import mask_number
from ledger.errors import InvalidInput
from ledger.store import reads, search
from ledger.store.db import Tx
from ledger.store.projection import csv_select, record_from_row
from ledger.store.search import Filters

__all__ = ["Filters", "due", "export_records", "export_to_file", "report", "search_records", "show_record"]


def show_record(tx: Tx, topup_id: int) -> ShownRecord:
    """One record with its receipt files and every version in its history."""
    from ledger.domain import chain  # loads hashlib, which searches and exports do without

    record = reads.get_record(tx.conn, topup_id)  # refuses a record that does not exist
    history: list[Version] = [
        {"version": v["version"], "action": v["action"], "reason": v["reason"],
         "recorded_at": local_iso(v["recorded_at_utc"]) or "", "digest": v["digest"],
         "content": chain.version_fields(v["content"])}
        for v in reads.versions(tx.conn, topup_id)
    ]
    return {**record, "history": history}


def search_records(tx: Tx, filters: Filters) -> list[Record]:
    """Matching records, newest first."""
    return [record_from_row(row) for row in search.matching(tx.conn, filters)]


def export_records(tx: Tx, filters: Filters, stream: TextIO, fmt: str, *, bom: bool = True, guard: bool = True,
                   newest_first: bool = False) -> int:
    """Stream every matching record to `stream` as CSV, a JSON array or JSON lines; returns the count.
    CSV is `guard`ed for spreadsheets unless it is for programs."""
    from ledger.output import formats

    if fmt == "xlsx":
        raise InvalidInput("a workbook is a file: give it one with --output FILE.xlsx")
    if fmt in ("json", "jsonl"):
        rows = search.matching(tx.conn, filters, newest_first=newest_first)
        write = formats.write_json if fmt == "json" else formats.write_json_lines
        return write(stream, (record_from_row(row) for row in rows))
    lines = search.matching(tx.conn, filters, newest_first=newest_first, select=csv_select(guard))
    return formats.write_csv_lines(stream, lines, FIELD_NAMES, bom=bom)


def export_to_file(tx: Tx, filters: Filters, target: Path, fmt: str, *, bom: bool = True, guard: bool = True) -> int:
    """Export into `target`, which appears only once it is complete."""
    from ledger.output.files import replaced_when_done

    if fmt == "xlsx":
        from ledger.output.workbook import write_workbook

        rows = search.matching(tx.conn, filters, newest_first=False)
        with replaced_when_done(target, ledger=tx.path) as partial:
            return write_workbook(partial, (record_from_row(row) for row in rows))
    with replaced_when_done(target, ledger=tx.path) as partial, \
            partial.open("w", encoding="utf-8", newline="") as stream:
        return export_records(tx, filters, stream, fmt, bom=bom, guard=guard)


def report(tx: Tx, by: str, filters: Filters) -> list[dict[str, Any]]:
    """For each group and currency (currencies never mix): how many top-ups were credited and their
    total, so that count and total describe the same records; then the pending ones (how many and
    how much) and how many failed or were refunded."""
    if by not in search.REPORT_GROUPINGS:
        raise InvalidInput(f"--by must be one of {', '.join(search.REPORT_GROUPINGS)}")
    return [
        {by: group, "currency": currency, "count": count, "total": format_minor(int(total), currency),
         "pending": format_minor(int(pending), currency), "pending_count": pending_count,
         "failed_count": failed, "refunded_count": refunded}
        for group, currency, count, total, pending_count, pending, failed, refunded
        in search.report_rows(tx.conn, by, filters)
    ]


def card_validity(tx: Tx, card_id: int | None = None) -> list[tuple[Any, ...]]:
    """(label, kind, number, validity end, last top-up time) for cards in use that have an end date.

    The date the carrier stated on the card's newest top-up is the truth. Only when top-ups came
    after the last stated date is the card's validity period, counted from the last of them, used
    instead; with no period known, the last stated date stands.
    """
    found = []
    for label, kind, number, days, stated, stated_at, last_at in reads.validity_facts(tx.conn, card_id):
        if stated and (stated_at >= last_at or not days):
            end = date.fromisoformat(stated)
        elif days:
            end = from_stored(last_at).astimezone().date() + timedelta(days=days)
        else:
            continue
        found.append((label, kind, number, end, last_at))
    return found


def validity_ends(tx: Tx, today: date | None = None) -> list[dict[str, Any]]:
    """Every card in use whose validity has an end, with the days left (negative once ended), soonest first."""
    today = today or now_utc().astimezone().date()
    found = [
        {"card": label, "kind": kind, "number": mask_number(number), "valid_until": end.isoformat(),
         "days_left": (end - today).days, "last_topup_at": local_iso(last_at)}
        for label, kind, number, end, last_at in card_validity(tx)
    ]
    return sorted(found, key=lambda row: (row["valid_until"], row["card"]))


def due(tx: Tx, within_days: int, today: date | None = None) -> list[dict[str, Any]]:
    """Cards in use whose validity ends within `within_days` (or has ended), soonest first."""
    if within_days < 0:
        raise InvalidInput("--within must be 0 or more days")
    return [row for row in validity_ends(tx, today) if row["days_left"] <= within_days]
