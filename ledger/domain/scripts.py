"""Chinese in either script, compared as one: each character in its Simplified form, as OpenCC's
Traditional-to-Simplified table writes it, so that 八达通 is 八達通 and 车站 is 車站.

Character by character, never by phrase: a part of a text then folds to a part of the folded text,
which a search for a word inside a text relies on."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opencc import OpenCC

_FIRST_HAN = 0x2E80  # below it (Latin, digits, punctuation) nothing folds


@cache
def _to_simplified() -> OpenCC:
    from opencc import OpenCC

    return OpenCC("t2s")


class _Simplified(dict[int, int | str]):
    """str.translate's table, filled in for each character the first time it is met."""

    def __missing__(self, point: int) -> int | str:
        found: int | str = point
        if point >= _FIRST_HAN:
            simplified = _to_simplified().convert(chr(point))
            found = simplified if len(simplified) == 1 else point
        self[point] = found
        return found


_TABLE = _Simplified()


def folded(text: str) -> str:
    """`text` with each Traditional Chinese character in its Simplified form; anything else as it is."""
    return text if text.isascii() else text.translate(_TABLE)
