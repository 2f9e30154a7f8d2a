"""The durable-rules engine against the reference evaluator, threads, isolation, failure."""

from __future__ import annotations

import random
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sharing_rules as sr
from sharing_rules import _engine
from sharing_rules._conditions import (
    PRESENCE_ONLY,
    All,
    AnyOf,
    Compare,
    Condition,
    Not,
    Quantified,
    facts_named,
)
from sharing_rules._engine import DurableEngine
from sharing_rules._facts import FACTS, LISTS, Fact, build_facts
from sharing_rules._network import MAX_STACK, stack_bound
from sharing_rules._reference import ReferenceEvaluator, reference_statuses
from sharing_rules._rules import Rule, RulePack
from sharing_rules._verdict import Status

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


# ------------------------------------------------ generated packs, differential testing


class _Evaluator(Protocol):
    def run(self, doc: Mapping[str, Any]) -> tuple[dict[str, bool | None], list[Status]]: ...


SCALARS = sorted(PACK.vocabulary.values(), key=lambda f: f.path)
NUMBERS = [0, 1, 2, 12, 365, 5000, 10**6]


def _compare(fact: Fact) -> st.SearchStrategy[Compare]:
    """A valid comparison on a fact (or an item field), of an operator its kind takes."""
    if fact.kind in PRESENCE_ONLY:
        return st.builds(Compare, st.just(fact.path), st.just("present"), st.booleans())
    if fact.values is not None:
        one = st.sampled_from(fact.values)
        return st.one_of(
            st.builds(Compare, st.just(fact.path), st.sampled_from(["eq", "ne"]), one),
            st.builds(
                Compare,
                st.just(fact.path),
                st.sampled_from(["in", "not_in"]),
                st.lists(one, min_size=1, max_size=3, unique=True).map(tuple),
            ),
        )
    if fact.kind == "boolean":
        return st.builds(Compare, st.just(fact.path), st.sampled_from(["eq", "ne"]), st.booleans())
    ops = ["eq", "ne", "lt", "le", "gt", "ge"]
    return st.builds(Compare, st.just(fact.path), st.sampled_from(ops), st.sampled_from(NUMBERS))


def _boolean(leaf: st.SearchStrategy[Condition], depth: int) -> st.SearchStrategy[Condition]:
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(All, st.lists(inner, min_size=1, max_size=4).map(tuple)),
            st.builds(AnyOf, st.lists(inner, min_size=1, max_size=4).map(tuple)),
            st.builds(Not, inner),
        ),
        max_leaves=depth,
    )


@st.composite
def _quantified(draw: st.DrawFn) -> Condition:
    lst = draw(st.sampled_from(LISTS))
    fields = draw(
        st.lists(st.sampled_from(lst.items), min_size=1, max_size=2, unique_by=lambda f: f.path)
    )
    where = draw(_boolean(st.one_of([_compare(f) for f in fields]), 3))
    return Quantified(draw(st.sampled_from(["any_item", "all_items", "no_item"])), lst.path, where)


CONDITIONS = _boolean(
    st.one_of(st.sampled_from(SCALARS).flatmap(_compare), _quantified()),
    8,
)


@st.composite
def _rule(draw: st.DrawFn, index: int) -> Rule:
    condition = draw(CONDITIONS)
    named = sorted({n for n in facts_named(condition) if n in PACK.vocabulary})
    requires = draw(st.lists(st.sampled_from(named), unique=True)) if named else []
    base = PACK.rules[index % len(PACK.rules)]
    return attrs.evolve(
        base,
        id=f"generated.r{index}",
        condition=condition,
        requires=tuple(requires),
        when=draw(st.none() | CONDITIONS),
    )


@st.composite
def generated_packs(draw: st.DrawFn, min_rules: int, max_rules: int) -> RulePack:
    """Rule packs of random criteria over the fact vocabulary (the framework's derivations)."""
    count = draw(st.integers(min_rules, max_rules))
    return attrs.evolve(PACK, rules=tuple(draw(_rule(i)) for i in range(count)))


def _disagreements(
    engine: _Evaluator, oracle: _Evaluator, docs: list[dict[str, Any]]
) -> list[tuple[int, Any, Any]]:
    return [
        (n, got, want)
        for n, doc in enumerate(docs)
        if (got := engine.run(doc)) != (want := oracle.run(doc))
    ]


@settings(max_examples=15, deadline=None)
@given(generated_packs(1, 12), st.lists(fact_documents(), min_size=8, max_size=8))
def test_engine_agrees_with_reference_on_generated_packs(
    pack: RulePack, docs: list[dict[str, Any]]
) -> None:
    assert not _disagreements(DurableEngine(pack), ReferenceEvaluator(pack), docs)


def _random_compare(rng: random.Random, fact: Fact) -> Compare:
    if fact.kind in PRESENCE_ONLY:
        return Compare(fact.path, "present", rng.random() < 0.5)
    if fact.values is not None:
        if rng.random() < 0.5:
            return Compare(fact.path, rng.choice(["eq", "ne"]), rng.choice(fact.values))
        values = tuple(rng.sample(fact.values, rng.randint(1, min(3, len(fact.values)))))
        return Compare(fact.path, rng.choice(["in", "not_in"]), values)
    if fact.kind == "boolean":
        return Compare(fact.path, rng.choice(["eq", "ne"]), rng.random() < 0.5)
    return Compare(fact.path, rng.choice(["eq", "ne", "lt", "le", "gt", "ge"]), rng.randint(0, 99))


def _random_condition(rng: random.Random, depth: int, item: list[Fact] | None = None) -> Condition:
    roll = rng.random()
    if depth and roll < 0.3:
        parts = tuple(_random_condition(rng, depth - 1, item) for _ in range(rng.randint(1, 4)))
        return All(parts) if rng.random() < 0.5 else AnyOf(parts)
    if depth and roll < 0.4:
        return Not(_random_condition(rng, depth - 1, item))
    if item is None and roll < 0.55:
        lst = rng.choice(LISTS)
        fields = rng.sample(list(lst.items), rng.randint(1, 2))
        kind = rng.choice(["any_item", "all_items", "no_item"])
        return Quantified(kind, lst.path, _random_condition(rng, 2, fields))
    return _random_compare(rng, rng.choice(item or SCALARS))


def _random_pack(seed: int, count: int) -> RulePack:
    """A large pack of random criteria (Hypothesis cannot draw this much data per example)."""
    rng = random.Random(seed)
    rules = []
    for index in range(count):
        condition = _random_condition(rng, 3)
        named = sorted({n for n in facts_named(condition) if n in PACK.vocabulary})
        rules.append(
            attrs.evolve(
                PACK.rules[index % len(PACK.rules)],
                id=f"generated.r{index}",
                condition=condition,
                requires=tuple(rng.sample(named, rng.randint(0, len(named)))),
                when=_random_condition(rng, 2) if rng.random() < 0.3 else None,
            )
        )
    return attrs.evolve(PACK, rules=tuple(rules))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_agrees_on_packs_past_the_old_limits(seed: int) -> None:
    """Packs this large made every assessment fail with error 303 before the network was
    spread out; now they assess, and agree with the reference evaluator."""
    pack = _random_pack(seed, 150)
    engine = DurableEngine(pack)
    assert stack_bound(engine.definition) <= MAX_STACK
    docs = [build_facts(sr.load_proposal(p)) for p in EXAMPLES]
    assert not _disagreements(engine, ReferenceEvaluator(pack), docs)


@settings(max_examples=10, deadline=None)
@given(st.lists(fact_documents(), min_size=5, max_size=5))
def test_a_large_random_pack_agrees_on_arbitrary_documents(docs: list[dict[str, Any]]) -> None:
    assert not _disagreements(LARGE, ReferenceEvaluator(LARGE._pack), docs)


LARGE = DurableEngine(_random_pack(4, 150))
