"""JD's bill (京东账单) as its app exports it: CSV below a preamble naming the account, with what a
payment got back written after its amount (131.77(已退款89.84), 468.32(已全额退款)) and each refund a
row of its own, its item beginning 退款-, under the order number of its payment."""

from ledger.i18n import N_
from ledger.sources.bills import mainland
from ledger.sources.bills.source import BillSource

SOURCE = BillSource(
    name=N_("JD bill"), channel="marketplace", currency="CNY", zone=mainland.CHINA_TIME,
    encodings=mainland.ENCODINGS,
    columns={"time": ("交易时间",), "kind": ("交易分类",), "counterparty": ("商户名称",), "item": ("交易说明",),
             "direction": ("收/支",), "amount": ("金额",), "method": ("收/付款方式",), "status": ("交易状态",),
             "order": ("交易订单号",), "merchant_order": ("商家订单号",), "note": ("备注",)},
    statuses=mainland.STATUSES, paid_out=mainland.PAID_OUT, refund_words=mainland.REFUND_WORDS, phone_region="CN",
    # 小金库 is JD's savings, as 余额宝 is Alipay's.
    not_topups=(*mainland.NOT_TOPUPS, "小金库", "小金庫"), not_topup_kinds=mainland.NOT_TOPUP_KINDS,
)
