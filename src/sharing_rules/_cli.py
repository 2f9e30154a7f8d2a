"""The ``sharing-rules`` command line (also ``python -m sharing_rules``), built on click."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar

import attrs
import click
import yaml

from ._assess import Assessor
from ._cli_change import diff, plan, plan_section, reassess_command
from ._cli_decide import decide
from ._cli_voice import dialogue, register
from ._decision import (
    DecisionError,
    DecisionRecord,
    apply_decision,
    decision_schema_text,
    load_decision,
)
from ._dialogue import DialogueError, DialogueRecord, load_records
from ._errors import AssessmentError, Problem, ProposalError, RuleError, did_you_mean
from ._examples import run_examples
from ._exit import (
    EXIT_CODES,
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_INTERRUPTED,
    EXIT_OK,
    exit_code,
    worst,
    write_new,
)
from ._files import MAX_FILE_BYTES, InputProblem, decode_text, read_text_file
from ._load import parse_proposal, proposal_to_dict, read_proposal_file
from ._model import Proposal
from ._render import (
    OUTCOME_LABELS,
    Report,
    Unassessed,
    json_safe,
    neutralise,
    render_html,
    render_markdown,
    render_markdown_failure,
    render_text,
)
from ._rules import RulePack, framework_source, load_rules
from ._schema import SCHEMA_NAMES, schema_json
from ._template import proposal_template
from ._text import PLACEHOLDER, non_answers
from ._version import __version__
from ._yaml import line_for, parse_with_lines

__all__ = ["EXIT_CODES", "cli", "exit_code", "main"]

F = TypeVar("F", bound=Callable[..., Any])

_PROGRESS_MIN_FILES = 6
RULE_PACK_SCHEMA = "rule-pack"
#: The proposal schema's file name that ``init`` points editors at (yaml-language-server).
SCHEMA_FILE = "proposal.schema.json"
FORMATS = ("text", "markdown", "html", "json", "jsonl")

EXIT_HELP = """\b
Exit status:
  0  acceptable, or acceptable with conditions (1 with --strict)
  1  not acceptable
  2  usage or input error: unreadable file, invalid proposal, invalid
     rules, or the engine failed (no verdict is given for that file)
  3  insufficient information to decide

With several files the exit status is the worst of them: 2, then 1, then 3, then 0.
"""
CHECK_HELP = """\b
Exit status:
  0  every file is a valid proposal
  2  a file could not be read or is not a valid proposal (or a usage error)
"""


def _isatty(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _colour_allowed() -> bool:
    """False when the NO_COLOR convention (https://no-color.org) asks for no colour."""
    return not os.environ.get("NO_COLOR")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _echo(
    text: str, *, err: bool = False, nl: bool = True, color: bool | None = None, safe: bool = False
) -> None:
    """click.echo, with control characters spelt out unless the text is a rendered report
    (whose renderer already did so and may hold its own colour codes)."""
    click.echo(text if safe else neutralise(text), err=err, nl=nl, color=color)


def _fail(
    message: str,
    errors: str = "text",
    code: str = "engine-failure",
    problems: Sequence[Problem] = (),
) -> NoReturn:
    """Report an error that stops the command (exit 2), as text or as --errors json."""
    if errors != "json":
        _echo(f"error: {message}", err=True)
    for problem in problems or [Problem("$", message, code=code)]:
        if errors == "json":
            _echo(_json_line(_record("", problem)), err=True)
    raise SystemExit(EXIT_ERROR)


# ---------------------------------------------------------------- rule packs


def _is_base_pack(path: str) -> bool:
    """Whether the pack defines the framework itself, so it replaces the shipped one."""
    try:
        if Path(path).resolve() == Path(str(framework_source())).resolve():
            return True
        manifest = Path(path) / "pack.yaml"
        data = yaml.safe_load(read_text_file(manifest, str(manifest), follow_links=False))
    except (OSError, InputProblem, yaml.YAMLError):
        return False  # load_rules reports the problem (a FIFO is never opened to block)
    return isinstance(data, dict) and "framework" in data


def _load_pack(paths: Sequence[str], disable: Sequence[str] = (), errors: str = "text") -> RulePack:
    """The shipped framework pack plus local packs; a pack defining a framework replaces it."""
    try:
        if paths and _is_base_pack(paths[0]):
            return load_rules(*paths, include_framework=False, disable=disable)
        return load_rules(*paths, disable=disable)
    except RuleError as err:
        _fail(str(err), errors, problems=err.problems)


def _pack_options(func: F) -> F:
    func = click.option(
        "--disable",
        multiple=True,
        metavar="RULE_ID",
        help="Leave out the rule with this id (repeatable).",
    )(func)
    return click.option(
        "--rules",
        "rule_paths",
        multiple=True,
        metavar="PATH",
        type=click.Path(file_okay=False),
        help="A local rule pack directory (holding pack.yaml) to add to the framework pack; "
        "repeatable. A pack that defines the framework replaces the shipped one.",
    )(func)


# ---------------------------------------------------------------- the group


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_HELP)
@click.version_option(__version__, "-V", "--version", prog_name="sharing-rules")
def cli() -> None:
    """Check proposals to share personal data between public services against the
    Data for Public Benefit framework (Purposeful, Proportionate, Responsible).

    Start with `sharing-rules init` for a template proposal, then
    `sharing-rules assess proposal.yaml`.
    """


cli.add_command(dialogue)  # issue 15: dialogue kit/ingest/report and the public register
cli.add_command(register)
cli.add_command(decide)  # issue 14: decision records
cli.add_command(plan)  # issue 14: repair plans, change impact
cli.add_command(diff)
cli.add_command(reassess_command)


# ---------------------------------------------------------------- assess


def _read_stdin() -> str:
    """Standard input as text, under the same 4 MiB cap and UTF-8 rules as a file."""
    try:
        stdin = sys.stdin
        raw = getattr(stdin, "buffer", None)
        data = (
            raw.read(MAX_FILE_BYTES + 1)
            if raw is not None
            else stdin.read(MAX_FILE_BYTES + 1).encode("utf-8", "surrogatepass")
        )
    except OSError as exc:
        raise ProposalError(
            [
                Problem(
                    "$", f"cannot read standard input: {exc}", None, "<stdin>", code="cannot-read"
                )
            ]
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise ProposalError(
            [
                Problem(
                    "$",
                    f"standard input is larger than the limit of {MAX_FILE_BYTES >> 20} MiB",
                    "a proposal is a few kilobytes; check what is piped in",
                    "<stdin>",
                    code="file-too-large",
                )
            ]
        )
    try:
        return decode_text(data, "<stdin>")
    except InputProblem as exc:
        raise ProposalError([exc.problem]) from None


def _read(name: str) -> Proposal:
    return _read_with_lines(name)[0]


def _read_with_lines(name: str) -> tuple[Proposal, dict[str, int] | None]:
    """The proposal, and the line of each field path in its file (none for standard input,
    whose reports give no lines)."""
    if name == "-":
        return parse_proposal(_read_stdin(), "<stdin>"), None
    return read_proposal_file(name)


def _source(name: str) -> str:
    return "<stdin>" if name == "-" else name


@attrs.frozen(slots=True)
class _Result:
    name: str
    report: Report | None
    code: int
    error: str | None = None  #: for people, on standard error
    problems: tuple[dict[str, Any], ...] = ()  #: for tools (--errors json)
    warnings: tuple[dict[str, Any], ...] = ()
    rendered: str = ""


def _record(name: str, problem: Problem) -> dict[str, Any]:
    """One problem as --errors json writes it (a JSON object per line)."""
    record: dict[str, Any] = {
        "severity": "error",
        "file": problem.source or (_source(name) if name else None),
        "line": problem.line,
        "path": problem.path,
        "code": problem.code,
        "message": problem.message,
        "hint": problem.hint,
    }
    if problem.rule:
        record["rule"] = problem.rule
    return record


def _failed(name: str, message: str, code: str) -> _Result:
    return _Result(
        name,
        None,
        EXIT_ERROR,
        message,
        (_record(name, Problem("$", message.removeprefix(f"{name}: "), code=code)),),
    )


def _assess_file(
    assessor: Assessor,
    name: str,
    strict: bool,
    fmt: str,
    color: bool,
    as_of: dt.date | None = None,
    dialogue: tuple[DialogueRecord, ...] | None = None,
    decision: DecisionRecord | None = None,
    plan: bool = False,
) -> _Result:
    """Load, assess and render one file. Nothing raised here stops the files after it."""
    try:
        proposal, lines = _read_with_lines(name)
        verdict = assessor.assess(proposal, as_of=as_of, dialogue=dialogue)
        verdict = attrs.evolve(verdict, title=proposal.title, source=_source(name))
        report = Report(
            verdict,
            decision=apply_decision(verdict, decision) if decision is not None else None,
            lines=lines if fmt in ("text", "markdown", "html") else None,
        )
        rendered = "" if fmt == "html" else _render_one(fmt, report, color)
        if plan:  # issue 14: a repair plan section
            rendered += plan_section(assessor, proposal, as_of, fmt, dialogue)
        warnings = tuple(
            {**_record(name, _non_answer(path, text)), "severity": "warning"}
            for path, text in non_answers(proposal_to_dict(proposal))
        )
    except ProposalError as err:
        return _Result(
            name, None, EXIT_ERROR, str(err), tuple(_record(name, p) for p in err.problems)
        )
    except AssessmentError as err:
        return _failed(
            name,
            f"{name}: the assessment engine failed, so no verdict is given: {err}",
            code="engine-failure",
        )
    except Exception as err:  # fail closed: a defect must never look like a verdict
        return _failed(
            name,
            f"{name}: internal error, so no verdict is given "
            f"({type(err).__name__}: {err}); please report it",
            code="internal-error",
        )
    return _Result(
        name, report, exit_code(verdict.outcome, strict), warnings=warnings, rendered=rendered
    )


def _load_dialogue(paths: Sequence[str], errors: str) -> tuple[DialogueRecord, ...]:
    """The dialogue records given with --dialogue; exit 2 listing every problem if not."""
    try:
        return load_records(list(paths))
    except DialogueError as err:
        _fail(str(err), errors, code="invalid", problems=err.problems)


def _load_decision_file(path: str, files: Sequence[str], errors: str) -> DecisionRecord:
    """The record given with --decision; exit 2 listing every problem if not (issue 14)."""
    if len(files) != 1:
        raise click.UsageError("--decision applies to one proposal: give one FILE")
    try:
        return load_decision(path)
    except DecisionError as err:
        _fail(str(err), errors, code="invalid", problems=err.problems)


def _non_answer(path: str, text: str) -> Problem:
    """The warning code and message for a text that is not an answer (read as not stated)."""
    if PLACEHOLDER.match(text):
        return Problem(
            path,
            f"{path} still holds the template placeholder {text}",
            code="template-placeholder",
        )
    return Problem(
        path,
        f"{path} holds {text!r}, which is not an answer (read as not stated)",
        code="non-answer",
    )


def _render_one(fmt: str, report: Report, color: bool) -> str:
    verdict = report.verdict
    if fmt in ("json", "jsonl") and report.decision is not None:  # issue 14
        data = {"verdict": verdict.to_dict(), "decision": report.decision.to_dict()}
        text = json.dumps(data, indent=2 if fmt == "json" else None, ensure_ascii=False)
        return json_safe(text) + ("\n" if fmt == "jsonl" else "")
    if fmt == "json":
        return json_safe(verdict.to_json())
    if fmt == "jsonl":
        return json_safe(verdict.to_json(indent=None)) + "\n"
    review, lines = report.decision, report.lines
    if fmt == "markdown":
        return render_markdown(verdict, decision=review, lines=lines)
    return render_text(verdict, color, decision=review, lines=lines)


def _summary(results: Sequence[_Result]) -> str:
    counts = Counter(
        OUTCOME_LABELS[r.report.verdict.outcome].lower() if r.report else "error" for r in results
    )
    order = [*(label.lower() for label in OUTCOME_LABELS.values()), "error"]
    parts = [
        f"{counts[k]} {k}" + ("s" if k == "error" and counts[k] > 1 else "")
        for k in order
        if counts[k]
    ]
    return f"{len(results)} proposals assessed: {', '.join(parts)}.\n"


def _results(files: Sequence[str], progress: bool, results: Iterator[_Result]) -> Iterator[_Result]:
    if not progress:
        yield from results
        return
    with click.progressbar(
        results, length=len(files), label="Assessing", show_pos=True, file=sys.stderr
    ) as bar:
        yield from bar


def _in_workers(
    files: Sequence[str],
    assessor: Assessor,
    jobs: int,
    one: Callable[[str], _Result],
    errors: str,
    **options: Any,
) -> Iterator[_Result]:
    """``assess --jobs``: each file through the same :func:`_assess_file`, here or in worker
    processes (issue 13), in order; standard input is read and assessed here."""
    from ._batch import run_batch

    task = functools.partial(_assess_in_worker, **options)
    try:
        for name, result in run_batch(files, task, assessor, jobs):
            yield result if result is not None else one(name)
    except AssessmentError as err:  # the workers could not start: fail closed
        _fail(f"the assessment engine failed, so no verdict is given: {err}", errors)


def _assess_in_worker(assessor: Assessor, name: str, **options: Any) -> _Result | None:
    return None if name == "-" else _assess_file(assessor, name, **options)


def _errors_option(func: F) -> F:
    return click.option(
        "--errors",
        "errors",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="How problems go to standard error: text for people, or json for tools "
        "(one JSON object per problem and line: severity, file, line, path, code, "
        "message, hint).",
    )(func)


class _Output:
    """Where the documents for each file go: streamed to standard output, or held (for one
    HTML page, while a progress bar shows, or for a file written whole at the end)."""

    def __init__(self, fmt: str, several: bool, hold: bool, color: bool) -> None:
        self.fmt, self.several, self.hold, self.color = fmt, several, hold, color
        self.held: list[str] = []
        self.count = 0

    def add(self, text: str) -> None:
        if self.fmt == "json" and self.several:  # one array, streamed element by element
            text = ("[\n" if not self.count else ",\n") + textwrap.indent(text, "  ")
        elif self.fmt == "json":
            text += "\n"
        elif self.fmt in ("text", "markdown") and self.count:
            text = "\n" + text
        self.count += 1
        if self.hold:
            self.held.append(text)
        else:
            _echo(text, nl=False, color=self.color, safe=True)

    def end(self, tail: str = "") -> str:
        if self.fmt == "json" and self.several:
            tail = "\n]\n" if self.count else "[]\n"
        if self.hold:
            return "".join([*self.held, tail])
        _echo(tail, nl=False, color=self.color, safe=True)
        return ""


@cli.command(epilog=EXIT_HELP)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@_pack_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for a terminal; markdown or html for a report to share; json for the "
    "verdict as JSON (an array of verdicts for several files); jsonl for one verdict "
    "per line.",
)
@click.option(
    "--output",
    "-o",
    default="-",
    metavar="PATH",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the output to this file instead of standard output.",
)
@_errors_option
@click.option("--strict", is_flag=True, help="Exit 1 for 'acceptable with conditions' too.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Make date checks (is the review date past?) as of this date, not today; the "
    "verdict records it, so the same date reproduces a stored verdict.",
)
@click.option(
    "--dialogue",
    "dialogue_paths",
    multiple=True,
    metavar="PATH",
    help="Dialogue records (a file or a folder, repeatable): report what residents said "
    "about sharing of this kind, and check their conditions and red lines "
    "(docs/public-voice.md).",
)
@click.option(
    "--decision",
    "decision_path",
    metavar="PATH",
    type=click.Path(dir_okay=False),
    help="A decision record on the proposal (one FILE): the report gains a decision and "
    "sign-off section, stale if the proposal or rules changed (docs/decisions.md).",
)
@click.option(
    "--plan",
    "with_plan",
    is_flag=True,
    help="Add a repair plan to each text or markdown report (see the plan command).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Assess the files in N processes: this one and N-1 workers (each compiles the rules "
    "once); the output, its order and the exit status are those of one process.",
)
def assess(
    files: tuple[str, ...],
    rule_paths: tuple[str, ...],
    disable: tuple[str, ...],
    fmt: str,
    output: str,
    errors: str,
    strict: bool,
    as_of: dt.datetime | None,
    dialogue_paths: tuple[str, ...],
    decision_path: str | None,
    jobs: int,
    with_plan: bool = False,
) -> None:
    """Assess proposal FILEs (YAML or JSON; - reads standard input).

    Prints the outcome, each test and key feature, the criteria not met with the fields
    involved and what to do, and the information missing. With several files, json
    writes one array of verdicts and jsonl one verdict per line; markdown and html
    report on every file, including those that could not be assessed.
    """
    if files.count("-") > 1:
        raise click.UsageError("standard input (-) can be read only once")
    if with_plan and fmt not in ("text", "markdown"):
        raise click.UsageError("--plan goes with --format text or markdown (or use `plan`)")
    if output != "-" and not Path(output).resolve().parent.is_dir():
        _fail(f"cannot write {output}: its directory does not exist", errors, code="output")
    pack = _load_pack(rule_paths, disable, errors)
    try:
        assessor = Assessor(pack)
    except Exception as err:  # AssessmentError, or a defect: fail closed either way
        _fail(f"the assessment engine failed, so no verdict is given: {err}", errors)
    progress = len(files) >= _PROGRESS_MIN_FILES and _isatty(sys.stderr)
    to_terminal = output == "-" and _isatty(sys.stdout)
    color = fmt == "text" and to_terminal and _colour_allowed()
    several = len(files) > 1
    # Stream to standard output, except for one HTML page or while a progress bar shows;
    # a file is written whole at the end, and only if there is a verdict to write.
    hold = fmt == "html" or output != "-" or (progress and to_terminal)
    out = _Output(fmt, several, hold, color)
    results: list[_Result] = []
    notes: list[str] = []
    day = as_of.date() if as_of is not None else None
    records = _load_dialogue(dialogue_paths, errors) if dialogue_paths else None
    decision = _load_decision_file(decision_path, files, errors) if decision_path else None
    options: dict[str, Any] = {
        "strict": strict,
        "fmt": fmt,
        "color": color,
        "as_of": day,
        "dialogue": records,
        "decision": decision,
        "plan": with_plan,
    }
    one = functools.partial(_assess_file, assessor, **options)
    stream = (
        map(one, files) if jobs == 1 else _in_workers(files, assessor, jobs, one, errors, **options)
    )
    for result in _results(files, progress, stream):
        results.append(result)
        notes += _notes(result, errors)
        if not progress:
            _flush_notes(notes)
        if result.report is not None and fmt != "html":
            out.add(result.rendered)
        elif result.error and several and fmt == "markdown":
            out.add(render_markdown_failure(_failure(result)))
    _flush_notes(notes)
    reports = [r.report for r in results if r.report is not None]
    tail = ""
    if fmt == "html" and (reports or several):
        tail = render_html([r.report or _failure(r) for r in results])
    elif fmt == "text" and several:
        tail = "\n" + _summary(results)
    text = out.end(tail)
    if output != "-" and reports:
        _write(output, text, errors)
    elif output == "-" and text:
        _echo(text, nl=False, color=color, safe=True)
    raise SystemExit(worst(r.code for r in results))


def _failure(result: _Result) -> Unassessed:
    lines = (result.error or "").splitlines()
    detail = [line.strip() for line in lines[1:]] if len(lines) > 1 else lines
    return Unassessed(_source(result.name), tuple(detail))


def _notes(result: _Result, errors: str) -> list[str]:
    if errors == "json":
        return [_json_line(r) for r in (*result.warnings, *result.problems)]
    notes = [f"warning: {w['file']}: {w['message']}" for w in result.warnings]
    return notes + ([f"error: {result.error}"] if result.error else [])


def _json_line(record: Mapping[str, Any]) -> str:
    return json_safe(json.dumps(record, ensure_ascii=False))


def _flush_notes(notes: list[str]) -> None:
    for note in notes:
        _echo(note, err=True)
    notes.clear()


def _write(path: str, text: str, errors: str = "text") -> None:
    try:
        with click.open_file(path, "w", encoding="utf-8", atomic=True) as out:
            out.write(text)
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}", errors, code="output")


# ---------------------------------------------------------------- check


@cli.command(epilog=CHECK_HELP)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@_errors_option
@click.option("--quiet", "-q", is_flag=True, help="Print nothing for files that are valid.")
def check(files: tuple[str, ...], errors: str, quiet: bool) -> None:
    """Check that proposal FILEs (YAML or JSON; - reads standard input) are valid, without
    assessing them (like `opa check`).

    Lists every problem with its file, line, path and a hint on standard error.
    """
    if files.count("-") > 1:
        raise click.UsageError("standard input (-) can be read only once")
    codes = []
    for name in files:
        result = _check_file(name)
        codes.append(result.code)
        _flush_notes(_notes(result, errors))
        if result.code == 0 and not quiet:
            _echo(f"{_source(name)}: valid")
    raise SystemExit(EXIT_ERROR if EXIT_ERROR in codes else EXIT_OK)


def _check_file(name: str) -> _Result:
    try:
        _read(name)
    except ProposalError as err:
        return _Result(
            name, None, EXIT_ERROR, str(err), tuple(_record(name, p) for p in err.problems)
        )
    except Exception as err:  # fail closed: a defect never passes a file
        return _failed(
            name,
            f"{name}: internal error, so the file cannot be checked "
            f"({type(err).__name__}: {err}); please report it",
            code="internal-error",
        )
    return _Result(name, None, EXIT_OK)


# ---------------------------------------------------------------- rules


@cli.group()
def rules() -> None:
    """List, show, validate and test rule packs."""


@rules.command("list")
@_pack_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json gives one object per rule.",
)
def rules_list(rule_paths: tuple[str, ...], disable: tuple[str, ...], fmt: str) -> None:
    """List the rules in force: id, test, key features, severity and title."""
    pack = _load_pack(rule_paths, disable)
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "version": r.version,
                "test": r.test,
                "features": list(r.features),
                "severity": r.severity.value,
                "title": r.title,
                "pack": r.pack,
            }
            for r in pack.rules
        ]
        _echo(json_safe(json.dumps(rows, indent=2, ensure_ascii=False)), safe=True)
        return
    table = [("ID", "TEST", "FEATURES", "SEVERITY", "TITLE")]
    table += [
        (r.id, r.test, ",".join(map(str, r.features)), r.severity.value, r.title)
        for r in pack.rules
    ]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        _echo("  ".join([*cells, row[4]]))


@rules.command("show")
@click.argument("rule_id", metavar="ID")
@_pack_options
def rules_show(rule_id: str, rule_paths: tuple[str, ...], disable: tuple[str, ...]) -> None:
    """Show one rule in full, as written in its rule file."""
    pack = _load_pack(rule_paths, disable)
    try:
        rule = pack.rule(rule_id)
    except KeyError:
        hint = did_you_mean(rule_id, [r.id for r in pack.rules])
        _fail(f"no rule {rule_id!r} in {pack.id}" + (f" ({hint})" if hint else ""))
    where = f"{rule.file}:{rule.line}" if rule.line else str(rule.file)
    _echo(f"# {where} (pack {rule.pack}; in force with severity {rule.severity.value})")
    text = _rule_text(rule.file, rule.line)
    if text is None:
        text = yaml.safe_dump(
            _plain(rule.definition), sort_keys=False, allow_unicode=True, width=88
        )
    _echo(text, nl=False)
    for name in rule.parameters:
        param = pack.parameters[name]
        where = f"set by pack {param.set_by}" if param.set_by else f"pack {param.pack}"
        _echo(
            f"# parameter {name} = {param.value!r} ({where}; default {param.default!r}): "
            f"{param.description}"
        )


def _rule_text(file: str | None, line: int | None) -> str | None:
    """The rule as written, comments included: its list item in the rule file."""
    if file is None or line is None:
        return None
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    first = lines[line - 1] if 0 < line <= len(lines) else ""
    dash = first.find("-")
    if dash < 0 or first[:dash].strip():
        return None
    out = [first]
    for text in lines[line:]:
        stripped = text.strip()
        indent = len(text) - len(text.lstrip())
        if stripped and not stripped.startswith("#") and indent <= dash:
            break
        out.append(text)
    while out and (not out[-1].strip() or out[-1].strip().startswith("#")):
        out.pop()
    return textwrap.dedent("\n".join(out)) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return value.strip()
    return value.value if isinstance(value, Enum) else value


@rules.command("validate")
@click.argument("path", metavar="PATH")
@_errors_option
def rules_validate(path: str, errors: str) -> None:
    """Validate the rule pack in directory PATH, loaded alongside the framework pack.

    Each file is also checked against the rule-pack JSON Schema (`sharing-rules schema
    rule-pack`). Exits 2 listing every problem (file, line, rule id and a suggestion) if
    it is invalid.
    """
    pack = _load_pack([path], errors=errors)
    problems = _schema_problems(Path(path))
    if problems:
        _fail(str(RuleError(problems)), errors, problems=problems)
    own = pack.components[-1][0]
    count = sum(1 for r in pack.rules if r.pack == own)
    _echo(
        f"{path}: valid: pack {own}, {_n(count, 'rule')}. In force: {pack.id} "
        f"{pack.version}, {_n(len(pack.rules), 'rule')}, "
        f"{_n(len(pack.derivations), 'derivation')}, digest {pack.digest}."
    )


def _schema_problems(root: Path) -> list[Problem]:
    """What the rule-pack JSON Schema finds wrong in the pack's own files (read as the
    loader reads them: regular ``*.yaml`` files directly in the folder)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    validator = Draft202012Validator(json.loads(_rule_pack_schema()))
    problems = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_symlink() or not entry.is_file() or entry.suffix not in (".yaml", ".yml"):
            continue
        label = f"{root.name}/{entry.name}"
        try:
            data, lines = parse_with_lines(entry.read_text(encoding="utf-8"), label)
        except Exception:  # unreadable or not YAML: the loader has reported it
            continue
        for error in validator.iter_errors(_json_data(data)):
            error = best_match([error])
            where = "$" + "".join(
                f"[{step}]" if isinstance(step, int) else f".{step}" for step in error.absolute_path
            )
            problems.append(
                Problem(
                    where,
                    f"does not match the rule-pack schema: {error.message}",
                    "see `sharing-rules schema rule-pack`",
                    label,
                    line_for(lines, where),
                    code="schema",
                )
            )
    return problems


def _json_data(value: Any) -> Any:
    """YAML data as JSON sees it: keys as text, dates as ISO text; anything else as is."""
    if isinstance(value, Mapping):
        return {str(k): _json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_data(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _rule_pack_schema() -> str:
    return (resources.files("sharing_rules") / "schemas" / "rule-pack.schema.json").read_text(
        encoding="utf-8"
    )


@rules.command("test")
@click.argument("path", metavar="PATH")
@click.option("--verbose", "-v", is_flag=True, help="List the examples that pass too.")
def rules_test(path: str, verbose: bool) -> None:
    """Run the examples that the rules in pack PATH carry (like `opa test`).

    Exits 0 if every example gives the status it expects, 1 if any does not, and 2 (with
    the list of problems) if the pack is invalid.
    """
    pack = _load_pack([path])
    own = pack.components[-1][0]
    mine = tuple(r for r in pack.rules if r.pack == own)
    try:
        results = list(run_examples(attrs.evolve(pack, rules=mine), Assessor(pack)))
    except Exception as err:  # AssessmentError, or a defect: fail closed either way
        _fail(f"the assessment engine failed: {err}")
    failed = [r for r in results if not r.passed]
    for result in results:
        if result.passed and not verbose:
            continue
        label = "PASS" if result.passed else "FAIL"
        got = result.actual or "an invalid proposal"
        _echo(
            f"{label}  {result.rule_id} example {result.index + 1}: expected "
            f"{result.expected}, got {got}"
        )
        if result.error:
            _echo(textwrap.indent(result.error, "      "))
    untested = [r.id for r in mine if not r.examples]
    note = f"; {_n(len(untested), 'rule')} without examples" if untested else ""
    _echo(
        f"{path}: {_n(len(results), 'example')} in {_n(len(mine), 'rule')}: "
        f"{len(results) - len(failed)} passed, {len(failed)} failed{note}."
    )
    if verbose and untested:
        _echo("No examples: " + ", ".join(untested))
    raise SystemExit(EXIT_FOUND if failed else EXIT_OK)


# ---------------------------------------------------------------- schema and init


@cli.command()
@click.argument("name", type=click.Choice([*SCHEMA_NAMES, RULE_PACK_SCHEMA, "decision"]))
def schema(name: str) -> None:
    """Print the JSON Schema of a proposal, of a verdict, of a rule-pack file, or of a
    decision record (written by `sharing-rules decide`).

    The schemas (JSON Schema draft 2020-12) ship with the library; the proposal and
    verdict schemas are generated from its model. Proposal files leave out what is not
    known rather than writing null.
    """
    if name == RULE_PACK_SCHEMA:
        _echo(_rule_pack_schema(), nl=False)
        return
    if name == "decision":  # issue 14
        _echo(decision_schema_text(), nl=False)
        return
    assert name in SCHEMA_NAMES
    _echo(schema_json(name), nl=False)


@cli.command()
@click.argument(
    "path",
    default="proposal.yaml",
    required=False,
    type=click.Path(dir_okay=False, allow_dash=True),
)
def init(path: str) -> None:
    """Write a template proposal to fill in, with comments explaining each field.

    PATH defaults to proposal.yaml; - prints the template instead.

    Only id and title are stated; every other field is there, commented out with an
    explanation: delete the # in front of a field and fill it in. An existing file is
    never overwritten. Its first line points editors that use yaml-language-server at
    proposal.schema.json beside it: write that with
    `sharing-rules schema proposal > proposal.schema.json`. A PATH ending in .json gets
    the stated fields as JSON instead (JSON has no comments).
    """
    text = proposal_template() if path == "-" else proposal_template(path)
    if path.lower().endswith(".json"):
        stated = yaml.safe_load(text)
        text = json.dumps(stated, indent=2, ensure_ascii=False) + "\n"
    else:
        text = f"# yaml-language-server: $schema={SCHEMA_FILE}\n{text}"
    if path == "-":
        _echo(text, nl=False)
        return
    write_new(path, text, f"{path} already exists; not overwriting it (choose another path)")
    _echo(f"Wrote {path}. Fill it in, then run: sharing-rules assess {path}")
    if not path.lower().endswith(".json") and not (Path(path).parent / SCHEMA_FILE).exists():
        _echo(
            f"For completion and checks in your editor: "
            f"sharing-rules schema proposal > {Path(path).parent / SCHEMA_FILE}"
        )


def main(args: Sequence[str] | None = None) -> None:
    """Run the command line (the ``sharing-rules`` console script); exits with its status."""
    try:
        code = cli.main(
            args=list(args) if args is not None else None,
            prog_name="sharing-rules",
            standalone_mode=False,
        )
    except click.exceptions.Abort:
        _echo("Aborted.", err=True)
        code = EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()  # click quotes the values it names with repr(): no raw controls
        code = exc.exit_code
    except Exception as exc:  # a defect: never exit 1, which would mean "not acceptable"
        _echo(f"error: internal error ({type(exc).__name__}: {exc}); please report it", err=True)
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else 0)
