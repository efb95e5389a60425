"""Finding records again: search, export (and the dispute pack), report, due."""

import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli import completion
from ledger.cli.app import ListFormat, app, ledger_location, list_format, open_ledger, render_list, say
from ledger.errors import LedgerError
from ledger.i18n import LANGUAGES, _

SEARCH_COLUMNS = [("id", _("id")), ("occurred_at", _("when")), ("card", _("card")), ("amount", _("amount")),
                  ("currency", _("cur")), ("channel", _("channel")), ("ref", _("ref")), ("merchant", _("merchant")),
                  ("note", _("note"))]

TextArg = Annotated[list[str] | None, typer.Argument(
    metavar="[TEXT]...",
    help=_("Part of a reference, merchant, note or card label; several words must all match."))]
CardOpt = Annotated[str | None, typer.Option(
    "--card", help=_("Only this card."), autocompletion=completion.card_labels)]
ChannelOpt = Annotated[str | None, typer.Option(
    "--channel", help=_("Only this channel."), autocompletion=completion.channel_names)]
SinceOpt = Annotated[str | None, typer.Option("--since", help=_("From this time, day, month (2026-11) or year."))]
UntilOpt = Annotated[str | None, typer.Option("--until", help=_("Up to the end of this time, day, month or year."))]
MinOpt = Annotated[str | None, typer.Option("--min", help=_("At least this amount."))]
MaxOpt = Annotated[str | None, typer.Option("--max", help=_("At most this amount."))]
RefOpt = Annotated[str | None, typer.Option("--ref", help=_("This exact reference (any case)."))]
OutcomeOpt = Annotated[str | None, typer.Option("--outcome", help=_("credited, pending, failed or refunded."))]
VoidOpt = Annotated[bool, typer.Option("--with-void", help=_("Include void records."))]
LimitOpt = Annotated[int | None, typer.Option("--limit", help=_("At most this many records."))]


def _filters(text, card, channel, since, until, min_amount, max_amount, ref, outcome, with_void, limit):  # type: ignore[no-untyped-def]
    from ledger.service.finding import Filters

    return Filters(text=" ".join(text) if text else None, card=card, channel=channel, since=since, until=until,
                   min_amount=min_amount,
                   max_amount=max_amount, ref=ref, outcome=outcome, with_void=with_void, limit=limit)


@app.command("search", help=_("Find records, newest first."))
def search(
    ctx: typer.Context, text: TextArg = None, card: CardOpt = None, channel: ChannelOpt = None,
    since: SinceOpt = None, until: UntilOpt = None, min_amount: MinOpt = None, max_amount: MaxOpt = None,
    ref: RefOpt = None, outcome: OutcomeOpt = None, with_void: VoidOpt = False, limit: LimitOpt = None,
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    from ledger.service import finding

    filters = _filters(text, card, channel, since, until, min_amount, max_amount, ref, outcome, with_void, limit)
    fmt = list_format(output_format)
    if fmt is ListFormat.table:
        if limit is None:  # a screen holds a page, not years of records; JSON and CSV stay complete
            filters.limit = finding.PAGE + 1
        with open_ledger(ctx) as ledger:
            records = finding.search_records(ledger, filters)
        if limit is None and len(records) > finding.PAGE:
            records = records[:finding.PAGE]
            say(_("showing the newest {count}; --limit N shows more, --format csv shows all", count=finding.PAGE))
        unusual = [("outcome", _("outcome"))] if any(r["outcome"] != "credited" for r in records) else []
        if with_void:
            unusual.append(("status", _("status")))
        from ledger.cli.output import print_table

        print_table(records, SEARCH_COLUMNS + unusual, keep=_matched(filters.text, records))
    else:
        with open_ledger(ctx) as ledger:
            finding.export_records(ledger, filters, sys.stdout, fmt.value, bom=False, newest_first=True)


def _matched(text: str | None, records: list[dict]) -> list[str]:
    """The free-text columns the search words were found in, which a narrow table must keep."""
    from ledger.domain.values import fold_width

    words = [word.casefold() for word in fold_width(text or "").split()]
    return [key for key in ("merchant", "note") if words and any(
        any(word in fold_width(record[key] or "").casefold() for word in words) for record in records)]


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    xlsx = "xlsx"


@app.command("export", help=_("Write every matching record, oldest first, as CSV (for spreadsheets; --no-guard "
                              "for programs), JSON, JSON lines or an Excel workbook (--format xlsx --output "
                              "FILE.xlsx); or a dispute pack."))
def export(
    ctx: typer.Context, text: TextArg = None, card: CardOpt = None, channel: ChannelOpt = None,
    since: SinceOpt = None, until: UntilOpt = None, min_amount: MinOpt = None, max_amount: MaxOpt = None,
    ref: RefOpt = None, outcome: OutcomeOpt = None, with_void: VoidOpt = False, limit: LimitOpt = None,
    output_file: Annotated[Path | None, typer.Option(
        "--output", "-o", help=_("Write to this file instead of stdout."))] = None,
    output_format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.csv,
    no_bom: Annotated[bool, typer.Option("--no-bom", help=_("CSV without the byte-order mark Excel needs."))] = False,
    no_guard: Annotated[bool, typer.Option(
        "--no-guard", help=_("Plain CSV for programs: no BOM, no apostrophe before digits or formulas."))] = False,
    dispute: Annotated[list[str] | None, typer.Option(
        "--dispute", metavar="ID...", autocompletion=completion.record_ids,
        help=_("Write a dispute pack (zip) of these records: --dispute 3 7 12 --output pack.zip"))] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", metavar="|".join(LANGUAGES),
        help=_("The dispute pack's letter in this language (default: from the card's region)."))] = None,
    reveal: Annotated[bool, typer.Option(
        "--reveal", help=_("Show the full card number in the dispute pack's letter."))] = False,
    name: Annotated[str | None, typer.Option(
        "--name", help=_("Who writes the dispute pack's letter, printed at its top."))] = None,
) -> None:
    from ledger.service import finding

    if dispute is not None:
        filters_given = [card, channel, since, until, min_amount, max_amount, ref, outcome, limit]
        filtered = any(v is not None for v in filters_given)
        _export_dispute(ctx, dispute + (text or []), output_file, filtered, (lang, reveal, name))
        return
    if lang is not None or reveal or name is not None:
        raise LedgerError(_("--lang, --reveal and --name shape a dispute pack's letter; give them with --dispute"))
    filters = _filters(text, card, channel, since, until, min_amount, max_amount, ref, outcome, with_void, limit)
    bom = not (no_bom or no_guard)  # a BOM is for spreadsheets; programs take UTF-8 as it is
    with open_ledger(ctx) as ledger:
        if output_file is None:
            finding.export_records(ledger, filters, sys.stdout, output_format.value, bom=bom, guard=not no_guard)
            return
        count = finding.export_to_file(ledger, filters, output_file, output_format.value, bom=bom, guard=not no_guard)
    say(_("exported {count} records to {file}", count=count, file=output_file))


def _export_dispute(ctx: typer.Context, ids_text: list[str], output_file: Path | None, filtered: bool,
                    letter: tuple[str | None, bool, str | None]) -> None:
    """The pack, its letter written with (--lang, --reveal, --name)."""
    from ledger.service import dispute

    if filtered:
        raise LedgerError(_("--dispute takes record ids; search filters do not apply to it"))
    if output_file is None:
        raise LedgerError(_("a dispute pack needs --output FILE.zip"))
    ids = dispute.parse_ids(ids_text)
    manifest, notes = dispute.export(ledger_location(ctx), ids, output_file, dispute.letter(*letter))
    for note in notes:
        say(f"note: {note}")
    for record in manifest.records:
        if record.void:
            say("warning: " + _("record {id} is void; it is in the pack marked as such", id=record.id))
    say(_("dispute pack {file}: {records} record(s), {files} file(s) and manifest.json with their SHA-256",
          file=output_file, records=len(manifest.records), files=len(manifest.files)))


class ReportBy(StrEnum):
    month = "month"
    card = "card"
    channel = "channel"


_REPORT_HEADINGS = {ReportBy.month: _("month"), ReportBy.card: _("card"), ReportBy.channel: _("channel")}


@app.command("report", help=_("Totals by month, card or channel; each currency is totalled apart. `count` and "
                              "`total` are the credited top-ups; pending, failed and refunded ones are counted in "
                              "their own columns."))
def report(
    ctx: typer.Context, by: Annotated[ReportBy, typer.Option("--by")] = ReportBy.month,
    text: TextArg = None, card: CardOpt = None, channel: ChannelOpt = None,
    since: SinceOpt = None, until: UntilOpt = None, min_amount: MinOpt = None, max_amount: MaxOpt = None,
    ref: RefOpt = None, outcome: OutcomeOpt = None, with_void: VoidOpt = False,
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    from ledger.service import finding

    filters = _filters(text, card, channel, since, until, min_amount, max_amount, ref, outcome, with_void, None)
    with open_ledger(ctx) as ledger:
        totals = finding.report(ledger, by.value, filters)
    rows = [{by.value: line.group, **{key: value for key, value in asdict(line).items() if key != "group"}}
            for line in totals]
    fmt = list_format(output_format)
    if fmt is ListFormat.table:
        from ledger.cli.output import add_bars

        add_bars(rows, "total", "currency")
    columns = [(by.value, _REPORT_HEADINGS[by]), ("currency", _("cur")), ("count", _("count")), ("total", _("total")),
               ("pending", _("pending"))]
    rarer = ("pending_count", "failed_count", "refunded_count")
    if fmt is ListFormat.table:  # a terminal is narrow: the rarer outcomes share one column there
        for row in rows:
            row["other"] = "/".join(str(row[key]) for key in rarer)
        columns += [("other", _("pend/fail/ref")), ("bar", "")]
    else:  # JSON and CSV, which show keys, not headings
        columns += [(key, key) for key in rarer]
    render_list(rows, columns, fmt)


@app.command("due", help=_("Cards whose validity ends within DAYS, soonest first: top them up before the "
                           "number lapses."))
def due(
    ctx: typer.Context,
    within: Annotated[int, typer.Option("--within", help=_("Days ahead to look."))] = 30,
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    from ledger.service import finding

    with open_ledger(ctx) as ledger:
        rows = [asdict(validity) for validity in finding.due(ledger, within)]
    columns = [("card", _("card")), ("kind", _("kind")), ("number", _("number")), ("valid_until", _("valid until")),
               ("days_left", _("days left")), ("last_topup_at", _("last top-up"))]
    fmt = list_format(output_format)
    if fmt is ListFormat.table:  # words for a person; scripts keep the signed number
        from ledger.domain import profiles
        from ledger.domain.times import days_until

        begins = {None: _("its validity ends"), profiles.FEE_AFTER_UNUSED_YEARS: _("a yearly fee begins if unused"),
                  profiles.LAPSE_AFTER_UNUSED_YEARS: _("the card lapses if unused")}
        for row in rows:
            row["ends"] = days_until(row["days_left"])
            row["rule"] = begins[row["rule"]]
        columns[4] = ("ends", _("ends"))
        columns.append(("rule", _("what happens")))
    if not rows and fmt is ListFormat.table:
        say(_("no card's validity ends within {days} days", days=within))
        return
    render_list(rows, columns, fmt)
