"""One channel vocabulary: every name resolves to the same channel through `--channel`, an import and
a pasted message (or, for the few too common in unrelated text, is not read from a message at all)."""

import json

import pytest

from ledger.domain.channels import ALIASES, NOT_IN_MESSAGES, Channel, channel_in_message, names

EVERY_NAME = [(channel, name) for channel in ALIASES for name in names(channel)]


@pytest.fixture
def card(topup_ok):
    topup_ok("card", "add", "octopus", "--kind", "smart", "--region", "HK")
    return "octopus"


def test_every_name_means_the_same_channel_in_an_option_an_import_and_a_message(topup_ok, card, tmp_path):
    by_option = {}
    for n, (_, name) in enumerate(EVERY_NAME):
        by_option[name] = json.loads(topup_ok("log", card, "1", "--channel", name, "--ref", f"OPT{n}",
                                              "--format", "json").stdout)["channel"]
    rows = "".join(f'2025-01-01 10:{n % 60:02d},{card},2,"{name}",IMP{n}\n' for n, (_, name) in enumerate(EVERY_NAME))
    bill = tmp_path / "bill.csv"
    bill.write_text("occurred_at,card,amount,channel,ref\n" + rows, encoding="utf-8")
    topup_ok("import", str(bill))
    imported = {r["ref"]: r["channel"] for r in json.loads(topup_ok("search", "IMP", "--format", "json").stdout)}
    by_message = {}
    for n, (_, name) in enumerate(EVERY_NAME):
        text = f"Top-up HK$3.00 via {name} done. Ref MSG{n}"
        by_message[name] = json.loads(topup_ok("log", card, "--sms", text, "--format", "json").stdout)["channel"]
    for n, (channel, name) in enumerate(EVERY_NAME):
        assert by_option[name] == channel.value, name
        assert imported[f"IMP{n}"] == channel.value, name
        assert by_message[name] == (Channel.other.value if name in NOT_IN_MESSAGES else channel.value), name


@pytest.mark.parametrize(("text", "channel"), [
    ("您于2025年03月14日在商城充值50元", Channel.marketplace),  # a marketplace's own shop word
    ("Reloaded at FamilyMart, HK$50", Channel.store),
    ("Paid via Shopee HK$50", Channel.marketplace),
    ("Auto top-up HK$250 charged to Alipay", Channel.auto),  # the order of precedence
    ("Charged HK$711.00 on 7/11", None),  # 711 is an amount and a date here, not the store
    ("Your application for HK$50 top-up", None),  # too common a word to name a channel
    ("尾号1234的银行卡充值50元", None),
    ("For your convenience, HK$50 was added", None),
    ("Recharged HK$100.00 online with the SampleTel App", Channel.app),  # 'online' is just a word here
    ("Shop online or visit a store: HK$50 added", None),
    ("您于2025年11月20日通过中国移动APP充值100元", Channel.app),  # Latin right beside Chinese
    ("已通过淘宝JD充值", Channel.marketplace),
    ("充值HK$711.00成功", None),
    ("您尾号1234的银联卡于2025年03月14日充值50元", None),  # the card's network, not the app that paid
    ("已於台北市中山路街口門市加值NT$500", Channel.store),  # a street corner, not JKOPAY
    ("Octopus AAVS: HK$250 added on 14 Mar 2025", Channel.auto),
])
def test_a_message_names_a_channel_only_by_a_clear_word(text, channel):
    assert channel_in_message(text) == channel


def test_no_two_channels_share_a_name():
    from ledger.domain.channels import _key

    meanings: dict[str, set[Channel]] = {}
    for channel, name in EVERY_NAME:
        meanings.setdefault(_key(name), set()).add(channel)
    assert {key: found for key, found in meanings.items() if len(found) > 1} == {}


@pytest.mark.parametrize(("name", "channel", "paid_with"), [
    ("PayMe", "app", "PayMe"), ("payme", "app", "PayMe"), ("轉數快", "online", "轉數快"), ("FPS", "online", "FPS"),
    ("转数快", "online", "转数快"), ("八達通App", "app", "八達通 App"), ("Octopus App", "app", "Octopus App"),
    ("AlipayHK", "alipay", "AlipayHK"), ("支付寶香港", "alipay", "支付寶香港"), ("支付宝", "alipay", None),
    ("WeChat Pay HK", "wechat", "WeChat Pay HK"), ("微信支付香港", "wechat", "微信支付香港"), ("微信", "wechat", None),
    ("街口支付", "app", "街口支付"), ("JKOPAY", "app", "JKOPAY"), ("LINE Pay", "app", "LINE Pay"),
    ("悠遊付", "app", "悠遊付"), ("Easy Wallet", "app", "Easy Wallet"), ("全支付", "app", "全支付"),
    ("PX Pay", "app", "PX Pay"), ("云闪付", "app", "云闪付"), ("雲閃付", "app", "雲閃付"), ("UnionPay", "app", "UnionPay"),
    ("信用卡", "online", "信用卡"), ("Credit Card", "online", "credit card"), ("全家", "store", None),
    ("FamilyMart", "store", None), ("OK便利店", "store", None), ("OK超商", "store", None), ("OK Mart", "store", None),
    ("萊爾富", "store", None), ("莱尔富", "store", None), ("Hi-Life", "store", None), ("app", "app", None),
    # Short forms people type: Octopus's automatic add value service, UnionPay, JKOPAY, the HK wallets.
    ("AAVS", "auto", None), ("銀聯", "online", "銀聯"), ("银联", "online", "银联"), ("街口", "app", "街口"),
    ("支付寶HK", "alipay", "支付寶HK"), ("支付宝 HK", "alipay", "支付宝HK"), ("微信支付HK", "wechat", "微信支付HK"),
])
def test_a_channel_named_by_what_paid_keeps_that_too(topup_ok, card, name, channel, paid_with):
    record = json.loads(topup_ok("log", card, "10", "--channel", name, "--format", "json").stdout)
    assert (record["channel"], record["paid_with"]) == (channel, paid_with)


def test_what_paid_given_wins_and_an_amendment_fills_only_what_is_unknown(topup_ok, card):
    given = json.loads(topup_ok("log", card, "10", "--channel", "PayMe", "--paid-with", "HSBC Visa (1234)",
                                "--format", "json").stdout)
    assert (given["channel"], given["paid_with"]) == ("app", "HSBC Visa (1234)")
    topup_ok("log", card, "20", "--channel", "store")
    topup_ok("amend", "2", "--channel", "AlipayHK", "--reason", "paid in AlipayHK at the counter")
    topup_ok("amend", "1", "--channel", "FPS", "--reason", "it was a bank transfer")
    found = {r["id"]: (r["channel"], r["paid_with"]) for r in json.loads(topup_ok("search", "--format", "json").stdout)}
    assert found == {1: ("online", "HSBC Visa (1234)"), 2: ("alipay", "AlipayHK")}
    topup_ok("log", card, "30", "--channel", "store")
    topup_ok("amend", "3", "--channel", "PayMe", "--paid-with", "", "--reason", "by PayMe, but not from its wallet")
    assert json.loads(topup_ok("show", "3", "--format", "json").stdout)["paid_with"] is None  # left unknown as asked


def test_an_import_keeps_what_its_channel_names_as_paying(topup_ok, card, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("occurred_at,card,amount,channel,paid_with,ref\n"
                    "2025-05-01 08:00,octopus,30,街口支付,,R1\n2025-05-01 09:00,octopus,40,PayMe,中信卡(1111),R2\n"
                    "2025-05-01 10:00,octopus,50,7-Eleven,,R3\n", encoding="utf-8")
    topup_ok("import", str(rows))
    found = {r["ref"]: (r["channel"], r["paid_with"]) for r in json.loads(topup_ok("search", "--format", "json").stdout)}
    assert found == {"R1": ("app", "街口支付"), "R2": ("app", "中信卡(1111)"), "R3": ("store", None)}


@pytest.mark.parametrize(("text", "channel", "paid_with"), [
    ("您于2025年03月14日充值HK$50.00，付款方式：招商银行储蓄卡(4523)，交易单号XY20250314", None, "招商银行储蓄卡(4523)"),
    ("充值成功\n面值：HK$50.00\n支付方式：零钱\n交易单号：4200001234", None, "零钱"),
    ("Top-up HK$100.00 successful. Paid with PayMe on 14 Mar 2025. Ref RC123456", "app", "PayMe"),
    ("Payment method: Visa ending 1234. Recharged HK$50.00. Ref no. RC777888", None, "Visa ending 1234"),
    ("已透過街口支付加值HK$500，交易編號JK20250314001", "app", "街口支付"),
    ("AlipayHK: HK$50.00 top-up to SampleTel done. Ref AH99887766", "alipay", "AlipayHK"),
    ("已於萊爾富增值HK$300，交易序號HL123456", "store", None),
    ("充值HK$50成功，祝您全家幸福。流水号QQ123456", None, None),  # 全家 is the whole family here
    ("Recharged HK$50.00. You may also top up by credit card at our website. Ref RC42", None, None),
    ("Please pay by 31 Mar 2025: top-up HK$50.00 pending. Ref RC43", None, None),  # a date is not what paid
])
def test_a_message_says_what_paid_when_it_names_it(topup_ok, card, text, channel, paid_with):
    record = json.loads(topup_ok("log", card, "--sms", text, "--at", "2025-03-14 10:00", "--format", "json").stdout)
    assert (record["channel"], record["paid_with"]) == (channel or "other", paid_with)


@pytest.mark.parametrize(("cell", "kept"), [
    ("招商银行(4523)", "招商银行(4523)"), ("招商银行（4523）\t", "招商银行(4523)"), ("零钱", "零钱"), (" 余额宝 ", "余额宝"),
    ("花呗", "花呗"), ("中国银行 储蓄卡\n(8765)", "中国银行 储蓄卡 (8765)"), ("/", None), ("", None), (None, None), ("-", None),
])
def test_a_bills_payment_cell_is_kept_as_what_paid(cell, kept):
    from ledger.domain.channels import paid_with_text

    assert paid_with_text(cell) == kept


def test_a_channel_named_by_what_paid_finds_what_it_paid_for(topup_ok, card):
    topup_ok("log", card, "10", "--channel", "PayMe")
    topup_ok("log", card, "20", "--channel", "云闪付")
    topup_ok("log", card, "30", "--channel", "app", "--paid-with", "payme")
    topup_ok("log", card, "40", "--channel", "app")

    def found(*args: str) -> list[str]:
        return sorted(r["amount"] for r in json.loads(topup_ok("search", *args, "--format", "json").stdout))

    assert found("--channel", "PayMe") == ["10.00", "30.00"]
    topup_ok("log", card, "50", "--channel", "轉數快")
    topup_ok("log", card, "60", "--channel", "FPS")
    topup_ok("log", card, "70", "--channel", "街口")
    for name in ("转数快", "FPS", "Faster Payment System", "轉數快"):  # one service, found by any of its names
        assert found("--channel", name) == ["50.00", "60.00"], name
    assert found("--channel", "街口支付") == ["70.00"]
    assert found("--channel", "雲閃付") == ["20.00"]
    assert found("--channel", "app") == ["10.00", "20.00", "30.00", "40.00", "70.00"]
    assert topup_ok("export", "--channel", "ＰａｙＭｅ", "--no-guard").stdout.count("\n") == 3  # a header and two


def test_a_chain_of_stores_as_the_channel_is_kept_as_where_unless_told_otherwise(topup_ok, topup, card, tmp_path):
    def record(record_id: int) -> tuple:
        shown = json.loads(topup_ok("show", str(record_id), "--format", "json").stdout)
        return shown["channel"], shown["merchant"]

    topup_ok("log", card, "10", "--channel", "全家")
    topup_ok("log", card, "20", "--channel", "７－１１", "--merchant", "7-Eleven 旺角店")
    topup_ok("log", card, "30", "--channel", "便利店")  # a kind of store, not which one
    assert [record(i) for i in (1, 2, 3)] == [("store", "全家"), ("store", "7-Eleven 旺角店"), ("store", None)]
    topup_ok("amend", "3", "--channel", "Circle K", "--reason", "the receipt names the store")
    refused = topup("amend", "2", "--channel", "萊爾富", "--reason", "another chain")
    assert refused.exit_code == 1 and "changes nothing" in refused.stderr  # the merchant it has is kept
    assert [record(i) for i in (2, 3)] == [("store", "7-Eleven 旺角店"), ("store", "Circle K")]
    rows = tmp_path / "rows.csv"
    rows.write_text("occurred_at,card,amount,channel,merchant\n2025-05-01 08:00,octopus,40,OK便利店,\n",
                    encoding="utf-8")
    topup_ok("import", str(rows))
    assert record(4) == ("store", "OK便利店")
