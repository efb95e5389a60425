"""Alipay's bill as its website exports it: a payment's time apart from its order's, refunds in a
column of their own, and a footer below the rows."""

from ledger.i18n import N_
from ledger.sources.bills import mainland
from ledger.sources.bills.source import BillSource

SOURCE = BillSource(
    name=N_("Alipay bill (web)"), channel="alipay", currency="CNY", zone=mainland.CHINA_TIME,
    encodings=mainland.ENCODINGS,
    columns={"time": ("付款时间",), "created": ("交易创建时间",), "kind": ("类型",), "counterparty": ("交易对方",),
             "item": ("商品名称",), "direction": ("收/支",), "amount": ("金额（元）", "金额(元)"),
             "status": ("交易状态",), "refunded": ("成功退款（元）", "成功退款(元)"), "order": ("交易号",),
             "merchant_order": ("商家订单号",), "note": ("备注",), "funds": ("资金状态",)},
    statuses=mainland.STATUSES, paid_out=mainland.PAID_OUT, refund_words=mainland.REFUND_WORDS, phone_region="CN",
    not_topups=mainland.NOT_TOPUPS, not_topup_kinds=mainland.NOT_TOPUP_KINDS,
)
