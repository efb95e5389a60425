"""Chinese in either script, found as one: 八达通 is 八達通 and 车站 is 車站.

The table is OpenCC's Traditional-to-Simplified one, character by character, never by phrase: a
part of a text then folds to a part of the folded text, which finding a word inside a text relies
on. `folded` writes a text in Simplified characters, for comparing two texts; `spellings` gives
every way a word can be written, for an index that holds text as it was typed.

Reading the table out of OpenCC takes a twentieth of a second, so it is kept in the user's cache
folder, named after the OpenCC installed: a new OpenCC, a new table.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from functools import cache
from pathlib import Path

from ledger.private import make_folder, open_to_others, write_file

# The blocks of Han characters (radicals, extension A, the unified ones, compatibility ideographs,
# extensions B to H).
_COMPATIBILITY = (0xF900, 0xFAFF)
_HAN = ((0x2E80, 0x2FDF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), _COMPATIBILITY, (0x20000, 0x3134F))
# More spellings than this (a long word of characters each with several Traditional forms) are
# not listed: the word is then looked for in folded text instead.
MAX_SPELLINGS = 32


def folded(text: str) -> str:
    """`text` with each Traditional Chinese character in its Simplified form; anything else as it is."""
    return text if text.isascii() else text.translate(_translation())


def spellings(word: str) -> list[str] | None:
    """`word` and every other way of writing it in Traditional or Simplified characters (车站: 車站,
    车站, and the mixed ones), the word as typed first; None when there are more than MAX_SPELLINGS."""
    if word.isascii():
        return [word]
    simplified, traditional = _simplified(), _traditional()
    forms = []
    for char in word:
        simple = simplified.get(char, char)
        forms.append(tuple(dict.fromkeys((char, simple, *traditional.get(simple, ())))))
    if math.prod(len(each) for each in forms) > MAX_SPELLINGS:
        return None
    return list(dict.fromkeys("".join(chars) for chars in itertools.product(*forms)))


@cache
def _translation() -> dict[int, str]:
    return str.maketrans(_simplified())


@cache
def _traditional() -> dict[str, tuple[str, ...]]:
    """Each Simplified character and the Traditional ones that fold to it."""
    found: dict[str, list[str]] = {}
    for traditional, simple in _simplified().items():
        if not _COMPATIBILITY[0] <= ord(traditional) <= _COMPATIBILITY[1]:  # text holds the unified ones
            found.setdefault(simple, []).append(traditional)
    return {simple: tuple(each) for simple, each in found.items()}


@cache
def _simplified() -> dict[str, str]:
    """Each Traditional character and its Simplified form, from the cache when it is there and is the
    user's own, else read out of OpenCC (and kept)."""
    kept = _kept_table()
    if kept is not None and open_to_others(kept) is None:
        try:
            table = json.loads(kept.read_bytes())
            if isinstance(table, dict) and all(isinstance(k, str) and isinstance(v, str) and len(k) == len(v) == 1
                                               for k, v in table.items()):
                return table
        except (OSError, ValueError):
            pass  # made again below
    table = _read_out_of_opencc()
    if kept is not None:
        _keep(kept, table)
    return table


def _read_out_of_opencc() -> dict[str, str]:
    from opencc import OpenCC

    chars = [chr(point) for first, last in _HAN for point in range(first, last + 1)]
    # One character a line: OpenCC's phrases never span a line, so each is converted alone.
    converted = OpenCC("t2s").convert("\n".join(chars)).split("\n")
    return {char: simple for char, simple in zip(chars, converted, strict=True) if simple != char and len(simple) == 1}


def _kept_table() -> Path | None:
    """Where the table of the installed OpenCC is kept; None when OpenCC cannot be found."""
    import importlib.util

    import platformdirs

    spec = importlib.util.find_spec("opencc")
    if spec is None or spec.origin is None:
        return None
    installed = os.stat(spec.origin)
    version = hashlib.sha256(f"{spec.origin}\0{installed.st_mtime_ns}\0{installed.st_size}".encode()).hexdigest()
    return Path(platformdirs.user_cache_dir("topup-ledger")) / f"chinese-scripts-{version[:16]}.json"


def _keep(path: Path, table: dict[str, str]) -> None:
    """The table written whole under a temporary name and moved into place, so that a reader never
    sees half of it; a cache folder that cannot be written only means reading OpenCC again."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        make_folder(path.parent)
        write_file(temporary, json.dumps(table, ensure_ascii=False).encode())
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
