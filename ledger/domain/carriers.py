"""Mobile carriers, by the names people and bills give them, so that a SIM whose issuer is 中国移动
takes a top-up naming 移动, 广东移动 or 中國移動, and never one naming 电信.

A carrier is named by its national name (中国移动), a province's or city's branch (广东移动, 上海电信),
or bare (移动) right beside a phone number, a word for adding value or a phone bill (移动 139****5678,
联通充值, 电信话费). Each is known by one core name, the same in either script.
"""

from __future__ import annotations

import re

from ledger.domain.values import fold_width

# Mainland China's carriers by their core names, in either script; the bare ones may mean other
# things too (移动支付 is paying by phone), so alone they count only beside a number or a top-up.
_BARE = r"移[动動]|[联聯]通|[电電]信"
_CORES = rf"{_BARE}|[广廣][电電]"
# Adding value, paying a number (China Mobile writes 交费 for 缴费), a phone bill.
_PAYING = r"充值|增值|[缴繳交][费費]|[话話][费費]"
# The two characters before a branch's carrier name a place, not what was bought (充值移动 is no carrier).
_NAMED = re.compile(rf"(?:中[国國]|(?!{_PAYING}|手[机機]|流量)[\u4e00-\u9fff]{{2}}省?)({_CORES})")
_MENTIONED = re.compile(rf"{_NAMED.pattern}|({_BARE})\s*(?:1\d{{2}}[\d*]{{4}}\d{{4}}|{_PAYING})")
_SIMPLIFIED = str.maketrans("動聯電廣", "动联电广")
# In a phone top-up's text a bare name is its carrier wherever it stands (话费充值-电信-100元), unless it
# begins a word of its own (移动支付 is paying by phone, 移动端 an app on one).
_BARE_ANYWHERE = re.compile(rf"({_BARE})(?!支付|端|版|互[联聯]|[应應]用)")
_NATIONAL = {"移动": "中国移动", "联通": "中国联通", "电信": "中国电信", "广电": "中国广电"}
# The names the carriers give themselves in English, as an issuer may be typed (China Mobile, CMCC).
_ENGLISH = {"移动": r"china\s*mobile|cmcc", "联通": r"china\s*unicom", "电信": r"china\s*telecom|chinanet",
            "广电": r"china\s*broadnet|cbn"}


def named_in(text: str) -> str | None:
    """The carrier a text names by its national or branch name (中国电信, 广东移动), as written."""
    match = _NAMED.search(text)
    return match[0] if match else None


def carrier(text: str) -> str | None:
    """Which carrier a text names or mentions, the same for 中国移动, 广东移动 and 中國移動: 移动, 联通,
    电信 or 广电."""
    match = _MENTIONED.search(fold_width(text))
    core = match and (match[1] or match[2])
    return core.translate(_SIMPLIFIED) if core else None


def carrier_topped_up(text: str) -> str | None:
    """Which carrier a phone top-up's text is for, as `carrier` names it: the one it names or mentions,
    else the one bare name it holds anywhere (移动, 电信); None when it holds none, or several."""
    if named := carrier(text):
        return named
    bare = {core.translate(_SIMPLIFIED) for core in _BARE_ANYWHERE.findall(fold_width(text))}
    return bare.pop() if len(bare) == 1 else None


def national_name(core: str) -> str:
    """A carrier's national name (中国电信) from its core name (电信), as a card's issuer is given."""
    return _NATIONAL[core]


def issuer_carrier(issuer: str | None) -> str | None:
    """The carrier a card's issuer is, as `carrier` names it: an issuer is a carrier's name, so its core
    name alone says which (移动, 中国移动, 中國移動, China Mobile alike)."""
    text = fold_width(issuer or "")
    if match := re.search(_CORES, text):
        return match[0].translate(_SIMPLIFIED)
    return next((core for core, english in _ENGLISH.items() if re.search(rf"\b(?:{english})\b", text, re.IGNORECASE)),
                None)
