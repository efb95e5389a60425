"""Writing output files so that a reader never sees half of one, and a failure leaves nothing behind.

A file is written under a private temporary name beside its target (`.NAME.PID.xxxx.partial`,
0600) and renamed onto the target only once complete. A process killed on the way leaves that
partial behind; the next output to the same name removes the ones whose process is gone.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ledger.errors import Duplicate, InvalidInput, LedgerError

_PARTIAL = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.partial(?:-journal|-wal|-shm)?")


@contextmanager
def replaced_when_done(target: Path, *, overwrite: bool = True) -> Iterator[Path]:
    """A temporary path beside `target`, private (0600), renamed onto `target` only if the block succeeds."""
    target = target.expanduser()
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput(f"folder {folder} does not exist")
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; give a file name")
    if not overwrite and target.exists():
        raise Duplicate(f"{target} already exists; choose another name or add --force")
    remove_stale_partials(folder, target.name)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".partial", dir=folder)
    except OSError as exc:
        raise LedgerError(f"cannot write into {folder}: {exc.strerror}") from None
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    except OSError as exc:
        raise LedgerError(f"could not write {target}: {exc.strerror}; nothing was written to it") from None
    finally:
        for leftover in (partial, *(partial.with_name(partial.name + end) for end in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def partials_in(folder: Path) -> list[Path]:
    """Partial output files in `folder` (with their SQLite journals), whoever left them."""
    return sorted(p for p in folder.glob(".*.partial*") if _PARTIAL.fullmatch(p.name))


def remove_stale_partials(folder: Path, name: str) -> None:
    """Remove the partials of `name` left by processes that no longer run."""
    for partial in partials_in(folder):
        found = _PARTIAL.fullmatch(partial.name)
        if found and found["name"] == name and not _running(int(found["pid"])):
            partial.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
