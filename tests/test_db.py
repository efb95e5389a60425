import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import SQLModel

import ledger.store.schema  # noqa: F401  (the declaration registers the tables)
from ledger.errors import NotALedger, SchemaTooNew
from ledger.store.sqlite import db, migrations
from tests.conftest import RELEASE_0_1_0, run_process, sql_value


def test_a_new_ledger_is_private_in_wal_mode_and_marked_as_a_ledger(ledger_path, topup_ok):
    topup_ok("card", "add", "campus", "--kind", "smart")
    assert stat.S_IMODE(os.stat(ledger_path).st_mode) == 0o600
    conn = sqlite3.connect(ledger_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST
    conn.close()


def test_the_folder_is_created_on_first_use(tmp_path, topup_ok):
    path = tmp_path / "a" / "b" / "my ledger.db"
    topup_ok("--db", str(path), "card", "add", "campus", "--kind", "smart")
    assert path.is_file()


def test_the_default_ledger_lives_in_the_user_data_folder(tmp_path):
    env = {"TOPUP_DB": "", "XDG_DATA_HOME": str(tmp_path / "data")}
    result = run_process("card", "add", "campus", "--kind", "smart", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "topup-ledger" / "ledger.db").is_file()


def _refused_unchanged(path, error):
    before = path.read_bytes()
    with pytest.raises(error):
        db.prepare(path)
    assert path.read_bytes() == before


def test_a_random_file_is_refused_and_left_byte_for_byte(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(os.urandom(4096))
    _refused_unchanged(path, NotALedger)


def test_another_programs_sqlite_database_is_refused_and_left_byte_for_byte(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('hello')")
    conn.commit()
    conn.close()
    _refused_unchanged(path, NotALedger)


def test_a_ledger_from_a_newer_version_is_refused_and_left_byte_for_byte(ledger_path, topup_ok, topup):
    topup_ok("card", "add", "campus", "--kind", "smart")
    conn = sqlite3.connect(ledger_path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.close()
    _refused_unchanged(ledger_path, SchemaTooNew)
    result = topup("card", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("error:") and "newer topup-ledger" in result.stderr


def test_a_folder_given_as_the_ledger_is_refused(tmp_path, topup):
    result = topup("--db", str(tmp_path), "card", "list")
    assert result.exit_code == 1
    assert "is a folder" in result.stderr


def test_the_orm_models_describe_the_migrated_schema(ledger_path):
    db.prepare(ledger_path)
    conn = sqlite3.connect(ledger_path)
    for table in SQLModel.metadata.sorted_tables:
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table.name})")}
        assert columns == {c.name for c in table.columns}, table.name
    conn.close()


def _schema_one_ledger(path):
    """A ledger as the first release wrote it: schema step 1 only, one card and one record."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    migrations.upgrade(conn, target=1)
    conn.execute("INSERT INTO card (id, label, label_key, kind, currency, created_at_utc) "
                 "VALUES (1, 'Octopus', 'octopus', 'smart', 'HKD', '2025-03-14T10:00:00Z')")
    conn.execute("INSERT INTO topup (id, card_id, amount_minor, currency, channel, outcome, occurred_at_utc, ref, "
                 "status, created_at_utc, version) VALUES (1, 1, 10000, 'HKD', 'app', 'credited', "
                 "'2025-03-14T10:00:00Z', 'WX42001234', 'active', '2025-03-14T10:00:00Z', 1)")
    conn.close()


def _files_beside(path):
    """The files in the ledger's folder (the test's user folders, such as its cache, are there too)."""
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.is_file()}


def test_a_command_that_reads_an_older_ledger_leaves_it_byte_for_byte(released, topup_ok):
    before = _files_beside(released)
    for command in (["search", "WX", "--format", "json"], ["verify"], ["show", "1"], ["export"], ["card", "list"],
                    ["report"], ["due"]):
        result = topup_ok(*command)
        assert "read through an upgraded copy and left unchanged" in result.stderr, command
        assert _files_beside(released) == before, command
    assert "ok: 5 records" in topup_ok("verify").stderr
    facts = json.loads(topup_ok("doctor", "--format", "json").stdout)
    assert (facts["schema_version"], facts["journal_mode"]) == (4, "delete") and _files_beside(released) == before


def test_an_older_ledger_is_copied_aside_then_upgraded_by_a_command_that_writes(released, topup_ok):
    conn = sqlite3.connect(released)
    original = conn.execute("SELECT * FROM topup").fetchall()
    conn.close()
    topup_ok("log", "八达通", "20")
    assert sql_value(released, "PRAGMA user_version") == migrations.LATEST
    backups = list(released.parent.glob("ledger.db.schema4-*.bak"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 4
    assert copy.execute("SELECT * FROM topup").fetchall() == original
    copy.close()
    assert stat.S_IMODE(os.stat(backups[0]).st_mode) == 0o600
    result = topup_ok("verify")
    assert "ok: 6 records" in result.stderr and "older" not in result.stderr


def test_every_step_applies_from_a_blank_ledger_once(ledger_path):
    db.prepare(ledger_path)
    db.prepare(ledger_path)
    assert sql_value(ledger_path, "PRAGMA user_version") == len(migrations.STEPS)
    assert sql_value(ledger_path, "PRAGMA integrity_check") == "ok"


@pytest.mark.parametrize("command", [["card", "list"], ["search", "x"], ["show", "1"], ["export"], ["report"], ["due"],
                                     ["verify"], ["doctor"], ["backup", "copy.db"], ["check", "x", "1"]])
def test_a_command_that_only_reads_creates_no_ledger(tmp_path, command):
    path = tmp_path / "new" / "ledger.db"
    result = run_process("--db", str(path), *command)
    assert result.returncode == 1 and result.stderr.startswith("error: there is no ledger at"), result.stderr
    assert not path.exists()


@pytest.fixture
def damaged(tmp_path, topup_ok, ledger_path):
    """A ledger of 40 records, and three damaged copies of its file."""
    topup_ok("card", "add", "c", "--kind", "smart", "--currency", "CNY")
    rows = "".join(f"c,{n + 1},2025-01-01T10:{n:02d}:00+08:00,REF{n:03d},{'note ' * 60}{n}\n" for n in range(40))
    (tmp_path / "rows.csv").write_text("card,amount,occurred_at,ref,note\n" + rows, encoding="utf-8")
    topup_ok("import", str(tmp_path / "rows.csv"))
    good = ledger_path.read_bytes()
    assert len(good) > 8 * 4096
    pages = bytearray(good)
    pages[3 * 4096:6 * 4096] = bytes(range(256)) * 48
    return {"truncated": good[: len(good) // 2], "header overwritten": b"\0" * 100 + good[100:],
            "bad pages": bytes(pages)}


@pytest.mark.parametrize("kind", ["truncated", "header overwritten", "bad pages"])
def test_a_damaged_ledger_is_reported_as_damage_and_left_as_it_is(damaged, tmp_path, kind):
    path = tmp_path / "damaged.db"
    path.write_bytes(damaged[kind])
    for command in (["verify"], ["search", "REF"], ["log", "c", "5"], ["export"], ["show", "3"], ["doctor"]):
        result = run_process("--db", str(path), *command)
        assert result.returncode == 3, (command, result.stderr)
        assert result.stderr.startswith("error: ") and "unexpected" not in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr
        assert path.read_bytes() == damaged[kind], command


def test_two_upgrades_in_the_same_second_each_keep_their_copy(ledger_path):
    _schema_one_ledger(ledger_path)
    first = db.backup_before_upgrade(ledger_path, 1)
    second = db.backup_before_upgrade(ledger_path, 1)
    assert first != second and first.exists() and second.exists()


def test_doctor_lists_a_ledger_whose_making_was_cut_short(topup_ok, ledger_path):
    topup_ok("card", "add", "campus", "--kind", "smart")
    cut = ledger_path.parent / ".ledger.db.k2j1x9.new"
    cut.write_bytes(b"half a new ledger")
    facts = json.loads(topup_ok("doctor", "--format", "json").stdout)
    assert str(cut) in facts["leftover_files"]


def test_an_older_ledger_too_large_to_copy_into_memory_is_refused_with_what_to_do(released, topup, topup_ok,
                                                                                  monkeypatch):
    monkeypatch.setattr(db, "MAX_UPGRADED_IN_MEMORY", released.stat().st_size - 1)
    before = _files_beside(released)
    result = topup("search", "WX")
    assert result.exit_code == 1 and "too large" in result.stderr and "doctor --rebuild-index" in result.stderr
    assert _files_beside(released) == before
    topup_ok("doctor", "--rebuild-index")
    assert sql_value(released, "PRAGMA user_version") == migrations.LATEST
    assert "WX42001234" in topup_ok("search", "WX", "--format", "json").stdout


DUMPS = Path(__file__).with_name("data")


def _dump_copy(path: Path, schema: int) -> Path:
    """A copy made with `sqlite3 ledger.db .dump | sqlite3 copy.db`: the dumps in tests/data are
    that shell's own output (the 0.1.0 one with its two restored marks cut off here)."""
    if schema == 4:
        text = RELEASE_0_1_0.read_text(encoding="utf-8").split("PRAGMA application_id")[0]
    else:
        text = (DUMPS / "dump-schema5.sql").read_text(encoding="utf-8")
    conn = sqlite3.connect(path)
    conn.executescript(text)
    conn.close()
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("schema", [4, 5])
def test_a_copy_made_with_dump_is_recognised_and_repaired_only_when_asked(ledger_path, topup, topup_ok, schema):
    _dump_copy(ledger_path, schema)
    assert sql_value(ledger_path, "PRAGMA application_id") == 0
    before = ledger_path.read_bytes()
    for command in (["search"], ["card", "add", "x", "--kind", "smart"], ["verify"], ["doctor"]):
        refused = topup(*command)
        assert refused.exit_code == 1, command
        assert f"holds a topup ledger (schema {schema})" in refused.stderr and "doctor --repair" in refused.stderr
        assert ledger_path.read_bytes() == before
    repaired = topup_ok("doctor", "--repair")
    assert f"application id and schema {schema}" in repaired.stderr and re.search(r"^verify +ok$", repaired.stdout, re.M)
    assert sql_value(ledger_path, "PRAGMA application_id") == migrations.APPLICATION_ID
    assert sql_value(ledger_path, "PRAGMA user_version") == schema
    assert "\nok: " in topup_ok("verify").stderr  # after the note that it is read through an upgraded copy
    records = json.loads(topup_ok("search", "--with-void", "--format", "json").stdout)
    assert len(records) == sql_value(ledger_path, "SELECT count(*) FROM topup") >= 3
    assert any(record["receipts"] for record in records)
    again = topup_ok("doctor", "--repair")
    assert "marks were all there; nothing was repaired" in again.stderr


def test_a_near_copy_is_not_taken_for_a_ledger_and_repair_leaves_it(ledger_path, topup):
    _dump_copy(ledger_path, 5)
    conn = sqlite3.connect(ledger_path)
    conn.execute("DROP INDEX topup_ref")
    conn.close()
    before = ledger_path.read_bytes()
    assert "of another program" in topup("search").stderr
    refused = topup("doctor", "--repair")
    assert refused.exit_code == 1 and "not those of any topup ledger" in refused.stderr
    assert ledger_path.read_bytes() == before


def test_repair_names_a_missing_ledger_and_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere" / "ledger.db"
    refused = run_process("--db", str(missing), "doctor", "--repair")
    assert refused.returncode == 1 and refused.stderr.startswith("error: ") and "there is no ledger at" in refused.stderr
    assert not missing.parent.exists()


def test_the_installed_program_repairs_a_dump_copy(tmp_path):
    copy = _dump_copy(tmp_path / "copy of ledger.db", 5)
    refused = run_process("--db", str(copy), "search")
    assert refused.returncode == 1 and "'" + str(copy) + "'" in refused.stderr  # the command to run, quoted
    suggested = re.search(r"`(topup [^`]+)`", refused.stderr)[1]
    path = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    repaired = subprocess.run(["bash", "-c", suggested], capture_output=True, text=True, env={**os.environ, "PATH": path})
    assert repaired.returncode == 0, repaired.stderr
    assert run_process("--db", str(copy), "log", "work-sim", "10").returncode == 0


@pytest.mark.parametrize("command", [["log", "nosuch", "10"], ["receipt", "add", "1", "/etc/hostname"],
                                     ["amend", "1", "--amount", "5", "--reason", "typo"], ["void", "1", "--reason", "x"],
                                     ["card", "edit", "nosuch", "--issuer", "x"]])
def test_a_refused_first_command_leaves_no_ledger_and_no_folder(tmp_path, command):
    path = tmp_path / "new" / "deeper" / "ledger.db"
    refused = run_process("--db", str(path), *command)
    assert refused.returncode == 1 and refused.stderr.startswith("error: "), refused.stderr
    assert list(tmp_path.iterdir()) == []
