"""Bill layouts as data: each source is one module declaring its currency, zone, encodings, header,
words and phone region; the readers are tested directly, and a source added as one module works
end to end. Files are read in the encoding they are in, or refused, never misread."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ledger.domain import carriers
from ledger.domain.phones import phone_in
from ledger.domain.values import Outcome
from ledger.errors import InvalidInput
from ledger.sources import bills
from ledger.sources.tables import decode
from tests.conftest import table_dump

ROOT = Path(__file__).resolve().parents[1]


def _source(name: str) -> bills.BillSource:
    return next(source for source in bills.sources() if source.name == name)


def test_each_layout_module_declares_one_source():
    assert {(s.name, s.currency, s.channel, s.phone_region) for s in bills.sources()} == {
        ("WeChat Pay bill", "CNY", "wechat", "CN"), ("Alipay bill", "CNY", "alipay", "CN"),
        ("Alipay bill (web)", "CNY", "alipay", "CN"), ("JD bill", "CNY", "marketplace", "CN"),
        ("Meituan bill", "CNY", "app", "CN")}


def test_a_header_is_found_below_any_preamble_and_names_its_source():
    rows = [["微信支付账单明细"], ["起始时间：[2025-04-01]"], [],
            ["交易时间", "交易类型", "交易对方", "商品", "收/支", "金额(元)", "支付方式", "当前状态", "交易单号", "商户单号", "备注"]]
    source, index, columns = bills.find_header(rows)
    assert (source.name, index, columns["amount"], columns["order"]) == ("WeChat Pay bill", 3, 5, 8)
    assert bills.find_header([["时间", "金额"], ["2025-04-01", "5"]]) is None


@pytest.mark.parametrize(("cells", "kind", "outcome"), [
    ({"counterparty": "中国移动", "item": "话费充值 100元", "direction": "支出", "status": "支付成功"}, "sim",
     Outcome.credited),
    ({"counterparty": "深圳通", "item": "深圳通充值", "direction": "支出", "status": "充值中"}, "smart", Outcome.pending),
    ({"counterparty": "广东电信", "item": "缴费", "direction": "支出", "status": "交易关闭"}, "sim", Outcome.failed),
    ({"counterparty": "零钱通", "item": "转入零钱通", "direction": "支出", "status": "支付成功"}, None, None),
    ({"counterparty": "示例饭堂", "item": "午餐", "direction": "支出", "status": "支付成功"}, None, None),
    ({"counterparty": "中国移动", "item": "话费充值", "direction": "收入", "status": "支付成功"}, None, None),
])
def test_which_rows_are_top_ups_and_how_they_ended(cells, kind, outcome):
    decision = bills.decide(bills.BillRow(5, cells), _source("WeChat Pay bill"))
    assert (decision.kind, decision.outcome) == (kind, outcome)


def test_a_bills_time_is_in_its_sources_zone_whatever_the_readers():
    now = datetime.now(UTC)
    for text in ("2025/3/14 18:42", "14 March 2025 6:42 pm"):  # a bill's own form, and one for the general reader
        assert bills.moment_of(text, _source("Alipay bill"), now).astimezone(UTC) == datetime(2025, 3, 14, 10, 42,
                                                                                             tzinfo=UTC)


def test_a_bills_time_takes_the_offset_its_zone_had_then_and_a_skipped_one_is_refused():
    london = dataclasses.replace(_source("Alipay bill"), zone=ZoneInfo("Europe/London"))
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC)
    for text in ("2025-07-01 12:00:00", "1 July 2025 12:00"):
        assert bills.moment_of(text, london, winter).astimezone(UTC) == datetime(2025, 7, 1, 11, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="summer time skipped it"):
        bills.moment_of("2025-03-30 01:30:00", london, winter)


@pytest.mark.parametrize(("issuer", "text", "same"), [
    ("中国移动", "广东移动 话费充值", True), ("中国移动", "移动 139****5678 充值", True), ("中國移動", "中国移动", True),
    ("移动", "广东移动", True), ("中国移动", "电信话费100元", False), ("中国电信", "中国联通充值", False),
    ("China Mobile", "广东移动 话费充值", True), ("china telecom", "电信话费100元", True), ("CMCC", "移动 139****5678 充值", True),
    ("China Unicom", "中国移动", False), ("Mobile World", "移动 139****5678 充值", False),
])
def test_a_carrier_is_known_by_any_of_its_names(issuer, text, same):
    assert (carriers.issuer_carrier(issuer) == carriers.carrier(text)) is same


def test_a_number_is_read_by_its_regions_forms():
    masked, whole = phone_in("话费充值-139****5678 100元", "CN"), phone_in("+86 139-1234-5678", "CN")
    assert masked.matches("+8613912345678") and not masked.matches("+8613912345679")
    assert whole.matches("+8613912345678") and str(whole) == "139****5678"
    assert phone_in("13912345678", "HK") is None  # no forms known for the region: nothing is guessed


TRADITIONAL = "交易時間,金額,備註\n2025-03-14 12:05:00,50.00,八達通增值 港鐵站\n2025-04-02 08:30:00,100.00,悠遊卡加值 台北車站\n"
SIMPLIFIED = "交易时间,金额,备注\n2025-03-14 12:05:00,50.00,校园卡充值\n2025-04-02 08:30:00,100.00,话费充值 中国移动\n"


@pytest.mark.parametrize(("text", "codec"), [(TRADITIONAL, "big5hkscs"), (TRADITIONAL, "gb18030"),
                                             (SIMPLIFIED, "gb18030"), (TRADITIONAL, "utf-8"),
                                             (TRADITIONAL, "utf-16")])
def test_a_file_is_read_in_the_encoding_it_is_in(text, codec, tmp_path):
    assert decode(text.encode(codec), tmp_path / "f.csv", None) == text


def test_text_that_reads_two_ways_alike_is_refused_asking_which(tmp_path):
    # Two characters that are common in either reading: nothing tells which the file is.
    data = bytes.fromhex("b0a1b0a2")
    assert data.decode("gb18030") and data.decode("big5hkscs")
    with pytest.raises(InvalidInput, match="--encoding gb18030 .* or --encoding big5"):
        decode(data, tmp_path / "f.csv", None)


def test_a_big5_bank_statement_imports_with_its_text_as_written(topup_ok, tmp_path):
    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK")
    statement = tmp_path / "statement.csv"
    statement.write_bytes(TRADITIONAL.encode("big5hkscs"))
    topup_ok("import", str(statement), "--card", "八達通", "--map", "交易時間=occurred_at", "--map", "金額=amount",
             "--map", "備註=note")
    notes = [record["note"] for record in json.loads(topup_ok("search", "--format", "json").stdout)]
    assert notes == ["悠遊卡加值 台北車站", "八達通增值 港鐵站"]


def test_a_card_takes_the_rows_of_its_carrier_by_any_name(topup_ok, tmp_path):
    topup_ok("card", "add", "mobile", "--kind", "sim", "--region", "CN", "--issuer", "中国移动")
    topup_ok("card", "add", "telecom", "--kind", "sim", "--region", "CN", "--issuer", "中国电信")
    bill = tmp_path / "bill.csv"
    bill.write_text("\n".join([
        "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注",
        "2025-04-06 08:00:00,商户消费,广东移动,话费充值 50元,支出,¥50.00,零钱,支付成功,4200009000000011\t,/\t,/",
        "2025-04-07 08:00:00,商户消费,某充值平台,电信话费100元,支出,¥99.50,零钱,支付成功,4200009000000012\t,/\t,/",
    ]) + "\n", encoding="utf-8")
    topup_ok("import", str(bill), "--card", "mobile")
    placed = {r["ref"]: r["card"] for r in json.loads(topup_ok("search", "--format", "json").stdout)}
    assert placed == {"4200009000000011": "mobile", "4200009000000012": "telecom"}


# JD's bill as its app exports it (我的钱包 → 账单 → 账单导出): the account and totals above the
# header, cells ending in a tab, one cell more than the header on each row, and what a payment got
# back written after its amount.
JD_BILL = """导出信息：
京东账号名：jd_xiaoming
日期区间：2025-03-01 至 2025-03-31
导出交易类型：全部
共：6笔记录
收入：0笔，0.00元
支出：4笔(含1笔部分退款)，288.78元
不计收支：2笔，50.00元

特别提示
1.本明细为每笔订单支付的明细，不包括已删除的记录；
2.个人资金互转、全额退款等记为【不计收支】类，部分退款的支出金额为剔除退款后的支付金额；

交易时间,商户名称,交易说明,金额,收/付款方式,交易状态,收/支,交易分类,交易订单号,商家订单号,备注
2025-03-20 21:05:11	,京东平台商户,小米充电宝 10000mAh 22.5W 移动电源 充电宝,79.00,招商银行信用卡(4523),交易成功,支出,数码,308000000001	,1000300000000001	, ,
2025-03-18 09:12:40	,京东平台商户,中国电信 手机话费充值 100元 133****5678,99.80,京东白条,交易成功,支出,充值缴费,308000000002	,1000300000000002	, ,
2025-03-15 12:30:02	,京东平台商户,退款-中国移动 手机话费充值 50元 139****5678,50.00,钱包余额,退款成功,不计收支,网购,308000000003	,1000300000000003	, ,
2025-03-15 12:00:45	,京东平台商户,中国移动 手机话费充值 50元 139****5678,50.00(已全额退款),钱包余额,交易成功,不计收支,充值缴费,308000000003	,1000300000000003	, ,
2025-03-10 08:00:00	,京东平台商户,中国移动 手机话费充值 100元 139****5678,99.99(已退款49.99),钱包余额,交易成功,支出,充值缴费,308000000004	,1000300000000004	, ,
2025-03-02 19:45:30	,京东物流,京东物流,10.00,钱包余额,交易成功,支出,收发快递,JDX308000000005	,1000300000000005	, ,
"""

# Meituan's bill as its app exports it: a preamble with quoted empty lines, no status and no
# counterparty column, amounts with ¥, refunds (收入) and repayments of its credit (还款) as rows.
MEITUAN_BILL = """美团交易账单明细
美团用户名：[xiaoming_mt]
起始时间：[2025-03-01] 终止时间：[2025-03-31]
导出交易类型：[全部]
导出时间：[2025-04-01 10:00:00]
""
共：5笔记录
支出：4笔 226.10元
收入：1笔 20.00元
""
特别提示：
1. 本明细与实际交易结果不符时，以实际交易情况为准
""
【美团交易账单明细列表】
交易创建时间,交易成功时间,交易类型,订单标题,收/支,支付方式,订单金额,实付金额,交易单号,商家单号,备注
2025-03-28 12:10:03,2025-03-28 12:10:09,支付,杨铭宇黄焖鸡米饭（科技园店） 订单详情,支出,微信支付,¥25.80,¥22.80,"25032811100400000000000000000001	","0_2200000000000001	",/
2025-03-26 08:30:00,2025-03-26 08:30:05,支付,中国电信话费充值100元 133****5678,支出,美团月付,¥100.00,¥99.50,"25032611100400000000000000000002	","1KUH0000000002	",/
2025-03-22 07:04:17,2025-03-22 07:04:18,退款,【爆款回归】葡式蛋挞6只,收入,中国银行信用卡(1875),¥20.00,¥20.00,"2503220100000000003	","4981000000000000003	",/
2025-03-12 20:59:12,2025-03-12 20:59:20,还款,【美团月付】主动还款2025年3月账单,支出,中国银行储蓄卡(3147),¥48.14,¥48.12,"25031211100400000000000000000004	","2503122059000000004	",/
2025-03-05 18:00:00,2025-03-05 18:00:02,支付,中国移动话费充值50元 139****5678,支出,美团余额,¥50.00,¥50.00,"25030511100400000000000000000005	","1KUH0000000005	",/
"""


def _two_phones(topup_ok) -> None:
    topup_ok("card", "add", "主号", "--kind", "sim", "--region", "CN", "--issuer", "中国移动",
             "--number", "13912345678")
    topup_ok("card", "add", "电信号", "--kind", "sim", "--region", "CN", "--issuer", "中国电信",
             "--number", "13300005678")


def _records(topup_ok) -> list[tuple[str, ...]]:
    found = json.loads(topup_ok("search", "--format", "json").stdout)
    return sorted((r["card"], r["amount"], r["paid"], r["outcome"], r["channel"], r["paid_with"], r["ref"])
                  for r in found)


def test_a_jd_bill_brings_in_its_phone_top_ups_each_on_the_card_it_names(topup_ok, topup, tmp_path, ledger_path):
    _two_phones(topup_ok)
    bill = tmp_path / "jd.csv"
    bill.write_text(JD_BILL, encoding="utf-8-sig")
    before = table_dump(ledger_path)
    mapped = topup("import", str(bill), "--map", "交易时间=occurred_at", "--map", "金额=amount", "--card", "主号")
    assert mapped.exit_code == 1 and "is a JD bill as downloaded: import it without --map" in mapped.stderr
    assert table_dump(ledger_path) == before
    done = topup_ok("import", str(bill), "--card", "主号")
    assert "JD bill: read 6 row(s); added 2 top-up(s)" in done.stderr
    # Not the power bank, the parcel, nor the top-up given back whole; the telecom number's top-up on
    # the telecom card although --card names the mobile one; a part given back leaves a top-up credited.
    assert _records(topup_ok) == [
        ("主号", "100.00", "99.99", "credited", "marketplace", "钱包余额", "308000000004"),
        ("电信号", "100.00", "99.80", "credited", "marketplace", "京东白条", "308000000002")]
    assert "added 0 top-up(s)" in topup_ok("import", str(bill)).stderr


def test_a_meituan_bill_brings_in_its_phone_top_ups_and_not_its_meals(topup_ok, topup, tmp_path, ledger_path):
    _two_phones(topup_ok)
    bill = tmp_path / "美团账单(20250301-20250331).csv"
    bill.write_text(MEITUAN_BILL, encoding="utf-8-sig")
    mapped = topup("import", str(bill), "--map", "交易成功时间=occurred_at", "--map", "实付金额=amount",
                   "--card", "主号")
    assert mapped.exit_code == 1 and "is a Meituan bill as downloaded" in mapped.stderr
    rows = json.loads(topup_ok("import", str(bill), "--card", "主号", "--dry-run", "--format", "json").stdout)
    assert [(row["item"][:6], row["decision"]) for row in rows] == [
        ("杨铭宇黄焖鸡", "skipped"), ("中国电信话费", "added"), ("【爆款回归】", "skipped"), ("【美团月付】", "skipped"),
        ("中国移动话费", "added")]
    done = topup_ok("import", str(bill), "--card", "主号")
    assert "Meituan bill: read 5 row(s); added 2 top-up(s)" in done.stderr
    assert _records(topup_ok) == [
        ("主号", "50.00", "50.00", "credited", "app", "美团余额", "25030511100400000000000000000005"),
        ("电信号", "100.00", "99.50", "credited", "app", "美团月付", "25032611100400000000000000000002")]
    (telecom,) = json.loads(topup_ok("search", "--card", "电信号", "--format", "json").stdout)
    assert telecom["occurred_at"].startswith("2025-03-26T08:30:05") and telecom["merchant"] is None


HK_LAYOUT = '''"""A test layout: a Hong Kong wallet's statement, in Hong Kong dollars, saved in Big5."""

from datetime import timedelta, timezone

from ledger.domain.values import Outcome
from ledger.sources.bills.source import BillSource

SOURCE = BillSource(
    name="Demo HK wallet statement", channel="app", currency="HKD", zone=timezone(timedelta(hours=8)),
    encodings=("utf-8-sig", "big5hkscs"),
    columns={"time": ("Date/Time",), "counterparty": ("Merchant",), "item": ("Description",),
             "direction": ("Type",), "amount": ("Amount (HKD)",), "status": ("Status",), "order": ("Ref No.",)},
    statuses=((("Completed",), Outcome.credited), (("Processing",), Outcome.pending)),
    paid_out=("Payment",), refund_words=("Refund",), phone_region="HK")
'''


def test_a_source_added_as_one_module_imports_its_bills(tmp_path):
    copy = tmp_path / "package"
    shutil.copytree(ROOT / "ledger", copy / "ledger", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "ledger" / "sources" / "bills" / "layouts" / "demo_hk.py").write_text(HK_LAYOUT, encoding="utf-8")
    statement = tmp_path / "statement.csv"
    # Big5 bytes read as GB18030 too (as other characters): the header, found either way, is this
    # source's only in an encoding it declares.
    statement.write_text("Demo wallet, statement of April\n\n"
                         "Date/Time,Merchant,Description,Type,Amount (HKD),Status,Ref No.\n"
                         "2025-04-06 08:00:00,港鐵,八達通增值,Payment,200.00,Completed,HK0001\n"
                         "2025-04-06 09:00:00,茶餐廳,午餐,Payment,58.00,Completed,HK0002\n", encoding="big5hkscs")
    statement.read_bytes().decode("gb18030")  # the test means something only if it does
    env = {**os.environ, "PYTHONPATH": str(copy), "TOPUP_DB": str(tmp_path / "l.db"), "TZ": "Europe/London"}

    def topup(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ledger", *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=120)

    assert topup("card", "add", "Octopus", "--kind", "smart", "--region", "HK").returncode == 0
    imported = topup("import", str(statement))
    assert imported.returncode == 0 and "Demo HK wallet statement: read 2 row(s); added 1 top-up(s)" in imported.stderr
    (record,) = json.loads(topup("search", "--format", "json").stdout)
    assert (record["amount"], record["currency"], record["channel"], record["ref"]) == ("200.00", "HKD", "app",
                                                                                       "HK0001")
    assert record["merchant"] == "港鐵" and "八達通增值" in record["note"]
    assert record["occurred_at"] == "2025-04-06T01:00:00+01:00"  # 08:00 in Hong Kong, read in London
