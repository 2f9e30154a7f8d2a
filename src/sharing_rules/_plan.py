"""What-if repair plans: the changes that would make a proposal acceptable, each one checked.

A plan changes only what a proposer can legitimately do something about: the safeguards,
the paperwork and the process (a retention period, a completed DPIA, restricted onward
sharing, a person reviewing every match). It never changes what is shared, with whom and
why, where the data came from, or how a risk was rated: where a criterion fails on those,
the plan says so (see :class:`Blocker`). Every step is checked by re-assessing the changed
proposal with the same rule pack and date; nothing is guessed from messages.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import os
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from enum import StrEnum
from typing import Any

import attrs

from ._assess import Assessor, assessor_for, proposal_digest
from ._conditions import All, AnyOf, Compare, Condition, Not, Quantified
from ._dialogue import Records
from ._diff import _plain
from ._errors import AssessmentError, ProposalError
from ._facts import LISTS_BY_PATH, today
from ._load import Source, load_proposal, proposal_to_dict
from ._model import Period, Proposal
from ._rules import Rule, RulePack
from ._text import is_non_answer
from ._verdict import Finding, Outcome, PackInfo, Status, Verdict
from ._voice import with_residents

__all__ = [
    "Blocker",
    "BlockerKind",
    "ChangeKind",
    "RepairChange",
    "RepairPlan",
    "RepairStep",
    "plan_with",
    "repair_plan",
]


class ChangeKind(StrEnum):
    """What a change asks of the proposer."""

    ADD = "add"  #: state what is missing (any real answer; the plan checked it with a stand-in)
    SET = "set"  #: make this choice (the value matters)


class BlockerKind(StrEnum):
    """Why a finding is left out of the plan."""

    SUBSTANCE = "substance"  #: what the proposal states fails it; the sharing itself must change
    INFORMATION = "information"  #: facts only the proposer can state; the outcome depends on them


@attrs.frozen(slots=True)
class RepairChange:
    """One field changed: its path, what it held, and what the plan checked it with."""

    path: str
    kind: ChangeKind
    value: Any  #: the value the re-assessment used (for ``add``, a stand-in for a real answer)
    was: Any = None  #: what the proposal held (``None``: not stated)
    description: str = ""  #: what the field is, from the proposal model


@attrs.frozen(slots=True)
class RepairStep:
    """Changes that resolve one or more findings, and the outcome once they (and every
    earlier step) are made; ``checked`` is true because that outcome was re-assessed."""

    changes: tuple[RepairChange, ...]
    resolves: tuple[str, ...]  #: rule ids not met or unknown before the step, met after it
    outcome: Outcome
    checked: bool = True


@attrs.frozen(slots=True)
class Blocker:
    """A finding no change the plan may make resolves."""

    rule_id: str
    title: str
    status: Status
    kind: BlockerKind
    paths: tuple[str, ...]
    severity: str


@attrs.frozen(slots=True)
class RepairPlan:
    """The smallest checked set of changes found, and the findings no change can resolve.

    ``steps`` is minimal in the sense that removing any one of them changes the final
    result (the outcome, or which findings are left not met or unknown).
    """

    proposal_id: str
    proposal_digest: str
    rule_pack: PackInfo
    as_of: str
    outcome: Outcome  #: the outcome before any change
    reaches: Outcome  #: the outcome once every step is made
    steps: tuple[RepairStep, ...]
    blockers: tuple[Blocker, ...]

    @property
    def empty(self) -> bool:
        """Nothing to do and nothing blocking (the proposal is acceptable)."""
        return not self.steps and not self.blockers

    def to_dict(self) -> dict[str, Any]:
        """Plain data (see docs/changes.md for the shape)."""
        return attrs.asdict(self, value_serializer=_plain)

    def to_json(self, indent: int | None = 2) -> str:
        """The plan as JSON, with sorted keys."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, sort_keys=True)


# ------------------------------------------------------------------ what a plan may change

#: Fields (paths without list indices) a proposer can act on: the values they may be given,
#: most modest first (``None``: any real answer, a text, a date or a period), and whether a
#: value already stated may be replaced. Everything else (what is shared, with whom and
#: why, where it came from, who the people are, how a risk was rated, the legal position)
#: is never changed by a plan.
_ACTIONS: dict[str, tuple[tuple[Any, ...] | None, bool]] = {
    "purpose.limits_on_other_uses": (None, False),
    "purpose.compatibility_reasoning": (None, False),
    "purpose.onward_sharing": (("with_provider_agreement", "prohibited"), True),
    "data_items.justification": (None, False),
    "data_items.identifiability_reason": (None, False),
    "data_items.identifiability": (("pseudonymised", "de_identified", "aggregate"), True),
    "data_subjects.children_justification": (None, False),
    "sharing.combination_detail": (None, False),
    "sharing.method": (("secure_transfer", "api", "secure_environment"), True),
    "sharing.human_review": ((True,), True),
    "sharing.case_by_case": ((True,), True),
    "sharing.informal": ((False,), True),
    "alternatives.why_rejected": (None, False),
    "consequences_of_not_sharing": (None, False),
    "benefits.measure": (None, False),
    "benefits.evidence": (None, False),
    "risks.mitigations": (None, False),
    "governance.accountable_owner": (None, False),
    "governance.dpia_status": (("completed",), True),
    "governance.dpia_reference": (None, False),
    "governance.data_sharing_agreement": (None, False),
    "governance.dpo_consulted": ((True,), True),
    "governance.caldicott_guardian_approved": ((True,), True),
    "governance.review_date": (None, True),
    "governance.evaluation_plan": (None, False),
    "governance.use_monitored": ((True,), True),
    "governance.equality_impact_assessed": ((True,), True),
    "governance.research_approval": ((True,), True),
    "safeguards.access_control": (None, False),
    "safeguards.security_measures": (None, False),
    "safeguards.setting": (("secure_recipient_systems", "trusted_research_environment"), True),
    "safeguards.retention_period": (None, True),
    "safeguards.deletion_method": (None, False),
    "safeguards.audit_logging": ((True,), True),
    "safeguards.breach_procedure": ((True,), True),
    "safeguards.transfer_safeguard": (None, False),
    "transparency.privacy_notice": (None, False),
    "transparency.register_entry": (None, False),
    "transparency.purpose_published": ((True,), True),
    "transparency.individuals_informed": ((True,), True),
    "transparency.plain_language_summary": (None, False),
    "transparency.challenge_route": (None, False),
    "transparency.opt_outs_honoured": ((True,), True),
    "transparency.public_engagement.done": ((True,), True),
    "transparency.public_engagement.method": (None, False),
    "transparency.public_engagement.findings": (None, False),
}
#: Choices that may only move one way: onward sharing more restricted, data less
#: identifying, a safer setting (least protective first).
_ORDERED = {
    "purpose.onward_sharing": ("permitted", "with_provider_agreement", "prohibited"),
    "data_items.identifiability": (
        "identified",
        "pseudonymised",
        "de_identified",
        "aggregate",
        "anonymous",
    ),
    "safeguards.setting": (
        "open",
        "recipient_systems",
        "secure_recipient_systems",
        "trusted_research_environment",
    ),
}
#: Stand-ins for a real answer, used only to check that stating one resolves a finding.
_STAND_IN_TEXT = {
    "safeguards.access_control": "Only named caseworkers with a business need, by role.",
}
_RETENTION = ("P1Y", "P6M")
_MAX_TRIES = 8  #: value combinations tried per finding
_INDEX = re.compile(r"\[\d+\]")
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _key(path: str) -> str:
    """A proposal path without ``$.`` and list indices: ``data_items.justification``."""
    return _INDEX.sub("", path).removeprefix("$.")


def _field(key: str) -> tuple[Any, str, bool]:
    """A field's type (``Optional`` and tuples unwrapped to their item), its description,
    and whether it holds a list."""
    cls: Any = Proposal
    hint: Any = None
    for name in key.split("."):
        hint = typing.get_type_hints(cls)[name]
        cls = _unwrap(hint)
    description = attrs.fields_dict(_owner(key))[key.rsplit(".", 1)[-1]].metadata
    return cls, description.get("description", ""), "tuple" in str(hint)


def _owner(key: str) -> Any:
    cls: Any = Proposal
    for name in key.split(".")[:-1]:
        cls = _unwrap(typing.get_type_hints(cls)[name])
    return cls


def _unwrap(tp: Any) -> Any:
    while True:
        args = [a for a in typing.get_args(tp) if a is not type(None) and a is not Ellipsis]
        if len(args) != 1 or typing.get_origin(tp) not in (tuple, typing.Union, types.UnionType):
            return tp
        tp = args[0]


def _unstated(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return is_non_answer(value)
    if isinstance(value, list):
        return all(isinstance(v, str) and is_non_answer(v) for v in value)
    return False


def _values(
    path: str, current: Any, as_of: dt.date, limits: Sequence[float] = ()
) -> list[tuple[ChangeKind, Any]]:
    """The values a field may be given to act on a finding, most modest first; ``limits``
    are the most (in years) the rule's conditions allow a period."""
    key = _key(path)
    action = _ACTIONS.get(key)
    if action is None:
        return []
    allowed, replace = action
    if not _unstated(current) and not replace:
        return []
    if allowed is not None:
        order = _ORDERED.get(key)
        if order is None:  # any of the allowed values will do: keep one already chosen
            return [] if current in allowed else [(ChangeKind.SET, v) for v in allowed]
        rank = order.index(current) if current in order else -1
        return [(ChangeKind.SET, v) for v in allowed if order.index(v) > rank]
    tp, description, many = _field(key)
    if tp is dt.date:
        later = dt.date.fromisoformat(current) if isinstance(current, str) else None
        if later is not None and later > as_of:
            return []
        return [(ChangeKind.SET, (as_of + dt.timedelta(days=365)).isoformat())]
    if tp is Period:  # only ever shorter than a period stated
        limit = _length(current)
        periods = [f"P{int(n)}Y" for n in sorted(limits, reverse=True) if n >= 1]
        periods = list(dict.fromkeys([*periods, *_RETENTION]))
        shorter = [p for p in periods if limit is None or (_length(p) or 0) < limit]
        return [(ChangeKind.SET, p) for p in shorter]
    if not _unstated(current):
        return []
    text = _STAND_IN_TEXT.get(key, f"(stated by the proposer) {description}")
    return [(ChangeKind.ADD, [text] if many else text)]


def _length(period: Any) -> int | None:
    try:
        return Period.parse(period).approx_days if isinstance(period, str) else None
    except ValueError:
        return None


# ------------------------------------------------------------------ paths in plain data


def _steps(path: str) -> list[str | int]:
    return [name or int(index) for name, index in _STEP.findall(path.removeprefix("$"))]


def _get(data: Any, path: str) -> Any:
    for step in _steps(path):
        if isinstance(step, int):
            if not isinstance(data, list) or step >= len(data):
                return None
            data = data[step]
        else:
            if not isinstance(data, Mapping):
                return None
            data = data.get(step)
    return data


def _exists(data: Any, path: str) -> bool:
    """Whether the path can be set without adding list items (that would change what is
    shared): every list it goes through already has that item."""
    steps = _steps(path)
    for position, step in enumerate(steps[:-1]):
        if data is None:
            return not any(isinstance(s, int) for s in steps[position:])
        if isinstance(step, int):
            if not isinstance(data, list) or step >= len(data):
                return False
            data = data[step]
        elif isinstance(data, Mapping):
            data = data.get(step)
        else:
            return False
    return True


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    steps = _steps(path)
    target: Any = data
    for step, following in itertools.pairwise(steps):
        if isinstance(step, int):
            target = target[step]
        else:
            if target.get(step) is None:
                target[step] = [] if isinstance(following, int) else {}
            target = target[step]
    target[steps[-1]] = value


def _applied(data: Mapping[str, Any], changes: Sequence[RepairChange]) -> dict[str, Any]:
    out = copy.deepcopy(dict(data))
    for change in changes:
        _set(out, change.path, change.value)
    return out


# ------------------------------------------------------------------ candidates


def _condition_paths(c: Condition, data: Mapping[str, Any], pack: RulePack) -> Iterator[str]:
    """The proposal fields a condition reads, with the indices of the items stated."""
    if isinstance(c, Compare):
        fact = pack.vocabulary.get(c.fact)
        if fact is not None:
            yield from (s for s in fact.source if s.startswith("$."))
    elif isinstance(c, Not):
        yield from _condition_paths(c.item, data, pack)
    elif isinstance(c, All | AnyOf):
        for item in c.items:
            yield from _condition_paths(item, data, pack)
    elif isinstance(c, Quantified):
        spec = LISTS_BY_PATH.get(c.list)
        items = _get(data, spec.source) if spec else None
        if spec is None or not isinstance(items, list):
            return
        fields = {f.path: f for f in spec.items}
        for leaf in _leaves(c.where):
            field = fields.get(leaf.fact)
            if field is not None:
                for index in range(len(items)):
                    yield f"{spec.source}[{index}].{field.source[0]}"


def _leaves(c: Condition) -> Iterator[Compare]:
    if isinstance(c, Compare):
        yield c
    elif isinstance(c, Not):
        yield from _leaves(c.item)
    elif isinstance(c, All | AnyOf):
        for item in c.items:
            yield from _leaves(item)
    elif isinstance(c, Quantified):
        yield from _leaves(c.where)


def _limits(rule: Rule, pack: RulePack) -> dict[str, list[float]]:
    """The upper bounds the rule's conditions set on facts read from one proposal field
    (a retention period of at most N years), by the field's path."""
    limits: dict[str, list[float]] = {}
    for leaf in _leaves(rule.condition):
        fact = pack.vocabulary.get(leaf.fact)
        number = type(leaf.value) in (int, float)
        if fact is not None and leaf.op in ("le", "lt") and number and len(fact.source) == 1:
            limits.setdefault(fact.source[0], []).append(float(leaf.value))
    return limits


def _options(
    finding: Finding, data: Mapping[str, Any], pack: RulePack, as_of: dt.date
) -> list[tuple[str, list[tuple[ChangeKind, Any]]]]:
    """Each field the plan may change to act on a finding, with its candidate values."""
    paths = [d.path for d in finding.details]
    try:
        rule = pack.rule(finding.rule_id)
    except KeyError:
        rule = None
    if rule is not None:  # what it checks, and what makes it apply (case by case sharing)
        for condition in (rule.condition, rule.when):
            if condition is not None:
                paths += _condition_paths(condition, data, pack)
    limits = _limits(rule, pack) if rule is not None else {}
    options = []
    for path in dict.fromkeys(paths):
        if path.startswith("$.") and _key(path) in _ACTIONS and _exists(data, path):
            values = _values(path, _get(data, path), as_of, limits.get(path, ()))
            if values:
                options.append((path, values))
    return options


# ------------------------------------------------------------------ the search


def _gap(finding: Finding) -> bool:
    return finding.status is Status.NOT_MET or finding.status is Status.UNKNOWN


def _gaps(verdict: Verdict) -> frozenset[str]:
    return frozenset(f.rule_id for f in verdict.findings if _gap(f))


def _resolved(verdict: Verdict, rule_id: str) -> bool:
    return all(not _gap(f) for f in verdict.findings if f.rule_id == rule_id)


class _Search:
    """Re-assesses changed proposals with one compiled pack, at one date."""

    def __init__(self, assessor: Assessor, as_of: dt.date) -> None:
        self.assessor = assessor
        self.as_of = as_of

    def assess(self, data: Mapping[str, Any]) -> Verdict | None:
        try:
            return self.assessor.assess(dict(data), as_of=self.as_of)
        except ProposalError:  # a change the model refuses is not a candidate
            return None

    def fix(
        self, finding: Finding, data: Mapping[str, Any]
    ) -> tuple[tuple[RepairChange, ...], dict[str, Any], Verdict] | None:
        """The fewest changes found that resolve the finding, checked."""
        options = _options(finding, data, self.assessor.rules, self.as_of)
        if not options:
            return None
        before = self.assess(data)
        gaps = _gaps(before) if before is not None else frozenset()

        def works(verdict: Verdict | None) -> bool:
            # Resolves the finding and leaves no other criterion worse off than it was.
            return (
                verdict is not None
                and _resolved(verdict, finding.rule_id)
                and _gaps(verdict) <= gaps
            )

        choices = [[(path, kind, value) for kind, value in values] for path, values in options]
        for combo in itertools.islice(itertools.product(*choices), _MAX_TRIES):
            changes = [self._change(path, kind, value, data) for path, kind, value in combo]
            trial = _applied(data, changes)
            verdict = self.assess(trial)
            if not works(verdict):
                continue
            for change in list(changes):  # drop what the finding does not need
                fewer = [c for c in changes if c is not change]
                smaller = _applied(data, fewer)
                again = self.assess(smaller)
                if works(again):
                    changes, trial, verdict = fewer, smaller, again
            assert verdict is not None
            return tuple(changes), trial, verdict
        return None

    @staticmethod
    def _change(path: str, kind: ChangeKind, value: Any, data: Mapping[str, Any]) -> RepairChange:
        return RepairChange(path, kind, value, _get(data, path), _field(_key(path))[1])


def _order(verdict: Verdict) -> list[Finding]:
    """Gaps to work on: blocking first, each group in pack order."""
    gaps = [f for f in verdict.findings if _gap(f)]
    return sorted(gaps, key=lambda f: not f.blocking)


def repair_plan(
    proposal: Source,
    *,
    rules: RulePack | str | os.PathLike[str] | None = None,
    as_of: dt.date | None = None,
    dialogue: Records | None = None,
) -> RepairPlan:
    """The changes, finding by finding, that would make a proposal acceptable (or as near
    as changes to its safeguards, paperwork and process can get), each checked by
    re-assessing the changed proposal with the same pack and date; and the findings that
    no such change resolves (:class:`Blocker`). See docs/changes.md.

    With ``dialogue`` (dialogue records, as for :func:`assess`) the plan is made on the
    verdict with residents' conditions and red lines checked as criteria, so it works
    towards meeting them too.

    Found greedily, then pruned: removing any step would change the final outcome or leave
    a finding unresolved. It is the smallest set this search finds, not a proven minimum.
    """
    return plan_with(assessor_for(rules), proposal, as_of, dialogue)


def plan_with(
    assessor: Assessor,
    proposal: Source,
    as_of: dt.date | None = None,
    dialogue: Records | None = None,
) -> RepairPlan:
    """:func:`repair_plan` with an :class:`Assessor` already compiled (as the CLI has)."""
    loaded = load_proposal(proposal)
    if dialogue is not None:  # the residents' rules, the same for every version tried
        assessor = with_residents(assessor, loaded, dialogue)
    day = as_of or today()
    search = _Search(assessor, day)
    start = search.assessor.assess(loaded, as_of=day)
    original = proposal_to_dict(loaded)
    data, verdict = original, start
    found: list[tuple[RepairChange, ...]] = []
    tried: set[str] = set()
    for _ in range(2 * len(start.findings) + 1):
        todo = [f for f in _order(verdict) if f.rule_id not in tried]
        if not todo:
            break
        finding = todo[0]
        tried.add(finding.rule_id)
        fixed = search.fix(finding, data)
        if fixed is not None:
            changes, data, verdict = fixed
            found.append(changes)
    steps, final = _prune(search, original, found)
    return RepairPlan(
        proposal_id=loaded.id,
        proposal_digest=proposal_digest(loaded),
        rule_pack=start.rule_pack,
        as_of=day.isoformat(),
        outcome=start.outcome,
        reaches=final.outcome,
        steps=steps,
        blockers=tuple(_blocker(f) for f in _order(final)),
    )


def _result(verdict: Verdict) -> tuple[Outcome, frozenset[str]]:
    return verdict.outcome, _gaps(verdict)


def _prune(
    search: _Search, original: Mapping[str, Any], found: list[tuple[RepairChange, ...]]
) -> tuple[tuple[RepairStep, ...], Verdict]:
    """Drop every step whose removal leaves the final result as it is; then re-assess the
    steps that remain, one after another, for the outcome after each."""

    def final(groups: Sequence[tuple[RepairChange, ...]]) -> Verdict:
        verdict = search.assess(_applied(original, [c for g in groups for c in g]))
        if verdict is None:  # every change was accepted by the model on its own path
            raise AssessmentError("the repair plan's changes together made an invalid proposal")
        return verdict

    target = _result(final(found))
    kept = list(range(len(found)))
    for index in range(len(found)):
        fewer = [i for i in kept if i != index]
        if _result(final([found[i] for i in fewer])) == target:
            kept = fewer
    groups = [found[i] for i in kept]
    steps = []
    before = final([])
    for count, group in enumerate(groups, start=1):
        after = final(groups[:count])
        resolves = tuple(sorted(_gaps(before) - _gaps(after)))
        steps.append(RepairStep(group, resolves, after.outcome))
        before = after
    return tuple(steps), before


def _blocker(finding: Finding) -> Blocker:
    """A finding left unresolved, with the fields behind it that a plan may not change
    (all its fields if it may change each of them, yet no change resolved it)."""
    kind = BlockerKind.SUBSTANCE if finding.contrary else BlockerKind.INFORMATION
    fixed = tuple(p for p in finding.paths if _key(p) not in _ACTIONS)
    paths = fixed or finding.paths
    return Blocker(finding.rule_id, finding.title, finding.status, kind, paths, finding.severity)
