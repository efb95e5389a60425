"""What the pages show, made from what the core returns: the months' chart, receipts, versions, cards.

Nothing here decides anything the command line would decide differently: values, limits and
refusals all come from the service calls the pages make.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.domain.cards import CardView
from ledger.domain.channels import Channel
from ledger.domain.fields import HISTORY_FIELDS, LABELS, PUBLIC_FIELDS, SETTABLE, Kind, RecordField, Version, changes
from ledger.domain.named import named
from ledger.domain.receipts import ReceiptFile, how_shown
from ledger.domain.rules import cited
from ledger.domain.times import parse_period
from ledger.i18n import N_, _, capitalized
from ledger.service.finding import PAGE, Totals, Validity
from ledger.service.topups import LOGGED_OUTCOMES

CHANNELS = [channel.value for channel in Channel]
RECORDS_SHOWN = PAGE  # a page's worth; "more" shows as many again
CHART_MONTHS = 12
DUE_WITHIN = 30  # days, as `topup due` looks ahead by default


# The fields whose values are such words.
_CODED = frozenset(spec.name for spec in PUBLIC_FIELDS if spec.kind in (Kind.code, Kind.card_kind))


def shown_value(key: str, value: Any) -> Any:
    """A record field's value as a page shows it: a stored word by its name, anything else as it is."""
    return named(value) if key in _CODED and isinstance(value, str) else value


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
        return since, (_month(parse_period(since).start.astimezone().date()),)
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


def charts(report: list[Totals], first: str | None = None, last: str | None = None) -> list[Chart]:
    """One bar chart of credited totals per currency (currencies never mix), a bar for every month
    from `first` (or the report's first) to `last` (or its last), the newest twelve of them."""
    by_currency: dict[str, dict[str, Totals]] = {}
    for totals in report:
        by_currency.setdefault(totals.currency, {})[totals.group] = totals
    made = []
    for currency, months_with_totals in sorted(by_currency.items()):
        start = _month_number(min([*months_with_totals, *([first] if first else [])]))
        end = _month_number(max([*months_with_totals, *([last] if last else [])]))
        months = [f"{n // 12:04d}-{n % 12 + 1:02d}" for n in range(max(start, end - CHART_MONTHS + 1), end + 1)]
        shown = [(totals.total, totals.count) if (totals := months_with_totals.get(month)) else ("0", 0)
                 for month in months]
        largest = max(Decimal(total) for total, _ in shown) or Decimal(1)
        step = 32  # twelve bars fill a phone's width with labels it can still show legibly
        bars = [Bar(month, total, count, index * step, int(Decimal(total) / largest * 90))
                for index, (month, (total, count)) in enumerate(zip(months, shown, strict=True))]
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


def versions(history: list[Version]) -> list[dict[str, Any]]:
    """Every version with its values (key, label to look up, value as shown), and which of them changed from
    the version before."""
    shown = []
    for version, changed in zip(history, changes(history), strict=True):
        kept = [(key, LABELS[key], shown_value(key, value)) for key in HISTORY_FIELDS
                if (value := version["content"].get(key)) not in (None, "")]
        shown.append({**version, "changed": changed, "values": kept})
    return shown


def cards(views: list[CardView], validity: list[Validity]) -> list[dict[str, Any]]:
    """Cards with their validity, days left and their profile's rules as people read them: those due
    within 30 days first, soonest first; then the others in use; retired cards last."""
    ends = {line.card: line for line in validity}
    shown = [{**view, "valid_until": end.valid_until if (end := ends.get(view["label"])) else None,
              "days_left": end.days_left if end else None,
              "rules": [cited(rule) for rule in view.get("rules", [])]} for view in views]

    def order(card: dict[str, Any]) -> tuple[int, int]:
        due = card["days_left"] is not None and card["days_left"] <= DUE_WITHIN
        return (2 if card["retired"] else 0 if due else 1, card["days_left"] if due else 0)

    return sorted(shown, key=order)


# The log form: these fields up front, every other field a person sets under "More".
UP_FRONT = ("amount", "channel", "at", "ref", "note")
_CHOICES = {"channel": CHANNELS, "outcome": [outcome.value for outcome in LOGGED_OUTCOMES]}
_TEXT_AREAS = ("note",)  # free text of several lines
# Examples in an empty field, looked up when shown (a number or a date is the same in every catalog).
_PLACEHOLDERS = {"amount": "100", "at": N_("now, or 2026-11-25 18:42"), "valid_until": "2027-11-25"}
# The form's fields that are not record fields, and the checkbox that logs what a limit would refuse.
CARD_LABEL = N_("Card")
SMS_LABEL = N_("Confirmation message")
FORCE_LABEL = N_("Log it anyway")
# The records page's filters, by their names in its form (those of `finding.Filters`' options).
FILTER_LABELS = {"card": CARD_LABEL, "channel": N_("Channel"), "since": N_("Since"), "until": N_("Until"),
                 "min": N_("Min"), "max": N_("Max"), "ref": N_("Reference"), "outcome": N_("Outcome")}


@dataclass(frozen=True)
class FormField:
    """A field of the log form: what it sets, what it is called, and how it is typed."""

    key: str  # the form's field name: the option's (`RecordField.key`)
    label: str  # a catalog message, looked up when shown
    input: str  # text, decimal, area or choice
    default: str | None = None  # a choice's value when none is chosen
    choices: tuple[str, ...] = ()  # stored words: the values sent; their names are shown
    placeholder: str = ""  # a catalog message, looked up when shown


def _form_field(spec: RecordField) -> FormField:
    if spec.key in _CHOICES:
        choices = tuple(choice for choice in _CHOICES[spec.key] if choice != spec.default)
        return FormField(spec.key, spec.label, "choice", spec.default, choices)
    kind = "decimal" if spec.kind is Kind.money else "area" if spec.key in _TEXT_AREAS else "text"
    return FormField(spec.key, spec.label, kind, placeholder=_PLACEHOLDERS.get(spec.key, ""))


def log_form() -> tuple[list[FormField], list[FormField]]:
    """The fields of the log form: those up front, and the others under "More"."""
    every = [_form_field(spec) for spec in SETTABLE]
    return [f for f in every if f.key in UP_FRONT], [f for f in every if f.key not in UP_FRONT]


def option_name(key: str, example: str | None = None) -> str:
    """An option named in a message, as the log form or the records page's filters name it: its
    field's label in quotes, and for `force` the checkbox to tick; with an example, the value to
    type. An option no page has a field for keeps its command-line name."""
    if example is not None:
        return example
    if key == "force":
        return _("tick “{label}”", label=_(FORCE_LABEL))
    up_front, more = log_form()
    labels = FILTER_LABELS | {field.key: field.label for field in (*up_front, *more)} | {"sms": SMS_LABEL}
    if key not in labels:
        return "--" + key.replace("_", "-")
    return _("“{label}”", label=capitalized(_(labels[key])))


# A record's page: its fields, but those its heading and receipts already show.
_SHOWN_APART = ("id", "card", "card_kind", "amount", "currency", "receipts")
RECORD_FIELDS = [(spec.name, spec.label) for spec in PUBLIC_FIELDS if spec.name not in _SHOWN_APART]
