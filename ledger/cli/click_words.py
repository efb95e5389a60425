"""The words the command line's framework says itself: "Usage:", "Options", "Missing argument",
"Show this message and exit." … typer looks some up with gettext, and writes the others itself (in
the click it carries); here they are listed for the catalog and said in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typer._click.core import Context  # the click typer carries, whose words are its own
from typer._click.formatting import HelpFormatter

from ledger.i18n import N_, catalog, language

# What a person can meet from `topup`: the frame of its help.
USAGE = N_("Usage:")
MESSAGES = (
    USAGE, N_("Options"), N_("Commands"), N_("Arguments"), N_("default: {default}"), N_("required"),
    N_("env var: {var}"), N_("(dynamic)"),
)
# The help of the options typer adds to every command, which it writes without gettext.
OPTION_HELP = frozenset({
    N_("Show this message and exit."), N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
})



def in_catalog(message: str) -> str:
    """A message of click's, in the reader's language (as it is when the catalog has none)."""
    return catalog(language()).gettext(message)


class _ReadersHelp(HelpFormatter):
    """Help whose usage line and added options are in the reader's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, f"{in_catalog(USAGE)} " if prefix is None else prefix)

    def write_dl(self, rows: Sequence[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().write_dl([(term, in_catalog(text) if text in OPTION_HELP else text) for term, text in rows],
                         *args, **kwargs)


def speak_through_catalog() -> None:
    """typer's words in the reader's language: those it looks up with gettext's function (as it
    imported it), and the usage line its click writes."""
    import typer.core

    typer.core._ = in_catalog
    Context.formatter_class = _ReadersHelp
