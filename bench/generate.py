"""A seeded synthetic ledger: 20 cards, 10 channels, Chinese and English notes, WX-style references.

Written in bulk through the ledger's own store (the writer an import uses, and the one writer of
the hash chain), so it verifies like a ledger built one `topup log` at a time, only much faster
to make.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ledger.domain.cards import CARD_COLUMNS
from ledger.domain.channels import Channel
from ledger.domain.fields import STORED
from ledger.domain.times import to_stored
from ledger.service.opening import transaction
from ledger.store.location import at

NOTES = ["在深圳用短信充值", "便利店加值", "月票充值", "auto reload at the station", "topped up at the kiosk",
         "校园卡食堂充值", "話費增值", "paid by WeChat", "支付宝缴费", "weekend trip", "", "", ""]
MERCHANTS = ["7-Eleven", "全家便利店", "SampleTel", "中国移动营业厅", "MTR kiosk", None, None]
CURRENCIES = ["HKD", "CNY", "TWD"]


def card_label(index: int) -> str:
    return f"card-{index:02d}"


def generate(path: Path, records: int, seed: int = 42) -> None:
    """Create `path` with `records` top-ups spread over five years."""
    path.unlink(missing_ok=True)
    rng = random.Random(seed)
    created = "2025-01-01T00:00:00Z"
    with transaction(at(path), write=True) as ledger:
        currencies = {}
        for index in range(20):
            currency = CURRENCIES[index % 3]
            card_id = ledger.add_card(dict.fromkeys(CARD_COLUMNS) | {  # type: ignore[arg-type]
                "label": card_label(index), "label_key": card_label(index), "kind": "sim" if index % 2 else "smart",
                "number": f"{rng.randrange(10**7, 10**8)}", "currency": currency, "validity_days": 180,
                "created_at_utc": created}, "add", created)
            currencies[card_id] = currency
        start = datetime(2021, 1, 1, tzinfo=UTC)
        span = (datetime(2025, 12, 31, tzinfo=UTC) - start).total_seconds()
        moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(records))
        channels = [c.value for c in Channel]
        rows = []
        for topup_id, moment in enumerate(moments, start=1):
            card_id = rng.randrange(1, 21)
            currency = currencies[card_id]
            rows.append(dict.fromkeys(f.column for f in STORED) | {
                "id": topup_id, "card_id": card_id, "amount_minor": rng.choice([10, 20, 50, 100, 200, 500]) * 100,
                "currency": currency, "channel": rng.choice(channels), "outcome": "credited",
                "occurred_at_utc": to_stored(moment), "ref": f"WX42{rng.randrange(10**15, 10**16)}",
                "merchant": rng.choice(MERCHANTS), "note": rng.choice(NOTES) or None,
                "balance_after_minor": rng.randrange(0, 3000) * 100, "status": "active",
                "created_at_utc": to_stored(moment), "version": 1,
            })
        ledger.add_topups(rows, "log", created)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def sample_refs(path: Path, count: int, seed: int = 7) -> list[str]:
    """References that exist in the ledger, for lookups."""
    conn = sqlite3.connect(path)
    total = conn.execute("SELECT max(id) FROM topup").fetchone()[0]
    rng = random.Random(seed)
    refs = [conn.execute("SELECT ref FROM topup WHERE id = ?", (rng.randrange(1, total + 1),)).fetchone()[0]
            for _ in range(count)]
    conn.close()
    return refs


def write_journal(path: Path, ledger: Path) -> None:
    """The same records as an hledger journal, for the comparison hledger users will make."""
    conn = sqlite3.connect(ledger)
    rows = conn.execute("SELECT t.occurred_at_utc, t.ref, c.label, t.amount_minor, t.currency FROM topup AS t "
                        "JOIN card AS c ON c.id = t.card_id ORDER BY t.occurred_at_utc")
    with path.open("w", encoding="utf-8") as journal:
        for at, ref, label, minor, currency in rows:
            amount = f"{minor // 100}.{minor % 100:02d}"  # each of HKD, CNY and TWD has two decimals
            journal.write(f"{at[:10]} {ref}\n    assets:cards:{label}  {amount} {currency}\n    expenses:topup\n\n")
    conn.close()


BILL_HEADER = "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注"
EXPORT_HEADER = "card,amount,paid,currency,channel,outcome,occurred_at,ref,merchant,note"


def write_bill_and_export(bill: Path, export: Path, rows: int, seed: int = 7) -> None:
    """A WeChat Pay bill of `rows` phone top-ups onto card 'phone' (+86 139 1234 5678), a meal between
    each two, and the same top-ups in the program's own export layout."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, 8, 0)
    bill_lines = ["微信支付账单明细" + "," * 10, "-" * 20 + "微信支付账单明细列表" + "-" * 20 + "," * 10, BILL_HEADER]
    export_lines = [EXPORT_HEADER]
    for number in range(rows):
        moment = (start + timedelta(minutes=37 * number)).strftime("%Y-%m-%d %H:%M:%S")
        face = rng.choice([30, 50, 100, 200])
        paid = f"{face - rng.choice([0, 0.5]):.2f}"
        order = f"42000{number + 1:015d}"  # never 4200000000…0, which reads as a spreadsheet's rewrite
        if number % 2:
            bill_lines.append(f"{moment},商户消费,示例餐厅,午餐,支出,¥{paid},零钱,支付成功,{order}\t,/\t,/")
            continue
        bill_lines.append(f"{moment},商户消费,中国移动,话费充值-139****5678 {face}元,支出,¥{paid},零钱,支付成功,"
                          f"{order}\t,/\t,/")
        export_lines.append(f"phone,{face}.00,{paid},CNY,wechat,credited,{moment},{order},中国移动,"
                            f"话费充值-139****5678 {face}元")
    bill.write_text("\n".join(bill_lines) + "\n", encoding="utf-8-sig")
    export.write_text("\n".join(export_lines) + "\n", encoding="utf-8-sig")
