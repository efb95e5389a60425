"""Reading a pasted top-up confirmation (SMS, payment notice, e-receipt) into record fields.

The reader is a handful of small pattern tables, each easy to extend:

- MONEY finds amounts that carry a currency mark (HK$100, 50.00元, NT$500元, P100.00), or a
  bare number right after a label such as 面值 or 余额;
- the words just before an amount say what it is (LABELS: balance, paid, fee, bonus, top-up);
- REF_LABELS name a reference (交易流水号, 订单编号, Ref no., Txn ID …);
- `stated_dates` reads the time and the validity (2025年03月14日下午6时42分, 2025-03-14T18:42:00+08:00,
  14/03/2025 18:42, 14 Mar 2025 6:42 PM, Mar 14, 2025, Taiwan's 114/03/14 08:15, 03月14日19:05);
- the channel vocabulary (`channels`) names the channel, OUTCOME_WORDS whether it failed;
- PAID_WITH labels what paid (付款方式：招商银行储蓄卡(4523), Paid with PayMe), else the vocabulary's
  wallets and cards named anywhere say it.

It never guesses the amount: if the amount is not clearly labelled it refuses. One-time codes
are masked before the message is kept, and a message that is only a code is refused.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import MAX_PREC, Context, Decimal, InvalidOperation

from ledger.domain.channels import Channel, channel_in_message, paid_with_text, payer_in_message
from ledger.domain.cjk_times import numerals_in_digits
from ledger.domain.money import SYMBOLS, minor_digits, symbol_currencies
from ledger.domain.values import INVISIBLE, Outcome, clean_token, fold_width
from ledger.errors import InvalidInput
from ledger.i18n import _
from ledger.sources.stated_dates import DateProblem, first_moment, take_validity, validity_date

# A confirmation is a few hundred characters; a much longer paste is not one.
MAX_MESSAGE_CHARS = 10_000


def check_size(text: str) -> None:
    """Refuse at once a paste too long to be a confirmation message (it would be kept as a receipt)."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInput(_("the message is {length:,} characters long; a confirmation is a few hundred "
                             "(at most {most:,} are read). Paste only the message itself",
                             length=len(text), most=MAX_MESSAGE_CHARS))


# Marks that make a number money: every symbol and code the money module knows, longest first
# so that HK$ wins over $. Letters count only as a whole word (RM, not the end of FORM).
_MARK = "|".join(re.escape(m) for m in sorted(SYMBOLS, key=len, reverse=True))
_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
MONEY = re.compile(
    rf"(?<![A-Za-z0-9])(?<![0-9]:)(?P<pre>{_MARK})?\s?(?P<num>{_NUMBER})(?![0-9])\s?(?P<suf>{_MARK})?(?![A-Za-z])", re.I
)

# One-time codes: the words that name one (a Chinese word perhaps spaced out, 验 证 码, or broken by
# a line break), and the code itself: 4 to 11 digits (full-width too), perhaps spaced or dashed
# (8 8 1 2 3 3, 3355-77), perhaps after a letter prefix (G-385612). Codes are matched in
# width-folded text (full-width words too).
_CJK_CODE_WORDS = ("驗證碼", "验证码", "認證碼", "认证码", "校驗碼", "校验码", "確認碼", "确认码", "安全碼", "安全码",
                   "授權碼", "授权码", "動態碼", "动态码", "動態密碼", "动态密码", "短信碼", "短信码", "密碼", "密码")
_LATIN_CODE_WORDS = (r"one[-\s]time\s+(?:code|password|passcode)",
                     r"(?:verification|security|confirmation|auth\w*)\s+code", "passcode", "OTP", "TAC", "PIN", "code")
_CODE_WORDS = (r"(?:" + "|".join(r"\s{0,2}".join(word) for word in _CJK_CODE_WORDS)
               + r"|(?<![A-Za-z])(?:" + "|".join(_LATIN_CODE_WORDS) + r")(?![A-Za-z]))")
# What may stand between a code word and its code: "is" or 为, or a few words ending in "is" or a
# colon (OTP for this recharge is, OTP for txn:), after a name in brackets (one-time password (OTP));
# then brackets, quotes, marks and arrows (【654321】, 「654321」, '654321', #654321#, →654321).
# Possessive `*+`: spaces are never given back, so a long run of them costs one pass, not a cubic search.
_TO_CODE = (r"(?:\s*+\([A-Za-z]{2,5}\))?"
            r"(?:(?:\s++[A-Za-z][A-Za-z-]*+){1,4}?\s*+(?:is(?![A-Za-z])|:)|\s*+(?:is(?![A-Za-z])|為|为|是))?"
            r"[\s:=#\-\"'“”‘’「『【〔\[(<《〈{→⇒➔➜➡»]*+")
_DIGIT = "[0-9０-９]"
_BETWEEN = r"[\s\-\u2010-\u2015\u2212]"  # any space or dash may stand between a code's digits
_CODE_VALUE = (rf"(?![0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}(?![0-9]))"  # a date, 2025-03-14, is not a code
               rf"(?:[A-Za-z]{{1,3}}-)?{_DIGIT}(?:{_BETWEEN}?{_DIGIT}){{3,10}}+"
               # nor the start of a longer number or a word, nor an amount (1000.00, 1000 HKD, 50元)
               rf"(?![0-9A-Za-z])(?![.,][0-9])(?!\s?(?:{_MARK})(?![A-Za-z]))")
_CODE = re.compile(rf"{_CODE_WORDS}{_TO_CODE}({_CODE_VALUE})", re.I)
_CODE_FIRST = re.compile(
    rf"({_CODE_VALUE})\s*+(?:is your|為您的|为您的|是您的)\s*+(?:[\w-]++\s++){{0,3}}?{_CODE_WORDS}", re.I)

# What the words before an amount make of it; checked in this order, so 加值後餘額 is a balance.
LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("balance", re.compile(r"余额|餘額|結餘|结余|儲值額|储值额|balance|remaining value|stored value", re.I)),
    ("fee", re.compile(r"手续费|手續費|服務費|服务费|\bfee\b|surcharge", re.I)),
    ("paid", re.compile(r"实付|實付|实缴|實繳|实际支付|實際支付|支付金额|支付金額|付款金额|付款金額|"
                        r"\bpaid\b|\bcharged\b", re.I)),
    ("bonus", re.compile(r"赠送|贈送|\bbonus\b|\bfree\b", re.I)),
    # 交费 as carriers' messages write 缴费 (交费100元成功), but not the 交费用 (charges due) of a bill.
    ("amount", re.compile(r"面值|面額|面额|充值|儲值|储值|加值|增值|缴费|繳費|交费(?!用)|交費(?!用)|充入|到账|到帳|"
                          r"金额|金額|recharged|reloaded|loaded|top(?:ped)?[- ]?up|add(?:ed)? value|amount|credited",
                          re.I)),
]
# A bare number counts as money only right after one of these labels (perhaps with 為/为/是: 餘額為 150).
_BARE_LABEL = re.compile(r"(面值|面額|面额|金额|金額|实付|實付|余额|餘額|儲值額|储值额|amount|balance)"
                         r"\s*(?:為|为|是)?\s*[:：]?\s*$", re.I)
_LABEL_REACH = 16  # a bare label ends right before its number: look no further back than this
_BONUS_AFTER = re.compile(r"^\s*\)?\s*(?:bonus|free)", re.I)

REF_LABELS = sorted(
    ["交易流水號", "交易流水号", "流水號", "流水号", "訂單編號", "订单编号", "訂單號", "订单号", "交易編號", "交易编号",
     "交易序號", "交易序号", "交易單號", "交易单号", "充值單號", "充值单号", "單號", "单号", "參考編號", "参考编号",
     "參考號碼", "参考号码", "參考號", "参考号", "Ref no.", "Ref No", "Reference no.",
     "Reference", "Ref", "Txn ID", "Transaction ID", "Trans ID", "Order no.", "Order ID"],
    key=len, reverse=True,
)
_REF = re.compile(
    r"(?:" + "|".join(re.escape(label) for label in REF_LABELS) + r")"
    r"\s*(?:為|为|是)?\s*[.:：#]?\s*([A-Za-z0-9][A-Za-z0-9_/-]{2,}[A-Za-z0-9])",
    re.I,
)

# What paid, after its label: to the end of its line or clause, or of the label's own words
# before a Chinese one (付款方式：零钱 交易单号…), or an English word that begins another detail.
PAID_WITH = re.compile(
    r"(?:付款方式|付款方法|支付方式|付款工具|付款卡|扣款卡|付款帳戶|付款账户|扣款帳戶|扣款账户|支付帳戶|支付账户"
    r"|(?<![A-Za-z])(?:paid\s+(?:with|by|using|from)|payment\s+method)(?![A-Za-z]))"
    r"[\s:：]*(?P<what>[^\n,，。;；|]+?)"
    r"(?=\s+[^\x00-\x7f]|\s+(?:on|at|for|via|to|in|ref|reference|txn|order)(?![A-Za-z])|\.(?:\s|$)|[\n,，。;；|]|$)",
    re.I | re.M)

OUTCOME_WORDS: list[tuple[Outcome, re.Pattern[str]]] = [
    (Outcome.failed, re.compile(r"未成功|不成功|失败|失敗|unsuccessful|failed|not successful|退回|退款|refund", re.I)),
    (Outcome.pending, re.compile(r"处理中|處理中|processing|pending", re.I)),
]


@dataclass
class Reading:
    """What a message said; None where it did not say. The notes and problems are for the person,
    messages (`Text`) in their language."""

    amount: str | None = None
    paid: str | None = None
    ref: str | None = None
    occurred_at: datetime | None = None
    time_stated: bool = False  # whether the message gives the time of day, or only the date
    balance_after: str | None = None
    valid_until: date | None = None
    channel: Channel | None = None
    paid_with: str | None = None
    outcome: Outcome = Outcome.credited
    kept_text: str = ""
    notes: list[str] = field(default_factory=list)
    time_problem: str | None = None
    validity_problem: str | None = None


def comparable(text: str) -> str:
    """What two pastes of one message have in common, whatever their widths, case, spacing and line breaks."""
    return "".join(unicodedata.normalize("NFKC", text).translate(INVISIBLE).casefold().split())


def mask_codes(text: str) -> tuple[str, bool]:
    """Replace the digits of one-time codes and passwords with asterisks; says whether any were
    found. Codes are found in the width-folded text (ＯＴＰ：１２３４５６ too) and masked at the same
    places in `text`: folding changes no character's position."""
    folded = fold_width(text)
    spans = [match.span(1) for pattern in (_CODE, _CODE_FIRST) for match in pattern.finditer(folded)]
    masked = list(text)
    for start, end in spans:
        for i in range(start, end):
            if re.match(_DIGIT, folded[i]):
                masked[i] = "*"
    return "".join(masked), bool(spans)


def read_message(text: str, currency: str, region: str | None, now: datetime,
                 topped_up_at: datetime | None = None) -> Reading:
    """Read a confirmation message for a card in `currency` (region decides day/month order);
    `topped_up_at` is the time given for the top-up (--at), which wins over the message's."""
    # Invisible characters carry nothing, and could split a code so that masking misses it.
    original = unicodedata.normalize("NFC", text).translate(INVISIBLE).strip()
    if not original:
        raise InvalidInput(_("the message is empty; paste the whole confirmation text"))
    kept, had_code = mask_codes(original)
    masked_flat = clean_token(fold_width(kept)).replace("\u2028", " ").replace("\n", " ")
    reading = Reading(kept_text=kept)
    reading.ref = _find_ref(masked_flat)
    if had_code and reading.ref is None:
        raise InvalidInput(_("this is a verification-code message, not a receipt; it is not kept. "
                             "Never share such a code with anyone"))
    _read_amounts(masked_flat, currency, reading)
    stated_validity, without_validity, reading.validity_problem = take_validity(
        numerals_in_digits(masked_flat, after_day_or_half=True))
    try:
        if stated := first_moment(without_validity, region, currency, now, reading.notes):
            reading.occurred_at, reading.time_stated = stated
    except DateProblem as problem:
        reading.time_problem = problem.message
    if stated_validity is not None:
        try:
            topped_up = topped_up_at or reading.occurred_at
            reading.valid_until = validity_date(stated_validity, region, currency, topped_up or now,
                                                reading.notes, stated_top_up=topped_up is not None)
        except DateProblem as problem:
            reading.validity_problem = problem.message
    reading.channel = channel_in_message(masked_flat)
    reading.paid_with = _find_paid_with(fold_width(kept)) or payer_in_message(masked_flat)
    reading.outcome = next((o for o, pattern in OUTCOME_WORDS if pattern.search(masked_flat)), Outcome.credited)
    if had_code:
        reading.notes.append(_("a one-time code in the message was masked before keeping it"))
    return reading


def _find_ref(text: str) -> str | None:
    match = _REF.search(text)
    return match[1] if match else None


def _find_paid_with(text: str) -> str | None:
    """What a label says paid; never an amount or a date (paid by 31 Mar)."""
    for match in PAID_WITH.finditer(text):
        what = paid_with_text(match["what"])
        if what and not what[0].isdigit() and not MONEY.match(what):
            return what
    return None


def _money_mentions(text: str, currency: str) -> list[tuple[int, int, Decimal]]:
    """(start, end, value) of each amount in the card's currency; other currencies refuse the message."""
    found = []
    for match in MONEY.finditer(text):
        marks = [m for m in (match["pre"], match["suf"]) if m]
        if not marks and not _BARE_LABEL.search(text[max(0, match.start() - _LABEL_REACH): match.start()]):
            continue
        for mark in marks:
            meanings = symbol_currencies(mark)
            if meanings is not None and currency not in meanings:
                raise InvalidInput(_("the message's amount {amount!r} is not in {currency}, the card's currency",
                                     amount=match[0].strip(), currency=currency))
        found.append((match.start(), match.end(), Decimal(match["num"].replace(",", ""))))
    return found


# Sums of what a message says, never rounded to Python's 28 digits: an absurd amount must reach the
# amount check as written, not as 1.1E+29.
_EXACT = Context(prec=MAX_PREC)


def _read_amounts(text: str, currency: str, reading: Reading) -> None:
    mentions = _money_mentions(text, currency)
    amounts, bonus = [], Decimal(0)
    previous_end = 0
    for start, end, value in mentions:
        window = text[max(previous_end, start - 24): start]
        kind = next((k for k, pattern in LABELS if pattern.search(window)), None)
        if kind is None and _BONUS_AFTER.match(text[end:]):
            kind = "bonus"
        if kind == "balance" and reading.balance_after is None:
            reading.balance_after = str(value)
        elif kind == "paid" and reading.paid is None:
            reading.paid = str(value)
        elif kind == "bonus":
            bonus = _EXACT.add(bonus, value)
        elif kind == "amount":
            amounts.append(value)
        previous_end = end
    if not amounts:
        unlabelled = [v for s, _end, v in mentions if not any(p.search(text[max(0, s - 24): s]) for _kind, p in LABELS)]
        if len(unlabelled) != 1:
            reading.notes.append(_("could not tell which number is the top-up amount"))
            return
        amounts = unlabelled
    if bonus:
        reading.paid = reading.paid or str(amounts[0])
        reading.notes.append(_("a bonus of {bonus} is counted in the amount credited", bonus=bonus))
    digits = minor_digits(currency)
    reading.amount = _in_currency(_EXACT.add(amounts[0], bonus), digits)
    reading.paid = reading.paid and _in_currency(Decimal(reading.paid), digits)
    reading.balance_after = reading.balance_after and _in_currency(Decimal(reading.balance_after), digits)


def _in_currency(value: Decimal, digits: int) -> str:
    """The amount with the currency's decimals ('100' → '100.00'); more decimals are left for the check to refuse."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= digits:
        with suppress(InvalidOperation):  # too many digits to hold: left for the check to refuse as absurd
            return str(value.quantize(Decimal(1).scaleb(-digits)))
    return str(value)
