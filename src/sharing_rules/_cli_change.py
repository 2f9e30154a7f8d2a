"""The ``plan``, ``diff`` and ``reassess`` commands (issue 14), attached to the main CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from ._assess import Assessor
from ._dialogue import Records
from ._diff import diff_verdicts
from ._errors import AssessmentError, ProposalError, SharingRulesError
from ._exit import EXIT_FOUND, EXIT_OK, fail
from ._files import InputProblem, read_text_file
from ._load import load_proposal
from ._plan import RepairPlan, plan_with
from ._reassess import StoreError, reassess_with
from ._render import (
    render_diff_markdown,
    render_diff_text,
    render_plan_markdown,
    render_plan_text,
    render_reassess_markdown,
    render_reassess_text,
)
from ._rules import RulePack
from ._verdict import Outcome, Verdict, verdict_from_dict

__all__ = ["diff", "plan", "plan_section", "reassess_command"]

F = TypeVar("F", bound=Callable[..., Any])
_FORMATS = click.Choice(["text", "markdown", "json"])

PLAN_HELP = """\b
Exit status:
  0  acceptable, or the plan reaches acceptable (with or without conditions)
  1  no change the plan may make reaches an acceptable outcome (see its blockers)
  2  usage or input error, or the engine failed (no plan is given)
"""
DIFF_HELP = """\b
Exit status:
  0  no outcome, test, key feature or finding changed
  1  something changed
  2  usage or input error, or the engine failed
"""
REASSESS_HELP = """\b
Exit status:
  0  no stored outcome would flip under the new pack
  1  at least one stored outcome would flip
  2  usage or input error (a record that cannot be read), or the engine failed
"""


def _common(func: F, *, dated: bool = True) -> F:
    """--rules, --disable, --format and (``dated``) --as-of, as ``assess`` has them."""
    func = click.option(
        "--format", "fmt", type=_FORMATS, default="text", show_default=True, help="Output format."
    )(func)
    if dated:
        func = click.option(
            "--as-of",
            "as_of",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            default=None,
            metavar="YYYY-MM-DD",
            help="Make date checks as of this date, not today.",
        )(func)
    func = click.option(
        "--disable", multiple=True, metavar="RULE_ID", help="Leave out this rule (repeatable)."
    )(func)
    return click.option(
        "--rules",
        "rule_paths",
        multiple=True,
        metavar="PATH",
        type=click.Path(file_okay=False),
        help="A local rule pack directory to add to the framework pack (repeatable); a pack "
        "that defines the framework replaces the shipped one.",
    )(func)


def _options(func: F) -> F:
    return _common(func)


def _undated(func: F) -> F:
    return _common(func, dated=False)


def _assessor(rule_paths: tuple[str, ...], disable: tuple[str, ...]) -> Assessor:
    from . import _cli  # loaded by now: this module's commands are attached to its group

    pack: RulePack = _cli._load_pack(rule_paths, disable)
    try:
        return Assessor(pack)
    except Exception as err:  # fail closed
        fail(f"the assessment engine failed: {err}")


def _day(as_of: dt.datetime | None) -> dt.date | None:
    return as_of.date() if as_of is not None else None


def _emit(
    fmt: str, json_: Callable[[], str], markdown: Callable[[], str], text: Callable[[], str]
) -> None:
    """Print a record in the chosen format (JSON with a final newline)."""
    if fmt == "json":
        click.echo(json_())
    else:
        click.echo((markdown if fmt == "markdown" else text)(), nl=False)


def _guarded(run: Callable[[], Any]) -> Any:
    """Run a command's work; every failure is a clear error and exit 2, never a traceback."""
    try:
        return run()
    except (ProposalError, StoreError) as err:
        fail(str(err))
    except AssessmentError as err:
        fail(f"the assessment engine failed, so nothing is given: {err}")
    except SharingRulesError as err:
        fail(str(err))


# ---------------------------------------------------------------- plan


def plan_section(
    assessor: Assessor,
    proposal: Any,
    as_of: dt.date | None,
    fmt: str,
    dialogue: Records | None = None,
) -> str:
    """The repair plan as a section of an ``assess --plan`` report (text or markdown), on
    the same verdict as the report (with ``--dialogue``, residents' rules included)."""
    made = plan_with(assessor, proposal, as_of, dialogue)
    if fmt == "markdown":
        return "\n" + render_plan_markdown(made, level=2)
    return "\n" + render_plan_text(made)


def _plan_exit(made: RepairPlan) -> int:
    good = (Outcome.ACCEPTABLE, Outcome.ACCEPTABLE_WITH_CONDITIONS)
    return EXIT_OK if made.reaches in good else EXIT_FOUND


@click.command(epilog=PLAN_HELP)
@click.argument("proposal", metavar="PROPOSAL")
@_options
@click.option(
    "--dialogue",
    "dialogue_paths",
    multiple=True,
    metavar="PATH",
    help="Dialogue records (a file or a folder, repeatable): plan on the verdict with "
    "residents' conditions and red lines checked, as assess --dialogue gives it.",
)
def plan(
    proposal: str,
    rule_paths: tuple[str, ...],
    disable: tuple[str, ...],
    as_of: dt.datetime | None,
    fmt: str,
    dialogue_paths: tuple[str, ...],
) -> None:
    """The changes, finding by finding, that would make PROPOSAL acceptable.

    Each step is checked by re-assessing the changed proposal with the same rules and
    date. Only safeguards, paperwork and process are changed, never what is shared, with
    whom and why, or how a risk was rated: findings that fail on those are listed as
    blockers (docs/changes.md).
    """
    from . import _cli  # loaded by now: this module's commands are attached to its group

    records = _cli._load_dialogue(dialogue_paths, "text") if dialogue_paths else None
    assessor = _assessor(rule_paths, disable)
    made: RepairPlan = _guarded(lambda: plan_with(assessor, proposal, _day(as_of), records))
    _emit(fmt, made.to_json, lambda: render_plan_markdown(made), lambda: render_plan_text(made))
    raise SystemExit(_plan_exit(made))


# ---------------------------------------------------------------- diff


def _verdict_data(path: str) -> Mapping[str, Any] | None:
    """The parsed JSON of a verdict file, or ``None`` if the file is not a verdict."""
    if Path(path).suffix.lower() != ".json":
        return None
    try:
        data = json.loads(read_text_file(Path(path), path))
    except InputProblem as exc:
        fail(str(exc.problem))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{path}: not JSON: {exc}")
    is_verdict = isinstance(data, dict) and "outcome" in data and "rule_pack" in data
    return data if is_verdict else None


def _read_verdict(path: str, data: Mapping[str, Any]) -> Verdict:
    try:
        return verdict_from_dict(data)
    except Exception as err:  # cattrs' validation errors, or a wrong shape
        fail(f"{path}: not a verdict this version can read: {err}")


@click.command(epilog=DIFF_HELP)
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@_options
def diff(
    old: str,
    new: str,
    rule_paths: tuple[str, ...],
    disable: tuple[str, ...],
    as_of: dt.datetime | None,
    fmt: str,
) -> None:
    """What changed between OLD and NEW: two verdict JSON files, or two versions of a
    proposal (both assessed with the same rules and date).

    Lists the outcome, tests, key features and criteria whose status (or basis) changed.
    """
    data = [_verdict_data(old), _verdict_data(new)]
    if all(d is not None for d in data):
        if rule_paths or disable or as_of:
            raise click.UsageError("--rules, --disable and --as-of apply to proposals only")
        before, after = (_read_verdict(p, d) for p, d in zip((old, new), data, strict=True) if d)
    elif any(d is not None for d in data):
        raise click.UsageError("give two verdict JSON files, or two proposals, not one of each")
    else:
        assessor = _assessor(rule_paths, disable)
        day = _day(as_of)
        before, after = _guarded(
            lambda: tuple(assessor.assess(load_proposal(p), as_of=day) for p in (old, new))
        )
    changes = diff_verdicts(before, after)
    markdown, text = (lambda: render_diff_markdown(changes)), (lambda: render_diff_text(changes))
    _emit(fmt, changes.to_json, markdown, text)
    raise SystemExit(EXIT_OK if changes.empty else EXIT_FOUND)


# ---------------------------------------------------------------- reassess


@click.command("reassess", epilog=REASSESS_HELP)
@click.argument("store", metavar="STORE")
@_undated
def reassess_command(
    store: str, rule_paths: tuple[str, ...], disable: tuple[str, ...], fmt: str
) -> None:
    """Re-assess the stored verdicts in STORE under a new rule pack: which outcomes flip.

    STORE is a JSON Lines file of records {"proposal": ..., "verdict": ...} (and an optional
    "id"), or a folder of such .json and .jsonl files; --rules gives the new pack (the
    shipped framework pack without it). Each proposal is assessed as of its
    stored verdict's date. Records whose proposal no longer matches the digest their
    verdict records are flagged stale (docs/changes.md).
    """
    assessor = _assessor(rule_paths, disable)
    report = _guarded(lambda: reassess_with(assessor, store))
    _emit(
        fmt,
        report.to_json,
        lambda: render_reassess_markdown(report),
        lambda: render_reassess_text(report),
    )
    raise SystemExit(EXIT_FOUND if report.flipped else EXIT_OK)
