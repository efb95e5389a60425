import json

import pytest

from tests.conftest import log_json, run_process


@pytest.fixture
def records(topup_ok):
    """Two cards in two currencies, records over three months."""
    topup_ok("card", "add", "Octopus", "--kind", "smart", "--region", "HK")
    topup_ok("card", "add", "深圳通", "--kind", "smart", "--region", "CN")
    made = [
        log_json(topup_ok, "Octopus", "100", "--channel", "app", "--at", "2026-09-03 08:00", "--ref", "WX42001234567",
                 "--merchant", "SampleTel"),
        log_json(topup_ok, "深圳通", "50", "--channel", "微信", "--at", "2026-10-15 12:00", "--note", "在深圳用短信充值"),
        log_json(topup_ok, "Octopus", "300", "--channel", "kiosk", "--at", "2026-10-31 23:30", "--ref", "K-77"),
        log_json(topup_ok, "深圳通", "200", "--channel", "alipay", "--at", "2026-11-01 00:10", "--ref", "ALI9",
                 "--outcome", "pending"),
    ]
    return [r["id"] for r in made]


def ids(topup_ok, *args):
    return [r["id"] for r in json.loads(topup_ok("search", *args, "--format", "json").stdout)]


def test_newest_first_without_filters(topup_ok, records):
    assert ids(topup_ok) == [4, 3, 2, 1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("4200",), [1]), (("wx4200",), [1]), (("深圳",), [4, 2]), (("用短信",), [2]), (("短信",), [2]), (("深圳通",), [4, 2]),
        (("sampletel",), [1]), (("K-7",), [3]), (("octo",), [3, 1]), (("nothing-like-this",), []),
        (("--card", "octopus"), [3, 1]), (("--channel", "微信"), [2]), (("--since", "2026-10"), [4, 3, 2]),
        (("--until", "2026-10"), [3, 2, 1]), (("--since", "2026-10", "--until", "2026-10"), [3, 2]),
        (("--since", "2026-11-01"), [4]), (("--until", "2026-09-03 08:00"), [1]),
        (("--min", "100"), [4, 3, 1]), (("--max", "100"), [2, 1]), (("--min", "HK$100"), [3, 1]),
        (("--ref", "wx42001234567"), [1]), (("--outcome", "pending"), [4]), (("--limit", "2"), [4, 3]),
        (("--card", "深圳通", "--since", "2026-11"), [4]), (("sz", "--card", "octopus"), []),
        (("深圳", "--channel", "wechat", "--max", "50"), [2]),
    ],
)
def test_each_filter_alone_and_combined(topup_ok, records, args, expected):
    assert ids(topup_ok, *args) == expected


def test_void_records_are_found_only_when_asked(topup_ok, records):
    topup_ok("void", "3", "--reason", "logged twice")
    assert ids(topup_ok, "--card", "octopus") == [1]
    assert ids(topup_ok, "--card", "octopus", "--with-void") == [3, 1]


def test_the_index_follows_amendments(topup_ok, records):
    topup_ok("amend", "1", "--ref", "NEWREF55", "--reason", "typo in the reference")
    assert ids(topup_ok, "4200") == []
    assert ids(topup_ok, "wref5") == [1]


@pytest.mark.parametrize(
    "args", [("--since", "March"), ("--card", "nope"), ("--channel", "pigeon"), ("--min", "abc"), ("--limit", "0"),
             ("--outcome", "lost"), ("--until", "01/02/03")],
)
def test_bad_filters_are_refused(topup, records, args):
    result = topup("search", *args)
    assert result.exit_code == 1 and result.stderr.startswith("error: ")


def test_the_table_fits_80_columns_and_long_text_gives_way(topup_ok, records):
    topup_ok("log", "Octopus", "5", "--note", "很长的备注" * 40)
    done = topup_ok("search", "--format", "table")
    lines = done.stdout.splitlines()
    assert len(lines) == 6
    widths = [sum(2 if "\u4e00" <= ch <= "\u9fff" else 1 for ch in line) for line in lines]
    assert max(widths) <= 80
    assert "left out to fit 80 columns: merchant, note" in done.stderr and "很长" not in done.stdout


def test_json_and_csv_are_complete(topup_ok, records):
    long_note = "很长的备注" * 40
    topup_ok("log", "Octopus", "5", "--note", long_note)
    assert json.loads(topup_ok("search", "--format", "json", "--limit", "1").stdout)[0]["note"] == long_note
    assert long_note in topup_ok("search", "--format", "csv", "--limit", "1").stdout


def test_the_table_shows_a_page_and_says_so(topup_ok, hk_card):
    for _ in range(55):
        topup_ok("log", hk_card, "1")
    table = topup_ok("search", "--format", "table")
    assert len(table.stdout.splitlines()) == 51 and "showing the newest 50" in table.stderr
    assert len(topup_ok("search", "--format", "table", "--limit", "55").stdout.splitlines()) == 56
    assert len(json.loads(topup_ok("search", "--format", "json").stdout)) == 55


def test_a_word_is_found_in_card_labels_and_in_text_at_once(topup_ok, records):
    noted = log_json(topup_ok, "深圳通", "20", "--at", "2026-11-02 09:00", "--note", "paid back for the Octopus")
    assert ids(topup_ok, "octopus") == [noted["id"], 3, 1]
    assert ids(topup_ok, "octopus", "--until", "2026-10") == [3, 1]


@pytest.mark.parametrize("common_from", [1, 2, 2000])
def test_common_and_rare_words_give_the_same_results(topup_ok, records, monkeypatch, common_from):
    """A word found in many records is searched by walking records instead of from the index."""
    from ledger.store.sqlite import search

    monkeypatch.setattr(search, "_COMMON_MATCHES", common_from)
    log_json(topup_ok, "Octopus", "20", "--at", "2026-11-02 09:00", "--note", "weekly top-up at the kiosk")
    log_json(topup_ok, "深圳通", "20", "--at", "2026-11-03 09:00", "--note", "weekly top-up by app")
    assert ids(topup_ok, "weekly") == [6, 5]
    assert ids(topup_ok, "weekly", "--limit", "1") == [6]
    assert ids(topup_ok, "weekly", "by app") == [6]
    assert ids(topup_ok, "top-up", "--card", "octopus") == [5]
    assert ids(topup_ok, "用短信") == [2]
    assert ids(topup_ok, "octopus", "sampletel") == [1]


@pytest.mark.parametrize("args", [["--since", "9999-12-31"], ["--until", "9999-12-31"], ["--until", "9999-12-31 23:00"],
                                  ["--limit", "1" + "0" * 20], ["--limit", "0"]])
def test_out_of_range_filters_get_a_plain_answer(topup, topup_ok, ledger_path, args):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    result = topup("search", *args)
    assert result.exit_code == 1 and result.stderr.startswith("error: ") and "unexpected" not in result.stderr


def test_a_search_text_too_long_to_be_a_search_is_refused_before_the_ledger_is_opened(records, tmp_path):
    for ledger in ([], ["--db", str(tmp_path / "nowhere" / "ledger.db")]):
        result = run_process(*ledger, "search", "WX42001234567" * 10_000)
        assert result.returncode == 1 and result.stderr.startswith("error: the search text is 130000 characters long; "
                                                                   "search for at most 1000 characters"), result.stderr
    assert not (tmp_path / "nowhere").exists()
