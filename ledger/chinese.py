"""Chinese in either script, found as one: 八达通 is 八達通 and 车站 is 車站.

The table is OpenCC's Traditional-to-Simplified one, character by character, never by phrase: a
part of a text then folds to a part of the folded text, which finding a word inside a text relies
on. `folded` writes a text in Simplified characters, for comparing two texts; `spellings` gives
every way a word can be written, for an index that holds text as it was typed.

Reading the table out of OpenCC takes a twentieth of a second, so it is kept in the user's cache
folder, named after the OpenCC installed: a new OpenCC, a new table.
"""

from __future__ import annotations

import itertools
import math
import os
from functools import cache
from pathlib import Path

from ledger.private import make_folder, open_to_others, write_file

# The blocks of Han characters: radicals, extension A, the unified ones, extensions B to H. (Text
# holds no compatibility ideographs: Unicode normalisation makes them unified ones.)
_HAN = ((0x2E80, 0x2FDF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0x20000, 0x3134F))
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
def _simplified() -> dict[str, str]:
    """Each Traditional character and its Simplified form."""
    return {traditional: simple for simple, forms in _traditional().items() for traditional in forms}


@cache
def _traditional() -> dict[str, str]:
    """Each Simplified character and the Traditional ones that fold to it, from the cache when it is
    there and is the user's own, else read out of OpenCC (and kept). The cache is a line a Simplified
    character, the Traditional ones after it: 发發髮."""
    kept = _kept_table()
    if kept is not None and open_to_others(kept) is None:
        try:
            return {line[0]: line[1:] for line in kept.read_text(encoding="utf-8").splitlines() if len(line) > 1}
        except (OSError, ValueError):
            pass  # made again below
    found: dict[str, str] = {}
    for traditional, simple in _read_out_of_opencc():
        found[simple] = found.get(simple, "") + traditional
    if kept is not None:
        _keep(kept, "".join(f"{simple}{forms}\n" for simple, forms in found.items()))
    return found


def _read_out_of_opencc() -> list[tuple[str, str]]:
    """(Traditional character, its Simplified form), for every character OpenCC changes."""
    from opencc import OpenCC

    chars = [chr(point) for first, last in _HAN for point in range(first, last + 1)]
    # One character a line: OpenCC's phrases never span a line, so each is converted alone.
    converted = OpenCC("t2s").convert("\n".join(chars)).split("\n")
    return [(char, simple) for char, simple in zip(chars, converted, strict=True)
            if simple != char and len(simple) == 1]


def _kept_table() -> Path | None:
    """Where the table of the installed OpenCC is kept; None when OpenCC cannot be found."""
    import importlib.util

    import platformdirs

    spec = importlib.util.find_spec("opencc")
    if spec is None or spec.origin is None:
        return None
    installed = os.stat(spec.origin)  # installed again, changed again
    return Path(platformdirs.user_cache_dir("topup-ledger")) / (
        f"chinese-scripts-{installed.st_ino:x}-{installed.st_mtime_ns:x}-{installed.st_size:x}.txt")


def _keep(path: Path, table: str) -> None:
    """The table written whole under a temporary name and moved into place, so that a reader never
    sees half of it; a cache folder that cannot be written only means reading OpenCC again."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        make_folder(path.parent)
        write_file(temporary, table.encode())
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
