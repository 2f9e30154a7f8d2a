"""How a command of the command line ends: its exit status, or an error on standard error.

One place for the statuses that docs/cli.md ("Exit status") documents, so that every
command module (``_cli``, ``_cli_change``, ``_cli_decide``, ``_cli_voice``) imports them
rather than spelling them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NoReturn

import click

from ._errors import Problem
from ._render import neutralise
from ._verdict import Outcome

__all__ = [
    "EXIT_CODES",
    "EXIT_ERROR",
    "EXIT_FOUND",
    "EXIT_INSUFFICIENT",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_ACCEPTABLE",
    "EXIT_OK",
    "exit_code",
    "fail",
    "worst",
    "write_new",
]

EXIT_OK = 0
EXIT_NOT_ACCEPTABLE = 1
#: ``rules test``, ``plan``, ``diff`` and ``reassess``: an example failed, no plan reaches
#: acceptable, something changed, an outcome would flip (see each command's help).
EXIT_FOUND = 1
#: A usage or input error, or a failure of the engine or the library: never a verdict.
EXIT_ERROR = 2
#: Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INSUFFICIENT = 3
EXIT_INTERRUPTED = 130

#: Exit status of ``assess`` for each outcome (``--strict`` makes "with conditions" 1).
EXIT_CODES = {
    Outcome.ACCEPTABLE: EXIT_OK,
    Outcome.ACCEPTABLE_WITH_CONDITIONS: EXIT_OK,
    Outcome.NOT_ACCEPTABLE: EXIT_NOT_ACCEPTABLE,
    Outcome.INSUFFICIENT_INFORMATION: EXIT_INSUFFICIENT,
}
#: Worst last: an error, then not acceptable, then insufficient information, then 0.
_SEVERITY_RANK = {EXIT_OK: 0, EXIT_INSUFFICIENT: 1, EXIT_NOT_ACCEPTABLE: 2, EXIT_ERROR: 3}


def exit_code(outcome: Outcome, strict: bool = False) -> int:
    """The exit status for an outcome (see ``sharing-rules assess --help``)."""
    if strict and outcome is Outcome.ACCEPTABLE_WITH_CONDITIONS:
        return EXIT_NOT_ACCEPTABLE
    return EXIT_CODES[outcome]


def worst(codes: Iterable[int]) -> int:
    """The status of several files: the worst of theirs (2, then 1, then 3, then 0)."""
    return max(codes, key=lambda c: _SEVERITY_RANK.get(c, 3), default=EXIT_OK)


def fail(message: object, problems: Sequence[Problem] = ()) -> NoReturn:
    """Stop the command with exit status 2: ``error: message`` and each problem indented,
    on standard error, control characters spelt out."""
    click.echo(neutralise(f"error: {message}"), err=True)
    for problem in problems:
        click.echo(neutralise(f"  {problem}"), err=True)
    raise SystemExit(EXIT_ERROR)


def write_new(path: str, text: str, exists: str) -> None:
    """Write ``text`` to a new file at ``path``; stop with ``exists`` (exit 2) if there is
    one already, as a file the user keeps is never overwritten."""
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        fail(exists)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
