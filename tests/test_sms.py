"""`topup log CARD --sms TEXT`: sample messages of each kind, with what should be read from them."""

import json
import os
import pty
import select
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import TEST_TZ, log_json, run_process, table_dump

# Synthesized messages (fictional brands, masked numbers) with the fields expected from each.
SAMPLES = Path(__file__).with_name("data") / "sample_messages.jsonl"
CARD_FOR_LANG = {"en-HK": ("HK", "HKD"), "zh-CN": ("CN", "CNY"), "zh-TW": ("TW", "TWD"), "en-PH": ("PH", "PHP")}


def _samples():
    return [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]


def _card(topup_ok, region, label="card"):
    topup_ok("card", "add", label, "--kind", "sim", "--region", region)
    return label


def _refused(topup_ok, topup, ledger_path, text: str) -> str:
    """Log `text` as a message on a Hong Kong SIM: refused, with the ledger as it was; its stderr."""
    _card(topup_ok, "HK")
    before = table_dump(ledger_path)
    result = topup("log", "card", "--sms", text)
    assert result.exit_code == 1 and table_dump(ledger_path) == before, result.stderr
    return result.stderr


@pytest.fixture
def local_zone(monkeypatch):
    """The reader's zone, as the tests' ledgers have it: a message's local times are read in it."""
    monkeypatch.setenv("TZ", TEST_TZ)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _read(text: str, region: str) -> dict:
    """What the message reader finds in `text` for a card of `region`, written as a record shows it
    (the reader itself, with no ledger: a message logged for real is tested above)."""
    from ledger.domain.money import REGION_CURRENCY, format_minor, parse_amount
    from ledger.sources.messages import read_message

    currency = REGION_CURRENCY[region]
    read = read_message(text, currency, region, datetime.now().astimezone())
    money = {key: getattr(read, key) and format_minor(parse_amount(getattr(read, key), currency).minor, currency)
             for key in ("amount", "paid", "balance_after")}
    return money | {"ref": read.ref, "outcome": read.outcome.value, "channel": read.channel and read.channel.value,
                    "occurred_at": read.occurred_at and read.occurred_at.astimezone().isoformat(),
                    "valid_until": read.valid_until and read.valid_until.isoformat()}


@pytest.mark.parametrize("sample", _samples(), ids=lambda s: s["text"][:24])
def test_the_sample_messages(topup_ok, topup, sample):
    region, currency = CARD_FOR_LANG[sample["lang"]]
    card = _card(topup_ok, region)
    expect = sample["expect"]
    if "refuse" in expect:
        result = topup("log", card, "--sms", sample["text"])
        assert result.exit_code == 1 and result.stderr.startswith("error: ")
        return
    record = log_json(topup_ok, card, "--sms", sample["text"])
    for key in ("amount", "paid", "ref", "balance_after", "valid_until", "outcome"):
        assert record[key] == expect[key], key
    assert record["currency"] == currency
    assert record["channel"] == (expect["channel"] or "other")
    if expect["occurred_at"] is None:
        assert record["occurred_at"][:10] == datetime.now().date().isoformat()
    else:
        wanted = expect["occurred_at"].replace("<year it was received>", str(datetime.now().year))
        if wanted > datetime.now().isoformat():  # a year-less date still to come this year is last year's
            wanted = str(datetime.now().year - 1) + wanted[4:]
        assert record["occurred_at"].startswith(wanted)
    assert [r["name"] for r in record["receipts"]] == ["message.txt"]


@pytest.mark.parametrize(
    ("region", "text", "expected"),
    [
        ("CN", "您于2026年11月20日14时32分充值100元成功，流水号ABC12345，余额120.50元。",
         {"amount": "100.00", "occurred_at": "2026-11-20T14:32", "ref": "ABC12345", "balance_after": "120.50"}),
        ("CN", "2026-11-18 09:12 微信支付充值 ¥30.00 已到账，订单号 WX4200001234567890",
         {"amount": "30.00", "occurred_at": "2026-11-18T09:12", "ref": "WX4200001234567890", "channel": "wechat"}),
        ("HK", "Top-up HK$200 on 20/11/2026 14:35 successful. Transaction ID: T99887766. Balance: HK$250.00",
         {"amount": "200.00", "occurred_at": "2026-11-20T14:35", "ref": "T99887766", "balance_after": "250.00"}),
        ("HK", "Reloaded HK$50 at 03/04/2026 10:00. Txn ID Q12345",
         {"amount": "50.00", "occurred_at": "2026-04-03T10:00"}),
        ("PH", "Loaded ₱50.00 on 03/04/2026 10:00. Ref 778899",
         {"amount": "50.00", "occurred_at": "2026-03-04T10:00", "ref": "778899"}),
        ("TW", "114/10/02 21:05 超商加值NT$300元，交易編號A1B2C3D4，餘額NT$310元",
         {"amount": "300.00", "occurred_at": "2025-10-02T21:05", "ref": "A1B2C3D4", "balance_after": "310.00",
          "channel": "store"}),
        ("TW", "於2025/10/02 21:05加值300圓，交易序號ZX9988", {"amount": "300.00", "ref": "ZX9988"}),
        ("CN", "充值金额：100.00元，手续费2.00元，实付102.00元，订单编号88776655",
         {"amount": "100.00", "paid": "102.00", "ref": "88776655"}),
        # Carriers' ways of saying what was credited (交费, 缴费) and what was paid for it (实缴, 实付).
        ("CN", "交费100元成功，实缴95元", {"amount": "100.00", "paid": "95.00"}),
        ("CN", "【中国电信】您已成功交费100.00元，实缴95.00元，交易单号JF20261120", {"amount": "100.00", "paid": "95.00",
                                                                            "ref": "JF20261120"}),
        ("CN", "缴费100元成功，实付95元", {"amount": "100.00", "paid": "95.00"}),
        ("CN", "充值100元已到账，实付95元", {"amount": "100.00", "paid": "95.00"}),
        ("TW", "您已成功繳費100元，實繳95元", {"amount": "100.00", "paid": "95.00"}),
        ("CN", "您的话费充值50元失败，款项将退回，交易流水號 R5566778899",
         {"amount": "50.00", "outcome": "failed", "ref": "R5566778899"}),
        ("CN", "訂單號 DD20261101 已受理，充值¥20.00 處理中", {"amount": "20.00", "outcome": "pending", "ref": "DD20261101"}),
        ("JP", "チャージ 1,000円 完了 Ref no. JP000111", {"amount": "1000", "ref": "JP000111"}),
        # Half past the hour (8点半), and a date in Taiwan's ROC years with a time in words.
        ("CN", "您于2026年11月20日晚上8点半充值50元成功", {"occurred_at": "2026-11-20T20:30"}),
        ("TW", "115/11/04 下午3點 加值NT$300元", {"occurred_at": "2026-11-04T15:00"}),
        # A reference as 參考號碼 or 單號, a balance as 儲值額 or 餘額為, in either script.
        ("TW", "2026/11/20 超商加值NT$300元，參考號碼 AB123456，儲值額為NT$310元",
         {"amount": "300.00", "ref": "AB123456", "balance_after": "310.00"}),
        ("TW", "2026/11/20 加值300元，參考編號：AB123456，儲值額 310元", {"ref": "AB123456", "balance_after": "310.00"}),
        ("CN", "充值50元成功，参考号码 88776655，余额为 80元", {"amount": "50.00", "ref": "88776655", "balance_after": "80.00"}),
        ("CN", "充值50元成功，充值单号：88776655，储值额为80.00元", {"ref": "88776655", "balance_after": "80.00"}),
        ("CN", "话费充值30元已到账，单号为 Q20261120，余额：42.5元", {"ref": "Q20261120", "balance_after": "42.50"}),
        ("HK", "增值HK$100，單號 A998877，餘額為 HK$150.00", {"ref": "A998877", "balance_after": "150.00"}),
        ("HK", "增值HK$100，充值單號 A998877，餘額為 150.00", {"amount": "100.00", "ref": "A998877", "balance_after": "150.00"}),
        # Each way a message states how long the card or number stays valid.
        ("CN", "2026年11月20日充值50元成功，号码有效期至2027年05月20日", {"valid_until": "2027-05-20"}),
        ("TW", "2026/11/20 加值NT$300元成功，卡片效期至2027/12/31", {"valid_until": "2027-12-31"}),
        ("TW", "2026/11/20 儲值300元，使用期限至2027/06/30 交易序號ZX1", {"valid_until": "2027-06-30"}),
        ("CN", "到期提醒：2026年11月20日充值50元成功，到期日：2027-01-31", {"valid_until": "2027-01-31"}),
        ("HK", "Top-up HK$100 on 20/11/2026 10:00. Valid until 31/12/2027", {"valid_until": "2027-12-31"}),
        ("HK", "Top-up HK$100 on 20/11/2026 10:00, valid till 30/06/2027", {"valid_until": "2027-06-30"}),
        ("HK", "Top-up HK$100 on 20/11/2026 10:00. Expiry date: 31/01/2028", {"valid_until": "2028-01-31"}),
        ("CN", "2026年11月20日充值50元成功，有效期：2027-11-19", {"valid_until": "2027-11-19"}),
    ],
)
def test_more_message_forms(local_zone, region, text, expected):
    record = _read(text, region)
    for key, value in expected.items():
        if key == "occurred_at":
            assert record[key].startswith(value), record[key]
        else:
            assert record[key] == value, key


def test_the_order_chosen_for_day_and_month_is_said(topup_ok):
    _card(topup_ok, "HK")
    result = topup_ok("log", "card", "--sms", "Reloaded HK$50 at 03/04/2026 10:00. Txn ID Q12345")
    assert "day first, as in HK" in result.stderr
    assert "read from the message: amount 50.00" in result.stderr


def test_an_undecidable_date_needs_at(topup_ok, topup):
    topup_ok("card", "add", "eu", "--kind", "smart", "--currency", "EUR")
    text = "Top-up €20.00 on 03/04/2026 10:00, Ref EU1234"
    refused = topup("log", "eu", "--sms", text)
    assert refused.exit_code == 1 and "could be read two ways" in refused.stderr and "--at" in refused.stderr
    assert log_json(topup_ok, "eu", "--sms", text, "--at", "2026-04-03 10:00")["amount"] == "20.00"


def test_options_win_over_the_message(topup_ok):
    _card(topup_ok, "HK")
    record = log_json(topup_ok, "card", "120", "--ref", "MINE1", "--channel", "kiosk", "--sms",
                      "Top-up HK$200 on 20/11/2025 14:35 successful. Transaction ID: T99887766.")
    assert (record["amount"], record["ref"], record["channel"]) == ("120.00", "MINE1", "kiosk")
    assert record["occurred_at"].startswith("2025-11-20T14:35")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Your balance is HK$50.00 and HK$20.00 was used today", "amount"),
        ("Top-up NT$100 done. Ref A1234", "not in HKD"),
        ("充值¥100成功", "not in HKD"),
        ("Thanks for using SampleTel", "amount"),
        ("", "empty"),
        ("Your OTP is 482913. Do not share it.", "verification-code"),
        ("验证码 482913，您正在为尾号0000的手机充值HK$100.00", "verification-code"),
    ],
)
def test_messages_that_cannot_be_read_are_refused(topup_ok, topup, ledger_path, text, reason):
    assert reason in _refused(topup_ok, topup, ledger_path, text)


def test_a_one_time_code_is_never_stored(topup_ok, ledger_path):
    _card(topup_ok, "HK")
    text = "Top-up HK$100.00 done, Ref R777888. Your PIN: 915372 for the next purchase."
    record = log_json(topup_ok, "card", "--sms", text)
    assert record["ref"] == "R777888"
    stored = b"".join(p.read_bytes() for p in ledger_path.parent.iterdir() if p.is_file())
    assert b"915372" not in stored
    out = ledger_path.parent / "out"
    out.mkdir()
    topup_ok("receipt", "get", str(record["id"]), "--output", str(out))
    kept = (out / "message.txt").read_text(encoding="utf-8")
    assert "PIN: ******" in kept and "R777888" in kept


def test_the_message_can_come_from_stdin(topup_ok):
    _card(topup_ok, "CN")
    result = topup_ok("log", "card", "--sms", "-", "--format", "json",
                      input="您于2026年11月20日14时32分充值100元成功\n流水号ABC12345\n")
    assert json.loads(result.stdout)["ref"] == "ABC12345"


def test_a_message_pasted_at_the_terminal_is_asked_for_and_read(topup_ok, ledger_path):
    """Through a pseudo-terminal: the program says what to do instead of waiting in silence."""
    _card(topup_ok, "CN")
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "ledger", "--db", str(ledger_path), "log", "card", "--sms", "-",
                                "--format", "json"], stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(follower)
    prompt = b""
    while b"Ctrl-D" not in prompt:  # stderr is a pipe: the prompt arrives whole once it is written
        ready, _, _ = select.select([process.stderr], [], [], 30)
        assert ready, "no prompt on stderr"
        prompt += os.read(process.stderr.fileno(), 4096)
    assert prompt.startswith(b"paste the message")
    os.write(leader, "您于2026年11月20日14时32分充值100元成功 流水号ABC12345\n".encode() + b"\x04")
    out, err = process.communicate(timeout=60)
    os.close(leader)
    assert process.returncode == 0, err
    assert json.loads(out)["ref"] == "ABC12345"


def test_a_closed_standard_input_is_refused(topup_ok, ledger_path):
    _card(topup_ok, "CN")
    before = table_dump(ledger_path)
    closed = subprocess.run(f"{sys.executable} -m ledger --db {ledger_path} log card --sms - <&-", shell=True,
                            capture_output=True, text=True)
    empty = subprocess.run([sys.executable, "-m", "ledger", "--db", str(ledger_path), "log", "card", "--sms", "-"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
    for result in (closed, empty):
        assert result.returncode == 1 and result.stderr.startswith("error: "), result.stderr
    assert "standard input, which is closed" in closed.stderr
    assert table_dump(ledger_path) == before


CODES = [  # (what the message says, the code's digits as they would be found in the file)
    ("認證碼 660417", ["660417"]), ("your code is 551208", ["551208"]), ("安全码:４４２８１９", ["４４２８１９", "442819"]),
    ("OTP-774411", ["774411"]), ("security code 224466", ["224466"]), ("动态码 8 8 1 2 3 3", ["8 8 1 2 3 3", "881233"]),
    ("G-385612 is your Google verification code", ["385612"]), ("code:193847", ["193847"]),
    ("Verification Code: 3355-77", ["3355-77", "335577"]), ("验证码 6\u200b1\u200b7\u200b2\u200b9\u200b0", ["617290", "6\u200b1"]),
    ("Your PIN: 915372", ["915372"]), ("動態密碼為 ５５６６７７", ["５５６６７７", "556677"]),
    ("ＯＴＰ：１２３４５６", ["１２３４５６", "123456"]), ("verification code is 8\u30008\u30001\u30002\u30003\u30003", ["8\u30008", "881233"]),
    ("驗證碼：３３５５－７７", ["７７", "３３５５"]), ("Your code is 123\u00a0456", ["123\u00a0456", "123456"]),
    ("验证码【654301】", ["654301"]), ("验证码(654302)", ["654302"]), ("验证码为「654303」", ["654303"]),
    ("验 证 码：654304", ["654304"]), ("Your OTP for this recharge is 654305.", ["654305"]),
    ("one-time password (OTP) 654306", ["654306"]), ("OTP for txn: 654307", ["654307"]),
    ("Your code for top-up is 654308", ["654308"]), ("code: '654309'", ["654309"]), ('code "654310"', ["654310"]),
    ("code→654311", ["654311"]), ("驗證碼：#654312#", ["654312"]), ("Your TAC is 654313", ["654313"]),
    ("TAC: 654314", ["654314"]), ("验证码：65431565431", ["65431565431"]),
]


@pytest.mark.parametrize(("said", "digits"), CODES, ids=[c[0] for c in CODES])
def test_a_one_time_code_never_reaches_the_file_its_journal_or_a_backup(topup_ok, ledger_path, tmp_path, said, digits):
    _card(topup_ok, "HK")
    record = log_json(topup_ok, "card", "--sms", f"Top-up HK$100.00 done. Ref R20250314. {said}")
    assert record["amount"] == "100.00" and record["ref"] == "R20250314"
    topup_ok("backup", str(tmp_path / "copy.db"))
    out = tmp_path / "out"
    out.mkdir()
    topup_ok("receipt", "get", str(record["id"]), "--output", str(out))
    files = [p for p in ledger_path.parent.iterdir() if p.is_file()] + [tmp_path / "copy.db", out / "message.txt"]
    for path in files:
        raw = path.read_bytes()
        for form in digits:
            assert form.encode() not in raw, (path.name, form)
    assert "*" in (out / "message.txt").read_text(encoding="utf-8")


# Numbers beside a code word that are no code: an amount, a phone number, a reference, dates, balances.
NOT_CODES = [
    ("验证码已发送至13800138000。您于2025年03月14日12时05分充值1000元，交易流水号XY20250314120501，余额2080.00元。",
     "CN", "XY20250314120501", "2080.00"),
    ("Top-up code: HK$1000 on 2025-03-14. Ref no. RC20250314. Your OTP was sent to 91234567. TAC 1200 HKD. "
     "Balance HK$1234.50. PIN: 2025-03-14.", "HK", "RC20250314", "1234.50"),
]


@pytest.mark.parametrize(("text", "region", "ref", "balance"), NOT_CODES, ids=["zh", "en"])
def test_numbers_beside_a_code_word_that_are_no_code_are_kept_and_read(topup_ok, tmp_path, text, region, ref,
                                                                         balance):
    _card(topup_ok, region)
    record = log_json(topup_ok, "card", "--sms", text)
    assert (record["amount"], record["ref"], record["balance_after"]) == ("1000.00", ref, balance)
    assert record["occurred_at"].startswith("2025-03-14")
    topup_ok("receipt", "get", str(record["id"]), "--output", str(tmp_path))
    assert (tmp_path / "message.txt").read_text(encoding="utf-8") == text


def test_a_paste_too_long_to_be_a_message_is_refused_at_once(topup_ok, topup, ledger_path):
    _card(topup_ok, "HK")
    before = table_dump(ledger_path)
    padded = "Top-up HK$100.00 done. Ref R20250314. " + " " * 20_000
    assert topup("log", "card", "--sms", padded).exit_code == 1
    result = topup("log", "card", "--sms", "-", input="Top-up HK$100.00 done. Ref R2. " + "x" * 50_000_000)
    assert result.exit_code == 1 and "characters long" in result.stderr
    assert table_dump(ledger_path) == before


# Texts of n repetitions of what once made the reader slow: (unit, n, what comes before, and after).
SLOW_ONCE = [("1,", 50_000, "", ""), ("HK$1 ", 20_000, "", ""), ("2025-03-14 18:42 ", 6000, "", ""),
             ("1 ", 50_000, "", ""), (" ", 99_000, "code", "x"), (" ", 99_000, "1234", "is your"),
             ("14 ", 30_000, "", ""), ("Mar 14 ", 14_000, "", ""), ("6:42 PM ", 12_000, "", ""),
             ("下午", 40_000, "", "1"), ("18:42 on ", 10_000, "", ""), ("3 of ", 20_000, "", ""),
             ("5点", 40_000, "", ""), ("1", 10_000, "", "年"), ("20 may ", 12_000, "", ""),
             ("valid until ", 8000, "", "")]


def _cpu_seconds(text: str) -> float:
    """The processor time (this process's own, whatever else the machine does) the reader takes on a
    text, the least of three tries."""
    import time

    from ledger.errors import InvalidInput
    from ledger.sources.messages import read_message

    spent = []
    for _ in range(3):
        start = time.process_time()
        try:
            read_message(text, "HKD", "HK", datetime.now().astimezone())
        except InvalidInput:
            pass  # what it makes of such a text does not matter here; how its time grows does
        spent.append(time.process_time() - start)
    return min(spent)


@pytest.mark.parametrize(("unit", "count", "before", "after"), SLOW_ONCE)
def test_reading_a_message_takes_time_in_proportion_to_its_length(unit, count, before, after):
    # Four times the text takes about four times the work; a quadratic reader (one took 11 s on 40 KB)
    # takes sixteen. Measured as a ratio of processor time, which no other busy program changes.
    quarter = _cpu_seconds(before + unit * (count // 4) + after)
    whole = _cpu_seconds(before + unit * count + after)
    assert whole <= 8 * max(quarter, 0.005), (quarter, whole)


# Dates as English and Chinese messages write them; the test zone is UTC+8.
STATED_TIMES = [
    ("Your prepaid SIM has been recharged with HK$100.00 on 14 Mar 2025 18:42. Ref RC1", "2025-03-14T18:42"),
    ("Recharged HK$100.00 on 14 March 2025, 6:42 PM. Ref RC1", "2025-03-14T18:42"),
    ("Recharged HK$100.00 on Mar 14, 2025 at 6:42pm", "2025-03-14T18:42"),
    ("Recharged HK$100.00 on SEPTEMBER 3RD 2025 9:05 a.m.", "2025-09-03T09:05"),
    ("Recharged HK$100.00 on 3-Sept-2025 12:30 AM", "2025-09-03T00:30"),
    ("Recharged HK$100.00 at 6:42 PM on 14/03/2025", "2025-03-14T18:42"),
    ("Recharged HK$100.00 at 2025-03-14T10:42:00Z", "2025-03-14T18:42"),
    ("Recharged HK$100.00 at 2025-03-14T19:42:05+09:00", "2025-03-14T18:42:05"),
    ("Recharged HK$100.00 at 2025-03-14 13:42 (GMT+3)", "2025-03-14T18:42"),
    ("2025年3月14日 下午6:42 充值HK$100", "2025-03-14T18:42"),
    ("2025年3月14日晚上8点05分 充值HK$100", "2025-03-14T20:05"),
    ("2025年3月14日中午12時 充值HK$100", "2025-03-14T12:00"),
    ("2025年3月14日凌晨12:10 充值HK$100", "2025-03-14T00:10"),
    ("Recharged HK$10 at 2025-03-14T18:42+08:00", "2025-03-14T18:42"),
    ("Recharged HK$10 at 2025-03-14T10:42Z", "2025-03-14T18:42"),
    ("Recharged HK$10 on 2025-03-14 10:42 UTC", "2025-03-14T18:42"),
    ("Recharged HK$10 on 2025-03-14 10:42 GMT", "2025-03-14T18:42"),
    ("Recharged HK$10 at 2025-03-14T07:42:00-03:00", "2025-03-14T18:42"),
    ("截至2025年03月13日24时，充值HK$10成功", "2025-03-14T00:00"),
    ("【示例联通】您于2025-03-14 18:42:07 UTC/GMT+8 充值HK$10成功", "2025-03-14T18:42:07"),
    ("于2025-03-14 17:42 UTC + 7 充值HK$10", "2025-03-14T18:42"),
    ("Recharged HK$10 on 2025-03-14 02:42 UTC\u22128", "2025-03-14T18:42"),
    ("Recharged HK$10 on 2025-03-14 19:42 +0900", "2025-03-14T18:42"),
    ("Recharged HK$10 at 2025-03-14T19:42+09", "2025-03-14T18:42"),
    ("交易時間114年03月14日18時42分 加值HK$10", "2025-03-14T18:42"),
    ("2025年3月14日晚6点42分 充值HK$10", "2025-03-14T18:42"),
    ("2025年3月14日夜里11点 充值HK$10", "2025-03-14T23:00"),
    ("2025年3月14日下午两点 充值HK$10", "2025-03-14T14:00"),  # hours and minutes in Chinese numerals
    ("2025年3月14日晚上八点半 充值HK$10", "2025-03-14T20:30"),
    ("2025年3月14日 二十時零五分 充值HK$10", "2025-03-14T20:05"),
    ("114年3月14日下午三點十五分 加值HK$10", "2025-03-14T15:15"),
    ("2025-03-14 PM 6:42 充值HK$10", "2025-03-14T18:42"),
]


@pytest.mark.parametrize(("text", "occurred"), STATED_TIMES, ids=[t[1] + " " + t[0][-24:] for t in STATED_TIMES])
def test_english_month_names_twelve_hour_times_and_offsets_are_read(local_zone, text, occurred):
    assert _read(text, "HK")["occurred_at"].startswith(occurred + ("" if occurred.count(":") == 2 else ":"))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Recharged HK$100.00 on 31/02/2025 10:00", "not a possible date"),
        ("Recharged HK$100.00 on 14 Mrz 2025", "'14 Mrz 2025'"),
        ("Recharged HK$100.00 on 14 Mar 25 18:42", "'14 Mar 25'"),
        ("Recharged HK$100.00 on 14.03.25", "'14.03.25'"),
        ("Recharged HK$100.00 at 18:42, thank you", "'18:42'"),
        ("Recharged HK$100.00 on 13/14/2025", "not a possible date"),
        ("Recharged HK$100.00 on 14/03/2025 18:42 AM", "not a time of day"),
        ("Recharged HK$100.00 at 2025-03-14T10:42:00+15:00", "offset"),
        ("於下午3時15分充值HK$100", "'3時15分'"),
        ("Recharged HK$10 on 2025-03-14 10:00:00-11:00", "range of hours or a UTC offset"),
        ("2025年3月14日晚上12点 充值HK$10", "noon or midnight"),
        ("Topped up HK$50 on 14 Mar", "'14 Mar'"),
        ("Topped up HK$50 on 0001-01-01 00:00 (UTC+14)", "not a year of top-ups"),
        ("Reloaded HK$100 on 14 May. Ref RC123456", "'14 May.'"),
        ("Reloaded HK$100 on May 14. Ref RC123456", "'May 14'"),
        ("Reloaded HK$100 on 14-May-25. Ref RC123456", "'14-May-25'"),
        ("Reloaded HK$100 on 14/03/25.", "'14/03/25'"),
        ("【示例通】充值成功！充值时间：14:05，充值金额HK$100，流水号AB12345678", "'14:05'"),
        ("于2025-03-14 10:42 GMT 8 充值HK$10", "which hour"),
        ("2025年3月14日午夜12点 充值HK$10", "which hour"),
        ("2025年3月14日 三点十五 充值HK$10", "cannot be read for certain"),
        ("2025年3月14日晚上1点 充值HK$10", "after midnight"),  # the small hours, of the 14th or the 15th?
        ("2025年3月14日夜里两点 充值HK$10", "after midnight"),
        ("2025年3月14日上午12点 充值HK$10", "noon or midnight"),
        ("2025年3月14日下午13点 充值HK$10", "not a time of day"),
    ],
)
def test_a_date_that_cannot_be_read_for_certain_needs_at_and_is_never_now(topup_ok, topup, ledger_path, text, shown):
    stderr = _refused(topup_ok, topup, ledger_path, text)
    assert shown in stderr and "--at" in stderr, stderr
    record = log_json(topup_ok, "card", "--sms", text, "--at", "2025-03-14 18:42")
    assert record["occurred_at"] == "2025-03-14T18:42:00+08:00"


def test_an_unreadable_validity_date_needs_valid_until(topup_ok, topup, ledger_path):
    _card(topup_ok, "HK")
    text = "Recharged HK$100.00 on 14/03/2025 18:42, valid until 31/06/2025"
    before = table_dump(ledger_path)
    refused = topup("log", "card", "--sms", text)
    assert refused.exit_code == 1 and "'31/06/2025'" in refused.stderr and "--valid-until" in refused.stderr
    assert table_dump(ledger_path) == before
    record = log_json(topup_ok, "card", "--sms", text, "--valid-until", "2025-06-30")
    assert (record["valid_until"], record["occurred_at"][:16]) == ("2025-06-30", "2025-03-14T18:42")
    named = log_json(topup_ok, "card", "--force", "--sms", "Recharged HK$20 on 15 Mar 2025 10:00. Expiry date: 12 Jun 2026")
    assert named["valid_until"] == "2026-06-12"


def test_the_installed_program_reads_an_english_date(tmp_path):
    env = {"TOPUP_DB": str(tmp_path / "own.db"), "TZ": "Asia/Hong_Kong"}
    assert run_process("card", "add", "sim", "--kind", "sim", "--region", "HK", env=env).returncode == 0
    logged = run_process("log", "sim", "--format", "json", "--sms",
                         "SampleTel: recharged with HK$100.00 on 14 Mar 2025 18:42. Ref no. RC77", env=env)
    assert logged.returncode == 0, logged.stderr
    assert json.loads(logged.stdout)["occurred_at"] == "2025-03-14T18:42:00+08:00"
    refused = run_process("log", "sim", "--sms", "SampleTel: recharged with HK$50.00 at 18:42. Ref no. RC78", env=env)
    assert refused.returncode == 1 and refused.stderr.startswith("error: ") and "--at" in refused.stderr


PASTED = "SampleTel: recharged with HK$100.00 on 14 Mar 2025 18:42. Ref no. RC2503141842. Balance HK$128.50"


@pytest.mark.parametrize("again", [
    PASTED,
    "  " + PASTED.replace(" ", "  ").upper() + "\n",
    PASTED.replace("100.00", "１００.００").replace("Ref", "Re\u200bf"),
    PASTED.replace(". ", ".\n"),
], ids=["as before", "spacing and case", "full width and a zero-width space", "line breaks"])
def test_the_same_message_pasted_again_is_refused_naming_its_record(topup_ok, topup, ledger_path, again):
    _card(topup_ok, "HK")
    first = log_json(topup_ok, "card", "--sms", PASTED)
    before = table_dump(ledger_path)
    refused = topup("log", "card", "--sms", "-", input=again)
    assert refused.exit_code == 1 and f"record {first['id']}" in refused.stderr and "--force" in refused.stderr
    assert table_dump(ledger_path) == before
    forced = topup_ok("log", "card", "--force", "--sms", again)
    assert f"warning: record {first['id']} of this card has the same amount" in forced.stderr


def test_a_message_counts_as_kept_only_on_its_own_card_and_while_its_record_stands(topup_ok, topup):
    _card(topup_ok, "HK", "one")
    _card(topup_ok, "HK", "two")
    first = log_json(topup_ok, "one", "--sms", PASTED)
    assert log_json(topup_ok, "two", "--sms", PASTED)["card"] == "two"
    assert topup("log", "one", "--sms", PASTED).exit_code == 1
    topup_ok("void", str(first["id"]), "--reason", "wrong time")
    assert log_json(topup_ok, "one", "--sms", PASTED)["card"] == "one"


def test_a_message_kept_as_a_text_receipt_file_counts_too(topup_ok, topup, tmp_path):
    _card(topup_ok, "HK")
    saved = tmp_path / "sms.txt"
    saved.write_text(PASTED + "\n", encoding="utf-8")
    record = log_json(topup_ok, "card", "100", "--at", "2025-03-14 18:42", "--receipt", str(saved))
    refused = topup("log", "card", "--sms", PASTED)
    assert refused.exit_code == 1 and f"record {record['id']}" in refused.stderr


def test_the_same_amount_within_ten_minutes_logs_with_a_warning(tmp_path):
    env = {"TOPUP_DB": str(tmp_path / "own.db"), "TZ": "Asia/Hong_Kong"}
    assert run_process("card", "add", "sim", "--kind", "sim", "--region", "HK", env=env).returncode == 0

    def log(*args: str) -> subprocess.CompletedProcess:
        done = run_process("log", "sim", *args, env=env)
        assert done.returncode == 0, done.stderr
        return done

    assert "warning" not in log("100", "--at", "2025-03-14 18:42").stderr
    near = log("HK$100", "--at", "2025-03-14 18:51")
    assert "warning: record 1 of this card has the same amount within 10 minutes" in near.stderr
    assert "void this one: topup void 2 --reason 'logged twice'" in near.stderr
    assert "warning: records 1, 2 of this card have" in log("100.00", "--at", "2025-03-14 18:45").stderr
    assert "warning" not in log("100", "--at", "2025-03-14 19:02").stderr  # eleven minutes after the last
    assert "warning" not in log("50", "--at", "2025-03-14 18:43").stderr
    run_process("void", "1", "--reason", "logged twice", env=env)
    assert "warning: records 2, 3 of" in log("100", "--at", "2025-03-14 18:42").stderr


@pytest.mark.parametrize("text", [
    "Your top-up of HK$20 may take a few minutes. Balance HK$35.00",
    "充值HK$50成功，服务时间08:00-22:00",
    "加值HK$50成功，服務時間8:00~22:00",
    "Top-up HK$50 done. Customer service hours: 09:00-21:00",
    "Recharge of HK$50, 28 days 10GB",
    "Recharge of HK$50 done, app version 8.0.1",
    "充值HK$50，预计24:00前到账",
])
def test_a_message_whose_numbers_are_not_a_date_is_dated_now(topup_ok, text):
    _card(topup_ok, "HK")
    record = log_json(topup_ok, "card", "--sms", text)
    assert record["occurred_at"][:10] == datetime.now().date().isoformat()


@pytest.mark.parametrize(("text", "occurred", "valid_until"), [
    ("【示例移动】您于2025年03月14日10时05分充值HK$50，套餐有效期至2025年12月31日24时。", "2025-03-14", "2025-12-31"),
    ("【示例移动】您于2025年11月20日10时05分充值HK$50，有效期至12月31日。", "2025-11-20", "2025-12-31"),
    ("【示例移动】您于2025年11月20日10时05分充值HK$50，有效期至1月31日。", "2025-11-20", "2026-01-31"),
    ("SampleTel: HK$100 recharged. Valid until 23:59 on 30 Apr 2025. Recharged on 14 Apr 2025 18:42.",
     "2025-04-14", "2025-04-30"),
    ("Topped up HK$50 on 14 Mar 2025 10:00. Expiry date: Dec 31", "2025-03-14", "2025-12-31"),
    ("充值HK$50成功，2025年03月14日10时，有效期：2025年03月14日至2025年04月13日", "2025-03-14", "2025-04-13"),
    ("Recharged HK$50 on 14 Mar 2025 10:00. Your plan will expire on 13 Apr 2025", "2025-03-14", "2025-04-13"),
    ("Recharged HK$50 on 14 Mar 2025 10:00. Good until 13 Apr 2025", "2025-03-14", "2025-04-13"),
    ("Recharged HK$50 on 14 Mar 2025 10:00. Validity: 13/04/2025", "2025-03-14", "2025-04-13"),
])
def test_a_validity_is_read_after_the_top_up_it_belongs_to(topup_ok, text, occurred, valid_until):
    _card(topup_ok, "HK")
    record = log_json(topup_ok, "card", "--sms", text)
    assert (record["occurred_at"][:10], record["valid_until"]) == (occurred, valid_until)


def test_a_validity_ending_before_the_top_up_needs_valid_until(topup_ok, topup, ledger_path):
    _card(topup_ok, "HK")
    before = table_dump(ledger_path)
    refused = topup("log", "card", "--sms", "Topped up HK$50 on 14 Mar 2025 10:00, valid until 2024-12-31")
    assert refused.exit_code == 1 and "before the top-up" in refused.stderr and "--valid-until" in refused.stderr
    assert table_dump(ledger_path) == before


def test_a_validity_without_a_year_follows_the_time_given_with_at(topup_ok, topup, ledger_path):
    _card(topup_ok, "HK")
    text = "【示例移动】充值HK$100成功，有效期至01月31日。流水号AB12345678"
    record = log_json(topup_ok, "card", "--sms", text, "--at", "2024-12-10 10:00")
    assert record["valid_until"] == "2025-01-31"
    before = table_dump(ledger_path)
    late = topup("log", "card", "--sms", "【示例移动】充值HK$100成功，有效期至2024年01月31日。流水号AB1234599",
                 "--at", "2024-12-10 10:00")
    assert late.exit_code == 1 and "before the top-up" in late.stderr
    assert table_dump(ledger_path) == before


def test_a_message_naming_no_time_or_reference_may_recur(topup_ok):
    _card(topup_ok, "HK")
    generic = "【示例移动】您已成功充值HK$50，感谢您的使用。"
    first = log_json(topup_ok, "card", "--sms", generic, "--at", "2025-03-01 10:00")
    again = topup_ok("log", "card", "--sms", generic, "--at", "2025-04-01 10:00")
    assert again.stdout.strip() == str(first["id"] + 1)


def test_a_line_break_between_chinese_characters_does_not_make_another_message(topup_ok, topup):
    _card(topup_ok, "HK")
    text = "【示例移动】您于2025年03月14日10时05分充值HK$50，流水号ZX12345，感谢您的使用。"
    log_json(topup_ok, "card", "--sms", text)
    refused = topup("log", "card", "--sms", text.replace("，感谢", "，\r\n感谢"))
    assert refused.exit_code == 1 and "already kept with record 1" in refused.stderr


def test_a_message_naming_a_balance_is_not_kept_twice(topup_ok, topup):
    _card(topup_ok, "HK")
    text = "八達通：增值HK$200.00成功，八達通餘額為HK$215.30。"
    log_json(topup_ok, "card", "--sms", text, "--at", "2025-03-14 10:00")
    refused = topup("log", "card", "--sms", text, "--at", "2025-03-13 10:00")
    assert refused.exit_code == 1 and "already kept with record 1" in refused.stderr
