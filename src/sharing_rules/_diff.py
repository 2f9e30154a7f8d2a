"""Change impact: what differs between two verdicts, or two versions of a proposal."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from enum import Enum
from typing import Any

import attrs

from ._assess import assessor_for
from ._facts import today
from ._load import Source, load_proposal
from ._rules import RulePack
from ._verdict import Basis, Finding, Outcome, PackInfo, Status, Verdict

__all__ = ["FindingChange", "StatusChange", "VerdictDiff", "diff_proposals", "diff_verdicts"]


@attrs.frozen(slots=True)
class StatusChange:
    """A test or key feature whose status differs (``None``: not in that verdict)."""

    name: str
    old: str | None
    new: str | None


@attrs.frozen(slots=True)
class FindingChange:
    """A criterion whose status, basis or severity differs (``None``: not in that verdict)."""

    rule_id: str
    title: str
    old_status: Status | None
    new_status: Status | None
    old_basis: Basis | None = None
    new_basis: Basis | None = None
    old_severity: str | None = None
    new_severity: str | None = None


@attrs.frozen(slots=True)
class VerdictDiff:
    """The differences between an old and a new verdict; ``empty`` when there are none."""

    old_outcome: Outcome
    new_outcome: Outcome
    tests: tuple[StatusChange, ...]
    features: tuple[StatusChange, ...]
    findings: tuple[FindingChange, ...]
    old_pack: PackInfo
    new_pack: PackInfo
    old_proposal_digest: str
    new_proposal_digest: str
    old_as_of: str | None = None
    new_as_of: str | None = None

    @property
    def outcome_changed(self) -> bool:
        """Whether the overall outcome differs."""
        return self.old_outcome is not self.new_outcome

    @property
    def empty(self) -> bool:
        """No outcome, test, feature or finding differs (digests and dates aside)."""
        return not (self.outcome_changed or self.tests or self.features or self.findings)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (see docs/changes.md for the shape)."""
        data = attrs.asdict(self, value_serializer=_plain)
        data["outcome_changed"] = self.outcome_changed
        data["empty"] = self.empty
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """The differences as JSON, with sorted keys."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, sort_keys=True)


def _plain(_: Any, __: Any, value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _statuses(old: Mapping[Any, Any], new: Mapping[Any, Any]) -> tuple[StatusChange, ...]:
    changes = []
    for key in [*old, *(k for k in new if k not in old)]:
        before = old[key].status.value if key in old else None
        after = new[key].status.value if key in new else None
        if before != after:
            changes.append(StatusChange(str(key), before, after))
    return tuple(changes)


def _key(finding: Finding) -> tuple[Any, ...]:
    return finding.status, finding.basis, finding.severity


def diff_verdicts(old: Verdict, new: Verdict) -> VerdictDiff:
    """What changed from ``old`` to ``new``: the outcome, tests, key features, and every
    criterion whose status, basis or severity differs (in the new pack's order, then the
    criteria only the old verdict has)."""
    before = {f.rule_id: f for f in old.findings}
    after = {f.rule_id: f for f in new.findings}
    findings = []
    for rule_id in [*after, *(r for r in before if r not in after)]:
        was, now = before.get(rule_id), after.get(rule_id)
        if was and now and _key(was) == _key(now):
            continue
        shown = now if now is not None else was
        assert shown is not None
        findings.append(
            FindingChange(
                rule_id,
                shown.title,
                was.status if was else None,
                now.status if now else None,
                was.basis if was else None,
                now.basis if now else None,
                was.severity if was else None,
                now.severity if now else None,
            )
        )
    return VerdictDiff(
        old_outcome=old.outcome,
        new_outcome=new.outcome,
        tests=_statuses(old.tests, new.tests),
        features=_statuses(old.features, new.features),
        findings=tuple(findings),
        old_pack=old.rule_pack,
        new_pack=new.rule_pack,
        old_proposal_digest=old.proposal_digest,
        new_proposal_digest=new.proposal_digest,
        old_as_of=old.as_of,
        new_as_of=new.as_of,
    )


def diff_proposals(
    old: Source,
    new: Source,
    *,
    rules: RulePack | str | os.PathLike[str] | None = None,
    as_of: dt.date | None = None,
) -> VerdictDiff:
    """Assess two versions of a proposal with the same pack and date, and diff the verdicts."""
    assessor = assessor_for(rules)
    day = as_of or today()
    return diff_verdicts(
        assessor.assess(load_proposal(old), as_of=day),
        assessor.assess(load_proposal(new), as_of=day),
    )
