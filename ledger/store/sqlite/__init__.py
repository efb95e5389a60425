"""The ledger in one SQLite file: the only package that knows sqlite3, FTS5, PRAGMAs, SQLite's
backup API and the file's header.

`db` creates, upgrades, opens and copies the file; `migrations` holds the schema steps;
`ledger.SqliteLedger` is one transaction on it, made of `reads`, `chain` (links and seals),
`writes` (the one writer of the hash chain) and `search`, on SQL that `projection` builds from
the registry of record fields. `errors` turns SQLite's errors into ours, once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, NoReturn

from ledger.store.interface import Engine, Ledger
from ledger.store.location import Location
from ledger.store.sqlite.header import is_ledger_file, refuse_missing


class SqliteEngine(Engine):
    """A ledger file."""

    def __init__(self, path: Path) -> None:
        self.location, self.path = Location(path=path), path

    def exists(self) -> bool:
        return is_ledger_file(self.path)

    def refuse_missing(self) -> NoReturn:
        refuse_missing(self.path)

    def transaction(self, *, write: bool = False, missing_is_empty: bool = False) -> AbstractContextManager[Ledger]:
        from ledger.store.sqlite.ledger import transaction

        return transaction(self.path, write=write, missing_is_empty=missing_is_empty)

    def repair_marks(self) -> int | None:
        from ledger.store.sqlite.db import repair_marks

        return repair_marks(self.path)

    def size_bytes(self) -> int:
        from ledger.store.sqlite.log import log_of

        return sum(p.stat().st_size for p in (self.path, log_of(self.path)) if p.exists())

    def is_part_of_it(self, path: Path) -> bool:
        from ledger.store.sqlite.log import ENDS

        own = os.path.realpath(self.path)  # realpath, unlike resolve, answers for a loop of links instead of raising
        return os.path.realpath(path) in {own + end for end in ("", *ENDS)}

    @contextmanager
    def peek(self) -> Iterator[Any]:
        from ledger.store.sqlite.peek import peek

        with peek(self.path) as looking:
            yield looking

    def datasette_metadata(self) -> dict[str, object]:
        from ledger.store.sqlite.datasette import metadata

        return metadata(self.path.stem)
