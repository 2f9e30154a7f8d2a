"""The model of durable-rules' alpha network against the real engine, and packs that grow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import durable_rules_engine as dr
import pytest
import yaml

import sharing_rules as sr
from sharing_rules._network import MAX_GROUPS, MAX_STACK, check, groups, stack_bound
from sharing_rules._reference import ReferenceEvaluator

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))


def _real(definition: dict[str, Any], fact: dict[str, Any]) -> str:
    """What durable-rules does with one fact: 'ok' or its error."""
    try:
        handle = dr.create_ruleset(f"model_{id(definition)}", json.dumps(definition))
    except Exception as exc:
        return str(exc)
    try:
        state = dr.assert_facts(handle, json.dumps([{"sid": "1", "id": "m", **fact}]))[1]
        action = dr.start_action_for_state(handle, state)
        while action is not None:
            action = dr.complete_and_start_action(handle, state)
        dr.delete_state(handle, "1")
        return "ok"
    except Exception as exc:
        return str(exc)
    finally:
        dr.delete_ruleset(handle)


def _rule(expr: dict[str, Any]) -> dict[str, Any]:
    return {"all": [{"m": expr}]}


@pytest.mark.parametrize("count", [63, 64, 65, 70])
def test_stack_bound_is_exact_for_tests_that_all_hold(count: int) -> None:
    definition = {
        f"r{i}": _rule({"$and": [{"stage": 2}, {"$neq": {"a": -i - 1}}]}) for i in range(count)
    }
    assert stack_bound(definition) == count
    outcome = _real(definition, {"stage": 2, "a": 0})
    assert (outcome == "ok") is (count <= MAX_STACK), outcome
    if count > MAX_STACK:
        assert "303" in outcome


@pytest.mark.parametrize("branches", [64, 65])
def test_stack_bound_counts_each_matching_or_branch(branches: int) -> None:
    alternatives = [{"$neq": {"a": -i - 1}} for i in range(branches)]
    definition = {"r": _rule({"$and": [{"stage": 2}, {"$or": alternatives}, {"b": 0}]})}
    assert stack_bound(definition) == branches
    assert (_real(definition, {"stage": 2, "a": 0, "b": 0}) == "ok") is (branches <= MAX_STACK)


def test_equality_tests_on_one_property_count_once() -> None:
    """Only one of `x == v1`, `x == v2`... can hold, so a long `in` list costs one entry."""
    definition = {
        f"r{i}": _rule({"$and": [{"stage": 2}, {"x": f"v{i}"}]}) for i in range(MAX_STACK * 2)
    }
    assert stack_bound(definition) == 1
    assert _real(definition, {"stage": 2, "x": "v3"}) == "ok"


@pytest.mark.parametrize("extra", [0, 1])
def test_group_count_matches_the_engine_including_list_tests(extra: int) -> None:
    inner = {"$iany": {"l": {"$or": [{"$i.p": "a"}, {"$i.p": "b"}]}}}
    pairs = [{"$or": [{f"a{i}": 1}, {f"b{i}": 2}]} for i in range(13 + extra)]
    expr = {"$and": [{"stage": 2}, inner, *pairs]}
    assert groups(expr) == MAX_GROUPS + extra
    created = _real({"r": _rule(expr)}, {"stage": 2, "l": []})
    assert ("113" in created) is bool(extra), created
    assert bool(check({"r": _rule(expr)})) is bool(extra)


def _pack(folder: Path, rules: list[dict[str, Any]]) -> Path:
    folder.mkdir()
    (folder / "pack.yaml").write_text("id: local\nversion: '1'\ntitle: L\ndescription: D\n")
    (folder / "rules.yaml").write_text(yaml.safe_dump({"rules": rules}))
    return folder


def _local(i: int, condition: dict[str, Any], requires: list[str]) -> dict[str, Any]:
    return {
        "id": f"local.r{i}",
        "version": 1,
        "title": f"Local check {i}?",
        "test": "proportionate",
        "features": [3],
        "severity": "advisory",
        "requires": requires,
        "condition": condition,
        "messages": {"met": "Met.", "not_met": "Not met.", "unknown": "Unknown."},
        "remedy": "Fix it.",
        "sources": ["Local policy"],
    }


@pytest.mark.parametrize("count", [8, 60, 300])
def test_local_packs_of_one_line_comparisons_assess_every_example(
    tmp_path: Path, count: int
) -> None:
    """8 such rules failed 3 of the 5 shipped examples with error 303, 60 failed all."""
    rules = [
        _local(
            i, {"fact": "subjects.approximate_count", "ge": i * 10}, ["subjects.approximate_count"]
        )
        for i in range(count)
    ]
    pack = sr.load_rules(_pack(tmp_path / "local", rules))
    assessor = sr.Assessor(pack)
    oracle = ReferenceEvaluator(pack)
    for path in EXAMPLES:
        verdict = assessor.assess(path)
        assert len(verdict.findings) == len(pack.rules)
        doc = sr._facts.build_facts(sr.load_proposal(path))
        assert assessor._engine.run(doc) == oracle.run(doc)


def test_a_forty_way_any_loads_and_agrees(tmp_path: Path) -> None:
    """A 40-way `any` over numbers exceeded the engine's 31 expression entries (error 113)."""
    numbers = ["subjects.approximate_count", "sharing.volume_records", "resources.cost_gbp"]
    condition = {"any": [{"fact": numbers[i % 3], "eq": i * 7} for i in range(40)]}
    pack = sr.load_rules(_pack(tmp_path / "local", [_local(0, condition, [])]))
    assessor = sr.Assessor(pack)
    oracle = ReferenceEvaluator(pack)
    for path in EXAMPLES:
        doc = sr._facts.build_facts(sr.load_proposal(path))
        assert assessor._engine.run(doc) == oracle.run(doc)


def test_engine_limits_are_load_errors_with_rule_file_and_line(tmp_path: Path) -> None:
    """What the engine cannot take is refused when the pack loads, naming the rule."""
    # 20 categories x 3 x 3 x 6 identifiabilities (each with "unstated"): 1,080 > 512.
    too_many_tuples = {
        "any_item": "data_items",
        "where": {
            "all": [
                {"fact": "category", "in": ["health", "other"]},
                {"fact": "special_category", "eq": True},
                {"fact": "criminal_offence", "eq": False},
                {"fact": "identifiability", "ne": "anonymous"},
            ]
        },
    }
    # An and of 40 two-way ors expands to 2**40 engine rules: refused, not attempted.
    too_complex = {
        "all": [
            {
                "any": [
                    {"fact": "sharing.volume_records", "ge": i},
                    {"fact": "purpose.onward_sharing", "eq": "prohibited"},
                ]
            }
            for i in range(40)
        ]
    }
    folder = _pack(tmp_path / "local", [_local(0, too_many_tuples, []), _local(1, too_complex, [])])
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(folder)
    problems = {p.rule: p for p in info.value.problems}
    assert set(problems) == {"local.r0", "local.r1"}
    for problem in problems.values():
        assert problem.code == "engine-limit"
        assert problem.source is not None and problem.source.endswith("rules.yaml")
        assert problem.line is not None
    assert "combinations" in problems["local.r0"].message
    assert problems["local.r0"].line < problems["local.r1"].line


def _list_tests(expr: Any) -> list[Any]:
    """The inner expressions of every $iany/$iall in an expression."""
    if not isinstance(expr, dict):
        return []
    found = []
    for name, value in expr.items():
        if name in ("$and", "$or"):
            found += [inner for part in value for inner in _list_tests(part)]
        elif name in ("$iany", "$iall"):
            found += list(value.values())
    return found


def test_no_list_test_ends_on_an_or() -> None:
    """durable-rules reads the type of the node a list test's expression ends on; an $or
    ends on a join node whose type is never set, so ruleset creation failed at random with
    error 102 (valgrind: uninitialised reads in createAlpha)."""
    from sharing_rules._compile import compile_pack, target_for

    pack = sr.load_rules()
    definition = compile_pack(pack, target_for(pack))
    inners = [i for rule in definition.values() for i in _list_tests(rule["all"][0]["m"])]
    assert inners, "the framework pack has list conditions"
    assert not [inner for inner in inners if "$or" in inner]
