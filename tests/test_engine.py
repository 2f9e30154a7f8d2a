"""The durable-rules engine against the reference evaluator, threads, isolation, failure."""

from __future__ import annotations

import random
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sharing_rules as sr
from sharing_rules import _engine
from sharing_rules._engine import DurableEngine
from sharing_rules._facts import FACTS, LISTS, Fact, build_facts
from sharing_rules._reference import reference_statuses

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))
PACK = sr.load_rules()
ENGINE = DurableEngine(PACK)


def _values(fact: Fact) -> st.SearchStrategy[Any]:
    """Values of a fact's kind, biased to the boundaries rules test (and unstated)."""
    if fact.values is not None:
        scalar: st.SearchStrategy[Any] = st.sampled_from(fact.values)
    elif fact.kind == "boolean":
        scalar = st.booleans()
    elif fact.kind == "integer":
        scalar = st.sampled_from(
            [0, 1, 2, 11, 12, 13, 365, 2555, 2556, 4999, 5000, 5001]
        ) | st.integers(0, 10**6)
    elif fact.kind == "number":
        scalar = st.sampled_from([0, 0.5, 1, 1000.0]) | st.floats(0.01, 1e7) | st.integers(0, 10**6)
    elif fact.kind == "date":
        scalar = st.dates().map(lambda d: d.isoformat())
    else:
        scalar = st.text(min_size=1, max_size=8)
    return st.none() | scalar


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if rest:
        _set(doc.setdefault(head, {}), rest, value)
    else:
        doc[head] = value


@st.composite
def fact_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Arbitrary fact documents: every fact of the vocabulary, any value of its kind."""
    doc: dict[str, Any] = {}
    for fact in FACTS:
        _set(doc, fact.path, draw(_values(fact)))
    for lst in LISTS:
        items = draw(
            st.none()
            | st.lists(st.fixed_dictionaries({f.path: _values(f) for f in lst.items}), max_size=4)
        )
        doc[lst.path] = items or []
        _set(doc, lst.count, None if items is None else len(items))
    return doc


def _agree(doc: Mapping[str, Any]) -> None:
    expected = reference_statuses(PACK, doc)
    actual = ENGINE.run(doc)
    assert actual[0] == expected[0], "derived facts differ"
    diffs = [
        (r.id, a, e) for r, a, e in zip(PACK.rules, actual[1], expected[1], strict=True) if a != e
    ]
    assert not diffs, diffs


@settings(max_examples=1000, deadline=None)
@given(fact_documents())
def test_engine_agrees_with_reference_evaluator(doc: dict[str, Any]) -> None:
    _agree(doc)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_engine_agrees_on_examples(path: Path) -> None:
    _agree(build_facts(sr.load_proposal(path)))


def test_same_json_twice_and_after_others() -> None:
    assessor = sr.Assessor(PACK)
    first = [assessor.assess(p).to_json() for p in EXAMPLES]
    again = [assessor.assess(p).to_json() for p in reversed(EXAMPLES)][::-1]
    fresh = [sr.Assessor(sr.load_rules()).assess(p).to_json() for p in EXAMPLES]
    assert first == again == fresh


def test_threads_give_the_serial_verdicts() -> None:
    assessor = sr.Assessor(PACK)
    proposals = [sr.load_proposal(p) for p in EXAMPLES]
    serial = {p.id: assessor.assess(p).to_json() for p in proposals}
    jobs = [random.Random(i).choice(proposals) for i in range(8 * 500)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda p: (p.id, assessor.assess(p).to_json()), jobs))
    assert len(results) == 4000
    assert all(serial[pid] == text for pid, text in results)


def test_two_assessors_do_not_see_each_others_rules(tmp_path: Path) -> None:
    local = tmp_path / "local"
    local.mkdir()
    (local / "pack.yaml").write_text("id: local\nversion: '1'\ntitle: L\ndescription: D\n")
    (local / "rules.yaml").write_text("""
rules:
  - id: local.not-daily
    version: 1
    title: Is the sharing less often than daily?
    test: responsible
    features: [5]
    severity: blocking
    condition: {fact: sharing.frequency, ne: daily}
    messages: {met: Not daily., not_met: Daily., unknown: Unknown.}
    remedy: Share less often.
    sources: [Local policy]
""")
    plain = sr.Assessor(PACK)
    extended = sr.Assessor(sr.load_rules(local))
    proposal = EXAMPLES[0]
    ids_plain = {f.rule_id for f in plain.assess(proposal).findings}
    ids_extended = {f.rule_id for f in extended.assess(proposal).findings}
    assert ids_extended - ids_plain == {"local.not-daily"}
    assert "local.not-daily" not in ids_plain
    assert extended.rules.digest != plain.rules.digest


def test_engine_failure_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    assessor = sr.Assessor(PACK)

    def broken(handle: int, facts: str) -> Any:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(_engine._dr, "assert_facts", broken)
    with pytest.raises(sr.AssessmentError, match="engine exploded"):
        assessor.assess(EXAMPLES[0])


def test_missing_sentinel_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    assessor = sr.Assessor(PACK)
    real = _engine._dr.start_action_for_state

    def drop_first(handle: int, state: int) -> Any:
        real(handle, state)  # start and discard the first action (the sentinel or another)
        return None

    monkeypatch.setattr(_engine._dr, "start_action_for_state", drop_first)
    with pytest.raises(sr.AssessmentError):
        assessor.assess(EXAMPLES[0])


def test_conflicting_statuses_fail_closed() -> None:
    engine = DurableEngine(PACK)
    with pytest.raises(sr.AssessmentError) as info:
        engine._statuses(["r0u", "r0n"])
    assert info.value.rule_id == PACK.rules[0].id


def test_sessions_are_deleted() -> None:
    engine = DurableEngine(PACK)
    doc = build_facts(sr.load_proposal(EXAMPLES[0]))
    for _ in range(1500):  # more than the engine's 1,024 live sessions per ruleset
        engine.run(doc)
    with pytest.raises(Exception, match="error code"):
        _engine._dr.get_state(engine._handle, "1")


def test_assess_reuses_the_compiled_pack_per_digest() -> None:
    from sharing_rules import _assess

    pack = sr.load_rules(disable=[PACK.rules[0].id])
    sr.assess(EXAMPLES[0], rules=pack)
    first = _assess._assessors[pack.digest]
    sr.assess(EXAMPLES[1], rules=sr.load_rules(disable=[PACK.rules[0].id]))
    assert _assess._assessors[pack.digest] is first
