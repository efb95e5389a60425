"""A process killed (SIGKILL) at a random moment: the ledger opens, holds together and loses nothing
that was committed; each command happened whole or not at all."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import sql_value, verify_problems
from tests.test_concurrency import start


def kill_after(process: subprocess.Popen, seconds: float) -> None:
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()


def assert_sound(ledger: Path) -> None:
    conn = sqlite3.connect(ledger)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert verify_problems(ledger) == []


def test_killed_while_logging(topup_ok, ledger_path, tmp_path, runs):
    topup_ok("card", "add", "shop", "--kind", "smart")
    receipt = tmp_path / "slip.txt"
    receipt.write_text("slip")
    rng = random.Random(7)
    for run in range(runs(3)):
        kill_after(start("log", "shop", "100000", f"r{run}", str(receipt)), rng.uniform(0.3, 2.5))
        assert_sound(ledger_path)
        conn = sqlite3.connect(ledger_path)
        refs = [r for (r,) in conn.execute("SELECT ref FROM topup WHERE ref LIKE ?", (f"r{run}-%",))]
        # Commands run one after another: what is there is exactly the first N, each with its receipt.
        assert sorted(refs, key=lambda r: int(r.split("-")[1])) == [f"r{run}-{i}" for i in range(len(refs))]
        bare = conn.execute("SELECT count(*) FROM topup WHERE id NOT IN (SELECT topup_id FROM receipt)").fetchone()[0]
        assert bare == 0
        conn.close()


def test_killed_while_importing(topup_ok, ledger_path, tmp_path, runs):
    topup_ok("card", "add", "bulk", "--kind", "smart")
    rng = random.Random(11)
    expected = 0
    for run in range(runs(3)):
        path = tmp_path / f"rows{run}.csv"
        rows = [f"2025-{run % 12 + 1:02d}-{d:02d} {h:02d}:{m:02d},{m + 1},r{run}" for d in range(1, 6)
                for h in range(24) for m in range(60)]
        path.write_text("time,amount,note\n" + "\n".join(rows) + "\n")
        command = [sys.executable, "-m", "ledger", "import", str(path), "--card", "bulk", "--map", "time=occurred_at",
                   "--map", "amount=amount", "--map", "note=note"]
        kill_after(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE),
                   rng.uniform(0.2, 3.0))
        assert_sound(ledger_path)
        count = sql_value(ledger_path, "SELECT count(*) FROM topup")
        assert count in (expected, expected + len(rows)), (count, expected)
        expected = count
        # The import drops the search-index trigger inside its transaction: a kill never loses it.
        assert sql_value(ledger_path, "SELECT count(*) FROM sqlite_master WHERE name = 'topup_fts_insert'") == 1


def test_killed_while_amending(topup_ok, ledger_path, runs):
    topup_ok("card", "add", "shop", "--kind", "smart")
    topup_ok("log", "shop", "10")
    rng = random.Random(13)
    for _ in range(runs(3)):
        kill_after(start("amend", "1", "100000"), rng.uniform(0.3, 2.5))
        assert_sound(ledger_path)
        shown = json.loads(topup_ok("show", "1", "--format", "json").stdout)
        assert [v["version"] for v in shown["history"]] == list(range(1, len(shown["history"]) + 1))
        assert shown["amount"] == shown["history"][-1]["content"]["amount"]


def test_killed_while_backing_up(topup_ok, ledger_path, tmp_path, runs):
    topup_ok("card", "add", "shop", "--kind", "smart")
    for i in range(30):
        topup_ok("log", "shop", "10", "--note", "x" * 500, "--ref", f"b{i}")
    rng = random.Random(17)
    for run in range(runs(3)):
        folder = tmp_path / f"backups{run}"
        folder.mkdir()
        kill_after(start("backup", str(folder), "100000"), rng.uniform(0.3, 2.5))
        assert_sound(ledger_path)
        for copy in folder.glob("copy-*.db"):  # a copy gets its name only once it is complete and verified
            assert verify_problems(copy) == [], copy


def test_killed_while_adding_a_20_mb_receipt(topup_ok, ledger_path, tmp_path, runs):
    topup_ok("card", "add", "shop", "--kind", "smart")
    topup_ok("log", "shop", "10")
    rng = random.Random(19)
    for run in range(runs(3)):
        big = tmp_path / f"scan{run}.pdf"
        big.write_bytes(os.urandom(20 * 1024 * 1024))
        command = [sys.executable, "-m", "ledger", "receipt", "add", "1", str(big)]
        kill_after(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), rng.uniform(0.2, 2.0))
        assert_sound(ledger_path)  # verify checks every kept file against its digest
        kept = json.loads(topup_ok("show", "1", "--format", "json").stdout)["receipts"]
        assert all(r["size"] == 20 * 1024 * 1024 for r in kept)


def test_killed_while_exporting_to_a_file(topup_ok, ledger_path, tmp_path, runs):
    topup_ok("card", "add", "shop", "--kind", "smart")
    rows = "".join(f"2025-01-01T10:{n % 60:02d}:{n // 60:02d}+08:00,shop,{n + 1},E{n},{'x' * 200}\n" for n in range(3000))
    (tmp_path / "rows.csv").write_text("occurred_at,card,amount,ref,note\n" + rows, encoding="utf-8")
    topup_ok("import", str(tmp_path / "rows.csv"))
    target = tmp_path / "out" / "all.csv"
    target.parent.mkdir()
    rng = random.Random(23)
    for _ in range(runs(3)):
        command = [sys.executable, "-m", "ledger", "export", "--output", str(target)]
        kill_after(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), rng.uniform(0.1, 1.0))
        if target.exists():  # the file appears only whole
            assert target.read_bytes().count(b"\r\n") == 3001
    topup_ok("export", "--output", str(target))
    assert [p.name for p in target.parent.iterdir()] == ["all.csv"]  # what killed exports left is gone
