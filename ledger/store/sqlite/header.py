"""What is at the ledger's path before SQLite opens it: a ledger file, or something that cannot be
one (nothing, a folder, a pipe, an empty file), and what the file's header says."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NoReturn

from ledger.errors import NoLedger, NotALedger
from ledger.i18n import N_, _


def journal_mode(path: Path) -> str:
    """The journal mode written in the file's header, read without opening it for SQL."""
    with path.open("rb") as file:
        header = file.read(20)
    return "wal" if header[18:20] == b"\x02\x02" else "delete"


def refuse_missing(path: Path) -> NoReturn:
    raise NoLedger(_("there is no ledger at {path} yet", path=path))


# What each other kind of file is called where people read it (looked up in the catalog when shown).
_KINDS = {stat.S_IFIFO: N_("a named pipe (FIFO)"), stat.S_IFSOCK: N_("a socket"),
          stat.S_IFCHR: N_("a character device"), stat.S_IFBLK: N_("a block device")}


def is_ledger_file(path: Path) -> bool:
    """Whether there is a file at `path`; refuses whatever is there that cannot be a ledger."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            raise NotALedger(_("{path} is a symbolic link to {target}, which does not exist; "
                               "point it at the ledger or remove it", path=path, target=os.readlink(path))) from None
        return False
    except OSError as exc:  # a loop of symbolic links, a name too long, a folder that cannot be entered
        raise NotALedger(_("{path} cannot be used as the ledger: {reason}", path=path, reason=exc.strerror)) from None
    if stat.S_ISDIR(mode):
        raise NotALedger(_("{path} is a folder; give the path of a ledger file", path=path))
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode))
        if kind is None:
            raise NotALedger(_("{path} is not a regular file, not a ledger file; give the path of a ledger file",
                               path=path))
        raise NotALedger(_("{path} is {kind}, not a ledger file; give the path of a ledger file", path=path,
                           kind=_(kind)))
    if path.stat().st_size == 0:
        raise NotALedger(_("{path} is empty (0 bytes): it holds no ledger. If your records should be there, restore "
                           "a backup; to start a new ledger at this path, remove the empty file first", path=path))
    return True
