"""Alipay's bill (支付宝交易明细) as its app exports it, CSV in GBK below a preamble."""

from ledger.i18n import N_
from ledger.sources.bills import mainland
from ledger.sources.bills.source import BillSource

SOURCE = BillSource(
    name=N_("Alipay bill"), channel="alipay", currency="CNY", zone=mainland.CHINA_TIME,
    encodings=mainland.ENCODINGS,
    columns={"time": ("交易时间",), "kind": ("交易分类",), "counterparty": ("交易对方",), "item": ("商品说明",),
             "direction": ("收/支",), "amount": ("金额",), "method": ("收/付款方式",), "status": ("交易状态",),
             "order": ("交易订单号",), "merchant_order": ("商家订单号",), "note": ("备注",)},
    statuses=mainland.STATUSES, paid_out=mainland.PAID_OUT, refund_words=mainland.REFUND_WORDS, phone_region="CN",
    not_topups=mainland.NOT_TOPUPS, not_topup_kinds=mainland.NOT_TOPUP_KINDS,
)
