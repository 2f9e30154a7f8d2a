"""Reports on a verdict for people: terminal text, Markdown, and a self-contained HTML page.

Every report gives the same things in the same order: the outcome; each test and key feature
with its status; the criteria not met (message, fields, what was expected and found, remedy);
the information missing (criteria that could not be decided); every criterion in brief; and
the rule pack and proposal digests that make the decision reproducible. Output depends only
on the verdict (and the optional title and source), so it is byte-for-byte deterministic.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import click

from ._decision import DecisionRecord, DecisionReview, WaiverStatus, apply_decision
from ._verdict import Basis, FeatureStatus, Finding, Outcome, Status, TestStatus, Verdict
from ._voice import voice_html

if TYPE_CHECKING:  # issue 14: plans and changes are rendered here, imported lazily
    from ._diff import VerdictDiff
    from ._plan import RepairChange, RepairPlan
    from ._reassess import ReassessReport

__all__ = [
    "OUTCOME_LABELS",
    "Report",
    "Unassessed",
    "json_safe",
    "neutralise",
    "render_diff_markdown",
    "render_diff_text",
    "render_html",
    "render_markdown",
    "render_markdown_failure",
    "render_plan_markdown",
    "render_plan_text",
    "render_reassess_markdown",
    "render_reassess_text",
    "render_text",
]

OUTCOME_LABELS = {
    Outcome.ACCEPTABLE: "Acceptable",
    Outcome.ACCEPTABLE_WITH_CONDITIONS: "Acceptable with conditions",
    Outcome.NOT_ACCEPTABLE: "Not acceptable",
    Outcome.INSUFFICIENT_INFORMATION: "Insufficient information",
}
OUTCOME_EXPLANATIONS = {
    Outcome.ACCEPTABLE: "All three tests are met and every key feature is demonstrated.",
    Outcome.ACCEPTABLE_WITH_CONDITIONS: (
        "All three tests are met, but some advisory criteria are not met or not known, or a "
        "key feature is not demonstrated. Address them as conditions of the sharing."
    ),
    Outcome.NOT_ACCEPTABLE: (
        "At least one test is not met: something the proposal states fails a blocking criterion."
    ),
    Outcome.INSUFFICIENT_INFORMATION: (
        "No test has failed on what the proposal states, but some blocking criteria lack "
        "information or cannot be decided. State the missing information and assess again."
    ),
}
_TONES = {
    "acceptable": "good",
    "acceptable_with_conditions": "warn",
    "not_acceptable": "bad",
    "insufficient_information": "warn",
    "met": "good",
    "demonstrated": "good",
    "not_met": "bad",
    "not_demonstrated": "bad",
    "unknown": "warn",
    "undetermined": "warn",
    "not_applicable": "muted",
}
_COLOURS = {"good": "green", "bad": "red", "warn": "yellow", "muted": "bright_black"}
_STATUS_ORDER = (Status.MET, Status.NOT_MET, Status.UNKNOWN, Status.NOT_APPLICABLE)
_WIDTH = 88


# Characters that move the cursor, clear the screen, set a terminal's title or reorder the
# text around them: C0 controls except tab and newline, DEL, C1 controls (8-bit CSI, OSC,
# NEL...), the Unicode line and paragraph separators, and bidirectional overrides.
_CONTROLS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# What JSON leaves raw of those: C1 controls, line separators, bidirectional overrides.
_JSON_RAW = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(text: str) -> str:
    r"""Text safe to print on a terminal: each control character spelt out as an escape.

    ESC (U+001B) becomes the four characters ``\x1b`` and U+202E becomes ``\u202e``, so
    text from a proposal, a rule pack or a file name cannot clear the screen, set the
    terminal's title or reorder what follows. Tabs and newlines are kept. Idempotent.
    """
    return _CONTROLS.sub(_escape, text)


def json_safe(text: str) -> str:
    """JSON text with the characters JSON allows raw (C1 controls, U+2028, U+2029, bidi
    overrides) written as ``\\uXXXX`` escapes: the same data, and one line per record."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@attrs.frozen(slots=True)
class Report:
    """A verdict with what a report says about its proposal beyond the verdict."""

    verdict: Verdict
    title: str | None = None  #: the proposal's title (the verdict's, if not given)
    source: str | None = None  #: the file it was read from (the verdict's, if not given)
    decision: DecisionReview | None = None  #: the decision made on it, checked (issue 14)
    lines: Mapping[str, int] | None = None  #: the proposal file's line of each field path

    def __attrs_post_init__(self) -> None:
        if self.title is None:
            object.__setattr__(self, "title", self.verdict.title)
        if self.source is None:
            object.__setattr__(self, "source", self.verdict.source)


@attrs.frozen(slots=True)
class Unassessed:
    """A file that could not be assessed, for a report on several files: its problems."""

    source: str
    problems: tuple[str, ...]


_UNASSESSED = "No verdict is given for this file: it could not be assessed."


# ---------------------------------------------------------------- shared wording


def _label(status: Status | TestStatus | FeatureStatus | Outcome) -> str:
    if isinstance(status, Outcome):
        return OUTCOME_LABELS[status]
    return str(status.value).replace("_", " ")


def _tone(status: Status | TestStatus | FeatureStatus | Outcome) -> str:
    return _TONES.get(status.value, "muted")


def _show(value: Any) -> str:
    """A fact value as a person reads it."""
    if value is None:
        return "not stated"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list | tuple):
        return ", ".join(_show(v) for v in value) or "none"
    return str(value)


_INDEX = re.compile(r"\[(\d+)\]")


def _path(path: str, lines: Mapping[str, int] | None = None) -> str:
    """A field path for people: list positions counted from 1 (``data_items[1]`` is the
    first item; JSON keeps 0-based paths), with the proposal file's line when known; a
    derived fact (not a proposal field) is marked as such."""
    if not path.startswith("$"):
        return f"{path} (derived)"
    shown = _INDEX.sub(lambda m: f"[{int(m.group(1)) + 1}]", path)
    line = _line(lines, path) if lines else None
    return f"{shown} (line {line})" if line is not None else shown


def _line(lines: Mapping[str, int], path: str) -> int | None:
    """The line of a field, or of the nearest part of the proposal holding it; none if only
    the document itself holds it (line 1 would point at nothing)."""
    while path not in ("", "$"):
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def _prose(text: str) -> str:
    return " ".join(text.split())


def _counts(findings: Iterable[Finding]) -> str:
    counts = Counter(f.status for f in findings)
    parts = [f"{counts[s]} {_label(s)}" for s in _STATUS_ORDER if counts[s]]
    return ", ".join(parts) if parts else "no criteria"


def _unmet(verdict: Verdict) -> tuple[Finding, ...]:
    return verdict.unmet


def _missing(verdict: Verdict) -> tuple[Finding, ...]:
    return tuple(sorted(verdict.unknown, key=lambda f: not f.blocking))


def _basis(finding: Finding) -> str:
    """Whether a not-met finding asks to add information or to change what is stated."""
    if finding.status is not Status.NOT_MET:
        return ""
    return ", missing: add this" if finding.basis is Basis.MISSING else ", contrary: change this"


def _meta(finding: Finding) -> str:
    features = ", ".join(str(n) for n in finding.features)
    plural = "s" if len(finding.features) != 1 else ""
    return (
        f"{finding.test.capitalize()} test, {finding.severity}, feature{plural} {features}"
        + _basis(finding)
    )


def _heading(report: Report) -> str:
    """The report's one-line heading: a line break in the proposal's id or title is spelt
    ``\\n``, so that it cannot push the heading onto lines that read as the report's own."""
    verdict = report.verdict
    text = f"{verdict.proposal_id}: {report.title}" if report.title else verdict.proposal_id
    return text.replace("\n", "\\n")


def _footer_items(verdict: Verdict) -> list[tuple[str, str]]:
    pack = verdict.rule_pack
    packs = pack.components or ((pack.id, pack.version),)
    items = [
        ("Rule pack", " + ".join(f"{name} {version}" for name, version in packs)),
        ("Rule pack digest", pack.digest),
        ("Proposal digest", verdict.proposal_digest),
        ("Assessed with", f"sharing-rules {verdict.library_version}"),
    ]
    if verdict.assessed_at:
        items.append(("Assessed at", verdict.assessed_at))
    return items


def _as_report(item: Verdict | Report) -> Report:
    return item if isinstance(item, Report) else Report(item)


def _review(
    verdict: Verdict, decision: DecisionRecord | DecisionReview | None
) -> DecisionReview | None:
    """A decision record checked against the verdict (a review is taken as it is)."""
    if isinstance(decision, DecisionRecord):
        return apply_decision(verdict, decision)
    return decision


def _dated(verdict: Verdict) -> list[str]:
    """The header's line giving the date the assessment was made as of, if recorded."""
    return [f"Assessed as of {verdict.as_of}"] if verdict.as_of else []


# ---------------------------------------------------------------- text


def render_text(
    verdict: Verdict,
    color: bool = False,
    *,
    title: str | None = None,
    source: str | None = None,
    decision: DecisionRecord | DecisionReview | None = None,
    lines: Mapping[str, int] | None = None,
) -> str:
    """The verdict as a terminal report; ANSI colour only when ``color`` is true.

    With ``decision`` (a record, checked with :func:`apply_decision`, or its review) the
    report ends with a decision and sign-off section. With ``lines`` (field path to line,
    from the proposal file) field paths show their lines.

    Control characters from the proposal, the rules or the file name are spelt out as
    escapes (see :func:`neutralise`): they never reach the terminal.
    """
    report = Report(verdict, title, source, _review(verdict, decision), lines)
    source = report.source
    safe = neutralise

    def style(text: str, tone: str | None = None, bold: bool = False) -> str:
        if not color:
            return safe(text)
        return click.style(safe(text), fg=_COLOURS[tone] if tone else None, bold=bold)

    def wrap(text: str, indent: str) -> list[str]:
        return textwrap.wrap(
            safe(_prose(text)),
            _WIDTH,
            initial_indent=indent,
            subsequent_indent=indent,
            break_on_hyphens=False,
            break_long_words=False,
        ) or [indent.rstrip()]

    out = [style(_heading(report), bold=True)]
    if source:
        out.append(safe(source))
    out += _dated(verdict)
    out += [
        "",
        "Outcome: " + style(_label(verdict.outcome).upper(), _tone(verdict.outcome), bold=True),
    ]
    out += wrap(OUTCOME_EXPLANATIONS[verdict.outcome], "  ")
    out += ["", style("Tests", bold=True)]
    name_width = max((len(safe(t.name)) for t in verdict.tests.values()), default=0)
    for test in verdict.tests.values():
        status = style(f"{_label(test.status):<16}", _tone(test.status))
        out.append(f"  {safe(test.name):<{name_width}}  {status}{_counts(test.findings)}")
    out += ["", style("Key features", bold=True)]
    for number, feature in verdict.features.items():
        status = style(_label(feature.status), _tone(feature.status))
        out.append(f"  {number}. {safe(feature.name)}: {status}")
    unmet, missing = _unmet(verdict), _missing(verdict)
    if unmet:
        out += ["", style(f"Criteria not met ({len(unmet)})", bold=True)]
    for finding in unmet:
        out += [
            "",
            "  "
            + style(finding.rule_id, _tone(finding.status), bold=True)
            + f"  [{safe(finding.severity)}{_basis(finding)}]",
        ]
        out += wrap(finding.title, "    ")
        out += wrap(finding.message, "    ")
        out += _text_details(finding, "Fields", lines)
        if finding.remedy:
            out += wrap(f"What to do: {finding.remedy}", "    ")
    if missing:  # compact: what is missing, and where to state it
        out += ["", style(f"Information missing ({len(missing)})", bold=True)]
    for finding in missing:
        out += [
            "",
            "  "
            + style(finding.rule_id, _tone(finding.status), bold=True)
            + f"  [{safe(finding.severity)}]",
        ]
        out += wrap(finding.message, "    ")
        out += _text_details(finding, "State", lines)
    out += ["", f"Criteria: {_counts(verdict.findings)}"]
    out += [f"{name}: {safe(value)}" for name, value in _footer_items(verdict)]
    if report.decision is not None:
        out += _text_decision(report.decision, style, wrap)
    return "\n".join(out) + "\n"


def _text_details(finding: Finding, what: str, lines: Mapping[str, int] | None) -> list[str]:
    if finding.status is Status.NOT_MET and finding.details:
        return [
            neutralise(
                f"    {_path(d.path, lines)}: expected {d.expected}, found {_show(d.actual)}"
            )
            for d in finding.details
        ]
    if finding.paths:
        return [neutralise(f"    {what}: {', '.join(_path(p, lines) for p in finding.paths)}")]
    return []


# ---------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~!&])")
_BACKTICKS = re.compile(r"`+")


def _md(text: str) -> str:
    """Prose escaped for Markdown: no markup, links or HTML can come from the input."""
    return _MD_SPECIAL.sub(r"\\\1", neutralise(_prose(text)))


def _code(text: str) -> str:
    """A code span holding ``text`` literally (CommonMark): its fence is one backtick longer
    than the longest run of backticks inside, with a space either side if the text begins
    or ends with a backtick or a space, so nothing in it can close the span early."""
    text = neutralise(_prose(text)).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_markdown(
    verdict: Verdict,
    *,
    title: str | None = None,
    source: str | None = None,
    decision: DecisionRecord | DecisionReview | None = None,
    lines: Mapping[str, int] | None = None,
) -> str:
    """The verdict as a Markdown report (CommonMark with GitHub tables); ``decision`` and
    ``lines`` as for :func:`render_text`."""
    report = Report(verdict, title, source, _review(verdict, decision), lines)
    source = report.source
    out = [f"# Assessment of {_md(_heading(report))}", ""]
    if source:
        out += [f"Source: {_code(source)}", ""]
    out += [*_dated(verdict), ""] if verdict.as_of else []
    out += [
        f"**Outcome: {_label(verdict.outcome)}.** {_md(OUTCOME_EXPLANATIONS[verdict.outcome])}",
        "",
    ]
    out += ["## Tests", "", "| Test | Status | Criteria |", "| --- | --- | --- |"]
    out += [
        f"| {_md(t.name)} | {_label(t.status)} | {_counts(t.findings)} |"
        for t in verdict.tests.values()
    ]
    out += [
        "",
        "## Key features",
        "",
        "| # | Feature | Status | Criteria |",
        "| --- | --- | --- | --- |",
    ]
    out += [
        f"| {n} | {_md(f.name)} | {_label(f.status)} | {_counts(f.findings)} |"
        for n, f in verdict.features.items()
    ]
    for heading, findings in (
        ("Criteria not met", _unmet(verdict)),
        ("Information missing", _missing(verdict)),
    ):
        if not findings:
            continue
        out += ["", f"## {heading} ({len(findings)})"]
        for finding in findings:
            out += _md_finding(finding, lines)
    out += [
        "",
        "## All criteria",
        "",
        "| Criterion | Test | Severity | Status |",
        "| --- | --- | --- | --- |",
    ]
    out += [
        f"| {_code(f.rule_id)} {_md(f.title)} | {f.test} | {f.severity} | {_label(f.status)} |"
        for f in verdict.findings
    ]
    out += ["", "---", ""]
    out += [f"- {name}: {_code(value)}" for name, value in _footer_items(verdict)]
    if report.decision is not None:
        out += _md_decision(report.decision)
    return "\n".join(out) + "\n"


def render_markdown_failure(failure: Unassessed) -> str:
    """A Markdown section for a file that could not be assessed, listing its problems."""
    out = [f"# Could not assess {_code(failure.source)}", "", _UNASSESSED, ""]
    out += [f"- {_md(problem)}" for problem in failure.problems]
    return "\n".join(out) + "\n"


def _md_finding(finding: Finding, lines: Mapping[str, int] | None = None) -> list[str]:
    out = [
        "",
        f"### {_code(finding.rule_id)} {_md(finding.title)}",
        "",
        f"*{_md(_meta(finding))}*",
        "",
        _md(finding.message),
        "",
    ]
    if finding.status is Status.NOT_MET and finding.details:
        out += ["| Field | Expected | Found |", "| --- | --- | --- |"]
        out += [
            f"| {_code(_path(d.path, lines))} | {_md(d.expected)} | {_md(_show(d.actual))} |"
            for d in finding.details
        ]
        out.append("")
    elif finding.paths:
        label = "Fields" if finding.status is Status.NOT_MET else "Information to state"
        out += [f"{label}: " + ", ".join(_code(_path(p, lines)) for p in finding.paths), ""]
    if finding.remedy:
        out += [f"**What to do:** {_md(finding.remedy)}", ""]
    if finding.sources:
        out.append("Sources: " + "; ".join(_md(s) for s in finding.sources))
    return out if out[-1] else out[:-1]


# ---------------------------------------------------------------- HTML

_CSS = """
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --paper: #ffffff;
  --good: #116329; --good-bg: #dafbe1; --bad: #a40e26; --bad-bg: #ffebe9;
  --warn: #7d4e00; --warn-bg: #fff8c5; --muted-bg: #f0f2f4; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
article.report { background: var(--paper); border: 1px solid var(--line);
  border-radius: 8px; padding: 1.5rem 2rem; margin-bottom: 2rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
.kicker, .source, .meta, footer { color: var(--muted); font-size: .9rem; }
.kicker { text-transform: uppercase; letter-spacing: .05em; margin: 0; }
code { font: .875em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: var(--muted-bg); padding: .1em .3em; border-radius: 4px;
  overflow-wrap: anywhere; }
.outcome { border-left: 6px solid; padding: .75rem 1rem; margin: 1.25rem 0;
  border-radius: 4px; }
.outcome .label { font-size: 1.4rem; font-weight: 700; margin: 0; }
.outcome p { margin: .25rem 0; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem;
  font-size: .85rem; font-weight: 600; white-space: nowrap; }
.good { color: var(--good); background: var(--good-bg); border-color: var(--good); }
.bad { color: var(--bad); background: var(--bad-bg); border-color: var(--bad); }
.warn { color: var(--warn); background: var(--warn-bg); border-color: var(--warn); }
.muted { color: var(--muted); background: var(--muted-bg); border-color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem;
  border-bottom: 1px solid var(--line); }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
.finding { border: 1px solid var(--line); border-left: 4px solid; border-radius: 6px;
  padding: .9rem 1.1rem; margin: .9rem 0; background: var(--paper); }
.finding.bad { border-left-color: var(--bad); color: inherit; background: var(--paper); }
.finding.warn { border-left-color: var(--warn); color: inherit; background: var(--paper); }
.finding p { margin: .4rem 0; }
.remedy { background: var(--muted-bg); padding: .5rem .75rem; border-radius: 4px; }
.sources { color: var(--muted); font-size: .85rem; }
footer dl, .decision dl { display: grid; grid-template-columns: max-content 1fr;
  gap: .2rem 1rem; margin: 0; }
footer dt, .decision dt { font-weight: 600; }
footer dd, .decision dd { margin: 0; }
@media print {
  body { background: #fff; }
  main { padding: 0; max-width: none; }
  article.report { border: 0; padding: 0; break-after: page; }
  .finding { break-inside: avoid; }
}
"""


def _h(text: object) -> str:
    return html.escape(neutralise(str(text)), quote=True)


def _badge(status: Status | TestStatus | FeatureStatus | Outcome) -> str:
    return f'<span class="badge {_tone(status)}">{_h(_label(status))}</span>'


def render_html(
    verdicts: Verdict | Report | Sequence[Verdict | Report | Unassessed],
    *,
    title: str | None = None,
    source: str | None = None,
    decision: DecisionRecord | DecisionReview | None = None,
    lines: Mapping[str, int] | None = None,
) -> str:
    """A self-contained HTML page (inline CSS, no scripts or external assets).

    Give one verdict (with the proposal's ``title`` and ``source`` if known, and
    ``decision`` and ``lines`` as for :func:`render_text`), or a sequence of verdicts or
    :class:`Report` records for a page reporting on several proposals, with
    :class:`Unassessed` records for the files that could not be assessed.
    """
    if isinstance(verdicts, Verdict):
        review = _review(verdicts, decision)
        items: list[Report | Unassessed] = [Report(verdicts, title, source, review, lines)]
    elif isinstance(verdicts, Report):
        items = [verdicts]
    else:
        items = [v if isinstance(v, Unassessed) else _as_report(v) for v in verdicts]
    reports = [r for r in items if isinstance(r, Report)]
    if len(items) == 1 and reports:
        page_title = f"Assessment of {_heading(reports[0])}: {_label(reports[0].verdict.outcome)}"
    else:
        page_title = f"Assessment of {len(items)} data sharing proposals"
    version = reports[0].verdict.library_version if reports else ""
    body = [_html_index(items)] if len(items) > 1 else []
    body += [
        _html_report(r, i) if isinstance(r, Report) else _html_failure(r, i)
        for i, r in enumerate(items, 1)
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en-GB">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="sharing-rules {_h(version)}">',
            f"<title>{_h(page_title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            "<main>",
            *body,
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _html_index(items: Sequence[Report | Unassessed]) -> str:
    rows = "".join(
        f'<tr><td><a href="#proposal-{i}">{_h(_heading(r))}</a></td>'
        f"<td>{_badge(r.verdict.outcome)}</td></tr>"
        if isinstance(r, Report)
        else f'<tr><td><a href="#proposal-{i}"><code>{_h(r.source)}</code></a></td>'
        f'<td><span class="badge bad">not assessed</span></td></tr>'
        for i, r in enumerate(items, 1)
    )
    return (
        f'<article class="report"><h1>{len(items)} proposals assessed</h1>'
        f"<table><thead><tr><th>Proposal</th><th>Outcome</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></article>"
    )


def _html_report(report: Report, index: int) -> str:
    verdict = report.verdict
    outcome = verdict.outcome
    parts = [
        f'<article class="report" id="proposal-{index}" '
        f'data-proposal-id="{_h(verdict.proposal_id)}" data-outcome="{_h(outcome.value)}">',
        "<header>",
        '<p class="kicker">Data for Public Benefit assessment</p>',
        f"<h1>{_h(_heading(report))}</h1>",
    ]
    if report.source:
        parts.append(f'<p class="source">Source: <code>{_h(report.source)}</code></p>')
    parts += [f'<p class="source">{_h(line)}</p>' for line in _dated(verdict)]
    parts += [
        "</header>",
        f'<section class="outcome {_tone(outcome)}" aria-label="Outcome">',
        f'<p class="label">Outcome: {_h(_label(outcome))}</p>',
        f"<p>{_h(OUTCOME_EXPLANATIONS[outcome])}</p>",
        f"<p>Criteria: {_h(_counts(verdict.findings))}.</p>",
        "</section>",
        "<section><h2>Tests</h2>",
        "<table><thead><tr><th>Test</th><th>Status</th><th>Criteria</th></tr></thead><tbody>",
    ]
    parts += [
        f'<tr data-test="{_h(key)}"><td>{_h(t.name)}</td><td>{_badge(t.status)}</td>'
        f"<td>{_h(_counts(t.findings))}</td></tr>"
        for key, t in verdict.tests.items()
    ]
    parts += [
        "</tbody></table></section>",
        "<section><h2>Key features</h2>",
        "<table><thead><tr><th>#</th><th>Feature</th><th>Status</th><th>Criteria</th></tr>"
        "</thead><tbody>",
    ]
    parts += [
        f'<tr data-feature="{n}"><td>{n}</td><td>{_h(f.name)}</td>'
        f"<td>{_badge(f.status)}</td><td>{_h(_counts(f.findings))}</td></tr>"
        for n, f in verdict.features.items()
    ]
    parts.append("</tbody></table></section>")
    for heading, key, findings in (
        ("Criteria not met", "unmet", _unmet(verdict)),
        ("Information missing", "missing", _missing(verdict)),
    ):
        if findings:
            parts.append(f'<section id="{key}-{index}"><h2>{heading} ({len(findings)})</h2>')
            parts += [_html_finding(f, report.lines) for f in findings]
            parts.append("</section>")
    parts += [
        "<section><h2>All criteria</h2>",
        "<table><thead><tr><th>Criterion</th><th>Test</th><th>Severity</th><th>Status</th>"
        "</tr></thead><tbody>",
    ]
    parts += [
        f'<tr data-rule-id="{_h(f.rule_id)}"><td><code>{_h(f.rule_id)}</code><br>'
        f"{_h(f.title)}</td><td>{_h(f.test)}</td><td>{_h(f.severity)}</td>"
        f"<td>{_badge(f.status)}</td></tr>"
        for f in verdict.findings
    ]
    parts.append("</tbody></table></section>")
    if verdict.public_voice is not None:  # issue 15: what residents said
        parts.append(voice_html(verdict.public_voice))
    parts.append("<footer><h2>Record</h2><dl>")
    parts += [
        f"<dt>{_h(name)}</dt><dd><code>{_h(value)}</code></dd>"
        for name, value in _footer_items(verdict)
    ]
    parts.append("</dl></footer>")
    if report.decision is not None:  # issue 14: the decision made on the verdict
        parts.append(_html_decision(report.decision))
    parts.append("</article>")
    return "\n".join(parts)


def _html_failure(failure: Unassessed, index: int) -> str:
    problems = "".join(f"<li>{_h(p)}</li>" for p in failure.problems)
    return (
        f'<article class="report" id="proposal-{index}" data-outcome="not_assessed">'
        f'<header><p class="kicker">Data for Public Benefit assessment</p>'
        f"<h1>Could not assess <code>{_h(failure.source)}</code></h1></header>"
        f'<section class="outcome bad"><p>{_h(_UNASSESSED)}</p><ul>{problems}</ul></section>'
        f"</article>"
    )


def _html_finding(finding: Finding, lines: Mapping[str, int] | None = None) -> str:
    parts = [
        f'<div class="finding {_tone(finding.status)}" data-rule-id="{_h(finding.rule_id)}" '
        f'data-status="{_h(finding.status.value)}"'
        + (f' data-basis="{_h(finding.basis.value)}"' if finding.basis else "")
        + ">",
        f"<h3><code>{_h(finding.rule_id)}</code> {_h(finding.title)}</h3>",
        f'<p class="meta">{_badge(finding.status)} {_h(_meta(finding))}</p>',
        f"<p>{_h(_prose(finding.message))}</p>",
    ]
    if finding.status is Status.NOT_MET and finding.details:
        parts.append(
            "<table><thead><tr><th>Field</th><th>Expected</th><th>Found</th></tr></thead><tbody>"
        )
        parts += [
            f"<tr><td><code>{_h(_path(d.path, lines))}</code></td><td>{_h(d.expected)}</td>"
            f"<td>{_h(_show(d.actual))}</td></tr>"
            for d in finding.details
        ]
        parts.append("</tbody></table>")
    elif finding.paths:
        label = "Fields" if finding.status is Status.NOT_MET else "Information to state"
        paths = ", ".join(f"<code>{_h(_path(p, lines))}</code>" for p in finding.paths)
        parts.append(f"<p>{label}: {paths}</p>")
    if finding.remedy:
        parts.append(
            f'<p class="remedy"><strong>What to do:</strong> {_h(_prose(finding.remedy))}</p>'
        )
    if finding.sources:
        parts.append(f'<p class="sources">Sources: {_h("; ".join(finding.sources))}</p>')
    parts.append("</div>")
    return "\n".join(parts)


# ---------------------------------------------------------------- decision and sign-off (issue 14)

_DECISION_LABELS = {
    "approve": "Approve",
    "approve_with_conditions": "Approve with conditions",
    "reject": "Reject",
    "return_for_information": "Return for information",
}
_WAIVER_LABELS = {
    WaiverStatus.APPLIES: "applies",
    WaiverStatus.EXPIRED: "expired",
    WaiverStatus.NOT_NEEDED: "not needed",
    WaiverStatus.NO_SUCH_FINDING: "no such finding",
    WaiverStatus.NOT_APPLIED: "not applied (stale decision)",
}
_STALE = "STALE: this decision was made on another verdict; it is not applied."
_UNCHANGED = "The verdict stays what the rules say; this records what was decided on it."


def _sign_off(review: DecisionReview) -> list[tuple[str, str]]:
    """The decision's facts, as (label, text) pairs, for every report format."""
    record = review.decision
    dpo = record.dpo
    items = [
        ("Decision", _DECISION_LABELS[record.decision.value]),
        ("Decided by", f"{record.decided_by}, {record.role}, on {record.decided_on.isoformat()}"),
        (
            "On the verdict",
            f"{OUTCOME_LABELS[record.verdict_outcome]}, as of {record.as_of.isoformat()}, "
            f"rule pack {record.rule_pack}",
        ),
    ]
    if dpo.advice:
        items.append(("DPO's advice", dpo.advice))
    items.append(("DPO's advice followed", "yes" if dpo.followed else f"no: {dpo.reason}"))
    risk = record.residual_risk
    if risk is not None:
        items.append(
            (
                "Residual risk",
                f"{risk.overall.value} ({risk.likelihood.value} likelihood, "
                f"{risk.severity.value} severity)",
            )
        )
    items += [("Condition", c) for c in record.conditions or ()]
    if record.notes:
        items.append(("Notes", record.notes))
    return items


def _waiver_lines(review: DecisionReview) -> list[tuple[str, str, str]]:
    """Each waiver: rule id, its status for this verdict, and what it says."""
    return [
        (
            c.waiver.rule_id,
            _WAIVER_LABELS[c.status],
            f"until {c.waiver.until.isoformat()}: {c.waiver.justification}",
        )
        for c in review.waivers
    ]


def _text_decision(review: DecisionReview, style: Any, wrap: Any) -> list[str]:
    out = ["", style("Decision and sign-off", bold=True)]
    if review.stale:
        out += wrap(_STALE, "  ")
        out += [line for reason in review.stale for line in wrap(f"- {reason}", "    ")]
    out += wrap(_UNCHANGED, "  ")
    out += [line for k, v in _sign_off(review) for line in wrap(f"{k}: {v}", "  ")]
    waivers = _waiver_lines(review)
    if waivers:
        out.append(f"  Waivers ({len(waivers)})")
    for rule_id, status, text in waivers:
        out += wrap(f"{rule_id} [{status}] {text}", "    ")
    if review.issues:
        out.append(f"  To check ({len(review.issues)})")
    out += [line for issue in review.issues for line in wrap(f"- {issue}", "    ")]
    return out


def _md_decision(review: DecisionReview) -> list[str]:
    out = ["", "## Decision and sign-off", ""]
    if review.stale:
        out += [f"**{_md(_STALE)}**", ""]
        out += [f"- {_md(reason)}" for reason in review.stale]
        out.append("")
    out += [_md(_UNCHANGED), ""]
    out += [f"- **{_md(k)}:** {_md(v)}" for k, v in _sign_off(review)]
    waivers = _waiver_lines(review)
    if waivers:
        out += ["", "| Waived finding | Status | Waiver |", "| --- | --- | --- |"]
        out += [f"| {_code(r)} | {_md(s)} | {_md(t)} |" for r, s, t in waivers]
    if review.issues:
        out += ["", f"**To check ({len(review.issues)}):**", ""]
        out += [f"- {_md(issue)}" for issue in review.issues]
    return out


def _html_decision(review: DecisionReview) -> str:
    state = "stale" if review.stale else "current"
    parts = [f'<section class="decision" data-decision="{state}"><h2>Decision and sign-off</h2>']
    if review.stale:
        reasons = "".join(f"<li>{_h(r)}</li>" for r in review.stale)
        parts.append(
            f'<div class="outcome bad"><p class="label">{_h(_STALE)}</p><ul>{reasons}</ul></div>'
        )
    parts.append(f"<p>{_h(_UNCHANGED)}</p>")
    facts = "".join(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in _sign_off(review))
    parts.append(f"<dl>{facts}</dl>")
    waivers = _waiver_lines(review)
    if waivers:
        parts.append(
            "<table><thead><tr><th>Waived finding</th><th>Status</th><th>Waiver</th></tr>"
            "</thead><tbody>"
            + "".join(
                f'<tr data-rule-id="{_h(r)}"><td><code>{_h(r)}</code></td><td>{_h(s)}</td>'
                f"<td>{_h(t)}</td></tr>"
                for r, s, t in waivers
            )
            + "</tbody></table>"
        )
    if review.issues:
        items = "".join(f"<li>{_h(i)}</li>" for i in review.issues)
        parts.append(f"<h3>To check ({len(review.issues)})</h3><ul>{items}</ul>")
    parts.append("</section>")
    return "\n".join(parts)


# ---------------------------------------------------------------- plans and changes (issue 14)
# Text and Markdown for repair plans, verdict diffs and re-assessments; their JSON is
# their own to_json. Each renderer reads only the record it is given.


def _change_text(change: RepairChange) -> str:
    was = "" if change.was is None else f" (was {_show(change.was)})"
    if change.kind.value == "add":
        what = f": {_prose(change.description)}" if change.description else ""
        return f"Add {change.path}{what}{was}"
    return f"Set {change.path} to {_show(change.value)}{was}"


_BLOCKER_TEXT = {
    "substance": "what the proposal states fails it; no change to safeguards, paperwork or "
    "process meets it: the sharing itself would have to change",
    "information": "only the proposer can state this; the outcome depends on what is stated",
}


def _plan_lines(plan: RepairPlan) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The lines about each step, and (rule id, status, why) for each blocker."""
    steps = []
    for number, step in enumerate(plan.steps, start=1):
        changes = [_change_text(c) for c in step.changes]
        steps.append(f"{number}. " + "; ".join(changes))
        steps.append(f"   Resolves: {', '.join(step.resolves) or 'nothing on its own'}")
        steps.append(f"   Outcome then: {OUTCOME_LABELS[step.outcome]} (checked by re-assessing)")
    blockers = [
        (b.rule_id, _label(b.status), f"{_BLOCKER_TEXT[b.kind.value]} ({', '.join(b.paths)})")
        for b in plan.blockers
    ]
    return steps, blockers


def render_plan_text(plan: RepairPlan) -> str:
    """A repair plan as plain text."""
    pack = plan.rule_pack
    out = [
        f"Repair plan for {plan.proposal_id} (as of {plan.as_of}; {pack.id} {pack.version})",
        f"Now: {OUTCOME_LABELS[plan.outcome]}. After every step: {OUTCOME_LABELS[plan.reaches]}.",
    ]
    if plan.empty:
        return "\n".join([*out, "Nothing to change: the proposal is acceptable.", ""])
    steps, blockers = _plan_lines(plan)
    out += ["", "Steps:" if steps else "No change the plan may make resolves a finding.", *steps]
    if blockers:
        out += ["", "Not resolved by any change the plan may make:"]
        out += [
            textwrap.fill(f"- {rule} ({status}): {why}", _WIDTH, subsequent_indent="  ")
            for rule, status, why in blockers
        ]
    return neutralise("\n".join(out)) + "\n"


def render_plan_markdown(plan: RepairPlan, level: int = 1) -> str:
    """A repair plan as Markdown; ``level`` is its heading's level (2 in a report)."""
    hashes = "#" * level
    out = [
        f"{hashes} Repair plan for {_md(plan.proposal_id)}",
        "",
        f"Now: **{OUTCOME_LABELS[plan.outcome]}**. After every step: "
        f"**{OUTCOME_LABELS[plan.reaches]}** (as of {plan.as_of}; rule pack "
        f"{_md(plan.rule_pack.id)} {_md(plan.rule_pack.version)}).",
        "",
    ]
    if plan.empty:
        return "\n".join([*out, "Nothing to change: the proposal is acceptable.", ""])
    if plan.steps:
        out += ["| Step | Change | Resolves | Outcome then (checked) |", "|---|---|---|---|"]
        for number, step in enumerate(plan.steps, start=1):
            change = "<br>".join(_md(_change_text(c)) for c in step.changes)
            resolves = ", ".join(_code(r) for r in step.resolves)
            out.append(f"| {number} | {change} | {resolves} | {OUTCOME_LABELS[step.outcome]} |")
        out.append("")
    if plan.blockers:
        out += ["Not resolved by any change the plan may make:", ""]
        _, blockers = _plan_lines(plan)
        out += [f"- {_code(rule)} ({status}): {_md(why)}" for rule, status, why in blockers]
        out.append("")
    return "\n".join(out)


def _diff_rows(diff: VerdictDiff) -> list[tuple[str, str, str]]:
    """(what, before, after) for the outcome, each test, feature and finding that changed."""
    rows = []
    if diff.outcome_changed:
        rows.append(("outcome", OUTCOME_LABELS[diff.old_outcome], OUTCOME_LABELS[diff.new_outcome]))
    rows += [(f"test {c.name}", _state(c.old), _state(c.new)) for c in diff.tests]
    rows += [(f"feature {c.name}", _state(c.old), _state(c.new)) for c in diff.features]
    for f in diff.findings:
        before = _state(f.old_status and f.old_status.value, f.old_basis and f.old_basis.value)
        after = _state(f.new_status and f.new_status.value, f.new_basis and f.new_basis.value)
        if f.old_severity and f.new_severity and f.old_severity != f.new_severity:
            before, after = f"{before}, {f.old_severity}", f"{after}, {f.new_severity}"
        rows.append((f.rule_id, before, after))
    return rows


def _state(status: str | None, basis: str | None = None) -> str:
    if status is None:
        return "(absent)"
    text = status.replace("_", " ")
    return f"{text} ({basis})" if basis else text


def _diff_heading(diff: VerdictDiff) -> list[str]:
    notes = []
    if diff.old_pack.digest != diff.new_pack.digest:
        notes.append(
            f"Rule pack: {diff.old_pack.id} {diff.old_pack.version} -> "
            f"{diff.new_pack.id} {diff.new_pack.version} (digest changed)"
        )
    if diff.old_proposal_digest != diff.new_proposal_digest:
        notes.append("Proposal: changed (digest differs)")
    if diff.old_as_of != diff.new_as_of:
        notes.append(f"As of: {diff.old_as_of} -> {diff.new_as_of}")
    return notes


def render_diff_text(diff: VerdictDiff) -> str:
    """The changes between two verdicts as plain text."""
    out = _diff_heading(diff)
    rows = _diff_rows(diff)
    if not rows:
        out.append(f"No change: {OUTCOME_LABELS[diff.new_outcome]} both times.")
    for what, before, after in rows:
        out.append(f"{what}: {before} -> {after}")
    return neutralise("\n".join(out)) + "\n"


def render_diff_markdown(diff: VerdictDiff) -> str:
    """The changes between two verdicts as Markdown."""
    out = ["# Changes between two verdicts", ""]
    out += [f"- {_md(note)}" for note in _diff_heading(diff)]
    rows = _diff_rows(diff)
    if not rows:
        out += ["", f"No change: **{OUTCOME_LABELS[diff.new_outcome]}** both times.", ""]
        return "\n".join(out)
    out += ["", "| What | Before | After |", "|---|---|---|"]
    out += [f"| {_code(what)} | {_md(before)} | {_md(after)} |" for what, before, after in rows]
    return "\n".join([*out, ""])


def _reassess_rows(report: ReassessReport) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for r in report.results:
        flag = ("FLIPS" if r.flipped else "same") + (", stale" if r.stale else "")
        rows.append(
            (
                r.where,
                r.id or r.proposal_id,
                OUTCOME_LABELS[r.old_outcome],
                OUTCOME_LABELS[r.new_outcome],
                flag,
            )
        )
    return rows


def _reassess_summary(report: ReassessReport) -> str:
    pack = report.rule_pack
    return (
        f"{len(report.results)} stored verdicts re-assessed with {pack.id} {pack.version}: "
        f"{len(report.flipped)} would flip; {len(report.stale)} stale (the proposal no longer "
        "matches the digest its verdict records)."
    )


def render_reassess_text(report: ReassessReport) -> str:
    """Which stored verdicts would flip under a new pack, as a plain-text table."""
    head = ("record", "id", "stored", "new pack", "")
    rows = [head, *_reassess_rows(report)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines = [line.rstrip() for line in lines]
    return neutralise("\n".join([*lines, "", _reassess_summary(report)])) + "\n"


def render_reassess_markdown(report: ReassessReport) -> str:
    """Which stored verdicts would flip under a new pack, as a Markdown table."""
    out = ["# Re-assessment under a new rule pack", "", _md(_reassess_summary(report)), ""]
    out += ["| Record | Id | Stored | New pack | |", "|---|---|---|---|---|"]
    out += [
        f"| {_code(where)} | {_md(ident)} | {old} | {new} | {flag} |"
        for where, ident, old, new, flag in _reassess_rows(report)
    ]
    return "\n".join([*out, ""])
