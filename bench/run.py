"""Benchmark topup on seeded synthetic ledgers, against baselines measured in the same run.

    python bench/run.py                   # 10k and 100k records
    python bench/run.py --with-1m         # and 1M (several minutes more)
    python bench/run.py --sizes 10k --repeat 1   # the quick smoke run CI makes

Every figure is the median of --repeat runs of a whole command in a fresh process. Shared
machines are noisy, so each result is given as a ratio to a baseline taken moments before:
bare Python start-up and imports for whole commands, the sqlite3 module and csv module doing
the same work for data paths. Nothing here asserts a time; the table marks each target met or not.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import card_label, generate, sample_refs, write_bill_and_export, write_journal  # noqa: E402
from ledger.store.sqlite.search import SEARCH_BODY  # noqa: E402

PY = sys.executable
TOPUP = [str(Path(PY).with_name("topup"))] if Path(PY).with_name("topup").exists() else [PY, "-m", "ledger"]
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}

# Baselines: what the same work costs without topup.
IMPORT_TYPER = [PY, "-c", "import typer"]
IMPORT_FLOOR = [PY, "-c", "import typer, sqlmodel, dateutil.parser"]
STDLIB_EXPORT = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
out = open(sys.argv[2], "w", newline="", encoding="utf-8")
writer = csv.writer(out)
for row in conn.execute("SELECT t.*, c.label FROM topup t JOIN card c ON c.id = t.card_id ORDER BY t.occurred_at_utc"):
    writer.writerow(row)
"""
STDLIB_LOAD = """
import csv, sqlite3, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))[1:]
conn = sqlite3.connect(sys.argv[2])
conn.execute("CREATE TABLE t (%s)" % ", ".join(f"c{i}" for i in range(len(rows[0]))))
conn.executemany("INSERT INTO t VALUES (%s)" % ", ".join("?" * len(rows[0])), rows)
conn.commit()
"""
# hledger reading a topup export: its own names for the columns, since `currency` and `status`
# mean something else to it.
HLEDGER_RULES = """skip 1
fields id, label, kind, credited, paid_, code, chan, result, when, ref, shop, text, bal, valid, state, files, added
date %when
date-format %Y-%m-%dT%H:%M:%S%Ez
description %ref
amount %credited %code
account1 assets:cards:%label
account2 expenses:topup
"""
# Logging's floor: Python loading the command-line library and committing one row, durably, in a
# transaction of its own, as `topup log` does.
COMMIT_FLOOR = """
import sqlite3, sys
import typer
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA synchronous = FULL")
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO logged (amount) VALUES (100)")
conn.execute("COMMIT")
"""
PEAK_RSS = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); " \
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def timed(command: list[str], repeat: int, env: dict[str, str] | None = None,
          before: object = None) -> float:
    """Median seconds of `command` over `repeat` runs (`before` is called ahead of each, untimed)."""
    times = []
    for _ in range(repeat):
        if callable(before):
            before()
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, **(env or {})})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired(ours: Callable[[int], list[str]], theirs: list[str], repeat: int,
           env: dict[str, str] | None = None) -> tuple[float, float, float, float]:
    """Median wall and CPU seconds of `ours` (the command of the n-th run) and `theirs`, run in turn
    pair by pair so that both see the same load: (ours wall, theirs wall, ours CPU, theirs CPU)."""
    walls: dict[int, list[float]] = {0: [], 1: []}
    cpus: dict[int, list[float]] = {0: [], 1: []}
    for n in range(repeat):
        for side, command in enumerate((ours(n), theirs)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)  # microseconds, not clock ticks
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, **(env or {})})
            walls[side].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[side].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return (statistics.median(walls[0]), statistics.median(walls[1]), statistics.median(cpus[0]),
            statistics.median(cpus[1]))


def peak_rss_kib(command: list[str], env: dict[str, str]) -> int:
    result = subprocess.run([PY, "-c", PEAK_RSS, *command], check=True, capture_output=True, text=True,
                            env={**os.environ, **env})
    return int(result.stdout.strip())


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, operation: str, size: str, ours: float, baseline_name: str, baseline: float,
            target: float | None, unit: str = "s") -> None:
        ratio = ours / baseline if baseline else float("nan")
        verdict = "" if target is None else ("met" if ratio <= target else "NOT met")
        shown = (lambda v: f"{v * 1000:.0f} ms") if unit == "s" else (lambda v: f"{v:,.0f} {unit}")
        self.rows.append((operation, size, shown(ours), baseline_name, shown(baseline), f"{ratio:.2f}x",
                          f"<= {target}x" if target else "", verdict))

    def note(self, operation: str, size: str, text: str, verdict: str = "") -> None:
        self.rows.append((operation, size, text, "", "", "", "", verdict))

    def print(self) -> None:
        headings = ("operation", "size", "topup", "baseline", "baseline time", "ratio", "target", "")
        widths = [max(len(str(r[i])) for r in [headings, *self.rows]) for i in range(len(headings))]
        for row in [headings, tuple("-" * w for w in widths), *self.rows]:
            print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def bench_start_up(table: Table, repeat: int) -> None:
    typer_floor = timed(IMPORT_TYPER, repeat)
    bare = timed([PY, "-c", "pass"], repeat)
    table.add("python -c pass (for scale)", "-", bare, "import typer", typer_floor, None)
    for name, command, env in [
        ("topup --help", [*TOPUP, "--help"], None),
        ("topup search --help", [*TOPUP, "search", "--help"], None),
        ("shell completion", TOPUP, {"_TOPUP_COMPLETE": "complete_bash", "COMP_WORDS": "topup se", "COMP_CWORD": "1"}),
    ]:
        ours, floor, _, _ = paired(lambda n, command=command: command, IMPORT_TYPER, repeat, env)
        table.add(name, "-", ours, "import typer (paired)", floor, 1.5)


def load_into_ledger_tables(source: Path, target: Path) -> float:
    """Seconds raw sqlite3 takes to write the same records, their history and the text index into
    an empty ledger's tables: the floor under any import, before one value is checked or hashed."""
    src = sqlite3.connect(source)
    schema = [sql for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') "
                                            "AND sql IS NOT NULL AND name NOT LIKE 'topup_fts_%' ORDER BY rowid")]
    tables = {name: src.execute(f"SELECT * FROM {name}").fetchall()
              for name in ("card", "ledger_link", "topup", "topup_version")}
    src.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for sql in schema:
        conn.execute(sql)
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for name, rows in tables.items():
        conn.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    conn.execute(f"INSERT INTO topup_fts (rowid, body) SELECT t.id, {SEARCH_BODY} FROM topup AS t")
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def bench_size(table: Table, label: str, records: int, folder: Path, repeat: int, hledger: str | None) -> float:
    """Every per-size figure; returns the export's peak memory in MiB."""
    ledger = folder / f"ledger-{label}.db"
    started = time.perf_counter()
    generate(ledger, records)
    print(f"generated {records:,} records in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    env = {"TOPUP_DB": str(ledger)}
    # The targets are set for a size: searches, log and export on 1M records, import of 100k rows.
    # Other sizes show their ratios for orientation only.
    on_1m = records == SIZES["1m"]
    floor = timed(IMPORT_FLOOR, repeat)
    refs = iter(sample_refs(ledger, 2 * repeat + 5))  # two lookups take repeat + 1 each, hledger one

    lookups = [
        ("search --ref", lambda: ["search", "--ref", next(refs), "--format", "json"],
         "SELECT * FROM topup WHERE ref = ? COLLATE NOCASE", lambda: (next(refs),)),
        ("search TEXT (part of a ref)", lambda: ["search", next(refs)[4:12], "--format", "json"],
         "SELECT * FROM topup WHERE ref LIKE ?", lambda: (f"%{next(refs)[4:12]}%",)),
        ("search 便利店 (Chinese)", lambda: ["search", "便利店", "--limit", "50", "--format", "json"],
         "SELECT * FROM topup WHERE note LIKE '%便利店%' ORDER BY occurred_at_utc DESC LIMIT 50", lambda: ()),
        ("search --card --since/--until month", lambda: ["search", "--card", card_label(3), "--since", "2024-05",
                                                        "--until", "2024-05", "--format", "json"],
         "SELECT * FROM topup WHERE card_id = 4 AND occurred_at_utc >= '2024-05' AND occurred_at_utc < '2024-06'",
         lambda: ()),
    ]
    for name, args, sql, params in lookups:
        ours = statistics.median(timed([*TOPUP, *args()], 1, env) for _ in range(repeat))
        table.add(name, label, ours, "start-up floor", floor, 1.5 if on_1m else None)
        conn = sqlite3.connect(ledger)
        start = time.perf_counter()
        conn.execute(sql, params()).fetchall()
        table.add("  same query, raw sqlite3", label, time.perf_counter() - start, "start-up floor", floor, None)
        conn.close()
    if hledger and records == SIZES["100k"]:
        journal = folder / "ledger.journal"
        write_journal(journal, ledger)
        ref = next(refs)
        theirs = timed([hledger, "-f", str(journal), "register", f"desc:{ref}"], repeat)
        ours = timed([*TOPUP, "search", "--ref", ref, "--format", "json"], repeat, env)
        table.add("search --ref vs hledger register", label, ours, "hledger 1 query", theirs, 0.1)

    # Tab completion reads the ledger at every key press: it must stay close to typer's own start-up.
    for name, words in [("Tab: record ids (topup show 1…)", "topup show 1"), ("Tab: card labels", "topup log ")]:
        tab_env = {**env, "_TOPUP_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "2"}
        ours, floor, _, _ = paired(lambda n: TOPUP, IMPORT_TYPER, repeat, tab_env)
        table.add(name, label, ours, "import typer (paired)", floor, 2.0 if on_1m else None)

    bench_serve(table, label, env, repeat, 2.0 if records == SIZES["100k"] else None)

    logs = [timed([*TOPUP, "log", card_label(1), "100", "--ref", f"BENCH{n}"], 1, env) for n in range(repeat)]
    table.add("log (end to end)", label, statistics.median(logs), "start-up floor", floor, 1.3 if on_1m else None)
    committed = folder / "commit-floor.db"
    with sqlite3.connect(committed) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS logged (id INTEGER PRIMARY KEY, amount INTEGER)")
    log_wall, floor_wall, log_cpu, floor_cpu = paired(
        lambda n: [*TOPUP, "log", card_label(2), "100", "--ref", f"PAIRED{n}"],
        [PY, "-c", COMMIT_FLOOR, str(committed)], repeat, env)
    table.add("log, wall (pair by pair)", label, log_wall, "typer + 1 commit", floor_wall, 2.0)
    table.add("log, CPU (pair by pair)", label, log_cpu, "typer + 1 commit", floor_cpu, 2.0)

    csv_out = folder / f"export-{label}.csv"
    ours = timed([*TOPUP, "export", "--output", str(csv_out)], repeat, env)
    theirs = timed([PY, "-c", STDLIB_EXPORT, str(ledger), str(folder / "stdlib.csv")], repeat)
    table.add("export to CSV", label, ours, "stdlib csv", theirs, 1.5 if on_1m else None)
    rss = peak_rss_kib([*TOPUP, "export", "--output", str(csv_out)], env) / 1024
    table.note("export peak memory", label, f"{rss:.0f} MiB")

    if records <= SIZES["100k"]:
        target = folder / f"import-{label}.db"

        def fresh() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)

        # The floor: raw sqlite3 writing the same records, their history and text index into the
        # ledger's tables, before one value is checked or hashed. The target is set against it.
        written = statistics.median(load_into_ledger_tables(ledger, folder / "floor.db") for _ in range(repeat))
        ours = timed([*TOPUP, "--db", str(target), "import", str(csv_out)], repeat, before=fresh)
        table.add("import CSV", label, ours, "raw floor", written, 1.5 if records == SIZES["100k"] else None)
        load = folder / "load.db"
        theirs = timed([PY, "-c", STDLIB_LOAD, str(csv_out), str(load)], repeat,
                       before=lambda: load.unlink(missing_ok=True))
        table.add("  raw floor: same records into the ledger's tables", label, written, "stdlib executemany",
                  theirs, None)
        if hledger and records == SIZES["100k"]:
            rules = folder / "export.rules"
            rules.write_text(HLEDGER_RULES, encoding="utf-8")
            theirs = timed([hledger, "-f", str(csv_out), "--rules-file", str(rules), "stats"], repeat)
            table.add("import CSV vs hledger reading it (rules)", label, ours, "hledger", theirs, 1.0)
        fresh()
        import_rss = peak_rss_kib([*TOPUP, "--db", str(target), "import", str(csv_out)], {}) / 1024
        table.note("import peak memory", label, f"{import_rss:.0f} MiB")

    bare = folder / "no-index.db"
    shutil.copy(ledger, bare)
    conn = sqlite3.connect(bare)
    conn.executescript("DROP TRIGGER topup_fts_insert; DROP TRIGGER topup_fts_update; DROP TRIGGER topup_fts_delete; "
                       "DROP TABLE topup_fts; VACUUM;")
    conn.close()
    conn = sqlite3.connect(ledger)
    conn.execute("VACUUM")
    conn.close()
    table.add("ledger file size", label, ledger.stat().st_size / 2**20, "without text index",
              bare.stat().st_size / 2**20, None, unit="MiB")
    bare.unlink()
    return rss


def bench_serve(table: Table, label: str, env: dict[str, str], repeat: int, target: float | None) -> None:
    """The records page of a running `topup serve` (its newest 50 records and the month chart) against
    `topup search` with the same filter, as a user would otherwise run it."""
    import urllib.parse
    import urllib.request

    filters = [("no filter (newest 50)", {}, ["--limit", "50"]),
               ("text 便利店", {"q": "便利店"}, ["便利店", "--limit", "50"]),
               ("--card, a year", {"card": card_label(3), "since": "2024", "until": "2024"},
                ["--card", card_label(3), "--since", "2024", "--until", "2024", "--limit", "50"]),
               ("--since 2021 (a chart of every record)", {"since": "2021"}, ["--since", "2021", "--limit", "50"])]
    with subprocess.Popen([*TOPUP, "serve"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                          env={**os.environ, **env}) as server:
        try:
            address = server.stdout.readline().strip()
            base, token = address.split("/?token=")
            cookie = {"Cookie": f"topup_token_{base.rsplit(':', 1)[1]}={token}"}
            for name, query, args in filters:
                url = f"{base}/?{urllib.parse.urlencode(query)}"

                def page(url: str = url) -> float:
                    start = time.perf_counter()
                    with urllib.request.urlopen(urllib.request.Request(url, headers=cookie)) as answer:
                        answer.read()
                    return time.perf_counter() - start

                page()  # the first request also loads the templates
                ours = statistics.median(page() for _ in range(repeat))
                theirs = timed([*TOPUP, "search", *args, "--format", "json"], repeat, env)
                table.add(f"serve: records page, {name}", label, ours, "topup search", theirs, target)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


def bench_bill(table: Table, folder: Path, repeat: int) -> None:
    """A 10k-row WeChat Pay bill against the same top-ups in the program's own export layout."""
    bill, export, target = folder / "bill.csv", folder / "bill-export.csv", folder / "bill.db"
    write_bill_and_export(bill, export, 10_000)

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        subprocess.run([*TOPUP, "--db", str(target), "card", "add", "phone", "--kind", "sim", "--region", "CN",
                        "--number", "13912345678"], check=True, capture_output=True)

    ours = timed([*TOPUP, "--db", str(target), "import", str(bill)], repeat, before=fresh)
    theirs = timed([*TOPUP, "--db", str(target), "import", str(export)], repeat, before=fresh)
    table.add("import a WeChat Pay bill", "10k", ours, "own export layout", theirs, 2.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--with-1m", action="store_true", help="add the 1M-record ledger")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (the median is shown)")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    options = parser.parse_args()
    labels = [s.strip().lower() for s in options.sizes.split(",") if s.strip()]
    if options.with_1m and "1m" not in labels:
        labels.append("1m")
    unknown = [s for s in labels if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; use 10k, 100k or 1m")
    hledger = shutil.which("hledger")
    table = Table()
    memory: dict[str, float] = {}
    folder = options.keep or Path(tempfile.mkdtemp(prefix="topup-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    # pip compiles an installed package's bytecode; a checkout installed in place may not have it yet
    # (or never write it, under PYTHONDONTWRITEBYTECODE), and every run would be timed compiling it.
    compileall.compile_dir(ROOT / "ledger", quiet=1)
    try:
        bench_start_up(table, options.repeat)
        bench_bill(table, folder, options.repeat)
        for label in labels:
            memory[label] = bench_size(table, label, SIZES[label], folder, options.repeat, hledger)
        if "100k" in memory and len(memory) > 1:
            largest = max(memory, key=SIZES.__getitem__)
            if largest != "100k":  # flat: within 20 % between 100k and the largest size
                table.add(f"export peak memory, {largest} vs 100k", largest, memory[largest], "100k",
                          memory["100k"], 1.2, unit="MiB")
    finally:
        if options.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"topup benchmark: Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} cores, median of {options.repeat}; hledger: {hledger or 'not installed'}")
    table.print()


if __name__ == "__main__":
    main()
