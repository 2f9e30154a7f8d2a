"""Running a rule pack on durable-rules.

The pack compiles once into one durable-rules ruleset (JSON definition) created through
durable-rules' C engine module, ``durable_rules_engine``. We drive that module directly
rather than through ``durable.engine.Host`` because the host:

* starts two ``threading.Timer`` dispatch loops per host that run actions on other threads;
* runs a Python closure per fired rule, serialising the session state back into the engine
  each time (most of the measured cost);
* swallows exceptions raised in actions into the session state.

Each assessment asserts two facts into a session:

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
the assessment fails closed with :class:`AssessmentError`. How the pack is compiled is in
``_compile``.

A session serves up to :data:`SESSION_USES` assessments, then is deleted (and at once after a
failure). Creating one costs durable-rules a fixed amount of work per engine rule (it
allocates and clears two 4 KB frame indexes per rule): reusing it took about a quarter of the
engine's time off each assessment. It is as safe as a fresh session per assessment because
every compiled rule has a single pattern (no joins), so a rule fires for one fact alone and a
fact left from an earlier assessment can neither complete nor block a rule for a later one;
every action is run to the end before the next fact is asserted, so the actions run after a
fact are exactly its own; and each fact carries the assessment's own number (``n``), so two
assessments of the same proposal are never the same fact.

Two engine defects in durable-rules 2.0.28 shape this module (more in ``_compile``):

* ``delete_state`` frees two pointers of the session (``context.messages`` and
  ``context.stateFact``) that are only initialised when an action starts; deleting a
  session in which no action ever started frees garbage and crashes the process. The
  sentinel rules guarantee an action starts in every session.
* A ruleset holds at most 1,024 sessions; sessions are deleted after a few assessments.

The C module holds the GIL for each call but keeps per-ruleset state between calls, so
each engine serialises its assessments with a lock.

Long-running services build and drop engines; three more defects shape that part:

* ``create_ruleset`` failed now and then with error 102: ``createAlpha`` reads the type of
  the node a list test's expression ends on, and an ``$or`` ends on a join node whose type
  it never sets (valgrind: uninitialised reads). The compiler no longer ends a list test on
  an ``$or`` (``_compile``). Creation is still retried, and every fresh network is checked
  against the reference evaluator on the pack's own examples before it assesses anything,
  since a network could in principle be wrong rather than refused.
* A session in which a stage failed before any action started cannot be deleted (see above),
  and 1,024 leaked sessions make the ruleset refuse everything. After a failure the engine
  asserts a rescue fact (stage 0) whose sentinel action starts, then deletes the session.
* Rulesets are deleted from a ``weakref.finalize`` callback, which cyclic garbage collection
  can run inside any allocation of any thread, including one made while this module holds its
  creation lock: the callback only queues the handle, and the queue is emptied under the lock
  by the next creation.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import durable_rules_engine as _dr

from ._compile import Plan, compile_pack, keys_read, target_for
from ._doccheck import DocumentCheck
from ._errors import AssessmentError, ProposalError
from ._facts import build_facts
from ._load import proposal_from_dict
from ._reference import reference_statuses, with_derived
from ._rules import RulePack
from ._verdict import Status

__all__ = ["DurableEngine"]

_CREATE_LOCK = threading.Lock()
_names = itertools.count()
_STATUS = {"a": Status.NOT_APPLICABLE, "m": Status.MET, "n": Status.NOT_MET}
#: Rulesets whose engine is gone, deleted by the next creation. A deque, since appending to
#: one takes no lock that the thread the finalizer interrupts could hold.
_dropped: collections.deque[int] = collections.deque()
CREATE_ATTEMPTS = 3  #: tries at creating a ruleset that the self-check accepts
SELF_CHECK_DOCUMENTS = 48  #: at most this many example documents check a fresh network
SESSION_USES = 64  #: assessments per durable-rules session before it is deleted


def _parse(name: str) -> tuple[int, str]:
    """The rule index and status letter of a fired rule: ``r3n.2`` (the third engine rule of
    ``r3n``) is rule 3, not met."""
    name = name.partition(".")[0]
    return int(name[1:-1]), name[-1]


def _drop_ruleset(handle: int) -> None:
    _dropped.append(handle)


def _delete_dropped() -> None:
    """Delete the rulesets of engines that are gone (call with ``_CREATE_LOCK`` held)."""
    while _dropped:
        handle = _dropped.popleft()
        with contextlib.suppress(Exception):  # already gone or refused: nothing to free
            _dr.delete_ruleset(handle)


def _self_check_documents(pack: RulePack) -> list[dict[str, Any]]:
    """Fact documents to check a fresh network on: nothing stated, and the rules' examples
    (every n-th, to stay within :data:`SELF_CHECK_DOCUMENTS`)."""
    fragments = [example.proposal for rule in pack.rules for example in rule.examples]
    step = max(1, -(-len(fragments) // (SELF_CHECK_DOCUMENTS - 1)))
    docs = []
    for fragment in [{}, *fragments[::step]]:
        try:
            proposal = proposal_from_dict({"id": "self-check", "title": "Self-check", **fragment})
        except ProposalError:
            continue  # an invalid example is reported by `rules test`, not here
        docs.append(build_facts(proposal))
    return docs


class DurableEngine:
    """One compiled pack on durable-rules; :meth:`run` is safe to call from many threads."""

    def __init__(self, pack: RulePack) -> None:
        self._pack = pack
        target = target_for(pack)
        self.definition = compile_pack(pack, target)
        vocabulary = pack.vocabulary
        read = keys_read(self.definition)  # e.g. a number's low copy no rule compares
        self._stage_one = Plan.build(
            [d.condition for d in pack.derivations],
            [p for d in pack.derivations for p in d.requires],
            target,
            vocabulary,
            read,
        )
        self._stage_two = Plan.build(
            [c for r in pack.rules for c in (r.condition, r.when) if c is not None],
            [p for r in pack.rules for p in r.requires],
            target,
            vocabulary,
            read,
        )
        self._derived_paths = [d.sets for d in pack.derivations]
        self._check = DocumentCheck(vocabulary, self._derived_paths)
        self._names = {name: _parse(name) for name in self.definition if name[0] in "dr"}
        self._ids = {"d": [d.id for d in pack.derivations], "r": [r.id for r in pack.rules]}
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        self._sid = ""
        self._uses = 0  #: assessments made in the current session
        self._started = False  #: whether an action ever started in the current session
        self._handle = self._create(json.dumps(self.definition))

    def _create(self, text: str) -> int:
        """A ruleset for ``text`` that passed the self-check, after a few tries."""
        docs = _self_check_documents(self._pack)
        failures: list[str] = []
        for _ in range(CREATE_ATTEMPTS):
            name = f"sharing_rules_{next(_names)}"
            try:
                with _CREATE_LOCK:
                    _delete_dropped()
                    handle: int = _dr.create_ruleset(name, text)
            except Exception as exc:  # error 102 at random: try again
                failures.append(f"durable-rules refused the compiled pack: {exc}")
                continue
            self._handle = handle
            problem = self._self_check(docs)
            if problem is None:
                weakref.finalize(self, _drop_ruleset, handle)
                return handle
            failures.append(problem)
            _drop_ruleset(handle)
        raise AssessmentError(
            f"could not build a working engine for the pack in {CREATE_ATTEMPTS} tries: "
            + "; ".join(failures)
        )

    def _self_check(self, docs: list[dict[str, Any]]) -> str | None:
        """Why the fresh network disagrees with the reference evaluator, or ``None``. The
        documents are ``build_facts``' (see :func:`_self_check_documents`), so unchecked."""
        for doc in docs:
            try:
                actual = self.evaluate(doc)[:2]
            except AssessmentError as exc:
                return f"the fresh network failed its self-check: {exc}"
            if actual != reference_statuses(self._pack, doc):
                return "the fresh network disagreed with the reference evaluator"
        return None

    def run(self, doc: Mapping[str, Any]) -> tuple[dict[str, bool | None], list[Status]]:
        """Derived facts and every rule's status for a fact document, in pack order.

        Raises :class:`AssessmentError` for a malformed document (see ``_doccheck``), naming
        the path of what is wrong."""
        self._check(doc)
        derived, statuses, _ = self.evaluate(doc)
        return derived, statuses

    def evaluate(
        self, doc: Mapping[str, Any]
    ) -> tuple[dict[str, bool | None], list[Status], dict[str, Any]]:
        """As :meth:`run`, plus the document with the derived facts set, which the criteria
        were matched against; ``doc`` is not checked. ``Assessor.assess`` calls this with the
        document ``build_facts`` wrote, which is well-formed by construction (the tests
        compare it with the plain reference build): the check would only add its cost."""
        with self._lock:
            if self._uses == 0:
                self._sid = str(next(self._sids))
                self._started = False
            sid, n = self._sid, self._uses
            finished = False
            try:
                fired1 = self._session_stage(sid, n, 1, self._stage_one.text(doc))
                derived = self._derived(fired1)
                full = with_derived(doc, derived)
                fired2 = self._session_stage(sid, n, 2, self._stage_two.text(full))
                finished = True
            finally:
                self._uses += 1
                if not finished or self._uses >= SESSION_USES:
                    # the next assessment starts a new session before this one is cleaned
                    # up: a second Ctrl-C during the rescue must not leave its actions queued
                    # for the next assessment (at worst it leaks this session)
                    self._uses = 0
                    if not finished:
                        self._rescue(sid, n)
                    self._close(sid, report=finished)
        return derived, self._statuses(fired2), full

    def _session_stage(self, sid: str, n: int, stage: int, members: str) -> list[str]:
        # n, the assessment's number in the session: never the same fact twice
        text = f'[{{"sid": "{sid}", "stage": {stage}, "n": {n}{members}}}]'
        try:
            handle = self._handle
            result = _dr.assert_facts(handle, text)
            fired = []
            state = result[1]
            action = _dr.start_action_for_state(handle, state)
            if action is not None:
                self._started = True
            complete = _dr.complete_and_start_action
            while action is not None:
                message = action[1] if type(action) is tuple else action
                fired.append(message[2 : message.index('"', 2)])  # {"r3m": ...: the rule
                action = complete(handle, state)
        except Exception as exc:
            raise AssessmentError(f"durable-rules failed in stage {stage}: {exc}") from exc
        if fired.count(f"s{stage}") != 1:
            raise AssessmentError(f"the engine did not process the stage {stage} facts")
        return fired

    def _rescue(self, sid: str, n: int) -> None:
        """After a failure, make an action start in the session so that it can be deleted:
        assert the rescue fact (stage 0) and run every queued action."""
        try:
            rescue = {"sid": sid, "stage": 0, "n": n}
            result = _dr.assert_facts(self._handle, json.dumps([rescue]))
            state = result[1]
            action = _dr.start_action_for_state(self._handle, state)
            while action is not None:
                self._started = True
                action = _dr.complete_and_start_action(self._handle, state)
        except Exception:  # the first error is the one reported
            return

    def _close(self, sid: str, report: bool) -> None:
        """Delete the session. After a failure, only report nothing new: the first error wins."""
        if not self._started:
            # No action ever started in this session, even after the rescue: durable-rules
            # would free uninitialised pointers and crash. The session is left behind.
            return
        try:
            _dr.delete_state(self._handle, sid)
        except Exception as exc:
            if report:
                raise AssessmentError(
                    f"durable-rules could not delete session {sid}: {exc}"
                ) from exc

    def _by_index(self, fired: list[str], kind: str, ids: list[str]) -> dict[int, str]:
        """Status letter per rule index. A rule may fire once per matching ``$or`` branch;
        two different statuses for one rule are an engine failure."""
        found: dict[int, str] = {}
        names = self._names
        for fired_name in fired:
            if fired_name[0] != kind:
                continue
            parsed = names.get(fired_name)
            if parsed is None:
                parsed = _parse(fired_name)
            index, letter = parsed
            if found.setdefault(index, letter) != letter:
                raise AssessmentError("the engine gave it two statuses", ids[index])
        return found

    def _derived(self, fired: list[str]) -> dict[str, bool | None]:
        values: dict[str, bool | None] = dict.fromkeys(self._derived_paths)
        for index, letter in self._by_index(fired, "d", self._ids["d"]).items():
            values[self._derived_paths[index]] = letter == "t"
        return values

    def _statuses(self, fired: list[str]) -> list[Status]:
        statuses = [Status.UNKNOWN] * len(self._pack.rules)
        for index, letter in self._by_index(fired, "r", self._ids["r"]).items():
            statuses[index] = _STATUS[letter]
        return statuses
