"""``DurableEngine.run``: what it returns, what it refuses, and Ctrl-C in the middle of it."""

from __future__ import annotations

import copy
import datetime as dt
import math
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sharing_rules as sr
from sharing_rules import _assess, _engine, _reference
from sharing_rules._engine import DurableEngine
from sharing_rules._facts import LISTS, build_facts

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))
PACK = sr.load_rules()
ENGINE = DurableEngine(PACK)
AS_OF = dt.date(2026, 11, 29)
DOCS = [build_facts(sr.load_proposal(p), AS_OF) for p in EXAMPLES]
DERIVED = {d.sets for d in PACK.derivations}
SCALARS = sorted(p for p in PACK.vocabulary if p not in DERIVED)
NESTED = [p for p in SCALARS if "." in p]  #: facts inside a dict of facts


def _with_items(doc: dict[str, Any], name: str) -> tuple[dict[str, Any], list[Any]]:
    """A copy of a document whose list ``name`` has at least one item (its count agreeing)."""
    doc = copy.deepcopy(doc)
    items = doc[name]
    if not items:
        source = next(d[name][0] for d in DOCS if d[name])
        items.append(copy.deepcopy(source))
        doc["count"][name] = 1
    return doc, items


# ---------------------------------------------------------------- malformed documents


def test_an_item_without_a_field_is_refused_with_its_path() -> None:
    """It raised KeyError from the engine's fact writer."""
    doc = copy.deepcopy(next(d for d in DOCS if len(d["data_items"]) >= 2))
    del doc["data_items"][1]["category"]
    with pytest.raises(sr.AssessmentError, match=r"at data_items\[1\]\.category: missing"):
        ENGINE.run(doc)


def test_a_count_that_disagrees_with_its_list_is_refused() -> None:
    """It gave unknown where the reference evaluator gives met: "every risk is mitigated"
    read an empty list (met) but a count of 2 (so not "no items")."""
    doc = copy.deepcopy(DOCS[0])
    doc["risks"] = []
    doc["count"]["risks"] = 2
    with pytest.raises(sr.AssessmentError, match=r"at count\.risks: is 2, but risks has 0"):
        ENGINE.run(doc)
    doc["count"]["risks"] = None
    doc["risks"] = [dict.fromkeys(f.path for f in LISTS[2].items)]
    with pytest.raises(sr.AssessmentError, match=r"at count\.risks: is unstated, but risks has 1"):
        ENGINE.run(doc)


def test_well_formed_documents_pass_the_check() -> None:
    """An unstated list may be empty with its count unstated; absent facts are unstated; a
    fact of an enumeration may hold any text (compared as text by both evaluators)."""
    doc = copy.deepcopy(DOCS[0])
    doc["risks"], doc["count"]["risks"] = [], None
    doc["purpose"]["onward_sharing"] = "not-a-value"
    assert ENGINE.run(doc) == _reference.reference_statuses(PACK, doc)
    del doc["purpose"]
    assert ENGINE.run(doc) == _reference.reference_statuses(PACK, doc)
    assert ENGINE.run({}) == _reference.reference_statuses(PACK, {})


_WRONG = {  # a value of the wrong kind for each kind of fact
    "boolean": ["yes", 1, 0.0],
    "integer": ["3", True, math.inf, math.nan, [3]],
    "number": ["3", False, -math.inf, math.nan, {"n": 1}],
    "text": [5, True, ["a"], b"a"],
    "date": [AS_OF, 20261129],
    "enum": [1, True, ("a",)],
    "item enum": ["not-a-value", 1, True, ("a",)],  # an item field's value is one of its values
}


@st.composite
def malformed(draw: st.DrawFn) -> tuple[Any, str]:
    """A document an example's facts made malformed one way, and the path to be named."""
    doc = copy.deepcopy(draw(st.sampled_from(DOCS)))
    how = draw(
        st.sampled_from(
            ["not a dict", "container", "scalar", "list", "item", "field", "missing", "count"]
        )
    )
    if how == "not a dict":
        wrong = draw(st.sampled_from([[], "doc", None, types.MappingProxyType(doc)]))
        return wrong, "$"
    if how in ("container", "scalar"):
        path = draw(st.sampled_from(SCALARS if how == "scalar" else NESTED))
        parts = path.split(".")
        node = doc
        for name in parts[:-1]:
            node = node[name]
        if how == "container":
            doc[parts[0]] = draw(st.sampled_from(["x", 0, [node], (1,)]))
            return doc, parts[0]
        fact = PACK.vocabulary[path]
        node[parts[-1]] = draw(st.sampled_from(_WRONG["enum" if fact.values else fact.kind]))
        return doc, path
    lst = draw(st.sampled_from(LISTS))
    if how == "list":
        doc[lst.path] = draw(st.sampled_from(["x", 3, {"a": 1}, ({},)]))
        return doc, lst.path
    doc, items = _with_items(doc, lst.path)
    index = draw(st.integers(0, len(items) - 1))
    if how == "item":
        items[index] = draw(st.sampled_from(["x", None, 1, [items[index]]]))
        return doc, f"{lst.path}[{index}]"
    if how == "count":  # the list has items: each of these disagrees
        doc["count"][lst.path] = draw(st.sampled_from([None, len(items) + 1, len(items) - 1, 0]))
        return doc, lst.count
    field = draw(st.sampled_from(lst.items))
    if how == "missing":
        del items[index][field.path]
    else:
        items[index][field.path] = draw(
            st.sampled_from(_WRONG["item enum" if field.values else field.kind])
        )
    return doc, f"{lst.path}[{index}].{field.path}"


@settings(max_examples=200, deadline=None)
@given(malformed())
def test_a_malformed_document_is_refused_never_assessed(case: tuple[Any, str]) -> None:
    doc, path = case
    with pytest.raises(sr.AssessmentError) as info:
        ENGINE.run(doc)
    assert f"malformed fact document at {path}:" in str(info.value)
    # and the engine is still right afterwards
    assert ENGINE.run(DOCS[1]) == _reference.reference_statuses(PACK, DOCS[1])


def test_the_document_with_derived_facts_is_built_once_per_assessment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It was built in the engine for stage 2 and again in ``assess`` for explanations."""
    calls: list[Any] = []

    def counted(doc: Any, derived: Any) -> dict[str, Any]:
        calls.append(derived)
        return _reference.with_derived(doc, derived)

    monkeypatch.setattr(_engine, "with_derived", counted)
    monkeypatch.setattr(_assess, "with_derived", counted, raising=False)
    assessor = sr.Assessor(PACK)
    calls.clear()  # the self-check's runs
    verdicts = [assessor.assess(p) for p in EXAMPLES[:3]]
    assert len(calls) == 3
    assert [v.derived for v in verdicts] == calls


def test_run_is_evaluate_without_the_document() -> None:
    doc = build_facts(sr.load_proposal(EXAMPLES[0]))
    derived, statuses, full = ENGINE.evaluate(doc)
    assert ENGINE.run(doc) == (derived, statuses) == _reference.reference_statuses(PACK, doc)
    assert full == _reference.with_derived(doc, derived)
    assert full["dpia"]["required"] == derived["dpia.required"]


# ----------------------------------------------------------------- Ctrl-C mid-assessment

_INTERRUPTS = [
    # (function of durable_rules_engine, which call is interrupted, before or after it runs)
    ("assert_facts", 1, "before"),  # stage 1
    ("assert_facts", 1, "after"),
    ("assert_facts", 2, "before"),  # stage 2
    ("assert_facts", 2, "after"),
    ("start_action_for_state", 1, "before"),
    ("start_action_for_state", 2, "after"),  # an action started, not completed
    ("complete_and_start_action", 1, "before"),
    ("complete_and_start_action", 1, "after"),
    ("complete_and_start_action", 30, "before"),  # deep in stage 2
    ("complete_and_start_action", 30, "after"),
]


@pytest.mark.parametrize("used", [0, 3], ids=["fresh-session", "session-in-use"])
@pytest.mark.parametrize(("name", "call", "when"), _INTERRUPTS)
def test_ctrl_c_inside_the_engine_leaves_it_usable(
    monkeypatch: pytest.MonkeyPatch, name: str, call: int, when: str, used: int
) -> None:
    assessor = sr.Assessor(PACK)
    engine = assessor._engine
    while engine._uses:  # to the start of a session (the self-check used this one)
        assessor.assess(EXAMPLES[0])
    for path in EXAMPLES[:used]:
        assessor.assess(path)
    real = getattr(_engine._dr, name)
    calls = {"n": 0}

    def interrupt_once(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] != call:
            return real(*args)
        if when == "after":
            real(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(_engine._dr, name, interrupt_once)
    sid = _interrupted(assessor)
    assert calls["n"] >= call, "the interrupt was not reached"
    with pytest.raises(Exception, match="error code"):  # and it was deleted, not leaked
        _engine._dr.get_state(engine._handle, sid)
    _assert_usable(assessor)


def _interrupted(assessor: sr.Assessor) -> str:
    """Assess with Ctrl-C on the way; the interrupted session, which must not be reused."""
    sid = assessor._engine._sid
    with pytest.raises(KeyboardInterrupt):
        assessor.assess(EXAMPLES[3])
    assert assessor._engine._uses == 0, "the interrupted session is still in use"
    return sid


def _assert_usable(assessor: sr.Assessor) -> None:
    fresh = sr.Assessor(PACK)
    for path in EXAMPLES:
        assert assessor.assess(path).to_json() == fresh.assess(path).to_json(), path.name


def test_ctrl_c_between_the_stages_leaves_the_engine_usable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assessor = sr.Assessor(PACK)
    engine = assessor._engine
    assessor.assess(EXAMPLES[0])

    def interrupt(doc: Any, derived: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(_engine, "with_derived", interrupt)
    sid = _interrupted(assessor)
    monkeypatch.undo()
    with pytest.raises(Exception, match="error code"):
        _engine._dr.get_state(engine._handle, sid)
    _assert_usable(assessor)


def test_a_second_ctrl_c_during_the_cleanup_leaves_the_engine_usable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C in stage 1, and again while the engine cleans up (the rescue fact): the
    session was kept for the next assessment with the interrupted one's actions still
    queued, so the next assessment failed (two stage-1 sentinels)."""
    assessor = sr.Assessor(PACK)
    engine = assessor._engine
    assessor.assess(EXAMPLES[0])
    real = _engine._dr.assert_facts
    calls = {"n": 0}

    def interrupt_twice(handle: int, text: str) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            real(handle, text)  # stage 1 stored, its actions queued
        if calls["n"] <= 2:
            raise KeyboardInterrupt
        return real(handle, text)

    monkeypatch.setattr(_engine._dr, "assert_facts", interrupt_twice)
    sid = _interrupted(assessor)
    assert calls["n"] == 2, "the cleanup was not interrupted"
    _assert_usable(assessor)
    assert engine._sid != sid
