"""The `topup` command: options in, one service call, output out.

Service and database modules are imported inside the commands, so `--help` and shell
completion never load SQLAlchemy.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ledger.errors import LedgerError
from ledger.values import CardKind


class LedgerGroup(TyperGroup):
    """The one place where a refusal from the core becomes `error: …` and its exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LedgerError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=LedgerGroup,
    help="A personal ledger of top-ups to transit, campus and access cards and prepaid SIMs.",
    no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
)
card_app = typer.Typer(help="Cards and SIMs that are topped up.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(card_app, name="card")


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ItemFormat(StrEnum):
    text = "text"
    json = "json"


def _ledger(ctx: typer.Context) -> Path:
    return ctx.obj["db"]


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Ledger file (default: TOPUP_DB, else ledger.db in the user data folder).")] = None,
) -> None:
    from ledger.db import resolve_path

    ctx.obj = {"db": resolve_path(db)}


def _list_format(chosen: ListFormat | None) -> ListFormat:
    """Tables for a person at a terminal, JSON for a script reading a pipe."""
    if chosen is not None:
        return chosen
    return ListFormat.table if sys.stdout.isatty() else ListFormat.json


def _say(message: str) -> None:
    """A message for the person, on stderr so that stdout stays data."""
    sys.stderr.write(message + "\n")


# ---------------------------------------------------------------- cards

CARD_COLUMNS = [("label", "card"), ("kind", "kind"), ("number", "number"), ("currency", "cur"),
                ("region", "region"), ("issuer", "issuer"), ("max_topup", "max top-up"),
                ("max_balance", "max balance"), ("validity_days", "valid days"), ("retired", "retired")]


@card_app.command("add")
def card_add(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(metavar="LABEL", help="A short name you will type, e.g. 八达通 or work-sim.")],
    kind: Annotated[CardKind, typer.Option("--kind", help="sim or smart.")],
    number: Annotated[str | None, typer.Option(help="Phone number or ICCID (sim), card number (smart).")] = None,
    region: Annotated[str | None, typer.Option(help="Two-letter region, e.g. HK, CN, TW.")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO 4217 code (default: the region's, else CNY).")] = None,
    issuer: Annotated[str | None, typer.Option(help="Carrier or card issuer.")] = None,
    max_topup: Annotated[str | None, typer.Option("--max-topup", help="Single top-up limit.")] = None,
    max_balance: Annotated[str | None, typer.Option("--max-balance", help="Balance cap.")] = None,
    validity_days: Annotated[int | None, typer.Option("--validity-days", help="Days a top-up keeps the card valid.")] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Add a card or SIM to the ledger."""
    from ledger import cards

    spec = cards.CardSpec(kind=kind.value, number=number, region=region, currency=currency, issuer=issuer,
                            max_topup=max_topup, max_balance=max_balance, validity_days=validity_days)
    card = cards.add_card(_ledger(ctx), label, spec)
    _show_card(card, output_format)
    _say(f"added card {card['label']!r} ({card['kind']}, {card['currency']})")


@card_app.command("list")
def card_list(
    ctx: typer.Context,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show full card numbers.")] = False,
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    """List the cards."""
    from ledger import cards

    _render_list(cards.list_cards(_ledger(ctx), reveal), CARD_COLUMNS, _list_format(output_format))


@card_app.command("show")
def card_show(
    ctx: typer.Context,
    label: str,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show the full card number.")] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Show one card, with how many top-ups it has and the last one's time."""
    from ledger import cards

    _show_card(cards.show_card(_ledger(ctx), label, reveal), output_format)


@card_app.command("edit")
def card_edit(
    ctx: typer.Context,
    label: str,
    new_label: Annotated[str | None, typer.Option("--label", help="Rename the card.")] = None,
    kind: Annotated[CardKind | None, typer.Option("--kind")] = None,
    number: Annotated[str | None, typer.Option(help="New number; an empty value removes it.")] = None,
    region: Annotated[str | None, typer.Option()] = None,
    currency: Annotated[str | None, typer.Option()] = None,
    issuer: Annotated[str | None, typer.Option()] = None,
    max_topup: Annotated[str | None, typer.Option("--max-topup", help="An empty value removes the limit.")] = None,
    max_balance: Annotated[str | None, typer.Option("--max-balance", help="An empty value removes the cap.")] = None,
    validity_days: Annotated[int | None, typer.Option("--validity-days")] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Change a card's settings."""
    from ledger import cards

    spec = cards.CardSpec(kind=kind.value if kind else None, number=number, region=region, currency=currency,
                            issuer=issuer, max_topup=max_topup, max_balance=max_balance,
                            validity_days=validity_days, label=new_label)
    _show_card(cards.edit_card(_ledger(ctx), label, spec), output_format)


@card_app.command("retire")
def card_retire(ctx: typer.Context, label: str) -> None:
    """Mark a card as no longer used; its records stay."""
    from ledger import cards

    card = cards.retire_card(_ledger(ctx), label)
    _say(f"card {card['label']!r} is retired; its records stay in the ledger")


def _show_card(card: dict[str, Any], output_format: ItemFormat) -> None:
    from ledger import output

    if output_format is ItemFormat.json:
        output.print_json(card)
    else:
        output.print_fields(card)


# ---------------------------------------------------------------- top-ups


@app.command("log", context_settings={"ignore_unknown_options": True})  # so `-5` reaches the amount check
def log(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(metavar="CARD", help="The card's label.")],
    amount: Annotated[str | None, typer.Argument(metavar="AMOUNT", help="Amount credited, e.g. 100, HK$100, ¥50.")] = None,
    channel: Annotated[str | None, typer.Option(help="store, online, app, wechat, alipay, sms, kiosk, auto, marketplace, other (or 微信, 支付宝 …).")] = None,
    at: Annotated[str | None, typer.Option("--at", help="When it happened (default: now).")] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="Receipt or transaction reference.")] = None,
    merchant: Annotated[str | None, typer.Option(help="Where it was paid.")] = None,
    note: Annotated[str | None, typer.Option(help="Anything worth remembering.")] = None,
    receipt: Annotated[list[str] | None, typer.Option("--receipt", help="A receipt file to keep (repeatable).")] = None,
    balance_after: Annotated[str | None, typer.Option("--balance-after", help="Balance after the top-up.")] = None,
    valid_until: Annotated[str | None, typer.Option("--valid-until", help="Date the card stays valid until.")] = None,
    paid: Annotated[str | None, typer.Option(help="What was charged, when it differs from the amount.")] = None,
    outcome: Annotated[str | None, typer.Option(help="credited (default), pending or failed.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Log even over a limit or with a repeated reference.")] = False,
    sms: Annotated[str | None, typer.Option("--sms", help="A pasted confirmation message to read the values from ('-' reads stdin).")] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Log a top-up; prints the new record's id."""
    from ledger import output, service

    request = service.LogRequest(
        card=card, amount=amount, channel=channel, at=at, ref=ref, merchant=merchant, note=note,
        receipts=receipt or [], balance_after=balance_after, valid_until=valid_until, paid=paid,
        outcome=outcome, force=force, sms=sys.stdin.read() if sms == "-" else sms,
    )
    logged = service.log_topup(_ledger(ctx), request)
    record = logged.record
    if logged.read:
        found = ", ".join(f"{key} {value}" for key, value in logged.read.items() if value is not None)
        missing = ", ".join(key for key, value in logged.read.items() if value is None)
        _say(f"read from the message: {found}" + (f"; not in it: {missing}" if missing else ""))
        for note_line in logged.notes:
            _say(f"note: {note_line}")
    if output_format is ItemFormat.json:
        output.print_json(record)
    else:
        sys.stdout.write(f"{record['id']}\n")
    _say(f"logged {record['amount']} {record['currency']} to {record['card']} ({record['channel']}, "
         f"{record['occurred_at']}) as record {record['id']}")


@app.command("show")
def show(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(metavar="ID")],
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Show one record with its receipt files and every version of its history."""
    from ledger import output, service

    record = service.show_record(_ledger(ctx), record_id)
    if output_format is ItemFormat.json:
        output.print_json(record)
        return
    history = record.pop("history")
    receipts = record.pop("receipts")
    output.print_fields(record)
    sys.stdout.write("\nreceipts\n" if receipts else "\nreceipts  none\n")
    for receipt in receipts:
        sys.stdout.write(f"  {receipt['name']}  {receipt['size']} bytes  sha256 {receipt['sha256']}\n")
    sys.stdout.write("\nhistory\n")
    for version in history:
        fields = version["content"]
        reason = f"  reason: {version['reason']}" if version["reason"] else ""
        sys.stdout.write(
            f"  v{version['version']} {version['action']:<7} {version['recorded_at']}  "
            f"{fields['amount']} {fields['currency']} {fields['channel']} {fields['outcome']} "
            f"{fields['status']}{reason}\n"
        )


@app.command("void")
def void(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the record's history.")],
) -> None:
    """Void a record: it stays, marked, out of totals."""
    from ledger import service

    record = service.void_record(_ledger(ctx), record_id, reason)
    _say(f"record {record['id']} is void; `topup show {record['id']}` lists its history")


@app.command("amend")
def amend(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the record's history.")],
    amount: Annotated[str | None, typer.Option()] = None,
    at: Annotated[str | None, typer.Option("--at")] = None,
    ref: Annotated[str | None, typer.Option("--ref")] = None,
    channel: Annotated[str | None, typer.Option()] = None,
    merchant: Annotated[str | None, typer.Option()] = None,
    note: Annotated[str | None, typer.Option()] = None,
    outcome: Annotated[str | None, typer.Option(help="credited, pending, failed or refunded.")] = None,
    paid: Annotated[str | None, typer.Option()] = None,
    balance_after: Annotated[str | None, typer.Option("--balance-after")] = None,
    valid_until: Annotated[str | None, typer.Option("--valid-until")] = None,
    force: Annotated[bool, typer.Option("--force", help="Accept a change over a limit or a repeated reference.")] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Correct a record; the change is a new version and the old ones stay."""
    from ledger import output, service

    change = service.Amendment(reason=reason, amount=amount, at=at, ref=ref, channel=channel, merchant=merchant,
                               note=note, outcome=outcome, paid=paid, balance_after=balance_after,
                               valid_until=valid_until, force=force)
    record = service.amend_record(_ledger(ctx), record_id, change)
    if output_format is ItemFormat.json:
        output.print_json(record)
    _say(f"record {record['id']} amended; `topup show {record['id']}` lists every version")


# ---------------------------------------------------------------- finding and exporting

SEARCH_COLUMNS = [("id", "id"), ("occurred_at", "when"), ("card", "card"), ("amount", "amount"),
                  ("currency", "cur"), ("channel", "channel"), ("ref", "ref"), ("note", "note")]

TextArg = Annotated[list[str] | None, typer.Argument(
    metavar="[TEXT]...", help="Part of a reference, merchant, note or card label; several words must all match.")]
CardOpt = Annotated[str | None, typer.Option("--card", help="Only this card.")]
ChannelOpt = Annotated[str | None, typer.Option("--channel", help="Only this channel.")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="From this time, day, month (2026-11) or year.")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Up to the end of this time, day, month or year.")]
MinOpt = Annotated[str | None, typer.Option("--min", help="At least this amount.")]
MaxOpt = Annotated[str | None, typer.Option("--max", help="At most this amount.")]
RefOpt = Annotated[str | None, typer.Option("--ref", help="This exact reference (any case).")]
OutcomeOpt = Annotated[str | None, typer.Option("--outcome", help="credited, pending, failed or refunded.")]
VoidOpt = Annotated[bool, typer.Option("--with-void", help="Include void records.")]
LimitOpt = Annotated[int | None, typer.Option("--limit", help="At most this many records.")]


def _filters(text, card, channel, since, until, min_amount, max_amount, ref, outcome, with_void, limit):  # type: ignore[no-untyped-def]
    from ledger.search import Filters

    return Filters(text=" ".join(text) if text else None, card=card, channel=channel, since=since, until=until, min_amount=min_amount,
                   max_amount=max_amount, ref=ref, outcome=outcome, with_void=with_void, limit=limit)


@app.command("search")
def search(
    ctx: typer.Context, text: TextArg = None, card: CardOpt = None, channel: ChannelOpt = None,
    since: SinceOpt = None, until: UntilOpt = None, min_amount: MinOpt = None, max_amount: MaxOpt = None,
    ref: RefOpt = None, outcome: OutcomeOpt = None, with_void: VoidOpt = False, limit: LimitOpt = None,
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    """Find records, newest first."""
    from ledger import service

    filters = _filters(text, card, channel, since, until, min_amount, max_amount, ref, outcome, with_void, limit)
    fmt = _list_format(output_format)
    if fmt is ListFormat.table:
        records = service.search_records(_ledger(ctx), filters)
        unusual = [("outcome", "outcome")] if any(r["outcome"] != "credited" for r in records) else []
        if with_void:
            unusual.append(("status", "status"))
        _render_list(records, SEARCH_COLUMNS + unusual, fmt)
    else:
        service.export_records(_ledger(ctx), filters, sys.stdout, fmt.value, bom=False, newest_first=True)


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


@app.command("export")
def export(
    ctx: typer.Context, text: TextArg = None, card: CardOpt = None, channel: ChannelOpt = None,
    since: SinceOpt = None, until: UntilOpt = None, min_amount: MinOpt = None, max_amount: MaxOpt = None,
    ref: RefOpt = None, outcome: OutcomeOpt = None, with_void: VoidOpt = False, limit: LimitOpt = None,
    output_file: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    output_format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.csv,
    no_bom: Annotated[bool, typer.Option("--no-bom", help="CSV without the byte-order mark Excel needs.")] = False,
    dispute: Annotated[list[str] | None, typer.Option("--dispute", metavar="ID...",
                       help="Write a dispute pack (zip) of these records: --dispute 3 7 12 --output pack.zip")] = None,
) -> None:
    """Write every matching record, oldest first, as CSV (for spreadsheets) or JSON; or a dispute pack."""
    from ledger import service

    if dispute is not None:
        filters_given = [card, channel, since, until, min_amount, max_amount, ref, outcome, limit]
        _export_dispute(ctx, dispute + (text or []), output_file, any(v is not None for v in filters_given))
        return
    filters = _filters(text, card, channel, since, until, min_amount, max_amount, ref, outcome, with_void, limit)
    if output_file is None:
        service.export_records(_ledger(ctx), filters, sys.stdout, output_format.value, bom=not no_bom)
        return
    count = service.export_to_file(_ledger(ctx), filters, output_file, output_format.value, bom=not no_bom)
    _say(f"exported {count} records to {output_file}")


def _export_dispute(ctx: typer.Context, ids_text: list[str], output_file: Path | None, filtered: bool) -> None:
    from ledger import dispute

    if filtered:
        raise LedgerError("--dispute takes record ids; search filters do not apply to it")
    if output_file is None:
        raise LedgerError("a dispute pack needs --output FILE.zip")
    manifest = dispute.write_pack(_ledger(ctx), dispute.parse_ids(ids_text), output_file)
    _say(f"dispute pack {output_file}: {len(manifest['records'])} record(s), {len(manifest['files'])} file(s) "
         "and manifest.json with their SHA-256")


class ReportBy(StrEnum):
    month = "month"
    card = "card"
    channel = "channel"


@app.command("report")
def report(
    ctx: typer.Context, by: Annotated[ReportBy, typer.Option("--by")] = ReportBy.month,
    text: TextArg = None, card: CardOpt = None, channel: ChannelOpt = None,
    since: SinceOpt = None, until: UntilOpt = None, min_amount: MinOpt = None, max_amount: MaxOpt = None,
    ref: RefOpt = None, outcome: OutcomeOpt = None, with_void: VoidOpt = False,
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    """Totals by month, card or channel; each currency is totalled apart."""
    from ledger import reports

    filters = _filters(text, card, channel, since, until, min_amount, max_amount, ref, outcome, with_void, None)
    rows = reports.report(_ledger(ctx), by.value, filters)
    fmt = _list_format(output_format)
    if fmt is ListFormat.table:
        from ledger.output import add_bars

        add_bars(rows, "total", "currency")
    columns = [(by.value, by.value), ("currency", "cur"), ("count", "count"), ("total", "total"),
               ("pending", "pending")]
    _render_list(rows, columns + ([("bar", "")] if fmt is ListFormat.table else []), fmt)


@app.command("due")
def due(
    ctx: typer.Context,
    within: Annotated[int, typer.Option("--within", help="Days ahead to look.")] = 30,
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    """Cards whose validity ends within DAYS, soonest first: top them up before the number lapses."""
    from ledger import reports

    rows = reports.due(_ledger(ctx), within)
    columns = [("card", "card"), ("kind", "kind"), ("number", "number"), ("valid_until", "valid until"),
               ("days_left", "days left"), ("last_topup_at", "last top-up")]
    fmt = _list_format(output_format)
    if not rows and fmt is ListFormat.table:
        _say(f"no card's validity ends within {within} days")
        return
    _render_list(rows, columns, fmt)


@app.command("check")
def check(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(metavar="CARD")],
    amount: Annotated[str, typer.Argument(metavar="AMOUNT")],
    reveal: Annotated[bool, typer.Option("--reveal", help="Show the full card number.")] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Before paying: the number to compare, the limit, the balance cap, the last top-up, validity."""
    from ledger import output, reports

    result = reports.check_before_paying(_ledger(ctx), card, amount, reveal)
    if output_format is ItemFormat.json:
        output.print_json(result)
    else:
        last = result["last_topup"]
        shown = {**result, "last_topup": last and f"{last['amount']} on {last['occurred_at']} via {last['channel']} "
                                                  f"({last['outcome']}, record {last['id']})"}
        output.print_fields(shown, ["card", "number", "issuer", "amount", "max_topup", "last_balance", "balance_after",
                                    "max_balance", "last_topup", "valid_until"])
        for warning in result["warnings"]:
            _say(f"warning: {warning}")
    for problem in result["problems"]:
        _say(f"error: {problem}")
    if result["problems"]:
        raise typer.Exit(1)
    if output_format is ItemFormat.text:
        _say("ok: within the card's limits. Compare the number above with the one you are paying to")


@app.command("import")
def import_csv(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A CSV file: a topup export, or any layout with --map.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added; change nothing.")] = False,
    mapping: Annotated[list[str] | None, typer.Option("--map", metavar="COLUMN=FIELD",
                       help="Read COLUMN as FIELD (amount, occurred_at, ref, note, card, channel …); repeatable.")] = None,
    card: Annotated[str | None, typer.Option("--card", help="The card every row belongs to.")] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="utf-8 (default), gb18030 or big5.")] = "utf-8",
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    """Add top-ups from a CSV file in one transaction; rows already in the ledger are not added again."""
    from ledger import importing

    with _progress_bar("importing") as progress:
        result = importing.import_file(_ledger(ctx), file, mapping=importing.parse_map(mapping or []),
                                       encoding=encoding, card=card, dry_run=dry_run, progress=progress)
    if dry_run:
        columns = [("card", "card"), ("occurred_at", "when"), ("amount", "amount"), ("currency", "cur"),
                   ("channel", "channel"), ("ref", "ref"), ("note", "note")]
        _render_list(result.added, columns, _list_format(output_format))
    verb = "would add" if dry_run else "added"
    cards = f"; {'would create' if dry_run else 'created'} card(s) {', '.join(result.new_cards)}" if result.new_cards else ""
    _say(f"{verb} {len(result.added)} record(s), {result.skipped} already in the ledger{cards}")


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; nothing when stderr is a file or a pipe."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=None) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


# ---------------------------------------------------------------- receipts and care of the ledger

receipt_app = typer.Typer(help="Receipt files kept inside the ledger.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(receipt_app, name="receipt")


@receipt_app.command("add")
def receipt_add(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(metavar="ID")],
    files: Annotated[list[str], typer.Argument(metavar="FILE...", help="Receipt files (photos, PDFs, e-receipts).")],
) -> None:
    """Keep receipt files with a record; the same file is kept only once."""
    from ledger import evidence

    record, added = evidence.add_receipts(_ledger(ctx), record_id, files)
    kept = len(record["receipts"])
    _say(f"record {record_id}: {added} file(s) added, {kept} kept in all" if added
         else f"record {record_id} already keeps these files; nothing added")


@receipt_app.command("get")
def receipt_get(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(metavar="ID")],
    output_dir: Annotated[Path, typer.Option("--output", "-o", help="Folder to write into.")] = Path("."),
) -> None:
    """Write a record's receipt files into a folder, byte for byte."""
    from ledger import evidence

    for written in evidence.write_receipts(_ledger(ctx), record_id, output_dir):
        sys.stdout.write(f"{written}\n")


@app.command("verify")
def verify(
    ctx: typer.Context,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Check the database, every record's history and every receipt file; exit 3 if anything is wrong."""
    from ledger import evidence, output

    problems = evidence.verify(_ledger(ctx))
    if output_format is ItemFormat.json:
        output.print_json({"ok": not problems, "problems": evidence.problems_as_json(problems)})
    else:
        for problem in problems:
            sys.stdout.write(evidence.describe(problem) + "\n")
    if problems:
        _say(f"error: {len(problems)} problem(s) found; nothing was repaired. Compare with a backup "
             "(`topup backup`) before changing anything")
        raise typer.Exit(3)
    _say(f"ok: {evidence.count_records(_ledger(ctx))} records, their history and receipt files all verify")


@app.command("backup")
def backup(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(metavar="FILE")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """A consistent copy of the ledger, safe to take while it is in use; the copy is verified."""
    from ledger import evidence

    count = evidence.backup(_ledger(ctx), target, overwrite=force)
    _say(f"backup written to {target}: {count} records, verified")


def _render_list(rows: list[dict[str, Any]], columns: list[tuple[str, str]], fmt: ListFormat) -> None:
    from ledger import output

    if fmt is ListFormat.json:
        output.print_json(rows)
    elif fmt is ListFormat.csv:
        from ledger.exporting import write_csv

        write_csv(sys.stdout, rows, [key for key, _ in columns], bom=False)
    else:
        output.print_table(rows, columns)


def main() -> None:
    """Entry point: runs the app; interruptions, closed pipes and bugs end without a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing was changed by the unfinished command\n")
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`topup export | head`); stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:  # a bug: say so briefly, show the traceback only when asked
        if os.environ.get("TOPUP_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        else:
            sys.stderr.write(
                f"error: unexpected {type(exc).__name__}; nothing was saved. "
                "Run again with TOPUP_DEBUG=1 to see the details and report them\n"
            )
        sys.exit(1)
