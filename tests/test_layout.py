"""The layout holds: layers import only downwards, SQL stays in the store, and each fact has one home.

cli, web → service → store → domain, sources → errors, i18n, private, chinese; output beside the service. The command line and the
web reach the ledger only through the service; only the store's SQLite package knows SQLite. A failure here names
the file and what it reaches for, so drift fails the build instead of waiting for a reviewer.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ledger"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)

# What each layer may import from the package, and which outside libraries only it may load.
BASE = {"ledger.errors", "ledger.i18n", "ledger.private", "ledger.chinese"}
ALLOWED = {
    "i18n": {"ledger.i18n"},
    "domain": BASE | {"ledger.domain"},
    "sources": BASE | {"ledger.domain", "ledger.sources"},
    "store": BASE | {"ledger.domain", "ledger.store"},
    "output": BASE | {"ledger.domain", "ledger.output"},
    "service": BASE | {"ledger.domain", "ledger.sources", "ledger.store", "ledger.output", "ledger.service"},
    "web": BASE | {"ledger.domain", "ledger.sources", "ledger.output", "ledger.service", "ledger.web"},
    "cli": BASE | {"ledger.domain", "ledger.sources", "ledger.output", "ledger.service", "ledger.cli",
                   "ledger.web.server"},
}
ONLY_IN = {"typer": ("cli",), "click": ("cli",), "rich": ("cli",), "sqlalchemy": ("store",), "sqlmodel": ("store",),
           "starlette": ("web",), "uvicorn": ("web",), "segno": ("web",), "multipart": ("web",),
           "jinja2": ("web", "output")}


def _layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else "top"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_imports_only_from_the_layers_below_it(path):
    layer = _layer(path)
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "ledger" and layer in ALLOWED:
            assert any(name == a or name.startswith(a + ".") for a in ALLOWED[layer]), f"{layer} imports {name}"
        if top in ONLY_IN:
            assert layer in ONLY_IN[top], f"{path.name} imports {top}, which belongs in ledger/{ONLY_IN[top][0]}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_store_chooses_an_engine(path):
    """Outside the store, the ledger is reached through its interface, never an engine's own package."""
    inside = path.relative_to(PACKAGE).parts[:2]
    for name in _imports(path):
        if name.startswith("ledger.store.sqlite"):
            assert inside == ("store", "sqlite") or path == PACKAGE / "store" / "__init__.py", f"{path} imports {name}"


SQL = re.compile(r"\b(SELECT|INSERT INTO|DELETE FROM|CREATE TABLE|DROP TRIGGER|PRAGMA)\b|\.execute(many)?\(")


@pytest.mark.parametrize("path", [p for p in MODULES if _layer(p) != "store"], ids=lambda p: p.name)
def test_sql_lives_only_in_the_store(path):
    assert not SQL.search(path.read_text(encoding="utf-8")), f"{path} speaks SQL"


def _holders(pattern: str, folders=("ledger", "bench")) -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for folder in folders for p in (ROOT / folder).rglob("*.py")
                  if re.search(pattern, p.read_text(encoding="utf-8")))


def test_one_writer_of_the_hash_chain():
    assert _holders(r"INSERT INTO (topup_version|ledger_link|chain_head|\{table\} \()") == ["ledger/store/sqlite/writes.py"]
    assert _holders(r"link_digest\(") == ["ledger/domain/chain.py", "ledger/store/sqlite/writes.py"]


def test_one_mapping_from_sqlite_errors_to_ours():
    assert _holders(r"def ledger_error\(") == ["ledger/store/sqlite/errors.py"]
    assert all(holder.startswith("ledger/store/sqlite/") for holder in _holders(r"\bsqlite3\b", folders=("ledger",)))


def test_one_channel_vocabulary():
    assert _holders(r"淘宝|营业厅|自助终端", folders=("ledger",)) == ["ledger/domain/channels.py"]


CHANNEL_NAMES = {"store", "online", "app", "wechat", "alipay", "sms", "kiosk", "auto", "marketplace", "other"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_second_table_of_channels(path):
    """A module that spells out several channels by name holds a table of its own, beside `channels`."""
    if path.name == "channels.py":
        return
    named = {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and node.value in CHANNEL_NAMES}
    assert len(named) < 3, f"{path} names the channels {sorted(named)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_stays_small_enough_to_hold_in_mind(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def test_the_store_speaks_in_declared_types():
    """Nothing crosses the store's interface as a bare row: no tuple, no Any, no cursor or connection."""
    import inspect
    import typing

    from ledger.domain import cards, chain, fields, receipts
    from ledger.store import interface, location, types

    # What the interface names only for readers of its annotations (it loads them lazily).
    named = {name: value for module in (cards, chain, fields, receipts, location, types, interface)
             for name, value in vars(module).items()}
    for owner in (interface.Ledger, interface.Engine, interface.Peek):
        for name, method in inspect.getmembers(owner, inspect.isfunction):
            if name.startswith("_"):
                continue
            returned = str(typing.get_type_hints(method, globalns=named).get("return"))
            assert not any(word in returned for word in ("tuple[", "Any", "Cursor", "Connection")), (name, returned)


def test_declared_types_are_written_out_by_their_field_names_never_by_position():
    from ledger.cli.output import plain
    from ledger.service.checking import LastTopupShown
    from ledger.store.types import ChainState

    assert plain([ChainState(3, 7, "ab")]) == [{"links": 3, "head_seq": 7, "head_digest": "ab"}]
    shown = LastTopupShown(1, "2025-03-14T18:42:00+08:00", "10.00", "wechat", None, "credited")
    assert plain(shown) == {"id": 1, "occurred_at": "2025-03-14T18:42:00+08:00", "amount": "10.00",
                            "channel": "wechat", "ref": None, "outcome": "credited"}
