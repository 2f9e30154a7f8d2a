"""Running a rule pack on durable-rules.

The pack compiles once into one durable-rules ruleset (JSON definition) created through
durable-rules' C engine module, ``durable_rules_engine``. We drive that module directly
rather than through ``durable.engine.Host`` because the host:

* starts two ``threading.Timer`` dispatch loops per host that run actions on other threads;
* runs a Python closure per fired rule, serialising the session state back into the engine
  each time (most of the measured cost);
* swallows exceptions raised in actions into the session state.

Each assessment is one session (a fresh ``sid``) with two facts:

1. stage 1, the facts derivations read: the engine fires ``d<i>t`` (the derivation holds)
   or ``d<i>f`` (it does not, and every fact it requires is stated); if neither fires, the
   derived fact is unknown;
2. stage 2, the facts the criteria read plus the derived facts: the engine fires
   ``r<i>a`` (not applicable), ``r<i>m`` (met) or ``r<i>n`` (not met). A criterion for
   which none fires is unknown: silence can only ever mean "unknown", never "met".

Each rule's ``$or`` branches are separate paths in the engine's network, so a rule can
fire once per matching branch; only conflicting statuses for one criterion are an error.
Requiring facts is a conjunction ("all stated") for that reason: "some unstated" would be
an ``$or`` firing once per unstated fact.

A sentinel rule per stage always fires; if it does not, or a criterion gets two statuses,
the assessment fails closed with :class:`AssessmentError`. The session is deleted
afterwards. How the pack is compiled is in ``_compile``.

Two engine defects in durable-rules 2.0.28 shape this module (more in ``_compile``):

* ``delete_state`` frees two pointers of the session (``context.messages`` and
  ``context.stateFact``) that are only initialised when an action starts; deleting a
  session in which no action ever started frees garbage and crashes the process. The
  sentinel rules guarantee an action starts in every session.
* A ruleset holds at most 1,024 sessions; sessions are deleted after every assessment.

The C module holds the GIL for each call but keeps per-ruleset state between calls, so
each engine serialises its assessments with a lock.
"""

from __future__ import annotations

import itertools
import json
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import durable_rules_engine as _dr

from ._compile import Plan, compile_pack, target_for
from ._errors import AssessmentError
from ._reference import with_derived
from ._rules import RulePack
from ._verdict import Status

__all__ = ["DurableEngine"]

_CREATE_LOCK = threading.Lock()
_names = itertools.count()
_STATUS = {"a": Status.NOT_APPLICABLE, "m": Status.MET, "n": Status.NOT_MET}


def _delete_ruleset(handle: int) -> None:
    with _CREATE_LOCK:
        _dr.delete_ruleset(handle)


class DurableEngine:
    """One compiled pack on durable-rules; :meth:`run` is safe to call from many threads."""

    def __init__(self, pack: RulePack) -> None:
        self._pack = pack
        target = target_for(pack)
        self.definition = compile_pack(pack, target)
        vocabulary = pack.vocabulary
        self._stage_one = Plan.build(
            [d.condition for d in pack.derivations],
            [p for d in pack.derivations for p in d.requires],
            target,
            vocabulary,
        )
        self._stage_two = Plan.build(
            [c for r in pack.rules for c in (r.condition, r.when) if c is not None],
            [p for r in pack.rules for p in r.requires],
            target,
            vocabulary,
        )
        self._derived_paths = [d.sets for d in pack.derivations]
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        self._started = False
        name = f"sharing_rules_{next(_names)}"
        try:
            with _CREATE_LOCK:
                self._handle = _dr.create_ruleset(name, json.dumps(self.definition))
        except Exception as exc:  # a compiler defect, not a user error
            raise AssessmentError(f"durable-rules refused the compiled pack: {exc}") from exc
        weakref.finalize(self, _delete_ruleset, self._handle)

    def run(self, doc: Mapping[str, Any]) -> tuple[dict[str, bool | None], list[Status]]:
        """Derived facts and every rule's status for a fact document, in pack order."""
        with self._lock:
            sid = str(next(self._sids))
            self._started = False
            finished = False
            try:
                fired1 = self._session_stage(sid, 1, self._stage_one.apply(doc))
                derived = self._derived(fired1)
                full = with_derived(doc, derived)
                fired2 = self._session_stage(sid, 2, self._stage_two.apply(full))
                finished = True
            finally:
                self._close(sid, report=finished)
        return derived, self._statuses(fired2)

    def _session_stage(self, sid: str, stage: int, fact: dict[str, Any]) -> list[str]:
        fact["sid"] = sid
        fact["stage"] = stage
        try:
            result = _dr.assert_facts(self._handle, json.dumps([fact]))
            fired = []
            state = result[1]
            action = _dr.start_action_for_state(self._handle, state)
            while action is not None:
                self._started = True
                message = action[1] if isinstance(action, tuple) else action
                fired.append(message[2 : message.index('"', 2)])
                action = _dr.complete_and_start_action(self._handle, state)
        except Exception as exc:
            raise AssessmentError(f"durable-rules failed in stage {stage}: {exc}") from exc
        if fired.count(f"s{stage}") != 1:
            raise AssessmentError(f"the engine did not process the stage {stage} facts")
        return fired

    def _close(self, sid: str, report: bool) -> None:
        """Delete the session. After a failure, only report nothing new: the first error wins."""
        if not self._started:
            # No action ever started in this session: durable-rules would free uninitialised
            # pointers and crash. Only reachable after an engine failure; the session leaks.
            return
        try:
            _dr.delete_state(self._handle, sid)
        except Exception as exc:
            if report:
                raise AssessmentError(
                    f"durable-rules could not delete session {sid}: {exc}"
                ) from exc

    @staticmethod
    def _by_index(fired: list[str], kind: str, ids: list[str]) -> dict[int, str]:
        """Status letter per rule index. A rule may fire once per matching ``$or`` branch;
        two different statuses for one rule are an engine failure."""
        found: dict[int, str] = {}
        for name in fired:
            if name[0] != kind:
                continue
            index, letter = int(name[1:-1]), name[-1]
            if found.setdefault(index, letter) != letter:
                raise AssessmentError("the engine gave it two statuses", ids[index])
        return found

    def _derived(self, fired: list[str]) -> dict[str, bool | None]:
        values: dict[str, bool | None] = dict.fromkeys(self._derived_paths)
        ids = [d.id for d in self._pack.derivations]
        for index, letter in self._by_index(fired, "d", ids).items():
            values[self._derived_paths[index]] = letter == "t"
        return values

    def _statuses(self, fired: list[str]) -> list[Status]:
        statuses = [Status.UNKNOWN] * len(self._pack.rules)
        ids = [r.id for r in self._pack.rules]
        for index, letter in self._by_index(fired, "r", ids).items():
            statuses[index] = _STATUS[letter]
        return statuses
