"""summary.html: the dispute pack's one-page letter, in Traditional Chinese, Simplified Chinese or English.

It is one self-contained file a person prints or attaches: receipt pictures are inside it, its
Content-Security-Policy lets it load nothing and run nothing, and every value is escaped.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from ledger.domain.fields import LABELS, PUBLIC_FIELDS, Kind, changes
from ledger.domain.named import action_named, named
from ledger.domain.receipts import ReceiptFile, how_shown, picture_type
from ledger.domain.times import names_a_day
from ledger.domain.values import Status, mask_number
from ledger.i18n import _, capitalized, joined, speaking

_BY_REGION = {"HK": "zh-Hant", "MO": "zh-Hant", "TW": "zh-Hant", "CN": "zh-Hans", "SG": "zh-Hans"}
_BY_CURRENCY = {"HKD": "zh-Hant", "MOP": "zh-Hant", "TWD": "zh-Hant", "CNY": "zh-Hans"}
# A top-up's fields in the order a person at a counter looks for them; any other field follows.
_FIRST = ("occurred_at", "channel", "ref", "merchant", "paid", "amount", "outcome")
_LEFT_OUT = ("id", "card", "card_kind", "currency", "status", "receipts", "created_at")
_SHOWN_FIELDS = sorted((f for f in PUBLIC_FIELDS if f.name not in _LEFT_OUT),
                       key=lambda f: _FIRST.index(f.name) if f.name in _FIRST else len(_FIRST))


def default_language(region: str | None, currency: str) -> str:
    """The language of the card's region, or of its currency when it has no region; English otherwise."""
    if region:
        return _BY_REGION.get(region, "en")
    return _BY_CURRENCY.get(currency, "en")


@dataclass(frozen=True)
class PackedRecord:
    """One record as the letter shows it: the record, its card, and its receipts with their place in the pack."""

    record: dict[str, Any]
    card: dict[str, Any]
    receipts: list[tuple[ReceiptFile, str]]


@dataclass(frozen=True)
class SealShown:
    ledger: str
    links: int
    digest: str
    sealed_at: str
    fingerprint: str


def render(packed: list[PackedRecord], *, language: str, reveal: bool, writer: str | None, made_at: str,
           seal: SealShown | None, checking: str) -> str:
    """The letter as HTML, in `language`."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.PackageLoader("ledger.output", "templates"),
                                     autoescape=True, trim_blocks=True, lstrip_blocks=True)
    environment.globals["_"] = _
    with speaking(language):
        return environment.get_template("summary.html").render(
            lang=language, writer=writer, made_at=_moment(made_at), seal=seal, checking=checking,
            records=[_shown(item, reveal) for item in packed])


def _moment(iso: str | None) -> str | None:
    """2025-03-14T18:42:00+08:00 as 2025-03-14 18:42:00 (UTC+08:00): the offset stays, readably; a
    day given alone (2025-03-14) stays a day."""
    if iso is None or names_a_day(iso):
        return iso
    when, offset = iso[:19].replace("T", " "), iso[19:] or "+00:00"
    return f"{when} (UTC{offset})"


def _shown(item: PackedRecord, reveal: bool) -> dict[str, Any]:
    record, card = item.record, item.card
    currency = record["currency"]
    number = card["number"] if reveal else mask_number(card["number"])
    fields = [(_("Card"), f"{card['label']} ({named(card['kind'])})"), (_("Card number"), number),
              (_("Issuer"), card["issuer"])]
    for field in _SHOWN_FIELDS:
        value = record[field.name]
        if value is not None and field.kind is Kind.money:
            value = f"{value} {currency}"
        elif field.kind is Kind.moment:
            value = _moment(value)
        elif field.kind is Kind.code:
            value = named(value)
        fields.append((capitalized(_(field.label)), value))
    history = [{"version": v["version"], "action": action_named(v["action"]), "at": _moment(v["recorded_at"]),
                "reason": v["reason"],
                "state": f"{v['content']['amount']} {v['content']['currency']}, {named(v['content']['outcome'])}",
                "changed": joined([_(LABELS[name]) for name in changed]) if changed else None}
               for v, changed in zip(record["history"], changes(record["history"]), strict=True)]
    return {"id": record["id"], "void": record["status"] == Status.void.value,
            "fields": [(label, value) for label, value in fields if value not in (None, "")],
            "receipts": [_receipt(receipt, place) for receipt, place in item.receipts], "history": history}


def _receipt(receipt: ReceiptFile, place: str) -> dict[str, Any]:
    """A receipt as listed, with its picture inline (as a data: URL) or its pasted text."""
    shown = how_shown(receipt)
    inline = (f"data:{picture_type(receipt.data)};base64,{base64.b64encode(receipt.data).decode()}"
              if shown.kind == "picture" else None)
    return {"name": receipt.name, "sha256": receipt.sha256, "size": receipt.size, "place": place,
            "picture": inline, "text": shown.text}
