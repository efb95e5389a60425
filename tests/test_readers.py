"""The ledger read by other programs: sqlite3 and Datasette see the contract's records and cards."""

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest

from tests.conftest import run_process, table_dump


@pytest.fixture
def varied(topup_ok, tmp_path):
    """Cards in currencies of 0 and 2 decimals, a retired card, a record with receipts, one amended."""
    topup_ok("card", "add", "Suica", "--kind", "smart", "--currency", "JPY", "--max-topup", "20000")
    topup_ok("card", "add", "悠遊卡", "--kind", "smart", "--currency", "TWD", "--number", "1234-5678-9012")
    topup_ok("card", "add", "work-sim", "--kind", "sim", "--region", "HK", "--number", "91234567")
    topup_ok("card", "retire", "work-sim")
    receipt = tmp_path / "收据.txt"
    receipt.write_text("收据 RC1", encoding="utf-8")
    topup_ok("log", "Suica", "3000", "--at", "2025-01-02 08:00", "--ref", "SU-1", "--receipt", str(receipt))
    topup_ok("log", "悠遊卡", "500.50", "--paid", "500.50", "--at", "2025-07-01 23:30", "--note", "捷運站\n加值機")
    topup_ok("log", "work-sim", "100", "--at", "2024-12-31 23:59", "--merchant", "7-Eleven 旺角", "--force")
    topup_ok("amend", "1", "--outcome", "refunded", "--reason", "machine gave it back")


def _sqlite3_json(ledger, query: str) -> list[dict]:
    done = subprocess.run(["sqlite3", "-json", str(ledger), query], capture_output=True, text=True, check=True)
    return json.loads(done.stdout or "[]")


def test_sqlite3_reads_records_and_cards_as_the_contract_shows_them(topup_ok, varied, ledger_path):
    exported = sorted(json.loads(topup_ok("export", "--format", "json").stdout), key=lambda r: r["id"])
    viewed = _sqlite3_json(ledger_path, "SELECT * FROM records ORDER BY id")
    assert [list(row) for row in viewed] == [list(record) for record in exported]  # the same fields, in order
    assert viewed == [record | {"receipts": len(record["receipts"])} for record in exported]
    cards = json.loads(topup_ok("card", "list", "--format", "json").stdout)
    seen = _sqlite3_json(ledger_path, "SELECT * FROM cards")
    assert sorted(seen, key=lambda c: c["label"]) == sorted(
        (card | {"retired": int(card["retired"])} for card in cards), key=lambda c: c["label"])
    assert _sqlite3_json(ledger_path, "SELECT code, digits FROM currency WHERE code IN ('JPY', 'TWD') ORDER BY code") \
        == [{"code": "JPY", "digits": 0}, {"code": "TWD", "digits": 2}]


def test_the_views_give_local_time_in_the_readers_zone(topup_ok, varied, ledger_path):
    import os

    env = {**os.environ, "TZ": "America/St_Johns"}
    done = subprocess.run(["sqlite3", str(ledger_path), "SELECT occurred_at FROM records WHERE id = 2"],
                          capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "2025-07-01T13:00:00-02:30"  # 23:30 in Shanghai


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, opener: urllib.request.OpenerDirector | None = None) -> object:
    with (opener or urllib.request.build_opener()).open(url, timeout=10) as response:
        return json.load(response)


@contextmanager
def _datasette(ledger_path):
    """`topup datasette` running; yields the database's address and a browser signed in by the
    address it printed."""
    port = _free_port()
    log = ledger_path.with_name("datasette.log")
    with log.open("wb") as written:
        server = subprocess.Popen([sys.executable, "-m", "ledger", "datasette", "--port", str(port)],
                                  stdout=written, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/ledger"
    try:
        for _ in range(100):
            if found := re.search(rf"http://127\.0\.0\.1:{port}/-/auth-token\?token=\w+", log.read_text()):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"Datasette did not start: {log.read_text(errors='replace')}")
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        for _ in range(100):
            try:
                browser.open(found[0], timeout=10).close()
                break
            except OSError:
                time.sleep(0.2)
        yield base, browser
    finally:
        server.terminate()
        server.wait(timeout=10)
    with pytest.raises(OSError):  # Datasette itself was stopped, not only the command that started it
        _get(f"{base}.json")


def test_datasette_opens_the_ledger_with_its_views_first_and_a_text_search(varied, ledger_path):
    before = table_dump(ledger_path)
    with _datasette(ledger_path) as (base, browser):
        listing = _get(f"{base}.json", browser)
        assert [view["name"] for view in listing["views"]] == ["records", "cards"]
        assert all(table["hidden"] for table in listing["tables"])
        records = _get(f"{base}/records.json?_shape=array", browser)
        assert [(r["id"], r["card"], r["amount"], r["currency"]) for r in records] == [
            (3, "work-sim", "100.00", "HKD"), (2, "悠遊卡", "500.50", "TWD"), (1, "Suica", "3000", "JPY")]

        def search(text: str) -> list[int]:
            query = urllib.parse.urlencode({"text": text, "_shape": "array"})
            return [row["id"] for row in _get(f"{base}/search.json?{query}", browser)]

        assert search("旺角") == [3] and search("捷運") == [2] and search("SU-1") == [1] and search("suica") == [1]
        assert search("%") == [] and search("_") == []  # text, never a pattern
        labelled = _get(f"{base}/topup.json?_shape=array&_labels=on", browser)
        assert {row["card_id"]["label"] for row in labelled} == {"Suica", "悠遊卡", "work-sim"}
    assert table_dump(ledger_path) == before


def test_datasette_shows_nothing_to_a_browser_not_signed_in_by_its_address(varied, ledger_path):
    with _datasette(ledger_path) as (base, browser):
        root = base.removesuffix("/ledger")
        paths = ["/", "/ledger", "/ledger.json", "/ledger/records.json", "/ledger/card.json", "/ledger/receipt.json",
                 "/ledger/search.json?text=SU", "/ledger.json?sql=select+number+from+card"]
        # A stranger, and a page of another site whose name was made to point here (DNS rebinding): it
        # has no cookie for this address.
        for headers in [{}, {"Host": "rebound.example"}]:
            for path in paths:
                with pytest.raises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(urllib.request.Request(root + path, headers=headers), timeout=10)
                said = refused.value.read().decode()
                assert refused.value.code == 403 and "Suica" not in said and "91234567" not in said, path
        assert _get(f"{base}/card.json?_shape=array", browser)  # the one who started it sees everything


def test_datasette_metadata_for_those_who_run_it_themselves(varied, tmp_path, ledger_path):
    target = tmp_path / "metadata.json"
    done = run_process("datasette", "--write-metadata", str(target))
    assert done.returncode == 0 and f"datasette serve {ledger_path} --metadata {target}" in done.stderr
    described = json.loads(target.read_text(encoding="utf-8"))["databases"]["ledger"]
    assert described["tables"]["card"]["label_column"] == "label" and "search" in described["queries"]


def test_without_datasette_the_command_says_how_to_get_it(topup, varied, monkeypatch):
    import importlib.util
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    result = topup("datasette")
    assert result.exit_code == 1 and "Datasette is not installed" in result.stderr


def test_there_is_no_ledger_to_open(tmp_path):
    done = run_process("--db", str(tmp_path / "none.db"), "datasette")
    assert done.returncode == 1 and "there is no ledger" in done.stderr and not (tmp_path / "none.db").exists()


def _readme_soffice_options() -> str:
    """The CSV filter options README gives for LibreOffice, so that what it says stays true."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    return re.search(r'soffice --headless --infilter="([^"]+)" --convert-to xlsx', readme)[1]


def _soffice(tmp_path, *args: str) -> None:
    """LibreOffice headless, with a profile of its own so that tests never share one."""
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", *args, "--outdir", str(tmp_path)],
                   capture_output=True, check=True, timeout=180)


def test_libreoffice_reads_the_csv_as_readme_says_and_the_workbook_as_it_is(topup_ok, varied, tmp_path):
    from openpyxl import load_workbook

    topup_ok("log", "Suica", "500", "--ref", "0012345678901234567890", "--note", '=HYPERLINK("http://example.com")')
    for label in ("0088", "=1+1"):  # labels a spreadsheet would take for a number and a formula
        topup_ok("card", "add", label, "--kind", "smart", "--currency", "CNY")
        topup_ok("log", label, "10")
    csv_file, xlsx_file = tmp_path / "plain.csv", tmp_path / "ours.xlsx"
    topup_ok("export", "--no-guard", "--output", str(csv_file))
    topup_ok("export", "--format", "xlsx", "--output", str(xlsx_file))
    expected = {r["id"]: r for r in json.loads(topup_ok("export", "--format", "json").stdout)}

    _soffice(tmp_path, f"--infilter={_readme_soffice_options()}", "--convert-to", "xlsx", str(csv_file))
    converted = list(load_workbook(tmp_path / "plain.xlsx").active.iter_rows(values_only=True))
    header = converted[0]
    for row in converted[1:]:
        cells = dict(zip(header, row, strict=True))
        record = expected[cells["id"]]
        assert (cells["card"], cells["ref"], cells["merchant"]) == (record["card"], record["ref"], record["merchant"])
        assert cells["note"] == record["note"] and isinstance(cells["amount"], int | float)
        assert cells["occurred_at"] == record["occurred_at"] and cells["status"] == record["status"]
    assert {row[1] for row in converted[1:]} >= {"0088", "=1+1"}
    import zipfile

    with zipfile.ZipFile(tmp_path / "plain.xlsx") as parts:
        assert "<f>" not in parts.read("xl/worksheets/sheet1.xml").decode()

    _soffice(tmp_path, "--convert-to", "ods", str(xlsx_file))  # opened with no import dialog
    with zipfile.ZipFile(tmp_path / "ours.ods") as ods:
        content = ods.read("content.xml").decode()
    assert "table:formula" not in content and "=HYPERLINK(&quot;http://example.com&quot;)" in content
    assert 'office:value-type="float" office:value="3000"' in content and "0012345678901234567890" in content
    assert 'office:value-type="date" office:date-value="2025-01-02T08:00:00"' in content
