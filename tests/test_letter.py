"""summary.html, the dispute pack's letter: its language, the card number, receipts inline, nothing active."""

import base64
import hashlib
import re
import subprocess
import zipfile

import pytest

from ledger.i18n import _, speaking
from tests.conftest import page_text, table_dump

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
                    "9c63f8cfc000000301010018dd8db00000000049454e44ae426082")


def _letter(topup_ok, tmp_path, *args: str) -> str:
    pack = tmp_path / "pack.zip"
    pack.unlink(missing_ok=True)
    topup_ok("export", "--dispute", *args, "--output", str(pack))
    with zipfile.ZipFile(pack) as opened:
        return opened.read("summary.html").decode()


@pytest.mark.parametrize(("card", "expected"), [
    (["--kind", "smart", "--region", "HK"], "zh-Hant"),
    (["--kind", "sim", "--region", "CN", "--number", "13800138000"], "zh-Hans"),
    (["--kind", "smart", "--currency", "MOP"], "zh-Hant"),
    (["--kind", "smart", "--currency", "CNY"], "zh-Hans"),
    (["--kind", "smart", "--region", "JP"], "en"),
    (["--kind", "smart", "--currency", "USD"], "en"),
])
def test_the_letter_is_in_the_language_of_the_cards_region_or_currency(topup_ok, tmp_path, card, expected):
    topup_ok("card", "add", "卡", *card)
    topup_ok("log", "卡", "100", "--at", "2025-03-01 10:00")
    page = _letter(topup_ok, tmp_path, "1")
    assert f'<html lang="{expected}">' in page
    with speaking(expected):
        heading = _("Top-up records for a dispute")
    assert page_text(page).splitlines()[0] == heading and (expected == "en") == heading.isascii()


@pytest.mark.parametrize(("typed", "expected", "amount_heading"), [
    ("en", "en", "Amount credited"), ("English", "en", "Amount credited"), ("zh_TW", "zh-Hant", "到帳金額"),
    ("zh-Hant", "zh-Hant", "到帳金額"), ("ＺＨ－ＣＮ", "zh-Hans", "到账金额"), ("简体", "zh-Hans", "到账金额"),
])
def test_lang_chooses_the_language_however_it_is_written(topup_ok, hk_card, tmp_path, typed, expected, amount_heading):
    topup_ok("log", hk_card, "250", "--at", "2025-03-01 10:00", "--paid", "245")
    text = page_text(_letter(topup_ok, tmp_path, "1", "--lang", typed))
    assert f"{amount_heading}\n250.00 HKD" in text
    assert {"en": "Paid", "zh-Hant": "實付金額", "zh-Hans": "实付金额"}[expected] + "\n245.00 HKD" in text


def test_a_language_it_is_not_written_in_and_letter_options_without_a_pack_are_refused(topup, topup_ok, hk_card,
                                                                                       tmp_path, ledger_path):
    topup_ok("log", hk_card, "100")
    before = table_dump(ledger_path)
    refused = topup("export", "--dispute", "1", "--output", str(tmp_path / "p.zip"), "--lang", "fr")
    assert refused.exit_code == 1 and "error: --lang 'fr'" in refused.stderr and "zh-Hant, zh-Hans, en" in refused.stderr
    assert not (tmp_path / "p.zip").exists() and table_dump(ledger_path) == before
    for option in (["--lang", "en"], ["--reveal"], ["--name", "Chan"]):
        alone = topup("export", *option)
        assert alone.exit_code == 1 and "give them with --dispute" in alone.stderr and alone.stdout == ""
    controlled = topup("export", "--dispute", "1", "--output", str(tmp_path / "p.zip"), "--name", "Chan\x1b[2J")
    assert controlled.exit_code == 1 and controlled.stderr.startswith("error: ")
    assert table_dump(ledger_path) == before


def test_the_card_number_is_masked_unless_revealed_and_the_writer_named(topup_ok, tmp_path):
    topup_ok("card", "add", "手机", "--kind", "sim", "--region", "CN", "--number", "138 0013 8000")
    topup_ok("log", "手机", "100", "--channel", "微信", "--ref", "4200001234")
    masked = page_text(_letter(topup_ok, tmp_path, "1"))
    assert "卡号\n****8000" in masked and "13800138000" not in masked and "申诉人\n日期" in masked
    assert "渠道\n微信支付" in masked and "结果\n已到账" in masked and "交易单号\n4200001234" in masked
    revealed = page_text(_letter(topup_ok, tmp_path, "1", "--reveal", "--name", "陈大文 <a@b.cn>"))
    assert "卡号\n+8613800138000" in revealed and "申诉人\n陈大文 <a@b.cn>" in revealed


def test_receipts_are_listed_with_digests_pictures_inline_and_nothing_active(topup_ok, hk_card, tmp_path):
    files = {"photo.png": PNG, "not-really.png": b"GIF89 this is text",
             "map.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
             "bill.pdf": b"%PDF-1.4\n%%EOF\n"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    topup_ok("log", hk_card, "100", "--note", "第一行\n<script>alert(2)</script>", "--sms",
             "【八達通】增值 HK$100 成功 <img src=x onerror=alert(3)>",
             *[arg for name in files for arg in ("--receipt", str(tmp_path / name))])
    page = _letter(topup_ok, tmp_path, "1")
    pictures = re.findall(r'<img src="data:([^;"]+);base64,([^"]+)"', page)
    assert pictures == [("image/png", base64.b64encode(PNG).decode())]  # only the bytes that are a picture
    assert "<script" not in page.lower() and "<svg" not in page.lower() and "onerror=alert" not in page.replace(
        "&lt;img src=x onerror=alert(3)&gt;", "")
    assert "default-src 'none'; img-src data:" in page
    text = page_text(page)
    assert "備註\n第一行\n<script>alert(2)</script>" in text
    assert "【八達通】增值 HK$100 成功 <img src=x onerror=alert(3)>" in text  # the pasted message, as text
    for name in ("photo.png", "map.svg", "bill.pdf"):
        assert f"receipts/record-1/{name}" in text
    listed = set(re.findall(r"SHA-256\n([0-9a-f]{64})", text))
    assert {hashlib.sha256(data).hexdigest() for data in files.values()} <= listed


def test_every_version_is_shown_with_its_reason_and_a_void_record_is_marked(topup_ok, hk_card, tmp_path):
    topup_ok("log", hk_card, "100", "--at", "2025-03-14 18:42")
    topup_ok("log", hk_card, "50", "--at", "2025-03-15 09:00")
    topup_ok("amend", "1", "--amount", "120", "--outcome", "pending", "--reason", "收據寫 120")
    topup_ok("void", "2", "--reason", "logged twice")
    text = page_text(_letter(topup_ok, tmp_path, "1", "2", "--lang", "en"))
    first, second = text.split("Record 2")
    assert "When\n2025-03-14 18:42:00 (UTC+08:00)" in first and "VOID" not in first
    assert re.search(r"logged · 100\.00 HKD, credited\n.* · amended · 120\.00 HKD, pending · changed: amount credited, "
                     r"outcome · 收據寫 120", first)
    assert second.lstrip().startswith("VOID: this record was voided") and "voided · 50.00 HKD" in second


def test_an_imported_record_says_so_in_each_language(topup_ok, hk_card, tmp_path):
    bill = tmp_path / "records.csv"
    bill.write_text("card,amount,occurred_at,channel,ref\nOctopus,80,2025-03-01T09:00:00+08:00,kiosk,K-1\n",
                    encoding="utf-8")
    topup_ok("import", str(bill))
    for language, imported in (("en", "imported"), ("zh-Hant", "已匯入"), ("zh-Hans", "已导入")):
        history = page_text(_letter(topup_ok, tmp_path, "1", "--lang", language)).splitlines()
        assert any(f" · {imported} · 80.00 HKD" in line for line in history), history


def test_the_seal_fingerprint_in_the_letter_is_the_one_openssh_prints(topup_ok, hk_card, tmp_path):
    topup_ok("log", hk_card, "100")
    pack = tmp_path / "pack.zip"
    topup_ok("export", "--dispute", "1", "--output", str(pack))
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(pack) as opened:
        opened.extractall(unpacked)
    printed = subprocess.run(["ssh-keygen", "-l", "-f", "seal.pub"], cwd=unpacked, capture_output=True, text=True)
    assert printed.returncode == 0, printed.stderr
    fingerprint = printed.stdout.split()[1]
    assert fingerprint.startswith("SHA256:") and fingerprint in page_text((unpacked / "summary.html").read_text())
    assert "ssh-keygen -l -f seal.pub" in (unpacked / "CHECK.txt").read_text()
