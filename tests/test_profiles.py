import csv
import io
import json
import sqlite3

from ledger.store.sqlite.migrations import LATEST


def _card(topup_ok, *args):
    return json.loads(topup_ok("card", "add", *args, "--format", "json").stdout)


def test_a_profile_fills_the_published_limits_and_keeps_their_sources(topup_ok):
    card = _card(topup_ok, "八達通卡", "--profile", " 八达通 ")
    assert (card["kind"], card["region"], card["currency"], card["max_balance"]) == ("smart", "HK", "HKD", "3000.00")
    assert card["profile"] == "octopus"
    assert {rule["rule"] for rule in card["rules"]} == {"max_balance", "topups_per_day", "fee_after_unused_years"}
    assert all(rule["source"] and rule["read_on"] == "2026-12-07" for rule in card["rules"])
    shown = topup_ok("card", "show", "八達通卡").stdout
    assert "octopus.com.hk" in shown and "2026-12-07" in shown


def test_options_given_win_over_the_profile(topup_ok, topup):
    card = _card(topup_ok, "sim", "--profile", "中國移動香港", "--number", "9123 4567", "--max-topup", "500")
    assert card["max_topup"] == "500.00" and card["kind"] == "sim"
    assert "max_topup" not in {rule["rule"] for rule in card["rules"]}
    result = topup("card", "add", "other", "--profile", "cmhk", "--currency", "CNY")
    assert result.exit_code == 1 and "HKD" in result.stderr
    result = topup("card", "add", "other", "--profile", "octopus", "--kind", "sim")
    assert result.exit_code == 1 and "profile Octopus is a smart card; leave out --kind" in result.stderr
    assert _card(topup_ok, "oct", "--profile", "octopus", "--kind", "smart")["kind"] == "smart"
    for name in ("1010", "一卡通"):  # another brand, and a word that names Beijing's card too
        assert topup("card", "add", "x", "--profile", name).exit_code == 1


def test_an_unknown_profile_is_refused_with_the_known_ones(topup, ledger_path):
    result = topup("card", "add", "x", "--profile", "Oyster")
    assert result.exit_code == 1 and "Octopus" in result.stderr and "China Mobile Hong Kong" in result.stderr
    assert "Traceback" not in result.stderr and not ledger_path.exists()


def test_card_profiles_lists_each_rule_with_its_source(topup_ok):
    rows = json.loads(topup_ok("card", "profiles", "--format", "json").stdout)
    names = {row["profile"] for row in rows}
    assert {"octopus", "easycard", "ipass", "suica", "pasmo", "shenzhen-tong", "csl", "cmhk"} <= names
    assert all(row["source"] and row["read_on"] for row in rows if row["rule"])
    listed = list(csv.DictReader(io.StringIO(topup_ok("card", "profiles", "--format", "csv").stdout)))
    octopus = [row for row in listed if row["profile"] == "octopus"]
    assert octopus[0]["names"] == "Octopus, 八達通, 八达通" and {row["value"] for row in octopus} >= {"3000.00", "1"}
    assert [row["channels"] for row in octopus if row["rule"] == "topups_per_day"] == ["auto"]


def test_log_refuses_what_breaks_a_profile_rule_naming_it_and_its_source(topup_ok, topup):
    _card(topup_ok, "sim", "--profile", "CMHK", "--number", "91234567")
    result = topup("log", "sim", "30")
    assert result.exit_code == 1 and "at least 50.00" in result.stderr and "chinamobile.com" in result.stderr
    topup_ok("log", "sim", "1000", "--channel", "app", "--at", "2026-11-02")
    topup_ok("log", "sim", "1000", "--channel", "online", "--at", "2026-11-03")
    topup_ok("log", "sim", "1000", "--channel", "store", "--at", "2026-11-04")  # the monthly limit is for online ways
    topup_ok("log", "sim", "1000", "--channel", "wechat", "--at", "2026-11-05")
    result = topup("log", "sim", "100", "--channel", "alipay", "--at", "2026-11-30 23:00")
    assert result.exit_code == 1 and "3000.00 a calendar month" in result.stderr and "2026-11" in result.stderr
    topup_ok("log", "sim", "1000", "--channel", "wechat", "--at", "2026-12-01 12:00")  # a new month
    topup_ok("log", "sim", "30", "--force")


def test_an_amendment_that_brings_a_top_up_within_a_rules_reach_is_checked_like_a_log(topup_ok, topup,
                                                                                      ledger_path):
    from tests.conftest import table_dump

    _card(topup_ok, "sim", "--profile", "CMHK", "--number", "91234567")
    topup_ok("log", "sim", "1000", "--channel", "app", "--at", "2026-11-02")
    topup_ok("log", "sim", "1000", "--channel", "online", "--at", "2026-11-03")
    topup_ok("log", "sim", "900", "--channel", "wechat", "--at", "2026-11-04")
    topup_ok("log", "sim", "200", "--channel", "store", "--at", "2026-11-05")  # not an online way: not counted
    before = table_dump(ledger_path)
    for change in (("--channel", "app"), ("--amount", "300", "--channel", "alipay")):
        refused = topup("amend", "4", *change, "--reason", "the receipt says so")
        assert refused.exit_code == 1 and "3000.00 a calendar month" in refused.stderr, change
        assert table_dump(ledger_path) == before
    topup_ok("amend", "3", "--amount", "1000", "--reason", "the receipt says 1000")  # itself counted once: 3,000
    topup_ok("amend", "4", "--note", "paid at the counter", "--reason", "a note")  # nothing a rule counts changed
    refused = topup("amend", "4", "--at", "2026-11-06", "--channel", "app", "--reason", "the receipt says so")
    assert refused.exit_code == 1
    topup_ok("amend", "4", "--channel", "app", "--reason", "the receipt says so", "--force")
    # The month is over its limit now, by --force: lowering an amount in it is a correction, never refused.
    topup_ok("amend", "4", "--amount", "100", "--reason", "the receipt says 100")
    assert topup("amend", "4", "--amount", "150", "--reason", "more").exit_code == 1


def test_a_rolling_limit_counts_only_its_channel_and_period(topup_ok, topup):
    _card(topup_ok, "csl", "--profile", "csl", "--number", "51234567")
    topup_ok("log", "csl", "100", "--channel", "auto", "--at", "2026-10-01")
    topup_ok("log", "csl", "100", "--channel", "auto", "--at", "2026-10-20")
    topup_ok("log", "csl", "500", "--channel", "app", "--at", "2026-10-21")
    result = topup("log", "csl", "150", "--channel", "自動充值", "--at", "2026-10-25")
    assert result.exit_code == 1 and "in any 30 days" in result.stderr and "hkcsl.com" in result.stderr
    topup_ok("log", "csl", "150", "--channel", "auto", "--at", "2026-11-05")  # 1 October is out of its 30 days


def test_a_top_up_logged_late_is_weighed_with_those_after_it_in_a_rolling_period(topup_ok, topup):
    _card(topup_ok, "csl", "--profile", "csl", "--number", "51234567")
    topup_ok("log", "csl", "200", "--channel", "auto", "--at", "2026-09-20 12:00")
    result = topup("log", "csl", "200", "--channel", "auto", "--at", "2026-09-10 12:00")
    assert result.exit_code == 1
    assert "this would make 400.00 topped up in the 30 days to 2026-09-20 on card 'csl'" in result.stderr
    topup_ok("log", "csl", "100", "--channel", "auto", "--at", "2026-08-21 12:30")  # 300 in the 30 days to 09-20
    assert topup("log", "csl", "1", "--channel", "auto", "--at", "2026-09-01 12:00").exit_code == 1
    topup_ok("log", "csl", "100", "--channel", "auto", "--at", "2026-10-21 12:00")  # 09-20 is 31 days before


def test_check_reports_a_daily_count_and_the_cap_with_their_source(topup_ok, topup):
    _card(topup_ok, "oct", "--profile", "octopus")
    topup_ok("log", "oct", "250", "--channel", "auto", "--balance-after", "2900")
    result = topup("check", "oct", "250", "--channel", "auto", "--format", "json")
    assert result.exit_code == 1
    assert any("one top-up a day" in problem for problem in json.loads(result.stdout)["problems"])
    assert topup("log", "oct", "250", "--channel", "auto").exit_code == 1
    result = topup("check", "oct", "250")
    assert result.exit_code == 1 and "over the cap of 3000.00" in result.stderr and "octopus.com.hk" in result.stderr
    said = json.loads(topup("check", "oct", "250", "--format", "json").stdout)  # no channel told: a warning
    assert [warning.split(" on ")[0] for warning in said["warnings"] if warning.startswith("if paid by")] == [
        "if paid by automatic reload: this would be top-up 2"]
    assert not any("a day" in problem for problem in said["problems"])


def test_due_lists_when_an_unused_card_lapses_or_starts_paying_a_fee(topup_ok):
    _card(topup_ok, "suica", "--profile", "Suica")
    _card(topup_ok, "oct", "--profile", "Octopus")
    topup_ok("log", "suica", "1000", "--at", "2016-03-01")
    _card(topup_ok, "pasmo", "--profile", "PASMO")  # never topped up: counted from when it was added
    topup_ok("log", "oct", "100", "--at", "2025-01-10 12:00")
    topup_ok("log", "oct", "100", "--at", "2025-06-10 12:00", "--outcome", "failed")  # added nothing: no use
    rows = json.loads(topup_ok("due", "--within", "36500", "--format", "json").stdout)
    ends = {(row["card"], row["rule"]): row["valid_until"] for row in rows}
    assert ends[("suica", "lapse_after_unused_years")] == "2026-03-01"
    assert ends[("oct", "fee_after_unused_years")] == "2028-01-10"
    added = json.loads(topup_ok("card", "show", "pasmo", "--format", "json").stdout)["created_at"][:10]
    assert ends[("pasmo", "lapse_after_unused_years")] == str(int(added[:4]) + 10) + added[4:]
    assert [row["last_topup_at"] for row in rows if row["card"] == "pasmo"] == [None]  # never topped up


def test_a_card_keeps_the_rules_it_was_added_with_and_verify_sees_them_changed(topup_ok, topup, ledger_path):
    _card(topup_ok, "oct", "--profile", "octopus")
    assert topup_ok("verify").exit_code == 0
    with sqlite3.connect(ledger_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        conn.execute("UPDATE card SET profile = replace(profile, '300000', '900000')")
    conn.close()
    result = topup("verify")
    assert result.exit_code == 3 and "oct" in result.stdout + result.stderr


def test_profile_rules_that_cannot_be_read_are_named_as_damage_never_a_crash(topup_ok, topup, ledger_path):
    _card(topup_ok, "oct", "--profile", "octopus")
    topup_ok("log", "oct", "100")
    kept = '{"name":"Octopus","profile":"octopus","rules":[RULE],"zone":ZONE}'
    rule = '{"channels":["auto"],"days":30,"kind":"amount_per_period","read_on":"2026-12-07","source":"s","value":300}'
    for damage in ("{bad", '{"profile": "octopus"}', "[]", kept.replace("RULE", rule.replace("30,", '"x",')),
                   kept.replace("RULE", rule.replace("300}", "-5}")), kept.replace("RULE", rule.replace("auto", "x")),
                   kept.replace("RULE", rule.replace("amount_per_period", "bogus")),
                   kept.replace("RULE", rule).replace("ZONE", '"Nowhere/Zone"'),
                   kept.replace("RULE", rule).replace("ZONE", '"../../etc/passwd"')):
        damage = damage.replace("ZONE", '"Asia/Hong_Kong"')
        with sqlite3.connect(ledger_path) as conn:
            conn.execute("UPDATE card SET profile = ?", (damage,))
        conn.close()
        for command in (("card", "list"), ("due",), ("check", "oct", "10"), ("log", "oct", "10")):
            result = topup(*command)
            assert result.exit_code == 3, (damage, command)
            named = "error: card 'oct' was changed outside topup (in: profile)" if command[0] == "log" else \
                "error: the profile rules of card 'oct' cannot be read"  # a write checks the card's history first
            assert result.stderr.startswith(named), result.stderr
            assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
        assert topup("verify").exit_code == 3


def test_check_without_a_channel_names_every_channel_a_rule_would_count(topup_ok, topup):
    _card(topup_ok, "sim", "--profile", "CMHK", "--number", "91234567")
    for amount, channel in (("1000", "app"), ("1000", "online"), ("900", "wechat")):
        topup_ok("log", "sim", amount, "--channel", channel)
    said = json.loads(topup_ok("check", "sim", "200", "--format", "json").stdout)
    assert [warning.split(": this")[0] for warning in said["warnings"] if warning.startswith("if paid by")] == [
        "if paid by website or online banking, mobile app, WeChat Pay, Alipay"]
    zh = topup_ok("--lang", "zh-Hant", "check", "sim", "200").stderr
    under = json.loads(topup("check", "sim", "10", "--format", "json").stdout)  # the minimum holds for every way
    assert any("at least 50.00" in problem for problem in under["problems"])
    assert not any("at least 50.00" in warning for warning in under["warnings"])
    assert "若以網站或網上銀行、手機 App、微信支付、支付寶方式付款" in zh
