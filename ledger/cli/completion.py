"""What Tab completes from the ledger itself: card labels, record ids and channel names.

Each function is given to typer as an `autocompletion`; it reads the ledger named by `--db` (or
TOPUP_DB, or the default) through `store.peek`, which never changes, upgrades or refuses anything.
The hint after each value is what zsh and fish show beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # completion runs at every Tab press: nothing is imported that it does not use
    import sqlite3
    from contextlib import AbstractContextManager

RECORDS_OFFERED = 30  # the newest records a Tab offers; typing digits narrows them


def _ledger(ctx: typer.Context) -> AbstractContextManager[sqlite3.Connection | None]:
    from ledger.store.db import resolve_path
    from ledger.store.peek import peek

    return peek(resolve_path(ctx.find_root().params.get("db")))


def card_labels(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Card labels, cards in use first (typer keeps those that begin with what was typed)."""
    from ledger.store.peek import card_labels as labels

    with _ledger(ctx) as conn:
        found = labels(conn) if conn else []
    return [(label, f"{kind}, retired" if retired else kind) for label, kind, retired in found]


def record_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The newest record ids that begin with the digits typed, with the card and amount as the hint."""
    from ledger.store.peek import newest_records

    if incomplete and not (incomplete.isascii() and incomplete.isdigit()):
        return []
    with _ledger(ctx) as conn:
        found = newest_records(conn, incomplete, RECORDS_OFFERED) if conn else []
    return [(str(topup_id), f"{label} {amount}".strip()) for topup_id, label, amount in found]


def channel_names() -> list[tuple[str, str]]:
    """Channel names and their aliases, Chinese ones too, each with the channel it stands for (not
    those of two words: a shell would complete them as two arguments)."""
    from ledger.domain.channels import ALIASES, names

    return [(name, channel.value) for channel in ALIASES for name in names(channel) if " " not in name]
