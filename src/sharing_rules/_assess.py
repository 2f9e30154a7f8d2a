"""Assessing proposals: facts, the durable-rules engine, explanations, the verdict."""

from __future__ import annotations

import collections
import datetime as dt
import functools
import json
import os
import threading
from itertools import repeat

from ._dialogue import Records
from ._digest import proposal_digest, sha256_text
from ._engine import DurableEngine
from ._errors import AssessmentError
from ._explain import Explainer
from ._facts import build_facts, today
from ._load import Source, load_proposal
from ._rules import RulePack, as_rule_pack, load_rules
from ._verdict import Decider, PackInfo, Verdict
from ._version import __version__
from ._voice import assess_with_voice

__all__ = ["Assessor", "assess", "proposal_digest"]


class Assessor:
    """A rule pack compiled once onto durable-rules; reuse it, and share it between threads.

    >>> assessor = Assessor(load_rules())
    >>> assessor.assess("examples/vague-title-only.yaml").outcome
    <Outcome.NOT_ACCEPTABLE: 'not_acceptable'>
    """

    def __init__(self, rules: RulePack | str | os.PathLike[str] | None = None) -> None:
        self.rules = as_rule_pack(rules) if rules is not None else load_rules()
        """The rule pack this assessor was compiled from (the framework pack by default)."""
        self._engine = DurableEngine(self.rules)
        vocabulary = self.rules.vocabulary
        self._explainers = [Explainer(rule, vocabulary) for rule in self.rules.rules]
        self._tests = {k: v.name for k, v in self.rules.tests.items()}
        self._features = {k: v.name for k, v in self.rules.features.items()}
        layout = [(r.test, r.features, r.severity.value == "blocking") for r in self.rules.rules]
        self._decide = Decider(layout, self._tests, self._features)
        local = self.rules.components if len(self.rules.components) > 1 else None
        self._pack = PackInfo(self.rules.id, self.rules.version, self.rules.digest, local)

    def _network_digest(self) -> str:
        """``sha256:...`` of the network this assessor gave durable-rules: equal digests, the
        same engine (batch workers check theirs against the parent's)."""
        return sha256_text(json.dumps(self._engine.definition))

    def assess(
        self,
        proposal: Source,
        *,
        timestamp: bool = False,
        as_of: dt.date | None = None,
        dialogue: Records | None = None,
    ) -> Verdict:
        """Assess a proposal (a ``Proposal``, a mapping, or a YAML/JSON file path).

        Date checks (a review date not yet past) are made as of ``as_of``, today (UTC) by
        default; the verdict records it, so that passing the same date reproduces it.
        With ``dialogue`` (dialogue records: a folder, files or records), the verdict gains
        a ``public_voice`` section and residents' conditions and red lines are checked as
        criteria (see docs/public-voice.md).

        Raises :class:`ProposalError` for invalid input and :class:`AssessmentError` if the
        engine fails; never returns a verdict from a failed run. With ``timestamp``, the
        verdict records when it was made (it is otherwise byte-for-byte reproducible).
        """
        if dialogue is not None:  # issue 15: public voice
            return assess_with_voice(self, proposal, dialogue, timestamp=timestamp, as_of=as_of)
        proposal = load_proposal(proposal)
        as_of = as_of or today()
        doc = build_facts(proposal, as_of)
        derived, statuses, full = self._engine.evaluate(doc)
        try:
            if len(statuses) != len(self._explainers):
                raise ValueError(f"{len(statuses)} statuses for {len(self._explainers)} rules")
            findings = tuple(map(Explainer.explain, self._explainers, statuses, repeat(full)))
        except Exception as exc:  # fail closed: no verdict from a broken explanation
            raise AssessmentError(f"could not explain the findings: {exc}") from exc
        outcome, tests, features = self._decide(findings)
        return Verdict(
            outcome=outcome,
            tests=tests,
            features=features,
            findings=findings,
            derived=derived,
            proposal_id=proposal.id,
            proposal_digest=proposal_digest(proposal),
            rule_pack=self._pack,
            library_version=__version__,
            as_of=as_of.isoformat(),
            assessed_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            if timestamp
            else None,
        )


_cache_lock = threading.Lock()
_assessors: collections.OrderedDict[str, Assessor] = collections.OrderedDict()
_CACHED = 8


def assessor_for(rules: RulePack | str | os.PathLike[str] | None) -> Assessor:
    """The shared compiled assessor of ``rules`` (a pack, a pack folder's path, or ``None``
    for the framework pack): the entry point for every module that assesses with the rules
    it was given (assess, plan, diff, reassess, voice, batch). One per pack digest, the last
    few kept: compiling per call is slow, and durable-rules 2.0.28 refuses new rulesets
    (error 102) after about a thousand have been created and dropped out of order in one
    process."""
    given = as_rule_pack(rules) if rules is not None else None
    with _cache_lock:
        pack = given if given is not None else _framework()
        assessor = _assessors.get(pack.digest)
        if assessor is None:
            assessor = _assessors[pack.digest] = Assessor(pack)
            while len(_assessors) > _CACHED:
                _assessors.popitem(last=False)
        _assessors.move_to_end(pack.digest)
        return assessor


@functools.cache
def _framework() -> RulePack:
    return load_rules()


def assess(
    proposal: Source,
    *,
    rules: RulePack | str | os.PathLike[str] | None = None,
    timestamp: bool = False,
    as_of: dt.date | None = None,
    dialogue: Records | None = None,
) -> Verdict:
    """Assess a proposal with the framework pack (or ``rules``, a pack or a pack folder's
    path), as of a date (today by default). See :class:`Assessor`.

    The compiled pack is cached by its digest, so calling this repeatedly is cheap.
    """
    pack = as_rule_pack(rules) if rules is not None else None
    return assessor_for(pack).assess(proposal, timestamp=timestamp, as_of=as_of, dialogue=dialogue)
