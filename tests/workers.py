"""Worker processes for the concurrency and crash suites: many real `topup` commands in one process.

Run as `python -m tests.workers OPERATION ARGS…` with TOPUP_DB set; exits 1 if any command failed.
"""

from __future__ import annotations

import sys

from ledger.cli import main


def run(*args: str) -> int:
    sys.argv = ["topup", *args]
    try:
        main()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def log_many(card: str, count: str, prefix: str, receipt: str | None = None) -> int:
    failures = 0
    for i in range(int(count)):
        extra = ["--receipt", receipt] if receipt else []
        failures += run("log", card, f"{i % 50 + 1}", "--ref", f"{prefix}-{i}", *extra) != 0
    return failures


def amend_many(record: str, count: str) -> int:
    return sum(run("amend", record, "--amount", str(i % 7 + 1), "--reason", f"pass {i}") != 0
               for i in range(int(count)))


def backup_many(folder: str, count: str) -> int:
    return sum(run("backup", f"{folder}/copy-{i}.db") != 0 for i in range(int(count)))


OPERATIONS = {"log": log_many, "amend": amend_many, "backup": backup_many}

if __name__ == "__main__":
    operation, *arguments = sys.argv[1:]
    sys.exit(1 if OPERATIONS[operation](*arguments) else 0)
