"""The benchmark runs end to end on the smallest ledger (a smoke test: no time is asserted)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.serial  # the benchmark keeps both cores busy: run alone


def test_the_benchmark_runs_on_10k_records():
    result = subprocess.run([sys.executable, "bench/run.py", "--sizes", "10k", "--repeat", "1"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    table = result.stdout
    for operation in ("topup --help", "shell completion", "import a WeChat Pay bill", "search --ref", "search TEXT", "log (end to end)", "log, wall (pair by pair)", "log, CPU (pair by pair)",
                      "export to CSV", "export peak memory", "import CSV", "import peak memory", "ledger file size"):
        assert f"| {operation}" in table, operation
    assert table.count("| 10k ") >= 10
