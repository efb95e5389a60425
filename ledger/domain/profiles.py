"""Card profiles: the limits and rules that issuers and carriers publish for their cards, as data.

Each rule names where it was published and the day it was read. `card add --profile` copies a
profile's rules onto the card (`Card.profile`, canonical JSON, chained like the card's other
columns): a later change of this table never changes the rules of a card added before it. Only
facts read in the issuer's own pages or documents go here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from ledger.chinese import folded
from ledger.domain.channels import Channel
from ledger.domain.values import label_key
from ledger.errors import DamageFound
from ledger.i18n import _

READ_ON = "2026-12-07"  # the day the rules below were read at their sources

# What a rule limits. The first two are also the card's own --max-topup and --max-balance.
MAX_TOPUP, MAX_BALANCE = "max_topup", "max_balance"
MIN_TOPUP = "min_topup"
TOPUPS_PER_DAY, AMOUNT_PER_DAY, AMOUNT_PER_MONTH, AMOUNT_PER_PERIOD = (
    "topups_per_day", "amount_per_day", "amount_per_month", "amount_per_period")
FEE_AFTER_UNUSED_YEARS, LAPSE_AFTER_UNUSED_YEARS = "fee_after_unused_years", "lapse_after_unused_years"
_KINDS = frozenset({MAX_TOPUP, MAX_BALANCE, MIN_TOPUP, TOPUPS_PER_DAY, AMOUNT_PER_DAY, AMOUNT_PER_MONTH,
                    AMOUNT_PER_PERIOD, FEE_AFTER_UNUSED_YEARS, LAPSE_AFTER_UNUSED_YEARS})
ON_THE_CARD = (MAX_TOPUP, MAX_BALANCE)  # kept in the card's columns, where --max-topup/--max-balance put them
WINDOWED = (TOPUPS_PER_DAY, AMOUNT_PER_DAY, AMOUNT_PER_MONTH, AMOUNT_PER_PERIOD)
INACTIVITY = (FEE_AFTER_UNUSED_YEARS, LAPSE_AFTER_UNUSED_YEARS)
IN_MONEY = (MAX_TOPUP, MAX_BALANCE, MIN_TOPUP, AMOUNT_PER_DAY, AMOUNT_PER_MONTH, AMOUNT_PER_PERIOD)


class Rule(NamedTuple):
    """One published rule: `value` is in minor units of the card's currency for an amount, else a
    count of top-ups or of years."""

    kind: str
    value: int
    source: str  # the issuer's page (its address) or document (its name)
    channels: tuple[str, ...] = ()  # only top-ups by these channels; empty: every top-up
    days: int | None = None  # the length of a rolling period (AMOUNT_PER_PERIOD)
    read_on: str = READ_ON


class Profile(NamedTuple):
    """A known card or carrier: what `card add --profile` fills in."""

    key: str  # stored with the card
    name: str
    names: tuple[str, ...]  # what people call it, in English and both Chinese scripts
    kind: str
    region: str
    currency: str
    issuer: str
    zone: str  # the issuer's time zone: its days and months
    rules: tuple[Rule, ...]


_OCTOPUS_AAVS = ("https://www.octopus.com.hk/en/consumer/customer-service/faq/easy-reloading/"
                 "aavs-and-other-reloading-methods.html")
# The HK$15 yearly fee applies to Smart Octopus of adults aged 18 to 59 and to On-Loan Adult Octopus
# issued from 1 October 2017 on, after three years without adding value or paying.
_OCTOPUS_FEES = "https://www.octopus.com.hk/tc/consumer/octopus-cards/proper-use/inactive-smart-octopus/index.html"
_SUICA_RULES = "東日本旅客鉄道株式会社ICカード乗車券取扱規則 (JR East's Suica rules), https://www.jreast.co.jp/suica/"
_PASMO_RULES = "株式会社パスモ, PASMO取扱規則 (PASMO rules), https://www.pasmo.co.jp/"
_CSL_AUTO = "https://www.hkcsl.com/en/auto-recharge-service/"
_CMHK_REFILL = ("https://eshop.hk.chinamobile.com/en/corporate_information/Prepaid_SIM/prepaid_services/"
                "prepaid-services-vas-method.html")

PROFILES: tuple[Profile, ...] = (
    Profile("octopus", "Octopus", ("Octopus", "八達通", "八达通"), "smart", "HK", "HKD",
            "Octopus Cards Limited", "Asia/Hong_Kong", (
                Rule(MAX_BALANCE, 300000, _OCTOPUS_AAVS),
                Rule(TOPUPS_PER_DAY, 1, _OCTOPUS_AAVS, channels=(Channel.auto,)),
                Rule(FEE_AFTER_UNUSED_YEARS, 3, _OCTOPUS_FEES),
            )),
    Profile("easycard", "EasyCard", ("EasyCard", "Easy Card", "悠遊卡", "悠游卡"), "smart", "TW", "TWD",
            "EasyCard Corporation", "Asia/Taipei", (
                Rule(MAX_BALANCE, 1000000, "EasyCard Corporation, https://www.easycard.com.tw/"),
            )),
    # Not a bare 一卡通: Beijing's card is called so too, and it is a common word.
    Profile("ipass", "iPASS", ("iPASS", "iPASS一卡通", "高雄一卡通"), "smart", "TW", "TWD", "iPASS Corporation",
            "Asia/Taipei", (
                Rule(MAX_BALANCE, 1000000, "iPASS Corporation, https://www.i-pass.com.tw/"),
            )),
    Profile("suica", "Suica", ("Suica", "スイカ"), "smart", "JP", "JPY", "East Japan Railway Company", "Asia/Tokyo", (
        Rule(MAX_BALANCE, 20000, _SUICA_RULES),
        Rule(LAPSE_AFTER_UNUSED_YEARS, 10, _SUICA_RULES),
    )),
    Profile("pasmo", "PASMO", ("PASMO", "パスモ"), "smart", "JP", "JPY", "PASMO Co., Ltd.", "Asia/Tokyo", (
        Rule(MAX_BALANCE, 20000, _PASMO_RULES),
        Rule(LAPSE_AFTER_UNUSED_YEARS, 10, _PASMO_RULES),
    )),
    Profile("shenzhen-tong", "Shenzhen Tong", ("Shenzhen Tong", "Shenzhentong", "深圳通"), "smart", "CN", "CNY",
            "深圳市深圳通有限公司", "Asia/Shanghai", ()),
    Profile("csl", "csl", ("csl", "csl."), "sim", "HK", "HKD", "csl", "Asia/Hong_Kong", (
        Rule(AMOUNT_PER_PERIOD, 30000, _CSL_AUTO, channels=(Channel.auto,), days=30),
    )),
    Profile("cmhk", "China Mobile Hong Kong", ("China Mobile Hong Kong", "CMHK", "中國移動香港", "中国移动香港"),
            "sim", "HK", "HKD", "China Mobile Hong Kong", "Asia/Hong_Kong", (
                Rule(MIN_TOPUP, 5000, _CMHK_REFILL),
                Rule(MAX_TOPUP, 100000, _CMHK_REFILL),
                # The page gives the monthly limit for its online ways of paying only.
                Rule(AMOUNT_PER_MONTH, 300000, _CMHK_REFILL,
                     channels=(Channel.online, Channel.app, Channel.wechat, Channel.alipay)),
            )),
)

_SPACING = re.compile(r"[\s\-_.·・]+")


def profile_key(name: str) -> str:
    """The form profile names are compared in: as card labels, in either Chinese script, without spaces."""
    return _SPACING.sub("", folded(label_key(name)))


@cache  # made on first use: folding Chinese reads OpenCC's table, which no other command should pay for
def _by_name() -> dict[str, Profile]:
    return {profile_key(name): profile for profile in PROFILES for name in (profile.key, *profile.names)}


def find_profile(name: str) -> Profile | None:
    """The profile a person named, or None."""
    return _by_name().get(profile_key(name))


class CardRules(NamedTuple):
    """The profile rules a card keeps: the profile's key, name and zone, and each rule as it was read."""

    profile: str
    name: str
    zone: str
    rules: tuple[Rule, ...]

    def rule(self, kind: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.kind == kind), None)


def card_rules(profile: Profile, overridden: set[str]) -> CardRules:
    """The rules a card added with `profile` keeps; those its own options override are left out."""
    return CardRules(profile.key, profile.name, profile.zone,
                     tuple(rule for rule in profile.rules if rule.kind not in overridden))


def stored(rules: CardRules) -> str:
    """The rules as kept in the card's `profile` column: canonical JSON, so the chain's digest is stable."""
    body: dict[str, Any] = {"profile": rules.profile, "name": rules.name, "zone": rules.zone,
                            "rules": [rule._asdict() for rule in rules.rules]}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def kept_rules(card: Mapping[str, Any]) -> CardRules | None:
    """The rules a card keeps, from its `profile` column (None without a profile); refused as damage
    when they cannot be read, which only an edit behind the program's back does."""
    text = card["profile"]
    if not text:
        return None
    try:
        body = json.loads(text)
        kept = CardRules(body["profile"], body["name"], body["zone"],
                         tuple(Rule(**{**rule, "channels": tuple(rule["channels"])}) for rule in body["rules"]))
        ZoneInfo(kept.zone)  # a zone no longer known is as unreadable as a broken rule
        if not all(_well_formed(rule) for rule in kept.rules):
            raise ValueError(kept)
        return kept
    except (ValueError, TypeError, KeyError):
        raise DamageFound(_("the profile rules of card {label!r} cannot be read; they were changed outside topup. "
                            "`topup verify` lists what changed; compare the ledger with a backup",
                            label=card["label"])) from None


def _well_formed(rule: Rule) -> bool:
    """Whether a kept rule is one of the kinds this table has, with values of their types."""
    def count(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value > 0

    return (rule.kind in _KINDS and count(rule.value) and (rule.days is None or count(rule.days))
            and all(channel in tuple(Channel) for channel in rule.channels)
            and isinstance(rule.source, str) and isinstance(rule.read_on, str))


def without(rules: CardRules, kinds: set[str]) -> CardRules:
    """`rules` less those of `kinds`: a limit the card's own option has since replaced."""
    return rules._replace(rules=tuple(rule for rule in rules.rules if rule.kind not in kinds))
