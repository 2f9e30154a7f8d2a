"""Repair plans: every step is checked, nothing stated about the substance is changed,
substantive failures are reported as blockers, and no step can be removed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sharing_rules as sr
from sharing_rules import _plan
from sharing_rules._cli import cli
from sharing_rules.strategies import proposals

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DAY = dt.date(2026, 11, 29)
GAP = (sr.Status.NOT_MET, sr.Status.UNKNOWN)


def _apply(data: dict[str, Any], steps: tuple[sr.RepairStep, ...]) -> dict[str, Any]:
    return _plan._applied(data, [c for step in steps for c in step.changes])


def _gaps(verdict: sr.Verdict) -> frozenset[str]:
    return frozenset(f.rule_id for f in verdict.findings if f.status in GAP)


def _check_plan(proposal: sr.Proposal, plan: sr.RepairPlan) -> None:
    """Re-assess the proposal after each cumulative step, independently of the planner."""
    original = sr.proposal_to_dict(proposal)
    before = sr.assess(proposal, as_of=DAY)
    assert plan.outcome is before.outcome
    for count, step in enumerate(plan.steps, start=1):
        assert step.checked
        after = sr.assess(_apply(original, plan.steps[:count]), as_of=DAY)
        assert after.outcome is step.outcome, step
        assert set(step.resolves) <= _gaps(before) - _gaps(after)
        before = after
    assert before.outcome is plan.reaches
    # No criterion is left worse off: everything open at the end was open at the start.
    assert _gaps(before) <= _gaps(sr.assess(proposal, as_of=DAY))
    # What is left is exactly what the plan reports as blocked.
    assert {b.rule_id for b in plan.blockers} == _gaps(before)


def _check_allowed(plan: sr.RepairPlan, data: dict[str, Any]) -> None:
    """Only safeguards, paperwork and process change; ordered choices only tighten."""
    for step in plan.steps:
        for change in step.changes:
            key = _plan._key(change.path)
            assert key in _plan._ACTIONS, change.path
            values, replace = _plan._ACTIONS[key]
            if not replace:
                assert _plan._unstated(change.was), change
            if values is not None:
                assert change.value in values
            order = _plan._ORDERED.get(key)
            if order and change.was in order:
                assert order.index(change.value) > order.index(change.was)
            if values is not None and order is None:  # one allowed choice is as good as another
                assert change.was not in values
            if key == "safeguards.retention_period" and change.was is not None:
                assert (
                    sr.Period.parse(change.value).approx_days
                    < sr.Period.parse(change.was).approx_days
                )
            assert change.was == _plan._get(data, change.path)


def test_an_acceptable_proposal_has_an_empty_plan() -> None:
    plan = sr.repair_plan(EXAMPLES / "fire-safety-visits.yaml", as_of=DAY)
    assert plan.outcome is sr.Outcome.ACCEPTABLE
    assert plan.empty and plan.steps == () and plan.blockers == ()
    assert plan.reaches is sr.Outcome.ACCEPTABLE


def test_the_housing_example_is_repaired_step_by_step() -> None:
    # Checked by hand against examples/housing-benefit-matching.yaml: its DPIA is in
    # progress, no review date or evaluation plan is stated, and the public was not engaged.
    proposal = sr.load_proposal(EXAMPLES / "housing-benefit-matching.yaml")
    plan = sr.repair_plan(proposal, as_of=DAY)
    changes = [(c.path, c.kind, c.value, c.was) for s in plan.steps for c in s.changes]
    assert changes[0] == (
        "$.governance.dpia_status",
        sr.ChangeKind.SET,
        "completed",
        "in_progress",
    )
    assert changes[1] == ("$.governance.review_date", sr.ChangeKind.SET, "2027-11-29", None)
    assert [c[0] for c in changes[2:]] == [
        "$.governance.evaluation_plan",
        "$.transparency.public_engagement.done",
        "$.transparency.public_engagement.findings",
    ]
    assert [s.resolves for s in plan.steps] == [
        ("responsible.dpia-done",),
        ("responsible.review-date",),
        ("responsible.evaluation-plan",),
        ("responsible.public-engagement",),
    ]
    assert [s.outcome for s in plan.steps] == [
        sr.Outcome.INSUFFICIENT_INFORMATION,  # the review date is still missing (blocking)
        sr.Outcome.ACCEPTABLE_WITH_CONDITIONS,
        sr.Outcome.ACCEPTABLE_WITH_CONDITIONS,
        # responsible.dates-consistent (advisory) stays unknown: the example states neither
        # `created` nor `updated`, and only the proposer can (a blocker of kind information).
        sr.Outcome.ACCEPTABLE_WITH_CONDITIONS,
    ]
    assert [(b.rule_id, b.kind) for b in plan.blockers] == [
        ("responsible.dates-consistent", sr.BlockerKind.INFORMATION)
    ]
    _check_plan(proposal, plan)


def test_a_substantive_failure_is_reported_as_a_blocker() -> None:
    # Victims' reports used for immigration control: no paperwork can fix the purpose.
    proposal = sr.load_proposal(EXAMPLES / "whitewashed-victims-to-immigration.yaml")
    plan = sr.repair_plan(proposal, as_of=DAY)
    assert plan.reaches is sr.Outcome.NOT_ACCEPTABLE
    blocker = next(b for b in plan.blockers if b.rule_id == "purposeful.not-turned-against-people")
    assert blocker.kind is sr.BlockerKind.SUBSTANCE
    assert blocker.status is sr.Status.NOT_MET
    assert "$.purpose.kinds" in blocker.paths
    touched = {c.path for s in plan.steps for c in s.changes}
    assert not any(p.startswith("$.purpose") or "collected_in" in p for p in touched)
    _check_plan(proposal, plan)


def test_missing_facts_are_left_to_the_proposer() -> None:
    plan = sr.repair_plan(EXAMPLES / "vague-title-only.yaml", as_of=DAY)
    kinds = {b.rule_id: b.kind for b in plan.blockers}
    assert kinds["purposeful.lawful-basis"] is sr.BlockerKind.INFORMATION  # never guessed
    assert kinds["purposeful.purpose-stated"] is sr.BlockerKind.SUBSTANCE
    touched = {c.path for s in plan.steps for c in s.changes}
    assert not any(p.startswith("$.legal_basis") for p in touched)


def test_the_plan_never_lowers_a_stated_risk() -> None:
    data = sr.proposal_to_dict(sr.load_proposal(EXAMPLES / "housing-benefit-matching.yaml"))
    risk = {"description": "Wrongful award", "likelihood": "probable", "severity": "severe"}
    data["risks"] = [risk]
    plan = sr.repair_plan(data, as_of=DAY)
    touched = [c.path for s in plan.steps for c in s.changes]
    assert "$.risks[0].mitigations" in touched  # adding mitigations is the fix
    assert not any(p.endswith((".severity", ".likelihood")) for p in touched)
    _check_plan(sr.load_proposal(data), plan)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(proposals(), proposals(outcome=sr.Outcome.NOT_ACCEPTABLE)))
def test_every_step_gives_the_outcome_it_states(proposal: sr.Proposal) -> None:
    plan = sr.repair_plan(proposal, as_of=DAY)
    _check_plan(proposal, plan)
    _check_allowed(plan, sr.proposal_to_dict(proposal))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposals(outcome=sr.Outcome.INSUFFICIENT_INFORMATION))
def test_no_step_can_be_removed(proposal: sr.Proposal) -> None:
    plan = sr.repair_plan(proposal, as_of=DAY)
    data = sr.proposal_to_dict(proposal)
    final = sr.assess(_apply(data, plan.steps), as_of=DAY)
    for index in range(len(plan.steps)):
        fewer = plan.steps[:index] + plan.steps[index + 1 :]
        without = sr.assess(_apply(data, fewer), as_of=DAY)
        assert (without.outcome, _gaps(without)) != (final.outcome, _gaps(final))


def test_the_plan_as_json_and_from_the_command_line() -> None:
    runner = CliRunner()
    path = str(EXAMPLES / "housing-benefit-matching.yaml")
    result = runner.invoke(cli, ["plan", path, "--as-of", "2026-11-29", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == json.loads(sr.repair_plan(path, as_of=DAY).to_json())
    assert data["reaches"] == "acceptable_with_conditions" and data["steps"][0]["checked"] is True
    bad = str(EXAMPLES / "whitewashed-victims-to-immigration.yaml")
    result = runner.invoke(cli, ["plan", bad, "--as-of", "2026-11-29"])
    assert result.exit_code == 1
    assert "purposeful.not-turned-against-people (not met)" in result.output


def test_assess_with_a_plan_section() -> None:
    runner = CliRunner()
    path = str(EXAMPLES / "housing-benefit-matching.yaml")
    args = ["assess", path, "--as-of", "2026-11-29", "--plan", "--format", "markdown"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "\n## Repair plan for DSP-2026-017\n" in result.output
    assert "| 4 | " in result.output  # the fourth step of the plan
    plain = runner.invoke(cli, ["assess", path, "--as-of", "2026-11-29"])
    assert "Repair plan" not in plain.output
    refused = runner.invoke(cli, ["assess", path, "--plan", "--format", "json"])
    assert refused.exit_code == 2 and "--plan" in refused.output


@pytest.mark.parametrize("name", ["pupil-risk-scores", "discount-removal-on-inferred-links"])
def test_examples_plans_check_out(name: str) -> None:
    proposal = sr.load_proposal(EXAMPLES / f"{name}.yaml")
    plan = sr.repair_plan(proposal, as_of=DAY)
    _check_plan(proposal, plan)
    _check_allowed(plan, sr.proposal_to_dict(proposal))


def test_pruning_drops_a_step_that_changes_nothing_in_the_end() -> None:
    # Greedy search rarely leaves a redundant step on the examples, so give the pruning
    # a plan with one: the same change twice, and a change already made by another step.
    data = sr.proposal_to_dict(sr.load_proposal(EXAMPLES / "housing-benefit-matching.yaml"))
    search = _plan._Search(sr.Assessor(), DAY)
    set_ = sr.ChangeKind.SET
    dpia = sr.RepairChange("$.governance.dpia_status", set_, "completed", "in_progress")
    review = sr.RepairChange("$.governance.review_date", set_, "2027-11-29")
    steps, final = _plan._prune(search, data, [(dpia,), (dpia,), (review, dpia)])
    assert [s.changes for s in steps] == [(review, dpia)]
    assert steps[0].outcome is final.outcome is sr.Outcome.ACCEPTABLE_WITH_CONDITIONS
    assert set(steps[0].resolves) == {"responsible.dpia-done", "responsible.review-date"}


def test_a_retention_period_is_only_shortened_to_the_rules_limit() -> None:
    # The framework asks for a reason beyond retention_max_years (7): the plan offers that
    # limit, read from the rule's condition, not an arbitrary shorter period.
    data = sr.proposal_to_dict(sr.load_proposal(EXAMPLES / "fire-safety-visits.yaml"))
    data["safeguards"]["retention_period"] = "P20Y"
    plan = sr.repair_plan(data, as_of=DAY)
    changes = [(c.path, c.value, c.was) for s in plan.steps for c in s.changes]
    assert changes == [("$.safeguards.retention_period", "P7Y", "P20Y")]
    assert plan.reaches is sr.Outcome.ACCEPTABLE
    data["safeguards"]["retention_period"] = "P3M"  # within the limit: never lengthened
    assert sr.repair_plan(data, as_of=DAY).empty


RECORD = EXAMPLES / "dialogue" / "record.json"  # its card covers fire-safety-visits
PASSED_ON = "public-voice.ashvale-2026-fire.dsp-2026-014.never-passed-on"


def _passed_on() -> dict[str, Any]:
    """The fire safety visits, with onward sharing the framework allows but residents'
    red line "The fire service must never pass it on" does not."""
    data = sr.proposal_to_dict(sr.load_proposal(EXAMPLES / "fire-safety-visits.yaml"))
    data["purpose"]["onward_sharing"] = "with_provider_agreement"
    return data


def test_a_plan_with_dialogue_works_towards_residents_red_lines() -> None:
    data = _passed_on()
    assert sr.repair_plan(data, as_of=DAY).empty  # the framework alone: nothing to do
    plan = sr.repair_plan(data, as_of=DAY, dialogue=RECORD)
    assert plan.rule_pack.id == "framework+public-voice"
    assert plan.outcome is sr.Outcome.NOT_ACCEPTABLE and plan.reaches is sr.Outcome.ACCEPTABLE
    [step] = plan.steps
    assert [(c.path, c.value) for c in step.changes] == [("$.purpose.onward_sharing", "prohibited")]
    assert step.resolves == (PASSED_ON,)
    after = sr.assess(_apply(data, plan.steps), as_of=DAY, dialogue=RECORD)  # checked apart
    assert after.outcome is sr.Outcome.ACCEPTABLE
    data["parties"][1]["private_contractor"] = True  # red line "Never to private companies"
    blocked = sr.repair_plan(data, as_of=DAY, dialogue=RECORD)
    assert blocked.reaches is sr.Outcome.NOT_ACCEPTABLE
    private = "public-voice.ashvale-2026-fire.dsp-2026-014.no-private-companies"
    assert [(b.rule_id, b.kind) for b in blocked.blockers] == [(private, sr.BlockerKind.SUBSTANCE)]


def test_plan_and_assess_plan_take_dialogue_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "passed-on.json"
    path.write_text(json.dumps(_passed_on()), encoding="utf-8")
    runner = CliRunner()
    dated = [str(path), "--as-of", "2026-11-29"]
    result = runner.invoke(cli, ["plan", *dated, "--dialogue", str(RECORD), "--format", "json"])
    assert result.exit_code == 0, result.output
    expected = sr.repair_plan(path, as_of=DAY, dialogue=RECORD).to_json()
    assert json.loads(result.output) == json.loads(expected)
    assert json.loads(result.output)["steps"][0]["resolves"] == [PASSED_ON]
    report = runner.invoke(cli, ["assess", *dated, "--dialogue", str(RECORD), "--plan"])
    assert report.exit_code == 1  # the verdict's status: residents' red line is crossed
    assert f"Resolves: {PASSED_ON}" in report.output
    assert "Now: Not acceptable. After every step: Acceptable." in report.output
    plain = runner.invoke(cli, ["assess", *dated, "--plan"])
    assert plain.exit_code == 0 and "Nothing to change" in plain.output
    bad = runner.invoke(cli, ["plan", *dated, "--dialogue", str(tmp_path / "none.json")])
    assert bad.exit_code == 2 and "dialogue" in bad.output
