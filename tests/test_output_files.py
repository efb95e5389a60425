"""Files the program writes: every receipt under a name of its own, private, whole or not at all,
with a plain answer when the disk is full or the folder read-only, and no leftovers kept."""

import base64
import fcntl
import hashlib
import json
import os
import stat
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import log_json, run_process, table_dump


@pytest.fixture
def three_receipts(topup_ok, tmp_path):
    """One record with three receipt files whose names clash: a.jpg, 3-a.jpg and another a.jpg."""
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    files = []
    for folder, name in (("x", "a.jpg"), ("y", "3-a.jpg"), ("z", "A.jpg")):
        (tmp_path / folder).mkdir()
        path = tmp_path / folder / name
        path.write_bytes(f"bytes of {folder}/{name}".encode())
        files.append(path)
    record = log_json(topup_ok, "campus", "10", *[arg for f in files for arg in ("--receipt", str(f))])
    return record["id"], [f.read_bytes() for f in files]


def test_the_dispute_pack_keeps_every_receipt_under_its_own_name(topup_ok, three_receipts, tmp_path):
    record_id, contents = three_receipts
    pack = tmp_path / "pack.zip"
    topup_ok("export", "--dispute", str(record_id), "--output", str(pack))
    with zipfile.ZipFile(pack) as z:
        names = [n for n in z.namelist() if n.startswith("receipts/")]
        assert len(names) == len({n.casefold() for n in names}) == 3
        assert sorted(z.read(n) for n in names) == sorted(contents)
        manifest = json.loads(z.read("manifest.json"))
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        for name in names:
            assert listed[name] == hashlib.sha256(z.read(name)).hexdigest()
        assert len(json.loads(z.read("records.json"))[0]["receipts"]) == 3


def test_receipt_get_writes_each_file_once_and_privately(topup_ok, three_receipts, tmp_path):
    record_id, contents = three_receipts
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.jpg").write_bytes(b"mine, not the ledger's")
    old_mask = os.umask(0)
    try:
        written = [Path(p) for p in topup_ok("receipt", "get", str(record_id), "--output", str(out)).stdout.split("\n") if p]
    finally:
        os.umask(old_mask)
    assert (out / "a.jpg").read_bytes() == b"mine, not the ledger's"
    assert sorted(p.read_bytes() for p in written) == sorted(contents)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]


@pytest.fixture
def full_disk(tmp_path):
    """A folder on an 8 KiB tmpfs, so that writing more than that fails with 'No space left'."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder = tmp_path / "full"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(folder)], check=True)
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


@contextmanager
def _read_only_mount(folder: Path) -> Iterator[None]:
    """Make `folder` one this process cannot write into, even as root (a read-only bind mount)."""
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return
    subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def read_only(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    with _read_only_mount(folder):
        yield folder


@pytest.fixture
def big_record(topup_ok, tmp_path, ledger_path):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(os.urandom(200_000))  # more than the small disk holds
    note = base64.b64encode(os.urandom(6750)).decode()  # 9,000 characters no compression makes fit either
    return log_json(topup_ok, "campus", "10", "--receipt", str(photo), "--note", note)["id"]


def _outputs(folder: Path, record_id: int) -> list[list[str]]:
    return [
        ["backup", str(folder / "copy.db")],
        ["export", "--output", str(folder / "all.csv")],
        ["export", "--format", "xlsx", "--output", str(folder / "all.xlsx")],
        ["export", "--dispute", str(record_id), "--output", str(folder / "pack.zip")],
        ["receipt", "get", str(record_id), "--output", str(folder)],
        ["receipt", "get", str(record_id), "--output", str(folder / "new" / "receipts")],  # made, then taken back
    ]


@pytest.mark.parametrize("where", ["full_disk", "read_only"])
def test_output_that_cannot_be_written_gets_a_plain_answer_and_leaves_nothing(request, big_record, ledger_path,
                                                                              where):
    folder = request.getfixturevalue(where)
    before = table_dump(ledger_path)
    for args in _outputs(folder, big_record):
        result = run_process(*args)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith("error: ") and "unexpected" not in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert list(folder.iterdir()) == [], (args, list(folder.iterdir()))
    assert table_dump(ledger_path) == before


def test_stale_partials_are_removed_by_the_next_output_and_listed_by_doctor(topup_ok, ledger_path, tmp_path):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    gone = 2**22 + 12345  # above the kernel's default pid_max: no process has it
    stale = [tmp_path / f".copy.db.{gone}.k3j2.partial", tmp_path / f".copy.db.{gone}.k3j2.partial-journal"]
    # A backup still under way, seen from another PID namespace: its PID means nothing here, its lock does.
    running = tmp_path / f".copy.db.{gone}.zz11.partial"
    for path in (*stale, running):
        path.write_bytes(b"half a copy")
    holder = os.open(running, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    left_by_export = ledger_path.parent / f".ledger.csv.{gone}.q1.partial"
    left_by_export.write_bytes(b"half an export")
    facts = json.loads(topup_ok("doctor", "--format", "json").stdout)
    assert str(left_by_export) in facts["leftover_files"]
    topup_ok("backup", str(tmp_path / "copy.db"))
    os.close(holder)
    assert not any(p.exists() for p in stale) and running.exists()
    assert (tmp_path / "copy.db").exists()


def test_receipt_names_are_made_safe_and_the_given_ones_kept_escaped_in_the_history(topup_ok, tmp_path):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    given = ["\x1b[31mred.jpg", "rtl\u202egpj.exe", "あ" * 83 + ".jpg"]  # the last is 253 bytes
    paths = []
    for n, name in enumerate(given):
        (tmp_path / str(n)).mkdir()
        paths.append(tmp_path / str(n) / name)
        paths[-1].write_bytes(f"file {n}".encode())
    record = log_json(topup_ok, "campus", "10", *[arg for p in paths for arg in ("--receipt", str(p))])
    names = [r["name"] for r in record["receipts"]]
    assert names[:2] == ["[31mred.jpg", "rtlgpj.exe"] and names[2].endswith(".jpg")
    assert len(names[2].encode()) <= 180
    shown = topup_ok("show", str(record["id"])).stdout
    assert "\x1b" not in shown and "\u202e" not in shown
    reason = json.loads(topup_ok("show", str(record["id"]), "--format", "json").stdout)["history"][0]["reason"]
    assert "\\u001b[31mred.jpg" in reason and "rtl\\u202egpj.exe" in reason
    out = tmp_path / "out"
    out.mkdir()
    written = topup_ok("receipt", "get", str(record["id"]), "--output", str(out)).stdout.split()
    assert sorted(Path(p).read_bytes() for p in written) == [b"file 0", b"file 1", b"file 2"]
    assert "ok: 1 records" in topup_ok("verify").stderr


def test_a_ledger_in_a_read_only_folder_can_be_read_but_not_changed(topup_ok, tmp_path):
    folder = tmp_path / "ledger"
    folder.mkdir()
    path = folder / "ledger.db"
    topup_ok("--db", str(path), "card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    topup_ok("--db", str(path), "log", "campus", "12", "--ref", "RO1")
    before = path.read_bytes()
    with _read_only_mount(folder):
        found = json.loads(run_process("--db", str(path), "search", "RO1", "--format", "json").stdout)
        assert [r["ref"] for r in found] == ["RO1"]
        assert run_process("--db", str(path), "verify").returncode == 0
        copied = run_process("--db", str(path), "backup", str(tmp_path / "copy.db"))
        assert copied.returncode == 0, copied.stderr
        assert "note: the seal was made but not listed in the ledger" in copied.stderr  # the copy is sealed all the same
        assert (tmp_path / "copy.db.seal").exists()
        refused = run_process("--db", str(path), "log", "campus", "1")
        assert refused.returncode == 1 and "read-only" in refused.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(("stored", "written"), [("\u200b..", "receipt-1"), ("\u200b.profile", "profile"),
                                                ("a/b/../..", "receipt-1"), ("..\\x.png", "x.png")])
def test_a_name_kept_by_an_earlier_version_is_written_back_inside_the_folder_and_visible(stored, written):
    from ledger.domain.receipts import safe_file_name

    assert safe_file_name(stored, "receipt-1") == written


@pytest.mark.parametrize("args", [["export", "--output", "{ledger}"], ["export", "--output", "{ledger}-wal"],
                                  ["backup", "{ledger}", "--force"], ["export", "--dispute", "1", "--output", "{zip}"]])
def test_no_output_is_ever_written_over_the_ledger_itself(topup_ok, topup, ledger_path, tmp_path, args):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    topup_ok("log", "campus", "10")
    alias = tmp_path / "same.zip"
    alias.symlink_to(ledger_path)  # the ledger under another name
    before = table_dump(ledger_path)
    result = topup(*[a.format(ledger=ledger_path, zip=alias) for a in args])
    assert result.exit_code == 1 and "is the ledger itself" in result.stderr
    assert table_dump(ledger_path) == before and "ok: 1 records" in topup_ok("verify").stderr


def _odd_target(folder: Path, kind: str) -> Path:
    mine = folder / "mine.csv"
    mine.write_text("kept as it is\n")
    target = folder / "out"
    if kind == "named pipe":
        os.mkfifo(target)
    elif kind == "link to a file":
        target.symlink_to(mine)
    elif kind == "link loop":
        target.symlink_to(folder / "other")
        (folder / "other").symlink_to(target)
    else:
        target = folder / ("n" * 300)
    return target


def _looks(folder: Path) -> dict[str, tuple[int, str]]:
    return {p.name: (os.lstat(p).st_mode, os.readlink(p) if p.is_symlink() else "")
            for p in folder.iterdir()}


@pytest.mark.parametrize("kind", ["named pipe", "link to a file", "link loop", "name too long"])
@pytest.mark.parametrize("args", [["export", "--output", "{out}"], ["export", "--output", "{out}", "--format", "xlsx"],
                                  ["export", "--dispute", "1", "--output", "{out}"], ["backup", "{out}", "--force"],
                                  ["seal", "--output", "{out}", "--force"]])
def test_output_goes_only_to_a_regular_file_or_a_new_name(topup_ok, ledger_path, tmp_path, kind, args):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    topup_ok("log", "campus", "10")
    folder = tmp_path / "out"
    folder.mkdir()
    target = _odd_target(folder, kind)
    before, ledger_before = _looks(folder), table_dump(ledger_path)
    result = run_process(*[a.format(out=target) for a in args], timeout=30)
    assert result.returncode == 1 and result.stderr.startswith("error: "), result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert _looks(folder) == before and (folder / "mine.csv").read_text() == "kept as it is\n"
    assert table_dump(ledger_path) == ledger_before
