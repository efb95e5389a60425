"""Every text a person reads, in the language they read: one function, `_`, with named
placeholders, and a gettext catalog for each language in `locale/` (a language is a catalog, not
a code change). The message itself, in English, is the key; `N_` marks a message written down to
be looked up later (a field's label).

What a program reads never goes through here: JSON and CSV keys and values, exit codes, the
`error:` that begins a refusal, the stored names of channels.

A message may name an option of a command (`Option`): each interface says how its reader knows it,
`--at` on the command line, the field "When" in a browser, so that no page tells a person to add
`--force`.
"""

from __future__ import annotations

import gettext
import re
import shlex
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

# Each language, and what a person may type for it (compared without case and width, `-` and `_` alike).
_NAMES = {
    "zh-Hant": ("zh-hant", "zh-tw", "zh-hk", "zh-mo", "hant", "tc", "繁體", "繁体", "繁體中文", "繁体中文", "正體"),
    "zh-Hans": ("zh-hans", "zh-cn", "zh-sg", "zh", "hans", "sc", "简体", "簡體", "简体中文", "簡體中文"),
    "en": ("en", "en-us", "en-gb", "en-hk", "english", "英文", "英語", "英语"),
}
LANGUAGES = tuple(_NAMES)
# Each language as it calls itself: how a switch between them names each.
OWN_NAMES = {"zh-Hant": "繁體中文", "zh-Hans": "简体中文", "en": "English"}
ENGLISH = "en"  # the messages' own language, spoken when nothing chooses another
DOMAIN = "topup"
LOCALE = Path(__file__).with_name("locale")

_language: ContextVar[str] = ContextVar("language", default=ENGLISH)


class Text(str):
    """A message as the reader reads it, which also knows itself in English (`english`): what a program
    reads (JSON, CSV) never changes with the language."""

    english: str

    def __new__(cls, shown: str, english: str) -> Text:
        text = super().__new__(cls, shown)
        text.english = english
        return text

    def __reduce__(self) -> tuple[type[Text], tuple[str, str]]:  # copied and pickled whole (dataclasses.asdict copies)
        return Text, (str(self), self.english)


def _(message: str, /, **values: object) -> Text:
    """`message` in the reader's language, its {placeholders} filled in with `values` (each in the
    same language: a value that is itself a `Text` stays one in English)."""
    shown = catalog(_language.get()).gettext(message)
    if not values:
        return Text(shown, message)
    english = {name: value.english if isinstance(value, Text) else value for name, value in values.items()}
    return Text(shown.format(**values), message.format(**english))


def english(value: object) -> object:
    """A value as a program reads it: a message in English, anything else as it is."""
    return value.english if isinstance(value, Text) else value


def joined(texts: list[Text], separator: str = ", ") -> Text:
    """Messages said one after another in one value, in the reader's language and in English."""
    shown = _(_SEPARATORS[separator]) if separator in _SEPARATORS else separator
    return Text(shown.join(texts), separator.join(text.english for text in texts))


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for it
    """A message written down now and looked up (`_`) when it is shown."""
    return message


# The marks that list items or clauses, which each language writes its own way (Chinese: 、 and ；).
_SEPARATORS = {", ": N_(", "), "; ": N_("; ")}


def capitalized(text: str) -> str:
    """A label at the start of a line: its first letter upper case (a Chinese one as it is)."""
    return text[:1].upper() + text[1:]


@cache
def catalog(language: str) -> gettext.NullTranslations:
    """The catalog of a language (English needs none: its messages are their own keys)."""
    return gettext.translation(DOMAIN, LOCALE, languages=[language.replace("-", "_")], fallback=True)


def language() -> str:
    return _language.get()


def parse_language(text: str) -> str | None:
    """The language a person names: zh-Hant, zh-TW, 繁體, zh-Hans, zh-CN, 简体, en, English …; None
    for one that is not among `LANGUAGES`."""
    key = unicodedata.normalize("NFKC", text).strip().casefold().replace("_", "-")
    return next((language for language, names in _NAMES.items() if key in names), None)


# Regions whose Chinese is Traditional; elsewhere it is Simplified, unless a script is named.
_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})
# Where a POSIX locale says which language, in the order they win (as gettext reads them).
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def language_of_locale(name: str) -> str | None:
    """The language a locale or a language tag stands for: zh_TW.UTF-8, zh-Hant-HK and yue are
    zh-Hant; zh_CN, zh_SG, zh-Hans and zh are zh-Hans; en_US is en; None for any other (fr_FR, C)."""
    tag = re.split(r"[.@]", name.strip(), maxsplit=1)[0].casefold()
    primary, *subtags = re.split(r"[-_]", tag)
    if primary == "yue":
        return "zh-Hant"
    if primary == "zh":  # a script named wins over a region
        traditional = "hant" in subtags or ("hans" not in subtags and bool(_TRADITIONAL_REGIONS & set(subtags)))
        return "zh-Hant" if traditional else "zh-Hans"
    return next((language for language in LANGUAGES if language.casefold() == primary), None)


def language_of_environment(environ: Mapping[str, str]) -> str:
    """The language the locale variables choose: the first one set decides (LANGUAGE, a list, by its
    first entry in a language there is a catalog for); English when none names one."""
    for variable in LOCALE_VARIABLES:
        if value := environ.get(variable, "").strip():
            entries = value.split(":") if variable == "LANGUAGE" else [value]
            return next((found for entry in entries if (found := language_of_locale(entry))), ENGLISH)
    return ENGLISH


def language_accepted(header: str) -> str | None:
    """The language a browser asks for first (Accept-Language: `zh-TW,zh;q=0.9,en;q=0.8`), among those
    there is a catalog for; None when it asks for none of them."""
    asked = []
    for order, item in enumerate(header.split(",")):
        tag, _semicolon, weight = item.partition(";")
        quality = re.fullmatch(r"\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*", weight)
        value = float(quality.group(1)) if quality else 1.0 if not weight.strip() else 0.0
        if value > 0 and (found := language_of_locale(tag)):
            asked.append((-value, order, found))
    return min(asked)[2] if asked else None


def use(chosen: str) -> None:
    """`chosen` from now on, in this thread and what it starts: a command's language, chosen before
    its help is written."""
    _language.set(chosen)


@contextmanager
def speaking(chosen: str) -> Iterator[None]:
    """Texts made in the block are in `chosen`: a page's language, a dispute letter's."""
    token = _language.set(chosen)
    try:
        yield
    finally:
        _language.reset(token)


def _as_option(key: str, example: str | None = None) -> str:
    if key == "force":
        return _("add --force")
    named = f"--{key.replace('_', '-')}"
    return named if example is None else f"{named} {shlex.quote(example)}"


Naming = Callable[[str, str | None], str]  # (an option's key, a value given as an example) → what a reader types
_option_names: ContextVar[Naming] = ContextVar("option_names", default=_as_option)


class Option:
    """An option of a command, named in a message as the reader knows it: `--at` on the command line,
    the field of a form in a browser; with an `example`, the option given that value (`--at
    '2025-03-14 18:42'`, or the value to type in the field). `force` stands for the whole act of
    overriding a refusal ("add --force")."""

    def __init__(self, key: str, example: str | None = None) -> None:
        self.key = key  # the option's name with underscores: at, balance_after, force
        self.example = example

    def __str__(self) -> str:
        return _option_names.get()(self.key, self.example)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


FORCE = Option("force")


@contextmanager
def naming_options(names: Naming) -> Iterator[None]:
    """Options named in messages made in the block are named by `names` (a form's field labels)."""
    token = _option_names.set(names)
    try:
        yield
    finally:
        _option_names.reset(token)
