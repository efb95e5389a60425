"""`topup card …`: cards and SIMs."""

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.app import ItemFormat, LabelArg, ListFormat, app, list_format, open_ledger, render_list, say, warn
from ledger.domain.values import CardKind
from ledger.i18n import N_, _

if TYPE_CHECKING:
    from ledger.domain.cards import CardView

card_app = typer.Typer(help=_("Cards and SIMs that are topped up."), no_args_is_help=True, rich_markup_mode=None)
app.add_typer(card_app, name="card")

# What `card show` calls a card's fields.
CARD_LABELS = {"label": N_("card"), "kind": N_("kind"), "number": N_("number"), "region": N_("region"),
               "currency": N_("currency"), "issuer": N_("issuer"), "max_topup": N_("max top-up"),
               "max_balance": N_("max balance"), "validity_days": N_("valid days"), "retired": N_("retired"),
               "created_at": N_("added at"), "records": N_("records"), "last_topup_at": N_("last top-up"),
               "profile": N_("profile"), "rules": N_("profile rules")}
# `card list`'s columns, the currency's heading short.
CARD_COLUMNS = [(key, _("cur") if key == "currency" else _(CARD_LABELS[key])) for key in
                ("label", "kind", "number", "currency", "region", "issuer", "max_topup", "max_balance",
                 "validity_days", "retired")]


@card_app.command("add", help=_("Add a card or SIM to the ledger."))
def card_add(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(
        metavar="LABEL", help=_("A short name you will type, e.g. 八达通 or work-sim."))],
    kind: Annotated[CardKind | None, typer.Option("--kind", help=_("sim or smart."))] = None,
    number: Annotated[str | None, typer.Option(help=_("Phone number or ICCID (sim), card number (smart)."))] = None,
    region: Annotated[str | None, typer.Option(help=_("Two-letter region, e.g. HK, CN, TW."))] = None,
    currency: Annotated[str | None, typer.Option(help=_("ISO 4217 code (default: the region's, else CNY)."))] = None,
    issuer: Annotated[str | None, typer.Option(help=_("Carrier or card issuer."))] = None,
    max_topup: Annotated[str | None, typer.Option("--max-topup", help=_("Single top-up limit."))] = None,
    max_balance: Annotated[str | None, typer.Option("--max-balance", help=_("Balance cap."))] = None,
    validity_days: Annotated[int | None, typer.Option(
        "--validity-days", help=_("Days a top-up keeps the card valid."))] = None,
    profile: Annotated[str | None, typer.Option(
        "--profile", help=_("A known card or carrier (Octopus, 悠遊卡, Suica, csl …): fills in its published limits, "
                            "currency, region and rules; options given win. See `topup card profiles`."))] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    from ledger.service import cards

    spec = cards.CardSpec(kind=kind.value if kind else None, number=number, region=region, currency=currency,
                          issuer=issuer, max_topup=max_topup, max_balance=max_balance, validity_days=validity_days,
                          profile=profile)
    with open_ledger(ctx, write=True) as ledger:
        card, warnings = cards.add_card(ledger, label, spec)
    _show_card(card, output_format)
    warn(warnings)
    from ledger.domain.named import named

    say(_("added card {label!r} ({kind}, {currency})", label=card["label"], kind=named(card["kind"]),
          currency=card["currency"]))


@card_app.command("profiles", help=_("The known cards and carriers that --profile fills in, each rule with where "
                                     "it was published and when that was read."))
def card_profiles(output_format: Annotated[ListFormat | None, typer.Option("--format")] = None) -> None:
    from ledger.domain.rules import cited
    from ledger.service import cards

    rows = cards.card_profiles()
    fmt = list_format(output_format)
    columns = [("name", _("profile")), ("names", _("also called")), ("currency", _("cur")), ("rule", _("rule"))]
    if fmt is ListFormat.table:  # words for a person; scripts keep each rule's parts
        for row in rows:
            row["names"] = ", ".join(row["names"])
            row["rule"] = cited(row) if row["rule"] else ""
    else:
        columns = [(key, key) for key in ("profile", "name", "names", "kind", "region", "currency", "issuer", "rule",
                                          "value", "channels", "days", "source", "read_on")]
        if fmt is ListFormat.csv:  # an amount is a number a spreadsheet adds up, as the export's are
            for row in rows:
                row["value"] = Decimal(row["value"]) if isinstance(row["value"], str) else row["value"]
    render_list(rows, columns, fmt)


@card_app.command("list", help=_("List the cards."))
def card_list(
    ctx: typer.Context,
    reveal: Annotated[bool, typer.Option("--reveal", help=_("Show full card numbers."))] = False,
    output_format: Annotated[ListFormat | None, typer.Option("--format")] = None,
) -> None:
    from ledger.service import cards

    with open_ledger(ctx) as ledger:
        listed = cards.list_cards(ledger, reveal)
    render_list(listed, CARD_COLUMNS, list_format(output_format))


@card_app.command("show", help=_("Show one card, with how many top-ups it has and the last one's time."))
def card_show(
    ctx: typer.Context,
    label: LabelArg,
    reveal: Annotated[bool, typer.Option("--reveal", help=_("Show the full card number."))] = False,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    from ledger.service import cards

    with open_ledger(ctx) as ledger:
        card = cards.show_card(ledger, label, reveal)
    _show_card(card, output_format)


@card_app.command("edit", help=_("Change a card's settings."))
def card_edit(
    ctx: typer.Context,
    label: LabelArg,
    new_label: Annotated[str | None, typer.Option("--label", help=_("Rename the card."))] = None,
    kind: Annotated[CardKind | None, typer.Option("--kind")] = None,
    number: Annotated[str | None, typer.Option(help=_("New number; an empty value removes it."))] = None,
    region: Annotated[str | None, typer.Option()] = None,
    currency: Annotated[str | None, typer.Option()] = None,
    issuer: Annotated[str | None, typer.Option()] = None,
    max_topup: Annotated[str | None, typer.Option("--max-topup", help=_("An empty value removes the limit."))] = None,
    max_balance: Annotated[str | None, typer.Option("--max-balance", help=_("An empty value removes the cap."))] = None,
    validity_days: Annotated[int | None, typer.Option("--validity-days")] = None,
    output_format: Annotated[ItemFormat, typer.Option("--format")] = ItemFormat.text,
) -> None:
    from ledger.service import cards

    spec = cards.CardSpec(kind=kind.value if kind else None, number=number, region=region, currency=currency,
                            issuer=issuer, max_topup=max_topup, max_balance=max_balance,
                            validity_days=validity_days, label=new_label)
    with open_ledger(ctx, write=True) as ledger:
        card, warnings = cards.edit_card(ledger, label, spec)
    _show_card(card, output_format)
    warn(warnings)


@card_app.command("retire", help=_("Mark a card as no longer used; its records stay."))
def card_retire(ctx: typer.Context, label: LabelArg) -> None:
    from ledger.service import cards

    with open_ledger(ctx, write=True) as ledger:
        card = cards.retire_card(ledger, label)
    say(_("card {label!r} is retired; its records stay in the ledger", label=card["label"]))


def _show_card(card: "CardView", output_format: ItemFormat) -> None:
    from ledger.cli import output

    if output_format is ItemFormat.json:
        output.print_json(card)
    else:
        from ledger.domain.rules import cited

        if "rules" in card:
            card = {**card, "rules": "\n".join(cited(rule) for rule in card["rules"])}  # type: ignore[typeddict-item]
        output.print_fields(card, CARD_LABELS)
