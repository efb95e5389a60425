"""The reader's language: chosen by --lang, TOPUP_LANG or the locale on the command line, by the
switch or Accept-Language in a browser; every catalog whole; and Chinese found in either script."""

from __future__ import annotations

import json
import re

import pytest

from ledger.i18n import language_accepted, language_of_environment, language_of_locale
from tests.conftest import page_text, run_process

CLEAN_LOCALE = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8", "TOPUP_LANG": ""}


@pytest.mark.parametrize(("name", "expected"), [
    ("zh_TW.UTF-8", "zh-Hant"), ("zh_HK.Big5-HKSCS", "zh-Hant"), ("zh_MO", "zh-Hant"), ("zh-Hant-CN", "zh-Hant"),
    ("yue-HK", "zh-Hant"), ("zh_CN.GB18030", "zh-Hans"), ("zh_SG", "zh-Hans"), ("zh", "zh-Hans"),
    ("zh-Hans-HK", "zh-Hans"), ("en_US.UTF-8", "en"), ("C", None), ("fr_FR", None), ("", None),
])
def test_a_locale_names_a_language(name, expected):
    assert language_of_locale(name) == expected


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANGUAGE": "fr:zh_TW", "LANG": "en_US.UTF-8"}, "zh-Hant"),
    ({"LC_ALL": "zh_CN.UTF-8", "LANG": "zh_TW.UTF-8"}, "zh-Hans"),
    ({"LC_MESSAGES": "zh_HK.UTF-8", "LANG": "C"}, "zh-Hant"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({}, "en"),
])
def test_the_locale_variables_choose_in_gettexts_order(environ, expected):
    assert language_of_environment(environ) == expected


@pytest.mark.parametrize(("header", "expected"), [
    ("zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", "zh-Hant"), ("fr, en;q=0.5, zh-CN;q=0.7", "zh-Hans"),
    ("en;q=0, zh-HK", "zh-Hant"), ("de, *", None), ("", None), ("zh-CN;q=nonsense, en", "en"),
])
def test_a_browser_is_answered_in_the_first_language_it_accepts(header, expected):
    assert language_accepted(header) == expected


def _said(*args: str, env: dict[str, str] | None = None):
    return run_process(*args, env={**CLEAN_LOCALE, **(env or {})})


def test_lang_tops_topup_lang_which_tops_the_locale(hk_card):
    missing = ("show", "99")
    assert "沒有紀錄 99" in _said("--lang", "zh-Hant", *missing, env={"TOPUP_LANG": "en"}).stderr
    assert "没有记录 99" in _said(*missing, env={"TOPUP_LANG": "zh-CN", "LANG": "zh_TW.UTF-8"}).stderr
    assert "沒有紀錄 99" in _said(*missing, env={"LANG": "zh_HK.UTF-8"}).stderr
    english = _said(*missing, env={"LANG": "fr_FR.UTF-8"})
    assert english.stderr.startswith("error: there is no record 99") and english.returncode == 1
    for language in ("zh-Hant", "zh-Hans"):
        assert _said("--lang", language, *missing).stderr.startswith("error: ")  # what programs read stays


@pytest.mark.parametrize("named", [("--lang", "klingon"), ("--lang=xx",)])
def test_an_unknown_lang_is_a_usage_error(named, ledger_path):
    refused = _said(*named, "search")
    assert refused.returncode == 2 and "is not a language topup speaks" in refused.stderr
    assert not ledger_path.exists()


def test_an_unknown_topup_lang_is_a_usage_error_naming_it(ledger_path):
    refused = _said("search", env={"TOPUP_LANG": "fr"})
    assert refused.returncode == 2 and "TOPUP_LANG" in refused.stderr and "'fr'" in refused.stderr


@pytest.mark.parametrize(("language", "words"), [
    ("zh-Hant", ("用法：", "選項", "指令", "顯示此說明並結束")),
    ("zh-Hans", ("用法：", "选项", "命令", "显示此帮助并退出")),
])
def test_help_is_in_the_readers_language_frame_and_all(language, words):
    shown = _said("--lang", language, "--help").stdout + _said("--lang", language, "log", "--help").stdout
    for word in words:
        assert word in shown, word
    english = [line for line in shown.splitlines() if re.search(r"\b(the|a|of|and|Show|Usage|Options)\b", line)]
    assert not english, english


def test_a_dispute_letters_own_lang_is_not_the_interface_language(topup_ok, hk_card, tmp_path):
    topup_ok("log", hk_card, "100")
    pack = tmp_path / "pack.zip"
    done = _said("--lang", "en", "export", "--dispute", "1", "--output", str(pack), "--lang", "zh-Hans")
    assert done.returncode == 0 and pack.exists() and "dispute pack" in done.stderr


def test_tables_name_channels_and_outcomes_in_the_readers_language_and_json_keeps_the_stored_words(topup_ok, hk_card):
    topup_ok("log", hk_card, "100", "--channel", "kiosk", "--outcome", "pending")
    table = _said("--lang", "zh-Hant", "search", "--format", "table").stdout
    assert "自助增值機" in table and "kiosk" not in table
    shown = _said("--lang", "zh-Hant", "show", "1").stdout
    assert "處理中" in shown and "到帳金額" in shown and "pending" not in shown
    for language in ("zh-Hant", "zh-Hans", "en"):
        (record,) = json.loads(_said("--lang", language, "search", "--format", "json").stdout)
        assert (record["channel"], record["outcome"]) == ("kiosk", "pending")
        assert _said("--lang", language, "export").stdout == _said("export").stdout


@pytest.mark.parametrize(("typed", "stored"), [
    ("车站", "旺角車站增值機"), ("車站", "深圳北站 车站"), ("增值机", "旺角車站增值機"), ("增值機", "自助增值机"),
    ("站", "旺角車站增值機"), ("臺灣", "台湾高铁"), ("台湾", "臺灣高鐵"), ("頭髮", "理发店 头发"),
    ("洗头发", "洗頭髮店"), ("銅鑼灣站", "铜锣湾站 B 出口"), ("铜锣湾站", "銅鑼灣站 B 出口"),
    ("干发台里系", "幹髮檯裡係"),  # more spellings than are listed: found in the folded text
])
def test_traditional_and_simplified_find_each_other(topup_ok, hk_card, typed, stored):
    topup_ok("log", hk_card, "100", "--note", stored)
    topup_ok("log", hk_card, "50", "--note", "無關 unrelated")
    (found,) = json.loads(topup_ok("search", typed, "--format", "json").stdout)
    assert found["note"] == stored


def test_a_word_in_either_script_is_every_spelling_of_it_and_folds_to_one():
    from ledger.chinese import MAX_SPELLINGS, folded, spellings

    assert spellings("车站") == ["车站", "車站"] and spellings("車站") == ["車站", "车站"]
    assert set(spellings("头发")) >= {"头发", "頭髮", "頭發"} and spellings("ref-42") == ["ref-42"]
    assert spellings("干发台里系") is None and len(spellings("八达通")) <= MAX_SPELLINGS
    assert folded("八達通 車站 綫 線 ＡＢ") == "八达通 车站 线 线 ＡＢ"


def test_the_table_is_kept_in_the_cache_and_one_that_is_not_the_users_own_is_not_read(tmp_path):
    import subprocess
    import sys

    def fold() -> str:
        script = "from ledger.chinese import folded; print(folded('車站'))"
        env = {**CLEAN_LOCALE, "XDG_CACHE_HOME": str(tmp_path / "cache")}
        return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True).stdout

    assert fold() == "车站\n"
    (kept,) = (tmp_path / "cache" / "topup-ledger").glob("chinese-scripts-*.txt")
    assert kept.stat().st_mode & 0o777 == 0o600 and "车車\n" in kept.read_text(encoding="utf-8")
    kept.write_text("X車\n", encoding="utf-8")  # a table kept by the user is read as it is
    assert fold() == "X站\n"
    kept.chmod(0o666)  # one anybody could have written is not
    assert fold() == "车站\n"
    kept.write_bytes(b"\xff\xfe not UTF-8")
    kept.chmod(0o600)
    assert fold() == "车站\n"


def test_a_card_is_found_by_its_label_in_the_other_script(topup_ok):
    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK")
    logged = json.loads(topup_ok("log", "八达通", "50", "--format", "json").stdout)
    assert logged["card"] == "八達通"
    assert [r["id"] for r in json.loads(topup_ok("search", "八达通", "--format", "json").stdout)] == [logged["id"]]


def test_a_label_in_both_scripts_is_two_cards_and_each_is_found_by_its_own(topup_ok):
    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK")
    topup_ok("card", "add", "八达通", "--kind", "smart", "--region", "CN")
    assert json.loads(topup_ok("log", "八达通", "5", "--format", "json").stdout)["currency"] == "CNY"
    assert json.loads(topup_ok("log", "八達通", "5", "--format", "json").stdout)["currency"] == "HKD"


def test_the_index_verifies_after_a_note_in_chinese_is_amended(topup_ok, hk_card):
    topup_ok("log", hk_card, "100", "--note", "旺角車站")
    topup_ok("amend", "1", "--note", "铜锣湾站", "--reason", "wrong station")
    assert json.loads(topup_ok("search", "銅鑼灣", "--format", "json").stdout)[0]["id"] == 1
    assert json.loads(topup_ok("search", "铜锣湾", "--format", "json").stdout)[0]["id"] == 1
    assert not json.loads(topup_ok("search", "旺角", "--format", "json").stdout)
    assert "ok:" in topup_ok("verify").stderr


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_every_message_has_a_translation_in_each_chinese_catalog(language):
    from pathlib import Path

    from babel.messages.pofile import read_po

    with open(Path(__file__).parents[1] / "ledger" / "i18n" / "locale" / language / "LC_MESSAGES" / "topup.po",
              "rb") as f:
        untranslated = [m.id for m in read_po(f) if m.id and not m.string]
    assert not untranslated


@pytest.fixture
def site(topup_ok, ledger_path):
    from starlette.testclient import TestClient

    from ledger.store.location import at
    from ledger.web.guard import Secrets
    from ledger.web.pages import make_app

    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK", "--max-topup", "1000")
    topup_ok("log", "八達通", "100", "--channel", "kiosk", "--ref", "R1", "--note", "旺角車站")
    keys = Secrets()
    web = TestClient(make_app(at(ledger_path), keys, {"testserver"}), base_url="http://testserver")
    web.get(f"/?token={keys.token}")
    return web


PAGES = ("/", "/records/1", "/cards", "/verify", "/log")
# What a Chinese page may still show in Latin letters: the ledger's own data, codes and the switch.
NOT_INTERFACE = {"R1", "HKD", "HK", "English", "App", "SMS", "SHA-256", "SIM", "CSV", "JSON", "PDF", "topup", "ID"}


@pytest.mark.parametrize("language", ["zh-Hant", "zh-Hans"])
def test_a_page_in_chinese_shows_no_english_interface_word(site, language):
    for page in PAGES:
        answer = site.get(page, headers={"accept-language": language})
        assert f'<html lang="{language}">' in answer.text
        shown = page_text(re.sub(r"<code>.*?</code>", "", answer.text))  # a command to type stays a command
        words = {word for word in re.findall(r"[A-Za-z][A-Za-z-]+", shown)
                 if not re.fullmatch(r"[0-9a-f]+", word)} - NOT_INTERFACE  # digests are data
        assert not words, (page, words)


def test_the_browser_asks_and_the_switch_is_remembered(site):
    assert '<html lang="zh-Hant">' in site.get("/", headers={"accept-language": "zh-HK,en;q=0.5"}).text
    assert '<html lang="en">' in site.get("/", headers={"accept-language": "de"}).text
    switched = site.get("/records/1?lang=zh-Hans&x=1", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/records/1?x=1"
    assert "topup_lang=zh-Hans" in switched.headers["set-cookie"]
    page = site.get("/", headers={"accept-language": "zh-TW"}).text
    assert '<html lang="zh-Hans">' in page  # the switch wins over what the browser asks
    assert "繁體中文" in page and "简体中文" in page and "English" in page
    assert '<html lang="en">' in site.get("/cards?lang=en").text


def test_the_web_search_finds_either_script(site):
    assert "旺角車站" in page_text(site.get("/", params={"q": "车站"}).text)
    assert "旺角車站" in page_text(site.get("/", params={"q": "旺角车站"}).text)
    assert "旺角車站" not in page_text(site.get("/", params={"q": "铜锣湾"}).text)


@pytest.mark.parametrize(("args", "message", "values"), [
    (("log",), "Missing argument {name}.", {"name": "'CARD'"}),
    (("search", "--nope"), "No such option: {name} (possible options: {options})", {"name": "--nope", "options": "--since"}),
    (("search", "--format", "xml"), "Invalid value for {name}: {reason}",
     {"name": "'--format'", "reason": "'xml' is not one of 'table', 'json', 'csv'."}),
    (("show", "1", "2"), "Got unexpected extra argument(s) ({words})", {"words": "2"}),
    (("nosuch",), "No such command {name!r}.", {"name": "nosuch"}),
])
def test_a_usage_error_is_said_in_the_readers_language_and_exits_2(args, message, values, ledger_path):
    from ledger.cli.click_words import in_readers_words
    from ledger.i18n import _, speaking

    with speaking("zh-Hant"):
        said = _(message, **{k: in_readers_words(v) if k == "reason" else v for k, v in values.items()})
        usage = _("Usage:")
    assert not said.isascii() and not usage.isascii()  # the catalog has them
    refused = _said("--lang", "zh-Hant", *args)
    assert refused.returncode == 2 and f"Error: {said}" in refused.stderr, refused.stderr
    assert f"{usage} topup" in refused.stderr
    assert not ledger_path.exists()


def test_a_refusal_names_force_in_the_readers_language_and_leaves_the_ledger_as_it_was(hk_card, ledger_path):
    from tests.conftest import table_dump

    before = table_dump(ledger_path)
    refused = _said("--lang", "zh-Hant", "log", hk_card, "5000")
    assert refused.returncode == 1 and refused.stderr.startswith("error: ") and "--force" in refused.stderr
    assert "add --force" not in refused.stderr and table_dump(ledger_path) == before


def test_each_language_calls_itself_by_a_name_it_is_also_chosen_by():
    from ledger.i18n import LANGUAGES, OWN_NAMES, parse_language

    assert list(OWN_NAMES) == list(LANGUAGES)
    assert all(parse_language(name) == language for language, name in OWN_NAMES.items())
