"""`topup card …`: cards and SIMs."""

from typing import Annotated, Any

import typer

from ledger.cli.app import ItemFormat, ListFormat, app, ledger_path, list_format, render_list, say
from ledger.values import CardKind

card_app = typer.Typer(help="Cards and SIMs that are topped up.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(card_app, name="card")

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
    validity_days: Annotated[int | None, typer.Option(
        "--validity-days", help="Days a top-up keeps the card valid.")] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Add a card or SIM to the ledger."""
    from ledger import cards

    spec = cards.CardSpec(kind=kind.value, number=number, region=region, currency=currency, issuer=issuer,
                            max_topup=max_topup, max_balance=max_balance, validity_days=validity_days)
    card = cards.add_card(ledger_path(ctx), label, spec)
    _show_card(card, output_format)
    say(f"added card {card['label']!r} ({card['kind']}, {card['currency']})")


@card_app.command("list")
def card_list(
    ctx: typer.Context,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show full card numbers.")] = False,
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    """List the cards."""
    from ledger import cards

    render_list(cards.list_cards(ledger_path(ctx), reveal), CARD_COLUMNS, list_format(output_format))


@card_app.command("show")
def card_show(
    ctx: typer.Context,
    label: str,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show the full card number.")] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Show one card, with how many top-ups it has and the last one's time."""
    from ledger import cards

    _show_card(cards.show_card(ledger_path(ctx), label, reveal), output_format)


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
    _show_card(cards.edit_card(ledger_path(ctx), label, spec), output_format)


@card_app.command("retire")
def card_retire(ctx: typer.Context, label: str) -> None:
    """Mark a card as no longer used; its records stay."""
    from ledger import cards

    card = cards.retire_card(ledger_path(ctx), label)
    say(f"card {card['label']!r} is retired; its records stay in the ledger")


def _show_card(card: dict[str, Any], output_format: ItemFormat) -> None:
    from ledger.cli import output

    if output_format is ItemFormat.json:
        output.print_json(card)
    else:
        output.print_fields(card)
