"""The engine on packs whose criteria read derived facts, and the engine's copy of facts.

Differential tests against the reference evaluator (derived facts first, then criteria), on
packs built to read derived facts: several derivations, one reading another's fact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sharing_rules as sr
import sharing_rules.strategies as srs
from sharing_rules._compile import Plan, compile_condition, target_for
from sharing_rules._conditions import All, AnyOf, Compare, Condition, Not, Quantified
from sharing_rules._engine import DurableEngine
from sharing_rules._facts import build_facts
from sharing_rules._reference import ReferenceEvaluator, reference_statuses
from sharing_rules._rules import RulePack

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))
PACK = sr.load_rules()
(DPIA,) = PACK.derivations
TEMPLATE = PACK.rules[0]

#: A second derivation over other facts, one reading the first derived fact (the loader
#: refuses that in a rule file, but the engine must still agree with the reference).
CHILDREN = Compare("subjects.includes_children", "eq", True)
SECOND = attrs.evolve(
    DPIA,
    id="derive.children-online",
    sets="derived.children_online",
    requires=("subjects.includes_children", "sharing.method"),
    condition=All((CHILDREN, Compare("sharing.method", "in", ("api", "shared_platform")))),
)
READS_DERIVED = attrs.evolve(
    SECOND,
    id="derive.high-risk-children",
    sets="derived.high_risk_children",
    requires=("dpia.required", "subjects.includes_children"),
    condition=AnyOf((Compare("dpia.required", "eq", True), CHILDREN)),
)
DERIVED = ("dpia.required", "derived.children_online", "derived.high_risk_children")


def _on_derived(path: str) -> st.SearchStrategy[Condition]:
    return st.builds(
        Compare,
        st.just(path),
        st.sampled_from(["eq", "ne"]),
        st.booleans(),
    ) | st.builds(Compare, st.just(path), st.just("present"), st.booleans())


def _plain() -> st.SearchStrategy[Condition]:
    return st.sampled_from(
        [
            Compare("governance.dpia_status", "eq", "completed"),
            Compare("subjects.includes_vulnerable", "eq", True),
            Compare("subjects.approximate_count", "ge", 5000),
            Quantified("any_item", "data_items", Compare("category", "eq", "health")),
            Quantified("all_items", "data_items", Compare("category", "ne", "genetic")),
        ]
    )


CONDITIONS = st.recursive(
    st.sampled_from(DERIVED).flatmap(_on_derived) | _plain(),
    lambda inner: st.one_of(
        st.builds(All, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(AnyOf, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(Not, inner),
    ),
    max_leaves=5,
)


@st.composite
def packs_reading_derived_facts(draw: st.DrawFn) -> RulePack:
    """Packs of three derivations (one reading another) and criteria reading derived facts."""
    rules = []
    for index in range(draw(st.integers(1, 4))):
        requires = draw(
            st.lists(st.sampled_from([*DERIVED, "governance.dpia_status"]), unique=True)
        )
        rules.append(
            attrs.evolve(
                TEMPLATE,
                id=f"generated.r{index}",
                condition=draw(CONDITIONS),
                when=draw(st.none() | CONDITIONS),
                requires=tuple(requires),
            )
        )
    return attrs.evolve(PACK, rules=tuple(rules), derivations=(DPIA, SECOND, READS_DERIVED))


@settings(max_examples=25, deadline=None)
@given(packs_reading_derived_facts(), st.lists(srs.proposals(), min_size=6, max_size=6))
def test_criteria_reading_derived_facts_give_the_reference_statuses(
    pack: RulePack, proposals: list[sr.Proposal]
) -> None:
    engine = DurableEngine(pack)
    oracle = ReferenceEvaluator(pack)
    for proposal in proposals:
        doc = build_facts(proposal)
        assert engine.run(doc) == oracle.run(doc)


def test_a_derivation_reading_another_sees_the_document_as_the_reference_does() -> None:
    """Derivations are computed from the fact document alone (the reference evaluator's
    definition): one reading another's fact sees what the document states for it."""
    pack = attrs.evolve(PACK, derivations=(DPIA, READS_DERIVED))
    engine = DurableEngine(pack)
    base = build_facts(sr.load_proposal(EXAMPLES[0]))
    for children, stated in [(True, None), (False, None), (False, True), (None, False)]:
        doc = {**base, "subjects": {**base["subjects"], "includes_children": children}}
        doc["dpia"] = {"required": stated}
        derived, statuses = engine.run(doc)
        assert (derived, statuses) == reference_statuses(pack, doc)
        if children is None:
            assert derived["derived.high_risk_children"] is None
        elif children or stated:
            assert derived["derived.high_risk_children"] is True


def _plan_for(condition: Condition, requires: tuple[str, ...] = ()) -> tuple[Any, Any]:
    target = target_for(PACK)
    return Plan.build([condition], requires, target, PACK.vocabulary), target


def test_the_engine_copy_is_written_as_json_text() -> None:
    """Plan.text writes the members of the engine's fact directly: parsed, they are the
    flat copy (unstated non-numbers are "?", a number has a high and a low copy, an integral
    float with an exponent becomes an int, each list item is its projections)."""
    condition = All(
        (
            Compare("subjects.approximate_count", "ge", 5000),
            Compare("governance.dpia_status", "eq", "completed"),
            Compare("subjects.includes_children", "eq", True),
            Quantified("any_item", "data_items", Compare("category", "eq", "health")),
        )
    )
    plan, target = _plan_for(condition)
    doc = {
        "subjects": {"approximate_count": 1e16, "includes_children": None},
        "governance": {"dpia_status": "completed"},
        "data_items": [{"category": "health"}, {"category": None}],
    }
    parsed = json.loads("{" + plan.text(doc)[2:] + "}")
    count, status = target.keys["subjects.approximate_count"], target.keys["governance.dpia_status"]
    projection = target.projections[("data_items", ("category",))].key
    assert parsed == {
        f"{count}h": 10**16,
        f"{count}l": 10**16,
        status: "completed",
        target.keys["subjects.includes_children"]: "?",
        projection: ["health", "?"],  # one list of strings per projection
        # the list's count, unstated here: above and below every value a rule can hold
        f"{target.keys['count.data_items']}h": 2**53,
        f"{target.keys['count.data_items']}l": -(2**53),
    }
    doc["subjects"]["approximate_count"] = 1.5e-5
    with pytest.raises(sr.AssessmentError, match="cannot take the number"):
        plan.text(doc)


def test_a_list_test_with_few_non_matching_values_tests_those() -> None:
    """ "Every item is neither genetic nor biometric" is two inequality tests per item, not an
    $or of the other 18 values; the engine still agrees with the reference evaluator."""
    condition = Quantified(
        "all_items", "data_items", Compare("category", "not_in", ("genetic", "biometric"))
    )
    target = target_for(PACK)
    compiled = compile_condition(condition, target)
    (inner,) = [part["$iall"] for part in compiled["$or"] if "$iall" in part]
    projection = target.projections[("data_items", ("category",))].key
    assert inner == {
        projection: {"$and": [{"$neq": {"$i": "genetic"}}, {"$neq": {"$i": "biometric"}}]}
    }
    rule = attrs.evolve(
        TEMPLATE, id="generated.no-genetic", when=None, requires=(), condition=condition
    )
    pack = attrs.evolve(PACK, rules=(rule,))
    engine, oracle = DurableEngine(pack), ReferenceEvaluator(pack)
    base = build_facts(sr.load_proposal(EXAMPLES[0]))
    for categories in [[], ["health"], ["health", "genetic"], ["biometric"], [None, "contact"]]:
        items = [{**base["data_items"][0], "category": c} for c in categories]
        doc = {**base, "data_items": items}
        doc["count"] = {**base["count"], "data_items": len(items)}
        assert engine.run(doc) == oracle.run(doc)
