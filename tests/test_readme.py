"""README's first command and its tour, run as written, in order, on a fresh ledger in a new home folder."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def _sh_blocks(section_start: str, section_end: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    part = text[text.index(section_start): text.index(section_end)]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", part, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                lines.append(line)
    return lines


def _first_command_topup_steps() -> list[str]:
    first = _sh_blocks("## Two commands", "## A short tour")[0]
    return [step.strip().replace(".venv/bin/topup", "topup", 1)
            for step in first.split("&&") if step.strip().startswith(".venv/bin/topup")]


def _your_own_files(home: Path, work: Path) -> None:
    """Stand-ins for the files the tour says are the reader's own."""
    (home / "Downloads").mkdir(parents=True)
    (home / "Downloads" / "receipt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"receipt photo" * 20)
    (home / "Downloads" / "alipay-receipt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"alipay screenshot" * 20)
    (work / "slip.pdf").write_bytes(b"%PDF-1.4\n% a kiosk slip\n%%EOF\n")
    bill = "交易时间,金额,备注\n2025-03-14 12:05:00,50.00,校园卡充值\n2025-04-02 08:30:00,100.00,校园卡充值\n"
    (work / "对账单.csv").write_bytes(bill.encode("gb18030"))
    wechat = ["微信支付账单明细,,,,,,,,,,", "----------------------微信支付账单明细列表--------------------,,,,,,,,,,",
              "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注",
              "2025-04-05 12:00:00,商户消费,示例饭堂,午餐,支出,¥18.00,零钱,支付成功,4200009000000001\t,/\t,/",
              "2025-04-06 08:00:00,商户消费,学校,校园卡充值,支出,¥200.00,零钱,支付成功,4200009000000002\t,/\t,/"]
    (home / "Downloads" / "微信支付账单.csv").write_text("\n".join(wechat) + "\n", encoding="utf-8-sig")


def test_the_tour_runs_as_written_on_a_fresh_ledger(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    _your_own_files(home, work)
    env = {key: value for key, value in os.environ.items() if key not in ("TOPUP_DB", "XDG_DATA_HOME")}
    env |= {"HOME": str(home), "TZ": "Asia/Hong_Kong",
            "PATH": str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")}
    assert shutil.which("topup", path=env["PATH"]), "the installed topup command"

    def run(line: str) -> subprocess.CompletedProcess:
        done = subprocess.run(["bash", "-c", line], cwd=work, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{line}\nexit {done.returncode}: {done.stderr}"
        return done

    tour = _sh_blocks("## A short tour", "## Tests and benchmark")
    assert len(tour) > 25
    for line in _first_command_topup_steps() + tour:
        done = run(line)
        if said := re.search(r"# finds (.+)$", line):
            assert said[1].strip() in done.stdout, line
        if said := re.search(r"^topup log .*# record (\d+)$", line):
            assert done.stdout.strip() == said[1], line
    assert (home / ".local" / "share" / "topup-ledger" / "ledger.db").is_file()

    def record(record_id: str) -> dict:
        return json.loads(run(f"topup show {record_id} --format json").stdout)

    from_bill = json.loads(run("topup search 420000900000 --format json").stdout)  # the bill's top-up, not its meal
    assert [(r["card"], r["amount"], r["channel"]) for r in from_bill] == [("校园卡", "200.00", "wechat")]
    # The statement's row of the top-up logged from its message is that record, not a second one.
    campus = json.loads(run("topup search --card 校园卡 --format json").stdout)
    assert sorted(r["amount"] for r in campus) == ["100.00", "200.00", "50.00"]
    for line in tour:  # each correction is made to the record the tour means
        if voided := re.match(r"topup void (\d+) ", line):
            assert record(voided[1])["status"] == "void"
        if settled := re.match(r"topup amend (\d+) --outcome credited", line):
            outcomes = [version["content"]["outcome"] for version in record(settled[1])["history"]]
            assert outcomes == ["pending", "credited"], outcomes
