"""What the fast paths must keep: the digest, reused findings and reused engine sessions."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings

import sharing_rules as sr
from sharing_rules import _engine
from sharing_rules._engine import SESSION_USES, DurableEngine
from sharing_rules._explain import Explainer
from sharing_rules._facts import build_facts
from sharing_rules._load import proposal_to_dict
from sharing_rules._reference import reference_statuses
from sharing_rules._verdict import Status
from sharing_rules.strategies import proposals

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))
PACK = sr.load_rules()
ASSESSOR = sr.Assessor(PACK)


def _old_digest(proposal: sr.Proposal) -> str:
    """The digest as 0.x computed it: the dict, then its compact JSON, then SHA-256."""
    text = json.dumps(proposal_to_dict(proposal), ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_digest_is_the_old_digest_on_examples(path: Path) -> None:
    proposal = sr.load_proposal(path)
    assert sr.proposal_digest(proposal) == _old_digest(proposal)


@given(proposals())
def test_the_digest_is_the_old_digest_on_generated_proposals(proposal: sr.Proposal) -> None:
    assert sr.proposal_digest(proposal) == _old_digest(proposal)


def test_the_digest_writes_non_ascii_text_and_numbers_as_before() -> None:
    base = proposal_to_dict(sr.load_proposal(EXAMPLES[0]))
    data = {**base, "title": 'Café "quoted" \\ line\nnext \u2028 ✓'}
    data["resources"] = {"cost_gbp": 1234.5, "staff_days": 3, "expected_savings_gbp": 1e14}
    proposal = sr.load_proposal(data)
    assert sr.proposal_digest(proposal) == _old_digest(proposal)
    other = sr.load_proposal({**data, "title": "Cafe"})
    assert sr.proposal_digest(other) != sr.proposal_digest(proposal)


def _uncached() -> sr.Assessor:
    assessor = sr.Assessor(PACK)
    for explainer in assessor._explainers:
        explainer.shown = {}  # every finding built afresh
        for template in explainer.templates.values():
            template.shown = None
    return assessor


UNCACHED = _uncached()


@settings(max_examples=25)
@given(proposals())
def test_reused_findings_equal_findings_built_afresh(proposal: sr.Proposal) -> None:
    for path in EXAMPLES:  # fill the shared assessor's caches with other proposals first
        ASSESSOR.assess(path, as_of=sr.load_proposal(path).created)
    as_of = proposal.created
    assert ASSESSOR.assess(proposal, as_of=as_of) == UNCACHED.assess(proposal, as_of=as_of)


def test_a_reused_finding_tells_values_of_different_types_apart() -> None:
    rule = PACK.rules[0]
    rule = attrs.evolve(
        rule, messages=attrs.evolve(rule.messages, met="Shown: {governance.dpia_reference}.")
    )
    explainer = Explainer(rule, PACK.vocabulary)
    shown = [
        explainer.explain(Status.MET, {"governance": {"dpia_reference": value}}).message
        for value in (True, 1, 1.0, "1", None, True)
    ]
    assert shown == [
        "Shown: yes.",
        "Shown: 1.",
        "Shown: 1.",
        "Shown: 1.",
        "Shown: not stated.",
        "Shown: yes.",
    ]


def test_a_reused_unknown_finding_quotes_what_this_proposal_says() -> None:
    rule = attrs.evolve(PACK.rules[0], requires=("governance.accountable_owner",), when=None)
    explainer = Explainer(rule, PACK.vocabulary)
    base = sr.load_proposal(EXAMPLES[0])
    details = []
    for owner in ("TBC", "N/A", "TBC", None):
        governance = attrs.evolve(base.governance, accountable_owner=owner)
        doc = build_facts(attrs.evolve(base, governance=governance))
        assert doc["governance"]["accountable_owner"] is None
        details.append(explainer.explain(Status.UNKNOWN, doc).details)
    assert [[d.actual for d in found] for found in details] == [
        ["TBC (not an answer)"],
        ["N/A (not an answer)"],
        ["TBC (not an answer)"],
        [None],
    ]
    assert all(d.path == "$.governance.accountable_owner" for found in details for d in found)


def test_a_session_serves_a_few_assessments_then_is_deleted() -> None:
    engine = DurableEngine(PACK)  # its self-check used and left sessions
    docs = [build_facts(sr.load_proposal(p)) for p in EXAMPLES]
    engine._uses = 0  # start a new session
    for n in range(SESSION_USES):
        doc = docs[n % len(docs)]
        assert engine.run(doc) == reference_statuses(PACK, doc)
        if n == 0:
            first = engine._sid
        if n < SESSION_USES - 1:
            assert _engine._dr.get_state(engine._handle, first)  # still there, reused
    with pytest.raises(Exception, match="error code"):
        _engine._dr.get_state(engine._handle, first)


def test_the_same_document_twice_in_one_session_fires_again() -> None:
    """Facts stay in a session: the second assertion of an equal document must still be a
    new fact (its number differs), or durable-rules would refuse it as already observed."""
    engine = DurableEngine(PACK)
    engine._uses = 0
    doc = build_facts(sr.load_proposal(EXAMPLES[0]))
    expected = reference_statuses(PACK, doc)
    assert [engine.run(doc) for _ in range(3)] == [expected] * 3
