"""The bills of payment apps, and which of their rows are top-ups.

Each app's layout is one module in `layouts/`, declaring its `BillSource`: its currency, zone,
encodings, the names its header's columns may have, its status, direction and refund words, where
its phone numbers are from and its channel. A layout is known by the names of its header's columns,
wherever the header is (the preamble above it changes from year to year). A row is a top-up when
the words of `words` name one in its counterparty or item (or it names one of the ledger's own
smart cards beside a word for adding value) and the source's `not_topups` do not; its outcome comes
from its status, and a refund row of the same order settles the top-up instead of becoming a record.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import NamedTuple

from ledger.chinese import folded
from ledger.domain import carriers
from ledger.domain.numerals import chinese_number
from ledger.domain.times import happened_by, local_moment, parse_moment
from ledger.domain.values import Outcome, fold_width, label_key
from ledger.i18n import _
from ledger.sources.bills import layouts, words
from ledger.sources.bills.source import BillSource

HEADER_SEARCH = 200  # a bill's header is looked for within this many rows: the preambles run to about 25
# A refund's order number extends its top-up's; an order number this short is not taken for the start of another.
SHORTEST_EXTENDED_ORDER = 10
# The most a top-up's fee is over its face value, in the bills' yuan: more is a price, not a fee.
FEE_SHARE, FEE_MOST = Decimal("0.10"), Decimal(5)


@cache
def sources() -> tuple[BillSource, ...]:
    """Every bill source, one for each module in `layouts`, in the order of their names."""
    found = (importlib.import_module(f"{layouts.__name__}.{module.name}")
             for module in sorted(pkgutil.iter_modules(layouts.__path__), key=lambda module: module.name))
    return tuple(module.SOURCE for module in found)


def encodings() -> tuple[str, ...]:
    """The encodings any bill source's files come in, the likeliest first."""
    return tuple(dict.fromkeys(encoding for source in sources() for encoding in source.encodings))


@dataclass
class BillRow:
    """One row of a bill, its cells by role, cleaned."""

    line: int
    cells: dict[str, str]

    def get(self, role: str) -> str:
        return self.cells.get(role, "")

    @property
    def text(self) -> str:
        """What names the top-up: the counterparty and the item."""
        return f"{self.get('counterparty')} {self.get('item')}"


@dataclass
class Decision:
    """What becomes of a bill row: a top-up of a kind of card (with its outcome), or skipped and why
    (`reason`, a `Text`: the import shows it, and writes it in English as a row's `why`)."""

    kind: str | None  # None: not a top-up
    outcome: Outcome | None = None  # None for a top-up: its status is not understood
    reason: str = ""
    refund: bool = False  # a refund row, which settles the top-up of its order


def clean_cell(text: str) -> str:
    """A cell as the bill means it: no padding or tabs, and `/` (the bills' empty) as empty."""
    text = text.replace("\t", "").strip()
    return "" if text == "/" else text


# What a payment got back, as JD writes it after the amount paid: 131.77(已退款89.84), 468.32(已全额退款).
_GIVEN_BACK = re.compile(r"[(（]\s*已(全额)?退款\s*[¥￥]?\s*([\d,]*(?:\.\d+)?)\s*[)）]\s*$")


def clean_amount(text: str) -> str:
    """A bill's amount as a plain decimal: no ¥, no thousands separators, no note of a refund."""
    return _GIVEN_BACK.sub("", clean_cell(text)).lstrip("¥￥").replace(",", "").strip()


def given_back(row: BillRow) -> Decimal:
    """What a row says was refunded of its payment: in a column of its own (成功退款, the Alipay website's),
    or after its amount (JD's)."""
    noted = _GIVEN_BACK.search(clean_cell(row.get("amount")))
    if noted is None:
        return amount_of(row.get("refunded"))
    return amount_of(row.get("amount")) if noted[1] else amount_of(noted[2])


class Header(NamedTuple):
    """Where a bill's header is: whose layout it is, its row's index, and each role's column."""

    source: BillSource
    row: int
    columns: dict[str, int]


def find_header(rows: list[list[str]]) -> Header | None:
    """The header of the layout a file's rows follow, within their first HEADER_SEARCH rows."""
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        names = [clean_cell(cell) for cell in row]
        for source in sources():
            found = {role: names.index(name) for role, options in source.columns.items()
                     for name in options if name in names}
            if all(role in found for role in source.required):
                return Header(source, index, found)
    return None


def decide(row: BillRow, source: BillSource, own_cards: Iterable[tuple[str, str]] = ()) -> Decision:
    """Whether a bill row is a top-up, of which kind of card, and how it ended. `own_cards` are
    (kind, name) of the ledger's cards: a row naming one of them beside a word for adding value is
    a top-up of that kind even when the table does not know the name (a city's own transit card)."""
    text = fold_width(row.text).casefold()
    if is_refund(row, source):
        return Decision(None, reason=_("a refund, settled with its top-up"), refund=True)
    names_phone_topup = any(_says(text, word) for word in words.TOPUP_WORDS["sim"])
    if any(word in text for word in words.NOT_ADDING_VALUE) or \
            (any(word in text for word in words.CARRIER_WALLETS) and not names_phone_topup):
        return Decision(None, reason=_("not a top-up: power, a post's views, or a carrier's other service"))
    if any(word in f"{row.get('kind')} {text}" for word in source.not_topups) or \
            any(word in row.get("kind") for word in source.not_topup_kinds):
        return Decision(None, reason=_("money moved within the wallet, a transfer or a red packet"))
    if words.BUYS_VOUCHER.search(row.get("item")):
        return Decision(None, reason=_("a voucher bought, not a top-up"))
    if row.get("direction") not in source.paid_out:
        if not row.get("direction"):
            return Decision(None, reason=_("not a payment (no direction)"))
        return Decision(None, reason=_("not a payment ({direction})", direction=row.get("direction")))
    adding_value = any(word in text for word in words.ADDING_VALUE)
    kind = next((kind for kind, named in words.TOPUP_WORDS.items() if any(_says(text, word) for word in named)
                 and (kind == "sim" or adding_value)), None)
    if kind is None and carriers.carrier(text) and (
            adding_value or any(word in text for word in words.PAYING_A_NUMBER)):
        kind = "sim"
    if kind is None and adding_value:
        kind = next((kind for kind, name in own_cards if names(text, name)), None)
    if kind is None:
        return Decision(None, reason=_("not a top-up"))
    status = row.get("status")
    outcome = next((outcome for said, outcome in source.statuses if any(word in status for word in said)), None)
    if outcome is None:  # a top-up all the same: it is not skipped, it is left to the person to log
        return Decision(kind, reason=_("its status {status!r} is not understood; log it by hand", status=status))
    if outcome is Outcome.refunded and partly_refunded(status, clean_amount(row.get("amount"))):
        outcome = Outcome.credited  # part came back: the top-up itself went through
    refunded = given_back(row)
    if refunded > 0:
        outcome = Outcome.refunded if refunded >= amount_of(row.get("amount")) else outcome
    if row.get("created") and not row.get("time") and outcome is Outcome.failed:
        return Decision(None, reason=_("closed before it was paid"))
    return Decision(kind, outcome)


def names(text: str, name: str | None) -> bool:
    """Whether the text names a card's label or issuer (or another name of the same card, SAME_CARD):
    as a whole word when it is in Latin letters, and never by one letter or digit alone."""
    key = folded(label_key(name or ""))  # in either script of Chinese
    if len(key) < 2:
        return False
    said = folded(label_key(text))
    keys = next(({folded(each) for each in same} for same in words.SAME_CARD if key in map(folded, same)), set())
    return any(re.search(rf"(?<![a-z0-9]){re.escape(each)}(?![a-z0-9])", said) if each.isascii() else each in said
               for each in keys | {key})


_PLAIN_TIME = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")


def moment_of(text: str, source: BillSource, now: datetime) -> datetime:
    """A bill's time, in its source's zone whatever the zone of the computer reading it: in the
    forms the bills and spreadsheets write (2025-03-14 18:42:07, 2025/3/14 18:42) read at once, in
    any other by the general reader; refused, as `--at` is, when it is still to come."""
    match = _PLAIN_TIME.fullmatch(text.strip())
    try:
        wall = datetime(*(int(part or 0) for part in match.groups())) if match else None
    except ValueError:  # 2025-02-30: the general reader says why
        wall = None
    return happened_by(local_moment(wall, text, source.zone), now, text) if wall \
        else parse_moment(text, now, zone=source.zone)


def _says(text: str, word: str) -> bool:
    """Whether casefolded `text` holds `word`: a Latin one as a whole word (octopus, not octopussy)."""
    word = word.casefold()
    if word.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) is not None
    return word in text


def is_refund(row: BillRow, source: BillSource) -> bool:
    """Whether the row gives money back for another: 退款-… (Alipay), …-退款 (WeChat), or kind 退款."""
    kind, item = row.get("kind"), row.get("item")
    return any(item.startswith(word) or kind.startswith(word) or kind.endswith(word) or item.endswith(f"-{word}")
               for word in source.refund_words)


def card_named(text: str, kind: str, *, specific: bool = False) -> str | None:
    """The name of a kind of card (深圳通, 校园卡; one name for each card, SAME_CARD's first) or of a
    carrier (中国电信, 广东移动; 中国电信 for a phone top-up naming 电信 bare) the text gives, if any;
    `specific`: only a name one card system goes by, not a word any card may (公交卡, 一卡通)."""
    if kind == "sim":
        core = carriers.carrier_topped_up(text)
        return carriers.named_in(text) or (carriers.national_name(core) if core else None)
    folded = fold_width(text).casefold()
    known = [word for word in words.TOPUP_WORDS["smart"] if not specific or word not in words.ANY_CARD]
    named = next((word for word in known if _says(folded, word)), None)
    return next((same[0] for same in words.SAME_CARD if named and named.casefold() in same), named)


def face_value(item: str) -> str | None:
    """The amount a top-up's item text says was credited ('话费充值-139****5678 100元', '话费充值一百元',
    '话费充值￥100'), if it says one."""
    stated = words.NOT_FACE_VALUE.sub(" ", fold_width(item))
    with_yuan, signed = set(), set()
    for match in words.FACE_VALUE.finditer(stated):
        if match["signed"]:
            signed.add(match["signed"].replace(",", ""))
        elif match["digits"]:
            with_yuan.add(match["digits"].replace(",", ""))
        elif (number := chinese_number(match["chinese"])) is not None:
            with_yuan.add(str(number))
    values = {Decimal(value) for value in with_yuan or signed}  # 100 and 100.00 are one value
    return str(values.pop()) if len(values) == 1 else None


def overcharged(face: Decimal, paid: Decimal) -> bool:
    """Whether more was charged than a face value and a fee on it (FEE_SHARE of it, at most FEE_MOST):
    then the face value the item names is not what was bought, and the row is not recorded as it reads."""
    return paid - face > min(face * FEE_SHARE, FEE_MOST)


# A number a spreadsheet rewrote in scientific notation (4.2E+27): the digits are gone.
_MANGLED = re.compile(r"\d(?:\.\d+)?E\+\d+", re.I)


def order_number(text: str) -> str:
    """An order number as the bill gives it, or empty when a spreadsheet has rewritten it: 4.2E+27, or
    its first 15 digits followed by zeros (a spreadsheet keeps no more digits than 15)."""
    if _MANGLED.fullmatch(text) or (len(text) >= 18 and text.isdigit() and not text[15:].strip("0")):
        return ""
    return text


_PARTLY_REFUNDED = re.compile(r"已退款\s*[(（]\s*[¥￥]?\s*([\d,]+(?:\.\d+)?)\s*[)）]")


def partly_refunded(status: str, paid: str) -> bool:
    """Whether a status such as 已退款(￥20.00) gave back less than was paid."""
    match = _PARTLY_REFUNDED.search(status)
    return bool(match) and amount_of(match[1]) < amount_of(paid)


def amount_of(text: str) -> Decimal:
    """A bill's amount as a number for comparing or adding two of them (0 when it is not one)."""
    try:
        return Decimal(clean_amount(text) or 0)
    except InvalidOperation:
        return Decimal(0)
