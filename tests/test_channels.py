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
])
def test_a_message_names_a_channel_only_by_a_clear_word(text, channel):
    assert channel_in_message(text) == channel


def test_no_two_channels_share_a_name():
    from ledger.domain.channels import _key

    meanings: dict[str, set[Channel]] = {}
    for channel, name in EVERY_NAME:
        meanings.setdefault(_key(name), set()).add(channel)
    assert {key: found for key, found in meanings.items() if len(found) > 1} == {}
