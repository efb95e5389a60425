"""Receipt files as values: their bytes, digest and type, and names that are safe to write back."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

from ledger.domain.values import BIDI_CONTROLS, CONTROLS, INVISIBLE, shown_safely

MAX_RECEIPT_BYTES = 25 * 1024 * 1024


class ReceiptFile(NamedTuple):
    name: str  # made safe to show and to write back (`clean_file_name`)
    data: bytes
    sha256: str
    media_type: str
    given_name: str = ""  # the name as it came, when cleaning changed it

    @property
    def size(self) -> int:
        return len(self.data)


class KeptReceipt(NamedTuple):
    """A receipt file as a record keeps it, and as its history chains it, in this order."""

    sha256: str
    name: str
    size: int
    media_type: str


def receipt_file(name: str, data: bytes, media_type: str) -> ReceiptFile:
    """A receipt with its SHA-256 digest, under a name made safe (the one given kept if it differs)."""
    safe = clean_file_name(name)
    return ReceiptFile(safe, data, hashlib.sha256(data).hexdigest(), media_type, "" if safe == name else name)


_MAX_NAME_BYTES = 180  # room beside it, under the usual 255, for a temporary name while it is written


def clean_file_name(name: str) -> str:
    """A receipt's name as kept: NFC, without invisible or unsafe characters, short enough to write back."""
    return _cleaned(name) or "receipt"


def _cleaned(name: str) -> str:
    name = CONTROLS.sub("", unicodedata.normalize("NFC", name).translate(INVISIBLE)).strip()
    if len(name.encode()) > _MAX_NAME_BYTES:
        stem, dot, suffix = name.rpartition(".")
        if not dot or len(suffix) > 10:
            stem, dot, suffix = name, "", ""
        keep = _MAX_NAME_BYTES - len(f"{dot}{suffix}".encode())
        stem = stem.encode()[:keep].decode(errors="ignore")
        name = f"{stem}{dot}{suffix}"
    return name


def renamed(files: list[ReceiptFile]) -> str | None:
    """Which names were made safe, for the history; None when none was."""
    changed = [f"'{shown_safely(f.given_name)}' kept as '{f.name}'" for f in files if f.given_name]
    return "receipt names made safe: " + "; ".join(changed) if changed else None


def text_receipt(name: str, text: str) -> ReceiptFile:
    """A receipt made from text the user pasted (a confirmation message)."""
    return receipt_file(name, text.encode(), "text/plain")


def distinct_names(names: list[str], taken: Callable[[str], bool] = lambda name: False) -> list[str]:
    """A name for each file, different from the others (ignoring case, as many file systems and
    unzip tools do) and not `taken`: a.jpg, a (1).jpg, a (2).jpg."""
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


# What a file's first bytes say it is. A receipt is shown as a picture only when its bytes are one
# of these: the name it came with may say anything, and SVG (which can carry script) is never one.
_PICTURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
             (b"GIF89a", "image/gif"))
MAX_SHOWN_TEXT = 20_000  # characters of a pasted message shown inline; longer ones stay a file


def picture_type(data: bytes) -> str | None:
    """The image type of a receipt a browser may show inline (PNG, JPEG, GIF, WebP), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _PICTURES if data.startswith(magic)), None)


class Shown(NamedTuple):
    """How a receipt is shown: as a picture, a PDF, the text of a pasted message, or a file to download."""

    kind: str  # picture, pdf, text or file
    text: str | None = None  # a pasted message's text


def how_shown(receipt: ReceiptFile) -> Shown:
    """Shown inline only when its bytes are what its stored type says; anything else (HTML, SVG, a
    program, a picture that is not one) is a file to download, never active content."""
    stored = receipt.media_type.split(";")[0].strip().lower()
    if stored == picture_type(receipt.data):  # an SVG that starts like a GIF is still an SVG
        return Shown("picture")
    if stored == "application/pdf" and receipt.data.startswith(b"%PDF-"):
        return Shown("pdf")
    if stored == "text/plain" and len(receipt.data) <= 4 * MAX_SHOWN_TEXT:
        try:
            text = receipt.data.decode()
        except UnicodeDecodeError:
            return Shown("file")
        if len(text) <= MAX_SHOWN_TEXT:  # shown, text-direction controls written out rather than obeyed
            return Shown("text", text.translate({ord(ch): f"\\u{ord(ch):04x}" for ch in BIDI_CONTROLS}))
    return Shown("file")


def base_name(name: str) -> str:
    """A file's own name without any folder before it, in either kind of path."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def safe_file_name(name: str, fallback: str) -> str:
    """A name that stays inside the folder it is written to, whatever the original was (names kept by
    earlier versions were not made safe when they were added)."""
    return _cleaned(base_name(name)).lstrip(". ") or fallback
