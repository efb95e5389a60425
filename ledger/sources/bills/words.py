"""What a bill row's words say of it, whichever app's bill it is in: which name a top-up (of a phone, of
a stored-value card), which are something else bought, and which give a face value."""

from __future__ import annotations

import re

from ledger.domain.numerals import DIGITS, UNITS

# What makes a row a top-up, and of which kind of card. Both lists are searched in the row's
# counterparty and item text, in any case; a smart card's name counts only beside a word for adding
# value (ADDING_VALUE), and so does a carrier's, which may also be paid (缴费).
TOPUP_WORDS = {
    "sim": ("话费", "話費", "充话费", "手机充值", "手機充值", "流量充值", "手机号充值", "号卡充值"),
    "smart": ("公交卡", "交通卡", "一卡通", "八达通", "八達通", "深圳通", "羊城通", "岭南通", "嶺南通", "悠遊卡",
              "悠游卡", "校园卡", "校園卡", "饭卡", "飯卡", "市民卡", "交通联合", "武汉通", "天府通", "长安通",
              "苏州通", "澳门通", "澳門通", "Octopus"),
}
# Words any smart card may be called by, as against the name of one card system (深圳通, 八达通).
ANY_CARD = ("公交卡", "交通卡", "一卡通", "校园卡", "校園卡", "饭卡", "飯卡", "市民卡", "交通联合")
ADDING_VALUE = ("充值", "增值", "加值", "储值", "儲值", "充卡", "add value", "top up", "top-up", "topup", "reload")
# Paying a carrier that adds value to a number: its bill (缴费) counts too.
PAYING_A_NUMBER = ("缴费", "繳費", "交费", "交費")  # China Mobile writes 交费
# Names that stand for the same card: a card with one of them as its label or issuer answers to all.
SAME_CARD = (("八达通", "八達通", "octopus"), ("悠遊卡", "悠游卡", "easycard"), ("澳门通", "澳門通", "macau pass"),
             ("岭南通", "嶺南通"), ("校园卡", "校園卡"), ("饭卡", "飯卡"))
# The currency a smart card known by name keeps its value in, when it is not that of the bill.
CARD_CURRENCIES = {"八达通": "HKD", "八達通": "HKD", "octopus": "HKD", "悠遊卡": "TWD", "悠游卡": "TWD",
                   "澳门通": "MOP", "澳門通": "MOP"}
# What a payment's text says when it is not a top-up, whatever card name it carries: power for a
# phone, the "traffic packs" of short-video apps (views for a post, not data) and a carrier's other
# services (broadband, a landline).
NOT_ADDING_VALUE = ("充电", "充電", "dou+", "粉条", "粉條", "作品推广", "上热门", "上熱門", "宽带", "寬帶", "固话",
                    "固話")
# A carrier's own wallet: money put into it (和包充值) is no top-up, but its shops (中国移动和包官方旗舰店)
# sell phone top-ups, which their rows name in TOPUP_WORDS' own words (手机充值, 话费).
CARRIER_WALLETS = ("和包",)
# A voucher bought, as against one used: the item ends with it (话费充值券 50元, 话费抵用券, 优惠券包).
BUYS_VOUCHER = re.compile(r"券包?\s*(?:\d+(?:\.\d+)?\s*元)?\s*$")
# Chinese numerals as items write a face value (一百元, 两百元, 五十元; 壹佰元 as on a cheque), by value.
_NUMBER = r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d{1,6})(?:\.\d{1,2})?"
# It begins with a digit or ten (十五): 百万元 is a manner of speaking, not a face value.
_CHINESE_NUMBER = "[{}十拾][{}]*".format("".join(DIGITS), "".join(DIGITS) + "".join(UNITS))
_YUAN = r"\s*(?:元|块|塊)"
# A face value: a number with 元 (or 块) after it, in digits or Chinese numerals, or with ¥, ￥ or RMB
# before it (话费充值￥100, RMB 50); where an item gives both, the one with 元 is its face value.
FACE_VALUE = re.compile(rf"(?:[¥￥]|(?<![A-Za-z])(?:RMB|CNY))\s*(?P<signed>{_NUMBER})(?![.,]?\d)|"
                        rf"(?P<digits>{_NUMBER}){_YUAN}|(?P<chinese>{_CHINESE_NUMBER}){_YUAN}", re.I)
# What was paid or taken off, not credited: 实付98元, 优惠2元, 立减5元, 立减金0.5元, 满100减3元, 红包5元,
# 优惠券-1元.
NOT_FACE_VALUE = re.compile(r"(?:实付|實付|实际支付|實際支付|支付|付款|优惠价?|優惠價?|减免|減免|立减金|立減金|减|減|"
                            r"折后价?|折後價?|抵扣|抵|券后价?|券後價?|到手价?|到手價?|红包|紅包|券)(?:金额|金額)?"
                            rf"\s*[:：]?\s*[-−]?\s*[¥￥]?\s*(?:[\d,]+(?:\.\d+)?|{_CHINESE_NUMBER})\s*元?")
