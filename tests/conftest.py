"""Every test gets its own ledger file in a temporary folder and a fixed local time zone."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli import app

TEST_TZ = "Asia/Shanghai"


@pytest.fixture(autouse=True)
def ledger_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ledger.db"
    monkeypatch.setenv("TOPUP_DB", str(path))
    monkeypatch.setenv("TZ", TEST_TZ)
    for kind in ("CACHE", "CONFIG", "DATA"):  # the seal key, seal lists and caches stay the test's own
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / kind.lower()))
    monkeypatch.delenv("TOPUP_DEBUG", raising=False)
    time.tzset()
    return path


@pytest.fixture
def topup():
    """Run `topup ARGS…` in-process; returns the result with stdout and stderr apart."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def topup_ok(topup):
    """Like `topup`, but the command must succeed."""

    def run(*args: str, input: str | None = None):
        result = topup(*args, input=input)
        assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr}"
        return result

    return run


@pytest.fixture
def hk_card(topup_ok):
    topup_ok("card", "add", "Octopus", "--kind", "smart", "--region", "HK", "--number", "1234 5678(3)",
             "--max-topup", "1000", "--max-balance", "3000")
    return "Octopus"


def log_json(topup_ok, *args: str) -> dict:
    return json.loads(topup_ok("log", *args, "--format", "json").stdout)


def run_process(*args: str, env: dict | None = None, input: str | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
    """The real installed program in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args], capture_output=True, text=True, input=input,
        env={**os.environ, **(env or {})}, timeout=timeout,
    )


def page_text(page: str) -> str:
    """What a reader of an HTML page sees: its text with each element on a line of its own, unescaped;
    what is inside <script>, <style> and <title> is left out."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.hidden = 0

        def handle_starttag(self, tag, attrs) -> None:  # noqa: ARG002
            self.hidden += tag in ("script", "style", "title")
            self.parts.append("\n")

        def handle_endtag(self, tag) -> None:
            self.hidden -= tag in ("script", "style", "title")
            self.parts.append("\n")

        def handle_data(self, data) -> None:
            if not self.hidden:
                self.parts.append(data)

    reader = Reader()
    reader.feed(page)
    lines = "".join(reader.parts).splitlines()
    return "\n".join(line.strip() for line in lines if line.strip())


def table_dump(path: Path) -> str:
    """Every row of every table, to compare a ledger's content before and after a command."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return "\n".join(f"{t}: {conn.execute(f'SELECT * FROM {t!r}').fetchall()!r}" for t in tables)
    finally:
        conn.close()


# ---------------------------------------------------------------- suite-wide settings and tallies

HOSTILE_TALLY = {"refused": 0, "stored": 0}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runs", type=int, default=None,
                     help="repetitions for the crash and concurrency suites (CI uses fewer than a local run)")


@pytest.fixture
def runs(request: pytest.FixtureRequest):
    """How many repetitions a long suite makes: --runs N, else the given CI default."""

    def choose(ci_default: int) -> int:
        return request.config.getoption("--runs") or ci_default

    return choose


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker of a parallel run hands its tally to the run that reports (pytest-xdist)."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["hostile"] = dict(HOSTILE_TALLY)


def pytest_testnodedown(node, error) -> None:  # noqa: ARG001
    for key, count in getattr(node, "workeroutput", {}).get("hostile", {}).items():
        HOSTILE_TALLY[key] += count


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    total = HOSTILE_TALLY["refused"] + HOSTILE_TALLY["stored"]
    if total:
        terminalreporter.write_line(
            f"hostile inputs: {total} cases handled ({HOSTILE_TALLY['refused']} refused with the ledger unchanged, "
            f"{HOSTILE_TALLY['stored']} accepted and stored exactly)"
        )


def make_ledger(path: Path) -> None:
    """An empty ledger at `path`, made as the program makes one (no command that only reads does)."""
    from ledger.store.sqlite.db import prepare

    prepare(path)


def verify_problems(path: Path) -> list:
    """What `verify` finds in the ledger at `path`, in-process."""
    from ledger.service.opening import transaction
    from ledger.service.verifying import verify
    from ledger.store.location import at

    with transaction(at(path)) as ledger:
        return verify(ledger).problems


def sql_value(path: Path, sql: str, params: tuple = ()) -> object:
    """One value read straight from a ledger file, the connection closed again at once."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def sql(path: Path, statement: str, params: tuple = ()) -> None:
    """One statement run straight on a ledger file, as someone editing it behind the program's back would."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(statement, params)
        conn.commit()
    finally:
        conn.close()


def tamper(path: Path, *statements: str) -> None:
    """Statements run straight on a ledger file with its foreign keys unchecked, as an edit behind
    the program's back would be."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


RELEASE_0_1_0 = Path(__file__).with_name("data") / "release-0.1.0.sql"


@pytest.fixture
def released(ledger_path: Path) -> Path:
    """The ledger of release 0.1.0 (schema 4) at the test's ledger path."""
    conn = sqlite3.connect(ledger_path)
    conn.executescript(RELEASE_0_1_0.read_text(encoding="utf-8"))
    conn.close()
    ledger_path.chmod(0o600)  # as that release made it
    return ledger_path
