"""Writing output files so that a reader never sees half of one, and a failure leaves nothing behind.

A file is written under a private temporary name beside its target (`.NAME.PID.xxxx.partial`,
0600), locked while it is written, and put in place only once complete. A process killed on the
way leaves that partial behind; the next output to the same name removes the ones no live
command holds.
"""

from __future__ import annotations

import fcntl
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ledger.errors import Duplicate, InvalidInput, LedgerError
from ledger.i18n import _

_PARTIAL = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.partial(?:-journal|-wal|-shm)?")
_NEW_LEDGER = re.compile(r"\..+\.[^.]+\.new(?:-journal|-wal|-shm)?")  # a ledger file is made under such a name


@contextmanager
def replaced_when_done(target: Path, *, overwrite: bool = True,
                       kept: Callable[[Path], bool] | None = None) -> Iterator[Path]:
    """A temporary path beside `target`, private (0600), put in place as `target` only if the block
    succeeds. Without `overwrite` an existing file is never replaced, not even one that appears
    meanwhile. A file `kept` says is the ledger's own is never written over."""
    target = target.expanduser()
    folder = target.parent
    try:
        if not folder.is_dir():
            raise InvalidInput(_("folder {folder} does not exist", folder=folder))
        found = os.lstat(target).st_mode
    except FileNotFoundError:
        found = None
    except OSError as exc:  # a name too long, a loop of links on the way
        raise InvalidInput(_("cannot write {path}: {reason}", path=target, reason=exc.strerror)) from None
    if found is not None and stat.S_ISDIR(found):
        raise InvalidInput(_("{target} is a folder; give a file name", target=target))
    if kept is not None and kept(target):
        raise InvalidInput(_("{target} is the ledger itself; give the output another name", target=target))
    if found is not None and not stat.S_ISREG(found):
        # Replacing a link, a pipe or a device would leave whatever reads or writes through it behind.
        raise InvalidInput(_("{target} is not a regular file; give a new name or that of a regular file",
                             target=target))
    if not overwrite and found is not None:
        raise Duplicate(_("{target} already exists; choose another name or add --force", target=target))
    remove_stale_partials(folder, target.name)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".partial", dir=folder)
    except OSError as exc:
        raise LedgerError(_("cannot write into {folder}: {error}", folder=folder, error=exc.strerror)) from None
    fcntl.flock(fd, fcntl.LOCK_EX)  # held while this output is under way: a sweep by anyone else leaves it be
    partial = Path(name)
    try:
        yield partial
        _put_in_place(partial, target, overwrite)
    except OSError as exc:
        raise LedgerError(_("could not write {target}: {error}; nothing was written to it", target=target,
                            error=exc.strerror)) from None
    finally:
        for leftover in (partial, *_journals(partial)):
            leftover.unlink(missing_ok=True)
        os.close(fd)


def _put_in_place(partial: Path, target: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(partial, target)
        return
    try:
        os.link(partial, target)  # fails rather than replace a file that appeared meanwhile
    except FileExistsError:
        raise Duplicate(_("{target} already exists; choose another name or add --force", target=target)) from None


def _journals(partial: Path) -> list[Path]:
    return [partial.with_name(partial.name + end) for end in ("-journal", "-wal", "-shm")]


def partials_in(folder: Path) -> list[Path]:
    """Partial output files in `folder` (with their SQLite journals), whoever left them, and new
    ledgers whose making was cut short (`.NAME.xxxx.new`)."""
    return sorted(p for p in folder.glob(".*.partial*") if _PARTIAL.fullmatch(p.name)) + sorted(
        p for p in folder.glob(".*.new*") if _NEW_LEDGER.fullmatch(p.name))


def remove_stale_partials(folder: Path, name: str) -> None:
    """Remove the partials of `name` that no running command holds, with their journals."""
    for partial in partials_in(folder):
        found = _PARTIAL.fullmatch(partial.name)
        if found and found["name"] == name and partial.name.endswith(".partial") and not _in_use(partial):
            for leftover in (partial, *_journals(partial)):
                leftover.unlink(missing_ok=True)


def _in_use(partial: Path) -> bool:
    """Whether a command still holds the lock it took on this partial when it made it."""
    try:
        fd = os.open(partial, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
