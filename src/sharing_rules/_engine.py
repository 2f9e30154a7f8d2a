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
   or ``d<i>u`` (it does not and a fact it requires is unstated);
2. stage 2, the whole fact document plus the derived facts: the engine fires ``r<i>a``
   (not applicable), ``r<i>u`` (unknown) or ``r<i>n`` (not met). A criterion for which
   none fires is met.

A sentinel rule per stage always fires; if it does not, or a criterion fires twice, the
assessment fails closed with :class:`AssessmentError`. The session is deleted afterwards.

Two engine defects in durable-rules 2.0.28 shape this module:

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

import attrs
import durable_rules_engine as _dr

from ._conditions import (
    PRESENCE_ONLY,
    UNSTATED,
    Target,
    compile_condition,
    facts_named,
    unstated_literal,
)
from ._errors import AssessmentError
from ._facts import LISTS
from ._reference import with_derived
from ._rules import RulePack
from ._verdict import Status

_NUMERIC = ("integer", "number")

__all__ = ["DurableEngine"]

_CREATE_LOCK = threading.Lock()
_names = itertools.count()
_STATUS = {"a": Status.NOT_APPLICABLE, "u": Status.UNKNOWN, "n": Status.NOT_MET}


def _rule(stage: int, *parts: dict[str, Any] | None) -> dict[str, Any]:
    terms = [{"stage": stage}, *(p for p in parts if p is not None)]
    return {"all": [{"m": {"$and": terms} if len(terms) > 1 else terms[0]}]}


def _any_unstated(paths: tuple[str, ...], target: Target) -> dict[str, Any]:
    terms = [{path: unstated_literal(path, target)} for path in paths]
    return terms[0] if len(terms) == 1 else {"$or": terms}


def _all_stated(paths: tuple[str, ...], target: Target) -> dict[str, Any] | None:
    if not paths:
        return None
    terms = [{"$neq": {path: unstated_literal(path, target)}} for path in paths]
    return terms[0] if len(terms) == 1 else {"$and": terms}


def _target(pack: RulePack) -> Target:
    numeric = {path for path, fact in pack.vocabulary.items() if fact.kind in _NUMERIC}
    for lst in LISTS:
        numeric.update(f"{lst.path}[].{f.path}" for f in lst.items if f.kind in _NUMERIC)
    return Target({lst.path: lst.count for lst in LISTS}, frozenset(numeric))


def compile_pack(pack: RulePack) -> dict[str, Any]:
    """The durable-rules ruleset definition (JSON-able) for a pack."""
    target = _target(pack)
    definition: dict[str, Any] = {"s1": _rule(1), "s2": _rule(2)}
    for i, d in enumerate(pack.derivations):
        definition[f"d{i}t"] = _rule(1, compile_condition(d.condition, target))
        if d.requires:
            definition[f"d{i}u"] = _rule(
                1, compile_condition(d.condition, target, True), _any_unstated(d.requires, target)
            )
    for i, r in enumerate(pack.rules):
        when = None if r.when is None else compile_condition(r.when, target)
        if r.when is not None:
            definition[f"r{i}a"] = _rule(2, compile_condition(r.when, target, True))
        if r.requires:
            definition[f"r{i}u"] = _rule(2, when, _any_unstated(r.requires, target))
        definition[f"r{i}n"] = _rule(
            2, when, _all_stated(r.requires, target), compile_condition(r.condition, target, True)
        )
    return definition


def _used_paths(conditions: Any, requires: Any) -> set[str]:
    """Scalar fact paths and list names read by some conditions and requires lists."""
    counts = {lst.path: lst.count for lst in LISTS}
    used: set[str] = set(requires)
    for condition in conditions:
        for name in facts_named(condition):
            used.add(name)
            if name in counts:  # "every item" conditions read the list's count
                used.add(counts[name])
    return used


@attrs.frozen(slots=True)
class _Plan:
    """How to build the engine's copy of a fact document for one stage.

    Only the facts the stage's rules read are sent. Free text and dates become ``true``
    (rules only test their presence), unstated non-numeric facts become ``UNSTATED`` and
    unstated numbers stay null (see :data:`UNSTATED`).
    """

    scalars: tuple[tuple[tuple[str, ...], str], ...]  #: (path parts, mode)
    lists: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  #: (list, ((field, mode), ...))

    @classmethod
    def build(cls, used: set[str], vocabulary: Mapping[str, Any]) -> _Plan:
        scalars = tuple(
            (tuple(path.split(".")), _mode(vocabulary[path].kind))
            for path in sorted(used)
            if path in vocabulary
        )
        lists = []
        for lst in LISTS:
            fields = tuple(
                (f.path, _mode(f.kind)) for f in lst.items if f"{lst.path}[].{f.path}" in used
            )
            if lst.path in used:
                lists.append((lst.path, fields))
        return cls(scalars, tuple(lists))

    def apply(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for parts, mode in self.scalars:
            value: Any = doc
            for name in parts:
                value = value.get(name) if type(value) is dict else None
            target = out
            for name in parts[:-1]:
                target = target.setdefault(name, {})
            target[parts[-1]] = _convert(value, mode, parts)
        for name, fields in self.lists:
            out[name] = [
                {f: _convert(item.get(f), mode, (name, f)) for f, mode in fields}
                for item in doc.get(name) or ()
            ]
        return out


def _mode(kind: str) -> str:
    if kind in _NUMERIC:
        return "number"
    return "presence" if kind in PRESENCE_ONLY else "value"


def _convert(value: Any, mode: str, parts: tuple[str, ...]) -> Any:
    if value is None:
        return None if mode == "number" else UNSTATED
    if mode == "presence":
        return True
    if type(value) is float and "e" in repr(value):
        # durable-rules' JSON reader crashes the process on exponents ("1e+16").
        if value.is_integer():
            return int(value)
        raise AssessmentError(f"{'.'.join(parts)}: the engine cannot take the number {value!r}")
    return value


def _delete_ruleset(handle: int) -> None:
    with _CREATE_LOCK:
        _dr.delete_ruleset(handle)


class DurableEngine:
    """One compiled pack on durable-rules; :meth:`run` is safe to call from many threads."""

    def __init__(self, pack: RulePack) -> None:
        self._pack = pack
        self.definition = compile_pack(pack)
        vocabulary = pack.vocabulary
        self._stage_one = _Plan.build(
            _used_paths(
                [d.condition for d in pack.derivations],
                [p for d in pack.derivations for p in d.requires],
            ),
            vocabulary,
        )
        self._stage_two = _Plan.build(
            _used_paths(
                [c for r in pack.rules for c in (r.condition, r.when) if c is not None],
                [p for r in pack.rules for p in r.requires],
            ),
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
        values: dict[str, bool | None] = dict.fromkeys(self._derived_paths, False)
        ids = [d.id for d in self._pack.derivations]
        for index, letter in self._by_index(fired, "d", ids).items():
            values[self._derived_paths[index]] = True if letter == "t" else None
        return values

    def _statuses(self, fired: list[str]) -> list[Status]:
        statuses = [Status.MET] * len(self._pack.rules)
        ids = [r.id for r in self._pack.rules]
        for index, letter in self._by_index(fired, "r", ids).items():
            statuses[index] = _STATUS[letter]
        return statuses
