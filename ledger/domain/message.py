"""Reading a pasted top-up confirmation (SMS, payment notice, e-receipt) into record fields.

The reader is a handful of small pattern tables, each easy to extend:

- MONEY finds amounts that carry a currency mark (HK$100, 50.00元, NT$500元, P100.00), or a
  bare number right after a label such as 面值 or 余额;
- the words just before an amount say what it is (LABELS: balance, paid, fee, bonus, top-up);
- REF_LABELS name a reference (交易流水号, 订单编号, Ref no., Txn ID …);
- DATE_FORMS read the time (2025年03月14日18时42分, 2025-03-14 07:58, 14/03/2025 18:42,
  03-14-2025 6:42PM, Taiwan's 114/03/14 08:15, 03月14日19:05 without a year);
- the channel vocabulary (`channels`) names the channel, OUTCOME_WORDS whether it failed.

It never guesses the amount: if the amount is not clearly labelled it refuses. One-time codes
are masked before the message is kept, and a message that is only a code is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ledger.domain.channels import Channel, channel_in_message
from ledger.domain.money import CURRENCY_DIGITS, REGION_CURRENCY, SYMBOLS, symbol_currencies
from ledger.domain.times import local_moment
from ledger.domain.values import INVISIBLE, Outcome, clean_token, fold_width
from ledger.errors import InvalidInput

DAY_FIRST_REGIONS = frozenset({"HK", "CN", "TW", "SG", "MY", "MO", "GB", "AU", "NZ", "IN", "ID", "TH", "VN"})
MONTH_FIRST_REGIONS = frozenset({"PH", "US", "CA"})

# One-time codes: the words that name one, and the code itself: 4 to 10 digits (full-width too),
# perhaps spaced or dashed (8 8 1 2 3 3, 3355-77), perhaps after a letter prefix (G-385612).
_CODE_WORDS = (r"(?:驗證碼|验证码|認證碼|认证码|校驗碼|校验码|確認碼|确认码|安全碼|安全码|授權碼|授权码|"
               r"動態碼|动态码|動態密碼|动态密码|短信碼|短信码|密碼|密码|OTP|"
               r"one[- ]time (?:code|password|passcode)|(?:verification|security|confirmation|auth\w*) code|"
               r"passcode|PIN|code)")
_DIGIT = "[0-9０-９]"
_BETWEEN = r"[\s\-\u2010-\u2015\u2212]"  # any space or dash may stand between a code's digits
_CODE_VALUE = rf"(?:[A-Za-z]{{1,3}}-)?{_DIGIT}(?:{_BETWEEN}?{_DIGIT}){{3,9}}(?![0-9０-９])"
# Possessive `*+`: spaces are never given back, so a long run of them after a code word costs
# one pass, not a cubic search. Codes are matched in width-folded text (full-width words too).
_CODE = re.compile(rf"{_CODE_WORDS}\s*+(?:(?:is|為|为|是)\s*+)?(?:[:#=\-]\s*+)?({_CODE_VALUE})", re.I)
_CODE_FIRST = re.compile(
    rf"({_CODE_VALUE})\s*+(?:is your|為您的|为您的|是您的)\s*+(?:[\w-]++\s++){{0,3}}?{_CODE_WORDS}", re.I)
# A confirmation is a few hundred characters; a much longer paste is not one.
MAX_MESSAGE_CHARS = 10_000


def check_size(text: str) -> None:
    """Refuse at once a paste too long to be a confirmation message (it would be kept as a receipt)."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInput(f"the message is {len(text):,} characters long; a confirmation is a few hundred "
                           f"(at most {MAX_MESSAGE_CHARS:,} are read). Paste only the message itself")


# Marks that make a number money: every symbol and code the money module knows, longest first
# so that HK$ wins over $. Letters count only as a whole word (RM, not the end of FORM).
_MARK = "|".join(re.escape(m) for m in sorted(SYMBOLS, key=len, reverse=True))
_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
MONEY = re.compile(
    rf"(?<![A-Za-z])(?P<pre>{_MARK})?\s?(?P<num>{_NUMBER})(?![0-9])\s?(?P<suf>{_MARK})?(?![A-Za-z])", re.I
)

# What the words before an amount make of it; checked in this order, so 加值後餘額 is a balance.
LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("balance", re.compile(r"余额|餘額|結餘|结余|balance|remaining value|stored value", re.I)),
    ("fee", re.compile(r"手续费|手續費|服務費|服务费|\bfee\b|surcharge", re.I)),
    ("paid", re.compile(r"实付|實付|实际支付|實際支付|支付金额|支付金額|付款金额|付款金額|\bpaid\b|\bcharged\b", re.I)),
    ("bonus", re.compile(r"赠送|贈送|\bbonus\b|\bfree\b", re.I)),
    ("amount", re.compile(r"面值|面額|面额|充值|儲值|储值|加值|增值|缴费|繳費|充入|到账|到帳|金额|金額|"
                          r"recharged|reloaded|loaded|top(?:ped)?[- ]?up|add(?:ed)? value|amount|credited", re.I)),
]
# A bare number counts as money only right after one of these labels.
_BARE_LABEL = re.compile(r"(面值|面額|面额|金额|金額|实付|實付|余额|餘額|amount|balance)\s*[:：]?\s*$", re.I)
_LABEL_REACH = 16  # a bare label ends right before its number: look no further back than this
_BONUS_AFTER = re.compile(r"^\s*\)?\s*(?:bonus|free)", re.I)

REF_LABELS = sorted(
    ["交易流水號", "交易流水号", "流水號", "流水号", "訂單編號", "订单编号", "訂單號", "订单号", "交易編號", "交易编号",
     "交易序號", "交易序号", "交易單號", "交易单号", "參考編號", "参考编号", "Ref no.", "Ref No", "Reference no.",
     "Reference", "Ref", "Txn ID", "Transaction ID", "Trans ID", "Order no.", "Order ID"],
    key=len, reverse=True,
)
_REF = re.compile(
    r"(?:" + "|".join(re.escape(label) for label in REF_LABELS) + r")"
    r"\s*[.:：#]?\s*([A-Za-z0-9][A-Za-z0-9_/-]{2,}[A-Za-z0-9])",
    re.I,
)

# The longer phrase first: the alternation takes the first that matches where it starts.
_VALID = re.compile(r"(?:valid (?:until|till|thru|through|to)|expir(?:es|y|ation)(?: date)?(?: on)?|exp\.? date|"
                    r"有效期至|有效期到|有效期限至|有效期限|有效至|有效日期|有效期|效期至|使用期限至|使用期限|"
                    r"到期日期|到期日|到期)\s*[:：]?\s*", re.I)
_TIME = r"(?P<h>\d{1,2})\s*[:时時点點]\s*(?P<mi>\d{2})\s*分?(?::(?P<s>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?"
DATE_FORMS: list[tuple[str, re.Pattern[str]]] = [
    ("cjk", re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]\s*(?:" + _TIME + ")?")),
    ("iso", re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T]+" + _TIME + ")?")),
    ("roc", re.compile(r"(?<![\d/])(?P<y>1\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:\s+" + _TIME + ")?")),
    ("numeric", re.compile(r"(?<![\d/])(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})"
                           r"(?:\s+(?:at\s+)?" + _TIME + ")?")),
    ("no-year", re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]\s*(?:" + _TIME + ")?")),
]

OUTCOME_WORDS: list[tuple[Outcome, re.Pattern[str]]] = [
    (Outcome.failed, re.compile(r"未成功|不成功|失败|失敗|unsuccessful|failed|not successful|退回|退款|refund", re.I)),
    (Outcome.pending, re.compile(r"处理中|處理中|processing|pending", re.I)),
]


class _DateProblem(ValueError):
    """A date in the message that cannot be read for sure; it matters only if --at is not given."""


@dataclass
class Reading:
    """What a message said; None where it did not say."""

    amount: str | None = None
    paid: str | None = None
    ref: str | None = None
    occurred_at: datetime | None = None
    balance_after: str | None = None
    valid_until: date | None = None
    channel: Channel | None = None
    outcome: Outcome = Outcome.credited
    kept_text: str = ""
    notes: list[str] = field(default_factory=list)
    time_problem: str | None = None


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


def read_message(text: str, currency: str, region: str | None, now: datetime) -> Reading:
    """Read a confirmation message for a card in `currency` (region decides day/month order)."""
    # Invisible characters carry nothing, and could split a code so that masking misses it.
    original = unicodedata.normalize("NFC", text).translate(INVISIBLE).strip()
    if not original:
        raise InvalidInput("the message is empty; paste the whole confirmation text")
    kept, had_code = mask_codes(original)
    masked_flat = clean_token(fold_width(kept)).replace("\u2028", " ").replace("\n", " ")
    reading = Reading(kept_text=kept)
    reading.ref = _find_ref(masked_flat)
    if had_code and reading.ref is None:
        raise InvalidInput("this is a verification-code message, not a receipt; it is not kept. "
                           "Never share such a code with anyone")
    _read_amounts(masked_flat, currency, reading)
    try:
        without_validity = _read_validity(masked_flat, region, currency, now, reading)
        reading.occurred_at = _first_moment(without_validity, region, currency, now, reading)
    except _DateProblem as problem:
        reading.time_problem = str(problem)
    reading.channel = channel_in_message(masked_flat)
    reading.outcome = next((o for o, pattern in OUTCOME_WORDS if pattern.search(masked_flat)), Outcome.credited)
    if had_code:
        reading.notes.append("a one-time code in the message was masked before keeping it")
    return reading


def _find_ref(text: str) -> str | None:
    match = _REF.search(text)
    return match[1] if match else None


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
                raise InvalidInput(
                    f"the message's amount {match[0].strip()!r} is not in {currency}, the card's currency")
        found.append((match.start(), match.end(), Decimal(match["num"].replace(",", ""))))
    return found


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
            bonus += value
        elif kind == "amount":
            amounts.append(value)
        previous_end = end
    if not amounts:
        unlabelled = [v for s, _, v in mentions if not any(p.search(text[max(0, s - 24): s]) for _, p in LABELS)]
        if len(unlabelled) != 1:
            reading.notes.append("could not tell which number is the top-up amount")
            return
        amounts = unlabelled
    if bonus:
        reading.paid = reading.paid or str(amounts[0])
        reading.notes.append(f"a bonus of {bonus} is counted in the amount credited")
    digits = CURRENCY_DIGITS[currency]
    reading.amount = _in_currency(amounts[0] + bonus, digits)
    reading.paid = reading.paid and _in_currency(Decimal(reading.paid), digits)
    reading.balance_after = reading.balance_after and _in_currency(Decimal(reading.balance_after), digits)


def _in_currency(value: Decimal, digits: int) -> str:
    """The amount with the currency's decimals ('100' → '100.00'); more decimals are left for the check to refuse."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= digits:
        return str(value.quantize(Decimal(1).scaleb(-digits)))
    return str(value)


def _read_validity(text: str, region: str | None, currency: str, now: datetime, reading: Reading) -> str:
    """Take 'valid until DATE' out of the text (so it is not read as the top-up time)."""
    for keyword in _VALID.finditer(text):  # a phrase with no date after it ("到期提醒") is passed over
        rest = text[keyword.end():]
        for form, pattern in DATE_FORMS:
            match = pattern.match(rest)
            if match:
                moment = _to_datetime(form, match, region, currency, now, reading, allow_future=True)
                reading.valid_until = moment.astimezone().date()
                end = keyword.end() + match.end()
                return text[: keyword.start()] + " " * (end - keyword.start()) + text[end:]
    return text


def _first_moment(text: str, region: str | None, currency: str, now: datetime, reading: Reading) -> datetime | None:
    earliest = None
    for form, pattern in DATE_FORMS:
        match = pattern.search(text)
        if match and (earliest is None or match.start() < earliest[2].start()):
            earliest = (form, pattern, match)
    if earliest is None:
        return None
    form, _, match = earliest
    return _to_datetime(form, match, region, currency, now, reading, allow_future=False)


def _day_first(region: str | None, currency: str) -> tuple[bool, str] | None:
    where = region or next((r for r, c in REGION_CURRENCY.items() if c == currency), None)
    if where in DAY_FIRST_REGIONS:
        return True, where
    if where in MONTH_FIRST_REGIONS:
        return False, where
    return None


def _to_datetime(form: str, match: re.Match[str], region: str | None, currency: str, now: datetime,
                 reading: Reading, *, allow_future: bool) -> datetime:
    parts = match.groupdict()
    local_now = now.astimezone()
    if form == "numeric":
        a, b = int(parts["a"]), int(parts["b"])
        if a > 12 >= b:
            day, month = a, b
        elif b > 12 >= a:
            month, day = a, b
        elif a == b:
            day = month = a
        else:
            order = _day_first(region, currency)
            if order is None:
                raise _DateProblem(f"the message's date {match[0].strip()!r} could be read two ways")
            day, month = (a, b) if order[0] else (b, a)
            reading.notes.append(f"read {match[0].strip()!r} {'day' if order[0] else 'month'} first, as in {order[1]}")
        year = int(parts["y"])
    else:
        day, month = int(parts["d"]), int(parts["m"])
        year = int(parts["y"]) + 1911 if form == "roc" else int(parts["y"]) if form != "no-year" else local_now.year
    hour, minute, second = int(parts.get("h") or 0), int(parts.get("mi") or 0), int(parts.get("s") or 0)
    ampm = (parts.get("ampm") or "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        wall = datetime(year, month, day, hour, minute, second)
        if form == "no-year" and wall.astimezone() > local_now:
            wall = wall.replace(year=year - 1)
        moment = local_moment(wall, match[0].strip())
    except ValueError:
        raise _DateProblem(f"the message's date {match[0].strip()!r} is not a possible date") from None
    except InvalidInput as problem:
        raise _DateProblem(problem.message.replace("'", "the message's time '", 1)) from None
    if form == "no-year":
        reading.notes.append(f"the message gives no year; read it as {moment.date().isoformat()}, the latest such day")
    if form == "roc":
        reading.notes.append(f"read the ROC year {parts['y']} as {year}")
    if not allow_future and moment > local_now + timedelta(minutes=1):
        raise _DateProblem(f"the message's time {match[0].strip()!r} is in the future")
    return moment.astimezone(UTC)
