"""Where the ledger is, and the one transaction each command or page runs its use case in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from ledger.domain.times import check_local_zone
from ledger.errors import LedgerError
from ledger.store import engine_at
from ledger.store.interface import Ledger, Peek
from ledger.store.location import Location, locate

__all__ = ["Ledger", "Location", "Peek", "existing", "its_own", "locate", "peek", "transaction"]


def transaction(location: Location, *, write: bool = False,
                missing_is_empty: bool = False) -> AbstractContextManager[Ledger]:
    """One transaction on the ledger at `location`: a writing one commits only if its block succeeds;
    `missing_is_empty`, a reading one where there is no ledger yet sees an empty one (a dry run)."""
    check_local_zone()  # every moment read or shown is in it
    return engine_at(location).transaction(write=write, missing_is_empty=missing_is_empty)


def its_own(location: Location) -> Callable[[Path], bool]:
    """Whether a file is the ledger at `location` or one of its own, never to be written over."""
    return engine_at(location).is_part_of_it


def existing(location: Location) -> Location:
    """`location`, refused when no ledger is there: for a command that writes but must not start one."""
    engine = engine_at(location)
    if not engine.exists():
        engine.refuse_missing()
    return location


@contextmanager
def peek(given: str | None) -> Iterator[Peek | None]:
    """A quick look into the ledger named by `--db` (or TOPUP_DB, or the default) for Tab completion,
    which never changes, upgrades, waits or refuses: None when there is nothing to look at."""
    try:
        engine = engine_at(locate(given))
    except LedgerError:
        yield None
        return
    with engine.peek() as looking:
        yield looking
