"""Receipt files: read and checked before a transaction starts, written back with safe names."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import InvalidInput

MAX_RECEIPT_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class ReceiptFile:
    name: str
    data: bytes
    sha256: str
    media_type: str

    @property
    def size(self) -> int:
        return len(self.data)


def read_receipt(path_text: str) -> ReceiptFile:
    """Read one receipt file whole; refuse what is missing, a folder, unreadable or too big."""
    path = Path(path_text).expanduser()
    if not path.exists():
        raise InvalidInput(f"receipt file {path_text!r} does not exist")
    if path.is_dir():
        raise InvalidInput(f"receipt {path_text!r} is a folder; give the file inside it")
    if not path.is_file():
        raise InvalidInput(f"receipt {path_text!r} is not a regular file")
    size = path.stat().st_size
    if size > MAX_RECEIPT_BYTES:
        raise InvalidInput(f"receipt {path_text!r} is {size:,} bytes; the limit is {MAX_RECEIPT_BYTES:,} (25 MB)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read receipt {path_text!r}: {exc.strerror}") from None
    if not data:
        raise InvalidInput(f"receipt {path_text!r} is empty; nothing to keep")
    if len(data) > MAX_RECEIPT_BYTES:
        raise InvalidInput(f"receipt {path_text!r} is over the 25 MB limit")
    name = unicodedata.normalize("NFC", path.name)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return ReceiptFile(name, data, hashlib.sha256(data).hexdigest(), media_type)


def text_receipt(name: str, text: str) -> ReceiptFile:
    """A receipt made from text the user pasted (a confirmation message)."""
    data = text.encode()
    return ReceiptFile(name, data, hashlib.sha256(data).hexdigest(), "text/plain")


def safe_file_name(name: str, fallback: str) -> str:
    """A name that stays inside the folder it is written to, whatever the original was."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".")
    return base or fallback
