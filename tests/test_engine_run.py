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
