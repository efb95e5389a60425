"""Files and folders of the program's own (the ledger's folder, the seal key, the lists of seals,
receipts taken out): readable and writable by the user alone, whatever the umask.

A mode given to `mkdir` or `open` passes through the umask, which may take bits away but may also
leave a folder the user cannot write in; each one made here is set to its mode afterwards.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def make_folder(folder: Path) -> list[Path]:
    """`folder` and each missing parent, as `mkdir -p` makes them, each 0700; returns those made,
    outermost first. Folders already there are left as they are: they may not be the program's own
    (`--db /tmp/x.db`)."""
    made = []
    for path in reversed([p for p in (folder, *folder.parents) if not p.exists()]):
        try:
            path.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # made by another command just now
        made.append(path)
        os.chmod(path, FOLDER_MODE)
    return made


def remove_if_empty(folders: list[Path]) -> None:
    """Take back folders `make_folder` made for a command that then wrote nothing into them; one
    that something else has put a file into meanwhile stays."""
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            return


def write_file(path: Path, data: bytes, *, append: bool = False) -> None:
    """`data` into `path`, at its end with `append`, the file made or kept 0600."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_APPEND if append else os.O_TRUNC)
    descriptor = os.open(path, flags, FILE_MODE)
    with os.fdopen(descriptor, "wb") as written:
        os.fchmod(descriptor, FILE_MODE)  # one made before, under a looser umask, is narrowed
        written.write(data)


def open_to_others(path: Path) -> Path | None:
    """The first of `path` and its folder that another user could change (writable by group or
    others, or not the user's own), or None when neither is: what is read from such a file cannot
    be trusted."""
    for each in (path, path.parent):
        try:
            found = each.lstat()
        except FileNotFoundError:
            continue
        if found.st_uid != os.getuid() or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or stat.S_ISLNK(found.st_mode):
            return each
    return None
