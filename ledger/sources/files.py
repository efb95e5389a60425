"""Reading a file a person names as input: a regular file (or, where a stream makes sense, a pipe),
and never more of it than a bound.

It is opened without waiting (a named pipe with no writer would hold the command forever) and
looked at before a byte is read, so that a device such as /dev/zero, or a link to one, is refused
or cut at the bound rather than read without end.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ledger.errors import InvalidInput
from ledger.i18n import _


def read_regular(file: Path, limit: int, *, streams: bool = False) -> bytes:
    """The whole of `file`, refused when it is not a regular file or holds more than `limit` bytes.
    With `streams`, a pipe or a character device too (`/dev/stdin`, `<(iconv …)`): read up to the
    bound, and at once empty when no one writes into it. A missing file, a folder or one that cannot
    be opened raise their OSError for the caller to name."""
    descriptor = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as opened:
        found = os.fstat(descriptor)
        if stat.S_ISDIR(found.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(file))
        streamed = streams and (stat.S_ISFIFO(found.st_mode) or stat.S_ISCHR(found.st_mode))
        if not stat.S_ISREG(found.st_mode) and not streamed:
            raise InvalidInput(_("{file} is not a regular file (a pipe or a device cannot be read as one); give a "
                                 "file", file=file))
        if streamed:
            os.set_blocking(descriptor, True)  # a writer that is there is waited for; none means the end
        data = opened.read(limit + 1)  # the file may have grown since it was looked at
    if found.st_size > limit or len(data) > limit:
        raise InvalidInput(_("{file} is larger than {limit} MB; split it and give the parts one by one", file=file,
                             limit=limit // 2**20))
    return data
