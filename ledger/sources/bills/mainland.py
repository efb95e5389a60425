"""What the bills of mainland China's wallets share: how their statuses read, and what in them is
never a card's top-up."""

from __future__ import annotations

from datetime import timedelta, timezone

from ledger.domain.values import Outcome

CHINA_TIME = timezone(timedelta(hours=8), "China")
# GBK files are read as GB18030, of which GBK is a part.
ENCODINGS = ("utf-8-sig", "gb18030")
STATUSES = (
    (("已全额退款", "全额退款", "已退款", "退款成功"), Outcome.refunded),
    (("交易关闭", "已关闭", "支付失败", "充值失败", "交易失败"), Outcome.failed),
    (("等待", "处理中", "充值中", "待"), Outcome.pending),
    (("支付成功", "交易成功", "充值完成", "充值成功", "已支付", "已完成", "已到账"), Outcome.credited),
)
PAID_OUT = ("支出", "")
REFUND_WORDS = ("退款",)
# Money moved within a wallet (零钱, 余额宝), transfers, savings and repayments.
NOT_TOPUPS = ("零钱充值", "零钱通", "零錢", "余额宝", "餘額寶", "转账", "轉賬", "提现", "提現", "理财", "理財",
              "还款", "還款", "基金", "转入", "轉入")
# A red packet is a kind of row (微信红包, 转账红包), not something a top-up's item mentions in passing.
NOT_TOPUP_KINDS = ("红包", "紅包")
