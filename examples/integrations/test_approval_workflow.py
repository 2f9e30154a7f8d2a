"""Property-based tests of a data-sharing approval workflow that embeds sharing-rules.

Run them with: pytest examples/integrations/test_approval_workflow.py

``triage`` below stands for your own system: it takes a proposal form as your workflow
stores it (a mapping), checks it with the framework, and decides. Most of it is local
policy: the framework is one input to the decision, and the tests pin down how the two
relate. The one promise that matters most: the workflow never auto-approves a proposal
the framework does not find acceptable. The strategies build the proposals that could
break that promise, including ones that fail each test of the framework, so the tests do
not depend on the examples someone thought of.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sharing_rules as sr
from sharing_rules.strategies import proposal_dicts, proposals

# ----------------------------------------------------------------------------- the system

ASSESSOR = sr.Assessor()  # compile the rules once, share it
# As docs/testing.md advises: no per-example deadline, since assessing (and targeted
# strategies, which assess while they generate) take longer on a loaded CI machine.
settings.register_profile(
    "approval-workflow", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("approval-workflow")
PANEL_THRESHOLD = 100_000  # local policy: sharing about this many people goes to the panel


@attrs.frozen
class Decision:
    """What the workflow does with a submitted proposal."""

    status: str  #: "approved", "refer_to_panel" or "returned"
    reasons: tuple[str, ...] = ()
    outcome: sr.Outcome | None = None  #: the framework's, when the form could be read


def triage(form: Mapping[str, Any]) -> Decision:
    """Approve, refer to the information governance panel, or return to the proposer."""
    try:
        proposal = sr.proposal_from_dict(form)
    except sr.ProposalError as err:
        return Decision("returned", tuple(str(problem) for problem in err.problems))
    verdict = ASSESSOR.assess(proposal)
    if verdict.outcome is sr.Outcome.NOT_ACCEPTABLE:
        reasons = tuple(f"{f.title} {f.message}" for f in verdict.unmet if f.blocking)
        return Decision("returned", reasons, verdict.outcome)
    if verdict.outcome is sr.Outcome.ACCEPTABLE and not needs_panel(proposal):
        return Decision("approved", (), verdict.outcome)
    gaps = (*verdict.unmet, *verdict.unknown)
    return Decision("refer_to_panel", tuple(f.message for f in gaps), verdict.outcome)


def needs_panel(proposal: sr.Proposal) -> bool:
    """Local policy: children's data, or many people, always go to the panel."""
    subjects = proposal.data_subjects
    if subjects is None:
        return True
    count = subjects.approximate_count
    return subjects.includes_children is not False or count is None or count >= PANEL_THRESHOLD


# ------------------------------------------------------------------------------ the tests


def form(proposal: sr.Proposal) -> dict[str, Any]:
    """The proposal as our workflow stores a submitted form."""
    return sr.proposal_to_dict(proposal)


@given(proposals())
def test_never_auto_approves_what_the_framework_does_not_accept(proposal: sr.Proposal) -> None:
    decision = triage(form(proposal))
    if decision.status == "approved":
        assert sr.assess(proposal).outcome is sr.Outcome.ACCEPTABLE


@given(
    st.sampled_from(["purposeful", "proportionate", "responsible"]).flatmap(
        lambda test: proposals(failing=test)
    )
)
def test_a_proposal_failing_any_test_is_returned_with_reasons(proposal: sr.Proposal) -> None:
    decision = triage(form(proposal))
    assert decision.status == "returned"
    assert decision.reasons  # the proposer is told what to fix


@given(proposals(outcome=sr.Outcome.NOT_ACCEPTABLE))
def test_a_rejected_proposal_is_never_approved(proposal: sr.Proposal) -> None:
    assert triage(form(proposal)).status != "approved"


@given(proposals(outcome=sr.Outcome.INSUFFICIENT_INFORMATION))
def test_missing_information_goes_to_the_panel_not_back_or_through(
    proposal: sr.Proposal,
) -> None:
    decision = triage(form(proposal))
    assert decision.status == "refer_to_panel"
    assert decision.reasons


@given(proposals(outcome=sr.Outcome.ACCEPTABLE))
def test_an_acceptable_proposal_is_approved_unless_local_policy_says_panel(
    proposal: sr.Proposal,
) -> None:
    expected = "refer_to_panel" if needs_panel(proposal) else "approved"
    assert triage(form(proposal)).status == expected


@given(proposal_dicts(valid=False))
def test_a_form_the_library_cannot_read_is_returned_not_crashed_on(form: dict[str, Any]) -> None:
    decision = triage(form)
    assert decision.status == "returned"
    assert decision.outcome is None
    assert all("$" in reason for reason in decision.reasons)  # each names the field
