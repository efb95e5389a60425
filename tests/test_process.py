"""The installed program run as a user runs it: separate processes, real exit codes and streams."""

import json
import subprocess
import sys

from tests.conftest import run_process


def test_a_card_and_a_top_up_end_to_end(ledger_path):
    assert run_process("card", "add", "八达通", "--kind", "smart", "--region", "HK").returncode == 0
    logged = run_process("log", "八达通", "HK$100", "--channel", "微信", "--ref", "WX42001234", "--format", "json")
    assert logged.returncode == 0, logged.stderr
    record = json.loads(logged.stdout)
    assert (record["amount"], record["currency"], record["channel"]) == ("100.00", "HKD", "wechat")
    shown = run_process("show", str(record["id"]), "--format", "json")
    assert json.loads(shown.stdout)["ref"] == "WX42001234"


def test_refusals_and_usage_errors_have_their_exit_codes_and_no_traceback(ledger_path):
    run_process("card", "add", "campus", "--kind", "smart")
    refused = run_process("log", "campus", "1e3")
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: ") and "Traceback" not in refused.stderr
    usage = run_process("log", "campus", "10", "--no-such-option", "x")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert run_process("frobnicate").returncode == 2


def test_a_bug_shows_a_short_error_and_the_traceback_only_when_asked(ledger_path):
    crash = (
        "import ledger.service.cards as s\n"
        "def broken(*a, **k): raise RuntimeError('card 123456789 exploded')\n"
        "s.list_cards = broken\n"
        "import sys; sys.argv = ['topup', 'card', 'list']\n"
        "from ledger.cli import main; main()\n"
    )
    plain = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True)
    assert plain.returncode == 1
    assert plain.stderr.startswith("error: unexpected RuntimeError") and "Traceback" not in plain.stderr
    debug = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, env={"TOPUP_DEBUG": "1", "PATH": ""})
    assert "Traceback" in debug.stderr and "RuntimeError" in debug.stderr


def test_help_and_completion_do_not_load_the_database_layer():
    probe = (
        "import sys\n"
        "sys.argv = ['topup', '{}']\n"
        "from ledger.cli import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'rich') if m in sys.modules]\n"
        "print('loaded:' + ','.join(heavy))\n"
    )
    for args in ("--help", "log --help"):
        code = probe.replace("'{}'", ", ".join(repr(a) for a in args.split()))
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "loaded:", f"{args}: {result.stdout.splitlines()[-1]}"


def test_everyday_commands_do_not_load_the_orm(topup_ok, hk_card, tmp_path):
    """Only `verify` and `doctor`, which check the tables against their declaration, load SQLAlchemy."""
    topup_ok("log", hk_card, "10")
    slip = tmp_path / "slip.txt"
    slip.write_text("slip")
    probe = (
        "import sys\n"
        "sys.argv = ['topup'] + sys.argv[1:]\n"
        "from ledger.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "print('loaded:' + ','.join(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic') if m in sys.modules))\n"
    )
    for args in (["search", "oct"], ["export"], ["show", "1"], ["card", "list"], ["report"], ["due"],
                 ["check", hk_card, "10"], ["export", "--dispute", "1", "--output", str(tmp_path / "d.zip")],
                 ["log", hk_card, "20", "--receipt", str(slip)], ["amend", "2", "--amount", "30", "--reason", "r"],
                 ["void", "2", "--reason", "r"], ["receipt", "add", "1", str(slip)], ["card", "add", "x", "--kind", "sim",
                 "--region", "HK"], ["export", "--output", str(tmp_path / "e.csv")], ["import", str(tmp_path / "e.csv")]):
        result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "loaded:", f"{args}: {result.stdout.splitlines()[-1]}"


def test_a_plain_log_loads_no_message_reader(hk_card):
    """Reading a pasted message costs more than the rest of a log: only `--sms` loads it."""
    probe = (
        "import sys\n"
        "sys.argv = ['topup'] + sys.argv[1:]\n"
        "from ledger.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "print('loaded:' + ','.join(m for m in ('ledger.sources.messages', 'ledger.sources.stated_dates')"
        " if m in sys.modules))\n"
    )
    plain = subprocess.run([sys.executable, "-c", probe, "log", hk_card, "10", "--ref", "A1"], capture_output=True,
                           text=True)
    assert plain.stdout.splitlines()[-1] == "loaded:", plain.stderr
    pasted = subprocess.run([sys.executable, "-c", probe, "log", hk_card, "--sms", "充值HK$20成功 交易编号B2"],
                            capture_output=True, text=True)
    assert "ledger.sources.messages" in pasted.stdout.splitlines()[-1], pasted.stderr


def test_a_command_named_first_behaves_as_in_the_whole_app(ledger_path):
    """The program builds only the command named first on the line (it starts faster); what that
    command says must be what the whole app, reached with an option before the name, says."""
    from ledger.cli import app

    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert len(names) >= 18
    for words in [[name, "--help"] for name in names] + [["card", "add", "--help"], ["log"], ["log", "x", "--nope"]]:
        alone, whole = run_process(*words), run_process("--db", str(ledger_path), *words)
        assert (alone.returncode, alone.stdout, alone.stderr) == (whole.returncode, whole.stdout, whole.stderr), words
    run_process("card", "add", "campus", "--kind", "smart")
    assert run_process("log", "campus", "10").stdout == "1\n"
    assert run_process("--db", str(ledger_path), "log", "campus", "12").stdout == "2\n"
