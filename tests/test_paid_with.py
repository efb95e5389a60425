"""What paid for a top-up (`paid_with`): set, shown, searched, amended, exported and imported back, in
new ledgers and in upgraded ones, with their history and seals still verifying."""

import csv
import io
import json
import subprocess
import zipfile

from starlette.testclient import TestClient

from ledger.store.location import at
from ledger.store.sqlite.migrations import STEPS
from ledger.web.guard import Secrets
from ledger.web.pages import make_app
from tests.conftest import log_json, page_text, sql_value


def _found(topup_ok, *args: str) -> list[int]:
    return [r["id"] for r in json.loads(topup_ok("search", *args, "--format", "json").stdout)]


def test_what_paid_is_logged_shown_and_found_by_any_part(topup_ok, hk_card):
    record = log_json(topup_ok, hk_card, "100", "--paid-with", "招商银行(4523)")
    assert list(record)[-1] == "paid_with" and record["paid_with"] == "招商银行(4523)"
    topup_ok("log", hk_card, "50", "--paid-with", "零钱", "--note", "食堂")
    topup_ok("log", hk_card, "20", "--paid-with", "PayMe")
    assert _found(topup_ok, "4523") == [1]  # from the text index
    assert _found(topup_ok, "零钱") == [2]  # two characters: a scan
    assert _found(topup_ok, "零錢") == [2]  # either script of Chinese
    assert _found(topup_ok, "payme") == [3]
    assert "paid with        PayMe" in topup_ok("show", "3").stdout


def test_an_amendment_changes_what_paid_and_keeps_what_it_was(topup_ok, hk_card, tmp_path):
    topup_ok("log", hk_card, "100", "--paid-with", "招商银行(4523)")
    topup_ok("amend", "1", "--paid-with", "AlipayHK", "--reason", "the bill says AlipayHK")
    shown = json.loads(topup_ok("show", "1", "--format", "json").stdout)
    assert shown["paid_with"] == "AlipayHK"
    assert [v["content"]["paid_with"] for v in shown["history"]] == ["招商银行(4523)", "AlipayHK"]
    assert _found(topup_ok, "AlipayHK") == [1] and _found(topup_ok, "招商银行") == []
    history = topup_ok("show", "1").stdout.split("history")[1].splitlines()
    assert [line.strip() for line in history if "changed" in line] == ["changed: paid with"]
    topup_ok("amend", "1", "--amount", "120", "--note", "a bonus", "--reason", "the receipt")
    assert "changed: amount credited, note" in topup_ok("show", "1").stdout
    pack = tmp_path / "pack.zip"
    topup_ok("export", "--dispute", "1", "--output", str(pack), "--lang", "en")
    with zipfile.ZipFile(pack) as opened:
        letter = opened.read("summary.html").decode()
    assert "changed: paid with" in letter and "changed: amount credited, note" in letter
    topup_ok("amend", "1", "--paid-with", "", "--reason", "not known after all")
    assert json.loads(topup_ok("show", "1", "--format", "json").stdout)["paid_with"] is None
    assert _found(topup_ok, "AlipayHK") == []
    assert "ok: 1 records" in topup_ok("verify").stderr


def test_every_export_has_it_last_and_imports_it_back(topup_ok, hk_card, ledger_path, tmp_path):
    topup_ok("log", hk_card, "100", "--paid-with", "=招商银行(4523)", "--at", "2025-03-01 10:00")
    topup_ok("log", hk_card, "30", "--at", "2025-03-02 10:00")
    exported = topup_ok("export", "--no-guard").stdout
    assert exported.splitlines()[0].endswith(",created_at,paid_with")
    assert [row["paid_with"] for row in csv.DictReader(io.StringIO(exported))] == ["=招商银行(4523)", ""]
    assert "'=招商银行(4523)" in topup_ok("export").stdout  # a spreadsheet never takes it for a formula
    lines = [json.loads(line) for line in topup_ok("export", "--format", "jsonl").stdout.splitlines()]
    assert [list(r)[-1] for r in lines] == ["paid_with"] * 2
    assert [r["paid_with"] for r in lines] == ["=招商银行(4523)", None]
    from openpyxl import load_workbook

    topup_ok("export", "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"))
    sheet = load_workbook(tmp_path / "r.xlsx")["records"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("paid_with")
    cell = sheet.cell(2, column + 1)
    assert header[column - 1] == "created_at" and (cell.value, cell.data_type) == ("=招商银行(4523)", "s")

    for made in ("csv", "json", "jsonl"):
        export = tmp_path / f"all.{made}"
        topup_ok("export", "--format", made, "--output", str(export))
        copy = str(tmp_path / f"from-{made}.db")
        topup_ok("--db", copy, "import", str(export))
        found = json.loads(topup_ok("--db", copy, "search", "--format", "json").stdout)
        assert [r["paid_with"] for r in found] == [None, "=招商银行(4523)"], made


def test_a_csv_named_by_fields_sets_it(topup_ok, hk_card, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("occurred_at,card,amount,paid_with\n2025-05-01 08:00,Octopus,30,轉數快 (HSBC)\n"
                    "2025-05-02 08:00,Octopus,40,/\n", encoding="utf-8")
    topup_ok("import", str(rows))
    assert [r["paid_with"] for r in json.loads(topup_ok("search", "--format", "json").stdout)] == ["/", "轉數快 (HSBC)"]


def test_the_records_view_the_letter_and_the_pages_show_it(topup_ok, hk_card, ledger_path, tmp_path):
    topup_ok("log", hk_card, "100", "--paid-with", "招商银行(4523)", "--at", "2025-03-01 10:00")
    topup_ok("log", hk_card, "20", "--at", "2025-03-02 10:00")
    assert sql_value(ledger_path, "SELECT paid_with FROM records WHERE id = 1") == "招商银行(4523)"
    topup_ok("export", "--dispute", "1", "--output", str(tmp_path / "d.zip"), "--lang", "en")
    with zipfile.ZipFile(tmp_path / "d.zip") as pack:
        assert "Paid with\n招商银行(4523)" in page_text(pack.read("summary.html").decode())
    keys = Secrets()
    web = TestClient(make_app(at(ledger_path), keys, {"testserver"}))
    web.cookies.set(keys.cookie, keys.token)
    assert "paid with\n招商银行(4523)" in page_text(web.get("/records/1").text)
    assert 'name="paid_with"' in web.get("/log").text
    assert '<a href="/records/1">' in web.get("/", params={"q": "4523"}).text
    assert '<a href="/records/2">' not in web.get("/", params={"q": "4523"}).text


def test_sqlite3_can_still_write_and_the_index_keeps_up(topup_ok, topup, hk_card, ledger_path):
    # The triggers use only SQLite's own functions: the sqlite3 shell and Datasette write through them.
    topup_ok("log", hk_card, "100", "--paid-with", "零钱")
    done = subprocess.run(["sqlite3", str(ledger_path), "UPDATE topup SET paid_with = '中国银行(8765)' WHERE id = 1"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _found(topup_ok, "8765") == [1] and _found(topup_ok, "零钱") == []
    checked = topup("verify")  # the edit is named; the text index, kept up by the triggers, is not
    assert checked.exit_code == 3 and checked.stdout.strip() == (
        "record 1: record: differs from its history in: paid_with")


def test_an_older_ledger_takes_it_and_its_seal_and_history_still_verify(released, topup_ok, tmp_path):
    seal = tmp_path / "seal.txt"
    topup_ok("seal", "--output", str(seal))  # the upgrade, then the seal of every link written before it
    assert sql_value(released, "SELECT name FROM schema_step ORDER BY version DESC LIMIT 1") == STEPS[-1][0]
    assert sql_value(released, "SELECT count(*) FROM topup WHERE paid_with IS NOT NULL") == 0
    topup_ok("amend", "2", "--paid-with", "八達通 App", "--reason", "paid in the app")
    assert "ok: 5 records" in topup_ok("verify", "--seal", str(seal)).stderr
    assert _found(topup_ok, "八達通 App") == [2]
    shown = json.loads(topup_ok("show", "2", "--format", "json").stdout)
    assert [v["content"].get("paid_with") for v in shown["history"]] == [None, "八達通 App"]
    assert sql_value(released, "SELECT paid_with FROM records WHERE id = 2") == "八達通 App"


def test_an_upgrade_indexes_what_paid_beside_the_text_already_indexed(released, topup_ok):
    topup_ok("amend", "5", "--paid-with", "校园卡余额", "--reason", "paid from the card's own balance")
    assert "ok: 5 records" in topup_ok("verify").stderr  # the text index holds every record's text, as a fresh one
    assert _found(topup_ok, "食堂") == [5] and _found(topup_ok, "余额") == [5] and _found(topup_ok, "校园卡余") == [5]
    assert _found(topup_ok, "WX4200") == [1] and _found(topup_ok, "line", "--with-void") == [1]
