"""The assessment's fast path gives what the plain algorithms give: the outcome logic
prepared per pack, and the proposal digest written by the C JSON encoder."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sharing_rules as sr
from sharing_rules import _digest
from sharing_rules._explain import Explainer
from sharing_rules._facts import PROPOSAL_KEY, build_facts, reference_facts
from sharing_rules._load import proposal_to_dict
from sharing_rules._verdict import (
    Basis,
    Decider,
    FeatureResult,
    FeatureStatus,
    Finding,
    Outcome,
    Status,
    TestResult,
    TestStatus,
    decide,
)
from sharing_rules.strategies import proposals

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))
AS_OF = dt.date(2026, 11, 29)


def _old_decide(
    findings: Sequence[Finding], tests: Mapping[str, str], features: Mapping[int, str]
) -> tuple[Outcome, dict[str, TestResult], dict[int, FeatureResult]]:
    """``decide`` as it was before it was prepared per pack (b28fac4), kept as the oracle."""
    by_test: dict[str, list[Finding]] = {test: [] for test in tests}
    by_feature: dict[int, list[Finding]] = {number: [] for number in features}
    failed: set[Any] = set()
    gapped: set[Any] = set()
    advisory_gap = False
    for f in findings:
        unmet = f.status is Status.NOT_MET
        gap = unmet or f.status is Status.UNKNOWN
        fail = unmet and f.basis is not Basis.MISSING
        mark = failed if fail else gapped if gap else None
        mine = by_test.get(f.test)
        if mine is not None:
            mine.append(f)
        if f.severity == "blocking":
            if mark is not None:
                mark.add(("t", f.test))
        elif gap:
            advisory_gap = True
        for number in f.features:
            listed = by_feature.get(number)
            if listed is not None:
                listed.append(f)
            if mark is not None:
                mark.add(("f", number))
    test_results = {}
    for test, name in tests.items():
        if ("t", test) in failed:
            status = TestStatus.NOT_MET
        elif not by_test[test] or ("t", test) in gapped:
            status = TestStatus.UNDETERMINED
        else:
            status = TestStatus.MET
        test_results[test] = TestResult(test, name, status, tuple(by_test[test]))
    feature_results = {}
    for number, name in features.items():
        if ("f", number) in failed:
            fstatus = FeatureStatus.NOT_DEMONSTRATED
        elif not by_feature[number] or ("f", number) in gapped:
            fstatus = FeatureStatus.UNDETERMINED
        else:
            fstatus = FeatureStatus.DEMONSTRATED
        feature_results[number] = FeatureResult(number, name, fstatus, tuple(by_feature[number]))
    test_statuses = {r.status for r in test_results.values()}
    if TestStatus.NOT_MET in test_statuses:
        outcome = Outcome.NOT_ACCEPTABLE
    elif TestStatus.UNDETERMINED in test_statuses:
        outcome = Outcome.INSUFFICIENT_INFORMATION
    elif advisory_gap or any(
        r.status is not FeatureStatus.DEMONSTRATED for r in feature_results.values()
    ):
        outcome = Outcome.ACCEPTABLE_WITH_CONDITIONS
    else:
        outcome = Outcome.ACCEPTABLE
    return outcome, test_results, feature_results


@st.composite
def _findings(draw: st.DrawFn) -> Finding:
    status = draw(st.sampled_from(Status))
    basis = draw(st.sampled_from([None, *Basis])) if status is Status.NOT_MET else None
    return Finding(
        rule_id=f"r{draw(st.integers(0, 10**6))}",
        rule_version="1",
        title="t",
        test=draw(st.sampled_from(["purposeful", "proportionate", "other"])),
        features=tuple(draw(st.sets(st.integers(1, 4), max_size=3))),
        severity=draw(st.sampled_from(["blocking", "advisory"])),
        status=status,
        message="m",
        basis=basis,
    )


# Tests and features named by the mapping or not, and some with no criteria at all
# ("responsible", feature 5), as a pack may leave them.
_TESTS = st.dictionaries(
    st.sampled_from(["purposeful", "proportionate", "responsible"]), st.just("T"), max_size=3
)
_FEATURES = st.dictionaries(st.sampled_from([1, 2, 3, 5]), st.just("F"), max_size=4)


@given(st.lists(_findings(), max_size=12), _TESTS, _FEATURES)
def test_decide_gives_what_the_old_algorithm_gives(
    findings: list[Finding], tests: dict[str, str], features: dict[int, str]
) -> None:
    assert decide(findings, tests, features) == _old_decide(findings, tests, features)


@given(st.lists(_findings(), min_size=1, max_size=12), _TESTS, _FEATURES, st.data())
def test_a_decider_prepared_once_serves_any_findings_of_its_layout(
    findings: list[Finding], tests: dict[str, str], features: dict[int, str], data: st.DataObject
) -> None:
    decider = Decider([(f.test, f.features, f.blocking) for f in findings], tests, features)
    # Same layout (test, features, severity), other statuses: the decider is reused.
    again = [
        Finding(
            **{
                **{a: getattr(f, a) for a in ("rule_id", "rule_version", "title", "test")},
                "features": f.features,
                "severity": f.severity,
                "message": "m",
                "status": (s := data.draw(st.sampled_from(Status))),
                "basis": data.draw(st.sampled_from([None, *Basis]))
                if s is Status.NOT_MET
                else None,
            }
        )
        for f in findings
    ]
    for batch in (findings, again):
        assert decider(batch) == _old_decide(batch, tests, features)


def test_a_decider_refuses_findings_of_another_length() -> None:
    decider = Decider([("purposeful", (1,), True)], {"purposeful": "Purposeful"}, {1: "One"})
    with pytest.raises(ValueError, match="2 findings for a layout of 1"):
        decider([_one(), _one()])


def _one() -> Finding:
    return Finding("r", "1", "t", "purposeful", (1,), "blocking", Status.MET, "m")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_assessors_prepared_decider_matches_the_old_algorithm(path: Path) -> None:
    assessor = sr.Assessor()
    verdict = assessor.assess(path, as_of=AS_OF)
    outcome, tests, features = _old_decide(verdict.findings, assessor._tests, assessor._features)
    assert (verdict.outcome, dict(verdict.tests), dict(verdict.features)) == (
        outcome,
        tests,
        features,
    )


def _written(doc: dict[str, Any]) -> str:
    """A fact document as text that tells key order, and ``True`` from ``1`` and ``1.0``."""
    facts = {k: v for k, v in doc.items() if k != PROPOSAL_KEY}
    return json.dumps(facts, default=repr)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_fact_builder_gives_the_reference_document_on_examples(path: Path) -> None:
    proposal = sr.load_proposal(path)
    built, expected = build_facts(proposal, AS_OF), reference_facts(proposal, AS_OF)
    assert built[PROPOSAL_KEY] is proposal
    assert next(iter(built)) == PROPOSAL_KEY == next(iter(expected))
    assert _written(built) == _written(expected)


@given(proposals(), st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)))
def test_the_fact_builder_gives_the_reference_document_on_generated_proposals(
    proposal: sr.Proposal, as_of: dt.date
) -> None:
    assert _written(build_facts(proposal, as_of)) == _written(reference_facts(proposal, as_of))


def test_the_fact_builder_reads_non_answers_and_absent_sections_as_unstated() -> None:
    proposal = sr.load_proposal(
        {
            "id": "X-1",
            "title": "Only a title",
            "purpose": {"statement": "N/A", "objectives": ["TBC"]},
            "data_items": [{"name": "Address", "justification": "-"}],
        }
    )
    doc = build_facts(proposal, AS_OF)
    assert doc["purpose"]["statement"] is None  # a non-answer is not an answer
    assert doc["purpose"]["objectives_count"] is None  # every entry a non-answer
    assert doc["governance"]["accountable_owner"] is None  # the section is left out
    assert doc["transparency"]["engagement_done"] is None  # two levels down, left out
    assert doc["data_items"] == [
        {
            "name": "Address",
            "category": None,
            "special_category": None,
            "criminal_offence": None,
            "identifiability": None,
            "justified": None,
            "identifiability_reason_given": None,
            "collected_in": None,
            "reliable": None,
        }
    ]
    assert doc["risks"] == [] and doc["count"]["risks"] is None


def _old_digest(proposal: sr.Proposal) -> str:
    """The digest as 0.x computed it: the dict, then its compact JSON, then SHA-256."""
    text = json.dumps(proposal_to_dict(proposal), ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_digest_writers_fall_back_on_values_of_other_types_as_before() -> None:
    # The model's checks keep these types out; a value forced in (bypassing them) is still
    # written as the generic writer (and 0.x) wrote it, not dropped or mangled.
    proposal = sr.load_proposal(EXAMPLES[0])
    purpose, resources = proposal.purpose, proposal.resources
    assert purpose is not None and resources is not None
    object.__setattr__(purpose, "statement", 42)  # text field holding a number
    object.__setattr__(purpose, "objectives", (1, "two", True))  # texts holding others
    object.__setattr__(purpose, "compatible_with_original", 1)  # flag holding 1
    object.__setattr__(resources, "staff_days", 2.5)  # number fields as floats
    object.__setattr__(resources, "cost_gbp", 3)
    assert sr.proposal_digest(proposal) == _old_digest(proposal)
    written = _digest._json(proposal)
    assert '"statement":42' in written and '"objectives":[1,"two",true]' in written
    assert '"compatible_with_original":1' in written and '"staff_days":2.5' in written


def test_each_model_class_has_a_writer_that_leaves_out_only_unstated_fields() -> None:
    proposal = sr.load_proposal({"id": "X-2", "title": "T", "parties": [{"name": "A"}]})
    assert _digest._WRITERS[type(proposal)](proposal) == (
        '{"id":"X-2","title":"T","parties":[{"name":"A"}]}'
    )
    assert sr.proposal_digest(proposal) == _old_digest(proposal)


class _ShortEngine:
    """An engine that gives one status too few: no finding may go unexplained."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def evaluate(self, doc: dict[str, Any]) -> tuple[Any, list[Status], Any]:
        derived, statuses, full = self.real.evaluate(doc)
        return derived, statuses[:-1], full


def test_a_status_missing_from_the_engine_fails_closed() -> None:
    assessor = sr.Assessor()
    assessor._engine = _ShortEngine(assessor._engine)  # type: ignore[assignment]
    with pytest.raises(sr.AssessmentError, match=r"could not explain.*statuses for"):
        assessor.assess(EXAMPLES[0], as_of=AS_OF)


def test_an_explanation_that_fails_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    assessor = sr.Assessor()

    def broken(self: Any, status: Status, doc: Any) -> Finding:
        raise KeyError("no such fact")

    monkeypatch.setattr(Explainer, "explain", broken)
    with pytest.raises(sr.AssessmentError, match="could not explain the findings"):
        assessor.assess(EXAMPLES[0], as_of=AS_OF)
