"""Assessing proposals: facts, the durable-rules engine, explanations, the verdict."""

from __future__ import annotations

import collections
import datetime as dt
import functools
import hashlib
import json
import math
import os
import threading
from enum import Enum
from json.encoder import encode_basestring as _json_text
from typing import Any

from . import _model
from ._dialogue import Records
from ._engine import DurableEngine
from ._errors import AssessmentError
from ._explain import Explainer
from ._facts import build_facts, today
from ._load import _FIELD_NAMES, Source, _plain, load_proposal
from ._model import Period, Proposal
from ._reference import with_derived
from ._rules import RulePack, as_rule_pack, load_rules
from ._verdict import Decider, PackInfo, Verdict
from ._version import __version__
from ._voice import assess_with_voice

__all__ = ["Assessor", "assess", "proposal_digest"]


def proposal_digest(proposal: Proposal) -> str:
    """``sha256:...`` of the proposal's canonical JSON, recorded in its verdict: the JSON of
    :func:`proposal_to_dict` (fields in the model's order, unstated ones left out) with no
    spaces and no escaping of non-ASCII characters. Written straight from the model, without
    building the dict: stored verdicts are keyed by it, so it must never change."""
    out: list[str] = []
    _write(proposal, out)
    return "sha256:" + hashlib.sha256("".join(out).encode("utf-8")).hexdigest()


#: Per model class: (field name, its JSON key followed by a colon).
_KEYS = {c: tuple((n, _json_text(n) + ":") for n in names) for c, names in _FIELD_NAMES.items()}
#: The JSON of every member of the model's enumerations (of string values).
_MEMBERS = {
    m: _json_text(m.value)
    for c in vars(_model).values()
    if isinstance(c, type) and issubclass(c, Enum) and c is not Enum
    for m in c
    if type(m.value) is str
}
_MEMBER_TYPES = frozenset(type(m) for m in _MEMBERS)


def _write(value: Any, out: list[str]) -> None:
    """Append the canonical JSON of a model value, as ``json.dumps(_plain(value))`` writes it."""
    kind = type(value)
    keys = _KEYS.get(kind)
    if keys is not None:
        sep = "{"
        for name, key in keys:
            item = getattr(value, name)
            if item is not None:
                out.append(sep)
                out.append(key)
                _write_value(item, out)
                sep = ","
        out.append("{}" if sep == "{" else "}")
    elif kind is tuple:
        sep = "["
        for item in value:
            out.append(sep)
            _write_value(item, out)
            sep = ","
        out.append("[]" if sep == "[" else "]")
    elif kind is float and math.isfinite(value):
        out.append(float.__repr__(value))
    elif kind is dt.date or kind is Period:
        out.append(_json_text(str(value)))  # str of a date is its isoformat()
    else:  # anything else: exactly as before
        out.append(json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":")))


def _write_value(value: Any, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(_json_text(value))
    elif kind is bool:
        out.append("true" if value else "false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind in _MEMBER_TYPES:
        out.append(_MEMBERS[value])
    else:
        _write(value, out)


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
        derived, statuses = self._engine.run(doc)
        full = with_derived(doc, derived)
        try:
            findings = tuple(
                explainer.explain(status, full)
                for explainer, status in zip(self._explainers, statuses, strict=True)
            )
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


def _assessor_for(rules: RulePack | None) -> Assessor:
    """A compiled assessor per pack digest, the last few kept: compiling per call is slow,
    and durable-rules 2.0.28 refuses new rulesets (error 102) after about a thousand have
    been created and dropped out of order in one process."""
    with _cache_lock:
        pack = rules if rules is not None else _framework()
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
    return _assessor_for(pack).assess(proposal, timestamp=timestamp, as_of=as_of, dialogue=dialogue)
