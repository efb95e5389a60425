"""What a tired or hostile user types, through the real `topup` command.

Every case says what must happen: refused (exit 1, an `error:` line, no traceback and the
ledger's content unchanged) or stored (exit 0 and the value kept exactly as stated).
The suite prints how many cases it handled.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.domain.receipts import MAX_RECEIPT_BYTES
from ledger.store.sqlite import migrations
from tests.conftest import HOSTILE_TALLY, make_ledger, run_process, table_dump


@dataclass(frozen=True)
class Refused:
    pass


@dataclass(frozen=True)
class Stored:
    field: str
    value: object


REFUSED = Refused()

LOG_CASES = [
    # amounts
    (["0"], REFUSED), (["-1"], REFUSED), (["NaN"], REFUSED), (["inf"], REFUSED), (["Infinity"], REFUSED),
    (["1e3"], REFUSED), (["1_000"], REFUSED), (["1.000,50"], REFUSED), (["1,00"], REFUSED), (["100.001"], REFUSED),
    (["١٢٣"], REFUSED), (["²"], REFUSED), (["①"], REFUSED), (["9" * 20], REFUSED), ([""], REFUSED), (["HK$"], REFUSED),
    (["¥50"], REFUSED), (["NT$5"], REFUSED), (["0x10"], REFUSED), (["100 HKD", "--paid", "abc"], REFUSED),
    (["１００"], Stored("amount", "100.00")), (["1,000"], Stored("amount", "1000.00")),
    (["HK$ 20"], Stored("amount", "20.00")), (["\u200b50\u200b"], Stored("amount", "50.00")),
    ([" 7.5 "], Stored("amount", "7.50")), (["ＨＫ＄３０"], Stored("amount", "30.00")),
    # times
    (["1", "--at", "01/02/03"], REFUSED), (["1", "--at", "2026-02-30"], REFUSED), (["1", "--at", "13"], REFUSED),
    (["1", "--at", "March"], REFUSED), (["1", "--at", "18:42"], REFUSED), (["1", "--at", "2026-11"], REFUSED),
    (["1", "--at", "2999-01-01"], REFUSED), (["1", "--at", "tomorrow"], REFUSED), (["1", "--at", "1899-01-01"], REFUSED),
    (["1", "--at", "2025-03-14T25:00"], REFUSED), (["1", "--at", "2025-03-14 10:00 PST"], REFUSED),
    (["1", "--at", "2026-01-01 10:00 +25:00"], REFUSED), (["1", "--at", "2026-01-01T10:00:00+25:00"], REFUSED),
    (["1", "--at", "2025-01-01 10:00 +15:00"], REFUSED), (["1", "--at", "-2025-01-01"], REFUSED),
    (["1", "--at", "+2025-01-01"], REFUSED), (["1", "--valid-until", "-2027-06-12"], REFUSED),
    (["1", "--at", "2025-01-01 10:00 -11:00"], Stored("occurred_at", "2025-01-02T05:00:00+08:00")),
    (["1", "--at", "２０２５-０３-１４ １８:４２"], Stored("occurred_at", "2025-03-14T18:42:00+08:00")),
    (["1", "--at", "2025年3月14日18时42分"], Stored("occurred_at", "2025-03-14T18:42:00+08:00")),
    (["1", "--at", "14/03/2025 18:42"], Stored("occurred_at", "2025-03-14T18:42:00+08:00")),
    (["1", "--at", "2025-03-14T10:42:00Z"], Stored("occurred_at", "2025-03-14T18:42:00+08:00")),
    (["1", "--valid-until", "12/06/07"], REFUSED), (["1", "--valid-until", "2027-06-12"], Stored("valid_until", "2027-06-12")),
    # channels
    (["1", "--channel", "pigeon"], REFUSED), (["1", "--channel", ""], Stored("channel", "other")),
    (["1", "--channel", "微信"], Stored("channel", "wechat")), (["1", "--channel", "支付寶"], Stored("channel", "alipay")),
    (["1", "--channel", "ＡＬＩＰＡＹ"], Stored("channel", "alipay")), (["1", "--channel", "京東"], Stored("channel", "marketplace")),
    (["1", "--channel", "Self-Service"], Stored("channel", "kiosk")), (["1", "--channel", "自動充值"], Stored("channel", "auto")),
    # references
    (["1", "--ref", "a\x00b"], REFUSED), (["1", "--ref", "a\u202eb"], REFUSED), (["1", "--ref", "x" * 101], REFUSED),
    (["1", "--ref", "\u200bWX4200\u200b"], Stored("ref", "WX4200")), (["1", "--ref", "ＷＸ１２"], Stored("ref", "WX12")),
    (["1", "--ref", "=cmd|' /C calc'!A0"], Stored("ref", "=cmd|' /C calc'!A0")),
    # notes and merchants
    (["1", "--note", "a\x07b"], REFUSED), (["1", "--note", "a\x1b[31mred"], REFUSED), (["1", "--note", "a\u202eb"], REFUSED),
    (["1", "--note", "a\u2066b"], REFUSED), (["1", "--note", "x" * 200_000], REFUSED), (["1", "--merchant", "a\nb"], Stored("merchant", "a\nb")),
    (["1", "--note", "zero\u200bwidth"], Stored("note", "zero\u200bwidth")),
    (["1", "--note", '=HYPERLINK("http://x")'], Stored("note", '=HYPERLINK("http://x")')),
    (["1", "--note", "line1\nline2\ttab"], Stored("note", "line1\nline2\ttab")),
    (["1", "--note", "emoji 👍🏽 在深圳"], Stored("note", "emoji 👍🏽 在深圳")),
    (["1", "--note", "e\u0301"], Stored("note", "\u00e9")), (["1", "--note", "x" * 10_000], Stored("note", "x" * 10_000)),
    (["1", "--merchant", "@SUM(A1)"], Stored("merchant", "@SUM(A1)")),
    # other values
    (["1", "--outcome", "refunded"], REFUSED), (["1", "--outcome", "PENDING"], Stored("outcome", "pending")),
    (["1", "--balance-after", "-3"], REFUSED), (["1", "--paid", "１.５"], Stored("paid", "1.50")),
    (["1", "--balance-after", "0"], Stored("balance_after", "0.00")), (["1", "--paid", "0"], REFUSED),
]

CARD_CASES = [
    (["sim", "--region", "HK", "--number", "12345"], REFUSED),
    (["sim", "--number", "91234567"], REFUSED),
    (["sim", "--region", "HK", "--number", "89852000123456789012"], REFUSED),
    (["sim", "--region", "HK", "--number", "abc"], REFUSED),
    (["smart", "--number", "12"], REFUSED),
    (["smart", "--number", "1" * 25], REFUSED),
    (["smart", "--number", "12#4"], REFUSED),
    (["smart", "--currency", "XXX"], REFUSED),
    (["smart", "--region", "Hong Kong"], REFUSED),
    (["smart", "--max-topup", "0"], REFUSED),
    (["smart", "--validity-days", "0"], REFUSED),
    (["smart", "--number", "１２３４-５６７８"], Stored("number", "12345678")),
    (["sim", "--number", "+852 9123 4567"], Stored("number", "+85291234567")),
    (["sim", "--region", "CN", "--number", "8985 2000 1234 5678 9013"], Stored("number", "89852000123456789013")),
    (["smart", "--number", "XXXX5678(3)"], Stored("number", "XXXX56783")),
]


def _ids(cases):
    return [f"{i}-{repr(args)[:40]}" for i, (args, _) in enumerate(cases)]


@pytest.fixture
def ready(topup_ok):
    topup_ok("card", "add", "hk", "--kind", "smart", "--region", "HK")
    topup_ok("log", "hk", "1", "--ref", "FIRST")
    return "hk"


def _expect(result, expected, before, after, shown):
    assert "Traceback" not in result.stderr
    if isinstance(expected, Refused):
        assert result.exit_code == 1, result.stderr
        assert result.stderr.startswith("error: ")
        assert after == before
        HOSTILE_TALLY["refused"] += 1
    else:
        assert result.exit_code == 0, result.stderr
        assert shown()[expected.field] == expected.value
        HOSTILE_TALLY["stored"] += 1


@pytest.mark.parametrize(("args", "expected"), LOG_CASES, ids=_ids(LOG_CASES))
def test_log_input(topup, topup_ok, ready, ledger_path, args, expected):
    before = table_dump(ledger_path)
    result = topup("log", ready, *args)
    _expect(result, expected, before, table_dump(ledger_path),
            lambda: json.loads(topup_ok("show", "2", "--format", "json").stdout))


@pytest.mark.parametrize(("args", "expected"), CARD_CASES, ids=_ids(CARD_CASES))
def test_card_input(topup, topup_ok, ledger_path, args, expected):
    make_ledger(ledger_path)
    before = table_dump(ledger_path)
    kind, *options = args
    result = topup("card", "add", "new", "--kind", kind, *options)
    _expect(result, expected, before, table_dump(ledger_path),
            lambda: json.loads(topup_ok("card", "show", "new", "--reveal", "--format", "json").stdout))


def _receipt_case(tmp_path: Path, kind: str) -> list[str]:
    good = tmp_path / "good.pdf"
    good.write_bytes(b"%PDF-1.4 receipt")
    if kind == "missing":
        return [str(tmp_path / "missing.png")]
    if kind == "folder":
        return [str(tmp_path)]
    if kind == "symlink to a folder":
        link = tmp_path / "link"
        link.symlink_to(tmp_path)
        return [str(link)]
    if kind == "empty":
        (tmp_path / "empty.png").write_bytes(b"")
        return [str(tmp_path / "empty.png")]
    if kind == "oversized":
        with (tmp_path / "big.pdf").open("wb") as f:
            f.truncate(MAX_RECEIPT_BYTES + 1)
        return [str(tmp_path / "big.pdf")]
    return [str(good), str(good)]


@pytest.mark.parametrize("kind", ["missing", "folder", "symlink to a folder", "empty", "oversized", "same file twice"])
def test_receipt_files(topup, topup_ok, ready, ledger_path, tmp_path, kind):
    before = table_dump(ledger_path)
    files = _receipt_case(tmp_path, kind)
    result = topup("log", ready, "5", *[arg for f in files for arg in ("--receipt", f)])
    expected = Stored("receipts", 1) if kind == "same file twice" else REFUSED
    _expect(result, expected, before, table_dump(ledger_path),
            lambda: {"receipts": len(json.loads(topup_ok("show", "2", "--format", "json").stdout)["receipts"])})


def _other_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (name TEXT)")
    conn.commit()
    conn.close()


def _newer_ledger(path: Path) -> None:
    assert run_process("--db", str(path), "card", "add", "x", "--kind", "smart").returncode == 0
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 5}")
    conn.close()


@pytest.mark.parametrize("kind", ["random bytes", "another program's database", "newer schema", "a folder",
                                  "read-only folder", "empty file", "empty database", "named pipe", "dangling link",
                                  "link loop"])
def test_ledger_files(tmp_path, kind):
    path = tmp_path / "ledger.db"
    if kind == "empty file":
        path.write_bytes(b"")
    elif kind == "empty database":  # a valid SQLite file with nothing in it
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.execute("DROP TABLE t")
        conn.commit()
        conn.close()
    elif kind == "named pipe":
        os.mkfifo(path)
    elif kind == "dangling link":
        path.symlink_to(tmp_path / "gone.db")
    elif kind == "link loop":
        path.symlink_to(tmp_path / "loop.db")
        (tmp_path / "loop.db").symlink_to(path)
    elif kind == "random bytes":
        path.write_bytes(os.urandom(10_000))
    elif kind == "another program's database":
        _other_sqlite(path)
    elif kind == "newer schema":
        _newer_ledger(path)
    elif kind == "a folder":
        path.mkdir()
    else:
        # root writes anywhere it likes, so a folder only the kernel can create files in stands in.
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        path = locked / "ledger.db" if os.geteuid() != 0 else Path("/proc/topup-ledger/ledger.db")
    before = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    for command in (["log", "x", "1"], ["search", "x"], ["verify"], ["card", "add", "x", "--kind", "smart"]):
        result = run_process("--db", str(path), *command, timeout=20)
        assert result.returncode == 1 and result.stderr.startswith("error: "), (command, result.stderr)
        assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, (command, result.stderr)
        if before is not None:
            assert path.read_bytes() == before
        HOSTILE_TALLY["refused"] += 1


_HUGE_MESSAGE = ("Your card has been recharged with HK$123456789012345678901234567890.00 on 20 Mar 2025 9:15 AM. "
                 "Ref no. RC2503200915001.")


@pytest.mark.parametrize(("args", "stdin", "env", "said"), [
    (["--note", "ab\udcff\udcfecd"], None, {}, 'the command line holds bytes that are not text in this terminal\'s '
                                               'encoding (near "ab\\xff\\xfecd")'),
    (["--sms", "-"], b"Ref no. RC2503200915001 \xff HK$50.00", {}, "the message on standard input holds bytes"),
    (["--at", "9999-12-31"], None, {}, "'9999-12-31' is in the future"),
    (["--at", "9999-12-31T23:59:00-12:00"], None, {}, "is in the future"),
    (["--sms", _HUGE_MESSAGE], None, {}, "amount '123456789012345678901234567890.00' is larger than any top-up"),
    (["--ref", "Z1"], None, {"TZ": "XYZ-25:61"}, "the local time zone TZ='XYZ-25:61' has a UTC offset no place uses"),
])
def test_input_past_every_bound_is_refused_plainly(ready, ledger_path, args, stdin, env, said):
    before = table_dump(ledger_path)
    amount = [] if "--sms" in args else ["5"]
    result = subprocess.run([sys.executable, "-m", "ledger", "log", ready, *amount, *args], input=stdin or b"",
                            capture_output=True, env={**os.environ, **env}, timeout=60)
    stderr = result.stderr.decode()
    assert result.returncode == 1 and stderr.startswith("error: ") and said in stderr, stderr
    assert "unexpected" not in stderr and "Traceback" not in stderr
    assert table_dump(ledger_path) == before
    HOSTILE_TALLY["refused"] += 1
