"""Decision records: what was decided on a verdict, by whom, and which findings were waived.

A verdict is advice. A :class:`DecisionRecord` says what the council decided despite or
because of it, in the shape of the ICO's DPIA sign-off: who decided and in what role, when,
the decision and its conditions, the residual risk (likelihood x severity), whether the data
protection officer's advice was followed (and why not), and *waivers*: specific findings of
this proposal accepted with a justification until a date.

A record names the verdict it was made on by the proposal's digest, the rule pack's digest
and the date the verdict was assessed as of. :func:`apply_decision` checks a record against
a verdict: a record whose digests no longer match is *stale* and none of its waivers is
applied; a waiver never changes the verdict's outcome (see docs/decisions.md).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

import attrs
import yaml

from ._errors import Problem, _ProblemsError, did_you_mean
from ._files import InputProblem, read_text_file
from ._load import _line_order, _make_converter, _problems
from ._model import (
    InvalidFieldsError,
    Likelihood,
    Severity,
    _Checked,
    _convert,
    _doc,
    _Failure,
    _field,
    _optional,
    _scalar,
    _text,
    _texts,
)
from ._schema import _document, write_schema_files
from ._verdict import Finding, Outcome, Status, Verdict
from ._yaml import line_for, parse_with_lines

__all__ = [
    "DecisionError",
    "DecisionRecord",
    "DecisionReview",
    "DpoAdvice",
    "ResidualRisk",
    "Resolution",
    "RiskLevel",
    "Waiver",
    "WaiverCheck",
    "WaiverStatus",
    "apply_decision",
    "decision_from_dict",
    "decision_schema",
    "load_decision",
    "risk_level",
]


class Resolution(StrEnum):
    """What was decided."""

    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    REJECT = "reject"
    RETURN_FOR_INFORMATION = "return_for_information"  #: sent back to the proposer

    @property
    def approves(self) -> bool:
        """Whether the sharing may go ahead."""
        return self in (Resolution.APPROVE, Resolution.APPROVE_WITH_CONDITIONS)


class RiskLevel(StrEnum):
    """Overall residual risk, as in the ICO DPIA template."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


_RANK = {
    Likelihood.REMOTE: 1,
    Likelihood.POSSIBLE: 2,
    Likelihood.PROBABLE: 3,
    Severity.MINIMAL: 1,
    Severity.SIGNIFICANT: 2,
    Severity.SEVERE: 3,
}


def risk_level(likelihood: Likelihood, severity: Severity) -> RiskLevel:
    """The overall risk of a likelihood and a severity of harm (ICO DPIA template scales).

    The template leaves the combination to judgement; we read it as the usual 3 x 3 matrix
    of their ranks' product: 1-2 low, 3-4 medium, 6-9 high (so remote but severe harm, or
    probable but minimal harm, is medium).
    """
    score = _RANK[likelihood] * _RANK[severity]
    return RiskLevel.LOW if score <= 2 else RiskLevel.MEDIUM if score <= 4 else RiskLevel.HIGH


class DecisionError(_ProblemsError, ValueError):
    """A decision record could not be read, or is not valid: ``problems`` lists every
    problem with its file, line, path and a hint."""

    kind = "decision record"


_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def _digest(value: Any) -> _Failure | None:
    failed = _scalar(str)(value)
    if failed is None and not _DIGEST.match(value):
        return _Failure(
            "expected a digest as sha256: and 64 hexadecimal digits, as in the verdict",
            code="invalid-value",
        )
    return failed


def _choice(kind: type[StrEnum]) -> Any:
    """A required field holding one value of a vocabulary."""
    return _field(_scalar(kind), required=True, convert=_convert(kind))


def _invalid(cls: type, path: str, message: str, hint: str | None = None) -> InvalidFieldsError:
    return InvalidFieldsError(cls, [Problem(path, message, hint, code="invalid-value")])


@attrs.frozen(slots=True)
class Waiver(_Checked):
    """A finding of this proposal accepted as it is, with a justification, until a date by
    which it is reviewed (or expires)."""

    rule_id: str = _doc("The id of the finding's rule.", _text(required=True))
    justification: str = _doc("Why the finding is accepted.", _text(required=True))
    until: dt.date = _doc(
        "The date the waiver expires or must be reviewed by.",
        _field(_scalar(dt.date), required=True),
    )


@attrs.frozen(slots=True)
class ResidualRisk(_Checked):
    """The risk left once the measures are in place (ICO DPIA template, step 7)."""

    likelihood: Likelihood = _doc(
        "Likelihood of harm: remote, possible or probable.", _choice(Likelihood)
    )
    severity: Severity = _doc(
        "Severity of harm: minimal, significant or severe.", _choice(Severity)
    )
    level: RiskLevel | None = _doc(
        "The overall risk: low, medium or high. It follows from likelihood and severity "
        "(see docs/decisions.md): filled in if left out, and if given it must agree.",
        _optional(RiskLevel),
    )

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        expected = risk_level(self.likelihood, self.severity)
        if self.level is None:  # filled in, so that a record reads back as it was written
            object.__setattr__(self, "level", expected)
        elif self.level is not expected:
            raise _invalid(
                type(self),
                "$.level",
                f"{self.likelihood.value} likelihood and {self.severity.value} severity make "
                f"the risk {expected.value}, not {self.level.value}",
                f"write {expected.value}, or leave level out",
            )

    @property
    def overall(self) -> RiskLevel:
        """The overall risk (low, medium or high)."""
        return risk_level(self.likelihood, self.severity)


@attrs.frozen(slots=True)
class DpoAdvice(_Checked):
    """The data protection officer's advice and whether it was followed; a reason is
    required when it was not (ICO DPIA template: "if overruled, you must explain")."""

    followed: bool = _doc("The DPO's advice was followed.", _field(_scalar(bool), required=True))
    advice: str | None = _doc("A summary of the DPO's advice.", _text())
    reason: str | None = _doc("Why the advice was not followed.", _text())

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.followed is False and self.reason is None:
            raise InvalidFieldsError(
                type(self),
                [
                    Problem(
                        "$.reason",
                        "the DPO's advice was not followed, and no reason is given",
                        "state why the advice was overruled",
                        code="missing-required",
                    )
                ],
            )


@attrs.frozen(slots=True)
class DecisionRecord(_Checked):
    """A decision on one proposal's verdict: the sign-off of its assessment.

    ``proposal_digest``, ``rule_pack_digest`` and ``as_of`` name the verdict it was made
    on; ``verdict_outcome`` records what that verdict said.
    """

    proposal_id: str = _doc("The id of the proposal decided on.", _text(required=True))
    proposal_digest: str = _doc(
        "The proposal's digest, from its verdict.", _field(_digest, required=True)
    )
    rule_pack: str = _doc("The id of the rule pack of the verdict.", _text(required=True))
    rule_pack_digest: str = _doc(
        "The rule pack's digest, from the verdict.", _field(_digest, required=True)
    )
    as_of: dt.date = _doc(
        "The date the verdict was assessed as of.", _field(_scalar(dt.date), required=True)
    )
    verdict_outcome: Outcome = _doc("The outcome of the verdict decided on.", _choice(Outcome))
    decision: Resolution = _doc("What was decided.", _choice(Resolution))
    decided_by: str = _doc("Who decided (a name).", _text(required=True))
    role: str = _doc("In what role, e.g. Senior Information Risk Owner.", _text(required=True))
    decided_on: dt.date = _doc("When.", _field(_scalar(dt.date), required=True))
    dpo: DpoAdvice = _doc(
        "The data protection officer's advice, and whether it was followed.",
        attrs.field(),
    )
    conditions: tuple[str, ...] | None = _doc("The conditions attached to an approval.", _texts())
    residual_risk: ResidualRisk | None = _doc(
        "The risk left once the measures are in place.", attrs.field(default=None)
    )
    waivers: tuple[Waiver, ...] = _doc(
        "Findings of this proposal accepted as they are.", attrs.field(default=())
    )
    notes: str | None = _doc("Anything else the record should say.", _text())

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        problems = []
        if self.decision is Resolution.APPROVE_WITH_CONDITIONS and not self.conditions:
            problems.append(
                Problem(
                    "$.conditions",
                    "an approval with conditions lists no conditions",
                    "list the conditions, or record the decision as approve",
                    code="missing-required",
                )
            )
        seen: set[str] = set()
        for index, waiver in enumerate(self.waivers):
            if waiver.rule_id in seen:
                problems.append(
                    Problem(
                        f"$.waivers[{index}].rule_id",
                        f"{waiver.rule_id} is waived twice",
                        "give one waiver per finding",
                        code="duplicate-id",
                    )
                )
            seen.add(waiver.rule_id)
        if problems:
            raise InvalidFieldsError(type(self), problems)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the decision file format (``sharing-rules schema decision``)."""
        data: dict[str, Any] = _plain(self)
        return data

    def to_json(self) -> str:
        """The record as JSON, keys in the model's order."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_yaml(self) -> str:
        """The record as YAML, keys in the model's order."""
        text: str = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=88)
        return text


def _plain(value: Any) -> Any:
    """The record as plain data, leaving out what is not given (None or an empty list)."""
    if attrs.has(type(value)):
        fields = ((f.name, getattr(value, f.name)) for f in attrs.fields(type(value)))
        return {name: _plain(item) for name, item in fields if item not in (None, ())}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.value if isinstance(value, StrEnum) else value


_converter = _make_converter()


def decision_from_dict(data: Any, source: str | None = None) -> DecisionRecord:
    """Build a :class:`DecisionRecord` from parsed data; raise :class:`DecisionError`
    listing every problem (unknown keys with a "did you mean")."""
    if not isinstance(data, Mapping):
        raise DecisionError(
            [
                Problem(
                    "$",
                    "expected a mapping at the top level",
                    "write key: value lines, starting with proposal_id:",
                    source,
                    code="wrong-type",
                )
            ]
        )
    try:
        return _converter.structure(dict(data), DecisionRecord)
    except Exception as exc:
        raise DecisionError(_problems(exc, "$", DecisionRecord)) from None


def load_decision(path: str | Path) -> DecisionRecord:
    """Read a decision record from a YAML or JSON file; raise :class:`DecisionError` with
    every problem, each with its file, line, path and a hint."""
    label = str(path)
    try:
        data, lines = parse_with_lines(read_text_file(Path(path), label), label)
    except InputProblem as exc:
        raise DecisionError([exc.problem]) from None
    return _decision_at(data, lines, label)


def _decision_at(data: Any, lines: dict[str, int], label: str) -> DecisionRecord:
    """:func:`decision_from_dict` on a parsed file, its problems given their lines."""
    try:
        return decision_from_dict(data, label)
    except DecisionError as err:
        located = [
            attrs.evolve(p, source=p.source or label, line=p.line or line_for(lines, p.path))
            for p in err.problems
        ]
        raise DecisionError(sorted(located, key=_line_order)) from None


def decision_schema() -> dict[str, Any]:
    """The JSON Schema of a decision record (``sharing-rules schema decision``)."""
    schema = _document(
        "decision", DecisionRecord, output=False, title="sharing-rules decision record"
    )
    for name in ("proposal_digest", "rule_pack_digest"):  # what the loader checks, too
        schema["properties"][name]["pattern"] = _DIGEST.pattern
    schema["if"] = {"properties": {"decision": {"const": "approve_with_conditions"}}}
    schema["then"] = {"required": ["conditions"], "properties": {"conditions": {"minItems": 1}}}
    schema["$defs"]["DpoAdvice"]["if"] = {"properties": {"followed": {"const": False}}}
    schema["$defs"]["DpoAdvice"]["then"] = {"required": ["reason"]}
    return schema


def decision_schema_text() -> str:
    """The decision record's schema as the JSON text shipped in the package."""
    return json.dumps(decision_schema(), indent=2, ensure_ascii=False) + "\n"


def write_decision_schema(directory: Path | None = None) -> list[Path]:
    """Regenerate the shipped ``decision.schema.json`` (by default in the source tree):
    ``python -c "from sharing_rules._decision import write_decision_schema as w; w()"``."""
    return write_schema_files({"decision": decision_schema_text}, directory)


# ---------------------------------------------------------------- applying a decision


class WaiverStatus(StrEnum):
    """What a waiver does for the verdict it is checked against."""

    APPLIES = "applies"  #: it names a finding not met or unknown, and has not expired
    EXPIRED = "expired"  #: its date has passed: the finding must be decided again
    NOT_NEEDED = "not_needed"  #: the finding is met or not applicable in this verdict
    NO_SUCH_FINDING = "no_such_finding"  #: no finding of the verdict has this rule id
    NOT_APPLIED = "not_applied"  #: the decision is stale, so no waiver is applied


@attrs.frozen(slots=True)
class WaiverCheck:
    """A waiver, the finding it names (if the verdict has it), and what it does."""

    waiver: Waiver
    status: WaiverStatus
    finding: Finding | None = None


@attrs.frozen(slots=True)
class DecisionReview:
    """A decision record checked against a verdict (see :func:`apply_decision`).

    The verdict's outcome is never changed: ``outcome`` is the verdict's. ``stale`` lists
    why the record no longer matches the verdict (empty when it does); ``issues`` lists what
    a data protection officer would question: waivers that do not apply, and an approval
    that leaves a failed or undecided blocking finding unwaived.
    """

    decision: DecisionRecord
    outcome: Outcome  #: the verdict's outcome, as the rules gave it
    stale: tuple[str, ...]
    waivers: tuple[WaiverCheck, ...]
    unwaived: tuple[Finding, ...]  #: blocking findings not met or unknown with no waiver
    issues: tuple[str, ...]
    checked_on: str  #: the date (YYYY-MM-DD) waivers' expiry was checked against

    @property
    def current(self) -> bool:
        """Whether the record matches the verdict (it is not stale)."""
        return not self.stale

    @property
    def waived(self) -> tuple[Finding, ...]:
        """The findings whose waivers apply."""
        return tuple(
            c.finding
            for c in self.waivers
            if c.status is WaiverStatus.APPLIES and c.finding is not None
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the record, whether it is current, and each waiver's status."""
        return {
            "decision": self.decision.to_dict(),
            "outcome": self.outcome.value,
            "current": self.current,
            "stale": list(self.stale),
            "waivers": [
                {
                    "rule_id": c.waiver.rule_id,
                    "status": c.status.value,
                    "finding_status": c.finding.status.value if c.finding else None,
                }
                for c in self.waivers
            ],
            "unwaived": [f.rule_id for f in self.unwaived],
            "issues": list(self.issues),
            "checked_on": self.checked_on,
        }


#: The statuses of a finding that a waiver covers: a blocking finding in one of them, not
#: waived, is what an approval must not leave behind.
WAIVABLE = frozenset({Status.NOT_MET, Status.UNKNOWN})


def _gap(finding: Finding) -> bool:
    return finding.status in WAIVABLE


def apply_decision(
    verdict: Verdict, decision: DecisionRecord, *, today: dt.date | None = None
) -> DecisionReview:
    """Check a decision record against a verdict, for a report's sign-off section.

    The record is *stale* when the proposal's digest, the rule pack's digest or the
    proposal id differ from the verdict's, or when the verdict was assessed as of another
    date and its outcome changed: then no waiver is applied. Otherwise each waiver applies
    if it names a finding not met or unknown and its date (checked against ``today``, UTC
    by default) has not passed. An approval that leaves a blocking finding not met or
    unknown without a waiver is listed in ``issues``. The verdict is never changed.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    stale = _stale(verdict, decision)
    by_id = {f.rule_id: f for f in verdict.findings}
    checks = []
    issues = []
    for waiver in decision.waivers:
        finding = by_id.get(waiver.rule_id)
        if stale:
            status = WaiverStatus.NOT_APPLIED
        elif finding is None:
            status = WaiverStatus.NO_SUCH_FINDING
            hint = did_you_mean(waiver.rule_id, by_id)
            issues.append(
                f"the waiver of {waiver.rule_id} names no finding of this verdict"
                + (f" ({hint})" if hint else "")
            )
        elif not _gap(finding):
            status = WaiverStatus.NOT_NEEDED
            issues.append(
                f"the waiver of {waiver.rule_id} is not needed: the finding is "
                f"{finding.status.value.replace('_', ' ')}"
            )
        elif waiver.until < today:
            status = WaiverStatus.EXPIRED
            issues.append(
                f"the waiver of {waiver.rule_id} expired on {waiver.until.isoformat()}: "
                "decide on the finding again"
            )
        else:
            status = WaiverStatus.APPLIES
        checks.append(WaiverCheck(waiver, status, finding))
    covered = {c.waiver.rule_id for c in checks if c.status is WaiverStatus.APPLIES}
    unwaived = tuple(
        f for f in verdict.findings if f.blocking and _gap(f) and f.rule_id not in covered
    )
    if decision.decision.approves and not stale and unwaived:
        issues.append(
            f"approved with {len(unwaived)} blocking finding"
            f"{'s' if len(unwaived) != 1 else ''} not met or unknown and not waived: "
            + ", ".join(f.rule_id for f in unwaived)
        )
    return DecisionReview(
        decision=decision,
        outcome=verdict.outcome,
        stale=stale,
        waivers=tuple(checks),
        unwaived=unwaived,
        issues=tuple(issues),
        checked_on=today.isoformat(),
    )


def _stale(verdict: Verdict, decision: DecisionRecord) -> tuple[str, ...]:
    reasons = []
    if decision.proposal_id != verdict.proposal_id:
        reasons.append(
            f"the decision is on proposal {decision.proposal_id}, this verdict on "
            f"{verdict.proposal_id}"
        )
    if decision.proposal_digest != verdict.proposal_digest:
        reasons.append("the proposal has changed since the decision (its digest differs)")
    if decision.rule_pack_digest != verdict.rule_pack.digest:
        reasons.append("the rule pack has changed since the decision (its digest differs)")
    as_of = decision.as_of.isoformat()
    if not reasons and as_of != verdict.as_of and decision.verdict_outcome is not verdict.outcome:
        reasons.append(
            f"assessed as of {verdict.as_of}, the outcome is {verdict.outcome.value}, not "
            f"{decision.verdict_outcome.value} as of {as_of}"
        )
    return tuple(reasons)
