"""One catalog of messages: every text a person reads goes through `_` with named placeholders, and a
language is a catalog (gettext .po, compiled .mo beside it).

Checked two ways: in the code, no refusal, help text, line for a person or page text is written
outside `_()`; and at run time, with a pseudo-language whose catalog marks every message, every
line a person reads comes out marked."""

import ast
import gettext
import re
import sqlite3
import string
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ledger"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
TEMPLATES = sorted(PACKAGE.rglob("templates/*.html"))
# The refusals of the core, and the exceptions readers raise to be re-worded by their callers.
REFUSALS = {"LedgerError", "InvalidInput", "NotFound", "NoLedger", "Duplicate", "LimitExceeded", "NotALedger", "SchemaTooNew",
            "DamageFound", "DateProblem", "NotPlaced"}
PREFIXES = ("error: ", "warning: ", "note: ", "refused: ", "Error: ")  # markers scripts look for: never translated
NAMES = re.compile(r"\btopup\b|SHA-256|\bsha256\b")  # names of things, the same in every language


def _written_out(node: ast.AST) -> str | None:
    """The prose of a literal string or f-string, or None when the value is not written out here."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    return None


def _prose(text: str | None) -> bool:
    """Whether a written-out text holds words, once a marker that begins it is set aside."""
    if text is None:
        return False
    for prefix in PREFIXES:
        text = text.removeprefix(prefix)
    text = NAMES.sub(" ", text)
    return re.search(r"[A-Za-z]{2,}|[\u4e00-\u9fff]", text) is not None


def _calls(path: Path) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func,
                                                                                                 ast.Attribute) else ""


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_refusals_are_catalog_messages(path):
    written = [(call.lineno, _written_out(call.args[0])) for call in _calls(path)
               if _name(call) in REFUSALS and call.args and _prose(_written_out(call.args[0]))]
    assert not written, f"{path}: refusals written outside _(): {written}"


CLI = sorted((PACKAGE / "cli").glob("*.py")) + sorted((PACKAGE / "web").glob("*.py"))


@pytest.mark.parametrize("path", CLI, ids=lambda p: str(p.relative_to(ROOT)))
def test_help_and_lines_for_people_are_catalog_messages(path):
    written = []
    for call in _calls(path):
        texts = [keyword.value for keyword in call.keywords if keyword.arg == "help"]
        if _name(call) in ("say", "write", "echo", "PlainTextResponse") and call.args:
            texts.append(call.args[0])
        written += [(call.lineno, _written_out(text)) for text in texts if _prose(_written_out(text))]
    assert not written, f"{path}: texts for people written outside _(): {written}"


_JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
_STYLE = re.compile(r"<style\b.*?</style>", re.S)
_TAG = re.compile(r"<[^>]*>")
_SHOWN_ATTRIBUTES = re.compile(r'\b(?:placeholder|title|alt|aria-label)="([^"]*)"')


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_text_is_catalog_messages(path):
    markup = _STYLE.sub(" ", _JINJA.sub("\x00", path.read_text(encoding="utf-8")))  # a stylesheet's words are no text
    written = [text for text in _SHOWN_ATTRIBUTES.findall(markup) if _prose(text.replace("\x00", " "))]
    written += [text.strip() for text in re.split(r"\x00|\n", _TAG.sub("\n", markup)) if _prose(text)]
    assert not written, f"{path}: page text outside _(): {written}"


# ---------------------------------------------------------------- at run time, in a language that marks every message


class _Marking(gettext.NullTranslations):
    """A pseudo-language: every message of the catalog comes out between ⟦ and ⟧."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"


@pytest.fixture
def marking(monkeypatch):
    from ledger import i18n

    monkeypatch.setattr(i18n, "catalog", lambda language: _Marking())


def _unmarked(lines: str) -> list[str]:
    """The lines for a person that are not a message of the catalog, whole, after their marker (a
    message may run over several lines, and hold others)."""
    while (inner := re.sub(r"⟦[^⟦⟧]*⟧", "\x01", lines)) != lines:
        lines = inner
    found = []
    for line in lines.splitlines():
        for prefix in PREFIXES:
            line = line.removeprefix(prefix)
        line = line.strip()
        if line.strip("\x01 "):
            found.append(line)
    return found


def test_every_line_the_command_line_says_is_a_catalog_message(marking, topup, tmp_path, ledger_path):
    topup("card", "add", "shop", "--kind", "smart", "--max-topup", "100")
    topup("card", "add", "sim", "--kind", "sim", "--region", "HK", "--number", "9123 4567", "--validity-days", "30")
    slip = tmp_path / "slip.txt"
    slip.write_text("slip")
    garbage = tmp_path / "garbage.csv"
    garbage.write_text("a,b\n1,2\n")
    said = []
    for args in [("log", "shop", "50", "--ref", "R1", "--receipt", str(slip)), ("log", "shop", "50", "--ref", "R1"),
                 ("log", "shop", "500"), ("log", "shop", "-5"), ("log", "nobody", "5"), ("log", "shop", "5", "--at", "13"),
                 ("log", "shop", "5", "--channel", "pigeon"), ("log", "sim", "--sms", "充值HK$50，2025年3月14日"),
                 ("log", "sim", "--sms", "您的验证码是 123456"), ("check", "shop", "80"), ("check", "shop", "500"),
                 ("void", "1", "--reason", "x"), ("void", "1", "--reason", "x"), ("amend", "1", "--reason", "r"),
                 ("search", "--since", "13"), ("search", "--limit", "0"), ("import", str(garbage)),
                 ("export", "--output", str(tmp_path / "no" / "x.csv")), ("card", "add", "shop", "--kind", "smart"),
                 ("card", "add", "x", "--kind", "sim", "--region", "HK", "--number", "1"), ("due", "--within", "-1"),
                 ("receipt", "get", "2", "--output", str(tmp_path / "got")), ("show", "99"), ("backup", str(tmp_path / "copy.db")), ("verify",),
                 ("seal", "--output", str(tmp_path / "seal.txt")), ("doctor",)]:
        said.append(topup(*args).stderr)
    conn = sqlite3.connect(ledger_path)
    conn.execute("UPDATE topup SET amount_minor = 1 WHERE id = 1")
    conn.commit()
    conn.close()
    checked = topup("verify")
    said += [checked.stderr, checked.stdout]  # the problems verify lists are for a person too
    assert not [line for text in said for line in _unmarked(text)]


def test_every_word_of_the_pages_is_a_catalog_message(marking, topup, ledger_path):
    from starlette.testclient import TestClient

    from ledger.i18n import OWN_NAMES
    from ledger.store.location import at
    from ledger.web.guard import Secrets
    from ledger.web.pages import make_app
    from tests.conftest import page_text

    topup("card", "add", "shop", "--kind", "smart", "--max-topup", "100")
    topup("log", "shop", "50", "--ref", "R1", "--note", "memo-1")
    keys = Secrets()
    web = TestClient(make_app(at(ledger_path), keys, {"testserver"}), base_url="http://testserver")
    web.get(f"/?token={keys.token}")
    # What the ledger holds, shown as it is, and the language switch, which names each language in itself.
    data = {"R1", "memo-1", "shop", "50.00", "CNY", "·", *OWN_NAMES.values()}
    for page in ("/", "/records/1", "/cards", "/verify", "/log"):
        text = page_text(web.get(page).text)
        unmarked = [line for line in _unmarked(text)
                    if not all(word in data or re.fullmatch(r"[\d:.+\-T()/#]+|[0-9a-f]{64}", word) for word in line.split())]
        assert not unmarked, (page, unmarked)


LOCALES = sorted(p.parent for p in PACKAGE.rglob("LC_MESSAGES/topup.po"))


def _extracted() -> set[str]:
    """The messages of the code and templates, found as `pybabel extract` with babel.cfg finds them."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(PACKAGE / "i18n" / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "N_": None}
    return {message for _, _, message, _, _ in
            extract_from_dir(ROOT, method_map, options_map, keywords=keywords) if message}


def _po(directory: Path) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with open(directory / "topup.po", "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_there_is_a_catalog_for_each_language():
    from ledger.i18n import LANGUAGES

    assert {d.parent.name for d in LOCALES} == {lang.replace("-", "_") for lang in LANGUAGES if lang != "en"}


@pytest.mark.parametrize("directory", LOCALES, ids=lambda d: d.parent.name)
def test_each_catalog_lists_exactly_the_messages_of_the_code(directory):
    listed, extracted = set(_po(directory)), _extracted()
    assert not extracted - listed, "messages missing from the catalog (see README, Languages)"
    assert not listed - extracted, "messages the code no longer says (see README, Languages)"


@pytest.mark.parametrize("directory", LOCALES, ids=lambda d: d.parent.name)
def test_a_translation_fills_the_same_placeholders_as_its_message(directory):
    for message, translation in _po(directory).items():
        if translation:
            assert _placeholders(translation) == _placeholders(message), (message, translation)


@pytest.mark.parametrize("directory", LOCALES, ids=lambda d: d.parent.name)
def test_the_compiled_catalog_is_the_catalog(directory):
    with open(directory / "topup.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    for message, translation in _po(directory).items():
        assert compiled.gettext(message) == (translation or message), message


def test_readmes_catalog_commands_leave_catalogs_in_step_as_they_are(tmp_path):
    """The commands README gives for the catalogs, run on a copy of the package: on code whose
    catalogs are up to date they change nothing, so they are the ones the catalogs were made with."""
    import shutil
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    languages = readme[readme.index("### Languages"):]
    commands = [line for line in re.search(r"```sh\n(.*?)```", languages, re.S).group(1).splitlines() if line]
    assert [c.split()[:2] for c in commands] == [["pybabel", "extract"], ["pybabel", "update"], ["pybabel", "compile"]]
    shutil.copytree(PACKAGE, tmp_path / "ledger", ignore=shutil.ignore_patterns("__pycache__"))
    bin_dir = Path(sys.executable).parent
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True,
                              env={"PATH": f"{bin_dir}:/usr/bin:/bin"})
        assert done.returncode == 0, done.stderr
    for directory in LOCALES:
        copy = tmp_path / directory.relative_to(ROOT)
        assert (copy / "topup.po").read_bytes() == (directory / "topup.po").read_bytes()
        assert (copy / "topup.mo").read_bytes() == (directory / "topup.mo").read_bytes()
