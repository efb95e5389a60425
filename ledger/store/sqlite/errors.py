"""SQLite's errors as ours: the one place they are turned into `LedgerError`s, so that none leaves
this package."""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from ledger.errors import DamageFound, LedgerError, NotALedger
from ledger.i18n import N_, _
from ledger.store.sqlite.migrations import APPLICATION_ID

# What could not be done, by `doing` (looked up in the catalog when said); SQLite's own words follow.
_COULD_NOT = {
    "opened": N_("the ledger {path} could not be opened: {error}"),
    "read": N_("the ledger {path} could not be read: {error}"),
    "used": N_("the ledger {path} could not be used: {error}"),
    "prepared": N_("the ledger {path} could not be prepared: {error}"),
    "created": N_("the ledger {path} could not be created: {error}"),
    "written": N_("the copy {path} could not be written: {error}"),
}


def ledger_error(exc: sqlite3.Error, path: Path, doing: str) -> LedgerError:
    """SQLite's error as one of ours; `doing` says what could not be done: one of `_COULD_NOT` (opened,
    read, used…)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return LedgerError(_("the ledger refused the change: {error}", error=exc))
    if type(exc) is sqlite3.DatabaseError:  # SQLite cannot make sense of the file: damage, or not a database
        if doing == "opened" and not _was_a_ledger(path):
            return NotALedger(_("{path} is not a topup ledger ({error}); it was left untouched", path=path, error=exc))
        return DamageFound(_("the ledger {path} is damaged ({error}); it was left as it is. Keep a copy of the file, "
                             "then restore your latest backup (`topup backup` makes them)", path=path, error=exc))
    return LedgerError(_(_COULD_NOT[doing], path=path, error=exc))


def _was_a_ledger(path: Path) -> bool:
    """Whether a file SQLite cannot read still shows a ledger's marks: its application id in the
    header, or its tables' definitions in the schema pages (looked for only once SQLite has given up)."""
    import mmap

    try:
        with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return data[68:72] == APPLICATION_ID.to_bytes(4, "big") or data.find(b"CREATE TABLE topup_version") >= 0
    except (OSError, ValueError):  # unreadable, or empty
        return False


# What SQLite says about the file or the data: locked, read-only, a constraint, damage. (SQLite
# reports a mistake in our own SQL as an OperationalError too, so such a bug reads as a refusal
# carrying SQLite's own words.)
_REFUSALS = (sqlite3.OperationalError, sqlite3.IntegrityError)


def is_refusal(exc: BaseException) -> bool:
    return isinstance(exc, _REFUSALS) or type(exc) is sqlite3.DatabaseError


Method = TypeVar("Method", bound=Callable[..., Any])
Class = TypeVar("Class", bound=type)


def raising_ours(path_of: Callable[[Any], Path], doing_of: Callable[[Any], str]) -> Callable[[Class], Class]:
    """A class decorator: every public method this package gives the class raises ours for SQLite's
    refusals (see `mapped`), so that none of SQLite's errors leaves the store."""

    def decorate(cls: Class) -> Class:
        done: set[str] = set()
        for klass in cls.__mro__:  # the most derived first: its method is the one called
            if klass.__module__.startswith(__package__):
                for name, method in vars(klass).items():
                    if callable(method) and not name.startswith("_") and name not in done:
                        done.add(name)
                        setattr(cls, name, mapped(method, path_of, doing_of))
        return cls

    return decorate


def mapped(method: Method, path_of: Callable[[Any], Path], doing_of: Callable[[Any], str]) -> Method:
    """`method` (of an object whose path and current doing these give) raising ours for SQLite's
    refusals, while it runs and, for a generator, while it is read."""
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def streaming(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                if not is_refusal(exc):
                    raise
                raise ledger_error(exc, path_of(self), doing_of(self)) from None

        return streaming  # type: ignore[return-value]

    @functools.wraps(method)
    def calling(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            if not is_refusal(exc):
                raise
            raise ledger_error(exc, path_of(self), doing_of(self)) from None

    return calling  # type: ignore[return-value]
