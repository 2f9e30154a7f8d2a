"""The ``decide`` command: write a decision record on a proposal's verdict (issue 14)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import Any

import click

from ._decision import (
    WAIVABLE,
    DecisionError,
    DecisionRecord,
    Resolution,
    WaiverStatus,
    apply_decision,
    decision_from_dict,
)
from ._errors import Problem, ProposalError, SharingRulesError
from ._exit import fail, write_new
from ._model import Likelihood, Severity
from ._render import OUTCOME_LABELS, neutralise
from ._verdict import Verdict

__all__ = ["decide"]

_DATE = click.DateTime(formats=["%Y-%m-%d"])
_DECISIONS = click.Choice([r.value for r in Resolution])
_DPO = click.Choice(["followed", "overruled"])  #: DpoAdvice.followed, as --dpo says it
_REQUIRED = {
    "decision": "--decision",
    "decided_by": "--by",
    "role": "--role",
    "dpo": "--dpo",
}


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _verdict(proposal: str, rule_paths: Sequence[str], disable: Sequence[str], as_of: Any) -> Any:
    from ._assess import Assessor  # the engine is loaded only when a verdict is needed
    from ._cli import _load_pack
    from ._load import load_proposal

    try:
        loaded = load_proposal(proposal)
    except ProposalError as err:
        fail(f"{proposal} is not a valid proposal", err.problems)
    pack = _load_pack(rule_paths, disable)
    try:
        return Assessor(pack).assess(loaded, as_of=as_of.date() if as_of else None)
    except SharingRulesError as err:
        fail(f"the assessment engine failed, so no decision can be recorded: {err}")


def _waivers(
    waive: Sequence[str], reasons: Sequence[str], until: Sequence[dt.datetime]
) -> list[dict[str, Any]]:
    if not len(waive) == len(reasons) == len(until):
        raise click.UsageError(
            "give --reason and --until for each --waive (in the same order): "
            f"{len(waive)} --waive, {len(reasons)} --reason, {len(until)} --until"
        )
    return [
        {"rule_id": r, "justification": j, "until": u.date().isoformat()}
        for r, j, u in zip(waive, reasons, until, strict=True)
    ]


def _prompt_missing(values: dict[str, Any], verdict: Verdict) -> None:
    """Ask on the terminal for what the flags did not give."""
    click.echo(
        neutralise(
            f"{verdict.proposal_id}: {OUTCOME_LABELS[verdict.outcome]} "
            f"(rule pack {verdict.rule_pack.id} {verdict.rule_pack.version})"
        )
    )
    if values["decision"] is None:
        values["decision"] = click.prompt("Decision", type=_DECISIONS)
    if values["decided_by"] is None:
        values["decided_by"] = click.prompt("Decided by (name)")
    if values["role"] is None:
        values["role"] = click.prompt("In the role of")
    if values["dpo"] is None:
        values["dpo"] = click.prompt("The DPO's advice was", type=_DPO)
    if values["dpo"] == "overruled" and values["dpo_reason"] is None:
        values["dpo_reason"] = click.prompt("Why was the DPO's advice not followed?")
    if values["decision"] == Resolution.APPROVE_WITH_CONDITIONS and not values["conditions"]:
        values["conditions"] = [click.prompt("A condition of the approval")]
        while click.confirm("Another condition?", default=False):
            values["conditions"].append(click.prompt("A condition of the approval"))
    if Resolution(values["decision"]).approves:
        waived = {w["rule_id"] for w in values["waivers"]}
        gaps = [
            f
            for f in verdict.findings
            if f.blocking and f.status in WAIVABLE and f.rule_id not in waived
        ]
        for finding in gaps:
            click.echo(neutralise(f"{finding.rule_id} ({finding.status.value}): {finding.message}"))
            if click.confirm(f"Waive {finding.rule_id}?", default=False):
                values["waivers"].append(
                    {
                        "rule_id": finding.rule_id,
                        "justification": click.prompt("Justification"),
                        "until": click.prompt("Until (YYYY-MM-DD)", type=_DATE).date().isoformat(),
                    }
                )


def _check(record: DecisionRecord, verdict: Verdict) -> None:
    """Refuse a record a DPO would send back: a waiver that does not apply, or an approval
    leaving a blocking finding not met or unknown without a waiver."""
    review = apply_decision(verdict, record, today=record.decided_on)
    bad = [c for c in review.waivers if c.status is not WaiverStatus.APPLIES]
    problems = [
        Problem(
            f"$.waivers[{record.waivers.index(c.waiver)}]",
            f"the waiver of {c.waiver.rule_id} does not apply: {c.status.value.replace('_', ' ')}",
            "waive only findings of this verdict that are not met or unknown, until a later date",
            code="invalid-waiver",
        )
        for c in bad
    ]
    if record.decision.approves and review.unwaived:
        problems += [
            Problem(
                "$.waivers",
                f"approved, but the blocking finding {f.rule_id} is "
                f"{f.status.value.replace('_', ' ')} and not waived",
                f"add --waive {f.rule_id} --reason ... --until YYYY-MM-DD, or decide "
                "reject or return_for_information",
                code="unwaived-finding",
            )
            for f in review.unwaived
        ]
    if problems:
        fail("the decision cannot be recorded as given", problems)


@click.command()
@click.argument("proposal", metavar="PROPOSAL")
@click.option(
    "--decision",
    "decision",
    type=_DECISIONS,
    help="What was decided.",
)
@click.option("--by", "decided_by", metavar="NAME", help="Who decided.")
@click.option("--role", metavar="ROLE", help="In what role (e.g. 'Senior Information Risk Owner').")
@click.option(
    "--on", "decided_on", type=_DATE, metavar="YYYY-MM-DD", help="When (default: today, UTC)."
)
@click.option("--condition", "conditions", multiple=True, help="A condition (repeatable).")
@click.option("--likelihood", type=click.Choice([v.value for v in Likelihood]))
@click.option("--severity", type=click.Choice([v.value for v in Severity]))
@click.option(
    "--dpo",
    type=_DPO,
    help="Whether the data protection officer's advice was followed.",
)
@click.option("--dpo-advice", metavar="TEXT", help="A summary of the DPO's advice.")
@click.option(
    "--dpo-reason", metavar="TEXT", help="Why the DPO's advice was not followed (required then)."
)
@click.option("--waive", multiple=True, metavar="RULE_ID", help="A finding to waive (repeatable).")
@click.option("--reason", "reasons", multiple=True, metavar="TEXT", help="Why, for each --waive.")
@click.option(
    "--until", multiple=True, type=_DATE, metavar="YYYY-MM-DD", help="Until, for each --waive."
)
@click.option("--notes", metavar="TEXT", help="Anything else the record should say.")
@click.option(
    "--as-of",
    "as_of",
    type=_DATE,
    metavar="YYYY-MM-DD",
    help="The date the verdict is assessed as of (default: today, UTC).",
)
@click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    metavar="PATH",
    type=click.Path(file_okay=False),
    help="A local rule pack, as for assess (repeatable).",
)
@click.option("--disable", multiple=True, metavar="RULE_ID", help="As for assess (repeatable).")
@click.option(
    "--output",
    "-o",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="The record to write (YAML, or JSON for a .json name); never overwritten.",
)
def decide(
    proposal: str,
    rule_paths: tuple[str, ...],
    disable: tuple[str, ...],
    output: str,
    as_of: dt.datetime | None,
    decided_on: dt.datetime | None,
    waive: tuple[str, ...],
    reasons: tuple[str, ...],
    until: tuple[dt.datetime, ...],
    **given: Any,
) -> None:
    """Record a decision on PROPOSAL's verdict: who decided, in what role, what, the
    conditions, residual risk, the DPO's advice, and waived findings (docs/decisions.md).

    The proposal is assessed, and the record names that verdict by the proposal's and the
    rule pack's digests. On a terminal, what the flags leave out is asked for. Exits 2,
    writing nothing, if the record is incomplete or a DPO would send it back: a waiver of
    a finding that is met, or an approval leaving a blocking finding not met or unknown
    without a waiver.
    """
    verdict = _verdict(proposal, rule_paths, disable, as_of)
    values = {**given, "waivers": _waivers(waive, reasons, until)}
    values["conditions"] = list(values["conditions"])
    if any(values[k] is None for k in _REQUIRED) and _interactive():
        _prompt_missing(values, verdict)
    missing = [flag for key, flag in _REQUIRED.items() if values[key] is None]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (or run it on a terminal)")
    day = decided_on.date() if decided_on else dt.datetime.now(dt.UTC).date()
    data: dict[str, Any] = {
        "proposal_id": verdict.proposal_id,
        "proposal_digest": verdict.proposal_digest,
        "rule_pack": verdict.rule_pack.id,
        "rule_pack_digest": verdict.rule_pack.digest,
        "as_of": verdict.as_of,
        "verdict_outcome": verdict.outcome.value,
        "decision": values["decision"],
        "decided_by": values["decided_by"],
        "role": values["role"],
        "decided_on": day.isoformat(),
        "dpo": {
            k: v
            for k, v in (
                ("followed", values["dpo"] == "followed"),
                ("advice", values["dpo_advice"]),
                ("reason", values["dpo_reason"]),
            )
            if v is not None
        },
        "conditions": values["conditions"] or None,
        "waivers": values["waivers"],
        "notes": values["notes"],
    }
    if values["likelihood"] or values["severity"]:
        data["residual_risk"] = {"likelihood": values["likelihood"], "severity": values["severity"]}
    try:
        record = decision_from_dict({k: v for k, v in data.items() if v is not None})
    except DecisionError as err:
        fail("the decision is incomplete", err.problems)
    _check(record, verdict)
    text = record.to_json() if output.lower().endswith(".json") else record.to_yaml()
    if output == "-":
        click.echo(neutralise(text), nl=False)
        return
    write_new(output, text, f"{output} already exists; a decision record is never overwritten")
    click.echo(
        neutralise(
            f"Wrote {output}: {record.decision.value} on {record.proposal_id} "
            f"(verdict: {OUTCOME_LABELS[verdict.outcome].lower()}; "
            f"{len(record.waivers)} waiver{'s' if len(record.waivers) != 1 else ''})."
        ),
        err=True,
    )
