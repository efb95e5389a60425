"""What a bill source declares: everything that differs from one payment app's bill to another's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo

from ledger.domain.values import Outcome

# The roles a bill's columns play; a layout must have these.
REQUIRED = ("time", "counterparty", "item", "direction", "amount", "status", "order")


@dataclass(frozen=True)
class BillSource:
    """A bill layout as downloaded from one payment app."""

    name: str  # as people call it, a catalog message: N_("WeChat Pay bill")
    channel: str  # how its top-ups were paid, a channel's canonical name
    currency: str  # ISO 4217: what its amounts are in
    zone: tzinfo  # what its times are in, whatever the reader's zone
    encodings: tuple[str, ...]  # Python codecs its files come in, the likeliest first
    # For each role a row's cells play, the names its column may have in the header row; the header
    # is looked for below whatever preamble the app writes above it.
    columns: dict[str, tuple[str, ...]]
    # A row's status, in the app's words, as an outcome: the first words found win.
    statuses: tuple[tuple[tuple[str, ...], Outcome], ...]
    paid_out: tuple[str, ...]  # what its direction column says of a payment ("" when it says nothing)
    refund_words: tuple[str, ...]  # what marks a row that gives money back: its kind begins or ends with one,
    # its item begins with one or ends with "-" and one
    phone_region: str  # where the numbers its items name are from (`domain.phones`)
    # What is never a card's top-up in this app, however a row reads: money moved within its wallet,
    # transfers, savings; and the kinds of row (红包) that are never one.
    not_topups: tuple[str, ...] = ()
    not_topup_kinds: tuple[str, ...] = ()
    required: tuple[str, ...] = field(default=REQUIRED)
