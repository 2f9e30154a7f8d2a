"""``DurableEngine.run``: what it returns, what it refuses, and Ctrl-C in the middle of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import sharing_rules as sr
from sharing_rules import _assess, _engine, _reference
from sharing_rules._engine import DurableEngine
from sharing_rules._facts import build_facts

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))
PACK = sr.load_rules()
ENGINE = DurableEngine(PACK)


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
    sid = engine._sid
    with pytest.raises(KeyboardInterrupt):
        assessor.assess(EXAMPLES[3])
    assert calls["n"] >= call, "the interrupt was not reached"
    assert engine._uses == 0, "the interrupted session is still in use"
    with pytest.raises(Exception, match="error code"):  # and it was deleted, not leaked
        _engine._dr.get_state(engine._handle, sid)
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
    sid = engine._sid
    with pytest.raises(KeyboardInterrupt):
        assessor.assess(EXAMPLES[1])
    monkeypatch.undo()
    assert engine._uses == 0
    with pytest.raises(Exception, match="error code"):
        _engine._dr.get_state(engine._handle, sid)
    fresh = sr.Assessor(PACK)
    for path in EXAMPLES:
        assert assessor.assess(path).to_json() == fresh.assess(path).to_json(), path.name


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
    sid = engine._sid
    with pytest.raises(KeyboardInterrupt):
        assessor.assess(EXAMPLES[1])
    assert calls["n"] == 2, "the cleanup was not interrupted"
    assert engine._uses == 0, "the interrupted session is still in use"
    fresh = sr.Assessor(PACK)
    for path in EXAMPLES:
        assert assessor.assess(path).to_json() == fresh.assess(path).to_json(), path.name
    assert engine._sid != sid
