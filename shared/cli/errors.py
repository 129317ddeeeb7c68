"""What a person can get wrong is answered with one `Error:` line on stderr and exit status 2.

Anything else is a bug and keeps its traceback (exit status 1): a bug report needs it, and re-running a long
backtest with -v only to see it would cost the user the run.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator
from typing import Any

import click

from shared.config import ConfigError
from shared.contract.events import PoisonEvent
from shared.errors import Invalid, NotFound
from shared.systems import registry

USER_ERRORS = (
    NotFound,  # a market, system, version, event or experiment that does not exist
    Invalid,  # a request that cannot be done as things stand (disabled version, too few rows, bad config file)
    ConfigError,  # a PROPFLOW_* setting missing or invalid
    PoisonEvent,  # an event built from the arguments that can never succeed
    registry.AliasConflict,  # someone else moved the alias meanwhile
)


class UserError(click.ClickException):
    """`Error: <what was wrong>` as one line on stderr, and exit status 2 (click's own for usage errors)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever line breaks the source put in


def message(exc: BaseException) -> str:
    """The text of an exception as a person should read it."""
    # str() of a KeyError is the repr of its message.
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


@contextlib.contextmanager
def _one_line_errors(verbose: bool) -> Iterator[None]:
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:  # a group without its command: click prints the group's help
        raise
    except click.UsageError as exc:
        # The usage block click would print is replaced by a pointer to it.
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        raise UserError(exc.format_message() + hint) from exc
    except USER_ERRORS as exc:
        if verbose:
            traceback.print_exception(exc)
        raise UserError(message(exc)) from exc


class PropflowGroup(click.Group):
    """The top group: a user error in any command below it is answered by `_one_line_errors`."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        with _one_line_errors(verbose=False):  # the group's own options: -v is not parsed yet
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _one_line_errors(verbose=ctx.params.get("verbose", False)):
            return super().invoke(ctx)
