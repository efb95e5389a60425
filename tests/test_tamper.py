"""What gives a record its meaning is in the hash chain: the card's identity, currency and limits,
each version's action, reason and time, and each receipt's name, type and digest. An edit of any of
them behind the program's back is named by `verify`, and no change is written on top of it."""

import json
import sqlite3

import pytest

from ledger.domain import chain
from tests.conftest import run_process, sql, sql_value, table_dump, tamper


@pytest.fixture
def kept(topup_ok, tmp_path):
    """Two cards (one edited, one unused), a record with a receipt, an amended one, a voided one."""
    slip = tmp_path / "slip.png"
    slip.write_bytes(b"\x89PNG\r\n\x1a\n receipt")
    topup_ok("card", "add", "Octopus", "--kind", "smart", "--region", "HK", "--number", "123456783")
    topup_ok("card", "add", "spare", "--kind", "sim", "--region", "HK")
    topup_ok("log", "Octopus", "100", "--ref", "A1", "--receipt", str(slip))
    topup_ok("log", "Octopus", "200", "--ref", "B2")
    topup_ok("amend", "2", "--amount", "250", "--reason", "the slip says 250")
    topup_ok("card", "edit", "Octopus", "--max-topup", "1000")
    topup_ok("void", "1", "--reason", "logged twice")
    assert "ok: 2 records" in topup_ok("verify").stderr


@pytest.mark.parametrize(("statements", "expected"), [
    (["UPDATE card SET currency = 'CNY' WHERE id = 1"], "card 1 ('Octopus'): differs from its history in: currency"),
    (["UPDATE card SET label = 'Octopus2', label_key = 'octopus2' WHERE id = 1"],
     "card 1 ('Octopus2'): differs from its history in: label, label_key"),
    (["UPDATE card SET number = '999999999' WHERE id = 1"], "differs from its history in: number"),
    (["UPDATE card SET max_topup_minor = 9999999 WHERE id = 1"], "differs from its history in: max_topup_minor"),
    (["UPDATE card SET retired_at_utc = '2026-01-01T00:00:00Z' WHERE id = 2"],
     "card 2 ('spare'): differs from its history in: retired_at_utc"),
    (["INSERT INTO card (id, label, label_key, kind, currency, created_at_utc) "
      "VALUES (9, 'ghost', 'ghost', 'sim', 'HKD', '2026-01-01T00:00:00Z')"], "card 9 ('ghost'): has no history"),
    (["DELETE FROM card WHERE id = 2"], "card 2: was removed"),
    (["UPDATE topup_version SET reason = 'a typo' WHERE topup_id = 2 AND version = 2"],
     "record 2: history: version 2's action, reason, time or place in the history was changed"),
    (["UPDATE topup_version SET action = 'log' WHERE topup_id = 1 AND version = 2"],
     "record 1: history: version 2's action, reason, time or place in the history was changed"),
    (["UPDATE topup_version SET recorded_at_utc = '2020-01-01T00:00:00Z' WHERE topup_id = 1 AND version = 1"],
     "record 1: history: version 1's action, reason, time or place in the history was changed"),
    (["UPDATE receipt SET media_type = 'text/html'"], "record 1: record: differs from its history in: receipts"),
    (["UPDATE receipt SET name = 'other.png'"], "record 1: record: differs from its history in: receipts"),
    (["UPDATE ledger_link SET content = replace(content, '100000', '900000') WHERE card_id = 1 AND version = 2"],
     "card 1 ('Octopus'): version 2 was changed after it was written"),
    (["UPDATE ledger_link SET reason = 'why not' WHERE card_id = 1 AND version = 1"],
     "card 1 ('Octopus'): version 1's action, reason, time or place in the history was changed"),
    (["DELETE FROM ledger_link WHERE card_id = 2"], "the link before version"),
    # The newest change of a record or a card passed off as a link about the ledger, or renumbered,
    # so that its subject's history seems to end before it: the void of record 1 undone…
    (["INSERT INTO ledger_link SELECT seq, NULL, 1, action, reason, recorded_at_utc, content, prev_digest, digest "
      "FROM topup_version WHERE topup_id = 1 AND version = 2", "DELETE FROM topup_version WHERE topup_id = 1 AND "
      "version = 2", "UPDATE topup SET status = 'active', version = 1 WHERE id = 1"],
     "version 1's action, reason, time or place in the history was changed"),
    # …and the card's limit set by its edit removed.
    (["UPDATE ledger_link SET card_id = NULL, version = 1 WHERE card_id = 1 AND version = 2",
      "UPDATE card SET max_topup_minor = NULL WHERE id = 1"], "place in the history was changed"),
    (["UPDATE ledger_link SET card_id = 2 WHERE card_id = 1 AND version = 2",
      "UPDATE ledger_link SET version = 3 WHERE card_id = 2 AND seq = (SELECT max(seq) FROM ledger_link)"],
     "place in the history was changed"),
])
def test_an_edit_behind_the_programs_back_is_named(kept, topup, ledger_path, statements, expected):
    tamper(ledger_path, *statements)
    result = topup("verify")
    assert result.exit_code == 3, result.stderr
    assert expected in result.stdout
    report = json.loads(topup("verify", "--format", "json").stdout)
    assert report["ok"] is False and any(expected.split(": ")[-1] in p["detail"] for p in report["problems"])


def test_a_card_switched_to_another_currency_takes_no_new_record(kept, ledger_path):
    """Through the installed command: the next `log` would have said "logged 10.00 CNY"."""
    sql(ledger_path, "UPDATE card SET currency = 'CNY' WHERE id = 1")
    before = table_dump(ledger_path)
    for command in (["log", "Octopus", "10"], ["card", "edit", "Octopus", "--issuer", "MTR"],
                    ["card", "retire", "Octopus"]):
        result = run_process("--db", str(ledger_path), *command)
        assert result.returncode == 3, (command, result.stderr)
        assert result.stderr.startswith("error: card 'Octopus' was changed outside topup (in: currency)"), result.stderr
        assert table_dump(ledger_path) == before
    result = run_process("--db", str(ledger_path), "verify")
    assert result.returncode == 3 and "card 1 ('Octopus'): differs from its history in: currency" in result.stdout


def test_an_import_onto_an_altered_card_writes_nothing(kept, topup, ledger_path, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("card,amount,occurred_at\nOctopus,50,2026-01-02T10:00:00+08:00\n", encoding="utf-8")
    sql(ledger_path, "UPDATE card SET max_topup_minor = NULL WHERE id = 1")
    before = table_dump(ledger_path)
    result = topup("import", str(rows))
    assert result.exit_code == 3 and "was changed outside topup (in: max_topup_minor)" in result.stderr
    assert table_dump(ledger_path) == before


def test_each_link_carries_its_change_and_cards_share_the_chains_order(kept, topup_ok, ledger_path):
    conn = sqlite3.connect(ledger_path)
    amended = conn.execute("SELECT content FROM topup_version WHERE topup_id = 2 AND version = 2").fetchone()[0]
    record_seqs = [row[0] for row in conn.execute("SELECT seq FROM topup_version")]
    card_links = conn.execute("SELECT seq, card_id, version, action FROM ledger_link ORDER BY seq").fetchall()
    receipts = json.loads(conn.execute("SELECT content FROM topup_version WHERE topup_id = 1 AND version = 1"
                                       ).fetchone()[0])["receipts"]
    conn.close()
    change = json.loads(amended)["change"]
    assert (change["action"], change["reason"]) == ("amend", "the slip says 250")
    assert receipts[0][1:] == ["slip.png", 16, "image/png"]
    assert [link[1:] for link in card_links] == [(1, 1, "add"), (2, 1, "add"), (1, 2, "edit")]
    seqs = sorted(record_seqs + [link[0] for link in card_links])
    assert seqs == list(range(1, len(seqs) + 1))
    assert sql_value(ledger_path, "SELECT seq FROM chain_head") == seqs[-1]
    topup_ok("card", "retire", "spare")
    topup_ok("card", "retire", "spare")  # already retired: nothing changes, nothing is chained
    assert sql_value(ledger_path, "SELECT count(*) FROM ledger_link WHERE card_id = 2") == 2
    assert "ok: 2 records" in topup_ok("verify").stderr


# ---------------------------------------------------------------- a ledger of release 0.1.0


def _upgraded(released, topup_ok):
    topup_ok("log", "work-sim", "50", "--ref", "AFTER")  # a command that writes upgrades the file
    assert "ok: 6 records" in topup_ok("verify").stderr
    return released


def test_an_upgrade_chains_every_card_and_what_older_links_left_out(released, topup_ok):
    _upgraded(released, topup_ok)
    conn = sqlite3.connect(released)
    found = conn.execute("SELECT card_id, version, action FROM ledger_link ORDER BY seq").fetchall()
    newest = conn.execute("SELECT content FROM topup_version ORDER BY seq DESC LIMIT 1").fetchone()[0]
    conn.close()
    assert found == [(1, 1, "found"), (2, 1, "found"), (3, 1, "found"), (None, 1, "found")]
    assert newest.startswith(f'{{"_scheme":{chain.current_scheme()},') and '"change":{"action":"log"' in newest


@pytest.mark.parametrize(("statement", "expected"), [
    ("UPDATE topup_version SET reason = 'edited' WHERE seq = 3",
     "the action, reason or time of a version written before the upgrade was changed"),
    ("UPDATE topup_version SET recorded_at_utc = '2020-01-01T00:00:00Z' WHERE seq = 1",
     "the action, reason or time of a version written before the upgrade was changed"),
    ("UPDATE receipt SET media_type = 'text/html' WHERE id = 1",
     "the name, type or size of a receipt file kept before the upgrade was changed"),
    ("UPDATE card SET currency = 'CNY' WHERE id = 2", "card 2 ('work-sim'): differs from its history in: currency"),
    ("DELETE FROM ledger_link WHERE card_id IS NULL", "the link before version"),
    # The found link handed to a card, or renumbered: what it covered goes unchecked.
    ("UPDATE ledger_link SET card_id = 1, version = 2 WHERE card_id IS NULL", "place in the history was changed"),
    ("UPDATE ledger_link SET action = 'edit' WHERE card_id IS NULL", "place in the history was changed"),
    # A card's link passed off as the found link.
    ("UPDATE ledger_link SET card_id = NULL, version = 2 WHERE card_id = 3", "place in the history was changed"),
])
def test_an_edit_of_an_upgraded_release_0_1_0_ledger_is_named(released, topup_ok, topup, statement, expected):
    _upgraded(released, topup_ok)
    tamper(released, statement)
    result = topup("verify")
    assert result.exit_code == 3 and expected in result.stdout, result.stdout


def test_the_found_link_cannot_be_cut_off_the_end_of_the_chain(released, topup_ok, topup):
    """An upgrade by a command that adds no link of its own leaves the found link last; cutting it
    and the head back, then editing what it covered, is still caught."""
    topup_ok("doctor", "--rebuild-index")
    tamper(released, "DELETE FROM ledger_link WHERE card_id IS NULL",
            "UPDATE chain_head SET seq = (SELECT max(seq) FROM ledger_link), "
            "digest = (SELECT digest FROM ledger_link ORDER BY seq DESC LIMIT 1)",
            "UPDATE topup_version SET action = 'amend', reason = 'owner asked' WHERE seq = 8")
    result = topup("verify")
    assert result.exit_code == 3, result.stdout
    assert "written before the upgrade are no longer covered" in result.stdout


def test_a_card_link_passed_off_as_the_found_link_is_reported_not_a_crash(released, topup_ok, topup):
    _upgraded(released, topup_ok)
    tamper(released, "DELETE FROM ledger_link WHERE card_id IS NULL",
            "UPDATE ledger_link SET card_id = NULL, action = 'found' WHERE card_id = 3")
    result = topup("verify")
    assert result.exit_code == 3 and "no longer holds what it found" in result.stdout, result.stdout


def test_amend_on_a_card_altered_behind_the_programs_back_is_refused(kept, topup, ledger_path):
    sql(ledger_path, "UPDATE card SET max_topup_minor = NULL WHERE id = 1")
    before = table_dump(ledger_path)
    result = topup("amend", "2", "--amount", "900", "--reason", "r")
    assert result.exit_code == 3 and "was changed outside topup (in: max_topup_minor)" in result.stderr
    assert table_dump(ledger_path) == before


@pytest.mark.parametrize("damage", ["'{X' || substr(content, 3)", "substr(content, 1, 20)",
                                    "replace(content, '\"_scheme\":', '\"_scheme\":x')", "'[]'"])
def test_a_damaged_link_is_reported_against_its_record_and_the_others_stay_readable(kept, ledger_path, tmp_path,
                                                                                     damage):
    tamper(ledger_path, f"UPDATE topup_version SET content = {damage} WHERE topup_id = 2 AND version = 2")
    for command in (["verify"], ["doctor"]):
        found = run_process(*command)
        assert found.returncode == 3 and "unexpected" not in found.stderr, (command, found.stderr)
        assert "record 2: history: version 2 " in found.stdout + found.stderr
    shown = run_process("show", "2")
    assert shown.returncode == 3 and shown.stderr.startswith("error: version 2 of record 2 cannot be read")
    assert run_process("show", "1", "--format", "json").returncode == 0
    assert run_process("export", "--dispute", "1", "--output", str(tmp_path / "one.zip")).returncode == 0
    backup = run_process("backup", str(tmp_path / "copy.db"))
    assert backup.returncode == 0 and "warning: the ledger itself has" in backup.stderr
    assert run_process("--db", str(tmp_path / "copy.db"), "verify").stdout == run_process("verify").stdout.replace(
        str(ledger_path), str(tmp_path / "copy.db"))


@pytest.mark.parametrize(("statement", "expected"), [
    ("UPDATE currency SET digits = 3, scale = 1000 WHERE code = 'HKD'", "the decimals of HKD in the table currency"),
    ("DELETE FROM currency WHERE code = 'HKD'", "the decimals of HKD in the table currency"),
    ("INSERT INTO currency VALUES ('XXX', 2, 100)", "the decimals of XXX in the table currency"),
    ("DROP VIEW records; CREATE VIEW records AS SELECT * FROM topup WHERE id > 1",
     "the view records is not the one topup-ledger makes"),
    ("DROP VIEW cards", "the view cards is not the one topup-ledger makes"),
    ("CREATE VIEW records_checked AS SELECT id FROM topup WHERE id > 1", "the view records_checked is not one"),
    ("CREATE TABLE payments (id INTEGER)", "the table payments is not one topup-ledger makes"),
    ("DROP TRIGGER topup_fts_insert", "the trigger topup_fts_insert is missing"),
    ("DROP INDEX topup_ref; CREATE INDEX topup_ref ON topup (note)", "the index topup_ref was changed"),
    ("ALTER TABLE card ADD COLUMN secret TEXT", "table card has a column secret that no topup-ledger makes"),
])
def test_what_shapes_the_views_people_read_is_verified(kept, ledger_path, statement, expected):
    """An edit that changes what sqlite3 and Datasette show, without touching a record, is damage too."""
    conn = sqlite3.connect(ledger_path)
    conn.executescript(statement)
    conn.close()
    found = run_process("verify")
    assert found.returncode == 3 and f"ledger: schema: {expected}" in found.stdout, found.stdout
