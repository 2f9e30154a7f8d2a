"""The outcome logic on hand-made findings, and the verdict's JSON shape."""

from __future__ import annotations

import json

import pytest

import sharing_rules as sr
from sharing_rules._verdict import decide

TESTS = {"purposeful": "Purposeful", "proportionate": "Proportionate", "responsible": "Responsible"}
FEATURES = {1: "One", 2: "Two"}
S = sr.Status


def _f(
    test: str, status: sr.Status, severity: str = "blocking", features: tuple[int, ...] = (1,)
) -> sr.Finding:
    return sr.Finding(
        rule_id=f"{test}.{status.value}.{severity}",
        rule_version="1",
        title="?",
        test=test,
        features=features,
        severity=severity,
        status=status,
        message="m",
    )


def _met_everywhere() -> list[sr.Finding]:
    return [_f(t, S.MET, features=(1, 2)) for t in TESTS]


@pytest.mark.parametrize(
    ("extra", "outcome", "tests"),
    [
        ([], sr.Outcome.ACCEPTABLE, ("met", "met", "met")),
        ([_f("proportionate", S.NOT_MET)], sr.Outcome.NOT_ACCEPTABLE, ("met", "not_met", "met")),
        (
            [_f("responsible", S.UNKNOWN)],
            sr.Outcome.INSUFFICIENT_INFORMATION,
            ("met", "met", "undetermined"),
        ),
        (
            [_f("responsible", S.UNKNOWN), _f("purposeful", S.NOT_MET)],
            sr.Outcome.NOT_ACCEPTABLE,
            ("not_met", "met", "undetermined"),
        ),
        (
            [_f("purposeful", S.NOT_MET, "advisory")],
            sr.Outcome.ACCEPTABLE_WITH_CONDITIONS,
            ("met", "met", "met"),
        ),
        (
            [_f("purposeful", S.UNKNOWN, "advisory")],
            sr.Outcome.ACCEPTABLE_WITH_CONDITIONS,
            ("met", "met", "met"),
        ),
        ([_f("purposeful", S.NOT_APPLICABLE)], sr.Outcome.ACCEPTABLE, ("met", "met", "met")),
    ],
)
def test_outcome_table(
    extra: list[sr.Finding], outcome: sr.Outcome, tests: tuple[str, str, str]
) -> None:
    got, test_results, _ = decide(_met_everywhere() + extra, TESTS, FEATURES)
    assert got is outcome
    assert tuple(r.status.value for r in test_results.values()) == tests


def test_feature_not_demonstrated_makes_conditions() -> None:
    findings = [*_met_everywhere(), _f("purposeful", S.NOT_MET, "advisory", features=(2,))]
    outcome, _, features = decide(findings, TESTS, FEATURES)
    assert features[1].status is sr.FeatureStatus.DEMONSTRATED
    assert features[2].status is sr.FeatureStatus.NOT_DEMONSTRATED
    assert outcome is sr.Outcome.ACCEPTABLE_WITH_CONDITIONS


def test_no_criteria_is_not_evidence() -> None:
    outcome, tests, features = decide([_f("purposeful", S.MET)], TESTS, FEATURES)
    assert tests["proportionate"].status is sr.TestStatus.UNDETERMINED
    assert features[2].status is sr.FeatureStatus.UNDETERMINED
    assert outcome is sr.Outcome.INSUFFICIENT_INFORMATION


def test_unmet_lists_blocking_first() -> None:
    verdict = sr.assess("examples/gang-list-schools.yaml")
    severities = [f.severity for f in verdict.unmet]
    assert severities == sorted(severities, key=lambda s: s != "blocking")
    assert all(f.status is S.NOT_MET for f in verdict.unmet)


def test_json_shape_and_round_trip() -> None:
    verdict = sr.assess("examples/gp-research-tre.yaml")
    data = json.loads(verdict.to_json())
    assert set(data) == {
        "outcome",
        "tests",
        "features",
        "findings",
        "derived",
        "proposal_id",
        "proposal_digest",
        "rule_pack",
        "library_version",
        "assessed_at",
        "schema_version",
        "as_of",
    }
    assert set(data["features"]) == {"1", "2", "3", "4", "5"}
    assert data["assessed_at"] is None
    assert data["rule_pack"]["digest"] == sr.load_rules().digest
    assert sr.verdict_from_dict(data) == verdict
    stamped = sr.assess("examples/gp-research-tre.yaml", timestamp=True)
    assert stamped.assessed_at is not None and stamped.assessed_at.endswith("+00:00")
