"""README's recipe for a new record field, followed to the letter on a copy of the package: two fields
(an amount and a short text) reach every output without a change anywhere else, an older ledger is
upgraded to them, and `verify` checks them."""

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import RELEASE_0_1_0, page_text

ROOT = Path(__file__).resolve().parents[1]
WECHAT_BILL = "\n".join([
    "微信支付账单明细,,,,,,,,,,",
    "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注",
    "2025-04-06 08:00:00,商户消费,学校,校园卡充值,支出,¥200.00,零钱,支付成功,4200009000000002\t,/\t,/",
]) + "\n"


def _recipe() -> tuple[str, str, str]:
    """README's three blocks of code: the registry lines, the step, and its place in STEPS."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### A new record field"):]
    section = section[:section.index("\n## ") if "\n## " in section else len(section)]
    fields, step, entry = re.findall(r"```python\n(.*?)```", section, re.S)
    return fields, step, entry


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package with README's recipe applied, and nothing else changed."""
    root = tmp_path_factory.mktemp("recipe")
    copy = root / "ledger"
    shutil.copytree(ROOT / "ledger", copy, ignore=shutil.ignore_patterns("__pycache__"))
    fields, step, entry = _recipe()
    registry = copy / "domain" / "fields.py"
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    before = next(i for i, line in enumerate(lines) if 'RecordField("version"' in line)
    registry.write_text("".join(lines[:before] + [fields] + lines[before:]), encoding="utf-8")
    migrations = copy / "store" / "sqlite" / "migrations.py"
    source = migrations.read_text(encoding="utf-8")
    steps = source.index("STEPS: list[")
    source = source[:steps] + step + "\n\n" + source[steps:]
    closing = source.index("\n]\n", source.index("STEPS: list["))
    source = source[:closing + 1] + entry + source[closing + 1:]
    migrations.write_text(source, encoding="utf-8")
    return root


def _run(package: Path, ledger: Path, *args: str, ok: bool = True, script: str | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(package), "TOPUP_DB": str(ledger)}
    command = [sys.executable, "-c", script, *args] if script else [sys.executable, "-m", "ledger", *args]
    # Run from the ledger's folder: Python puts the working folder first, before PYTHONPATH.
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, cwd=ledger.parent)
    if ok:
        assert done.returncode == 0, f"{args}: {done.stderr}"
    return done.stdout if ok else done.stdout + done.stderr


def test_the_copy_is_the_one_that_runs(package, tmp_path):
    found = _run(package, tmp_path / "l.db", script="import ledger; print(ledger.__file__)")
    assert found.strip() == str(package / "ledger" / "__init__.py")


def test_log_amend_and_every_output_carry_the_new_fields(package, tmp_path):
    ledger = tmp_path / "ledger.db"
    _run(package, ledger, "card", "add", "校园卡", "--kind", "smart", "--currency", "CNY")
    logged = json.loads(_run(package, ledger, "log", "校园卡", "50", "--fee", "1.5", "--voucher", "V-1",
                             "--at", "2025-05-01 08:00", "--format", "json"))
    assert list(logged)[-2:] == ["fee", "voucher"] and (logged["fee"], logged["voucher"]) == ("1.50", "V-1")
    _run(package, ledger, "amend", "1", "--fee", "2", "--reason", "the receipt says 2")
    shown = json.loads(_run(package, ledger, "show", "1", "--format", "json"))
    assert [version["content"]["fee"] for version in shown["history"]] == ["1.50", "2.00"]
    assert shown["history"][-1]["content"]["voucher"] == "V-1"
    refused = _run(package, ledger, "amend", "1", "--fee", "-1", "--reason", "x", ok=False)
    assert "error: --fee '-1' must be more than zero" in refused

    exported = _run(package, ledger, "export", "--no-guard")
    row = next(csv.DictReader(io.StringIO(exported)))
    assert exported.splitlines()[0].endswith(",paid_with,fee,voucher") and (row["fee"], row["voucher"]) == ("2.00",
                                                                                                            "V-1")
    conn = sqlite3.connect(ledger)
    assert conn.execute("SELECT fee, voucher FROM records WHERE id = 1").fetchone() == ("2.00", "V-1")
    conn.close()

    from openpyxl import load_workbook

    _run(package, ledger, "export", "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"))
    sheet = load_workbook(tmp_path / "r.xlsx")["records"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(2, header.index("fee") + 1).value == 2 and sheet.cell(2, header.index("voucher") + 1).value == "V-1"

    _run(package, ledger, "export", "--dispute", "1", "--output", str(tmp_path / "d.zip"), "--lang", "en")
    with zipfile.ZipFile(tmp_path / "d.zip") as pack:
        letter = page_text(pack.read("summary.html").decode())
        assert "Fee\n2.00 CNY" in letter and "Voucher\nV-1" in letter
        assert json.loads(pack.read("records.json"))[0]["history"][0]["content"]["fee"] == "1.50"
    assert "ok: 1 records" in _verify(package, ledger)


def _verify(package: Path, ledger: Path) -> str:
    """What `verify` says on stderr."""
    env = {**os.environ, "PYTHONPATH": str(package), "TOPUP_DB": str(ledger)}
    return subprocess.run([sys.executable, "-m", "ledger", "verify"], capture_output=True, text=True, env=env,
                          cwd=ledger.parent).stderr


def test_imports_take_the_new_fields_and_a_bill_leaves_them_empty(package, tmp_path):
    ledger, other = tmp_path / "a.db", tmp_path / "b.db"
    _run(package, ledger, "card", "add", "校园卡", "--kind", "smart", "--currency", "CNY")
    _run(package, ledger, "log", "校园卡", "30", "--fee", "0.5", "--voucher", "=1+1", "--at", "2025-05-02 09:00")
    first = tmp_path / "first.csv"
    _run(package, ledger, "export", "--output", str(first))
    _run(package, other, "import", str(first))
    again = tmp_path / "again.csv"
    _run(package, other, "export", "--output", str(again))
    assert again.read_bytes() == first.read_bytes()
    as_json, third = tmp_path / "first.json", tmp_path / "c.db"
    _run(package, ledger, "export", "--format", "json", "--output", str(as_json))
    _run(package, third, "import", str(as_json))
    copied = json.loads(_run(package, third, "search", "--format", "json"))
    assert [(r["fee"], r["voucher"]) for r in copied] == [("0.50", "=1+1")]
    bill = tmp_path / "bill.csv"
    bill.write_text(WECHAT_BILL, encoding="utf-8-sig")
    _run(package, other, "import", str(bill))
    from_bill = json.loads(_run(package, other, "search", "4200009000000002", "--format", "json"))
    assert [(r["amount"], r["fee"], r["voucher"]) for r in from_bill] == [("200.00", None, None)]
    assert "ok: 2 records" in _verify(package, other)


def test_the_form_and_the_record_page_show_the_new_fields(package, tmp_path):
    ledger = tmp_path / "ledger.db"
    _run(package, ledger, "card", "add", "校园卡", "--kind", "smart", "--currency", "CNY")
    _run(package, ledger, "log", "校园卡", "50", "--fee", "1.5", "--voucher", "V-1")
    pages = _run(package, ledger, script=(
        "import os\n"
        "from pathlib import Path\n"
        "from starlette.testclient import TestClient\n"
        "from ledger.store.location import at\n"
        "from ledger.web.guard import Secrets\n"
        "from ledger.web.pages import make_app\n"
        "keys = Secrets()\n"
        "web = TestClient(make_app(at(Path(os.environ['TOPUP_DB'])), keys, {'testserver'}))\n"
        "web.cookies.set(keys.cookie, keys.token)\n"
        "print(web.get('/log').text)\n"
        "print('=====')\n"
        "print(web.get('/records/1').text)\n"))
    form, record = pages.split("=====")
    assert 'name="fee"' in form and 'name="voucher"' in form
    assert "fee\n1.50" in page_text(record) and "voucher\nV-1" in page_text(record)


@pytest.mark.parametrize(("record", "change", "named"), [
    (2, "fee_minor = 99", "fee_minor"),  # the new field, on a record chained with it
    (1, "fee_minor = 5", "fee_minor"),  # the new field, on a record chained before it existed
    (3, "note = 'edited'", "note"),  # an old field, on a record chained before the upgrade
    (2, "amount_minor = 1", "amount_minor"),  # an old field, on a record chained after it
])
def test_an_older_ledger_takes_the_fields_and_an_edit_after_is_named(package, tmp_path, record, change, named):
    ledger = tmp_path / "released.db"
    conn = sqlite3.connect(ledger)
    conn.executescript(RELEASE_0_1_0.read_text(encoding="utf-8"))
    conn.close()
    assert "ok: 5 records" in _verify(package, ledger)
    _run(package, ledger, "amend", "2", "--fee", "1.50", "--reason", "the fee, now that it is kept")
    assert "ok: 5 records" in _verify(package, ledger)
    conn = sqlite3.connect(ledger)
    conn.execute(f"UPDATE topup SET {change} WHERE id = ?", (record,))
    conn.commit()
    conn.close()
    assert f"record {record}: record: differs from its history in: {named}" in _run(package, ledger, "verify",
                                                                                      ok=False)
