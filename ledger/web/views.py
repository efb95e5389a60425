"""What the pages show, made from what the core returns: the months' chart, receipts, versions, cards.

Nothing here decides anything the command line would decide differently: values, limits and
refusals all come from the service calls the pages make.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.domain.channels import Channel
from ledger.domain.receipts import ReceiptFile, how_shown
from ledger.domain.times import parse_period

CHANNELS = [channel.value for channel in Channel]
RECORDS_SHOWN = 50  # a page's worth; "more" shows as many again
CHART_MONTHS = 12
DUE_WITHIN = 30  # days, as `topup due` looks ahead by default


@dataclass(frozen=True)
class Bar:
    month: str
    total: str
    count: int
    x: int
    height: int


@dataclass(frozen=True)
class Chart:
    currency: str
    bars: list[Bar]
    width: int
    height: int = 120


def chart_months(since: str | None, until: str | None, today: date) -> tuple[str | None, tuple[str, ...]]:
    """The chart's `since` filter, and the first and last months it shows whether they have top-ups
    or not: with no period asked, the last twelve months up to this one; else from the period's first."""
    if since:
        return since, (_month(parse_period(since)[0].astimezone().date()),)
    if until:
        return None, ()
    number = today.year * 12 + today.month - 1 - (CHART_MONTHS - 1)
    first = f"{number // 12:04d}-{number % 12 + 1:02d}"
    return first, (first, _month(today))


def _month(day: date) -> str:
    """A day's month as the report groups it."""
    return f"{day.year:04d}-{day.month:02d}"


def _month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def charts(report: list[dict[str, Any]], first: str | None = None, last: str | None = None) -> list[Chart]:
    """One bar chart of credited totals per currency (currencies never mix), a bar for every month
    from `first` (or the report's first) to `last` (or its last), the newest twelve of them."""
    by_currency: dict[str, dict[str, dict[str, Any]]] = {}
    for row in report:
        by_currency.setdefault(row["currency"], {})[row["month"]] = row
    made = []
    for currency, rows in sorted(by_currency.items()):
        start = _month_number(min([*rows, *([first] if first else [])]))
        end = _month_number(max([*rows, *([last] if last else [])]))
        months = [f"{n // 12:04d}-{n % 12 + 1:02d}" for n in range(max(start, end - CHART_MONTHS + 1), end + 1)]
        shown = [rows.get(month, {"total": "0", "count": 0}) for month in months]
        largest = max(Decimal(row["total"]) for row in shown) or Decimal(1)
        step = 40
        bars = [Bar(month, row["total"], row["count"], index * step, int(Decimal(row["total"]) / largest * 90))
                for index, (month, row) in enumerate(zip(months, shown, strict=True))]
        made.append(Chart(currency, bars, len(bars) * step))
    return made


def receipts(topup_id: int, files: list[ReceiptFile]) -> list[dict[str, Any]]:
    """Each receipt of a record with how the page shows it and where its file is served."""
    shown = []
    for index, receipt in enumerate(files, start=1):
        how = how_shown(receipt)
        shown.append({"name": receipt.name, "size": receipt.size, "sha256": receipt.sha256,
                      "media_type": receipt.media_type, "kind": how.kind, "text": how.text,
                      "url": f"/records/{topup_id}/receipts/{index}"})
    return shown


_VERSION_FIELDS = ("amount", "currency", "channel", "outcome", "status", "occurred_at", "ref", "merchant", "note",
                   "paid", "balance_after", "valid_until")


def versions(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every version with its values, and which of them changed from the version before."""
    shown, before = [], None
    for version in history:
        values = {key: version["content"].get(key) for key in _VERSION_FIELDS}
        changed = [key for key in _VERSION_FIELDS if before is not None and before[key] != values[key]]
        shown.append({**version, "values": {key: value for key, value in values.items() if value not in (None, "")},
                      "changed": changed})
        before = values
    return shown


def cards(views: list[dict[str, Any]], validity: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cards with their validity and days left: those due within 30 days first, soonest first; then
    the others in use; retired cards last."""
    ends = {row["card"]: row for row in validity}
    shown = [{**view, "valid_until": ends.get(view["label"], {}).get("valid_until"),
              "days_left": ends.get(view["label"], {}).get("days_left")} for view in views]

    def order(card: dict[str, Any]) -> tuple[int, int]:
        due = card["days_left"] is not None and card["days_left"] <= DUE_WITHIN
        return (2 if card["retired"] else 0 if due else 1, card["days_left"] if due else 0)

    return sorted(shown, key=order)
