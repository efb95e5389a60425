import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_ledger, run_process, sql_value, table_dump


def _ledger_for_export(topup_ok):
    topup_ok("card", "add", "Octopus", "--kind", "smart", "--region", "HK")
    topup_ok("card", "add", "校园卡", "--kind", "smart", "--region", "CN")
    topup_ok("log", "Octopus", "100", "--at", "2026-03-14 18:42", "--ref", "202503142210998877", "--channel", "app",
             "--note", '=1+2, "quoted"\nsecond line', "--balance-after", "128.5", "--valid-until", "2026-06-12")
    topup_ok("log", "校园卡", "50", "--at", "2026-04-01 08:00", "--channel", "微信", "--merchant", "@食堂",
             "--paid", "49.5", "--outcome", "pending")
    topup_ok("log", "Octopus", "20", "--at", "2026-05-01 08:00", "--ref", "'quoted")
    topup_ok("void", "3", "--reason", "mistake")
    topup_ok("amend", "2", "--outcome", "credited", "--reason", "arrived")


def test_export_import_export_gives_the_same_records(topup_ok, tmp_path):
    _ledger_for_export(topup_ok)
    first = tmp_path / "first.csv"
    topup_ok("export", "--with-void", "--output", str(first))
    other = tmp_path / "other.db"
    added = topup_ok("--db", str(other), "import", str(first))
    assert "added 3 record(s)" in added.stderr and "Octopus" in added.stderr
    second = tmp_path / "second.csv"
    topup_ok("--db", str(other), "export", "--with-void", "--output", str(second))
    assert second.read_bytes() == first.read_bytes()
    assert topup_ok("--db", str(other), "verify").exit_code == 0


def test_importing_the_same_file_twice_adds_nothing(topup_ok, tmp_path, ledger_path):
    _ledger_for_export(topup_ok)
    exported = tmp_path / "e.csv"
    topup_ok("export", "--with-void", "--output", str(exported))
    before = table_dump(ledger_path)
    result = topup_ok("import", str(exported))
    assert "added 0 record(s), 3 already in the ledger" in result.stderr
    assert table_dump(ledger_path) == before


def test_dry_run_shows_what_would_be_added_and_changes_nothing(topup_ok, tmp_path):
    _ledger_for_export(topup_ok)
    exported = tmp_path / "e.csv"
    topup_ok("export", "--output", str(exported))
    other = tmp_path / "other.db"
    make_ledger(other)
    before = table_dump(other)
    shown = json.loads(topup_ok("--db", str(other), "import", str(exported), "--dry-run", "--format", "json").stdout)
    assert [r["amount"] for r in shown] == ["100.00", "50.00"]
    assert table_dump(other) == before


BANK_CSV = "交易時間,金額,備註,對方\n2026/03/01 09:00,50.00,便利店充值,7-Eleven\n2026/03/02 18:30,100.00,微信充值,WeChat\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "big5"])
def test_a_foreign_layout_is_read_through_a_column_map(topup_ok, tmp_path, encoding):
    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK")
    path = tmp_path / "bank.csv"
    path.write_bytes(BANK_CSV.replace("便利店", "便利").encode(encoding))
    args = ["import", str(path), "--card", "八達通", "--map", "交易時間=occurred_at", "--map", "金額=amount",
            "--map", "備註=note", "--map", "對方=merchant"]
    if encoding == "big5":  # UTF-8 and GB18030 are told apart without being named
        args += ["--encoding", encoding]
    topup_ok(*args)
    records = json.loads(topup_ok("search", "--format", "json").stdout)
    assert [(r["amount"], r["note"], r["merchant"]) for r in records] == [
        ("100.00", "微信充值", "WeChat"), ("50.00", "便利充值", "7-Eleven")]
    assert records[0]["occurred_at"] == "2026-03-02T18:30:00+08:00"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (BANK_CSV + "2026/03/03 10:00,abc,x,y\n", [], "line 4: amount 'abc'"),
        (BANK_CSV + "2026/03/03 10:00,-5,x,y\n", [], "line 4: amount '-5' must be more than zero"),
        (BANK_CSV + "2026/03/03,5,x,y\n2026-13-01,5,x,y\n", [], "line 5:"),
        (BANK_CSV + "2099/03/03 10:00,5,x,y\n", [], "line 4:" ),
        (BANK_CSV + "2026/03/03 10:00,5,x\n", [], "line 4: 3 cells"),
        (BANK_CSV, ["--map", "Time=occurred_at"], "no column 'Time'"),
        (BANK_CSV, ["--map", "金額=price"], "COLUMN=FIELD"),
        (BANK_CSV.encode("gb18030"), ["--encoding", "utf-8"], "not utf-8 text; try --encoding with one of gb18030"),
        (BANK_CSV.encode("gb18030") + b"\xff\n", ["--encoding", "gb18030"], "not gb18030 text; try --encoding with one of utf-8"),
        (BANK_CSV.encode("gb18030") + b"\xff\n", [], "neither UTF-8, GB18030 nor Big5"),
    ],
)
def test_a_bad_file_is_refused_whole_with_its_line_number(topup_ok, topup, tmp_path, ledger_path, content, args,
                                                          message):
    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK")
    path = tmp_path / "bank.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = table_dump(ledger_path)
    base = ["import", str(path), "--card", "八達通", "--map", "交易時間=occurred_at", "--map", "金額=amount",
            "--map", "備註=note", "--map", "對方=merchant"]
    result = topup(*base, *args)
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    assert table_dump(ledger_path) == before


def test_files_that_are_not_exports_need_a_map(topup_ok, topup, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    result = topup("import", str(path))
    assert result.exit_code == 1 and "--map" in result.stderr
    assert topup("import", str(tmp_path / "missing.csv")).exit_code == 1
    assert topup("import", str(tmp_path)).exit_code == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=st.text(min_size=1, max_size=60), merchant=st.text(min_size=1, max_size=30))
def test_any_text_survives_export_and_import(tmp_path_factory, note, merchant):
    from ledger.errors import InvalidInput
    from ledger.service import cards, finding, importing, topups
    from ledger.service.opening import transaction
    from ledger.store.location import at

    folder = tmp_path_factory.mktemp("roundtrip")
    source, target = at(folder / "a.db"), at(folder / "b.db")
    with transaction(source, write=True) as tx:
        cards.add_card(tx, "card", cards.CardSpec(kind="smart"))
    try:
        with transaction(source, write=True) as tx:
            topups.log_topup(tx, topups.LogRequest(card="card", values={
                "amount": "10", "note": note, "merchant": merchant, "at": "2026-01-01 10:00"}))
    except InvalidInput:
        return  # text the ledger refuses (control characters, …) never reaches an export
    csv_path, again = folder / "e.csv", folder / "f.csv"
    with transaction(source) as tx:
        finding.export_to_file(tx, finding.Filters(), csv_path, "csv")
    with transaction(target, write=True) as tx:
        importing.import_file(tx, csv_path, mapping={})
    with transaction(target) as tx:
        finding.export_to_file(tx, finding.Filters(), again, "csv")
    assert again.read_bytes() == csv_path.read_bytes()
    assert os.path.getsize(again) > 0


def test_imported_records_and_later_ones_are_found_by_text(topup_ok, tmp_path):
    _ledger_for_export(topup_ok)
    exported = tmp_path / "e.csv"
    topup_ok("export", "--with-void", "--output", str(exported))
    other = tmp_path / "other.db"
    topup_ok("--db", str(other), "import", str(exported))
    topup_ok("--db", str(other), "log", "Octopus", "5", "--note", "after the import")

    def found(text):
        return [r["id"] for r in json.loads(topup_ok("--db", str(other), "search", text, "--with-void",
                                                    "--format", "json").stdout)]

    assert found("2210998") == [1] and found("second line") == [1] and found("食堂") == [2]
    assert found("after the imp") == [4]


def test_a_long_import_shows_a_progress_bar_on_a_terminal_only(topup_ok, tmp_path, ledger_path):
    import pty

    topup_ok("card", "add", "bulk", "--kind", "smart")
    path = tmp_path / "rows.csv"
    path.write_text("time,amount\n" + "".join(f"2025-01-{i % 28 + 1:02d} {i % 24:02d}:{i % 60:02d},{i % 50 + 1}\n"
                                              for i in range(3000)))
    command = [sys.executable, "-m", "ledger", "import", str(path), "--card", "bulk", "--map", "time=occurred_at",
               "--map", "amount=amount"]
    controller, terminal = pty.openpty()
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=terminal) as process:
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            shown += chunk
    os.close(controller)
    assert process.returncode == 0
    assert b"importing" in shown and b"added 3000 record(s)" in shown
    piped = subprocess.run(command, capture_output=True, text=True)  # the same file again, not a terminal
    assert "importing" not in piped.stderr and "added 0 record(s)" in piped.stderr


def test_an_import_leaves_the_search_trigger_as_the_schema_made_it(topup_ok, ledger_path, tmp_path):
    topup_ok("card", "add", "campus", "--kind", "smart", "--currency", "CNY")
    trigger = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'topup_fts_insert'"
    made = sql_value(ledger_path, trigger)
    rows = tmp_path / "rows.csv"
    rows.write_text("occurred_at,card,amount,note\n2025-05-01 08:00,campus,30,食堂午饭\n", encoding="utf-8")
    topup_ok("import", str(rows))
    assert sql_value(ledger_path, trigger) == made
    topup_ok("log", "campus", "5", "--note", "图书馆复印")
    found = json.loads(topup_ok("search", "食堂", "--format", "json").stdout) + json.loads(
        topup_ok("search", "图书馆", "--format", "json").stdout)
    assert [r["note"] for r in found] == ["食堂午饭", "图书馆复印"]


def test_a_dry_run_with_no_ledger_yet_checks_the_file_and_creates_nothing(topup_ok, tmp_path):
    _ledger_for_export(topup_ok)
    exported = tmp_path / "e.csv"
    topup_ok("export", "--output", str(exported))
    path = tmp_path / "not-yet" / "ledger.db"
    result = run_process("--db", str(path), "import", str(exported), "--dry-run", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [r["amount"] for r in json.loads(result.stdout)] == ["100.00", "50.00"]
    assert "there is no ledger at" in result.stderr and "would create card(s)" in result.stderr
    assert not (tmp_path / "not-yet").exists()
    imported = run_process("--db", str(path), "import", str(exported))  # the real import creates it
    assert imported.returncode == 0 and path.exists()


def test_a_table_read_from_a_pipe_is_imported(topup_ok, tmp_path, ledger_path):
    """`topup import /dev/stdin < file`, or a file made on the fly (`<(iconv …)`), as a shell gives it."""
    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK")
    rows = "time,amount,note\n2025-03-01 10:00,10,便利店\n"
    result = run_process("import", "/dev/stdin", "--card", "八達通", "--map", "time=occurred_at", "--map",
                         "amount=amount", "--map", "note=note", input=rows)
    assert result.returncode == 0, result.stderr
    assert json.loads(topup_ok("search", "便利店", "--format", "json").stdout)[0]["amount"] == "10.00"


def test_an_empty_file_is_refused_as_empty(topup_ok, tmp_path):
    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = run_process("import", str(empty), "--card", "八達通", "--map", "a=amount")
    assert result.returncode == 1 and result.stderr == f"error: {empty} is empty\n", result.stderr


@pytest.mark.parametrize("kind", ["named pipe", "endless device", "link to an endless device", "nested too deeply",
                                  "too large"])
def test_input_that_is_not_a_table_file_is_refused_at_once(topup_ok, tmp_path, ledger_path, kind):
    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK")
    path = tmp_path / "bill.csv"
    if kind == "named pipe":
        os.mkfifo(path)  # no one ever writes into it
    elif kind == "endless device":
        path = "/dev/zero"
    elif kind == "link to an endless device":
        path.symlink_to("/dev/zero")
    elif kind == "nested too deeply":
        path.write_text("[" * 100_000 + "]" * 100_000)
    else:
        with path.open("wb") as sparse:
            sparse.truncate(257 * 2**20)
    before = table_dump(ledger_path)
    result = run_process("import", str(path), "--card", "八達通", timeout=30)
    assert result.returncode == 1 and result.stderr.startswith(f"error: {path} "), result.stderr
    assert table_dump(ledger_path) == before


# A layout no bill source knows, with an account's lines above its header: a shop's order list.
ORDER_LIST = [
    "京东账户：jd_xiaoming", "导出时间：2025-04-01 10:00:00", "",
    "订单编号,下单时间,商品名称,订单金额,实付金额,订单状态",
    "311000001\t,2025-03-14 18:42:07,中国移动话费充值100元,100.00,99.50,已完成",
]


def test_a_map_finds_the_header_below_a_preamble(topup_ok, topup, tmp_path):
    topup_ok("card", "add", "主号", "--kind", "sim", "--region", "CN")
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(ORDER_LIST) + "\n", encoding="utf-8")
    refused = topup("import", str(path))
    assert refused.exit_code == 1 and "--map" in refused.stderr
    topup_ok("import", str(path), "--card", "主号", "--map", "下单时间=occurred_at", "--map", "订单金额=amount",
             "--map", "实付金额=paid", "--map", "商品名称=note", "--map", "订单编号=ref")
    (record,) = json.loads(topup_ok("search", "--format", "json").stdout)
    assert (record["amount"], record["paid"], record["ref"], record["note"]) == ("100.00", "99.50", "311000001",
                                                                                "中国移动话费充值100元")


@pytest.mark.parametrize(("mapping", "said"), [
    (["下单时间=occurred_at", "金额=amount"], "no column '金额'"),
    (["下单时刻=occurred_at", "金额=amount"], "none of the columns '下单时刻', '金额'"),
])
def test_a_mistyped_column_is_named_with_the_columns_of_the_header_below_a_preamble(topup_ok, topup, tmp_path,
                                                                                   ledger_path, mapping, said):
    topup_ok("card", "add", "主号", "--kind", "sim", "--region", "CN")
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(ORDER_LIST) + "\n", encoding="utf-8")
    before = table_dump(ledger_path)
    refused = topup("import", str(path), "--card", "主号", *[arg for pair in mapping for arg in ("--map", pair)])
    assert refused.exit_code == 1 and refused.stderr.startswith("error: ")
    assert f"{said}; its columns are 订单编号, 下单时间, 商品名称, 订单金额, 实付金额, 订单状态" in refused.stderr
    assert table_dump(ledger_path) == before


@pytest.mark.parametrize("layout", ["mapped", "field-named"])
def test_a_top_up_logged_from_its_message_is_already_in_the_ledger(topup_ok, tmp_path, layout):
    topup_ok("card", "add", "校园卡", "--kind", "smart", "--currency", "CNY")
    topup_ok("log", "校园卡", "--sms", "【校园卡】您于2025年03月14日12时05分充值50.00元，交易流水号XY20250314120501，余额80.00元。")
    path = tmp_path / "statement.csv"
    if layout == "mapped":
        path.write_text("交易时间,金额,备注\n2025-03-14 12:06:30,50.00,校园卡充值\n2025-03-14 12:09:00,50.00,再充一次\n"
                        "2025-03-14 12:40:00,50.00,午饭后\n", encoding="utf-8")
        args = ["--card", "校园卡", "--map", "交易时间=occurred_at", "--map", "金额=amount", "--map", "备注=note"]
    else:
        path.write_text("card,amount,occurred_at,note\n校园卡,50,2025-03-14 12:06:30,校园卡充值\n"
                        "校园卡,50,2025-03-14 12:09:00,再充一次\n校园卡,50,2025-03-14 12:40:00,午饭后\n", encoding="utf-8")
        args = []
    assert "would add 2 record(s), 1 already in the ledger" in topup_ok("import", str(path), "--dry-run",
                                                                          *args).stderr
    assert "added 2 record(s), 1 already in the ledger" in topup_ok("import", str(path), *args).stderr
    assert "added 0 record(s), 3 already in the ledger" in topup_ok("import", str(path), *args).stderr
    assert sorted(r["note"] or "" for r in json.loads(topup_ok("search", "--format", "json").stdout)) == [
        "", "再充一次", "午饭后"]


def test_a_statement_row_pairs_only_with_the_same_top_up_never_a_failed_one_or_another_reference(topup_ok, tmp_path):
    topup_ok("card", "add", "卡", "--kind", "smart", "--currency", "CNY")
    topup_ok("log", "卡", "100", "--at", "2025-03-14 12:00", "--ref", "AAA111", "--outcome", "failed")
    topup_ok("log", "卡", "50", "--at", "2025-03-15 12:00", "--ref", "CCC333")
    topup_ok("log", "卡", "30", "--at", "2025-03-16 18:20")
    topup_ok("log", "卡", "40", "--at", "2025-03-17")  # a day alone: a timed row of that day is this one
    path = tmp_path / "statement.csv"
    path.write_text("交易时间,金额,单号\n"
                    "2025-03-14 12:03:00,100.00,BBB222\n"  # the retry after the failed payment: a top-up of its own
                    "2025-03-15 12:02:00,50.00,DDD444\n"  # another reference: another top-up
                    "2025-03-16,30.00,\n"  # a day alone: the one logged that day
                    "2025-03-17 23:10:00,40.00,\n", encoding="utf-8")
    args = ["--card", "卡", "--map", "交易时间=occurred_at", "--map", "金额=amount", "--map", "单号=ref"]
    assert "added 2 record(s), 2 already in the ledger" in topup_ok("import", str(path), *args).stderr
    found = sorted((r["ref"] or "", r["outcome"]) for r in json.loads(topup_ok("search", "--format", "json").stdout))
    assert found == [("", "credited"), ("", "credited"), ("AAA111", "failed"), ("BBB222", "credited"),
                     ("CCC333", "credited"), ("DDD444", "credited")]
