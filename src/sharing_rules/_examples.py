"""Running the examples that rules carry (``sharing-rules rules test``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ._assess import Assessor
from ._errors import ProposalError
from ._load import proposal_from_dict
from ._rules import Rule, RulePack

__all__ = ["ExampleResult", "example_proposal", "run_examples"]

EXAMPLE_BASE = {"id": "example", "title": "Rule example"}


@attrs.frozen(slots=True)
class ExampleResult:
    """One example's outcome: the status expected and the status the engine gave."""

    rule_id: str
    index: int
    expected: str
    actual: str | None  #: ``None`` when the example is not a valid proposal
    error: str | None = None

    @property
    def passed(self) -> bool:
        """Whether the engine gave the expected status."""
        return self.actual == self.expected


def example_proposal(fragment: Mapping[str, Any]) -> dict[str, Any]:
    """An example's proposal: the fragment with a default id and title."""
    return {**EXAMPLE_BASE, **fragment}


def run_examples(pack: RulePack, assessor: Assessor | None = None) -> Iterator[ExampleResult]:
    """Assess every rule's examples with the pack and compare the rule's status.

    This is what ``sharing-rules rules test`` runs; an example whose proposal fragment is
    invalid yields a result with ``actual=None`` and the problems in ``error``.
    """
    assessor = assessor or Assessor(pack)
    for rule in pack.rules:
        yield from _run_rule(rule, assessor)


def _run_rule(rule: Rule, assessor: Assessor) -> Iterator[ExampleResult]:
    for index, example in enumerate(rule.examples):
        try:
            proposal = proposal_from_dict(example_proposal(example.proposal))
        except ProposalError as exc:
            yield ExampleResult(rule.id, index, example.expect, None, str(exc))
            continue
        verdict = assessor.assess(proposal)
        finding = next(f for f in verdict.findings if f.rule_id == rule.id)
        yield ExampleResult(rule.id, index, example.expect, finding.status.value)
