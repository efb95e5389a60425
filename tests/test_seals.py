"""Seals: the chain's state signed with a key outside the ledger, and found again or not."""

import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.conftest import page_text, run_process, sql_value, table_dump


@pytest.fixture
def sealed(topup_ok, ledger_path, tmp_path):
    """A ledger of two records, a copy of it taken then, a third record, and a seal of that state."""
    topup_ok("card", "add", "手机", "--kind", "sim", "--region", "HK")
    topup_ok("log", "手机", "100", "--at", "2025-03-01 10:00")
    topup_ok("log", "手机", "50", "--at", "2025-03-02 10:00")
    shutil.copy(ledger_path, tmp_path / "before.db")
    topup_ok("log", "手机", "20", "--at", "2025-03-03 10:00")
    done = topup_ok("seal", "--output", str(tmp_path / "seal.txt"))
    assert "sealed 4 links" in done.stderr and (tmp_path / "seal.txt.sig").exists()
    return tmp_path / "seal.txt"


def _verify(*args: str, db=None) -> subprocess.CompletedProcess:
    return run_process(*(["--db", str(db)] if db else []), "verify", *args)


def test_a_ledger_that_only_grew_since_holds_its_seal(topup_ok, sealed):
    topup_ok("log", "手机", "30")
    assert _verify("--seal", str(sealed)).returncode == 0 and _verify().returncode == 0


def test_a_ledger_rolled_back_to_a_copy_from_before_the_seal_is_found(sealed, tmp_path):
    rolled = _verify("--seal", str(sealed), db=tmp_path / "before.db")
    assert rolled.returncode == 3 and f"{sealed}: this file is older than that seal: it has 3 links" in rolled.stdout
    plain = _verify(db=tmp_path / "before.db")  # the list of seals kept outside the ledger remembers it
    assert plain.returncode == 3 and "a working ledger like this was rolled back" in plain.stdout


def test_another_history_consistent_in_itself_is_found(sealed, tmp_path):
    other = tmp_path / "before.db"
    assert run_process("--db", str(other), "log", "手机", "999", "--at", "2025-03-03 10:00").returncode == 0
    found = run_process("--db", str(other), "verify").stdout.splitlines()
    assert len(found) == 1 and "rewritten" in found[0]  # its own chain holds: only the seal tells
    rewritten = _verify("--seal", str(sealed), db=other)
    assert rewritten.returncode == 3 and f"{sealed}: its link 4 is not the one sealed" in rewritten.stdout


def test_openssh_checks_the_seal_and_refuses_a_changed_one(sealed, tmp_path):
    signers = tmp_path / "config" / "topup-ledger" / "allowed_signers"
    assert (tmp_path / "config" / "topup-ledger" / "seal_ed25519").stat().st_mode & 0o777 == 0o600

    def ssh_verify() -> int:
        with sealed.open("rb") as statement:
            return subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "topup-ledger", "-n",
                                   "topup-seal", "-s", f"{sealed}.sig"], stdin=statement, capture_output=True).returncode

    assert ssh_verify() == 0
    sealed.write_text(sealed.read_text().replace("links: 4", "links: 5"))
    assert ssh_verify() != 0
    changed = _verify("--seal", str(sealed))
    assert changed.returncode == 3 and "its signature does not match it" in changed.stdout


def test_a_seal_names_nothing_personal_and_refusals_change_nothing(topup_ok, sealed, ledger_path, tmp_path):
    text = sealed.read_text()
    assert "手机" not in text and "HK" not in text and text.startswith("topup-ledger seal 1\nledger: ")
    before = table_dump(ledger_path)
    missing = _verify("--seal", str(tmp_path / "nothing.txt"))
    assert missing.returncode == 1 and missing.stderr.startswith("error: cannot read the seal")
    (tmp_path / "junk.txt").write_text("hello")
    (tmp_path / "junk.txt.sig").write_text("hello")
    junk = _verify("--seal", str(tmp_path / "junk.txt"))
    assert junk.returncode == 1 and "is not a topup-ledger seal" in junk.stderr
    assert table_dump(ledger_path) == before


def test_there_must_be_a_ledger_to_seal(tmp_path):
    done = run_process("--db", str(tmp_path / "new.db"), "seal", "--output", str(tmp_path / "s.txt"))
    assert done.returncode == 1 and "there is no ledger" in done.stderr and not (tmp_path / "new.db").exists()
    assert run_process("--db", str(tmp_path / "new.db"), "card", "add", "c", "--kind", "smart").returncode == 0
    empty = tmp_path / "new.db"
    shutil.copy(empty, tmp_path / "copy.db")
    assert run_process("--db", str(tmp_path / "copy.db"), "seal", "-o", str(tmp_path / "s.txt")).returncode == 0


def test_backups_and_dispute_packs_carry_a_fresh_seal(topup_ok, sealed, tmp_path, ledger_path):
    import zipfile

    copy = tmp_path / "copy.db"
    assert f"sealed in {copy}.seal" in topup_ok("backup", str(copy)).stderr
    assert run_process("--db", str(copy), "verify", "--seal", f"{copy}.seal").returncode == 0
    topup_ok("log", "手机", "5")
    pack, unpacked = tmp_path / "pack.zip", tmp_path / "pack"
    topup_ok("export", "--dispute", "1", "--output", str(pack))
    with zipfile.ZipFile(pack) as opened:
        opened.extractall(unpacked)
    assert {"seal.txt", "seal.txt.sig", "allowed_signers", "CHECK.txt"} <= {p.name for p in unpacked.iterdir()}
    for command in (line.strip() for line in (unpacked / "CHECK.txt").read_text().splitlines()):
        if command.startswith(("sha256sum", "ssh-keygen")):  # the receiver's commands, exactly as the pack gives them
            done = subprocess.run(["bash", "-c", command], cwd=unpacked, capture_output=True, text=True)
            assert done.returncode == 0, done.stdout + done.stderr
    listed = sql_value(ledger_path, "SELECT count(*) FROM seal")
    assert listed == 3  # topup seal, the backup's, the pack's



def test_a_seal_made_with_another_key_is_not_taken_for_one_of_yours(topup_ok, sealed, tmp_path):
    config = tmp_path / "config"
    config.rename(tmp_path / "config-aside")
    topup_ok("seal", "--output", str(tmp_path / "theirs.txt"))  # a key made afresh, as a forger's would be
    shutil.rmtree(config)
    (tmp_path / "config-aside").rename(config)
    theirs = _verify("--seal", str(tmp_path / "theirs.txt"))
    assert theirs.returncode == 3 and "signed with a key not in" in theirs.stdout


def test_sealing_things_up_never_blocks_a_backup_or_crashes_verify(topup_ok, sealed, tmp_path, ledger_path):
    scratch = tmp_path / "scratch.db"
    shutil.copy(ledger_path, scratch)
    assert run_process("--db", str(scratch), "log", "手机", "1").returncode == 0
    assert run_process("--db", str(scratch), "backup", str(tmp_path / "scratch-copy.db")).returncode == 0
    assert run_process("backup", str(tmp_path / "real-copy.db")).returncode == 0  # the real ledger still backs up
    listed = next((tmp_path / "data" / "topup-ledger" / "seals").glob("*.list"))
    listed.write_text(listed.read_text() + "not a seal\n")
    found = _verify()
    assert found.returncode == 3 and "is not a seal's record" in found.stdout and "unexpected" not in found.stderr
    (tmp_path / "config" / "topup-ledger" / "seal_ed25519").write_text("")
    broken = run_process("seal", "--output", str(tmp_path / "again.txt"))
    assert broken.returncode == 1 and "cannot be used" in broken.stderr and not (tmp_path / "again.txt").exists()


def test_a_seal_never_writes_over_a_file(topup_ok, sealed, tmp_path):
    kept = tmp_path / "other.db"
    kept.write_bytes(b"something of value")
    refused = run_process("seal", "--output", str(kept))
    assert refused.returncode == 1 and kept.read_bytes() == b"something of value"
    assert not (tmp_path / "other.db.sig").exists()
    assert run_process("seal", "--output", str(kept), "--force").returncode == 0


def test_the_pack_shows_every_version_with_its_values_and_marks_a_void_record(topup_ok, sealed, tmp_path):
    import json
    import zipfile

    topup_ok("amend", "1", "--amount", "120", "--note", "第一行\nsecond line", "--reason", "the receipt says 120")
    topup_ok("void", "2", "--reason", "logged twice")
    pack = tmp_path / "pack.zip"
    done = topup_ok("export", "--dispute", "1", "2", "--output", str(pack))
    assert "warning: record 2 is void; it is in the pack marked as such" in done.stderr
    with zipfile.ZipFile(pack) as opened:
        records = json.loads(opened.read("records.json"))
        summary = page_text(opened.read("summary.html").decode())
    first = records[0]["history"]
    assert [(v["content"]["amount"], v["reason"]) for v in first] == [("100.00", None), ("120.00", "the receipt says 120")]
    assert "備註\n第一行\nsecond line\n" in summary
    void_at = summary.index("已作廢")
    assert summary.index("紀錄 1") < summary.index("紀錄 2") < void_at


def test_a_ledger_rewritten_from_its_first_link_still_meets_the_seals_made_where_it_is(sealed, ledger_path, tmp_path):
    """The records logged again into a new file after a card that was not there: a new first link, so
    a new ledger id, and every link consistent. The seals kept outside are found through the place."""
    ledger_path.rename(tmp_path / "sealed-one.db")
    for args in (["card", "add", "旧卡", "--kind", "smart"], ["card", "add", "手机", "--kind", "sim", "--region", "HK"],
                 ["log", "手机", "100", "--at", "2025-03-01 10:00"],
                 ["log", "手机", "50", "--at", "2025-03-02 10:00"], ["log", "手机", "20", "--at", "2025-03-03 10:00"]):
        assert run_process(*args).returncode == 0
    plain = _verify()
    assert plain.returncode == 3 and "rewritten from its first link, or replaced by another" in plain.stdout
    assert _verify(db=tmp_path / "sealed-one.db").returncode == 0  # the one sealed, moved: still its own seals


def _with_umask(mask: int, *args: str) -> subprocess.CompletedProcess:
    import os
    import sys

    return subprocess.run([sys.executable, "-m", "ledger", *args], capture_output=True, text=True,
                          preexec_fn=lambda: os.umask(mask))


def test_the_programs_own_files_are_private_whatever_the_umask(tmp_path, ledger_path):
    import stat

    ledger_path = tmp_path / "data" / "new-folder" / "ledger.db"
    for args in (["card", "add", "手机", "--kind", "sim", "--region", "HK"], ["log", "手机", "100"],
                 ["seal", "--output", str(tmp_path / "seal.txt")]):
        assert _with_umask(0, "--db", str(ledger_path), *args).returncode == 0
    made = [path for base in ("config", "data", "cache") for path in (tmp_path / base).rglob("*")]
    assert {p.name for p in made} >= {"seal_ed25519", "seal_ed25519.pub", "allowed_signers", "new-folder", "ledger.db",
                                       "seals"} and any(p.suffix == ".list" for p in made)
    for path in made + [tmp_path / "data", tmp_path / "config"]:
        mode = path.stat().st_mode
        assert not mode & (stat.S_IWGRP | stat.S_IWOTH | stat.S_IRWXO), (path, oct(mode))


def test_seals_and_keys_others_could_change_are_not_trusted(sealed, tmp_path):
    signers = tmp_path / "config" / "topup-ledger" / "allowed_signers"
    signers.chmod(0o666)
    refused = _verify("--seal", str(sealed))
    assert refused.returncode == 1 and f"error: {signers} could be changed by other users" in refused.stderr
    assert "chmod go-w" in refused.stderr
    signers.chmod(0o600)
    (tmp_path / "data" / "topup-ledger" / "seals").chmod(0o777)
    plain = _verify()
    assert plain.returncode == 1 and "could be changed by other users" in plain.stderr


@pytest.mark.parametrize("which", ["seal", "signature"])
def test_a_seal_that_is_a_named_pipe_is_refused_at_once(sealed, which):
    pipe = sealed if which == "seal" else sealed.with_name(sealed.name + ".sig")
    pipe.unlink()
    os.mkfifo(pipe)  # no one ever writes into it
    result = run_process("verify", "--seal", str(sealed), timeout=30)
    assert result.returncode == 1 and result.stderr == f"error: {pipe} is not a regular file (a pipe or a device " \
                                                      f"cannot be read as one); give a file\n"


# A `topup` run that kills itself (SIGKILL) before or after the Nth call of one of its steps; the
# product runs unchanged, only this process's copy of the step is wrapped.
_KILLED_AT_A_STEP = """
import importlib, os, signal, sys
from ledger.cli import main

module, name, when, nth = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
owner = importlib.import_module(module)
real, calls = getattr(owner, name), []

def step(*args, **kwargs):
    calls.append(name)
    if when == "before" and len(calls) == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    result = real(*args, **kwargs)
    if when == "after" and len(calls) == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    return result

setattr(owner, name, step)
sys.argv = ["topup", *sys.argv[5:]]
main()
"""


def _steps(files: int) -> list:
    """Each moment a command that makes a seal can be cut at: before and after the seal is listed (in
    the list kept outside and in the ledger's uncommitted transaction), before each of its `files`
    files takes its name, and after the last one has."""
    return [pytest.param(("ledger.service.sealing", "record", when, 1), id=f"{when}-listing") for when in
            ("before", "after")] + [
        pytest.param(("ledger.output.files", "_put_in_place", "before", nth), id=f"before-file-{nth}")
        for nth in range(1, files + 1)] + [
        pytest.param(("ledger.output.files", "_put_in_place", "after", files), id="after-the-last-file")]


def _killed_at(step: tuple[str, str, str, int], *args: str) -> None:
    module, name, when, nth = step
    done = subprocess.run([sys.executable, "-c", _KILLED_AT_A_STEP, module, name, when, str(nth), *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, f"not killed at {step}: {done.returncode} {done.stderr}"


def _listed(ledger_path, tmp_path) -> tuple[int, int]:
    """How many seals the ledger lists, and how many the list kept outside it does."""
    outside = list((tmp_path / "data" / "topup-ledger" / "seals").glob("*.list"))
    return (sql_value(ledger_path, "SELECT count(*) FROM seal"),
            sum(len(path.read_text().splitlines()) for path in outside))


def _whole_or_refused(seal_file, listed_before, ledger_path, tmp_path) -> None:
    """A seal's files are there only once it is listed, and `verify --seal` passes only a whole seal;
    anything less it refuses plainly."""
    signature = seal_file.with_name(seal_file.name + ".sig")
    if seal_file.exists() or signature.exists():
        in_ledger, outside = _listed(ledger_path, tmp_path)
        assert in_ledger > listed_before[0] and outside > listed_before[1], "a seal's file is there, unlisted"
    checked = _verify("--seal", str(seal_file))
    assert (checked.returncode == 0) == (seal_file.exists() and signature.exists()), checked.stdout + checked.stderr
    assert "unexpected" not in checked.stderr and "Traceback" not in checked.stderr
    if checked.returncode:
        assert checked.stderr.startswith("error: ")
    assert _verify().returncode == 0  # the ledger itself is whole


@pytest.fixture
def out(topup_ok, tmp_path):
    """A ledger of one record, and an empty folder for what a killed command writes."""
    topup_ok("card", "add", "手机", "--kind", "sim", "--region", "HK")
    topup_ok("log", "手机", "100")
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("step", _steps(files=2))
def test_a_seal_killed_at_any_step_is_whole_or_refused_and_made_again(topup_ok, ledger_path, tmp_path, out, step):
    seal_file = out / "seal.txt"
    before = _listed(ledger_path, tmp_path)
    _killed_at(step, "seal", "--output", str(seal_file))
    _whole_or_refused(seal_file, before, ledger_path, tmp_path)
    topup_ok("seal", "--output", str(seal_file), "--force")  # the same command again, free to replace what is there
    assert sorted(p.name for p in out.iterdir()) == ["seal.txt", "seal.txt.sig"]  # what the killed one left is gone
    assert _verify("--seal", str(seal_file)).returncode == 0


@pytest.mark.parametrize("step", _steps(files=3))
def test_a_backup_killed_at_any_step_is_never_there_without_its_seal(topup_ok, ledger_path, tmp_path, out, step):
    copy = out / "copy.db"
    before = _listed(ledger_path, tmp_path)
    _killed_at(step, "backup", str(copy))
    seal_file = out / "copy.db.seal"
    _whole_or_refused(seal_file, before, ledger_path, tmp_path)
    if copy.exists():
        assert seal_file.exists() and _verify("--seal", str(seal_file), db=copy).returncode == 0
    topup_ok("backup", str(copy), "--force")
    assert sorted(p.name for p in out.iterdir()) == ["copy.db", "copy.db.seal", "copy.db.seal.sig"]
    assert _verify("--seal", str(seal_file), db=copy).returncode == 0
