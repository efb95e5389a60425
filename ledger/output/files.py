"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ledger.errors import Duplicate, InvalidInput


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
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
