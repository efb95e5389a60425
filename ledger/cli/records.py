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
from ledger.cli.app import (
    CardArg,
    ItemFormat,
    ListFormat,
    RecordIdArg,
    app,
    list_format,
    open_ledger,
    render_list,
    say,
    warn,
)
from ledger.cli.field_options import field_options
from ledger.errors import LedgerError
from ledger.i18n import N_, Text, _, joined


@app.command("log", help=_("Log a top-up; prints the new record's id."),
             context_settings={"ignore_unknown_options": True})  # so `-5` reaches the amount check
@field_options(leave_out=("amount",))
def log(
    ctx: typer.Context,
    card: CardArg,
    amount: Annotated[str | None, typer.Argument(
        metavar="AMOUNT", help=_("Amount credited, e.g. 100, HK$100, ¥50."))] = None,
    values: dict[str, str | None] | None = None,
    receipt: Annotated[list[str] | None, typer.Option(
        "--receipt", help=_("A receipt file to keep (repeatable)."))] = None,
    force: Annotated[bool, typer.Option(
        "--force", help=_("Log even over a limit or with a repeated reference."))] = False,
    sms: Annotated[str | None, typer.Option(
        "--sms", help=_("A pasted confirmation message to read the values from ('-' reads stdin)."))] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    from ledger.cli import output
    from ledger.service import topups

    if sms == "-":
        from ledger.sources.messages import MAX_MESSAGE_CHARS  # loaded only for a message: it is slow to load

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
        output.write_line(str(record["id"]))
    from ledger.domain.named import named

    say(_("logged {amount} {currency} to {card} ({channel}, {occurred_at}) as record {id}",
          amount=record["amount"], currency=record["currency"], card=record["card"], channel=named(record["channel"]),
          occurred_at=record["occurred_at"], id=record["id"]))


def _message_from_stdin(limit: int) -> str:
    """A message piped in, or pasted at the terminal after saying how; one character more than
    `limit` is read, so that a longer paste is refused rather than cut."""
    if sys.stdin is None or sys.stdin.closed:
        raise LedgerError(_("--sms - reads the message from standard input, which is closed; pipe the message in"))
    if sys.stdin.isatty():
        say(_("paste the message, then press Enter and Ctrl-D (Ctrl-Z and Enter on Windows):"))
    from ledger.domain.values import decoded_text

    return decoded_text(sys.stdin.read(limit + 1), _("the message on standard input"))


@app.command("show", help=_("Show one record with its receipt files and every version of its history."))
def show(
    ctx: typer.Context,
    record_id: RecordIdArg,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    from ledger.cli import output
    from ledger.service import records

    with open_ledger(ctx) as ledger:
        record = records.show_record(ledger, record_id)
    if output_format is ItemFormat.json:
        output.print_json(record)
        return
    history = record.pop("history")
    receipts = record.pop("receipts")
    from ledger.domain.fields import LABELS, changes
    from ledger.domain.named import action_named, named

    output.print_fields(record, LABELS)
    output.write_line("\n" + (_("receipts") if receipts else _("receipts  none")))
    for receipt in receipts:
        output.print_wrapped(_("{name}  {size} bytes  sha256 {sha256}", name=receipt["name"],
                               size=receipt["size"], sha256=receipt["sha256"]))
    output.write_line("\n" + _("history"))
    for version, changed in zip(history, changes(history), strict=True):
        fields = version["content"]
        values = {"version": version["version"], "action": action_named(version["action"]),
                  "recorded_at": version["recorded_at"], "amount": fields["amount"], "currency": fields["currency"],
                  "channel": named(fields["channel"]), "outcome": named(fields["outcome"]),
                  "status": named(fields["status"]), "reason": version["reason"]}
        if version["reason"]:
            line = _("v{version} {action:<7} {recorded_at}  {amount} {currency} {channel} {outcome} {status}  "
                     "reason: {reason}", **values)
        else:
            line = _("v{version} {action:<7} {recorded_at}  {amount} {currency} {channel} {outcome} {status}",
                     **values)
        output.print_wrapped(line)
        if changed:
            output.print_wrapped("    " + _("changed: {fields}", fields=joined([_(LABELS[name]) for name in changed])))


@app.command("void", help=_("Void a record: it stays, marked, out of totals."))
def void(
    ctx: typer.Context,
    record_id: RecordIdArg,
    reason: Annotated[str, typer.Option("--reason", help=_("Why; kept in the record's history."))],
) -> None:
    from ledger.service import topups

    with open_ledger(ctx, write=True) as ledger:
        record = topups.void_record(ledger, record_id, reason)
    say(_("record {id} is void; `topup show {id}` lists its history", id=record["id"]))


@app.command("amend", help=_("Correct a record; the change is a new version and the old ones stay. An empty value "
                             "clears a field that may be unknown."))
@field_options()
def amend(
    ctx: typer.Context,
    record_id: RecordIdArg,
    reason: Annotated[str, typer.Option("--reason", help=_("Why; kept in the record's history."))],
    values: dict[str, str | None] | None = None,
    force: Annotated[bool, typer.Option(
        "--force", help=_("Accept a change over a limit or a repeated reference."))] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    from ledger.cli import output
    from ledger.service import topups

    change = topups.Amendment(reason=reason, values=values or {}, force=force)
    with open_ledger(ctx, write=True) as ledger:
        record = topups.amend_record(ledger, record_id, change)
    if output_format is ItemFormat.json:
        output.print_json(record)
    say(_("record {id} amended; `topup show {id}` lists every version", id=record["id"]))


# What `check` calls what it compares.
CHECK_LABELS = {"card": N_("card"), "number": N_("number"), "issuer": N_("issuer"), "amount": N_("amount"),
                "max_topup": N_("max top-up"), "last_balance": N_("last balance"),
                "counted_records": N_("records credited since"), "balance_after": N_("balance after"),
                "max_balance": N_("max balance"),
                "last_topup": N_("last top-up"), "valid_until": N_("valid until")}


@app.command("check", help=_("Before paying: the number to compare, the limit, the balance cap, the last top-up, "
                             "validity."))
def check(
    ctx: typer.Context,
    card: CardArg,
    amount: Annotated[str, typer.Argument(metavar="AMOUNT")],
    reveal: Annotated[bool, typer.Option("--reveal", help=_("Show the full card number."))] = False,
    channel: Annotated[str | None, typer.Option(
        "--channel", autocompletion=completion.channel_names,
        help=_("How you will pay; the card's rules for that channel are checked too."))] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    from ledger.cli import output
    from ledger.domain.named import named
    from ledger.service import checking

    with open_ledger(ctx) as ledger:
        result = checking.check_before_paying(ledger, card, amount, reveal, channel)
    if output_format is ItemFormat.json:
        output.print_json(result)
    else:
        last = result.last_topup
        shown = {**asdict(result), "last_topup": last and _(
            "{amount} on {occurred_at} via {channel} ({outcome}, record {id})", amount=last.amount,
            occurred_at=last.occurred_at, channel=named(last.channel), outcome=named(last.outcome), id=last.id),
                 "last_balance": result.last_balance and _("{balance}, stated by record {id}",
                                                           balance=result.last_balance, id=result.last_balance_record),
                 "counted_records": _records_named(result.counted_records)}
        output.print_fields(shown, CHECK_LABELS, CHECK_LABELS)  # in this order
        warn(result.warnings)
    for problem in result.problems:
        say(f"error: {problem}")
    if result.problems:
        raise typer.Exit(1)
    if output_format is ItemFormat.text:
        say(_("ok: within the card's limits. Compare the number above with the one you are paying to"))


class ImportFormat(StrEnum):
    """How an import lists its rows: text (the contract's name) or table, json or csv."""

    text = "text"
    table = "table"
    json = "json"
    csv = "csv"


_LISTED_AS = {ImportFormat.text: ListFormat.table, ImportFormat.table: ListFormat.table,
              ImportFormat.json: ListFormat.json, ImportFormat.csv: ListFormat.csv}


@app.command("import", help=_("Add top-ups from a file in one transaction; rows already in the ledger are not "
                              "added again."))
def import_csv(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(
        metavar="FILE",
        help=_("A topup export, a WeChat Pay, Alipay, JD or Meituan bill (CSV or XLSX), or any layout with --map."))],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Show what would be added; change nothing."))] = False,
    mapping: Annotated[list[str] | None, typer.Option("--map", metavar="COLUMN=FIELD",
                       help=_("Read COLUMN as FIELD (amount, occurred_at, ref, note, card …); repeatable."))] = None,
    card: Annotated[str | None, typer.Option(
        "--card", autocompletion=completion.card_labels,
        help=_("The card every row belongs to; for a bill, the one for top-ups of its kind it does not "
               "place."))] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help=_("utf-8, gb18030, big5 or utf-16 (found by itself when left out)."))] = None,
    import_format: Annotated[ImportFormat | None, typer.Option(
        "--format", help=_("How rows are listed (--dry-run, or a bill as json or csv): text, json or csv."))] = None,
) -> None:
    output_format = None if import_format is None else _LISTED_AS[import_format]
    from ledger.service import importing

    # A dry run's transaction never commits: whatever checking wrote (a new card) is undone.
    with (_progress_bar(_("importing")) as progress,
          open_ledger(ctx, write=not dry_run, missing_is_empty=True) as ledger):
        result = importing.import_file(ledger, file, mapping=importing.parse_map(mapping or []),
                                       encoding=encoding, card=card, dry_run=dry_run, progress=progress)
    if isinstance(result, importing.BillImport):
        _say_bill(result, dry_run, output_format)
        return
    if dry_run:
        columns = [("card", _("card")), ("occurred_at", _("when")), ("amount", _("amount")), ("currency", _("cur")),
                   ("channel", _("channel")), ("ref", _("ref")), ("note", _("note"))]
        render_list(result.added, columns, list_format(output_format))
    counts = {"count": len(result.added) if dry_run else result.added_count, "skipped": result.skipped,
              "cards": ", ".join(result.new_cards)}
    if dry_run and result.new_cards:
        said = _("would add {count} record(s), {skipped} already in the ledger; would create card(s) {cards}", **counts)
    elif dry_run:
        said = _("would add {count} record(s), {skipped} already in the ledger", **counts)
    elif result.new_cards:
        said = _("added {count} record(s), {skipped} already in the ledger; created card(s) {cards}", **counts)
    else:
        said = _("added {count} record(s), {skipped} already in the ledger", **counts)
    say(said)


def _say_bill(result: Any, dry_run: bool, output_format: ListFormat | None) -> None:
    """A bill's import: every row and its decision (with --dry-run, or asked for as JSON or CSV); then
    the counts, and how to place the rest."""
    listed = dry_run or output_format in (ListFormat.json, ListFormat.csv)
    if listed:
        columns = [("line", _("line")), ("occurred_at", _("when")), ("paid", _("paid")), ("decision", _("decision")),
                   ("card", _("card")), ("why", _("why")), ("item", _("item"))]
        if any(row.outcome not in (None, "credited") for row in result.rows):  # as search shows it
            columns.insert(5, ("outcome", _("outcome")))
        render_list(result.rows, columns, list_format(output_format))
    say(_bill_summary(result, dry_run))
    for row in [] if listed else result.left_out:  # else the list above says it
        say("  " + _("line {line}: {why}", line=row.line, why=row.why))
    for line in result.not_placed:
        say("  " + _("to place the rest: {command}", command=line))
    for line in result.differing:
        say(f"  {line}")
    for line in result.notes:
        say(f"note: {line}")
    if result.mangled_refs:
        say("note: " + _("{count} order number(s) were rewritten by a spreadsheet (like 4.2E+27); those top-ups "
                         "carry no reference and were matched with the ledger by card, time and amount. The bill as "
                         "downloaded keeps them whole", count=result.mangled_refs))


def _records_named(ids: list[int]) -> str | None:
    """Records by their ids, as a person reads them: record 2, records 2, 5; the first ten of more."""
    if not ids:
        return None
    listed = joined([Text(str(record), str(record)) for record in ids[:10]])
    if len(ids) > 10:
        return _("records {ids} and {more} more", ids=listed, more=len(ids) - 10)
    return _("record {ids}", ids=listed) if len(ids) == 1 else _("records {ids}", ids=listed)


def _bill_summary(result: Any, dry_run: bool) -> str:
    """The one line that counts a bill's rows, made of whole clauses (each one message): what was read,
    added (or would be, in a dry run), skipped (refunds only when there are some), not placed, and
    left to log by hand when there is any."""
    counts = {"layout": _(result.layout), "read": result.read, "added": result.added, "not_topups": result.not_topups,
              "refunds": result.refunds, "already": result.already, "unplaced": result.unplaced,
              "by_hand": result.by_hand}
    clauses = [_("{layout}: read {read} row(s)", **counts),
               _("would add {added} top-up(s)", **counts) if dry_run else _("added {added} top-up(s)", **counts),
               _("skipped {not_topups} that are not top-ups, {refunds} refund(s) settled with their top-ups and "
                 "{already} already in the ledger", **counts) if result.refunds else
               _("skipped {not_topups} that are not top-ups and {already} already in the ledger", **counts),
               _("{unplaced} not placed", **counts)]
    if result.by_hand:
        clauses.append(_("{by_hand} to log by hand (see --dry-run)", **counts))
    return joined(clauses, "; ")


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
