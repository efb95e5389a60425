"""Logging, showing and correcting top-ups; checking before paying; importing."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.cli import completion
from ledger.cli.app import CardArg, ItemFormat, ListFormat, RecordIdArg, app, list_format, open_ledger, render_list, say
from ledger.cli.field_options import field_options
from ledger.errors import LedgerError


@app.command("log", context_settings={"ignore_unknown_options": True})  # so `-5` reaches the amount check
@field_options(leave_out=("amount",))
def log(
    ctx: typer.Context,
    card: CardArg,
    amount: Annotated[str | None, typer.Argument(
        metavar="AMOUNT", help="Amount credited, e.g. 100, HK$100, ¥50.")] = None,
    values: dict[str, str | None] | None = None,
    receipt: Annotated[list[str] | None, typer.Option("--receipt", help="A receipt file to keep (repeatable).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Log even over a limit or with a repeated reference.")] = False,
    sms: Annotated[str | None, typer.Option(
        "--sms", help="A pasted confirmation message to read the values from ('-' reads stdin).")] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Log a top-up; prints the new record's id."""
    from ledger.cli import output
    from ledger.service import topups
    from ledger.sources.messages import MAX_MESSAGE_CHARS

    if sms == "-":
        sms = _message_from_stdin(MAX_MESSAGE_CHARS)
    request = topups.LogRequest(card=card, values={"amount": amount, **(values or {})}, receipts=receipt or [],
                                force=force, sms=sms)
    with open_ledger(ctx, write=True) as ledger:
        logged = topups.log_topup(ledger, request)
    record = logged.record
    for line in logged.said():
        say(line)
    if output_format is ItemFormat.json:
        output.print_json(record)
    else:
        sys.stdout.write(f"{record['id']}\n")
    say(f"logged {record['amount']} {record['currency']} to {record['card']} ({record['channel']}, "
        f"{record['occurred_at']}) as record {record['id']}")


def _message_from_stdin(limit: int) -> str:
    """A message piped in, or pasted at the terminal after saying how; one character more than
    `limit` is read, so that a longer paste is refused rather than cut."""
    if sys.stdin is None or sys.stdin.closed:
        raise LedgerError("--sms - reads the message from standard input, which is closed; pipe the message in")
    if sys.stdin.isatty():
        say("paste the message, then press Enter and Ctrl-D (Ctrl-Z and Enter on Windows):")
    return sys.stdin.read(limit + 1)


@app.command("show")
def show(
    ctx: typer.Context,
    record_id: RecordIdArg,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Show one record with its receipt files and every version of its history."""
    from ledger.cli import output
    from ledger.domain.receipts import shown_safely
    from ledger.service import records

    with open_ledger(ctx) as ledger:
        record = records.show_record(ledger, record_id)
    if output_format is ItemFormat.json:
        output.print_json(record)
        return
    history = record.pop("history")
    receipts = record.pop("receipts")
    output.print_fields(record)
    sys.stdout.write("\nreceipts\n" if receipts else "\nreceipts  none\n")
    for receipt in receipts:
        output.print_wrapped(f"{shown_safely(receipt['name'])}  {receipt['size']} bytes  sha256 {receipt['sha256']}")
    sys.stdout.write("\nhistory\n")
    for version in history:
        fields = version["content"]
        reason = f"  reason: {version['reason']}" if version["reason"] else ""
        output.print_wrapped(f"v{version['version']} {version['action']:<7} {version['recorded_at']}  "
                             f"{fields['amount']} {fields['currency']} {fields['channel']} {fields['outcome']} "
                             f"{fields['status']}{reason}")


@app.command("void")
def void(
    ctx: typer.Context,
    record_id: RecordIdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the record's history.")],
) -> None:
    """Void a record: it stays, marked, out of totals."""
    from ledger.service import topups

    with open_ledger(ctx, write=True) as ledger:
        record = topups.void_record(ledger, record_id, reason)
    say(f"record {record['id']} is void; `topup show {record['id']}` lists its history")


@app.command("amend")
@field_options()
def amend(
    ctx: typer.Context,
    record_id: RecordIdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the record's history.")],
    values: dict[str, str | None] | None = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Accept a change over a limit or a repeated reference.")] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Correct a record; the change is a new version and the old ones stay. An empty value clears a
    field that may be unknown."""
    from ledger.cli import output
    from ledger.service import topups

    change = topups.Amendment(reason=reason, values=values or {}, force=force)
    with open_ledger(ctx, write=True) as ledger:
        record = topups.amend_record(ledger, record_id, change)
    if output_format is ItemFormat.json:
        output.print_json(record)
    say(f"record {record['id']} amended; `topup show {record['id']}` lists every version")


@app.command("check")
def check(
    ctx: typer.Context,
    card: CardArg,
    amount: Annotated[str, typer.Argument(metavar="AMOUNT")],
    reveal: Annotated[bool, typer.Option("--reveal", help="Show the full card number.")] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Before paying: the number to compare, the limit, the balance cap, the last top-up, validity."""
    from ledger.cli import output
    from ledger.service import checking

    with open_ledger(ctx) as ledger:
        result = checking.check_before_paying(ledger, card, amount, reveal)
    if output_format is ItemFormat.json:
        output.print_json(result)
    else:
        last = result.last_topup
        shown = {**asdict(result), "last_topup": last and f"{last.amount} on {last.occurred_at} via {last.channel} "
                                                          f"({last.outcome}, record {last.id})"}
        output.print_fields(shown, ["card", "number", "issuer", "amount", "max_topup", "last_balance", "balance_after",
                                    "max_balance", "last_topup", "valid_until"])
        for warning in result.warnings:
            say(f"warning: {warning}")
    for problem in result.problems:
        say(f"error: {problem}")
    if result.problems:
        raise typer.Exit(1)
    if output_format is ItemFormat.text:
        say("ok: within the card's limits. Compare the number above with the one you are paying to")


class ImportFormat(StrEnum):
    """How an import lists its rows: text (the contract's name) or table, json or csv."""

    text = "text"
    table = "table"
    json = "json"
    csv = "csv"


_LISTED_AS = {ImportFormat.text: ListFormat.table, ImportFormat.table: ListFormat.table,
              ImportFormat.json: ListFormat.json, ImportFormat.csv: ListFormat.csv}


@app.command("import")
def import_csv(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="A topup export, a WeChat Pay or Alipay bill (CSV or XLSX), or any layout with --map.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added; change nothing.")] = False,
    mapping: Annotated[list[str] | None, typer.Option("--map", metavar="COLUMN=FIELD",
                       help="Read COLUMN as FIELD (amount, occurred_at, ref, note, card …); repeatable.")] = None,
    card: Annotated[str | None, typer.Option(
        "--card", autocompletion=completion.card_labels,
        help="The card every row belongs to; for a bill, the one for top-ups of its kind it does not place.")] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="utf-8, gb18030, big5 or utf-16 (found by itself when left out).")] = None,
    import_format: Annotated[ImportFormat | None, typer.Option(
        "--format", help="How rows are listed (--dry-run, or a bill as json or csv): text, json or csv.")] = None,
) -> None:
    """Add top-ups from a file in one transaction; rows already in the ledger are not added again."""
    output_format = None if import_format is None else _LISTED_AS[import_format]
    from ledger.service import importing

    # A dry run's transaction never commits: whatever checking wrote (a new card) is undone.
    with _progress_bar("importing") as progress, open_ledger(ctx, write=not dry_run, missing_is_empty=True) as ledger:
        result = importing.import_file(ledger, file, mapping=importing.parse_map(mapping or []),
                                       encoding=encoding, card=card, dry_run=dry_run, progress=progress)
    if isinstance(result, importing.BillImport):
        _say_bill(result, dry_run, output_format)
        return
    if dry_run:
        columns = [("card", "card"), ("occurred_at", "when"), ("amount", "amount"), ("currency", "cur"),
                   ("channel", "channel"), ("ref", "ref"), ("note", "note")]
        render_list(result.added, columns, list_format(output_format))
    verb = "would add" if dry_run else "added"
    count = len(result.added) if dry_run else result.added_count
    created = "would create" if dry_run else "created"
    cards = f"; {created} card(s) {', '.join(result.new_cards)}" if result.new_cards else ""
    say(f"{verb} {count} record(s), {result.skipped} already in the ledger{cards}")


def _say_bill(result: Any, dry_run: bool, output_format: ListFormat | None) -> None:
    """A bill's import: every row and its decision (with --dry-run, or asked for as JSON or CSV); then
    the counts, and how to place the rest."""
    if dry_run or output_format in (ListFormat.json, ListFormat.csv):
        columns = [("line", "line"), ("occurred_at", "when"), ("paid", "paid"), ("decision", "decision"),
                   ("card", "card"), ("why", "why"), ("item", "item")]
        if any(row.outcome not in (None, "credited") for row in result.rows):  # as search shows it
            columns.insert(5, ("outcome", "outcome"))
        render_list(result.rows, columns, list_format(output_format))
    verb = "would add" if dry_run else "added"
    by_hand = f"; {result.by_hand} to log by hand (see --dry-run)" if result.by_hand else ""
    refunds = f", {result.refunds} refund(s) settled with their top-ups" if result.refunds else ""
    say(f"{result.layout}: read {result.read} row(s); {verb} {result.added} top-up(s); skipped {result.not_topups} "
        f"that are not top-ups{refunds} and {result.already} already in the ledger; {result.unplaced} not "
        f"placed{by_hand}")
    for line in result.not_placed:
        say(f"  to place the rest: {line}")
    for line in result.differing:
        say(f"  {line}")
    for line in result.notes:
        say(f"note: {line}")
    if result.mangled_refs:
        say(f"note: {result.mangled_refs} order number(s) were rewritten by a spreadsheet (like 4.2E+27); those "
            "top-ups carry no reference and were matched with the ledger by card, time and amount. The bill as "
            "downloaded keeps them whole")


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; nothing when stderr is a file or a pipe."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
