"""Where a ledger lives: a file, named by `--db`, `TOPUP_DB` or the user data folder, or a database
server named by its URL. The location chooses the engine that opens it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

from ledger.errors import InvalidInput
from ledger.i18n import _

_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
SERVER_SCHEMES = ("postgresql", "postgres")


class Location(NamedTuple):
    """A ledger's place: `path` for a ledger file, `url` for one on a database server."""

    path: Path | None = None
    url: str | None = None

    def __str__(self) -> str:
        return str(self.path) if self.path is not None else shown_url(self.url or "")


def default_path() -> Path:
    """`ledger.db` in the platform's user data folder for topup-ledger."""
    import platformdirs

    return platformdirs.user_data_path("topup-ledger", appauthor=False) / "ledger.db"


def locate(given: str | None) -> Location:
    """The ledger named by `--db`, else by `TOPUP_DB`, else the default file."""
    chosen = given or os.environ.get("TOPUP_DB") or None
    if not chosen:
        return Location(path=default_path())
    if found := _URL.match(chosen):
        if found["scheme"].lower() not in SERVER_SCHEMES:
            raise InvalidInput(_("{url} is not a place a ledger can live; give a file's path or a postgresql:// URL",
                                 url=shown_url(chosen)))
        return Location(url=chosen)
    return Location(path=Path(chosen).expanduser())


def at(path: Path) -> Location:
    """The ledger file at `path`."""
    return Location(path=path)


def shown_url(url: str) -> str:
    """A URL as it may be printed: its password, if it has one, hidden."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)
