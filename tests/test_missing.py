"""Missing is not failing: each not-met finding is *missing* (add this) or *contrary*
(change this), and only a contrary blocking finding makes a proposal not acceptable."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given

import sharing_rules as sr
from sharing_rules import strategies as srs
from sharing_rules._verdict import _v1_dict, decide

ROOT = Path(__file__).resolve().parent.parent
FIRE = sr.proposal_to_dict(sr.load_proposal(ROOT / "examples" / "fire-safety-visits.yaml"))
TESTS = {"purposeful": "Purposeful", "proportionate": "Proportionate", "responsible": "Responsible"}
FEATURES = {1: "One", 2: "Two"}
S, B = sr.Status, sr.Basis


def _finding(
    test: str, status: sr.Status, basis: sr.Basis | None, severity: str = "blocking"
) -> sr.Finding:
    return sr.Finding(
        rule_id=f"{test}.x",
        rule_version="1",
        title="?",
        test=test,
        features=(1,),
        severity=severity,
        status=status,
        message="m",
        basis=basis,
    )


def _met() -> list[sr.Finding]:
    return [attrs.evolve(_finding(t, S.MET, None), features=(1, 2)) for t in TESTS]


@pytest.mark.parametrize(
    ("basis", "outcome", "test_status", "feature_status"),
    [
        (B.MISSING, sr.Outcome.INSUFFICIENT_INFORMATION, "undetermined", "undetermined"),
        (B.CONTRARY, sr.Outcome.NOT_ACCEPTABLE, "not_met", "not_demonstrated"),
        (None, sr.Outcome.NOT_ACCEPTABLE, "not_met", "not_demonstrated"),  # fail closed
    ],
)
def test_only_a_contrary_blocking_finding_fails_a_test(
    basis: sr.Basis | None, outcome: sr.Outcome, test_status: str, feature_status: str
) -> None:
    got, tests, features = decide(
        [*_met(), _finding("proportionate", S.NOT_MET, basis)], TESTS, FEATURES
    )
    assert got is outcome
    assert tests["proportionate"].status.value == test_status
    assert tests["purposeful"].status is sr.TestStatus.MET
    assert features[1].status.value == feature_status
    assert features[2].status is sr.FeatureStatus.DEMONSTRATED


def test_an_advisory_missing_finding_is_a_condition() -> None:
    findings = [*_met(), _finding("responsible", S.NOT_MET, B.MISSING, "advisory")]
    outcome, tests, _ = decide(findings, TESTS, FEATURES)
    assert outcome is sr.Outcome.ACCEPTABLE_WITH_CONDITIONS
    assert tests["responsible"].status is sr.TestStatus.MET


# ------------------------------------------------------------------ real assessments


def _assess(change: Callable[[dict[str, Any]], None]) -> sr.Verdict:
    doc = copy.deepcopy(FIRE)
    change(doc)
    return sr.assess(doc)


def _one(verdict: sr.Verdict, rule_id: str) -> sr.Finding:
    return next(f for f in verdict.findings if f.rule_id == rule_id)


def test_the_well_made_example_is_acceptable_to_start_with() -> None:
    verdict = sr.assess(FIRE)
    assert verdict.outcome is sr.Outcome.ACCEPTABLE
    assert not verdict.unmet and not verdict.to_add


def test_a_field_left_out_of_a_filled_section_asks_for_it() -> None:
    # regression: this was not_acceptable, a blank box counted as a failure
    verdict = _assess(lambda d: d["governance"].pop("review_date"))
    finding = _one(verdict, "responsible.review-date")
    assert finding.status is S.NOT_MET and finding.basis is B.MISSING
    assert finding.paths == ("$.governance.review_date",)
    assert verdict.tests["responsible"].status is sr.TestStatus.UNDETERMINED
    assert verdict.outcome is sr.Outcome.INSUFFICIENT_INFORMATION
    # the blocking gap first; the dates check (advisory) cannot compare without it either
    dates = _one(verdict, "responsible.dates-consistent")
    assert dates.status is S.UNKNOWN
    assert verdict.to_add == (finding, dates)


@pytest.mark.parametrize(
    ("rule_id", "change"),
    [
        ("proportionate.onward-sharing-restricted", ("purpose", "onward_sharing", "permitted")),
        ("purposeful.purpose-published", ("transparency", "purpose_published", False)),
        ("proportionate.breach-procedure", ("safeguards", "breach_procedure", False)),
        ("responsible.dpia-done", ("governance", "dpia_status", "in_progress")),
    ],
)
def test_what_the_proposal_states_can_fail_it(rule_id: str, change: tuple[str, str, Any]) -> None:
    section, key, value = change
    verdict = _assess(lambda d: d[section].__setitem__(key, value))
    finding = _one(verdict, rule_id)
    assert finding.status is S.NOT_MET and finding.basis is B.CONTRARY
    assert verdict.outcome is sr.Outcome.NOT_ACCEPTABLE
    assert finding not in verdict.to_add


def test_an_empty_list_is_a_statement_and_a_left_out_one_is_not() -> None:
    def severe(mitigations: list[str] | None) -> Callable[[dict[str, Any]], None]:
        def change(d: dict[str, Any]) -> None:
            risk = d["risks"][0]
            risk.update(likelihood="probable", severity="severe")
            if mitigations is None:
                risk.pop("mitigations", None)
            else:
                risk["mitigations"] = mitigations

        return change

    stated_none = _one(_assess(severe([])), "proportionate.serious-risks-mitigated")
    left_out = _one(_assess(severe(None)), "proportionate.serious-risks-mitigated")
    assert stated_none.status is left_out.status is S.NOT_MET
    assert stated_none.basis is B.CONTRARY
    assert left_out.basis is B.MISSING


def test_an_item_that_does_not_say_how_identifiable_it_is_needs_a_reason() -> None:
    # regression: an item with no identifiability met identified-data-needed
    def change(d: dict[str, Any]) -> None:
        item = d["data_items"][0]
        item.pop("identifiability")
        item.pop("identifiability_reason")

    finding = _one(_assess(change), "proportionate.identified-data-needed")
    assert finding.status is S.NOT_MET and finding.basis is B.MISSING
    assert "$.data_items[0].identifiability" in finding.paths


def test_no_data_items_meets_no_item_rule() -> None:
    # regression: data_items: [] met every "each item" rule vacuously
    verdict = _assess(lambda d: d.__setitem__("data_items", []))
    for rule_id in (
        "proportionate.data-items-justified",
        "proportionate.identified-data-needed",
        "proportionate.identifiability-stated",
    ):
        finding = _one(verdict, rule_id)
        assert finding.status is S.NOT_MET and finding.basis is B.CONTRARY, rule_id
        assert finding.paths == ("$.data_items",), rule_id
    assert verdict.outcome is sr.Outcome.NOT_ACCEPTABLE


def test_a_named_law_can_be_added_to_a_public_task_basis() -> None:
    verdict = _assess(lambda d: d["legal_basis"].pop("statutory_gateway"))
    finding = _one(verdict, "purposeful.lawful-basis")
    assert finding.status is S.NOT_MET and finding.basis is B.MISSING
    assert verdict.outcome is sr.Outcome.INSUFFICIENT_INFORMATION


def test_an_unjustified_item_is_missing_its_justification() -> None:
    verdict = _assess(lambda d: d["data_items"][1].pop("justification"))
    finding = _one(verdict, "proportionate.data-items-justified")
    assert finding.basis is B.MISSING
    assert finding.paths == ("$.data_items[1].justification",)


# ----------------------------------------------------------------------- every format


def test_every_report_says_add_this_or_change_this() -> None:
    def change(d: dict[str, Any]) -> None:
        d["governance"].pop("review_date")
        d["purpose"]["onward_sharing"] = "permitted"

    verdict = _assess(change)
    text = sr.render_text(verdict)
    assert "responsible.review-date  [blocking, missing: add this]" in text
    assert "proportionate.onward-sharing-restricted  [blocking, contrary: change this]" in text
    markdown = sr.render_markdown(verdict)
    assert "missing: add this" in markdown and "contrary: change this" in markdown
    page = sr.render_html(verdict)
    assert 'data-rule-id="responsible.review-date" data-status="not_met" data-basis="missing"' in (
        page
    )
    assert 'data-basis="contrary"' in page
    data = json.loads(verdict.to_json())
    bases = {f["rule_id"]: f.get("basis", "(left out)") for f in data["findings"]}
    assert bases["responsible.review-date"] == "missing"
    assert bases["proportionate.onward-sharing-restricted"] == "contrary"
    assert bases["purposeful.purpose-stated"] == "(left out)"  # met: no basis, not written


def test_a_verdict_stored_before_the_basis_still_loads() -> None:
    verdict = _assess(lambda d: d["governance"].pop("review_date"))
    data = json.loads(json.dumps(_v1_dict(verdict)))  # as written then (schema_version 1)
    for finding in data["findings"]:
        del finding["basis"]
    for result in (*data["tests"].values(), *data["features"].values()):
        for finding in result["findings"]:
            del finding["basis"]
    old = sr.verdict_from_dict(data)
    assert all(f.basis is None for f in old.findings)
    assert [f.rule_id for f in old.unmet] == [f.rule_id for f in verdict.unmet]


@given(srs.proposals())
def test_the_basis_names_what_to_add_or_what_to_change(proposal: sr.Proposal) -> None:
    """A missing finding names a field that is not stated; a contrary one names a stated
    value that fails (when the rule reads any); met, unknown and not-applicable findings
    have no basis."""

    def unstated(detail: sr.Detail) -> bool:
        actual = detail.actual
        return actual is None or (isinstance(actual, str) and actual.endswith("(not an answer)"))

    for finding in sr.assess(proposal).findings:
        if finding.status is not S.NOT_MET:
            assert finding.basis is None, finding.rule_id
        elif finding.basis is B.MISSING:
            assert any(unstated(d) for d in finding.details), finding
        else:
            assert finding.basis is B.CONTRARY
            assert not finding.details or not all(unstated(d) for d in finding.details), finding


def test_a_criterion_that_may_not_apply_asks_for_what_decides_it(tmp_path: Path) -> None:
    """Not met on a stated "no", but whether it applies at all is not stated: stating that
    could make it not apply, so it is missing, and the details name that field."""
    import yaml

    folder = tmp_path / "local"
    folder.mkdir()
    head = {"id": "local", "version": "1", "title": "Local", "description": "Local policy."}
    (folder / "pack.yaml").write_text(yaml.safe_dump(head), encoding="utf-8")
    rule = {
        "id": "local.dpo-for-automated-decisions",
        "version": 1,
        "title": "Where decisions are automated, was the DPO consulted?",
        "test": "responsible",
        "features": [5],
        "severity": "blocking",
        "when": {"fact": "sharing.automated_decisions", "ne": False},
        "requires": ["governance.dpo_consulted"],
        "condition": {"fact": "governance.dpo_consulted", "eq": True},
        "messages": {"met": "Yes.", "not_met": "No.", "unknown": "Not stated."},
        "remedy": "Consult the DPO.",
        "sources": ["Local policy"],
    }
    (folder / "local.yaml").write_text(yaml.safe_dump({"rules": [rule]}), encoding="utf-8")
    pack = sr.load_rules(folder)
    proposal = {"id": "x", "title": "t", "governance": {"dpo_consulted": False}}
    finding = _one(sr.assess(proposal, rules=pack), rule["id"])
    assert finding.status is S.NOT_MET and finding.basis is B.MISSING
    assert "$.sharing.automated_decisions" in finding.paths
    proposal["sharing"] = {"automated_decisions": True}
    stated = _one(sr.assess(proposal, rules=pack), rule["id"])
    assert stated.basis is B.CONTRARY
    assert stated.paths == ("$.governance.dpo_consulted",)
