"""Channels: the one vocabulary that `--channel`, imports and the message reader all use.

Each channel has a canonical name and aliases in English, Traditional and Simplified Chinese.
An option or an import cell names a channel by any of them, compared without case, spaces,
dashes or underscores. A pasted message names one when an alias appears in it, except the few
aliases in `NOT_IN_MESSAGES`, which are too common in unrelated sentences to tell anything
("for your convenience", "银行卡", "visit our website"). When a message names several channels,
the one listed first in `ALIASES` wins: automatic reload paid through Alipay is `auto`.

Some names are those of the wallet, card or payment service that paid (PayMe, AlipayHK, 街口支付,
a credit card): they name a channel and also what paid, kept as the record's `paid_with` when
nothing else says what paid, so that naming one loses nothing.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

from ledger.domain.values import clean_token
from ledger.errors import InvalidInput
from ledger.i18n import N_, _


class Channel(StrEnum):
    store = "store"
    online = "online"
    app = "app"
    wechat = "wechat"
    alipay = "alipay"
    sms = "sms"
    kiosk = "kiosk"
    auto = "auto"
    marketplace = "marketplace"
    other = "other"


# What each channel is called where people read it (looked up in the catalog when shown); what
# programs read is the channel's own name.
SHOWN: dict[Channel, str] = {
    Channel.store: N_("store or counter"),
    Channel.online: N_("website or online banking"),
    Channel.app: N_("mobile app"),
    Channel.wechat: N_("WeChat Pay"),
    Channel.alipay: N_("Alipay"),
    Channel.sms: N_("SMS"),
    Channel.kiosk: N_("self-service kiosk"),
    Channel.auto: N_("automatic reload"),
    Channel.marketplace: N_("online marketplace"),
    Channel.other: N_("other"),
}

# Wallets, cards and payment services by the names people give them, each written as `paid_with`
# keeps it, under the channel it pays through: one group of names for each.
PAYERS: dict[Channel, tuple[tuple[str, ...], ...]] = {
    Channel.alipay: (("AlipayHK", "Alipay HK", "支付寶香港", "支付宝香港", "支付寶HK", "支付宝HK"),),
    Channel.wechat: (("WeChat Pay HK", "微信支付香港", "微信支付HK"),),
    Channel.online: (("FPS", "Faster Payment System", "轉數快", "转数快"), ("credit card", "信用卡", "信用咭"),
                     ("銀聯", "银联")),  # the network of the card that paid, far more often than its app
    Channel.app: (("PayMe", "PayMe from HSBC"), ("Octopus App", "八達通 App", "八达通 App"),
                  ("JKOPAY", "JKO Pay", "街口支付", "街口"), ("LINE Pay",), ("Easy Wallet", "悠遊付", "悠游付"),
                  ("PX Pay", "全支付"), ("UnionPay", "UnionPay QuickPass", "雲閃付", "云闪付")),
}


def _payer_names(channel: Channel) -> tuple[str, ...]:
    return tuple(name for group in PAYERS.get(channel, ()) for name in group)


# Chains of convenience stores, by the names people give them: a top-up paid at one was paid at a
# counter, and the chain's name is where (the record's merchant, unless one is given).
STORE_CHAINS = ("7-Eleven", "7-11", "711", "Circle K", "OK便利店", "OK便利商店", "OK Mart", "OK超商", "FamilyMart",
                "Family Mart", "全家", "全家便利商店", "全家便利店", "Hi-Life", "萊爾富", "莱尔富")

# In order of precedence when a message names more than one.
ALIASES: dict[Channel, tuple[str, ...]] = {
    Channel.auto: ("automatic", "auto reload", "autoreload", "auto top-up", "auto topup", "aav", "aavs",
                   "automatic add value", "automatic add value service", "自動充值", "自动充值", "自動增值", "自动增值",
                   "自動加值", "自动加值"),
    Channel.alipay: ("zhifubao", "支付寶", "支付宝", *_payer_names(Channel.alipay)),
    Channel.wechat: ("weixin", "wechat pay", "wechatpay", "wxpay", "微信", "微信支付", *_payer_names(Channel.wechat)),
    Channel.marketplace: ("taobao", "tmall", "jd", "jd.com", "pinduoduo", "shopee", "lazada", "amazon",
                          "淘寶", "淘宝", "天貓", "天猫", "京東", "京东", "拼多多", "商城"),
    Channel.store: ("counter", "shop", "convenience store", "convenience", *STORE_CHAINS, "telecom counter", "便利店",
                    "便利商店", "超商", "營業廳", "营业厅", "門市", "门市", "櫃檯", "柜台", "商店", "實體店", "实体店"),
    Channel.kiosk: ("self-service", "self service", "machine", "terminal", "atm", "自助", "自助終端", "自助终端",
                    "自助機", "自助机", "增值機", "增值机", "充值機", "充值机", "加值機", "加值机"),
    Channel.online: ("web", "website", "bank", "online banking", "internet banking", "netbank", "internet",
                     "網上銀行", "网上银行", "網銀", "网银", "網站", "网站", "官網", "官网", "銀行", "银行", "網上",
                     "网上", *_payer_names(Channel.online)),
    Channel.app: ("carrier app", "mobile app", "application", "應用", "应用", "客戶端", "客户端", "手機app",
                  "手机app", *_payer_names(Channel.app)),
    Channel.sms: ("text", "text message", "短信", "簡訊", "简讯", "短訊", "短讯"),
    Channel.other: ("其他", "其它"),
}

# Names that say nothing about how a top-up was paid when they stand in a message ("available
# online", "visit a store", "祝您全家", "top up by credit card anytime"). The sms channel's words
# are here because the message itself is so often an SMS; 街口 is a street corner in an address,
# and 銀聯 the network of the bank card that paid (银联卡, 中国银联) far more often than its app.
NOT_IN_MESSAGES = frozenset({
    "online", "store", "auto", "automatic", "shop", "convenience", "商店", "machine", "terminal", "web", "website",
    "bank", "internet", "全家", "credit card", "信用卡", "信用咭",
    "網站", "网站", "官網", "官网", "銀行", "银行", "網上", "网上", "application", "應用", "应用",
    "sms", "text", "text message", "短信", "簡訊", "简讯", "短訊", "短讯", "other", "其他", "其它",
    "街口", "銀聯", "银联",
})


def names(channel: Channel) -> tuple[str, ...]:
    """The canonical name and every alias of a channel."""
    return (channel.value, *ALIASES[channel])


def _key(text: str) -> str:
    return re.sub(r"[\s\-_]+", "", clean_token(text).casefold())


_BY_KEY = {_key(name): channel for channel in ALIASES for name in names(channel)}


@lru_cache(maxsize=1024)  # pure; an import reads the same few values again and again
def parse_channel(text: str) -> Channel:
    """A channel by canonical name or by an English or Chinese alias."""
    channel = _BY_KEY.get(_key(text))
    if channel is None:
        listed = ", ".join(c.value for c in Channel)
        raise InvalidInput(_("unknown channel {text!r}; use one of {listed} (or 微信, 支付宝, 短信 …)",
                             text=text.strip(), listed=listed))
    return channel


# Names written alike (AlipayHK, Alipay HK) are kept as the one listed first.
_PAYER_BY_KEY = {_key(name): name for groups in PAYERS.values() for group in groups for name in reversed(group)}
_PAYER_GROUP = {_key(name): group for groups in PAYERS.values() for group in groups for name in group}


@lru_cache(maxsize=1024)  # pure, as parse_channel
def payer_named(text: str) -> str | None:
    """What paid, as `paid_with` keeps it, when a channel's name is that of a wallet, card or payment
    service (payme → PayMe, 街口支付); None for a name that says only the channel."""
    return _PAYER_BY_KEY.get(_key(text))


def payer_names(text: str) -> tuple[str, ...]:
    """Every name of the wallet, card or payment service a channel's name is (轉數快: FPS, 转数快 …), as
    `paid_with` may keep it; empty for a name that says only the channel."""
    return _PAYER_GROUP.get(_key(text), ())


_Values = TypeVar("_Values", dict[str, str], dict[str, str | None])


_STORE_KEYS = frozenset(_key(name) for name in STORE_CHAINS)


def with_what_the_channel_names(values: _Values) -> _Values:
    """Values typed for a record, by field, with what the channel's name says beside the channel:
    `paid_with` when it names what paid (PayMe), `merchant` when it names a chain of stores (全家), each
    unless something else says it."""
    channel = (values.get("channel") or "").strip()
    if not channel:
        return values
    filled = {}
    if not (values.get("paid_with") or "").strip() and (payer := payer_named(channel)):
        filled["paid_with"] = payer
    if not (values.get("merchant") or "").strip() and _key(channel) in _STORE_KEYS:
        filled["merchant"] = " ".join(clean_token(channel).split())
    return values | filled if filled else values


_PLACEHOLDERS = frozenset({"", "/", "-", "--", "—", "无", "無", "none", "n/a"})  # a bill's way of saying nothing


def paid_with_text(cell: str | None) -> str | None:
    """What a bill's payment cell (WeChat Pay's 支付方式, Alipay's 收/付款方式) or a message's
    "付款方式：…" says paid, as `paid_with` keeps it: its words on one line, or None when it says
    nothing ("/", "-", empty)."""
    text = " ".join(clean_token(cell or "").split())
    return None if text.casefold() in _PLACEHOLDERS else text


def _in_text(name: str) -> str:
    """A pattern for `name` inside running text: spaces and dashes optional where it has them, and
    a Latin name only as a whole Latin word (so `711` is not read out of HK$711.00, nor `jd` out of `jdoe`,
    while Chinese right beside it, as in 移动APP充值, is no obstacle)."""
    parts = [re.escape(part) for part in re.split(r"[\s\-_]+", name)]
    pattern = r"[\s\-_]*".join(parts)
    if name.isascii():  # a boundary against Latin letters and digits only: 通过中国移动APP充值 names the app
        pattern = rf"(?<![A-Za-z0-9_$.,:/#]){pattern}(?![A-Za-z0-9_]|[.,:/][A-Za-z0-9])"
    return pattern


@lru_cache(maxsize=1)  # compiled on first use: only reading a message needs them
def _in_messages() -> list[tuple[Channel, re.Pattern[str]]]:
    return [
        (channel, re.compile("|".join(_in_text(name) for name in names(channel) if name not in NOT_IN_MESSAGES), re.I))
        for channel in ALIASES
        if any(name not in NOT_IN_MESSAGES for name in names(channel))
    ]


def channel_in_message(text: str) -> Channel | None:
    """The channel a message names, if any (the first in order of precedence)."""
    return next((channel for channel, pattern in _in_messages() if pattern.search(text)), None)


@lru_cache(maxsize=1)
def _payers_in_messages() -> re.Pattern[str]:
    found = sorted((name for channel in PAYERS for name in _payer_names(channel) if name not in NOT_IN_MESSAGES),
                   key=len, reverse=True)  # the longest first: PayMe from HSBC before PayMe
    return re.compile("|".join(_in_text(name) for name in found), re.I)


def payer_in_message(text: str) -> str | None:
    """The wallet, card or payment service a message names first, as `paid_with` keeps it."""
    match = _payers_in_messages().search(text)
    return payer_named(match[0]) if match else None
