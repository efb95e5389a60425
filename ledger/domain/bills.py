"""The monthly bills of WeChat Pay and Alipay: their layouts, and which of their rows are top-ups.

A bill lists everything its owner paid and received; only top-ups belong in the ledger. Each
layout is known by the names of its header's columns, wherever the header is (the preamble above
it changes from year to year). A row is a top-up when TOPUP_WORDS name one in its counterparty or
item (or it names one of the ledger's own smart cards beside a word for adding value) and
NOT_TOPUPS do not; its outcome comes from its status (STATUS_OUTCOMES), and a refund row of the
same order settles the top-up instead of becoming a record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from ledger.domain.values import Outcome, fold_width, label_key

HEADER_SEARCH = 200  # a bill's header is looked for within this many rows: the preambles run to about 25
# A refund's order number extends its top-up's; an order number this short is not taken for the start of another.
SHORTEST_EXTENDED_ORDER = 10


@dataclass(frozen=True)
class Layout:
    """A bill layout: for each role a row's cells play, the header names that column may have."""

    name: str
    channel: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...] = ("time", "counterparty", "item", "direction", "amount", "status", "order")


LAYOUTS = (
    Layout("WeChat Pay bill", "wechat", {
        "time": ("交易时间",), "kind": ("交易类型",), "counterparty": ("交易对方",), "item": ("商品",),
        "direction": ("收/支",), "amount": ("金额(元)", "金额（元）"), "method": ("支付方式",),
        "status": ("当前状态",), "order": ("交易单号",), "merchant_order": ("商户单号",), "note": ("备注",)}),
    Layout("Alipay bill", "alipay", {
        "time": ("交易时间",), "kind": ("交易分类",), "counterparty": ("交易对方",), "item": ("商品说明",),
        "direction": ("收/支",), "amount": ("金额",), "method": ("收/付款方式",), "status": ("交易状态",),
        "order": ("交易订单号",), "merchant_order": ("商家订单号",), "note": ("备注",)}),
    Layout("Alipay bill (web)", "alipay", {
        "time": ("付款时间",), "created": ("交易创建时间",), "kind": ("类型",), "counterparty": ("交易对方",),
        "item": ("商品名称",), "direction": ("收/支",), "amount": ("金额（元）", "金额(元)"),
        "status": ("交易状态",), "refunded": ("成功退款（元）", "成功退款(元)"), "order": ("交易号",),
        "merchant_order": ("商家订单号",), "note": ("备注",), "funds": ("资金状态",)}),
)

# What makes a row a top-up, and of which kind of card. Both lists are searched in the row's
# counterparty and item text, in any case; a smart card's name counts only beside a word for adding
# value (_ADDING_VALUE), and so does a carrier's (_CARRIER), which may also be paid (缴费).
TOPUP_WORDS = {
    "sim": ("话费", "話費", "充话费", "手机充值", "手機充值", "流量充值", "手机号充值", "号卡充值"),
    "smart": ("公交卡", "交通卡", "一卡通", "八达通", "八達通", "深圳通", "羊城通", "岭南通", "嶺南通", "悠遊卡",
              "悠游卡", "校园卡", "校園卡", "饭卡", "飯卡", "市民卡", "交通联合", "武汉通", "天府通", "长安通",
              "苏州通", "澳门通", "澳門通", "Octopus"),
}
# Words any smart card may be called by, as against the name of one card system (深圳通, 八达通).
_ANY_CARD = ("公交卡", "交通卡", "一卡通", "校园卡", "校園卡", "饭卡", "飯卡", "市民卡", "交通联合")
_ADDING_VALUE = ("充值", "增值", "加值", "储值", "儲值", "充卡", "add value", "top up", "top-up", "topup", "reload")
# Mobile carriers: a payment to one of them that adds value is a phone top-up.
# A carrier by its national name (中国移动), a province's or city's branch (广东移动, 上海电信), or bare
# (移动) right beside a phone number or a word for adding value (移动 139****5678, 联通充值).
# The two characters before a branch's carrier name a place, not what was bought (充值移动 is no carrier).
_CARRIER_NAME = re.compile(r"(?:中[国國]|(?!充值|话费|話費|手机|手機|缴费|繳費|流量)[\u4e00-\u9fff]{2}省?)"
                           r"(移[动動]|[联聯]通|[电電]信|[广廣][电電])")
_CARRIER = re.compile(_CARRIER_NAME.pattern
                      + r"|(移[动動]|[联聯]通|[电電]信)\s*(?:1\d{2}[\d*]{4}\d{4}|充值|增值|缴费|繳費)")
# Paying a carrier that adds value to a number: its bill (缴费) counts too.
_PAYING_A_NUMBER = ("缴费", "繳費")
# Names that stand for the same card: a card with one of them as its label or issuer answers to all.
SAME_CARD = (("八达通", "八達通", "octopus"), ("悠遊卡", "悠游卡", "easycard"), ("澳门通", "澳門通", "macau pass"),
             ("岭南通", "嶺南通"), ("校园卡", "校園卡"), ("饭卡", "飯卡"))
# The currency a smart card known by name keeps its value in, when it is not yuan.
CARD_CURRENCIES = {"八达通": "HKD", "八達通": "HKD", "octopus": "HKD", "悠遊卡": "TWD", "悠游卡": "TWD",
                   "澳门通": "MOP", "澳門通": "MOP"}
# What is never a card's top-up, however its text reads: money moved within the wallet, transfers,
# red packets, savings and repayments.
NOT_TOPUPS = ("零钱充值", "零钱通", "零錢", "余额宝", "餘額寶", "转账", "轉賬", "提现", "提現", "理财", "理財",
              "还款", "還款", "基金", "转入", "轉入")
# A red packet is a kind of row (微信红包, 转账红包), not something a top-up's item mentions in passing.
_NOT_TOPUP_KINDS = ("红包", "紅包")
# A voucher bought, as against one used: the item ends with it (话费充值券 50元, 话费抵用券, 优惠券包).
_BUYS_VOUCHER = re.compile(r"券包?\s*(?:\d+(?:\.\d+)?\s*元)?\s*$")

# A bill's status, in the words each layout uses, as an outcome; first match wins.
STATUS_OUTCOMES = (
    (("已全额退款", "全额退款", "已退款", "退款成功"), Outcome.refunded),
    (("交易关闭", "已关闭", "支付失败", "充值失败", "交易失败"), Outcome.failed),
    (("等待", "处理中", "充值中", "待"), Outcome.pending),
    (("支付成功", "交易成功", "充值完成", "充值成功", "已支付", "已完成", "已到账"), Outcome.credited),
)

CHINA_TIME = timezone(timedelta(hours=8), "China")  # the bills' times, whatever the reader's zone
_PLAIN_TIME = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")
_MASKED_PHONE = re.compile(r"(?<!\d)(1\d{2})\*{4}(\d{4})(?!\d)")
# A whole number, as people write one: 13912345678, 139 1234 5678, +86 139-1234-5678, 8613912345678.
_FULL_PHONE = re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_FACE_VALUE = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d{1,6})(\.\d{1,2})?\s*元")
# What was paid or taken off, not credited: 实付98元, 优惠2元, 立减5元.
_NOT_FACE_VALUE = re.compile(r"(?:实付|實付|实际支付|實際支付|支付|付款|优惠价?|優惠價?|立减|立減|减免|減免|折后价?|"
                             r"折後價?|抵扣|券后价?|券後價?|到手价?|到手價?)"
                             r"\s*[:：]?\s*[¥￥]?\s*[\d,]+(?:\.\d+)?\s*元?")
# A number a spreadsheet rewrote in scientific notation (4.2E+27): the digits are gone.
_MANGLED = re.compile(r"\d(?:\.\d+)?E\+\d+", re.I)
_PARTLY_REFUNDED = re.compile(r"已退款\s*[(（]\s*[¥￥]?\s*([\d,]+(?:\.\d+)?)\s*[)）]")
# What a payment's text says when it is not a top-up, whatever card name it carries: power for a
# phone, the "traffic packs" of short-video apps (views for a post, not data), a carrier's other
# services (broadband, a landline) and its own wallet (和包).
_NOT_ADDING_VALUE = ("充电", "充電", "dou+", "粉条", "粉條", "作品推广", "上热门", "上熱門", "宽带", "寬帶", "固话",
                     "固話", "和包")


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
    """What becomes of a bill row: a top-up of a kind of card (with its outcome), or skipped and why."""

    kind: str | None  # None: not a top-up
    outcome: Outcome | None = None  # None for a top-up: its status is not understood
    reason: str = ""
    refund: bool = False  # a refund row, which settles the top-up of its order


def clean_cell(text: str) -> str:
    """A cell as the bill means it: no padding or tabs, and `/` (the bills' empty) as empty."""
    text = text.replace("\t", "").strip()
    return "" if text == "/" else text


def clean_amount(text: str) -> str:
    """A bill's amount as a plain decimal: no ¥, no thousands separators."""
    return clean_cell(text).lstrip("¥￥").replace(",", "").strip()


def find_header(rows: list[list[str]]) -> tuple[Layout, int, dict[str, int]] | None:
    """The layout a file's rows follow, the index of its header row (within its first HEADER_SEARCH
    rows), and each role's column."""
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        names = [clean_cell(cell) for cell in row]
        for layout in LAYOUTS:
            found = {role: names.index(name) for role, options in layout.columns.items()
                     for name in options if name in names}
            if all(role in found for role in layout.required):
                return layout, index, found
    return None


def decide(row: BillRow, own_cards: Iterable[tuple[str, str]] = ()) -> Decision:
    """Whether a bill row is a top-up, of which kind of card, and how it ended. `own_cards` are
    (kind, name) of the ledger's cards: a row naming one of them beside a word for adding value is
    a top-up of that kind even when the table does not know the name (a city's own transit card)."""
    text = fold_width(row.text).casefold()
    if is_refund(row):
        return Decision(None, reason="a refund, settled with its top-up", refund=True)
    if any(word in text for word in _NOT_ADDING_VALUE):
        return Decision(None, reason="not a top-up: power, a post's views, or a carrier's other service")
    if any(word in f"{row.get('kind')} {text}" for word in NOT_TOPUPS) or \
            any(word in row.get("kind") for word in _NOT_TOPUP_KINDS):
        return Decision(None, reason="money moved within the wallet, a transfer or a red packet")
    if _BUYS_VOUCHER.search(row.get("item")):
        return Decision(None, reason="a voucher bought, not a top-up")
    if row.get("direction") not in ("支出", ""):
        return Decision(None, reason=f"not a payment ({row.get('direction') or 'no direction'})")
    adding_value = any(word in text for word in _ADDING_VALUE)
    kind = next((kind for kind, words in TOPUP_WORDS.items() if any(_says(text, word) for word in words)
                 and (kind == "sim" or adding_value)), None)
    if kind is None and _CARRIER.search(text) and (adding_value or any(word in text for word in _PAYING_A_NUMBER)):
        kind = "sim"
    if kind is None and adding_value:
        kind = next((kind for kind, name in own_cards if names(text, name)), None)
    if kind is None:
        return Decision(None, reason="not a top-up")
    status = row.get("status")
    outcome = next((outcome for words, outcome in STATUS_OUTCOMES if any(word in status for word in words)), None)
    if outcome is None:  # a top-up all the same: it is not skipped, it is left to the person to log
        return Decision(kind, reason=f"its status {status!r} is not understood; log it by hand")
    if outcome is Outcome.refunded and partly_refunded(status, clean_amount(row.get("amount"))):
        outcome = Outcome.credited  # part came back: the top-up itself went through
    refunded = amount_of(row.get("refunded"))
    if refunded > 0:  # the web layout's 成功退款 column
        outcome = Outcome.refunded if refunded >= amount_of(row.get("amount")) else outcome
    if row.get("created") and not row.get("time") and outcome is Outcome.failed:
        return Decision(None, reason="closed before it was paid")
    return Decision(kind, outcome)


def names(text: str, name: str | None) -> bool:
    """Whether the text names a card's label or issuer (or another name of the same card, SAME_CARD):
    as a whole word when it is in Latin letters, and never by one letter or digit alone."""
    key = label_key(name or "")
    if len(key) < 2:
        return False
    folded = label_key(text)
    keys = next((set(same) for same in SAME_CARD if key in same), set()) | {key}
    return any(re.search(rf"(?<![a-z0-9]){re.escape(each)}(?![a-z0-9])", folded) if each.isascii() else each in folded
               for each in keys)


def plain_time(text: str) -> datetime | None:
    """A bill's time in the forms the bills and spreadsheets write (2025-03-14 18:42:07, 2025/3/14 18:42),
    in China's time; None for any other form, which the general reader is left to try."""
    match = _PLAIN_TIME.fullmatch(text.strip())
    try:
        return datetime(*(int(part or 0) for part in match.groups()), tzinfo=CHINA_TIME) if match else None
    except ValueError:  # 2025-02-30: the general reader says why
        return None


def _says(text: str, word: str) -> bool:
    """Whether casefolded `text` holds `word`: a Latin one as a whole word (octopus, not octopussy)."""
    word = word.casefold()
    if word.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) is not None
    return word in text


def is_refund(row: BillRow) -> bool:
    """Whether the row gives money back for another: 退款-… (Alipay), …-退款 (WeChat), or kind 退款."""
    kind, item = row.get("kind"), row.get("item")
    return item.startswith("退款") or kind.startswith("退款") or kind.endswith("退款") or item.endswith("-退款")


def card_named(text: str, kind: str, *, specific: bool = False) -> str | None:
    """The name of a kind of card (深圳通, 校园卡; one name for each card, SAME_CARD's first) or of a
    carrier (中国电信, 广东移动) the text gives, if any; `specific`: only a name one card system goes
    by, not a word any card may (公交卡, 一卡通)."""
    if kind == "sim":
        match = _CARRIER_NAME.search(text)
        return match[0] if match else None
    folded = fold_width(text).casefold()
    words = [word for word in TOPUP_WORDS["smart"] if not specific or word not in _ANY_CARD]
    named = next((word for word in words if _says(folded, word)), None)
    return next((same[0] for same in SAME_CARD if named and named.casefold() in same), named)


def carrier(text: str) -> str | None:
    """Which carrier a text names, the same for 中国移动, 广东移动 and 中國移動: 移动, 联通, 电信 or 广电."""
    match = _CARRIER.search(fold_width(text))
    core = match and (match[1] or match[2])
    return core and core.translate(str.maketrans("動聯電廣", "动联电广"))


def face_value(item: str) -> str | None:
    """The amount a top-up's item text says was credited ('话费充值-139****5678 100元'), if it says one."""
    stated = _NOT_FACE_VALUE.sub(" ", item)
    values = {match[1].replace(",", "") + (match[2] or "") for match in _FACE_VALUE.finditer(stated)}
    return values.pop() if len(values) == 1 else None


def order_number(text: str) -> str:
    """An order number as the bill gives it, or empty when a spreadsheet has rewritten it: 4.2E+27, or
    its first 15 digits followed by zeros (a spreadsheet keeps no more digits than 15)."""
    if _MANGLED.fullmatch(text) or (len(text) >= 18 and text.isdigit() and not text[15:].strip("0")):
        return ""
    return text


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


@dataclass(frozen=True)
class Phone:
    """A mainland mobile number a bill names: whole, or masked to its first three and last four digits."""

    first: str
    last: str
    whole: str | None = None

    def matches(self, number: str | None) -> bool:
        national = (number or "").removeprefix("+86")
        if self.whole:
            return national == self.whole
        return len(national) == 11 and national.startswith(self.first) and national.endswith(self.last)

    def __str__(self) -> str:
        return f"{self.first}****{self.last}"


def phone_in(text: str) -> Phone | None:
    """The mainland mobile number the text names, masked or whole."""
    text = fold_width(text)
    if match := _MASKED_PHONE.search(text):
        return Phone(match[1], match[2])
    if match := _FULL_PHONE.search(text):
        return Phone(match[1], match[3], "".join(match.groups()))
    return None
