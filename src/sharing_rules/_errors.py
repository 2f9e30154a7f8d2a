"""Exception classes and the problem records they carry."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "AssessmentError",
    "InputWarning",
    "Problem",
    "ProposalError",
    "RuleError",
    "SharingRulesError",
    "UsageError",
    "VerdictError",
    "did_you_mean",
]


@attrs.frozen(slots=True)
class Problem:
    """One problem found in an input: where it is, what is wrong, and how to fix it.

    ``path`` is a JSON-path-like location (``$.data_items[2].identifiability``).
    ``source`` names the file, and ``line`` the 1-based line, when known.
    ``rule`` is the rule id, for problems in rule packs. ``code`` is a stable machine code
    for the kind of problem (``unknown-key``, ``invalid-value``...): match on it, never on the
    message text, which may be reworded.
    """

    path: str
    message: str
    hint: str | None = None
    source: str | None = None
    line: int | None = None
    rule: str | None = None
    code: str = "invalid"

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where += f":{self.line}"
        prefix = f"{where}: " if where else ""
        if self.rule:
            prefix += f"rule {self.rule}: "
        text = f"{prefix}{self.path}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class SharingRulesError(Exception):
    """Base class of every error this library raises on purpose."""


class _ProblemsError(SharingRulesError):
    """An error that carries every problem found, not just the first."""

    kind = "input"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the {self.kind}:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class ProposalError(_ProblemsError, ValueError):
    """A proposal could not be read. ``problems`` lists every problem with its path."""

    kind = "proposal"


class RuleError(_ProblemsError, ValueError):
    """A rule pack is invalid. ``problems`` lists every problem with file, line and rule id."""

    kind = "rule pack"


class VerdictError(_ProblemsError, ValueError):
    """A stored verdict could not be read. ``problems`` lists every problem with its path."""

    kind = "verdict"


class InputWarning(UserWarning):
    """Input that was read, but perhaps not as meant; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


class UsageError(SharingRulesError, TypeError):
    """A function of this library was called with an argument of the wrong kind."""


class AssessmentError(SharingRulesError, RuntimeError):
    """The engine failed during an assessment; no verdict is produced (fail closed)."""

    def __init__(self, message: str, rule_id: str | None = None) -> None:
        self.rule_id = rule_id
        """The rule being evaluated when the engine failed, if known."""
        super().__init__(f"rule {rule_id}: {message}" if rule_id else message)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean ..." hint naming the closest choice, or ``None``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None
