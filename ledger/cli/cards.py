"""`topup card …`: cards and SIMs."""

from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.app import ItemFormat, LabelArg, ListFormat, app, list_format, open_ledger, render_list, say
from ledger.domain.values import CardKind

if TYPE_CHECKING:
    from ledger.domain.cards import CardView

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
    from ledger.service import cards

    spec = cards.CardSpec(kind=kind.value, number=number, region=region, currency=currency, issuer=issuer,
                            max_topup=max_topup, max_balance=max_balance, validity_days=validity_days)
    with open_ledger(ctx, write=True) as ledger:
        card = cards.add_card(ledger, label, spec)
    _show_card(card, output_format)
    say(f"added card {card['label']!r} ({card['kind']}, {card['currency']})")


@card_app.command("list")
def card_list(
    ctx: typer.Context,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show full card numbers.")] = False,
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    """List the cards."""
    from ledger.service import cards

    with open_ledger(ctx) as ledger:
        listed = cards.list_cards(ledger, reveal)
    render_list(listed, CARD_COLUMNS, list_format(output_format))


@card_app.command("show")
def card_show(
    ctx: typer.Context,
    label: LabelArg,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show the full card number.")] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    """Show one card, with how many top-ups it has and the last one's time."""
    from ledger.service import cards

    with open_ledger(ctx) as ledger:
        card = cards.show_card(ledger, label, reveal)
    _show_card(card, output_format)


@card_app.command("edit")
def card_edit(
    ctx: typer.Context,
    label: LabelArg,
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
    from ledger.service import cards

    spec = cards.CardSpec(kind=kind.value if kind else None, number=number, region=region, currency=currency,
                            issuer=issuer, max_topup=max_topup, max_balance=max_balance,
                            validity_days=validity_days, label=new_label)
    with open_ledger(ctx, write=True) as ledger:
        card = cards.edit_card(ledger, label, spec)
    _show_card(card, output_format)


@card_app.command("retire")
def card_retire(ctx: typer.Context, label: LabelArg) -> None:
    """Mark a card as no longer used; its records stay."""
    from ledger.service import cards

    with open_ledger(ctx, write=True) as ledger:
        card = cards.retire_card(ledger, label)
    say(f"card {card['label']!r} is retired; its records stay in the ledger")


def _show_card(card: "CardView", output_format: ItemFormat) -> None:
    from ledger.cli import output

    if output_format is ItemFormat.json:
        output.print_json(card)
    else:
        output.print_fields(card)
