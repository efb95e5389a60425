"""summary.html: the dispute pack's one-page letter, in Traditional Chinese, Simplified Chinese or English.

It is one self-contained file a person prints or attaches: receipt pictures are inside it, its
Content-Security-Policy lets it load nothing and run nothing, and every value is escaped.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from ledger.domain.receipts import ReceiptFile, how_shown, picture_type
from ledger.domain.values import Status, clean_token
from ledger.errors import InvalidInput

LANGUAGES = ("en", "zh-Hant", "zh-Hans")  # the order of each name in `_CHOICES`
# What a person may type for each language, compared without case; `-` and `_` alike.
_LANGUAGE_NAMES = {
    "zh-Hant": ("zh-hant", "zh-tw", "zh-hk", "zh-mo", "hant", "tc", "繁體", "繁体", "繁體中文", "繁体中文", "正體"),
    "zh-Hans": ("zh-hans", "zh-cn", "zh-sg", "zh", "hans", "sc", "简体", "簡體", "简体中文", "簡體中文"),
    "en": ("en", "en-us", "en-gb", "en-hk", "english", "英文", "英語", "英语"),
}
_BY_REGION = {"HK": "zh-Hant", "MO": "zh-Hant", "TW": "zh-Hant", "CN": "zh-Hans", "SG": "zh-Hans"}
_BY_CURRENCY = {"HKD": "zh-Hant", "MOP": "zh-Hant", "TWD": "zh-Hant", "CNY": "zh-Hans"}

_WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "Top-up records for a dispute", "zh-Hant": "充值爭議記錄", "zh-Hans": "充值争议记录"},
    "intro": {
        "en": "I ask you to look into the top-up(s) below. The receipts, every version of each record and a "
              "signed seal of my ledger are in the same pack; CHECK.txt there says how to check them.",
        "zh-Hant": "請查核以下充值。收據、每筆記錄的所有版本及帳本的簽署封印均在同一資料包內，"
                   "查核方法見其中的 CHECK.txt。",
        "zh-Hans": "请核查以下充值。收据、每笔记录的所有版本及账本的签名封印均在同一资料包内，"
                   "核查方法见其中的 CHECK.txt。",
    },
    "from": {"en": "From", "zh-Hant": "申請人", "zh-Hans": "申请人"},
    "date": {"en": "Date", "zh-Hant": "日期", "zh-Hans": "日期"},
    "signature": {"en": "Signature", "zh-Hant": "簽署", "zh-Hans": "签名"},
    "record": {"en": "Record", "zh-Hant": "記錄", "zh-Hans": "记录"},
    "card": {"en": "Card", "zh-Hant": "卡", "zh-Hans": "卡"},
    "number": {"en": "Card number", "zh-Hant": "卡號", "zh-Hans": "卡号"},
    "issuer": {"en": "Issuer", "zh-Hant": "發卡機構", "zh-Hans": "发卡机构"},
    "time": {"en": "Time", "zh-Hant": "時間", "zh-Hans": "时间"},
    "channel": {"en": "Channel", "zh-Hant": "渠道", "zh-Hans": "渠道"},
    "ref": {"en": "Reference", "zh-Hant": "交易編號", "zh-Hans": "交易编号"},
    "merchant": {"en": "Merchant", "zh-Hant": "商戶", "zh-Hans": "商户"},
    "paid": {"en": "Paid", "zh-Hant": "實付金額", "zh-Hans": "实付金额"},
    "amount": {"en": "Amount credited", "zh-Hant": "充值金額", "zh-Hans": "充值金额"},
    "outcome": {"en": "Outcome", "zh-Hant": "結果", "zh-Hans": "结果"},
    "balance_after": {"en": "Balance after", "zh-Hant": "充值後餘額", "zh-Hans": "充值后余额"},
    "valid_until": {"en": "Valid until", "zh-Hant": "有效期至", "zh-Hans": "有效期至"},
    "note": {"en": "Note", "zh-Hant": "備註", "zh-Hans": "备注"},
    "receipts": {"en": "Receipts", "zh-Hant": "收據", "zh-Hans": "收据"},
    "in_pack": {"en": "in the pack as", "zh-Hant": "資料包內檔案", "zh-Hans": "资料包内文件"},
    "history": {"en": "History", "zh-Hant": "修改記錄", "zh-Hans": "修改记录"},
    "void": {"en": "VOID: this record was voided; it is not counted as a top-up.",
             "zh-Hant": "已作廢：此記錄已作廢，不計作充值。", "zh-Hans": "已作废：此记录已作废，不计作充值。"},
    "seal": {"en": "Seal", "zh-Hant": "封印", "zh-Hans": "封印"},
    "seal_text": {
        "en": "seal.txt states that my ledger {ledger} held {links} chain links, the newest with digest "
              "{digest}, at {sealed_at}. It is signed with the key whose fingerprint is {fingerprint}.",
        "zh-Hant": "seal.txt 聲明：帳本 {ledger} 於 {sealed_at} 有 {links} 個鏈節，最新鏈節摘要為 {digest}。"
                   "簽署金鑰指紋為 {fingerprint}。",
        "zh-Hans": "seal.txt 声明：账本 {ledger} 于 {sealed_at} 有 {links} 个链节，最新链节摘要为 {digest}。"
                   "签名密钥指纹为 {fingerprint}。",
    },
    "check": {"en": "To check the pack", "zh-Hant": "查核資料包", "zh-Hans": "核查资料包"},
}
_CHOICES: dict[str, dict[str, tuple[str, str, str]]] = {
    "outcome": {"credited": ("credited", "已到帳", "已到账"), "pending": ("pending", "處理中", "处理中"),
                "failed": ("failed", "失敗", "失败"), "refunded": ("refunded", "已退款", "已退款")},
    "channel": {
        "store": ("store or counter", "門市或櫃檯", "门店或柜台"),
        "online": ("website or online banking", "網站或網上銀行", "网站或网上银行"),
        "app": ("carrier app", "手機應用程式", "手机应用"),
        "wechat": ("WeChat Pay", "微信支付", "微信支付"),
        "alipay": ("Alipay", "支付寶", "支付宝"),
        "sms": ("SMS", "短訊", "短信"),
        "kiosk": ("self-service kiosk", "自助增值機", "自助充值机"),
        "auto": ("automatic reload", "自動增值", "自动充值"),
        "marketplace": ("online marketplace", "網購平台", "网购平台"),
        "other": ("other", "其他", "其他"),
    },
    "kind": {"sim": ("prepaid SIM", "預付 SIM 卡", "预付 SIM 卡"), "smart": ("smart card", "智能卡", "智能卡")},
    "action": {"log": ("logged", "記錄", "记录"), "amend": ("amended", "修改", "修改"),
               "void": ("voided", "作廢", "作废"), "receipt": ("receipt added", "加入收據", "加入收据"),
               "import": ("imported", "匯入", "导入"), "found": ("found at an upgrade", "升級時已有", "升级时已有")},
}


def parse_language(text: str) -> str:
    """`--lang` as typed: zh-Hant, zh-TW, 繁體, zh-Hans, zh-CN, 简体, en, English …"""
    key = clean_token(text).casefold().replace("_", "-")
    for language, names in _LANGUAGE_NAMES.items():
        if key in names:
            return language
    raise InvalidInput(f"--lang {text!r} is not one the letter is written in; use zh-Hant, zh-Hans or en")


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
    """The letter as HTML."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.PackageLoader("ledger.output", "templates"),
                                     autoescape=True, trim_blocks=True, lstrip_blocks=True)
    words = {key: texts[language] for key, texts in _WORDS.items()}
    seal_text = words["seal_text"].format(**vars(seal)) if seal else None
    return environment.get_template("summary.html").render(
        lang=language, words=words, writer=writer, made_at=_moment(made_at),
        records=[_shown(item, language, reveal) for item in packed], seal_text=seal_text, checking=checking)


def _choice(group: str, value: str | None, language: str) -> str | None:
    if value is None:
        return None
    names = _CHOICES[group].get(value)
    return names[LANGUAGES.index(language)] if names else value


def _moment(iso: str | None) -> str | None:
    """2025-03-14T18:42:00+08:00 as 2025-03-14 18:42:00 (UTC+08:00): the offset stays, readably."""
    if iso is None:
        return None
    when, offset = iso[:19].replace("T", " "), iso[19:] or "+00:00"
    return f"{when} (UTC{offset})"


def _shown(item: PackedRecord, language: str, reveal: bool) -> dict[str, Any]:
    record, card = item.record, item.card
    currency = record["currency"]

    def money(value: str | None) -> str | None:
        return f"{value} {currency}" if value is not None else None

    number = card["number"] if reveal else (card["number"] and "****" + card["number"][-4:])
    fields = [
        ("card", f"{card['label']} ({_choice('kind', card['kind'], language)})"),
        ("number", number), ("issuer", card["issuer"]),
        ("time", _moment(record["occurred_at"])), ("channel", _choice("channel", record["channel"], language)),
        ("ref", record["ref"]), ("merchant", record["merchant"]),
        ("paid", money(record["paid"])), ("amount", money(record["amount"])),
        ("outcome", _choice("outcome", record["outcome"], language)),
        ("balance_after", money(record["balance_after"])), ("valid_until", record["valid_until"]),
        ("note", record["note"]),
    ]
    history = [{"version": v["version"], "action": _choice("action", v["action"], language),
                "at": _moment(v["recorded_at"]), "reason": v["reason"],
                "state": f"{v['values']['amount']} {v['values']['currency']}, "
                          f"{_choice('outcome', v['values']['outcome'], language)}"}
               for v in record["history"]]
    return {"id": record["id"], "void": record["status"] == Status.void.value,
            "fields": [(key, value) for key, value in fields if value not in (None, "")],
            "receipts": [_receipt(receipt, place) for receipt, place in item.receipts], "history": history}


def _receipt(receipt: ReceiptFile, place: str) -> dict[str, Any]:
    """A receipt as listed, with its picture inline (as a data: URL) or its pasted text."""
    shown = how_shown(receipt)
    inline = (f"data:{picture_type(receipt.data)};base64,{base64.b64encode(receipt.data).decode()}"
              if shown.kind == "picture" else None)
    return {"name": receipt.name, "sha256": receipt.sha256, "size": receipt.size, "place": place,
            "picture": inline, "text": shown.text}
