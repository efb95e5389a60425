import pytest

from ledger.domain.channels import Channel, parse_channel
from ledger.domain.values import CardKind, clean_ref, clean_text, fold_width, mask_number, parse_card_number
from ledger.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("wechat", Channel.wechat), ("WeChat Pay", Channel.wechat), ("微信", Channel.wechat),
        ("支付寶", Channel.alipay), ("支付宝", Channel.alipay), ("短信", Channel.sms), ("營業廳", Channel.store),
        ("营业厅", Channel.store), ("便利店", Channel.store), ("自助終端", Channel.kiosk), ("自助终端", Channel.kiosk),
        ("自動充值", Channel.auto), ("自动充值", Channel.auto), ("淘寶", Channel.marketplace),
        ("淘宝", Channel.marketplace), ("京東", Channel.marketplace), ("京东", Channel.marketplace),
        ("JD", Channel.marketplace), (" Kiosk ", Channel.kiosk), ("ｗｅｃｈａｔ", Channel.wechat),
        ("auto-reload", Channel.auto), ("online", Channel.online), ("网上银行", Channel.online),
    ],
)
def test_channels_are_read_from_names_and_aliases(text, channel):
    assert parse_channel(text) is channel


def test_an_unknown_channel_lists_the_names():
    with pytest.raises(InvalidInput, match="store, online, app"):
        parse_channel("carrier pigeon")


@pytest.mark.parametrize(
    ("kind", "text", "region", "stored"),
    [
        (CardKind.sim, "9123 4567", "HK", "+85291234567"),
        (CardKind.sim, "+852 9123-4567", None, "+85291234567"),
        (CardKind.sim, "138 0013 8000", "CN", "+8613800138000"),
        (CardKind.sim, "0912 345 678", "TW", "+886912345678"),
        (CardKind.sim, "6612 3456", "MO", "+85366123456"),
        (CardKind.sim, "+1 201 555 0123", None, "+12015550123"),  # a US number may be either
        (CardKind.sim, "８９８５ ２０００ １２３４ ５６７８ ９０１３", None, "89852000123456789013"),
        (CardKind.smart, "1234 5678(3)", None, "123456783"),
        (CardKind.smart, "ab-12-cd", None, "AB12CD"),
    ],
)
def test_card_numbers_are_checked_and_normalised(kind, text, region, stored):
    assert parse_card_number(kind, text, region) == stored


@pytest.mark.parametrize(
    ("kind", "text", "region", "reason"),
    [
        (CardKind.sim, "12345", "HK", "not a valid phone number"),
        (CardKind.sim, "91234567", None, "region"),
        (CardKind.sim, "2123 4567", "HK", "not a mobile number in HK"),  # a Hong Kong landline
        (CardKind.sim, "021 1234 5678", "CN", "not a mobile number in CN"),  # a Shanghai landline
        (CardKind.sim, "+886 2 2345 6789", None, "not a mobile number in TW"),  # a Taipei landline
        (CardKind.sim, "+44 20 7123 4567", "HK", "not a mobile number in GB"),  # the country code decides
        (CardKind.sim, "89852000123456789012", None, "check digit"),
        (CardKind.smart, "12", None, "4 to 24"),
        (CardKind.smart, "1" * 25, None, "4 to 24"),
        (CardKind.smart, "12#45", None, "4 to 24"),
    ],
)
def test_wrong_card_numbers_are_refused(kind, text, region, reason):
    with pytest.raises(InvalidInput, match=reason):
        parse_card_number(kind, text, region)


def test_masking_shows_only_the_last_four():
    assert mask_number("+85291234567") == "****4567"
    assert mask_number(None) is None


def test_free_text_is_kept_but_hidden_content_is_refused():
    assert clean_text("  在深圳\r\n用短信充值  ", "note", 100) == "在深圳\n用短信充值"
    assert clean_text("e\u0301", "note", 10) == "\u00e9"  # NFC
    for bad in ("a\x00b", "a\x1bb", "a\u202eb", "a\u2066b"):
        with pytest.raises(InvalidInput):
            clean_text(bad, "note", 100)
    with pytest.raises(InvalidInput, match="limit is 5"):
        clean_text("abcdef", "note", 5)


def test_references_lose_width_and_invisible_characters():
    assert clean_ref("\u200bＷＸ４２００\ufeff ") == "WX4200"
    assert clean_ref("  ") is None
    assert fold_width("ＨＫ＄１００\u3000") == "HK$100 "
