"""The language `topup` speaks, chosen as the contract says: `--lang` before the command, else
TOPUP_LANG, else the locale variables. It is chosen once before the commands are declared, since
their help is written in it, and again where the app reads its options, which refuse an unknown one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ledger.i18n import ENGLISH, language_of_environment, parse_language

ENVIRONMENT = "TOPUP_LANG"
# The app's options that take a value, before the command's name.
_VALUED = ("--db", "--lang")


def named_on_command_line(args: Sequence[str]) -> str | None:
    """The value of `--lang` given before the command's name (`topup --lang zh-Hant log …`); a
    command's own `--lang` (the dispute letter's) comes after its name and is not this one."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--lang":
            return args[index + 1] if index + 1 < len(args) else None
        if arg.startswith("--lang="):
            return arg.removeprefix("--lang=")
        if not arg.startswith("-"):
            return None  # the command's name
        index += 2 if arg in _VALUED else 1
    return None


def chosen(given: str | None, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """(the language's code or None when what was named is not one, where it was named): `given`
    (`--lang`), else TOPUP_LANG, else the locale."""
    if given is not None:
        return parse_language(given), "--lang"
    if named := environ.get(ENVIRONMENT, "").strip():
        return parse_language(named), ENVIRONMENT
    return language_of_environment(environ), "locale"


def before_the_commands(args: Sequence[str], environ: Mapping[str, str]) -> str:
    """The language the commands' help is written in; a name that is not a language is refused later,
    by the app's options, so here it is English."""
    return chosen(named_on_command_line(args), environ)[0] or ENGLISH
