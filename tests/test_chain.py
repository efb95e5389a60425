"""The hash chain's versioned content: a ledger written by an earlier release keeps verifying and
showing as it did, and a field added later breaks no record written before it."""

import json
from pathlib import Path

import pytest

from ledger.domain import chain
from ledger.domain.fields import FIELD_NAMES, LABELS
from ledger.i18n import _
from tests.conftest import sql

DATA = Path(__file__).with_name("data")
ADDED_FIELDS = FIELD_NAMES[FIELD_NAMES.index("created_at") + 1:]  # the record fields added since release 0.1.0


@pytest.mark.parametrize(("args", "golden"), [
    (["export"], "export.csv"),
    (["export", "--format", "json"], "export.json"),
    (["show", "1", "--format", "json"], "show-1.json"),
    (["show", "3"], "show-3.txt"),
    (["card", "list", "--format", "json"], "cards.json"),
    (["search", "--with-void", "--format", "json"], "search.json"),
])
def test_a_ledger_of_release_0_1_0_shows_exactly_as_that_release_showed_it(topup_ok, released, args, golden):
    shown, kept = topup_ok(*args).stdout_bytes, (DATA / "release-0.1.0" / golden).read_bytes()
    if golden.endswith(".txt"):  # text for a person: its values by their names, not how they are laid out
        # A field added since is unknown in every record of that release: its label stands alone.
        unknown = {_(LABELS[name]).encode() for name in ADDED_FIELDS}
        # Each amendment's line of fields it changed is new too: the rest is that release's text.
        changed = _("changed: {fields}", fields="").encode()
        shown = b"\n".join(line for line in shown.splitlines()
                            if line.strip() not in unknown and not line.strip().startswith(changed))
        shown, kept = shown.split(), kept.split()
    if golden == "export.csv":  # columns added since come last, empty
        header, *rows = shown.removesuffix(b"\r\n").split(b"\r\n")  # a row ends in CRLF, a line break in a note in LF
        added = b"," + b",".join(name.encode() for name in ADDED_FIELDS)
        assert header.endswith(added) and all(row.endswith(b"," * len(ADDED_FIELDS)) for row in rows)
        shown = b"".join(line + b"\r\n" for line in [header.removesuffix(added),
                                                      *(row[:-len(ADDED_FIELDS)] for row in rows)])
    if golden.endswith(".json") and golden != "cards.json":  # keys added since are appended, so no key moves
        shown, kept = json.loads(shown), json.loads(kept)
        for now, then in zip(shown if isinstance(shown, list) else [shown], kept if isinstance(kept, list) else [kept],
                             strict=True):
            assert list(now)[-len(ADDED_FIELDS) - ("history" in now):][:len(ADDED_FIELDS)] == list(ADDED_FIELDS)
            assert [now.pop(name) for name in ADDED_FIELDS] == [None] * len(ADDED_FIELDS)
            for version_now, version_then in zip(now.get("history", []), then.get("history", []), strict=True):
                assert list(version_now)[:len(version_then)] == list(version_then)
                version_now.pop("prev_digest")
                assert [version_now["content"].pop(name) for name in ADDED_FIELDS] == [None] * len(ADDED_FIELDS)
    assert shown == kept


def test_report_keeps_the_columns_of_release_0_1_0_first_with_the_same_values(topup_ok, released):
    """Later columns count the pending, failed and refunded top-ups apart from the credited ones."""
    then = (DATA / "release-0.1.0" / "report.csv").read_text(encoding="utf-8").splitlines()
    now = topup_ok("report", "--by", "card", "--format", "csv").stdout.splitlines()
    assert [line.split(",")[:5] for line in now] == [line.split(",") for line in then]


def test_a_ledger_of_release_0_1_0_verifies_and_takes_new_changes(topup_ok, topup, released, tmp_path):
    assert "ok: 5 records" in topup_ok("verify").stderr
    slip = tmp_path / "later.pdf"
    slip.write_bytes(b"%PDF-1.4 later")
    topup_ok("log", "八达通", "50", "--ref", "NEW1")
    topup_ok("amend", "2", "--note", "checked", "--reason", "a note")
    topup_ok("void", "5", "--reason", "not mine")
    topup_ok("receipt", "add", "3", str(slip))
    assert "ok: 6 records" in topup_ok("verify").stderr
    sql(released, "UPDATE topup SET amount_minor = 1 WHERE id = 1")
    refused = topup("verify")
    assert refused.exit_code == 3 and "record 1: record: differs from its history in: amount_minor" in refused.stdout


def test_a_link_names_its_scheme_and_the_first_scheme_carries_no_tag():
    row = dict.fromkeys(chain.chained_columns(1), 1)
    change = ("log", None, "2026-11-25T00:00:00Z")
    assert chain.scheme_of(chain.content(row, [], change, 1)) == 1
    assert not chain.content(row, [], change, 1).startswith('{"_scheme"')
    later = chain.content({**row, "later_minor": 2}, [], change, 7, [*chain.chained_columns(1), "later_minor"])
    assert chain.scheme_of(later) == 7


@pytest.mark.parametrize("reason", [None, "", 'say "hi"', "back\\slash", "第一行\n第二行", "\u2028\x00\x1f", "é" * 3])
@pytest.mark.parametrize("subject", [("record", 7), ("card", 3), ("ledger", None)])
def test_a_links_change_is_found_exactly_as_the_canonical_encoder_writes_it(reason, subject):
    change = ("amend", reason, "2026-11-25T10:00:00Z")
    text = chain.found_content({"links": {}, "receipts": {}}, change) if subject[0] == "ledger" else (
        chain.card_content({"id": subject[1], "label": reason}, 4, change) if subject[0] == "card"
        else chain.content({**dict.fromkeys(chain.chained_columns(chain.current_scheme())), "id": 7, "version": 4}, [],
                           change))
    version = 1 if subject[0] == "ledger" else 4
    assert chain.carries(text, subject, version, change)
    assert not chain.carries(text, subject, version + 1, change)
    assert not chain.carries(text, (subject[0], 99), version, change)
    assert not chain.carries(text, ("card" if subject[0] != "card" else "record", subject[1]), version, change)
    assert not chain.carries(text, subject, version, ("amend", f"{reason} ", change[2]))
