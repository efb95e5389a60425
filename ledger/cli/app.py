"""The `topup` application: the command group, the shared options and formats, the entry point.

Commands live in the modules beside this one, by concept. Each opens the ledger with
`open_ledger` and makes one service call in that transaction. They import the core inside each
command, so `--help` and shell completion load none of it.
"""

import copy
import os
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from ledger.cli import completion, output
from ledger.cli.click_words import ReadersUsageError, UsageError
from ledger.errors import LedgerError, NoLedger
from ledger.i18n import LANGUAGES, _, speaking

if TYPE_CHECKING:
    from ledger.service.opening import Ledger, Location

# The order `topup --help` lists commands in: the daily ones first.
COMMAND_ORDER = ["log", "show", "search", "check", "void", "amend", "receipt", "export", "import", "report", "due",
                 "card", "verify", "seal", "backup", "doctor", "serve", "datasette"]


class LedgerGroup(TyperGroup):
    """The one place where a refusal from the core becomes `error: …` and its exit code."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        known = super().list_commands(ctx)
        return [name for name in COMMAND_ORDER if name in known] + [n for n in known if n not in COMMAND_ORDER]

    def make_context(self, *args: Any, **kwargs: Any) -> typer.Context:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as error:  # on the line before the command's name (`topup --nope`)
            raise ReadersUsageError(error) from None

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReadersUsageError:
            raise
        except UsageError as error:  # a command's options and arguments, and --lang
            raise ReadersUsageError(error) from None
        except LedgerError as exc:
            message = exc.message
            if isinstance(exc, NoLedger):
                message = _("{refusal}; `topup card add LABEL --kind sim|smart` starts one (or name another with "
                            "--db FILE or TOPUP_DB)", refusal=message)
            say(f"error: {message}")
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # Caught here: Click would turn it into exit 1. The reader has all it wanted.
            _silence_stdout()
            raise typer.Exit(0) from None


app = typer.Typer(
    cls=LedgerGroup,
    help=_("A personal ledger of top-ups to transit, campus and access cards and prepaid SIMs."),
    no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Arguments many commands share, with what Tab completes for them.
RecordIdArg = Annotated[int, typer.Argument(metavar="ID", autocompletion=completion.record_ids)]
CardArg = Annotated[str, typer.Argument(
    metavar="CARD", help=_("The card's label."), autocompletion=completion.card_labels)]
LabelArg = Annotated[str, typer.Argument(metavar="LABEL", autocompletion=completion.card_labels)]


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ItemFormat(StrEnum):
    text = "text"
    json = "json"


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        typer.echo(f"topup {version('topup-ledger')}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option(
        "--db", metavar="FILE",
        help=_("Ledger file (default: TOPUP_DB, else ledger.db in the user data folder)."))] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", metavar="|".join(LANGUAGES),
        help=_("Language of messages, help and tables (default: TOPUP_LANG, else the locale)."))] = None,
    _version: Annotated[bool, typer.Option(
        "--version", "-V", is_eager=True, callback=_print_version, help=_("Print the version and exit."))] = False,
) -> None:
    from ledger.cli.language import chosen
    from ledger.domain.values import decoded_text

    language, named_by = chosen(lang, os.environ)
    if language is None:
        raise typer.BadParameter(_("{language!r} is not a language topup speaks; use {languages}",
                                   language=lang if named_by == "--lang" else os.environ[named_by],
                                   languages=", ".join(LANGUAGES)), param_hint=named_by)
    ctx.with_resource(speaking(language))  # until the command ends, refusals included
    for arg in sys.argv[1:]:
        decoded_text(arg, _("the command line"))
    # Resolved only when a command needs the file: `topup search --help` runs this callback too.
    ctx.obj = {"db": db}


def ledger_location(ctx: typer.Context) -> "Location":
    """Where the ledger is: `--db`, else TOPUP_DB, else the default file."""
    from ledger.service.opening import locate

    return locate(ctx.obj["db"])


def existing_ledger(ctx: typer.Context) -> "Location":
    """The ledger's location, for a command that writes to it but must not start one (seal, datasette)."""
    from ledger.service.opening import existing

    return existing(ledger_location(ctx))


@contextmanager
def open_ledger(ctx: typer.Context, *, write: bool = False, missing_is_empty: bool = False) -> Iterator["Ledger"]:
    """The one transaction a command's service call runs in; a writing one commits only if the call succeeds."""
    from ledger.service.opening import transaction

    with transaction(ledger_location(ctx), write=write, missing_is_empty=missing_is_empty) as ledger:
        yield ledger
    for notice in ledger.notices:
        say(notice)


def list_format(chosen: ListFormat | None) -> ListFormat:
    """Tables for a person at a terminal, JSON for a script reading a pipe."""
    if chosen is not None:
        return chosen
    return ListFormat.table if sys.stdout.isatty() else ListFormat.json


def say(message: str) -> None:
    """A message for the person, on stderr so that stdout stays data."""
    output.write_line(message, err=True)


def warn(warnings: list[str]) -> None:
    """Each warning on a line of its own, behind the marker scripts look for (never translated)."""
    for warning in warnings:
        say(f"warning: {warning}")


def render_list(rows: list[Any], columns: list[tuple[str, str]], fmt: ListFormat) -> None:
    """Rows (dicts, or declared types) as JSON, CSV or a table of these (key, heading) columns."""
    rows = output.plain(rows, for_programs=fmt is not ListFormat.table)
    if fmt is ListFormat.json:
        output.print_json(rows)
    elif fmt is ListFormat.csv:
        from ledger.output.formats import write_csv

        write_csv(sys.stdout, rows, [key for key, _heading in columns], bom=False)
    else:
        output.print_table(rows, columns)


def _silence_stdout() -> None:
    """The reader of stdout went away (`topup search | head -1`): what is still buffered goes nowhere."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _named_first() -> list[str]:
    """The word naming the command on the line, when it is whole: the first argument, or under Tab
    completion (where the shell passes the line in the environment) the first word after `topup`
    once another follows it. While that word is still being typed, nothing: every command name is
    offered."""
    if not os.environ.get("_TOPUP_COMPLETE"):
        return sys.argv[1:2]
    line = os.environ.get("_TYPER_COMPLETE_ARGS") or os.environ.get("COMP_WORDS", "")
    try:
        words = shlex.split(line)[1:]
    except ValueError:  # an open quote
        return []
    return words[:1] if len(words) > 1 or (words and line[-1:].isspace()) else []


def _app_for(first: list[str]) -> typer.Typer:
    """The app with only the command named first on the line, when one is: typer builds every
    command's options before it runs one, and a top-up or a Tab press need not wait for the twenty
    others. Anything else (`topup --db FILE log`, `topup`) gets the whole app."""
    commands = [command for command in app.registered_commands if [command.name] == first]
    groups = [group for group in app.registered_groups if [group.name] == first]
    if not commands and not groups:
        return app
    narrowed = copy.copy(app)
    narrowed.registered_commands, narrowed.registered_groups = commands, groups
    return narrowed


def main() -> None:
    """Entry point: runs the app; interruptions, closed pipes and bugs end without a traceback."""
    try:
        try:
            _app_for(_named_first())(prog_name="topup")  # also under `python -m ledger`
        finally:
            sys.stdout.flush()  # now rather than at exit, where a closed pipe could not be caught
    except KeyboardInterrupt:
        say(_("interrupted; nothing was changed by the unfinished command"))
        sys.exit(130)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except Exception as exc:  # a bug: say so briefly, show the traceback only when asked
        if os.environ.get("TOPUP_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        else:
            say("error: " + _("unexpected {name}; nothing was saved. Run again with TOPUP_DEBUG=1 to see the details "
                              "and report them", name=type(exc).__name__))
        sys.exit(1)
