"""One catalog of messages: every text a person reads goes through `_` with named placeholders, and a
language is a catalog (gettext .po, compiled .mo beside it).

Checked two ways: in the code, no refusal, help text, line for a person or page text is written
outside `_()`; and at run time, with a pseudo-language whose catalog marks every message, every
line a person reads comes out marked."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ledger"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
TEMPLATES = sorted(PACKAGE.rglob("templates/*.html"))
# The refusals of the core, and the exceptions readers raise to be re-worded by their callers.
REFUSALS = {"LedgerError", "InvalidInput", "NotFound", "Duplicate", "LimitExceeded", "NotALedger", "SchemaTooNew",
            "DamageFound", "DateProblem", "NotPlaced"}
PREFIXES = ("error: ", "warning: ", "note: ")  # markers scripts look for: never translated


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


_TAG = re.compile(r"<[^>]*>")
_STYLE = re.compile(r"<style\b.*?</style>", re.S)
_SHOWN_ATTRIBUTES = re.compile(r'\b(?:placeholder|title|alt|aria-label)="([^"{]*)"')


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_text_is_catalog_messages(path):
    import jinja2
    from jinja2 import nodes

    source = path.read_text(encoding="utf-8")
    tree = jinja2.Environment().parse(source)
    written = []
    for data in tree.find_all(nodes.TemplateData):
        markup = _STYLE.sub(" ", data.data)  # a stylesheet's words are no text
        written += [text.strip() for text in _TAG.sub("  ", markup).split("  ") if _prose(text)]
        written += [text for text in _SHOWN_ATTRIBUTES.findall(markup) if _prose(text)]
    assert not written, f"{path}: page text outside _(): {written}"
