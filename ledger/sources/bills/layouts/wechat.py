"""WeChat Pay's bill (微信支付账单), CSV or XLSX as its app sends it, below a preamble of its own."""

from ledger.i18n import N_
from ledger.sources.bills import mainland
from ledger.sources.bills.source import BillSource

SOURCE = BillSource(
    name=N_("WeChat Pay bill"), channel="wechat", currency="CNY", zone=mainland.CHINA_TIME,
    encodings=mainland.ENCODINGS,
    columns={"time": ("交易时间",), "kind": ("交易类型",), "counterparty": ("交易对方",), "item": ("商品",),
             "direction": ("收/支",), "amount": ("金额(元)", "金额（元）"), "method": ("支付方式",),
             "status": ("当前状态",), "order": ("交易单号",), "merchant_order": ("商户单号",), "note": ("备注",)},
    statuses=mainland.STATUSES, paid_out=mainland.PAID_OUT, refund_words=mainland.REFUND_WORDS, phone_region="CN",
    not_topups=mainland.NOT_TOPUPS, not_topup_kinds=mainland.NOT_TOPUP_KINDS,
)
