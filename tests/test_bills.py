"""`topup import BILL`: WeChat Pay and Alipay bills as downloaded, with invented names and numbers."""

import json
import shlex

import pytest

from tests.conftest import run_process, table_dump

WECHAT_PREAMBLE = [
    "微信支付账单明细", "微信昵称：[示例用户]", "起始时间：[2025-03-01 00:00:00] 终止时间：[2025-03-31 23:59:59]",
    "导出类型：[全部]", "导出时间：[2025-04-01 09:00:00]", "", "共7笔记录", "收入：1笔 20.00元", "支出：5笔 1184.50元",
    "中性交易：1笔 500.00元", "注：", "1. 充值/提现/理财通购买/零钱通存取/信用卡还款等交易，将计入中性交易",
    "2. 本明细仅展示当前账单中的交易，不包括已删除的记录", "3. 本明细仅供个人对账使用", "",
    "----------------------微信支付账单明细列表--------------------",
]
WECHAT_HEADER = ["交易时间", "交易类型", "交易对方", "商品", "收/支", "金额(元)", "支付方式", "当前状态", "交易单号",
                 "商户单号", "备注"]
# (cells, what becomes of the row)
WECHAT_ROWS = [
    (["2025-03-14 18:42:07", "商户消费", "中国移动", "话费充值-139****5678 100元", "支出", "¥99.50", "零钱",
      "支付成功", "4200001234202503141842\t", "MO202503141842\t", "/"], "added"),
    (["2025-03-15 12:01:00", "商户消费", "示例餐厅", "午餐", "支出", "¥35.00", "零钱", "支付成功",
      "4200001234202503151201\t", "/\t", "/"], "skipped"),
    (["2025-03-16 09:00:00", "转账", "房东", "转账备注:房租", "支出", "¥1,000.00", "招商银行(1234)", "朋友已收钱",
      "1000050001202503160900\t", "/\t", "/"], "skipped"),
    (["2025-03-17 20:00:00", "微信红包", "朋友", "/", "收入", "¥20.00", "/", "已存入零钱",
      "1000039901202503172000\t", "/\t", "/"], "skipped"),
    (["2025-03-18 10:00:00", "零钱充值", "招商银行(1234)", "/", "/", "¥500.00", "招商银行(1234)", "充值完成",
      "1000039901202503181000\t", "/\t", "/"], "skipped"),
    (["2025-03-19 08:30:00", "商户消费", "深圳通", "深圳通充值", "支出", "¥50.00", "零钱", "已全额退款",
      "4200001234202503190830\t", "SZT0319\t", "/"], "added"),
    (["2025-03-20 07:55:00", "商户消费", "示例公交", "羊城通充值", "支出", "¥30.00", "零钱", "支付成功",
      "4200001234202503200755\t", "YCT0320\t", "/"], "not placed"),
]


def _csv_line(cells: list[str]) -> str:
    return ",".join(f'"{cell}"' if "," in cell else cell for cell in cells)


def wechat_csv(*, bom: bool = True, yuan_sign: bool = True, extra_preamble: bool = False) -> bytes:
    preamble = WECHAT_PREAMBLE[:5] + (["账单来源：[微信支付]"] if extra_preamble else []) + WECHAT_PREAMBLE[5:]
    rows = [[cell.replace("¥", "") if not yuan_sign else cell for cell in cells] for cells, _ in WECHAT_ROWS]
    lines = [line + "," * 10 for line in preamble] + [_csv_line(WECHAT_HEADER)] + [_csv_line(r) for r in rows]
    return ("\ufeff" if bom else "").encode() + ("\n".join(lines) + "\n").encode()


def wechat_xlsx(path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in WECHAT_PREAMBLE:
        sheet.append([line])
    sheet.append(WECHAT_HEADER)
    for cells, _ in WECHAT_ROWS:
        sheet.append([cell.replace("\t", "") for cells_cell in [cells] for cell in cells_cell])
    book.save(path)


@pytest.fixture
def cards(topup_ok):
    topup_ok("card", "add", "我的手机", "--kind", "sim", "--region", "CN", "--number", "13912345678")
    topup_ok("card", "add", "深圳通", "--kind", "smart", "--currency", "CNY")


def _records(topup_ok) -> list[tuple]:
    found = json.loads(topup_ok("search", "--format", "json").stdout)
    return sorted((r["card"], r["amount"], r["paid"], r["outcome"], r["channel"], r["ref"], r["merchant"],
                   r["occurred_at"][:16]) for r in found)


EXPECTED = [
    ("我的手机", "100.00", "99.50", "credited", "wechat", "4200001234202503141842", "中国移动", "2025-03-14T18:42"),
    ("深圳通", "50.00", "50.00", "refunded", "wechat", "4200001234202503190830", "深圳通", "2025-03-19T08:30"),
]


@pytest.mark.parametrize("variant", ["with BOM", "without BOM", "2026: a line more, no ¥", "xlsx"])
def test_a_wechat_bill_as_downloaded_adds_its_top_ups_and_only_those(topup_ok, cards, tmp_path, variant):
    path = tmp_path / ("bill.xlsx" if variant == "xlsx" else "bill.csv")
    if variant == "xlsx":
        wechat_xlsx(path)
    else:
        path.write_bytes(wechat_csv(bom=variant == "with BOM", yuan_sign="¥" not in variant,
                                    extra_preamble="line more" in variant))
    listed = json.loads(topup_ok("import", str(path), "--dry-run", "--format", "json").stdout)
    assert [row["decision"] for row in listed] == [decision for _, decision in WECHAT_ROWS]
    assert _records(topup_ok) == []
    done = topup_ok("import", str(path))
    assert "read 7 row(s); added 2 top-up(s); skipped 4 that are not top-ups and 0 already in the ledger; " \
           "1 not placed" in done.stderr
    assert "topup card add 羊城通 --kind smart --currency CNY" in done.stderr
    assert _records(topup_ok) == EXPECTED
    again = topup_ok("import", str(path))
    assert "added 0 top-up(s)" in again.stderr and "2 already in the ledger" in again.stderr
    topup_ok("card", "add", "羊城通", "--kind", "smart", "--currency", "CNY")
    placed = topup_ok("import", str(path))
    assert "added 1 top-up(s)" in placed.stderr and "0 not placed" in placed.stderr


ALIPAY_HEADER = ["交易时间", "交易分类", "交易对方", "对方账号", "商品说明", "收/支", "金额", "收/付款方式", "交易状态",
                 "交易订单号", "商家订单号", "备注"]
ALIPAY_ROWS = [
    ["2025-03-10 10:00:00", "充值缴费", "中国联通", "/", "话费充值 100元", "支出", "99.80", "余额宝", "交易成功",
     "2025031022001400001\t", "UN0310\t", ""],
    ["2025-03-11 12:30:00", "餐饮美食", "示例炸鸡", "kfc***@example.com", "套餐", "支出", "45.00", "花呗", "交易成功",
     "2025031122001400002\t", "KF0311\t", ""],
    ["2025-03-12 18:21:50", "交通出行", "一卡通", "fin***@example.com", "一卡通充值", "支出", "50.00", "余额宝",
     "交易关闭", "2025031222001400003\t", "D12*****14\t", ""],
    ["2025-03-12 18:22:28", "退款", "一卡通", "fin***@example.com", "退款-一卡通充值", "不计收支", "50.00", "余额宝",
     "退款成功", "2025031222001400003_2025031200001\t", "D12*****14\t", ""],
    ["2025-03-13 09:00:00", "转账红包", "朋友", "f***@example.com", "转账", "收入", "88.00", "余额", "交易成功",
     "2025031322001400005\t", "\t", ""],
]


def alipay_csv() -> bytes:
    preamble = ["-" * 60, "导出信息：", "姓名：示例", "支付宝账户：demo@example.com",
                "起始时间：[2025-03-01 00:00:00]    终止时间：[2025-03-31 23:59:59]", "导出交易类型：[全部]",
                "导出时间：[2025-04-01 09:00:00]", "共5笔记录", "收入：1笔 88.00元", "支出：3笔 194.80元",
                "不计收支：1笔 50.00元", "", "特别提示：", "1.本回单仅供个人对账使用；", "",
                "-" * 24 + "支付宝（中国）网络技术有限公司  电子客户回单" + "-" * 24]
    padded = [",".join(f"{cell:<20}" for cell in row) + "," for row in [ALIPAY_HEADER, *ALIPAY_ROWS]]
    return ("\n".join(preamble + padded) + "\n").encode("gb18030")


def test_an_alipay_bill_in_gbk_settles_a_closed_top_up_with_its_refund(topup_ok, tmp_path):
    topup_ok("card", "add", "联通卡", "--kind", "sim", "--region", "CN", "--issuer", "中国联通")
    topup_ok("card", "add", "一卡通", "--kind", "smart", "--currency", "CNY")
    path = tmp_path / "alipay.csv"
    path.write_bytes(alipay_csv())
    listed = json.loads(topup_ok("import", str(path), "--dry-run", "--format", "json").stdout)
    assert [row["decision"] for row in listed] == ["added", "skipped", "added", "skipped", "skipped"]
    table = run_process("import", str(path), "--dry-run", "--format", "text", env={"COLUMNS": "120"}).stdout
    assert table.splitlines()[0].split()[5] == "outcome" and "refunded" in table.splitlines()[3]
    topup_ok("import", str(path))
    assert _records(topup_ok) == [
        ("一卡通", "50.00", "50.00", "refunded", "alipay", "2025031222001400003", "一卡通", "2025-03-12T18:21"),
        ("联通卡", "100.00", "99.80", "credited", "alipay", "2025031022001400001", "中国联通", "2025-03-10T10:00"),
    ]


def test_a_top_up_logged_by_hand_is_found_already_there(topup_ok, cards, tmp_path):
    topup_ok("log", "我的手机", "100", "--at", "2025-03-14 18:40", "--channel", "微信")
    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_csv())
    done = topup_ok("import", str(path))
    assert "added 1 top-up(s)" in done.stderr and "1 already in the ledger" in done.stderr
    assert len(json.loads(topup_ok("search", "--format", "json").stdout)) == 2


def test_card_takes_only_rows_of_its_kind_that_name_no_other_card(topup_ok, tmp_path):
    topup_ok("card", "add", "交通卡", "--kind", "smart", "--currency", "CNY")
    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_csv())
    done = topup_ok("import", str(path), "--card", "交通卡")
    assert "added 0 top-up(s)" in done.stderr and "3 not placed" in done.stderr
    assert "topup card edit 交通卡 --issuer 深圳通  # if the 深圳通 top-ups are this card's" in done.stderr
    topup_ok("card", "edit", "交通卡", "--issuer", "深圳通")
    again = topup_ok("import", str(path), "--card", "交通卡")
    assert "added 1 top-up(s)" in again.stderr and "2 not placed" in again.stderr  # not the phone's, not 羊城通's
    assert {r["card"] for r in json.loads(topup_ok("search", "--format", "json").stdout)} == {"交通卡"}


def test_a_file_of_no_known_layout_is_refused_saying_what_is_known(tmp_path, ledger_path, topup_ok):
    topup_ok("card", "add", "c", "--kind", "smart")
    path = tmp_path / "other.csv"
    path.write_text("日期,金額,說明\n2025-03-01,100,something\n", encoding="utf-8")
    before = table_dump(ledger_path)
    refused = run_process("import", str(path))
    assert refused.returncode == 1 and refused.stderr.startswith("error: ")
    assert "WeChat Pay, Alipay, JD or Meituan bill" in refused.stderr and "--map" in refused.stderr
    assert table_dump(ledger_path) == before


ALIPAY_WEB = """支付宝交易记录明细查询
账号:[demo@example.com]
起始日期:[2016-03-01 00:00:00]    终止日期:[2016-03-31 23:59:59]
---------------------------------交易记录明细列表------------------------------------
交易号                  ,商家订单号               ,交易创建时间              ,付款时间                ,最近修改时间              ,交易来源地     ,类型              ,交易对方            ,商品名称                ,金额（元）   ,收/支     ,交易状态    ,服务费（元）   ,成功退款（元）  ,备注                  ,资金状态     ,
2016031521001004000001  ,T0315001            ,2016-03-15 08:00:01 ,2016-03-15 08:00:05 ,2016-03-15 08:00:05 ,其他（包括阿里巴巴和外部商家）,即时到账交易          ,中国电信            ,手机充值 50元              ,49.90   ,支出      ,交易成功    ,0.00     ,0.00     ,                    ,已支出      ,
2016031621001004000002  ,T0316002            ,2016-03-16 12:00:00 ,2016-03-16 12:00:03 ,2016-03-16 12:00:03 ,其他（包括阿里巴巴和外部商家）,即时到账交易          ,示例书店            ,一本书                ,30.00   ,支出      ,交易成功    ,0.00     ,0.00     ,                    ,已支出      ,
------------------------------------------------------------------------------------
共2笔记录
已收入:0笔,0.00元
待收入:0笔,0.00元
已支出:2笔,79.90元
待支出:0笔,0.00元
导出时间:[2016-04-01 10:00:00]    用户:示例
"""


def test_an_alipay_web_bill_with_its_footer(topup_ok, tmp_path):
    topup_ok("card", "add", "电信卡", "--kind", "sim", "--region", "CN", "--issuer", "中国电信")
    path = tmp_path / "alipay-web.csv"
    path.write_bytes(ALIPAY_WEB.encode("gb18030"))
    done = topup_ok("import", str(path))
    assert "Alipay bill (web): read 2 row(s); added 1 top-up(s); skipped 1 that are not top-ups" in done.stderr
    assert _records(topup_ok) == [
        ("电信卡", "50.00", "49.90", "credited", "alipay", "2016031521001004000001", "中国电信", "2016-03-15T08:00")]


def test_a_csv_named_with_record_fields_and_the_json_export_import_without_a_map(topup_ok, tmp_path, ledger_path):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    named = tmp_path / "named.csv"
    named.write_text("Card,Amount,Occurred At,Reference,Note\ncampus,30,2025-05-01 08:00,R1,早餐卡\n", encoding="utf-8")
    topup_ok("import", str(named))
    exported = tmp_path / "all.json"
    exported.write_text(topup_ok("export", "--format", "json").stdout, encoding="utf-8")
    assert "would add 0 record(s), 1 already in the ledger" in topup_ok("import", str(exported), "--dry-run").stderr
    elsewhere = tmp_path / "other.db"
    result = run_process("--db", str(elsewhere), "import", str(exported))
    assert result.returncode == 0 and "created card(s) campus" in result.stderr
    copied = json.loads(run_process("--db", str(elsewhere), "search", "--format", "json").stdout)
    assert [(r["card"], r["amount"], r["ref"], r["note"]) for r in copied] == [("campus", "30.00", "R1", "早餐卡")]


def test_card_never_takes_a_top_up_for_another_number(topup_ok, tmp_path):
    topup_ok("card", "add", "other-phone", "--kind", "sim", "--region", "CN", "--number", "13800000000")
    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_csv())
    done = topup_ok("import", str(path), "--card", "other-phone")
    assert "added 0 top-up(s)" in done.stderr and "3 not placed" in done.stderr
    assert "--number YOUR_NUMBER  # the one the bill shows as 139****5678" in done.stderr


EXCEL_SAVED = [  # as a spreadsheet saves a bill again: GBK, CRLF, no padding, order numbers as 4.2E+27
    "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注",
    "2026/10/30 20:01,商户消费,中国移动,话费充值-139****5678 100元,支出,￥99.50,零钱,已全额退款,4.2E+27,4.2E+27,/",
    "2026/10/30 20:05,商户消费,中国移动,话费充值-139****5678 10元,支出,￥10.00,零钱,支付成功,4.2E+27,4.2E+27,/",
    '2026/10/30 21:05,商户消费,中国移动,"话费充值-139****5678 1,000元",支出,"￥1,000.00",零钱,支付成功,4.2E+27,4.2E+27,/',
    "2026/10/31 08:00,商户消费,中国移动,话费充值-139****5678 50元,支出,￥50.00,零钱,已退款(￥20.00),4.2E+27,4.2E+27,/",
    "2026/10/31 09:00,商户消费,怪兽充电,深圳通站充电宝租借,支出,￥4.00,零钱,支付成功,4.2E+27,4.2E+27,/",
]


def test_a_bill_saved_again_by_a_spreadsheet_loses_no_top_up(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/London")  # the bill's times are China's, wherever it is read
    path = tmp_path / "saved.csv"
    path.write_bytes(("\r\n".join(EXCEL_SAVED) + "\r\n").encode("gbk"))
    assert run_process("card", "add", "移动", "--kind", "sim", "--region", "CN", "--number", "13912345678").returncode == 0
    done = run_process("import", str(path))
    assert done.returncode == 0 and "added 4 top-up(s)" in done.stderr and "rewritten by a spreadsheet" in done.stderr
    found = json.loads(run_process("search", "--format", "json").stdout)
    assert sorted((r["amount"], r["paid"], r["outcome"], r["ref"], r["occurred_at"][:16]) for r in found) == [
        ("10.00", "10.00", "credited", None, "2026-10-30T12:05"),
        ("100.00", "99.50", "refunded", None, "2026-10-30T12:01"),
        ("1000.00", "1000.00", "credited", None, "2026-10-30T13:05"),
        ("50.00", "50.00", "credited", None, "2026-10-31T00:00"),  # 20 of 50 came back: the top-up went through
    ]
    assert "added 0 top-up(s)" in run_process("import", str(path)).stderr


def test_a_record_with_the_order_number_counts_whenever_and_however_it_stands(topup_ok, cards, tmp_path):
    topup_ok("log", "我的手机", "100", "--at", "2025-06-01 08:00", "--ref", "4200001234202503141842")
    topup_ok("log", "深圳通", "50", "--at", "2025-03-19 08:30", "--ref", "4200001234202503190830")
    topup_ok("void", "2", "--reason", "logged on the wrong day")
    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_csv())
    done = topup_ok("import", str(path))
    assert "added 0 top-up(s)" in done.stderr and "2 already in the ledger" in done.stderr


def test_a_hand_logged_top_up_is_paired_with_the_row_like_it(topup_ok, cards, tmp_path):
    topup_ok("log", "我的手机", "100", "--paid", "99.50", "--at", "2025-03-14 18:45")
    topup_ok("log", "深圳通", "50", "--outcome", "pending", "--at", "2025-03-19 08:31")
    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_csv())
    assert "2 already in the ledger" in topup_ok("import", str(path)).stderr


def test_card_settles_a_row_two_cards_answer_to(topup_ok, cards, tmp_path):
    topup_ok("card", "add", "妈妈的卡", "--kind", "smart", "--currency", "CNY", "--issuer", "深圳通")
    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_csv())
    assert "it could be any of cards" in topup_ok("import", str(path), "--dry-run").stdout
    topup_ok("import", str(path), "--card", "妈妈的卡")
    assert {r["card"] for r in json.loads(topup_ok("search", "--format", "json").stdout)} == {"我的手机", "妈妈的卡"}


def test_the_dry_run_table_fits_80_columns_and_keeps_card_labels_whole(topup_ok, cards, tmp_path):
    import unicodedata

    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_csv())
    table = run_process("import", str(path), "--dry-run", "--format", "table").stdout.splitlines()

    def width(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    assert len(table) == 1 + len(WECHAT_ROWS) and max(width(line) for line in table) <= 80
    assert "我的手机" in table[1] and "深圳通" in table[6]


def _bill(tmp_path, *rows: tuple[str, str, str, str, str, str], name: str = "small.csv") -> str:
    """A WeChat Pay bill of (time, counterparty, item, amount, status, order number) rows."""
    cells = [[at, "商户消费", who, item, "支出", amount, "零钱", status, f"{order}\t", "/\t", "/"]
             for at, who, item, amount, status, order in rows]
    path = tmp_path / name
    path.write_text("\n".join([*WECHAT_PREAMBLE, _csv_line(WECHAT_HEADER), *map(_csv_line, cells)]) + "\n",
                    encoding="utf-8")
    return str(path)


def test_a_record_the_bill_tells_otherwise_gets_the_amend_line_that_settles_it(topup_ok, cards, tmp_path):
    topup_ok("log", "深圳通", "50", "--at", "2025-03-19 08:30", "--ref", "4200001234202503190830")
    topup_ok("log", "我的手机", "100", "--paid", "99.50", "--outcome", "pending", "--at", "2025-03-14 18:43")
    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_csv())
    done = topup_ok("import", str(path))
    assert "2 already in the ledger" in done.stderr
    told = [line.strip() for line in done.stderr.splitlines() if "topup amend" in line]
    assert [line.split(": topup")[0] for line in told] == [
        "record 2: it says pending, the bill credited; the bill gives its order number; the bill gives what paid "
        "for it",
        "record 1: it says credited, the bill refunded; the bill gives what paid for it"]
    for line in told:
        topup_ok(*shlex.split(line.split(": topup ", 1)[1]))
    found = {r["id"]: (r["outcome"], r["paid_with"]) for r in json.loads(topup_ok("search", "--format", "json").stdout)}
    assert found[1] == ("refunded", "零钱") and found[2] == ("credited", "零钱")
    assert "topup amend" not in topup_ok("import", str(path)).stderr


def test_a_sim_kept_without_its_number_is_not_given_someone_elses_top_up(topup_ok, tmp_path):
    topup_ok("card", "add", "手机", "--kind", "sim", "--region", "CN")
    bill = _bill(tmp_path, ("2025-03-14 18:42:07", "中国移动", "话费充值-139****5678 100元", "¥99.50", "支付成功", "42001"))
    done = topup_ok("import", bill, "--card", "手机")
    assert "added 0 top-up(s)" in done.stderr and "1 not placed" in done.stderr
    assert "to place the rest: topup card edit 手机 --number YOUR_NUMBER  # the one the bill shows as 139****5678" \
        in done.stderr
    pasted = run_process(*shlex.split("card edit 手机 --number YOUR_NUMBER  # the one…", comments=True))
    assert pasted.returncode == 1 and pasted.stderr.startswith("error: ")  # a placeholder is no number
    topup_ok("card", "edit", "手机", "--number", "13912345678")
    assert "added 1 top-up(s)" in topup_ok("import", bill).stderr


def test_rows_the_bill_gives_only_in_part_are_left_to_log_by_hand_and_the_rest_go_in(topup_ok, cards, tmp_path):
    topup_ok("card", "add", "鹭岛通", "--kind", "smart", "--currency", "CNY")  # a card the table does not know
    bill = _bill(tmp_path,
                 ("2025-03-01 08:00:00", "中国移动", "话费充值100元（实付98元）", "¥98.00", "支付成功", "42001"),
                 ("2025-03-02 08:00:00", "中国移动", "话费充值-139****5678 10元", "¥0.00", "支付成功", "42002"),
                 ("2025-03-03 08:00:00", "中国移动", "话费充值-139****5678 30元", "¥30.00", "已冻结", "42003"),
                 ("2025-03-04 08:00:00", "示例公交", "鹭岛通充值", "¥20.00", "支付成功", "42004"))
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json", "--card", "我的手机").stdout)
    assert [row["decision"] for row in listed] == ["added", "not added", "not added", "added"]
    assert "log it by hand" in listed[1]["why"] and "'已冻结' is not understood" in listed[2]["why"]
    tried = topup_ok("import", bill, "--dry-run", "--format", "json", "--card", "我的手机").stderr
    assert "WeChat Pay bill: read 4 row(s); would add 2 top-up(s); skipped 0 that are not top-ups and 0 already in " \
           "the ledger; 0 not placed; 2 to log by hand (see --dry-run)\n" in tried
    done = topup_ok("import", bill, "--card", "我的手机")
    assert "read 4 row(s); added 2 top-up(s); skipped 0 that are not top-ups and 0 already in the ledger; " \
           "0 not placed; 2 to log by hand" in done.stderr
    assert [(r[0], r[1], r[2]) for r in _records(topup_ok)] == [("我的手机", "100.00", "98.00"),
                                                                 ("鹭岛通", "20.00", "20.00")]


def test_a_card_kept_in_another_currency_gets_the_log_line_for_what_it_was_credited(topup_ok, tmp_path):
    topup_ok("card", "add", "八达通", "--kind", "smart", "--currency", "HKD")
    bill = _bill(tmp_path, ("2025-03-05 09:10:00", "八达通", "八达通增值", "¥92.00", "支付成功", "42005"))
    done = topup_ok("import", bill)
    line = "topup log 八达通 HKD_AMOUNT --channel wechat --at '2025-03-05 09:10:00+08:00' --ref 42005 " \
        "--paid-with 零钱 --outcome credited"
    assert "1 not placed" in done.stderr and f"to place the rest: {line}  # HKD_AMOUNT: what" in done.stderr
    pasted = run_process(*shlex.split(line, comments=True)[1:])
    assert pasted.returncode == 1 and "HKD_AMOUNT" in pasted.stderr  # a placeholder is refused, never misread
    topup_ok(*shlex.split(line.replace("HKD_AMOUNT", "100"))[1:])
    assert "1 already in the ledger" in topup_ok("import", bill).stderr
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json").stdout)
    assert (listed[0]["decision"], listed[0]["card"], listed[0]["why"]) == \
        ("already in the ledger", "八达通", "record 1 on card '八达通'")


def test_a_whole_phone_number_must_be_the_cards_whole_number(topup_ok, tmp_path):
    topup_ok("card", "add", "mine", "--kind", "sim", "--region", "CN", "--number", "13912345678")
    bill = _bill(tmp_path,
                 ("2025-04-01 08:00:00", "中国移动", "话费充值-13900005678 50元", "¥50.00", "支付成功", "42101"),
                 ("2025-04-02 08:00:00", "中国移动", "话费充值-13912345678 30元", "¥30.00", "支付成功", "42102"))
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json").stdout)
    assert [(row["decision"], row["card"]) for row in listed] == [("not placed", None), ("added", "mine")]


def test_which_rows_are_phone_or_card_top_ups_and_what_places_the_rest(topup_ok, cards, tmp_path):
    bill = _bill(tmp_path,
                 ("2025-04-01 08:00:00", "抖音", "DOU+流量包", "¥100.00", "支付成功", "43001"),
                 ("2025-04-01 09:00:00", "快手", "快手粉条流量包", "¥30.00", "支付成功", "43002"),
                 ("2025-04-01 10:00:00", "中国移动", "话费券", "¥5.00", "支付成功", "43003"),
                 ("2025-04-01 11:00:00", "中国移动", "充值-139****5678 100元", "¥99.00", "支付成功", "43004"),
                 ("2025-04-01 12:00:00", "中国联通", "联通充值 50元", "¥50.00", "支付成功", "43005"),
                 ("2025-04-01 13:00:00", "京东", "中国电信话费充值 100元", "¥100.00", "支付成功", "43006"),
                 ("2025-04-01 14:00:00", "饭堂", "校园卡充值", "¥40.00", "支付成功", "43007"),
                 ("2025-04-01 15:00:00", "示例商户", "octopus 增值", "¥92.00", "支付成功", "43008"))
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json").stdout)
    assert [row["decision"] for row in listed] == ["skipped"] * 3 + ["added"] + ["not placed"] * 4
    assert listed[3]["card"] == "我的手机" and (listed[3]["amount"], listed[3]["paid"]) == ("100.00", "99.00")
    done = topup_ok("import", bill)
    placing = [line.split(": ", 1)[1] for line in done.stderr.splitlines() if "to place the rest" in line]
    assert placing == ["topup card add LABEL --kind sim --region CN --issuer 中国联通",
                       "topup card add LABEL --kind sim --region CN --issuer 中国电信",
                       "topup card add 校园卡 --kind smart --currency CNY",
                       "topup card add 八达通 --kind smart --currency HKD"]
    topup_ok(*shlex.split(placing[0].replace("LABEL", "联通卡"))[1:])
    assert "added 1 top-up(s)" in topup_ok("import", bill).stderr


def test_a_refund_row_that_gives_all_back_refunds_a_successful_top_up(topup_ok, tmp_path):
    topup_ok("card", "add", "联通卡", "--kind", "sim", "--region", "CN", "--issuer", "中国联通")
    rows = [
        ["2025-05-01 10:00:00", "充值缴费", "中国联通", "/", "话费充值 100元", "支出", "99.80", "余额宝", "交易成功",
         "2025050122001400001\t", "UN0501\t", ""],
        ["2025-05-01 12:00:00", "退款", "中国联通", "/", "退款-话费充值 100元", "不计收支", "99.80", "余额宝", "退款成功",
         "2025050122001400001_R1\t", "UN0501\t", ""],
        ["2025-05-02 10:00:00", "充值缴费", "中国联通", "/", "话费充值 50元", "支出", "50.00", "余额宝", "交易成功",
         "2025050222001400002\t", "UN0502\t", ""],
        ["2025-05-02 12:00:00", "退款", "中国联通", "/", "退款-话费充值 50元", "不计收支", "20.00", "余额宝", "退款成功",
         "2025050222001400002_R1\t", "UN0502\t", ""],
    ]
    path = tmp_path / "alipay.csv"
    path.write_bytes(("\n".join(",".join(row) for row in [ALIPAY_HEADER, *rows]) + "\n").encode("gb18030"))
    done = topup_ok("import", str(path))
    assert "skipped 0 that are not top-ups, 2 refund(s) settled with their top-ups" in done.stderr
    assert [(r[1], r[3]) for r in _records(topup_ok)] == [("100.00", "refunded"), ("50.00", "credited")]


def test_an_order_number_already_on_another_card_is_that_top_up(topup_ok, cards, tmp_path):
    topup_ok("card", "add", "other", "--kind", "sim", "--region", "CN")
    topup_ok("log", "other", "100", "--ref", "4200001234202503141842", "--at", "2025-03-14 18:42")
    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_csv())
    listed = json.loads(topup_ok("import", str(path), "--dry-run", "--format", "json").stdout)
    assert (listed[0]["decision"], listed[0]["why"]) == ("already in the ledger",
                                                         "record 1 on card 'other': the bill gives what paid for it")
    topup_ok("import", str(path))
    assert [r[0] for r in _records(topup_ok) if r[5] == "4200001234202503141842"] == ["other"]


def test_order_numbers_a_spreadsheet_saved_as_numbers_are_not_made_up(topup_ok, cards, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(WECHAT_HEADER)
    sheet.append(["2025-03-14 18:42:07", "商户消费", "中国移动", "话费充值-139****5678 100元", "支出", 99.5, "零钱",
                  "支付成功", 4.200001234202503e27, 4.2e27, "/"])
    path = tmp_path / "saved.xlsx"
    book.save(path)
    done = topup_ok("import", str(path))
    assert "added 1 top-up(s)" in done.stderr and "rewritten by a spreadsheet" in done.stderr
    assert _records(topup_ok)[0][5] is None


def test_a_bill_with_map_is_told_to_leave_the_map_out(tmp_path, ledger_path, topup_ok, cards):
    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_csv())
    before = table_dump(ledger_path)
    refused = run_process("import", str(path), "--map", "交易时间=occurred_at", "--map", "金额(元)=amount")
    assert refused.returncode == 1 and "is a WeChat Pay bill as downloaded: import it without --map" in refused.stderr
    assert table_dump(ledger_path) == before


def test_a_retired_card_is_named_not_taken_unless_card_names_it(topup_ok, tmp_path):
    topup_ok("card", "add", "旧手机", "--kind", "sim", "--region", "CN", "--number", "13912345678")
    topup_ok("card", "retire", "旧手机")
    bill = _bill(tmp_path, ("2025-03-14 18:42:07", "中国移动", "话费充值-139****5678 100元", "¥99.50", "支付成功", "44001"))
    done = topup_ok("import", bill)
    assert "1 not placed" in done.stderr and f"topup import {bill} --card 旧手机  # adds it to the retired card" in done.stderr
    forced = topup_ok("import", bill, "--card", "旧手机")
    assert "added 1 top-up(s)" in forced.stderr and "card '旧手机' is retired" in forced.stderr


def test_the_dry_run_lists_times_and_amounts_as_the_contract_writes_them(topup_ok, cards, tmp_path):
    bill = _bill(tmp_path, ("2025/06/03 10:00", "中国移动", "话费充值-139****5678 50元", "¥50.0", "支付成功", "\x0045"),
                 ("", "中国移动", "话费充值-139****5678 30元", "¥30.00", "支付成功", "45002"))
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json").stdout)
    assert listed[0]["occurred_at"] == "2025-06-03T10:00:00+08:00" and listed[0]["paid"] == "50.00"
    assert set(listed[1]) == set(listed[0]) and listed[1]["card"] is None
    assert listed[0]["decision"] == "not added" and "control character" in listed[0]["why"]
    assert listed[1]["decision"] == "not added" and listed[1]["why"].startswith("the bill gives it no time")
    as_text = topup_ok("import", bill, "--dry-run", "--format", "text").stdout.splitlines()
    assert as_text[0].split()[:3] == ["line", "when", "paid"] and len(as_text) == 3


def test_a_unicode_text_bill_and_a_wechat_refund_row(topup_ok, cards, tmp_path):
    rows = [["2025-03-14 18:42:07", "商户消费", "中国移动", "话费充值-139****5678 100元", "支出", "¥99.50", "零钱",
             "已全额退款", "46001", "/", "/"],
            ["2025-03-15 09:00:00", "中国移动-退款", "中国移动", "话费充值-139****5678 100元", "收入", "¥99.50", "零钱",
             "已到账", "46001", "/", "/"]]
    path = tmp_path / "unicode.txt"
    path.write_bytes("\n".join("\t".join(row) for row in [WECHAT_HEADER, *rows]).encode("utf-16"))
    done = topup_ok("import", str(path))
    assert "added 1 top-up(s)" in done.stderr and "1 refund(s) settled" in done.stderr
    assert [(r[1], r[3]) for r in _records(topup_ok)] == [("100.00", "refunded")]


def test_other_products_bought_with_a_number_and_vouchers_are_no_top_ups(topup_ok, cards, tmp_path):
    skipped = ["爱奇艺VIP会员充值-139****5678", "Q币充值 QQ号13912345678", "加油卡充值 139****5678", "话费充值券 50元",
               "话费抵用券", "话费优惠券包", "dou＋ 流量充值", "作品推广 流量充值"]
    bill = _bill(tmp_path, *[(f"2025-04-0{1 + i % 8} 08:0{i}:00", "示例商户", item, "¥50.00", "支付成功", f"470{i}")
                             for i, item in enumerate(skipped)])
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json", "--card", "我的手机").stdout)
    assert [row["decision"] for row in listed] == ["skipped"] * len(skipped)


def test_a_whole_number_in_any_common_form_places_by_that_number(topup_ok, tmp_path):
    topup_ok("card", "add", "A", "--kind", "sim", "--region", "CN", "--number", "13912345678")
    topup_ok("card", "add", "B", "--kind", "sim", "--region", "CN", "--number", "13900005678")
    bill = _bill(tmp_path, ("2025-04-01 08:00:00", "中国移动", "话费充值 8613900005678", "¥50.00", "支付成功", "48001"),
                 ("2025-04-02 08:00:00", "中国移动", "话费充值 +86 139-0000-5678", "¥30.00", "支付成功", "48002"),
                 ("2025-04-03 08:00:00", "中国移动", "话费充值 139 1234 5678", "¥20.00", "支付成功", "48003"))
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json", "--card", "A").stdout)
    assert [row["card"] for row in listed] == ["B", "B", "A"]


def test_a_refund_in_a_later_bill_or_without_an_underscore_settles_its_top_up(topup_ok, tmp_path):
    topup_ok("card", "add", "深圳通", "--kind", "smart", "--currency", "CNY")
    first = _bill(tmp_path, ("2026-03-31 08:00:00", "深圳通", "深圳通充值", "¥50.00", "支付成功", "2026033122001001"))
    topup_ok("import", first)
    later = tmp_path / "later.csv"
    rows = [["2026-04-02 09:00:00", "退款", "深圳通", "深圳通充值-退款", "/", "¥50.00", "零钱", "已退款",
             "2026033122001001_9001", "/", "/"],
            ["2026-04-03 08:00:00", "商户消费", "深圳通", "深圳通充值", "支出", "¥30.00", "零钱", "支付成功",
             "2026040322001002", "/", "/"],
            ["2026-04-03 09:00:00", "退款", "深圳通", "深圳通充值-退款", "/", "¥30.00", "零钱", "已退款",
             "20260403220010029001", "/", "/"],
            ["2026-04-04 12:00:00", "美团-退款", "美团", "外卖-退款", "收入", "¥25.00", "零钱", "已到账", "99887766", "/", "/"]]
    later.write_text("\n".join([_csv_line(WECHAT_HEADER), *map(_csv_line, rows)]) + "\n", encoding="utf-8")
    done = topup_ok("import", str(later))
    assert "skipped 1 that are not top-ups, 2 refund(s) settled with their top-ups" in done.stderr
    amend = [line.split(": topup ", 1)[1] for line in done.stderr.splitlines() if "topup amend" in line]
    assert amend and amend[0].startswith("amend 1 --outcome refunded")
    topup_ok(*shlex.split(amend[0]))
    assert [(r[1], r[3]) for r in _records(topup_ok)] == [("30.00", "refunded"), ("50.00", "refunded")]


def test_a_row_left_to_log_by_hand_is_found_once_logged(topup_ok, cards, tmp_path):
    bill = _bill(tmp_path, ("2025-03-01 10:00:00", "中国移动", "话费充值-139****5678 100元", "¥100.00", "退款中", "4900001"))
    assert "1 to log by hand" in topup_ok("import", bill).stderr
    topup_ok("log", "我的手机", "100", "--at", "2025-03-01 10:00", "--ref", "4900001", "--outcome", "pending")
    again = topup_ok("import", bill).stderr
    assert "1 already in the ledger" in again and "to log by hand" not in again


def test_card_never_takes_a_row_that_names_another_card_retired_or_not(topup_ok, tmp_path):
    topup_ok("card", "add", "My Octopus", "--kind", "smart", "--currency", "HKD", "--issuer", "八达通")
    topup_ok("card", "add", "Old SZT (2019)", "--kind", "smart", "--currency", "CNY", "--issuer", "深圳通")
    topup_ok("card", "retire", "Old SZT (2019)")
    bill = _bill(tmp_path, ("2025-05-01 08:00:00", "深圳通", "深圳通充值", "¥50.00", "支付成功", "50001"),
                 ("2025-05-02 08:00:00", "示例商户", "Octopus Add Value", "¥90.00", "支付成功", "50002"))
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json").stdout)
    assert [row["decision"] for row in listed] == ["not placed", "not placed"]
    assert "retired" in listed[0]["why"] and "HKD" in listed[1]["why"]  # the Octopus row names My Octopus
    done = topup_ok("import", bill, "--card", "Old SZT (2019)")
    assert "added 1 top-up(s)" in done.stderr and [r[0] for r in _records(topup_ok)] == ["Old SZT (2019)"]


def test_smaller_things_a_bill_says(topup_ok, cards, tmp_path):
    bill = _bill(tmp_path,
                 ("2025-06-01 08:00:00", "中國移動香港", "話費增值", "¥88.00", "支付成功", "51001"),
                 ("2025-06-02 08:00:00", "中国移动", "话费充值-139****5678 100元 优惠价99.5元", "¥99.50", "支付成功",
                  "4200000069201710000000000000"))
    done = topup_ok("import", bill, "--format", "json")
    listed = json.loads(done.stdout)  # the listing, without --dry-run too
    assert listed[1]["decision"] == "added" and (listed[1]["amount"], listed[1]["paid"]) == ("100.00", "99.50")
    assert "topup card add LABEL --kind sim --region HK --issuer 中國移動" in done.stderr
    assert "rewritten by a spreadsheet" in done.stderr and _records(topup_ok)[0][5] is None


def test_top_ups_that_mention_a_voucher_or_red_packet_used_and_carriers_branches(topup_ok, tmp_path):
    topup_ok("card", "add", "phone", "--kind", "sim", "--region", "CN", "--number", "13912345678",
             "--issuer", "中国移动")
    items = [("中国移动", "话费充值-139****5678 100元（优惠券抵扣2元）", "added"),
             ("中国移动", "话费充值 139****5678 50元 使用红包", "added"),
             ("中国移动", "移动推广季 话费充值 139****5678 30元", "added"),
             ("中国移动", "话费充值(使用话费券)", "added"),
             ("广东移动", "充值-139****5678", "added"),
             ("浙江移动", "手机号 139****5678 充值 100元", "added"),
             ("京东", "移动 １３９１２３４５６７８ 充值100元", "added"),
             ("中国移动", "缴费 139****5678 100元", "added"),
             ("中国移动", "话费充值券 50元", "skipped"),
             ("中国移动", "宽带充值 100元", "skipped"),
             ("快手", "流量充值 上热门", "skipped"),
             ("示例商户", "octopussy 充值", "skipped")]
    bill = _bill(tmp_path, *[(f"2025-07-{1 + i:02d} 08:00:00", who, item, "¥10.00", "支付成功", f"5300{i}")
                             for i, (who, item, _) in enumerate(items)])
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json", "--card", "phone").stdout)
    assert [(row["item"], row["decision"]) for row in listed] == [(item, fate) for _, item, fate in items]


def test_rewritten_order_numbers_settle_no_refund_and_a_hand_logged_ref_is_found_on_any_card(topup_ok, tmp_path):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    topup_ok("log", "campus", "200", "--ref", "2018010421001004000000000004", "--at", "2018-01-04 09:00")
    rows = [["2018-01-04 09:00:00", "商户消费", "学校", "校园卡充值", "支出", "¥200.00", "零钱", "支付成功",
             "2018010421001004000000000004", "/", "/"],
            ["2018-01-05 10:00:00", "商户消费", "中国移动", "话费充值-139****5678 50元", "支出", "¥50.00", "零钱",
             "支付成功", "4.2E+27", "/", "/"],
            ["2018-01-05 12:00:00", "美团-退款", "美团", "外卖-退款", "收入", "¥50.00", "零钱", "已到账", "4.2E+27", "/",
             "/"]]
    path = tmp_path / "saved.csv"
    path.write_text("\n".join([_csv_line(WECHAT_HEADER), *map(_csv_line, rows)]) + "\n", encoding="utf-8")
    topup_ok("card", "add", "phone", "--kind", "sim", "--region", "CN", "--number", "13912345678")
    listed = json.loads(topup_ok("import", str(path), "--dry-run", "--format", "json").stdout)
    assert [(row["decision"], row["outcome"]) for row in listed] == [
        ("already in the ledger", None), ("added", "credited"), ("skipped", None)]


def test_a_refund_extending_an_order_number_in_the_ledger_and_a_hong_kong_row(topup_ok, tmp_path):
    topup_ok("card", "add", "phone", "--kind", "sim", "--region", "CN", "--number", "13912345678")
    first = _bill(tmp_path, ("2026-03-01 08:00:00", "中国移动", "话费充值-139****5678 30元", "¥30.00", "支付成功",
                             "2026030122001001"))
    topup_ok("import", first)
    later = _bill(tmp_path, ("2026-03-02 08:00:00", "中国移动", "话费充值-139****5678 30元-退款", "¥30.00", "已退款",
                             "20260301220010010001"),
                  ("2026-03-03 08:00:00", "中國移動香港", "話費增值", "¥50.00", "支付成功", "2026030322001003"),
                  name="later.csv")
    done = topup_ok("import", later, "--card", "phone")
    assert "topup amend 1 --outcome refunded" in done.stderr and "1 not placed" in done.stderr
    assert "--region HK" in done.stderr  # a mainland SIM takes no Hong Kong top-up, --card or not


def test_one_card_system_one_suggestion(topup_ok, tmp_path):
    topup_ok("card", "add", "oct", "--kind", "smart", "--currency", "CNY")
    bill = _bill(tmp_path, *[(f"2025-08-0{i + 1} 08:00:00", "示例商户", item, "¥10.00", "支付成功", f"5400{i}")
                             for i, item in enumerate(["Octopus Add Value", "八达通增值", "八達通增值"])])
    done = topup_ok("import", bill, "--card", "oct")
    assert [line.split(": ", 1)[1] for line in done.stderr.splitlines() if "to place the rest" in line] == [
        "topup card edit oct --issuer 八达通  # if the 八达通 top-ups are this card's"]


def test_what_was_bought_is_no_carrier_branch(topup_ok, tmp_path):
    bill = _bill(tmp_path, ("2025-09-01 08:00:00", "京东", "手机充值移动100元", "¥100.00", "支付成功", "55001"))
    done = topup_ok("import", bill)
    # The carrier bought from, never a branch called 充值移动.
    assert "to place the rest: topup card add LABEL --kind sim --region CN --issuer 中国移动\n" in done.stderr


def test_a_carriers_wallet_shop_sells_top_ups_and_money_put_into_the_wallet_is_none(topup_ok, tmp_path):
    topup_ok("card", "add", "mobile", "--kind", "sim", "--region", "CN", "--issuer", "中国移动")
    bill = _bill(tmp_path, ("2025-10-01 08:00:00", "中国移动和包官方旗舰店", "手机充值 100元", "¥98.00", "支付成功", "56001"),
                 ("2025-10-02 08:00:00", "和包支付", "中国移动 话费 50元", "¥50.00", "支付成功", "56002"),
                 ("2025-10-03 08:00:00", "中国移动", "和包充值", "¥200.00", "支付成功", "56003"))
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json").stdout)
    assert [(row["decision"], row["card"], row["amount"]) for row in listed] == [
        ("added", "mobile", "100.00"), ("added", "mobile", "50.00"), ("skipped", None, None)]


def test_a_row_naming_a_carrier_goes_to_a_sim_of_that_carrier_whatever_card_says(topup_ok, tmp_path):
    topup_ok("card", "add", "mobile", "--kind", "sim", "--region", "CN", "--issuer", "中国移动")
    bill = _bill(tmp_path, ("2025-10-01 08:00:00", "某充值平台", "话费充值-电信-100元", "¥99.50", "支付成功", "57001"),
                 ("2025-10-02 08:00:00", "某充值平台", "话费充值（移动）30元", "¥30.00", "支付成功", "57002"),
                 ("2025-10-03 08:00:00", "某充值平台", "手机充值 联通 50元", "¥50.00", "支付成功", "57003"))
    done = topup_ok("import", bill, "--card", "mobile")
    assert "added 1 top-up(s)" in done.stderr and "2 not placed" in done.stderr
    placing = [line.split(": ", 1)[1] for line in done.stderr.splitlines() if "to place the rest" in line]
    assert placing == ["topup card add LABEL --kind sim --region CN --issuer 中国电信",
                       "topup card add LABEL --kind sim --region CN --issuer 中国联通"]
    topup_ok(*shlex.split(placing[0].replace("LABEL", "telecom"))[1:])
    assert "added 1 top-up(s)" in topup_ok("import", bill, "--card", "mobile").stderr
    assert {r["ref"]: r["card"] for r in json.loads(topup_ok("search", "--format", "json").stdout)} == {
        "57001": "telecom", "57002": "mobile"}
    # Paying by phone (移动支付) names no carrier: --card places the row.
    other = _bill(tmp_path, ("2025-10-04 08:00:00", "某充值平台", "移动支付 话费充值 20元", "¥20.00", "支付成功", "57004"),
                  name="other.csv")
    assert "added 1 top-up(s)" in topup_ok("import", other, "--card", "telecom").stderr


def test_a_sim_of_the_rows_carrier_kept_without_its_number_is_the_one_advised(topup_ok, tmp_path):
    topup_ok("card", "add", "移动卡", "--kind", "sim", "--region", "CN", "--issuer", "中国移动")
    topup_ok("card", "add", "电信卡", "--kind", "sim", "--region", "CN", "--issuer", "中国电信")
    bill = _bill(tmp_path, ("2025-10-01 08:00:00", "中国移动", "话费充值-139****5678 100元", "¥99.50", "支付成功",
                            "58001"))
    done = topup_ok("import", bill)
    assert "1 not placed" in done.stderr
    assert "to place the rest: topup card edit 移动卡 --number YOUR_NUMBER  # the one the bill shows as 139****5678" \
        in done.stderr
    topup_ok("card", "edit", "移动卡", "--number", "13912345678")
    assert "added 1 top-up(s)" in topup_ok("import", bill).stderr


def test_the_face_value_an_item_names_is_credited_whatever_was_taken_off(topup_ok, cards, tmp_path):
    items = [("话费充值-139****5678 100元 随机立减0.70元", "¥99.30"), ("话费充值 50元 使用红包5元", "¥45.00"),
             ("100元话费 立减金0.50元", "¥99.50"), ("充值 30 元，优惠券-1元", "¥29.00"),
             ("话费充值100元 满100元减2元", "¥98.00"), ("话费充值 20元 微信红包2.00元", "¥18.00")]
    bill = _bill(tmp_path, *[(f"2025-11-0{i + 1} 08:00:00", "中国移动", item, paid, "支付成功", f"5900{i}")
                             for i, (item, paid) in enumerate(items)])
    topup_ok("import", bill, "--card", "我的手机")
    found = json.loads(topup_ok("search", "--format", "json").stdout)
    assert sorted((r["ref"], r["amount"], r["paid"]) for r in found) == [
        ("59000", "100.00", "99.30"), ("59001", "50.00", "45.00"), ("59002", "100.00", "99.50"),
        ("59003", "30.00", "29.00"), ("59004", "100.00", "98.00"), ("59005", "20.00", "18.00")]


def test_a_row_left_to_log_by_hand_comes_with_the_commands_that_record_it(topup_ok, tmp_path):
    topup_ok("card", "add", "mobile", "--kind", "sim", "--region", "CN", "--issuer", "中国移动")
    bill = _bill(tmp_path, ("2025-10-01 08:00:00", "中国移动", "话费充值 100元", "¥99.50", "已冻结", "60001"),
                 ("2025-10-02 08:00:00", "中国移动", "话费充值 30元", "¥0.00", "支付成功", "60002"),
                 ("2025-10-03 08:00:00", "中国联通", "话费充值 30元", "¥30.00", "已冻结", "60003"))
    done = topup_ok("import", bill)
    assert "3 to log by hand" in done.stderr
    placing = [line.split(": ", 1)[1] for line in done.stderr.splitlines() if "to place the rest" in line]
    assert placing == [
        "topup log mobile 100.00 --paid 99.50 --channel wechat --at '2025-10-01 08:00:00+08:00' --ref 60001 "
        "--paid-with 零钱 --outcome OUTCOME",
        "topup log mobile 30.00 --channel wechat --at '2025-10-02 08:00:00+08:00' --ref 60002 --paid-with 零钱 "
        "--outcome credited",
        "topup card add LABEL --kind sim --region CN --issuer 中国联通",
        "topup log LABEL 30.00 --channel wechat --at '2025-10-03 08:00:00+08:00' --ref 60003 --paid-with 零钱 "
        "--outcome OUTCOME"]
    pasted = run_process(*shlex.split(placing[0])[1:])
    assert pasted.returncode != 0 and json.loads(topup_ok("search", "--format", "json").stdout) == []
    topup_ok(*shlex.split(placing[0].replace("OUTCOME", "pending"))[1:])
    assert "1 already in the ledger" in topup_ok("import", bill).stderr


def test_what_paid_is_kept_from_the_bills_payment_column(topup_ok, cards, tmp_path):
    rows = [("2025-11-01 08:00:00", "中国移动", "话费充值-139****5678 50元", "¥50.00", "招商银行(4523)", "61001"),
            ("2025-11-02 08:00:00", "中国移动", "话费充值-139****5678 30元", "¥30.00", "／", "61002"),
            ("2025-11-03 08:00:00", "中国移动", "话费充值-139****5678 20元", "¥20.00", "  亲情卡 ", "61003")]
    path = tmp_path / "paid.csv"
    path.write_text("\n".join([*WECHAT_PREAMBLE, _csv_line(WECHAT_HEADER), *(
        _csv_line([at, "商户消费", who, item, "支出", amount, method, "支付成功", f"{order}\t", "/\t", "/"])
        for at, who, item, amount, method, order in rows)]) + "\n", encoding="utf-8")
    topup_ok("import", str(path))
    found = {r["ref"]: r["paid_with"] for r in json.loads(topup_ok("search", "--format", "json").stdout)}
    assert found == {"61001": "招商银行(4523)", "61002": None, "61003": "亲情卡"}
    assert [r["ref"] for r in json.loads(topup_ok("search", "4523", "--format", "json").stdout)] == ["61001"]


def test_a_face_value_with_a_yuan_sign_or_in_chinese_numerals_is_credited(topup_ok, cards, tmp_path):
    items = [("话费充值￥100", "¥95.00"), ("话费充值一百元", "¥99.50"), ("話費充值 兩百元", "¥198.00"),
             ("话费充值 RMB 50", "¥49.00"), ("话费充值五十块 立减五元", "¥45.00"), ("话费充值 ¥30.00", "¥30.00")]
    bill = _bill(tmp_path, *[(f"2025-11-0{i + 1} 08:00:00", "中国移动", item, paid, "支付成功", f"6200{i}")
                             for i, (item, paid) in enumerate(items)])
    assert "added 6 top-up(s)" in topup_ok("import", bill, "--card", "我的手机").stderr
    found = json.loads(topup_ok("search", "--format", "json").stdout)
    assert sorted((r["ref"], r["amount"], r["paid"]) for r in found) == [
        ("62000", "100.00", "95.00"), ("62001", "100.00", "99.50"), ("62002", "200.00", "198.00"),
        ("62003", "50.00", "49.00"), ("62004", "50.00", "45.00"), ("62005", "30.00", "30.00")]


def test_a_row_charged_well_over_the_face_value_it_names_is_left_to_log_by_hand(topup_ok, cards, tmp_path):
    bill = _bill(tmp_path, ("2025-11-01 08:00:00", "中国移动", "话费充值50元", "¥100.00", "支付成功", "63001"),
                 ("2025-11-02 08:00:00", "中国移动", "话费充值20元", "¥23.00", "支付成功", "63002"),
                 ("2025-11-03 08:00:00", "中国移动", "话费充值100元", "¥101.00", "支付成功", "63003"))
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json", "--card", "我的手机").stdout)
    assert [(row["decision"], row["amount"]) for row in listed] == [
        ("not added", None), ("not added", None), ("added", "100.00")]
    assert listed[0]["why"] == "the item names 50.00 but 100.00 was charged; log it by hand"
    assert listed[1]["why"] == "the item names 20.00 but 23.00 was charged; log it by hand"
    done = topup_ok("import", bill, "--card", "我的手机")
    assert "added 1 top-up(s)" in done.stderr and "2 to log by hand" in done.stderr
    assert "to place the rest: topup log 我的手机 50.00 --paid 100.00 --channel wechat " \
           "--at '2025-11-01 08:00:00+08:00' --ref 63001 --paid-with 零钱 --outcome credited" in done.stderr
    assert [(r[1], r[2]) for r in _records(topup_ok)] == [("100.00", "101.00")]


def test_a_card_added_with_a_profile_answers_to_the_profiles_names(topup_ok, tmp_path):
    topup_ok("card", "add", "szt", "--profile", "深圳通")
    topup_ok("card", "add", "oct", "--profile", "octopus")
    bill = _bill(tmp_path, ("2025-03-01 08:00:00", "深圳通", "深圳通卡充值", "¥50.00", "支付成功", "64001"),
                 ("2025-03-02 08:00:00", "示例商户", "八達通增值", "¥92.00", "支付成功", "64002"))
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json").stdout)
    assert [(row["decision"], row["card"]) for row in listed] == [("added", "szt"), ("not placed", None)]
    assert "card 'oct' is in HKD" in listed[1]["why"]
    done = topup_ok("import", bill, "--card", "szt")
    assert "added 1 top-up(s)" in done.stderr and "card add" not in done.stderr
    assert "to place the rest: topup log oct HKD_AMOUNT" in done.stderr
    assert [(r[0], r[1]) for r in _records(topup_ok)] == [("szt", "50.00")]


def test_a_sim_of_another_region_is_never_told_by_a_mainland_carriers_name(topup_ok, tmp_path):
    topup_ok("card", "add", "香港卡", "--profile", "cmhk")
    bill = _bill(tmp_path, ("2025-03-01 08:00:00", "中国移动通信集团广东有限公司", "话费充值 50元", "¥50.00", "支付成功",
                            "65001"),
                 ("2025-03-02 08:00:00", "中國移動香港", "話費增值", "¥92.00", "支付成功", "65002"))
    for card in ([], ["--card", "香港卡"]):
        done = topup_ok("import", bill, *card)
        placing = [line.split(": ", 1)[1] for line in done.stderr.splitlines() if "to place the rest" in line]
        assert placing[0] == "topup card add LABEL --kind sim --region CN --issuer 中国移动"
        assert placing[1].startswith("topup log 香港卡 HKD_AMOUNT --channel wechat")  # the row of Hong Kong's CMHK
        assert "HKD_AMOUNT" not in placing[0] and "added 0 top-up(s)" in done.stderr
    listed = json.loads(topup_ok("import", bill, "--dry-run", "--format", "json", "--card", "香港卡").stdout)
    assert listed[0]["why"] == "it tops up a number of CN; card 香港卡 is not a SIM of CN"


def test_a_refunded_row_for_a_card_in_another_currency_gets_lines_that_record_it_refunded(topup_ok, tmp_path):
    topup_ok("card", "add", "八达通", "--kind", "smart", "--currency", "HKD")
    bill = _bill(tmp_path, ("2025-03-05 09:10:00", "八达通", "八达通增值", "¥92.00", "已全额退款", "66001"))
    done = topup_ok("import", bill)
    placing = [line.split(": ", 1)[1] for line in done.stderr.splitlines() if "to place the rest" in line]
    assert placing == [
        "topup log 八达通 HKD_AMOUNT --channel wechat --at '2025-03-05 09:10:00+08:00' --ref 66001 --paid-with 零钱 "
        "--outcome failed  # HKD_AMOUNT: what the card was credited",
        "topup amend ID --outcome refunded --reason 'WeChat Pay bill, line 18'  # ID: the record the line above adds"]
    for line in placing:
        pasted = run_process(*shlex.split(line, comments=True)[1:])
        assert pasted.returncode != 0 and "Traceback" not in pasted.stderr  # a placeholder is refused
    topup_ok(*shlex.split(placing[0].replace("HKD_AMOUNT", "100"), comments=True)[1:])
    topup_ok(*shlex.split(placing[1].replace("ID", "1"), comments=True)[1:])
    assert [(r[0], r[1], r[3]) for r in _records(topup_ok)] == [("八达通", "100.00", "refunded")]
    assert "1 already in the ledger" in topup_ok("import", bill).stderr


def test_an_import_lists_each_line_it_did_not_add_and_why(topup_ok, cards, tmp_path):
    bill = _bill(tmp_path, ("2025-03-01 08:00:00", "中国移动", "话费充值-139****5678 50元", "¥50.00", "支付成功", "67001"),
                 ("2025-03-02 08:00:00", "示例公交", "羊城通充值", "¥30.00", "支付成功", "67002"),
                 ("2025-03-03 08:00:00", "中国移动", "话费充值-139****5678 30元", "¥30.00", "已冻结", "67003"),
                 ("2025-03-04 08:00:00", "示例餐厅", "午餐", "¥35.00", "支付成功", "67004"))
    done = topup_ok("import", bill)
    listed = [line.strip() for line in done.stderr.splitlines() if line.strip().startswith("line ")]
    assert listed == ["line 19: no smart card is named by it",
                      "line 20: its status '已冻结' is not understood; log it by hand"]
    assert "added 1 top-up(s)" in done.stderr
    tried = topup_ok("import", bill, "--dry-run")  # the table says it already
    assert not [line for line in tried.stderr.splitlines() if line.strip().startswith("line ")]


def test_a_row_dated_in_the_future_is_left_to_log_by_hand_not_added(topup_ok, cards, tmp_path):
    bill = _bill(tmp_path, ("2099-11-25 10:00:00", "中国移动", "话费充值-139****5678 100元", "¥100.00", "支付成功", "70001"),
                 ("2025-11-25 10:00:00", "中国移动", "话费充值-139****5678 50元", "¥50.00", "支付成功", "70002"))
    done = topup_ok("import", bill)
    assert "added 1 top-up(s)" in done.stderr and "1 to log by hand" in done.stderr
    assert "'2099-11-25 10:00:00' is in the future" in done.stderr
    assert [r["ref"] for r in json.loads(topup_ok("search", "--format", "json").stdout)] == ["70002"]


def test_a_carriers_own_word_for_paying_a_number_is_a_top_up(topup_ok, cards, tmp_path):
    bill = _bill(tmp_path, ("2025-11-03 09:00:00", "中国移动", "交费100元成功", "¥95.00", "支付成功", "71001"),
                 ("2025-11-04 09:00:00", "中国移动", "移动交費 139****5678 50元", "¥50.00", "支付成功", "71002"))
    topup_ok("import", bill, "--card", "我的手机")
    found = sorted((r["ref"], r["amount"], r["paid"]) for r in json.loads(topup_ok("search", "--format", "json").stdout))
    assert found == [("71001", "100.00", "95.00"), ("71002", "50.00", "50.00")]


def test_a_row_for_a_sims_number_naming_another_carrier_is_not_placed(topup_ok, tmp_path):
    topup_ok("card", "add", "cm", "--kind", "sim", "--region", "CN", "--issuer", "China Mobile", "--number",
             "13812345678")
    bill = _bill(tmp_path, ("2025-11-05 09:00:00", "某某充值平台", "电信话费充值100元 13812345678", "¥100.00", "支付成功",
                            "72001"))
    done = topup_ok("import", bill)
    assert "added 0 top-up(s)" in done.stderr and "1 not placed" in done.stderr
    assert "the number of card 'cm', with 中国电信; the card's issuer is China Mobile" in done.stderr
    assert "topup card edit cm --issuer 中国电信  # if the number has moved to 中国电信" in done.stderr
    topup_ok("card", "edit", "cm", "--issuer", "中国电信")
    assert "added 1 top-up(s)" in topup_ok("import", bill).stderr
