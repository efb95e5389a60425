import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import zipfile

import pytest

from ledger.domain.receipts import MAX_RECEIPT_BYTES, safe_file_name
from tests.conftest import page_text, run_process, sql_value, table_dump, tamper


@pytest.fixture
def receipt_file(tmp_path):
    path = tmp_path / "收据 2025-03-14.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    return path


def test_a_receipt_survives_deletion_of_the_original_and_comes_back_byte_for_byte(topup_ok, hk_card, receipt_file,
                                                                                    tmp_path):
    original = receipt_file.read_bytes()
    topup_ok("log", hk_card, "100", "--receipt", str(receipt_file))
    receipt_file.unlink()
    out = tmp_path / "out"
    out.mkdir()
    written = topup_ok("receipt", "get", "1", "--output", str(out)).stdout.splitlines()
    assert [os.path.basename(p) for p in written] == ["收据 2025-03-14.png"]
    assert (out / "收据 2025-03-14.png").read_bytes() == original
    again = topup_ok("receipt", "get", "1", "--output", str(out)).stdout.strip()
    assert again.endswith("收据 2025-03-14 (1).png")  # never written over an existing file
    record = json.loads(topup_ok("show", "1", "--format", "json").stdout)
    assert record["receipts"] == [{"name": "收据 2025-03-14.png", "sha256": hashlib.sha256(original).hexdigest(),
                                   "size": len(original)}]


def test_the_same_bytes_are_stored_once(topup_ok, hk_card, receipt_file, ledger_path):
    topup_ok("log", hk_card, "100", "--receipt", str(receipt_file), "--receipt", str(receipt_file))
    topup_ok("log", hk_card, "50", "--receipt", str(receipt_file))
    assert "already keeps" in topup_ok("receipt", "add", "1", str(receipt_file)).stderr
    assert sql_value(ledger_path, "SELECT count(*) FROM blob") == 1
    assert sql_value(ledger_path, "SELECT count(*) FROM receipt") == 2


def test_receipt_add_is_a_new_version(topup_ok, hk_card, receipt_file):
    topup_ok("log", hk_card, "100")
    topup_ok("receipt", "add", "1", str(receipt_file))
    history = json.loads(topup_ok("show", "1", "--format", "json").stdout)["history"]
    assert [v["action"] for v in history] == ["log", "receipt"]


def test_unusable_receipt_files_refuse_the_whole_command(topup_ok, topup, hk_card, receipt_file, tmp_path,
                                                        ledger_path):
    topup_ok("log", hk_card, "1")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as f:
        f.truncate(MAX_RECEIPT_BYTES + 1)
    folder_link = tmp_path / "link"
    folder_link.symlink_to(tmp_path)
    before = table_dump(ledger_path)
    for bad in (tmp_path / "missing.png", tmp_path, folder_link, empty, huge):
        result = topup("log", hk_card, "100", "--receipt", str(receipt_file), "--receipt", str(bad))
        assert result.exit_code == 1 and result.stderr.startswith("error: receipt"), bad
        result = topup("receipt", "add", "1", str(bad))
        assert result.exit_code == 1, bad
    assert table_dump(ledger_path) == before


def test_receipts_of_a_missing_record_or_none_at_all_are_refused(topup_ok, topup, hk_card, receipt_file):
    assert topup("receipt", "add", "7", str(receipt_file)).exit_code == 1
    topup_ok("log", hk_card, "1")
    result = topup("receipt", "get", "1")
    assert result.exit_code == 1 and "no receipt files" in result.stderr


@pytest.mark.parametrize(
    ("name", "safe"),
    [("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"), ("/abs/x.png", "x.png"), ("..", "fallback"),
     (".hidden", "hidden"), ("a\x00b.txt", "ab.txt"), ("", "fallback")],
)
def test_receipt_names_cannot_escape_the_folder(name, safe):
    assert safe_file_name(name, "fallback") == safe


def _ledger_with_history(topup_ok, hk_card, receipt_file):
    topup_ok("log", hk_card, "100", "--ref", "A", "--receipt", str(receipt_file))
    topup_ok("log", hk_card, "200", "--ref", "B")
    topup_ok("log", hk_card, "300", "--ref", "C")
    topup_ok("amend", "2", "--amount", "250", "--reason", "receipt says 250")
    topup_ok("void", "3", "--reason", "logged twice")


def test_a_healthy_ledger_verifies(topup_ok, hk_card, receipt_file):
    _ledger_with_history(topup_ok, hk_card, receipt_file)
    result = topup_ok("verify")
    assert result.stdout == "" and "ok: 3 records" in result.stderr


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (["UPDATE topup SET amount_minor = 99900 WHERE id = 1"], "record 1: record: differs from its history in: amount_minor"),
        (["DELETE FROM receipt WHERE topup_id = 2", "DELETE FROM topup_version WHERE topup_id = 2",
          "DELETE FROM topup WHERE id = 2"], "record 3: history: the link before version 1 is missing"),
        (["UPDATE blob SET data = zeroblob(size)"], "is damaged"),
        (["UPDATE topup_version SET content = replace(content, '10000', '10001') WHERE topup_id = 1 AND version = 1"],
         "record 1: history: version 1 was changed"),
        (["DELETE FROM topup_version WHERE seq = (SELECT max(seq) FROM topup_version)"], "newest links"),
        (["DELETE FROM topup WHERE id = 3"], "record 3: record: was removed"),
        (["UPDATE topup_version SET seq = 100 WHERE seq = 2", "UPDATE topup_version SET seq = 2 WHERE seq = 3",
          "UPDATE topup_version SET seq = 3 WHERE seq = 100"], "out of order"),
    ],
)
def test_verify_finds_each_kind_of_damage(topup_ok, topup, hk_card, receipt_file, ledger_path, statements, expected):
    _ledger_with_history(topup_ok, hk_card, receipt_file)
    tamper(ledger_path, *statements)
    result = topup("verify")
    assert result.exit_code == 3
    assert expected in result.stdout
    assert "nothing was repaired" in result.stderr
    report = json.loads(topup("verify", "--format", "json").stdout)
    assert report["ok"] is False and report["problems"]


def test_the_dispute_pack_holds_records_receipts_and_a_manifest_that_matches(topup_ok, hk_card, receipt_file,
                                                                              tmp_path):
    _ledger_with_history(topup_ok, hk_card, receipt_file)
    pack = tmp_path / "dispute.zip"
    topup_ok("export", "--dispute", "1", "2", "--output", str(pack))
    with zipfile.ZipFile(pack) as z:
        manifest = json.loads(z.read("manifest.json"))
        listed = {f["path"] for f in manifest["files"]}
        assert listed == set(z.namelist()) - {"manifest.json", "SHA256SUMS"}  # SHA256SUMS covers the manifest too
        for entry in manifest["files"]:
            data = z.read(entry["path"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]
        assert z.read("receipts/record-1/收据 2025-03-14.png") == receipt_file.read_bytes()
        records = json.loads(z.read("records.json"))
        summary = page_text(z.read("summary.html").decode())
        csv_text = z.read("records.csv").decode()
    for record, entry in zip(records, manifest["records"], strict=True):
        shown = json.loads(topup_ok("show", str(record["id"]), "--format", "json").stdout)
        assert entry["chain_digest"] == shown["history"][-1]["digest"]
    assert [r["id"] for r in records] == [1, 2] and records[1]["amount"] == "250.00"
    assert "****6783" in summary and "123456783" not in summary and "123456783" not in csv_text
    assert "到帳金額\n250.00 HKD" in summary  # the card is kept in Hong Kong: the letter is in Traditional Chinese


def test_a_damaged_receipt_is_never_packed_as_evidence(topup_ok, topup, hk_card, receipt_file, ledger_path, tmp_path):
    _ledger_with_history(topup_ok, hk_card, receipt_file)
    tamper(ledger_path, "UPDATE blob SET data = zeroblob(size)")
    before = table_dump(ledger_path)
    for command in (["export", "--dispute", "1", "--output", str(tmp_path / "pack.zip")],
                    ["receipt", "get", "1", "--output", str(tmp_path / "out")]):
        refused = topup(*command)
        assert refused.exit_code == 3 and "is damaged in the ledger; run `topup verify`" in refused.stderr
    assert not (tmp_path / "pack.zip").exists() and not (tmp_path / "out").exists()
    assert table_dump(ledger_path) == before


def test_a_dispute_pack_of_a_missing_record_writes_nothing(topup, hk_card, tmp_path):
    pack = tmp_path / "dispute.zip"
    result = topup("export", "--dispute", "1,2", "--output", str(pack))
    assert result.exit_code == 1 and "no record 1" in result.stderr
    assert list(tmp_path.glob("*.zip")) == [] and not [p for p in tmp_path.iterdir() if "partial" in p.name]
    assert topup("export", "--dispute", "x", "--output", str(pack)).exit_code == 1
    assert topup("export", "--dispute", "１", "--output", str(pack)).stderr == \
        "error: there is no record 1; `topup search` lists the records\n"  # full-width digits are ids too
    assert topup("export", "--dispute", "1").exit_code == 1


def test_a_backup_is_private_verified_and_never_overwrites_unasked(topup_ok, topup, hk_card, receipt_file, tmp_path):
    _ledger_with_history(topup_ok, hk_card, receipt_file)
    copy = tmp_path / "copy.db"
    topup_ok("backup", str(copy))
    assert oct(os.stat(copy).st_mode & 0o777) == "0o600"
    assert topup("--db", str(copy), "verify").exit_code == 0
    assert topup("backup", str(copy)).exit_code == 1
    topup_ok("backup", str(copy), "--force")


def test_a_backup_taken_while_another_process_logs_is_complete_and_verifies(topup_ok, hk_card, tmp_path, ledger_path):
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom ledger.cli import main\n"
         "for i in range(40):\n"
         "    sys.argv = ['topup', 'log', 'Octopus', '1', '--ref', f'W{i}']\n"
         "    try:\n        main()\n    except SystemExit as e:\n        assert e.code in (0, None), e.code\n"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    copies = []
    while writer.poll() is None or len(copies) < 3:
        copy = tmp_path / f"copy{len(copies)}.db"
        result = run_process("backup", str(copy))
        assert result.returncode == 0, result.stderr
        # Checked at once: a copy older than a later backup's seal is, rightly, below that seal.
        assert run_process("--db", str(copy), "verify").returncode == 0
        copies.append(copy)
    _, errors = writer.communicate()
    assert writer.returncode == 0, errors
    final = sql_value(ledger_path, "SELECT count(*) FROM topup")
    assert final == 40


INDEX_BODY = "coalesce(ref, '') || char(10) || coalesce(merchant, '') || char(10) || coalesce(note, '')"


@pytest.mark.parametrize(("tamper", "said"), [
    (f"INSERT INTO topup_fts (topup_fts, rowid, body) SELECT 'delete', id, {INDEX_BODY} FROM topup WHERE id = 2",
     "record 2: search: is missing from the text index"),
    (f"INSERT INTO topup_fts (topup_fts, rowid, body) SELECT 'delete', id, {INDEX_BODY} FROM topup WHERE id = 2; "
     "INSERT INTO topup_fts (rowid, body) VALUES (2, 'something else')", "does not hold the records' text"),
    ("INSERT INTO topup_fts (rowid, body) VALUES (99, 'a ghost')", "record 99: search: is in the text index"),
])
def test_verify_finds_a_text_index_that_hides_or_invents_records(topup_ok, topup, hk_card, ledger_path, tamper, said):
    for n in range(3):
        topup_ok("log", hk_card, "10", "--ref", f"WX4200{n}", "--note", f"便利店 {n}")
    conn = sqlite3.connect(ledger_path)
    conn.executescript(tamper)
    conn.close()
    result = topup("verify")
    assert result.exit_code == 3 and said in result.stdout
    topup_ok("doctor", "--rebuild-index")
    assert "ok: 3 records" in topup_ok("verify").stderr
    assert [r["ref"] for r in json.loads(topup_ok("search", "WX42001", "--format", "json").stdout)] == ["WX42001"]


def test_receipt_get_makes_a_missing_folder_and_its_parents_private(topup_ok, hk_card, receipt_file, tmp_path,
                                                                    ledger_path):
    topup_ok("log", hk_card, "100", "--receipt", str(receipt_file))
    target = tmp_path / "out" / "2025" / "三月"
    refused = run_process("--db", str(ledger_path), "receipt", "get", "9", "--output", str(target))
    assert refused.returncode == 1 and not (tmp_path / "out").exists()  # nothing is made for a missing record
    result = run_process("--db", str(ledger_path), "receipt", "get", "1", "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert (target / receipt_file.name).read_bytes() == receipt_file.read_bytes()
    for folder in (tmp_path / "out", tmp_path / "out" / "2025", target):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for bad in (blocker, blocker / "below"):
        refused = run_process("--db", str(ledger_path), "receipt", "get", "1", "--output", str(bad))
        assert refused.returncode == 1 and refused.stderr.startswith("error: ") and "Traceback" not in refused.stderr
    assert blocker.read_text() == "x"
