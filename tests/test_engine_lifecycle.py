"""Engines in long-running services: reloads, refused or wrong rulesets, failed stages."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import sharing_rules as sr
from sharing_rules import _engine
from sharing_rules._engine import DurableEngine

EXAMPLE = Path(__file__).parent.parent / "examples" / "gp-research-tre.yaml"
PACK = sr.load_rules()


def test_dropping_an_engine_while_the_creation_lock_is_held_does_not_deadlock() -> None:
    """Cyclic GC can finalise an old engine inside any allocation, including one made while
    this thread holds the creation lock; the finaliser took that lock and hung for ever."""
    script = textwrap.dedent(
        """
        import gc
        import sharing_rules as sr
        from sharing_rules import _engine

        engine = _engine.DurableEngine(sr.load_rules())
        cycle = {"engine": engine}
        cycle["self"] = cycle
        del engine, cycle
        with _engine._CREATE_LOCK:
            gc.collect()  # finalises the engine on this thread, lock held
        assert len(_engine._dropped) == 1, _engine._dropped
        kept = _engine.DurableEngine(sr.load_rules())  # the next creation deletes it
        assert not _engine._dropped and kept
        print("done")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"


def test_a_refused_ruleset_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _engine._dr.create_ruleset
    calls: list[str] = []

    def flaky(name: str, text: str) -> Any:
        calls.append(name)
        if len(calls) == 1:
            raise RuntimeError("Could not create ruleset, error code: 102")
        return real(name, text)

    monkeypatch.setattr(_engine._dr, "create_ruleset", flaky)
    assessor = sr.Assessor(PACK)
    assert len(calls) == 2
    assert assessor.assess(EXAMPLE) == sr.Assessor(PACK).assess(EXAMPLE)


def test_a_wrong_network_is_caught_before_it_assesses(monkeypatch: pytest.MonkeyPatch) -> None:
    """A network that is created but wrong (here: one rule's met and not-met swapped, as
    uninitialised reads at creation could do) fails the self-check and is built again."""
    real = _engine._dr.create_ruleset
    real_delete = _engine._dr.delete_ruleset
    built: list[int] = []
    deleted: list[int] = []

    def corrupt_once(name: str, text: str) -> Any:
        if not built:
            definition = json.loads(text)
            definition["r0m"], definition["r0n"] = definition["r0n"], definition["r0m"]
            text = json.dumps(definition)
        built.append(real(name, text))
        return built[-1]

    def delete(handle: int) -> None:
        deleted.append(handle)
        real_delete(handle)

    monkeypatch.setattr(_engine._dr, "create_ruleset", corrupt_once)
    monkeypatch.setattr(_engine._dr, "delete_ruleset", delete)
    engine = DurableEngine(PACK)
    assert len(built) == 2
    assert built[0] in deleted  # the wrong one is deleted by the next creation
    doc = sr._facts.build_facts(sr.load_proposal(EXAMPLE))
    assert engine.run(doc) == sr._reference.reference_statuses(PACK, doc)


def test_creation_gives_up_after_a_few_tries(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str, text: str) -> Any:
        raise RuntimeError("Could not create ruleset, error code: 102")

    monkeypatch.setattr(_engine._dr, "create_ruleset", refuse)
    with pytest.raises(sr.AssessmentError, match=r"3 tries.*102"):
        DurableEngine(PACK)


def test_failed_stages_do_not_leak_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stage that fails after the engine stored its fact but before any action started
    left a session that could not be deleted; after 1,024 of them the ruleset refused every
    proposal, good ones included."""
    assessor = sr.Assessor(PACK)
    real = _engine._dr.assert_facts
    failing = {"on": True}

    def store_then_fail(handle: int, facts: str) -> Any:
        result = real(handle, facts)
        if failing["on"] and '"stage": 1' in facts:
            raise RuntimeError("Could not assert facts, error code: 303")
        return result

    monkeypatch.setattr(_engine._dr, "assert_facts", store_then_fail)
    for _ in range(1100):  # more than the 1,024 live sessions a ruleset holds
        with pytest.raises(sr.AssessmentError, match="303"):
            assessor.assess(EXAMPLE)
    failing["on"] = False
    expected = sr.Assessor(PACK).assess(EXAMPLE)
    assert assessor.assess(EXAMPLE) == expected
