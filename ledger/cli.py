"""The `topup` command: options in, one service call, output out.

Service and database modules are imported inside the commands, so `--help` and shell
completion never load SQLAlchemy.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Optional

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
    db: Annotated[Optional[str], typer.Option("--db", help="Ledger file (default: TOPUP_DB, else ledger.db in the user data folder).")] = None,
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
    number: Annotated[Optional[str], typer.Option(help="Phone number or ICCID (sim), card number (smart).")] = None,
    region: Annotated[Optional[str], typer.Option(help="Two-letter region, e.g. HK, CN, TW.")] = None,
    currency: Annotated[Optional[str], typer.Option(help="ISO 4217 code (default: the region's, else CNY).")] = None,
    issuer: Annotated[Optional[str], typer.Option(help="Carrier or card issuer.")] = None,
    max_topup: Annotated[Optional[str], typer.Option("--max-topup", help="Single top-up limit.")] = None,
    max_balance: Annotated[Optional[str], typer.Option("--max-balance", help="Balance cap.")] = None,
    validity_days: Annotated[Optional[int], typer.Option("--validity-days", help="Days a top-up keeps the card valid.")] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Add a card or SIM to the ledger."""
    from ledger import service

    spec = service.CardSpec(kind=kind.value, number=number, region=region, currency=currency, issuer=issuer,
                            max_topup=max_topup, max_balance=max_balance, validity_days=validity_days)
    card = service.add_card(_ledger(ctx), label, spec)
    _show_card(card, output_format)
    _say(f"added card {card['label']!r} ({card['kind']}, {card['currency']})")


@card_app.command("list")
def card_list(
    ctx: typer.Context,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show full card numbers.")] = False,
    output_format: Annotated[Optional[ListFormat], typer.Option("--format")] = None,
) -> None:
    """List the cards."""
    from ledger import service

    cards = service.list_cards(_ledger(ctx), reveal)
    _render_list(cards, CARD_COLUMNS, _list_format(output_format))


@card_app.command("show")
def card_show(
    ctx: typer.Context,
    label: str,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show the full card number.")] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Show one card, with how many top-ups it has and the last one's time."""
    from ledger import service

    _show_card(service.show_card(_ledger(ctx), label, reveal), output_format)


@card_app.command("edit")
def card_edit(
    ctx: typer.Context,
    label: str,
    new_label: Annotated[Optional[str], typer.Option("--label", help="Rename the card.")] = None,
    kind: Annotated[Optional[CardKind], typer.Option("--kind")] = None,
    number: Annotated[Optional[str], typer.Option(help="New number; an empty value removes it.")] = None,
    region: Annotated[Optional[str], typer.Option()] = None,
    currency: Annotated[Optional[str], typer.Option()] = None,
    issuer: Annotated[Optional[str], typer.Option()] = None,
    max_topup: Annotated[Optional[str], typer.Option("--max-topup", help="An empty value removes the limit.")] = None,
    max_balance: Annotated[Optional[str], typer.Option("--max-balance", help="An empty value removes the cap.")] = None,
    validity_days: Annotated[Optional[int], typer.Option("--validity-days")] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Change a card's settings."""
    from ledger import service

    spec = service.CardSpec(kind=kind.value if kind else None, number=number, region=region, currency=currency,
                            issuer=issuer, max_topup=max_topup, max_balance=max_balance,
                            validity_days=validity_days, label=new_label)
    _show_card(service.edit_card(_ledger(ctx), label, spec), output_format)


@card_app.command("retire")
def card_retire(ctx: typer.Context, label: str) -> None:
    """Mark a card as no longer used; its records stay."""
    from ledger import service

    card = service.retire_card(_ledger(ctx), label)
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
    amount: Annotated[Optional[str], typer.Argument(metavar="AMOUNT", help="Amount credited, e.g. 100, HK$100, ¥50.")] = None,
    channel: Annotated[Optional[str], typer.Option(help="store, online, app, wechat, alipay, sms, kiosk, auto, marketplace, other (or 微信, 支付宝 …).")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When it happened (default: now).")] = None,
    ref: Annotated[Optional[str], typer.Option("--ref", help="Receipt or transaction reference.")] = None,
    merchant: Annotated[Optional[str], typer.Option(help="Where it was paid.")] = None,
    note: Annotated[Optional[str], typer.Option(help="Anything worth remembering.")] = None,
    receipt: Annotated[Optional[list[str]], typer.Option("--receipt", help="A receipt file to keep (repeatable).")] = None,
    balance_after: Annotated[Optional[str], typer.Option("--balance-after", help="Balance after the top-up.")] = None,
    valid_until: Annotated[Optional[str], typer.Option("--valid-until", help="Date the card stays valid until.")] = None,
    paid: Annotated[Optional[str], typer.Option(help="What was charged, when it differs from the amount.")] = None,
    outcome: Annotated[Optional[str], typer.Option(help="credited (default), pending or failed.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Log even over a limit or with a repeated reference.")] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Log a top-up; prints the new record's id."""
    from ledger import output, service

    request = service.LogRequest(
        card=card, amount=amount, channel=channel, at=at, ref=ref, merchant=merchant, note=note,
        receipts=receipt or [], balance_after=balance_after, valid_until=valid_until, paid=paid,
        outcome=outcome, force=force,
    )
    record = service.log_topup(_ledger(ctx), request)
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
