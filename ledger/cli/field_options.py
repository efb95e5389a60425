"""The options that set a record's fields: one for each field the registry gives an option
(`domain.fields.SETTABLE`), so that `log` and `amend` take a new field with no change here."""

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from ledger.cli import completion
from ledger.domain.fields import SETTABLE
from ledger.i18n import _

Command = TypeVar("Command", bound=Callable[..., Any])
_COMPLETES = {"channel": completion.channel_names}


def field_options(*, leave_out: tuple[str, ...] = ()) -> Callable[[Command], Command]:
    """Put an option for each settable field (but those left out) where the command has its `values`
    parameter; the command receives what was given as `values`, by each option's name."""

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command)
        options = [inspect.Parameter(spec.key, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                                     annotation=Annotated[str | None, typer.Option(
                                         spec.option, help=_(spec.help), autocompletion=_COMPLETES.get(spec.key))])
                   for spec in SETTABLE if spec.key not in leave_out]
        names = {option.name for option in options}
        parameters = [new for old in signature.parameters.values()
                      for new in (options if old.name == "values" else [old])]

        @functools.wraps(command)
        def run(**given: Any) -> Any:
            values = {name: given.pop(name) for name in names}
            return command(values=values, **given)

        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
        return run  # type: ignore[return-value]

    return decorate
