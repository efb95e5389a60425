"""`topup serve` over HTTP: every page, every refusal, and what keeps the ledger safe behind it."""

import json
import re

import pytest
from starlette.testclient import TestClient

from ledger.domain.fields import SETTABLE
from ledger.errors import InvalidInput
from ledger.i18n import FORCE, Option, _, speaking
from ledger.store.location import at
from ledger.web import views
from ledger.web.guard import Secrets
from ledger.web.pages import Site, make_app
from tests.conftest import page_text, sql, table_dump

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
                    "9c63f8cfc000000301010018dd8db00000000049454e44ae426082")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<html><script>alert(3)</script></html>"
PAGES = ["/", "/records/1", "/records/1/receipts/1", "/cards", "/verify", "/log", "/static/style.css"]


def _client(path, keys, *, read_only=False, signed_in=True) -> TestClient:
    # As a browser does, each request names the page it comes from: this site's own.
    client = TestClient(make_app(at(path), keys, {"testserver"}, read_only=read_only), base_url="http://testserver",
                        follow_redirects=False, headers={"origin": "http://testserver"})
    if signed_in:
        assert client.get(f"/?token={keys.token}").status_code == 303
    return client


@pytest.fixture
def keys():
    return Secrets()


@pytest.fixture
def web(ledger_path, keys):
    return _client(ledger_path, keys)


@pytest.fixture
def ledger(topup_ok, tmp_path):
    """Two cards and three records, one amended, one void, with receipts of every kind."""
    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK", "--number", "1234 5678(3)",
             "--max-topup", "1000", "--validity-days", "1000")
    topup_ok("card", "add", "手机", "--kind", "sim", "--region", "CN", "--number", "13800138000")
    files = {"photo.png": PNG, "map.svg": SVG, "page.html": HTML, "fake.png": b"<html><body>not a picture</body></html>",
             "slip.pdf": b"%PDF-1.4\n%%EOF\n"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    topup_ok("log", "八達通", "200", "--at", "2026-03-14 18:42", "--channel", "7-eleven", "--ref", "RC2026031401",
             "--note", "第一行\n<script>alert(4)</script>", *[a for n in files for a in ("--receipt", str(tmp_path / n))])
    topup_ok("log", "手机", "100", "--at", "2026-04-02 09:00", "--channel", "微信", "--ref", "4200001234",
             "--sms", "【中国移动】您已成功充值100元 <b>bold</b>")
    topup_ok("log", "手机", "30", "--at", "2026-04-03 09:00", "--merchant", "SampleTel")
    topup_ok("amend", "2", "--amount", "50", "--reason", "短信说 50")
    topup_ok("void", "3", "--reason", "logged twice")
    return files


# ---------------------------------------------------------------- the guard


def test_no_page_or_file_without_the_token(ledger_path, keys, ledger):
    stranger = _client(ledger_path, keys, signed_in=False)
    guesser = _client(ledger_path, keys, signed_in=False)
    guesser.cookies.set(keys.cookie, "guess")
    for page in PAGES:
        assert stranger.get(page).status_code == 403, page
        assert guesser.get(page).status_code == 403, page
    assert stranger.get("/?token=guess").status_code == 403
    assert stranger.post("/log", data={"card": "手机", "amount": "5"}).status_code == 403


def test_the_token_becomes_a_cookie_and_leaves_the_address(ledger_path, keys, ledger):
    client = _client(ledger_path, keys, signed_in=False)
    answer = client.get(f"/cards?token={keys.token}&card=手机")
    assert answer.status_code == 303 and answer.headers["location"] == "/cards?card=%E6%89%8B%E6%9C%BA"
    cookie = answer.headers["set-cookie"]
    assert f"{keys.cookie}={keys.token}" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/cards").status_code == 200
    elsewhere = client.get(f"http://testserver//evil.example/?token={keys.token}")  # never to another site
    assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/evil.example/"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost", ""])
def test_a_request_for_another_host_is_refused(web, ledger, host):
    # A page of another site whose name was made to point here (DNS rebinding) sends its own name.
    answer = web.get("/", headers={"host": host})
    assert answer.status_code == 421 and "八達通" not in answer.text


def test_every_response_forbids_scripts_framing_and_sniffing(web, ledger):
    for page in [*PAGES, "/records/99", "/nowhere"]:
        headers = web.get(page).headers
        assert headers["x-content-type-options"] == "nosniff", page
        assert headers["referrer-policy"] == "same-origin" and headers["cache-control"] == "no-store"
        policy = headers["content-security-policy"]
        assert policy.startswith("default-src 'none'") and "script-src" not in policy, page
        assert "server" not in headers


# ---------------------------------------------------------------- records, as search finds them


def _ids_shown(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<td><a href="/records/(\d+)">', page)]


@pytest.mark.parametrize("query", [
    {}, {"q": "4200"}, {"q": "八達通"}, {"card": "手机"}, {"channel": "微信"}, {"since": "2026-04"},
    {"until": "2026-03-31"}, {"min": "60"}, {"max": "HK$100"}, {"ref": "rc2026031401"}, {"outcome": "credited"},
    {"with_void": "on"}, {"q": "SampleTel", "with_void": "on"},
])
def test_the_records_page_lists_what_search_finds(web, topup_ok, ledger, query):
    args = [query.get("q", "")] if "q" in query else []
    for key, option in [("card", "--card"), ("channel", "--channel"), ("since", "--since"), ("until", "--until"),
                        ("min", "--min"), ("max", "--max"), ("ref", "--ref"), ("outcome", "--outcome")]:
        if key in query:
            args += [option, query[key]]
    args += ["--with-void"] if "with_void" in query else []
    expected = [r["id"] for r in json.loads(topup_ok("search", *args, "--format", "json").stdout)]
    page = web.get("/", params=query)
    assert page.status_code == 200 and _ids_shown(page.text) == expected


def test_a_filter_search_refuses_is_refused_with_its_words(web, topup, ledger, ledger_path):
    before = table_dump(ledger_path)
    cli = topup("search", "--since", "the other day")
    page = web.get("/", params={"since": "the other day"})
    assert cli.exit_code == 1 and page.status_code == 400
    assert cli.stderr.strip() in page_text(page.text).splitlines()
    assert table_dump(ledger_path) == before


def test_a_search_text_too_long_is_refused_with_its_bound(web, topup, ledger, ledger_path):
    before = table_dump(ledger_path)
    cli = topup("search", "4200" * 500)
    page = web.get("/", params={"q": "4200" * 500})
    assert cli.exit_code == 1 and "at most 1000 characters" in cli.stderr
    assert page.status_code == 400 and cli.stderr.strip() in page_text(page.text).splitlines()
    assert table_dump(ledger_path) == before


@pytest.mark.parametrize(("query", "named"), [({"min": "abc"}, "“Min”"), ({"max": "1e3"}, "“Max”"),
                                              ({"ref": "   "}, "“Reference”")])
def test_a_filter_is_named_as_the_page_labels_it_never_as_an_option(web, topup, ledger, query, named):
    key = next(iter(query))
    cli = topup("search", f"--{key}", query[key])
    page = web.get("/", params=query)
    assert cli.exit_code == 1 and f"--{key}" in cli.stderr
    assert page.status_code == 400 and "--" not in page_text(page.text)
    assert cli.stderr.strip().replace(f"--{key}", named) in page_text(page.text).splitlines()
    labels = page_text(web.get("/").text).splitlines()
    assert named[1:-1] in labels or any(line.startswith(named[1:-1] + " ") for line in labels)


def test_the_month_chart_totals_credited_top_ups_per_currency(web, ledger):
    page = web.get("/", params={"since": "2026-01"}).text
    titles = re.findall(r"<title>([^<]+)</title>", page)[1:]
    assert "2026-03: 200.00 HKD in 1 top-up(s)" in titles
    assert "2026-04: 50.00 CNY in 1 top-up(s)" in titles  # the amended amount; the void record is not counted
    assert "2026-02: 0 CNY in 0 top-up(s)" in titles  # every month from the first asked for


def test_more_records_are_a_link_away(web, topup_ok, ledger):
    for day in range(1, 56):
        topup_ok("log", "手机", "1", "--at", f"2025-01-01 00:{day:02d}", "--ref", f"bulk-{day}")
    first = web.get("/").text
    assert len(_ids_shown(first)) == 50
    more = re.search(r'<a href="(/\?[^"]+)">Show more</a>', first)[1].replace("&amp;", "&")
    assert len(_ids_shown(web.get(more).text)) == 57 and "Show more" not in web.get(more).text


# ---------------------------------------------------------------- one record and its receipts


def test_a_record_shows_its_fields_every_version_and_its_receipts(web, ledger):
    page = web.get("/records/2").text
    text = page_text(page)
    assert "amount\n50.00 CNY" in text and "reference\n4200001234" in text
    assert re.search(r"logged\n2026-\d\d-\d\d [\d:]+\n.*amount credited\n100\.00", text, re.S)
    assert "amend" in text and "短信说 50" in text
    assert "【中国移动】您已成功充值100元 <b>bold</b>" in text and "<b>bold</b>" not in page  # the message, as text
    first = web.get("/records/1").text
    assert '<img src="/records/1/receipts/1"' in first and first.count("<img") == 1
    assert '<object data="/records/1/receipts/5" type="application/pdf"' in first
    for index in (2, 3, 4):  # SVG, HTML and HTML named .png: links to download, never shown
        assert f'<a href="/records/1/receipts/{index}" download>' in first
    assert "<script" not in first and "&lt;script&gt;alert(4)&lt;/script&gt;" in first


@pytest.mark.parametrize(("index", "stored_type", "disposition"), [
    (1, "image/png", "inline"), (2, "image/svg+xml", "attachment"), (3, "text/html", "attachment"),
    (4, "image/png", "attachment"), (5, "application/pdf", "inline"),
])
def test_a_receipt_is_served_with_its_stored_type_and_never_as_active_content(web, ledger, index, stored_type,
                                                                              disposition):
    answer = web.get(f"/records/1/receipts/{index}")
    assert answer.status_code == 200 and answer.content == list(ledger.values())[index - 1]
    assert answer.headers["content-type"].split(";")[0] == stored_type
    assert answer.headers["content-disposition"].startswith(disposition + "; filename*=UTF-8''")
    assert answer.headers["x-content-type-options"] == "nosniff"
    policy = answer.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'") and ("sandbox" in policy) == (stored_type != "application/pdf")


def test_a_pasted_message_is_served_as_utf8_text(web, ledger):
    answer = web.get("/records/2/receipts/1")
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.text == "【中国移动】您已成功充值100元 <b>bold</b>"


@pytest.mark.parametrize("page", ["/records/99", "/records/1/receipts/6", "/records/1/receipts/0",
                                  "/records/99/receipts/1"])
def test_a_record_or_receipt_that_is_not_there_is_a_404_with_the_cli_words(web, ledger, page):
    answer = web.get(page)
    assert answer.status_code == 404 and page_text(answer.text).splitlines()[-1].startswith("error: ")


# ---------------------------------------------------------------- cards and verify


def test_cards_show_masked_numbers_limits_and_validity_due_first(web, topup_ok, ledger):
    topup_ok("card", "add", "campus", "--kind", "smart", "--number", "A1234567")
    topup_ok("log", "campus", "20", "--valid-until", "2020-01-01")  # ended: due first
    topup_ok("card", "add", "old", "--kind", "smart")
    topup_ok("card", "retire", "old")
    text = page_text(web.get("/cards").text)
    assert [line for line in text.splitlines() if line in ("campus", "八達通", "手机", "old")] == \
        ["campus", "八達通", "手机", "old"]
    assert "****6783" in text and "13800138000" not in text and "+8613800138000" not in text
    assert "max top-up\n1000.00" in text and re.search(r"valid until\n2020-01-01 ·\nended \d+ day\(s\) ago", text)
    assert re.search(r"valid until\n2028-12-\d\d ·\n\d+ day\(s\) left", text)


def test_a_cards_profile_rules_are_shown_with_their_sources(web, topup_ok, ledger):
    topup_ok("card", "add", "csl sim", "--profile", "csl", "--number", "5123 4567")
    text = page_text(web.get("/cards").text)
    shown = json.loads(topup_ok("card", "show", "csl sim", "--format", "json").stdout)
    assert "profile\ncsl" in text and shown["rules"]
    assert all(rule["source"] in text and rule["read_on"] in text for rule in shown["rules"])
    assert "at most 300.00 in any 30 days" in text
    assert "profile" not in text.split("csl sim")[0]  # cards added without a profile show none


def test_verify_says_what_the_command_says(web, topup, ledger, ledger_path):
    assert "ok: 3 records, their history and receipt files all verify" in page_text(web.get("/verify").text)
    sql(ledger_path, "UPDATE topup SET amount_minor = 1 WHERE id = 1")
    cli = topup("verify")
    page = page_text(web.get("/verify").text)
    assert cli.exit_code == 3 and all(line in page for line in cli.stdout.splitlines())


# ---------------------------------------------------------------- the log form


def _form(web, **values):
    return {"csrf": web.get("/log").text.split('name="csrf" value="')[1].split('"')[0], **values}


def _as_the_form_names(line: str) -> str:
    """A refusal of the command line as the browser says it: what `add --force` does, the form's checkbox does;
    `--at` is the field labelled When."""
    return (line.replace("add --force", "tick “Log it anyway”").replace("--at '2025-03-14 18:42'", "2025-03-14 18:42")
            .replace("--at", "“When”"))


def test_the_form_offers_cards_in_use_channels_and_the_camera(web, topup_ok, ledger):
    topup_ok("card", "add", "old", "--kind", "smart")
    topup_ok("card", "retire", "old")
    page = web.get("/log").text
    card_options = re.findall(r'<option value="([^"]*)"', page.split('name="card"')[1].split("</select>")[0])
    assert card_options == ["", "八達通", "手机"]  # the card is chosen, as the command names it
    assert '<input type="file" name="receipt" accept="image/*" multiple>' in page  # a phone offers its camera
    assert 'enctype="multipart/form-data"' in page


def test_a_top_up_logged_through_the_form_is_the_one_the_command_logs(web, topup_ok, ledger, tmp_path):
    values = {"card": "手机", "amount": "１,000", "channel": "支付宝", "at": "2026-05-01 08:30", "ref": " WX-9 ",
              "note": "月初\n话费", "merchant": "", "paid": "998", "valid_until": "2027-05-01"}
    answer = web.post("/log", data=_form(web, **values), files=[("receipt", ("收据.png", PNG, "image/png")),
                                                                 ("receipt", ("", b"", "application/octet-stream"))])
    assert answer.status_code == 303
    record_id = int(re.fullmatch(r"/records/(\d+)\?done=[\w-]+", answer.headers["location"])[1])
    (tmp_path / "收据.png").write_bytes(PNG)
    twin = json.loads(topup_ok("log", "手机", "１,000", "--channel", "支付宝", "--at", "2026-05-01 08:30", "--ref",
                               "WX-9", "--note", "月初\n话费", "--paid", "998", "--valid-until", "2027-05-01",
                               "--receipt", str(tmp_path / "收据.png"), "--force", "--format", "json").stdout)
    logged = json.loads(topup_ok("show", str(record_id), "--format", "json").stdout)
    differ = {"id", "created_at", "history"}
    assert {k: v for k, v in logged.items() if k not in differ} == {k: v for k, v in twin.items() if k not in differ}
    assert logged["amount"] == "1000.00" and logged["receipts"][0]["name"] == "收据.png"
    opened = web.get(answer.headers["location"]).text
    assert f"Logged as record {record_id}." in opened and '<img src="/records/4/receipts/1"' in opened
    assert "Logged as" not in web.get(answer.headers["location"]).text  # said once


@pytest.mark.parametrize(("values", "cli_args"), [
    ({"card": "八達通", "amount": "1200"}, ["八達通", "1200"]),  # over the single top-up limit
    ({"card": "八達通", "amount": "-5"}, ["八達通", "-5"]),
    ({"card": "八達通", "amount": ""}, ["八達通"]),
    ({"card": "nobody", "amount": "5"}, ["nobody", "5"]),
    ({"card": "手机", "amount": "5", "ref": "4200001234"}, ["手机", "5", "--ref", "4200001234"]),  # logged before
    ({"card": "手机", "amount": "5", "at": "2026-02-30"}, ["手机", "5", "--at", "2026-02-30"]),
    ({"card": "手机", "amount": "5", "channel": "pigeon"}, ["手机", "5", "--channel", "pigeon"]),
    ({"card": "手机", "amount": "5", "note": "a\x1b[2Jb"}, ["手机", "5", "--note", "a\x1b[2Jb"]),
    ({"card": "手机", "amount": "5", "at": " "}, ["手机", "5", "--at", " "]),  # typed, not left empty
    ({"card": "手机", "sms": "  "}, ["手机", "--sms", "  "]),
    ({"card": "", "amount": "5"}, ["", "5"]),
])
def test_a_refused_form_shows_the_commands_error_and_changes_nothing(web, topup, ledger, ledger_path, values,
                                                                     cli_args):
    before = table_dump(ledger_path)
    cli = topup("log", *cli_args)
    answer = web.post("/log", data=_form(web, **values))
    assert cli.exit_code == 1 and answer.status_code == 400
    said = cli.stderr.strip().splitlines()[-1]
    # A refusal whose option is an `Option` names it as the form does; one written before it was, as it is.
    assert {said, _as_the_form_names(said)} & set(page_text(answer.text).splitlines())
    assert table_dump(ledger_path) == before
    kept = page_text(answer.text)
    assert all(value in answer.text for value in values.values() if value and "\x1b" not in value), kept


@pytest.mark.parametrize(("values", "said"), [
    ({"card": "手机", "amount": "5", "at": "9999-12-31"}, "'9999-12-31' is in the future"),
    ({"card": "手机", "amount": "5", "at": "9999-12-31 23:59:59"}, "'9999-12-31 23:59:59' is in the future"),
    ({"card": "手机", "sms": "【中国移动】您已成功充值" + "1" * 30 + "元，交易流水号XY20250314120501"},
     "amount '" + "1" * 30 + "' is larger than any top-up"),
])
def test_a_time_or_amount_past_any_calendar_or_purse_gets_a_plain_refusal_page(web, ledger, ledger_path, values,
                                                                             said):
    before = table_dump(ledger_path)
    answer = web.post("/log", data=_form(web, **values))
    assert answer.status_code == 400
    assert any(line.startswith("error: " + said) for line in page_text(answer.text).splitlines()), answer.text
    assert table_dump(ledger_path) == before


def test_a_refusal_on_the_form_names_the_checkbox_where_the_command_says_add_force(web, topup, ledger, ledger_path):
    before = table_dump(ledger_path)
    answer = web.post("/log", data=_form(web, card="八達通", amount="1200"))
    said = "1200.00 HKD is over the single top-up limit of card '八達通' (1000.00); check the amount, or {} if it is right"
    assert answer.status_code == 400 and table_dump(ledger_path) == before
    assert "error: " + said.format("tick “Log it anyway”") in page_text(answer.text).splitlines()
    assert "--force" not in answer.text
    assert re.search(r'<input type="checkbox" name="force"> Log it anyway\b', answer.text)  # the checkbox it names
    cli = topup("log", "八達通", "1200")
    assert cli.exit_code == 1 and cli.stderr == "error: " + said.format("add --force") + "\n"


def test_every_page_names_options_as_the_form_does_even_when_its_work_runs_in_the_thread_pool(web, ledger,
                                                                                              monkeypatch):
    def refused(*args, **kwargs):
        raise InvalidInput(_("give {at} and {valid_until}, or {force}", at=Option("at"),
                             valid_until=Option("valid_until"), force=FORCE))

    monkeypatch.setattr("ledger.service.finding.cards_ahead", refused)  # /cards is a plain function: a worker thread
    answer = web.get("/cards")
    assert answer.status_code == 400
    assert "error: give “When” and “Valid until”, or tick “Log it anyway”" in page_text(answer.text).splitlines()
    assert str(Option("at")) == "--at" and str(FORCE) == "add --force"  # the command line's names, outside a request


@pytest.mark.parametrize("values", [{"card": "手机", "amount": ""}, {"card": "手机", "sms": "充值成功，谢谢"}])
def test_the_log_form_refuses_what_is_missing_without_command_line_words(web, ledger, values):
    answer = web.post("/log", data=_form(web, **values))
    said = [line for line in page_text(answer.text).splitlines() if line.startswith("error: ")]
    assert answer.status_code == 400 and len(said) == 1 and "amount" in said[0]
    assert "topup" not in said[0] and "--" not in said[0]


def test_each_option_of_the_log_form_is_named_by_its_label_in_the_form(web, ledger):
    labels = page_text(web.get("/log").text).splitlines()
    for key in ("card", *(spec.key for spec in SETTABLE), "sms"):
        name = views.option_name(key)
        assert name.startswith("“") and name.endswith("”") and "--" not in name, key
        assert any(line.startswith(name[1:-1]) for line in labels), (key, name)
    assert views.option_name("force") == "tick “Log it anyway”"


def test_stored_words_are_shown_by_name_and_sent_as_stored(web, ledger):
    page = web.get("/", params={"with_void": "on"}).text
    assert '<option value="wechat">WeChat Pay</option>' in page and "<td class=\"named\">WeChat Pay</td>" in page
    assert '<option value="credited">credited</option>' in page and '<span class="outcome void">void</span>' in page
    assert "八達通\nsmart card" in page_text(web.get("/cards").text)
    assert "channel\nWeChat Pay" in page_text(web.get("/records/2").text)
    assert '<option value="kiosk">self-service kiosk</option>' in web.get("/log").text
    with speaking("zh-Hant"):
        assert views.named("wechat") == "微信支付" and views.named("void") == "已作廢"
        assert views.named("7-eleven") == "7-eleven"  # a word that is not a stored one, as it is


def test_a_page_says_which_language_it_is_in(ledger_path, keys, web, ledger):
    assert '<html lang="en">' in web.get("/").text
    site = Site(at(ledger_path), keys, read_only=False)
    with speaking("zh-Hant"):
        page = site.page("refused.html", 400, error="x").body.decode()
    assert '<html lang="zh-Hant">' in page


def test_a_message_with_an_element_in_it_escapes_its_values(ledger_path, keys):
    site = Site(at(ledger_path), keys, read_only=False)
    page = site.templates.from_string('{{ _("None kept. <code>topup receipt add {id} FILE</code> keeps one.", '
                                      'id="<b>1</b>") }} {{ _("Open {name}", name="<i>") }}').render()
    assert page == "None kept. <code>topup receipt add &lt;b&gt;1&lt;/b&gt; FILE</code> keeps one. Open &lt;i&gt;"


def test_force_logs_over_the_limit_as_the_command_does(web, ledger):
    answer = web.post("/log", data=_form(web, card="八達通", amount="1200", force="on"))
    assert answer.status_code == 303


def test_an_empty_or_oversized_receipt_is_refused(web, ledger, ledger_path, monkeypatch):
    before = table_dump(ledger_path)
    empty = web.post("/log", data=_form(web, card="手机", amount="5"), files={"receipt": ("a.png", b"", "image/png")})
    assert empty.status_code == 400 and "error: receipt 'a.png' is empty; nothing to keep" in page_text(empty.text)
    monkeypatch.setattr("ledger.web.pages.MAX_RECEIPT_BYTES", 10)
    monkeypatch.setattr("ledger.service.receipts.MAX_RECEIPT_BYTES", 10)
    big = web.post("/log", data=_form(web, card="手机", amount="5"), files={"receipt": ("b.png", PNG, "image/png")})
    assert big.status_code == 400 and "over the 25 MB limit" in big.text
    assert table_dump(ledger_path) == before


def test_a_form_without_this_runs_csrf_token_or_from_another_origin_is_refused(web, ledger, ledger_path):
    before = table_dump(ledger_path)
    assert web.post("/log", data={"card": "手机", "amount": "5"}).status_code == 403
    assert web.post("/log", data={"csrf": "guess", "card": "手机", "amount": "5"}).status_code == 403
    other = web.post("/log", data=_form(web, card="手机", amount="5"), headers={"origin": "http://evil.example"})
    assert other.status_code == 403
    assert table_dump(ledger_path) == before


@pytest.mark.parametrize("named", [
    {"origin": "http://testserver:8080"},  # another service on this machine: the cookie goes to every port
    {"origin": "null"},
    {"referer": "http://testserver:8080/log"},
    {"referer": "http://testserver.evil.example/log"},
    {"sec-fetch-site": "same-site"},
    {},  # a request that names no page at all
])
def test_a_change_from_anywhere_but_this_sites_pages_is_refused(ledger_path, keys, ledger, named):
    web = _client(ledger_path, keys)
    form = _form(web, card="手机", amount="5")
    del web.headers["origin"]
    before = table_dump(ledger_path)
    answer = web.post("/log", data=form, headers=named)
    assert answer.status_code == 403 and answer.text.startswith("refused: a change is taken only from the pages")
    assert table_dump(ledger_path) == before


@pytest.mark.parametrize("named", [{"origin": "http://testserver"}, {"referer": "http://testserver/log"},
                                   {"sec-fetch-site": "same-origin"}])
def test_a_change_from_this_sites_page_is_taken(ledger_path, keys, ledger, named):
    web = _client(ledger_path, keys)
    form = _form(web, card="手机", amount="5")
    del web.headers["origin"]
    assert web.post("/log", data=form, headers=named).status_code == 303


def test_read_only_serves_no_form(ledger_path, keys, ledger):
    web = _client(ledger_path, keys, read_only=True)
    assert 'href="/log"' not in web.get("/").text
    assert web.get("/log").status_code == 404
    before = table_dump(ledger_path)
    assert web.post("/log", data={"csrf": keys.csrf, "card": "手机", "amount": "5"}).status_code in (404, 405)
    assert table_dump(ledger_path) == before


def test_a_ledger_with_no_cards_says_how_to_start(web, topup_ok):
    topup_ok("card", "add", "old", "--kind", "smart")
    topup_ok("card", "retire", "old")
    assert "No records match." in web.get("/").text and "topup card add" in web.get("/log").text


def test_a_label_with_two_spaces_is_logged_to_and_filtered_by_as_typed(web, topup_ok, ledger):
    topup_ok("card", "add", "two  spaces", "--kind", "smart")
    page = web.get("/log").text
    assert '<option value="two  spaces">' in page
    assert web.post("/log", data=_form(web, card="two  spaces", amount="5")).status_code == 303
    assert _ids_shown(web.get("/", params={"card": "two  spaces"}).text) == [4]


def test_a_pasted_message_from_a_text_area_is_kept_as_the_command_keeps_it(web, topup_ok, ledger, ledger_path):
    message = "【中国移动】尊敬的客户，您于2026年05月01日充值50.00元，\n交易流水号：CM202605011234。\n余额：88.00元"
    answer = web.post("/log", data=_form(web, card="手机", sms=message.replace("\n", "\r\n")))
    assert answer.status_code == 303
    said = page_text(web.get(answer.headers["location"]).text)
    assert re.search(r"^read from the message: amount 50(\.00)?, .*ref CM202605011234", said, re.M), said
    twin = json.loads(topup_ok("log", "手机", "--sms", message, "--force", "--format", "json").stdout)
    web_record = json.loads(topup_ok("show", "4", "--format", "json").stdout)
    assert web_record["receipts"] == twin["receipts"] and web_record["amount"] == twin["amount"] == "50.00"


def test_a_one_time_code_in_a_message_pasted_in_the_form_is_masked_before_keeping(web, ledger):
    message = "【中国移动】您于2026年05月01日充值50.00元，交易流水号：CM202605011234。\n您的验证码【654321】，请勿泄露"
    answer = web.post("/log", data=_form(web, card="手机", sms=message.replace("\n", "\r\n")))
    assert answer.status_code == 303
    assert web.get("/records/4/receipts/1").text == message.replace("654321", "******")


def test_the_limits_of_a_form_are_said_on_the_form(web, ledger, ledger_path):
    before = table_dump(ledger_path)
    many = [("receipt", (f"r{n}.png", PNG, "image/png")) for n in range(21)]
    crowded = web.post("/log", data=_form(web, card="手机", amount="5"), files=many)
    assert crowded.status_code == 400 and "error: Too many files. Maximum number of files is 20" in crowded.text
    assert 'name="amount"' in crowded.text
    huge = web.post("/log", data=_form(web, card="手机", amount="5"), headers={"content-length": str(2**31)})
    assert huge.status_code == 413 and "error: the form with its files must be under 100 MB" in huge.text
    assert table_dump(ledger_path) == before


def test_an_uploaded_name_loses_its_folders_and_a_picture_must_be_what_its_name_says(web, topup_ok, ledger):
    gif_svg = b"GIF89a<svg xmlns='http://www.w3.org/2000/svg'><script>alert(5)</script></svg>"
    answer = web.post("/log", data=_form(web, card="手机", amount="5"),
                      files=[("receipt", ("../../etc/x.svg", gif_svg, "image/svg+xml"))])
    shown = json.loads(topup_ok("show", answer.headers["location"].split("/")[2].split("?")[0], "--format",
                                "json").stdout)
    assert shown["receipts"][0]["name"] == "x.svg"
    served = web.get(f"/records/{shown['id']}/receipts/1")
    assert served.headers["content-disposition"].startswith("attachment")


def test_text_direction_controls_in_a_message_are_written_out_not_obeyed(web, topup_ok, ledger):
    topup_ok("log", "手机", "5", "--sms", "充值 5 元 \u202e退款已处理\u202c")
    page = web.get("/records/4").text
    assert "\u202e" not in page and "\\u202e退款已处理\\u202c" in page


def test_a_damaged_receipt_leaves_its_record_readable_and_says_so(web, ledger, ledger_path):
    from tests.conftest import tamper

    tamper(ledger_path, "UPDATE blob SET data = zeroblob(size) WHERE sha256 = (SELECT sha256 FROM receipt "
                        "WHERE topup_id = 1 ORDER BY id LIMIT 1)")
    page = web.get("/records/1")
    assert page.status_code == 200 and "amount\n200.00 HKD" in page_text(page.text)
    assert "error: receipt 'photo.png' of record 1 is damaged in the ledger; run `topup verify`" in page_text(page.text)


@pytest.mark.parametrize("page", ["/records/99999999999999999999", "/records/99999999999999999999/receipts/1"])
def test_an_id_too_large_for_any_record_is_no_record(web, ledger, page):
    answer = web.get(page)
    assert answer.status_code == 404 and "error: there is no record 99999999999999999999" in answer.text


# ---------------------------------------------------------------- refusals and bugs, answered once


def test_a_bug_in_a_page_is_answered_with_a_page_that_says_so(ledger_path, keys, ledger, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("card 123456789 exploded")

    monkeypatch.setattr("ledger.service.finding.cards_ahead", broken)
    web = TestClient(make_app(at(ledger_path), keys, {"testserver"}), base_url="http://testserver",
                     follow_redirects=False, raise_server_exceptions=False)
    web.get(f"/?token={keys.token}")
    answer = web.get("/cards")
    assert answer.status_code == 500
    assert "error: unexpected RuntimeError on /cards; nothing was saved" in page_text(answer.text)
    assert "123456789" not in answer.text and "Traceback" not in answer.text
    assert "error: unexpected RuntimeError on /cards" in capsys.readouterr().err


def test_what_a_logged_record_has_yet_to_say_is_kept_for_the_newest_only(web, ledger, monkeypatch):
    monkeypatch.setattr("ledger.web.pages.DONE_KEPT", 2)
    opened = []
    for amount in ("1", "2", "3"):
        answer = web.post("/log", data=_form(web, card="手机", amount=amount))
        opened.append(answer.headers["location"])
    pages = [web.get(location).text for location in opened]
    assert ["Logged as record" in page for page in pages] == [False, True, True]


def test_a_refusal_in_the_form_names_its_fields_and_examples_as_the_form_has_them(web, topup, ledger):
    message = "充值 HK$50 成功，交易時間 31/02/2025。"
    answer = page_text(web.post("/log", data=_form(web, card="八達通", sms=message)).text)
    assert "give the time with “When”, e.g. 2025-03-14 18:42" in answer and "--at" not in answer
    cli = topup("log", "八達通", "--sms", message)
    assert "give the time with --at, e.g. --at '2025-03-14 18:42'" in cli.stderr
    paid = page_text(web.post("/log", data=_form(web, card="八達通", amount="5", paid="-1")).text)
    assert "error: “Paid” '-1' must be more than zero" in paid.splitlines()
    assert "error: --paid '-1' must be more than zero" in topup("log", "八達通", "5", "--paid", "-1").stderr
