"""The ``sharing-rules`` command line (also ``python -m sharing_rules``), built on click."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar

import attrs
import click
import yaml

from ._assess import Assessor
from ._errors import AssessmentError, Problem, ProposalError, RuleError, did_you_mean
from ._examples import run_examples
from ._load import load_proposal, parse_proposal, proposal_to_dict
from ._model import Proposal
from ._render import OUTCOME_LABELS, Report, render_html, render_markdown, render_text
from ._rules import RulePack, framework_source, load_rules
from ._schema import SCHEMA_NAMES, SchemaName, schema_json
from ._template import proposal_template
from ._text import PLACEHOLDER, non_answers
from ._verdict import Outcome
from ._version import __version__

__all__ = ["EXIT_CODES", "cli", "exit_code", "main"]

F = TypeVar("F", bound=Callable[..., Any])

#: Exit status of ``assess`` for each outcome (``--strict`` makes "with conditions" 1).
EXIT_CODES = {
    Outcome.ACCEPTABLE: 0,
    Outcome.ACCEPTABLE_WITH_CONDITIONS: 0,
    Outcome.NOT_ACCEPTABLE: 1,
    Outcome.INSUFFICIENT_INFORMATION: 3,
}
EXIT_ERROR = 2
_SEVERITY_RANK = {0: 0, 3: 1, 1: 2, 2: 3}  # worst last: error, not acceptable, insufficient
_PROGRESS_MIN_FILES = 6
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


def exit_code(outcome: Outcome, strict: bool = False) -> int:
    """The exit status for an outcome (see ``sharing-rules assess --help``)."""
    if strict and outcome is Outcome.ACCEPTABLE_WITH_CONDITIONS:
        return 1
    return EXIT_CODES[outcome]


def _worst(codes: Iterable[int]) -> int:
    return max(codes, key=lambda c: _SEVERITY_RANK.get(c, 3), default=0)


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


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(EXIT_ERROR)


# ---------------------------------------------------------------- rule packs


def _is_base_pack(path: str) -> bool:
    """Whether the pack defines the framework itself, so it replaces the shipped one."""
    try:
        if Path(path).resolve() == Path(str(framework_source())).resolve():
            return True
        data = yaml.safe_load((Path(path) / "pack.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False  # load_rules reports the problem
    return isinstance(data, dict) and "framework" in data


def _load_pack(paths: Sequence[str], disable: Sequence[str] = ()) -> RulePack:
    """The shipped framework pack plus local packs; a pack defining a framework replaces it."""
    try:
        if paths and _is_base_pack(paths[0]):
            return load_rules(*paths, include_framework=False, disable=disable)
        return load_rules(*paths, disable=disable)
    except RuleError as err:
        _fail(str(err))


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


# ---------------------------------------------------------------- assess


def _read(name: str) -> Proposal:
    if name == "-":
        try:
            stdin = sys.stdin
            raw = getattr(stdin, "buffer", None)
            text = raw.read().decode("utf-8") if raw is not None else stdin.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ProposalError(
                [Problem("$", f"cannot read standard input: {exc}", None, "<stdin>")]
            ) from None
        return parse_proposal(text, "<stdin>")
    return load_proposal(name)


@attrs.frozen(slots=True)
class _Result:
    name: str
    report: Report | None
    code: int
    error: str | None = None
    warnings: tuple[str, ...] = ()


def _assess_file(
    assessor: Assessor, name: str, strict: bool, as_of: dt.date | None = None
) -> _Result:
    try:
        proposal = _read(name)
    except ProposalError as err:
        return _Result(name, None, EXIT_ERROR, str(err))
    try:
        verdict = assessor.assess(proposal, as_of=as_of)
    except AssessmentError as err:
        return _Result(
            name,
            None,
            EXIT_ERROR,
            f"{name}: the assessment engine failed, so no verdict is given: {err}",
        )
    except Exception as err:  # fail closed: a defect must never look like a verdict
        return _Result(
            name,
            None,
            EXIT_ERROR,
            f"{name}: internal error, so no verdict is given "
            f"({type(err).__name__}: {err}); please report it",
        )
    source = "<stdin>" if name == "-" else name
    warnings = tuple(
        f"{source}: {path} still holds the template placeholder {text}"
        if PLACEHOLDER.match(text)
        else f"{source}: {path} holds {text!r}, which is not an answer (read as not stated)"
        for path, text in non_answers(proposal_to_dict(proposal))
    )
    return _Result(
        name,
        Report(verdict, proposal.title, source),
        exit_code(verdict.outcome, strict),
        warnings=warnings,
    )


def _render_one(fmt: str, report: Report, color: bool) -> str:
    verdict = report.verdict
    if fmt == "json":
        return verdict.to_json() + "\n"
    if fmt == "jsonl":
        return verdict.to_json(indent=None) + "\n"
    if fmt == "markdown":
        return render_markdown(verdict, title=report.title, source=report.source)
    return render_text(verdict, color, title=report.title, source=report.source)


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


def _results(
    assessor: Assessor,
    files: Sequence[str],
    strict: bool,
    progress: bool,
    as_of: dt.date | None = None,
) -> Iterator[_Result]:
    if not progress:
        for name in files:
            yield _assess_file(assessor, name, strict, as_of)
        return
    with click.progressbar(files, label="Assessing", show_pos=True, file=sys.stderr) as bar:
        for name in bar:
            yield _assess_file(assessor, name, strict, as_of)


@cli.command(epilog=EXIT_HELP)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@_pack_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for a terminal; markdown or html for a report to share; json for "
    "each verdict as JSON; jsonl for one verdict per line.",
)
@click.option(
    "--output",
    "-o",
    default="-",
    metavar="PATH",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the output to this file instead of standard output.",
)
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
def assess(
    files: tuple[str, ...],
    rule_paths: tuple[str, ...],
    disable: tuple[str, ...],
    fmt: str,
    output: str,
    strict: bool,
    as_of: dt.datetime | None,
) -> None:
    """Assess proposal FILEs (YAML or JSON; - reads standard input).

    Prints the outcome, each test and key feature, the criteria not met with the fields
    involved and what to do, and the information missing. With several files, json
    writes one verdict after another and jsonl one verdict per line.
    """
    if files.count("-") > 1:
        raise click.UsageError("standard input (-) can be read only once")
    if output != "-" and not Path(output).resolve().parent.is_dir():
        _fail(f"cannot write {output}: its directory does not exist")
    pack = _load_pack(rule_paths, disable)
    try:
        assessor = Assessor(pack)
    except Exception as err:  # AssessmentError, or a defect: fail closed either way
        _fail(f"the assessment engine failed, so no verdict is given: {err}")
    progress = len(files) >= _PROGRESS_MIN_FILES and _isatty(sys.stderr)
    to_terminal = output == "-" and _isatty(sys.stdout)
    color = fmt == "text" and to_terminal and _colour_allowed()
    # Stream to standard output, except for one HTML page or while a progress bar shows;
    # a file is written whole at the end, and only if there is a verdict to write.
    hold = fmt == "html" or output != "-" or (progress and to_terminal)
    results: list[_Result] = []
    held: list[str] = []
    notes: list[str] = []
    day = as_of.date() if as_of is not None else None
    for result in _results(assessor, files, strict, progress, day):
        results.append(result)
        notes += [f"warning: {w}" for w in result.warnings]
        notes += [f"error: {result.error}"] if result.error else []
        if not progress:
            _flush_notes(notes)
        if result.report is None or fmt == "html":
            continue
        text = _render_one(fmt, result.report, color)
        text = "\n" + text if fmt in ("text", "markdown") and len(results) > 1 else text
        if hold:
            held.append(text)
        else:
            click.echo(text, nl=False, color=color)
    _flush_notes(notes)
    reports = [r.report for r in results if r.report is not None]
    if fmt == "html" and reports:
        held = [render_html(reports)]
    if fmt == "text" and len(files) > 1:
        held.append("\n" + _summary(results))
    if output == "-":
        click.echo("".join(held), nl=False, color=color)
    elif reports:
        _write(output, "".join(held))
    raise SystemExit(_worst(r.code for r in results))


def _flush_notes(notes: list[str]) -> None:
    for note in notes:
        click.echo(note, err=True)
    notes.clear()


def _write(path: str, text: str) -> None:
    try:
        with click.open_file(path, "w", encoding="utf-8", atomic=True) as out:
            out.write(text)
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")


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
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = [("ID", "TEST", "FEATURES", "SEVERITY", "TITLE")]
    table += [
        (r.id, r.test, ",".join(map(str, r.features)), r.severity.value, r.title)
        for r in pack.rules
    ]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[4]]))


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
    click.echo(f"# {where} (pack {rule.pack}; in force with severity {rule.severity.value})")
    text = _rule_text(rule.file, rule.line)
    if text is None:
        text = yaml.safe_dump(
            _plain(rule.definition), sort_keys=False, allow_unicode=True, width=88
        )
    click.echo(text, nl=False)
    for name in rule.parameters:
        param = pack.parameters[name]
        where = f"set by pack {param.set_by}" if param.set_by else f"pack {param.pack}"
        click.echo(
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
def rules_validate(path: str) -> None:
    """Validate the rule pack in directory PATH, loaded alongside the framework pack.

    Exits 2 listing every problem (file, line, rule id and a suggestion) if it is invalid.
    """
    pack = _load_pack([path])
    own = pack.components[-1][0]
    count = sum(1 for r in pack.rules if r.pack == own)
    click.echo(
        f"{path}: valid: pack {own}, {_n(count, 'rule')}. In force: {pack.id} "
        f"{pack.version}, {_n(len(pack.rules), 'rule')}, "
        f"{_n(len(pack.derivations), 'derivation')}, digest {pack.digest}."
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
        click.echo(
            f"{label}  {result.rule_id} example {result.index + 1}: expected "
            f"{result.expected}, got {got}"
        )
        if result.error:
            click.echo(textwrap.indent(result.error, "      "))
    untested = [r.id for r in mine if not r.examples]
    note = f"; {_n(len(untested), 'rule')} without examples" if untested else ""
    click.echo(
        f"{path}: {_n(len(results), 'example')} in {_n(len(mine), 'rule')}: "
        f"{len(results) - len(failed)} passed, {len(failed)} failed{note}."
    )
    if verbose and untested:
        click.echo("No examples: " + ", ".join(untested))
    raise SystemExit(1 if failed else 0)


# ---------------------------------------------------------------- schema and init


@cli.command()
@click.argument("name", type=click.Choice(SCHEMA_NAMES))
def schema(name: SchemaName) -> None:
    """Print the JSON Schema of a proposal or of a verdict.

    The schemas (JSON Schema draft 2020-12) are generated from the library's model and
    ship with it. Proposal files leave out what is not known rather than writing null.
    """
    click.echo(schema_json(name), nl=False)


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
    never overwritten.
    """
    text = proposal_template() if path == "-" else proposal_template(path)
    if path == "-":
        click.echo(text, nl=False)
        return
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        _fail(f"{path} already exists; not overwriting it (choose another path)")
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")
    click.echo(f"Wrote {path}. Fill it in, then run: sharing-rules assess {path}")


def main(args: Sequence[str] | None = None) -> None:
    """Run the command line (the ``sharing-rules`` console script); exits with its status."""
    try:
        code = cli.main(
            args=list(args) if args is not None else None,
            prog_name="sharing-rules",
            standalone_mode=False,
        )
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except Exception as exc:  # a defect: never exit 1, which would mean "not acceptable"
        click.echo(
            f"error: internal error ({type(exc).__name__}: {exc}); please report it", err=True
        )
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else 0)
