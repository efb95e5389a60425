"""Receipt files as values: their bytes, digest and type, and names that are safe to write back."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

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


def receipt_file(name: str, data: bytes, media_type: str) -> ReceiptFile:
    """A receipt with its SHA-256 digest."""
    return ReceiptFile(name, data, hashlib.sha256(data).hexdigest(), media_type)


def text_receipt(name: str, text: str) -> ReceiptFile:
    """A receipt made from text the user pasted (a confirmation message)."""
    return receipt_file(name, text.encode(), "text/plain")


def distinct_names(names: list[str], taken: Callable[[str], bool] = lambda name: False) -> list[str]:
    """A name for each file, different from the others (ignoring case, as many file systems and
    unzip tools do) and not `taken`: a.jpg, a (2).jpg, a (3).jpg."""
    used: set[str] = set()
    chosen = []
    for name in names:
        stem, dot, suffix = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
        candidate, number = name, 0
        while candidate.casefold() in used or taken(candidate):
            number += 1
            candidate = f"{stem} ({number}){dot}{suffix}"
        used.add(candidate.casefold())
        chosen.append(candidate)
    return chosen


def safe_file_name(name: str, fallback: str) -> str:
    """A name that stays inside the folder it is written to, whatever the original was."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".")
    return base or fallback
