"""The substantive criteria (rules/framework/substance.yaml) and the facts they read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

import sharing_rules as sr
from sharing_rules import strategies as srs
from sharing_rules._facts import build_facts

ROOT = Path(__file__).resolve().parent.parent
SUBSTANCE = [
    rule["id"]
    for rule in yaml.safe_load((ROOT / "rules/framework/substance.yaml").read_text())["rules"]
]
ASSESSOR = sr.Assessor(sr.load_rules())


def _facts(**sections: Any) -> dict[str, Any]:
    return build_facts(sr.proposal_from_dict({"id": "p", "title": "t", **sections}))


def _status(rule_id: str, **sections: Any) -> sr.Status:
    verdict = ASSESSOR.assess({"id": "p", "title": "t", **sections})
    return next(f.status for f in verdict.findings if f.rule_id == rule_id)


def test_kinds_and_decisions_are_three_valued_facts() -> None:
    unstated = _facts()["purpose"]
    assert unstated["kind"]["enforcement"] is None
    assert unstated["decision"]["sanction"] is None
    assert unstated["adverse_decisions"] is None
    stated = _facts(purpose={"kinds": ["research"], "decisions": []})["purpose"]
    assert stated["kind"] == {k.value: k is sr.PurposeKind.RESEARCH for k in sr.PurposeKind}
    assert stated["decision"] == {k.value: False for k in sr.DecisionKind}
    assert stated["population_only"] is True
    assert stated["adverse_decisions"] is False


def test_eligibility_alone_is_not_a_decision_against_a_person() -> None:
    assert _facts(purpose={"decisions": ["eligibility"]})["purpose"]["adverse_decisions"] is False
    assert (
        _facts(purpose={"decisions": ["eligibility", "denial_of_service"]})["purpose"][
            "adverse_decisions"
        ]
        is True
    )


@pytest.mark.parametrize(
    ("sharing", "subjects", "expected"),
    [
        ({}, {}, None),
        ({"case_by_case": False}, {}, True),
        ({"informal": True}, {}, True),
        ({}, {"whole_population": True}, True),
        ({"case_by_case": True}, {}, None),  # whole population not stated
        ({"case_by_case": True}, {"whole_population": False}, False),
        ({"case_by_case": True, "informal": True}, {"whole_population": False}, True),
    ],
)
def test_wholesale_sharing_is_true_when_any_sign_is_stated_and_false_only_when_ruled_out(
    sharing: dict[str, Any], subjects: dict[str, Any], expected: bool | None
) -> None:
    assert _facts(sharing=sharing, data_subjects=subjects)["sharing"]["wholesale"] is expected


@pytest.mark.parametrize(
    ("items", "review", "expected"),
    [
        ([{"name": "a", "reliable": False}], None, None),
        ([{"name": "a", "reliable": False}], False, False),
        ([{"name": "a", "reliable": False}], True, True),
        ([{"name": "a", "reliable": True}], None, True),
        ([{"name": "a"}], False, None),
        (None, None, None),
    ],
)
def test_data_fit_for_decisions(items: Any, review: bool | None, expected: bool | None) -> None:
    sections: dict[str, Any] = {"sharing": {"human_review": review} if review is not None else {}}
    if items is not None:
        sections["data_items"] = items
    assert _facts(**sections)["data"]["fit_for_decisions"] is expected


def test_serious_harm_needs_a_rating_to_be_ruled_out() -> None:
    def serious(*risks: dict[str, str]) -> bool | None:
        data = [{"description": "r", **r} for r in risks]
        return _facts(risks=data)["harm"]["any_serious"]  # type: ignore[no-any-return]

    assert serious({"severity": "severe"}) is True
    assert serious({"severity": "significant", "likelihood": "probable"}) is True
    assert serious({"severity": "significant", "likelihood": "possible"}) is False
    assert serious({"severity": "minimal"}) is False
    assert serious({"severity": "significant"}) is None
    assert serious({"likelihood": "remote"}) is None
    assert serious({"likelihood": "remote"}, {"severity": "severe"}) is True


def test_statutory_fraud_matching_under_a_code_is_not_rejected_for_its_kind() -> None:
    """The legitimate shape of fraud control: a match is investigated before any action."""
    sections = {
        "purpose": {"kinds": ["fraud_or_error"], "decisions": ["sanction", "denial_of_service"]},
        "data_items": [{"name": "Payroll record", "collected_in": "public_service"}],
        "sharing": {"case_by_case": False, "human_review": True, "profiling": False},
        "legal_basis": {"clear_law_with_safeguards": True},
    }
    statuses = {rule: _status(rule, **sections) for rule in SUBSTANCE}
    assert sr.Status.NOT_MET not in statuses.values(), statuses
    assert statuses["proportionate.decisions-on-reliable-data"] is sr.Status.MET
    assert statuses["proportionate.wholesale-sharing-in-accordance-with-law"] is sr.Status.MET


def test_care_data_used_for_safeguarding_is_not_function_creep() -> None:
    sections = {
        "purpose": {"kinds": ["safeguarding", "individual_service"]},
        "data_items": [{"name": "Plan type", "collected_in": "social_care"}],
    }
    assert _status("purposeful.not-turned-against-people", **sections) is sr.Status.MET
    sections["purpose"] = {"kinds": ["safeguarding", "enforcement"]}
    assert _status("purposeful.not-turned-against-people", **sections) is sr.Status.NOT_MET


@pytest.mark.parametrize("rule_id", SUBSTANCE)
def test_the_strategies_build_proposals_that_fail_each_substantive_rule(rule_id: str) -> None:
    @settings(
        max_examples=5,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(srs.proposals(failing_rule=rule_id))
    def check(proposal: sr.Proposal) -> None:
        statuses = {f.rule_id: f.status for f in ASSESSOR.assess(proposal).findings}
        assert statuses[rule_id] is sr.Status.NOT_MET

    check()
