"""The registry of record fields: everything derived from it agrees, whichever path writes it."""

import io
import json
import sqlite3
import typing
import zipfile

import pytest

from ledger.domain import fields
from ledger.store import schema
from tests.conftest import log_json, make_ledger


def test_the_declared_record_type_has_the_contract_fields_in_order():
    assert tuple(typing.get_type_hints(fields.Record)) == fields.FIELD_NAMES
    assert fields.FIELD_NAMES == (
        "id", "card", "card_kind", "amount", "paid", "currency", "channel", "outcome", "occurred_at", "ref",
        "merchant", "note", "balance_after", "valid_until", "status", "receipts", "created_at", "paid_with")


def test_the_table_and_its_model_hold_the_registry_columns(topup_ok, ledger_path):
    make_ledger(ledger_path)
    conn = sqlite3.connect(ledger_path)
    table = {row[1] for row in conn.execute("PRAGMA table_info(topup)")}
    conn.close()
    stored = {f.column for f in fields.STORED}  # a column added later stands last in the table
    assert table == stored
    assert set(schema.Topup.__table__.columns.keys()) == stored


def _awkward_records(topup_ok, tmp_path):
    """Records whose cells a spreadsheet would misread: digits, formulas, zero, quotes, two lines."""
    topup_ok("card", "add", "=card", "--kind", "smart", "--currency", "CNY")
    slip = tmp_path / "slip.txt"
    slip.write_text("slip")
    ids = [
        log_json(topup_ok, "=card", "1,000", "--at", "2025-01-01 08:00", "--ref", "0012345678901234567890",
                 "--paid", "999.50", "--balance-after", "0", "--receipt", str(slip))["id"],
        log_json(topup_ok, "=card", "20", "--at", "2025-01-02 08:00", "--ref", "@ref", "--merchant", "-5",
                 "--note", '=HYPERLINK("x")\nsecond, "line"', "--valid-until", "2026-01-01")["id"],
        log_json(topup_ok, "=card", "30.5", "--at", "2025-01-03 08:00", "--merchant", "'quoted", "--note", "1.5")["id"],
    ]
    topup_ok("amend", str(ids[2]), "--outcome", "refunded", "--reason", "money back")
    return ids


def test_the_dispute_pack_writes_the_same_cells_as_the_export(topup_ok, tmp_path):
    ids = _awkward_records(topup_ok, tmp_path)
    export = topup_ok("export").stdout_bytes
    pack = tmp_path / "pack.zip"
    topup_ok("export", "--dispute", *map(str, ids), "--output", str(pack))
    with zipfile.ZipFile(pack) as z:
        assert z.read("records.csv") == export
        assert json.loads(z.read("records.json"))[0]["amount"] == "1000.00"


def test_csv_and_json_say_the_same_of_every_field(topup_ok, tmp_path):
    import csv

    from ledger.domain.spreadsheet import unguard

    _awkward_records(topup_ok, tmp_path)
    rows = list(csv.DictReader(io.StringIO(topup_ok("export").stdout.lstrip("\ufeff"))))
    records = json.loads(topup_ok("export", "--format", "json").stdout)
    for row, record in zip(rows, records, strict=True):
        for field in fields.PUBLIC_FIELDS:
            value = record[field.name]
            expected = "" if value is None else str(len(value)) if field.kind is fields.Kind.receipts else str(value)
            cell = unguard(row[field.name]) if field.guarded else row[field.name]
            assert cell == expected, field.name
            if field.numeric:
                assert not row[field.name].startswith("'"), field.name


def test_an_export_made_before_a_field_existed_still_imports(topup_ok, tmp_path):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    older = tmp_path / "older.csv"
    # An earlier layout: fewer columns, in another order, with no receipts, status or created_at.
    older.write_text("\ufeffoccurred_at,card,amount,channel,ref,note\r\n"
                     "2025-05-01T08:00:00+08:00,campus,30.00,kiosk,'0012345,食堂\r\n", encoding="utf-8")
    assert "added 1 record(s)" in topup_ok("import", str(older)).stderr
    (record,) = json.loads(topup_ok("search", "--format", "json").stdout)
    assert (record["amount"], record["ref"], record["note"], record["channel"], record["status"]) == (
        "30.00", "0012345", "食堂", "kiosk", "active")
    assert "ok: 1 records" in topup_ok("verify").stderr


def test_a_file_with_an_unknown_column_is_not_taken_for_an_export(topup, topup_ok, tmp_path, ledger_path):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    odd = tmp_path / "odd.csv"
    odd.write_text("occurred_at,card,amount,tip\n2025-05-01 08:00,campus,30,1\n", encoding="utf-8")
    result = topup("import", str(odd))
    assert result.exit_code == 1 and "in no layout this program knows" in result.stderr and "--map" in result.stderr


def test_a_text_field_declared_without_its_own_rule_keeps_one_line_of_text():
    from datetime import datetime

    from ledger.domain.fields import Kind, RecordField, typed
    from ledger.errors import InvalidInput

    voucher = RecordField("voucher", "voucher", Kind.text, optional=True, option="--voucher")
    now = datetime.now().astimezone()
    assert typed(voucher, " V-1 ", "HKD", now) == "V-1"
    with pytest.raises(InvalidInput):
        typed(voucher, "two\nlines", "HKD", now)
    with pytest.raises(TypeError, match="needs `clean`"):
        typed(RecordField("tier", "tier", Kind.code, option="--tier"), "gold", "HKD", now)
