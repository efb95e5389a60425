"""Meituan's bill (美团交易账单明细) as its app exports it: CSV below a preamble, with no status and no
counterparty column (the order's title names the shop), what was paid beside what the order came to,
and refunds as rows of the kind 退款."""

from ledger.domain.values import Outcome
from ledger.i18n import N_
from ledger.sources.bills import mainland
from ledger.sources.bills.source import REQUIRED, BillSource

SOURCE = BillSource(
    name=N_("Meituan bill"), channel="app", currency="CNY", zone=mainland.CHINA_TIME,
    encodings=mainland.ENCODINGS,
    columns={"time": ("交易成功时间",), "created": ("交易创建时间",), "kind": ("交易类型",), "item": ("订单标题",),
             "direction": ("收/支",), "amount": ("实付金额",), "method": ("支付方式",), "order": ("交易单号",),
             "merchant_order": ("商家单号",), "note": ("备注",)},
    # The bill lists only payments that went through, each with the time it did: whatever a row's
    # (empty) status, it was credited.
    statuses=((("",), Outcome.credited),), paid_out=mainland.PAID_OUT, refund_words=mainland.REFUND_WORDS,
    phone_region="CN", not_topups=mainland.NOT_TOPUPS, not_topup_kinds=mainland.NOT_TOPUP_KINDS,
    required=tuple(role for role in REQUIRED if role not in ("status", "counterparty")),
)
