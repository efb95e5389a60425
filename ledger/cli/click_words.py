"""The words the command line's framework says itself: "Usage:", "Options", "Missing argument",
"Show this message and exit." … typer looks some up with gettext, and writes the others itself (in
the click it carries); here they are listed for the catalog and said in the reader's language. What
begins a usage error, `Error:`, stays as it is, as `error:` does."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import IO, Any

from typer._click.core import Context  # the click typer carries, whose words are its own
from typer._click.exceptions import UsageError
from typer._click.formatting import HelpFormatter
from typer._click.utils import echo

from ledger.i18n import N_, _

# What a person can meet from `topup`: the frame of its help.
USAGE = N_("Usage:")
MESSAGES = (
    USAGE, N_("Options"), N_("Commands"), N_("Arguments"), N_("default: {default}"), N_("required"),
    N_("env var: {var}"), N_("(dynamic)"), N_("Missing command."), N_("No such command {name!r}."),
)
TRY_HELP = N_("Try '{command} {option}' for help.")
# What a usage error says, as typer's click writes it in English, and as the catalog has it. An
# `{reason}` is itself one of these, or said as it is (a refusal of ours is already in the catalog).
_USAGE_ERRORS = tuple((re.compile(pattern, re.S), message) for pattern, message in (
    (r"Invalid value for (?P<name>.+?): (?P<reason>.*)", N_("Invalid value for {name}: {reason}")),
    (r"Missing argument (?P<name>.+)\.", N_("Missing argument {name}.")),
    (r"Missing option (?P<name>.+)\.", N_("Missing option {name}.")),
    (r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)",
     N_("No such option: {name} (possible options: {options})")),
    (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
    (r"Got unexpected extra argument\(s\) \((?P<words>.*)\)", N_("Got unexpected extra argument(s) ({words})")),
    (r"Option (?P<name>'[^']*') requires an argument\.", N_("Option {name} requires an argument.")),
    (r"Option (?P<name>'[^']*') requires (?P<count>\d+) arguments\.", N_("Option {name} requires {count} arguments.")),
    (r"Option (?P<name>'[^']*') does not take a value\.", N_("Option {name} does not take a value.")),
    (r"(?P<value>'.*') is not one of (?P<choices>.*)\.", N_("{value} is not one of {choices}.")),
    (r"(?P<value>'.*') is not a valid (?:int|integer|float)\.", N_("{value} is not a valid number.")),
    (r"(?P<value>.*) is not in the range (?P<range>.*)\.", N_("{value} is not in the range {range}.")),
))
# The help of the options typer adds to every command, which it writes without gettext.
OPTION_HELP = frozenset({
    N_("Show this message and exit."), N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
})


class _ReadersHelp(HelpFormatter):
    """Help whose usage line and added options are in the reader's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, f"{_(USAGE)} " if prefix is None else prefix)

    def write_dl(self, rows: Sequence[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().write_dl([(term, _(text) if text in OPTION_HELP else text) for term, text in rows],
                         *args, **kwargs)


def speak_through_catalog() -> None:
    """typer's words in the reader's language: those it looks up with gettext's function (as it
    imported it), and the usage line its click writes."""
    import typer.core

    typer.core._ = _  # it formats what it looks up itself
    Context.formatter_class = _ReadersHelp


def in_readers_words(said: str) -> str:
    """A usage error's text, as typer's click wrote it, in the reader's language."""
    for pattern, message in _USAGE_ERRORS:
        if found := pattern.fullmatch(said):
            values = {key: in_readers_words(value) if key == "reason" else value
                      for key, value in found.groupdict().items()}
            return _(message, **values)
    return said


class ReadersUsageError(UsageError):
    """A usage error (exit 2) said in the reader's language: the usage line, where to find help, and
    what was wrong."""

    def __init__(self, error: UsageError) -> None:
        super().__init__(in_readers_words(error.format_message()), error.ctx)
        self.exit_code = error.exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        if self.ctx is not None:
            hint = _(TRY_HELP, command=self.ctx.command_path, option=self.ctx.help_option_names[0])
            echo(f"{self.ctx.get_usage()}\n{hint}\n", file=file, err=file is None)
        echo(f"Error: {self.format_message()}", file=file, err=file is None)
