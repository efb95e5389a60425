"""What Tab completes from the ledger itself: card labels, record ids and channel names.

Each function is given to typer as an `autocompletion`; it reads the ledger named by `--db` (or
TOPUP_DB, or the default) through a peek (`service.opening.peek`), which never changes, upgrades
or refuses anything.
The hint after each value is what zsh and fish show beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from ledger.i18n import _

if TYPE_CHECKING:  # completion runs at every Tab press: nothing is imported that it does not use
    from contextlib import AbstractContextManager

    from ledger.service.opening import Peek

RECORDS_OFFERED = 30  # the newest records a Tab offers; typing digits narrows them


def _ledger(ctx: typer.Context) -> AbstractContextManager[Peek | None]:
    from ledger.service.opening import peek

    return peek(ctx.find_root().params.get("db"))


def card_labels(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Card labels, cards in use first (typer keeps those that begin with what was typed)."""
    with _ledger(ctx) as looking:
        found = looking.card_names() if looking else []
    return [(card.label, _("{kind}, retired", kind=card.kind) if card.retired else card.kind) for card in found]


def record_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The newest record ids that begin with the digits typed, with the card and amount as the hint."""
    if incomplete and not (incomplete.isascii() and incomplete.isdigit()):
        return []
    with _ledger(ctx) as looking:
        found = looking.newest_records(incomplete, RECORDS_OFFERED) if looking else []
    return [(str(record.id), f"{record.card} {record.amount}".strip()) for record in found]


def channel_names() -> list[tuple[str, str]]:
    """Channel names and their aliases, Chinese ones too, each with the channel it stands for (not
    those of two words: a shell would complete them as two arguments)."""
    from ledger.domain.channels import ALIASES, names

    return [(name, channel.value) for channel in ALIASES for name in names(channel) if " " not in name]
