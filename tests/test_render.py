"""Reports for people: text, Markdown and HTML say the same things, in order, safely."""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import re
from pathlib import Path

import attrs
import pytest
from markdown_it import MarkdownIt

import sharing_rules as sr
from sharing_rules._render import (
    OUTCOME_LABELS,
    Report,
    json_safe,
    neutralise,
    render_html,
    render_markdown,
    render_text,
)
from sharing_rules._verdict import Detail, Finding, PackInfo, Status, Verdict, decide

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TESTS = {"purposeful": "Purposeful", "proportionate": "Proportionate", "responsible": "Responsible"}
FEATURES = {
    1: "Better services",
    2: "Wider public",
    3: "Respects the individual",
    4: "Public resources",
    5: "Open and accountable",
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def finding(
    rule_id: str,
    status: Status,
    *,
    test: str = "purposeful",
    severity: str = "blocking",
    **changes: object,
) -> Finding:
    base = Finding(
        rule_id=rule_id,
        rule_version="1",
        title=f"Is {rule_id} satisfied?",
        test=test,
        features=(3, 5),
        severity=severity,
        status=status,
        message=f"{rule_id} says why.",
        paths=(f"$.{rule_id.split('.')[-1]}",),
        details=(),
        remedy=f"Fix {rule_id}." if status in (Status.NOT_MET, Status.UNKNOWN) else None,
        sources=("UK GDPR Art. 5",),
    )
    return attrs.evolve(base, **changes)


def make_verdict(*findings: Finding) -> Verdict:
    outcome, tests, features = decide(findings, TESTS, FEATURES)
    return Verdict(
        outcome=outcome,
        tests=tests,
        features=features,
        findings=findings,
        derived={"dpia.required": True},
        proposal_id="DSP-TEST-1",
        proposal_digest="sha256:" + "a" * 64,
        rule_pack=PackInfo("framework", "9.9.9", "sha256:" + "b" * 64),
        library_version="0.0.test",
    )


FAILING = make_verdict(
    finding("p.met", Status.MET),
    finding(
        "p.fails",
        Status.NOT_MET,
        details=(
            Detail("$.purpose.statement", "≥ 12", 4),
            Detail("$.data_items[1].justification", "= yes", False),
        ),
    ),
    finding("q.advisory-unknown", Status.UNKNOWN, test="proportionate", severity="advisory"),
    finding(
        "r.blocking-unknown",
        Status.UNKNOWN,
        test="responsible",
        paths=("dpia.required", "$.governance.dpia_status"),
    ),
    finding("r.not-applicable", Status.NOT_APPLICABLE, test="responsible"),
)
HOSTILE = "<script>alert('x')</script> *bold* _it_ [link](http://evil) | pipe & `tick`"


def verdict_quoting(text: str, in_paths: bool = True) -> Verdict:
    """A verdict whose every piece of text from a proposal or pack is ``text``."""
    return make_verdict(
        finding(
            "p.fails",
            Status.NOT_MET,
            message=text,
            title=text,
            remedy=text,
            sources=(text,),
            details=(Detail("$.purpose.statement", text, text),),
        ),
        finding(
            "q.unknown",
            Status.UNKNOWN,
            test="proportionate",
            message=text,
            paths=(text,) if in_paths else ("$.unknown",),
        ),
    )


def hostile_verdict() -> Verdict:
    return verdict_quoting(HOSTILE, in_paths=False)


def order(text: str, *parts: str) -> list[int]:
    positions = [text.index(part) for part in parts]
    assert positions == sorted(positions), f"out of order: {parts}"
    return positions


# ---------------------------------------------------------------- text


def test_text_gives_outcome_first_then_tests_features_unmet_missing_and_digests() -> None:
    text = render_text(FAILING, title="A title", source="x.yaml")
    assert FAILING.outcome is sr.Outcome.NOT_ACCEPTABLE
    assert text.startswith("DSP-TEST-1: A title\nx.yaml\n\nOutcome: NOT ACCEPTABLE\n")
    order(
        text,
        "Outcome:",
        "Tests",
        "Purposeful",
        "Proportionate",
        "Responsible",
        "Key features",
        "1. Better services",
        "5. Open and accountable",
        "Criteria not met (1)",
        "p.fails",
        "Information missing (2)",
        "r.blocking-unknown",
        "q.advisory-unknown",
        "Rule pack: framework 9.9.9",
        "sha256:" + "b" * 64,
        "Proposal digest: sha256:" + "a" * 64,
    )
    assert "$.purpose.statement: expected ≥ 12, found 4" in text
    # Issue 14: people read list positions from 1 (the verdict's path is data_items[1]).
    assert "$.data_items[2].justification: expected = yes, found no" in text
    assert "What to do: Fix p.fails." in text
    assert "State: dpia.required (derived), $.governance.dpia_status" in text
    assert "p.met" not in text.split("Criteria not met")[1].split("Criteria:")[0]


def test_text_colour_only_when_asked() -> None:
    plain = render_text(FAILING, False)
    coloured = render_text(FAILING, True)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_text_wraps_prose_but_not_paths() -> None:
    long = "word " * 60
    verdict = make_verdict(
        finding("p.fails", Status.NOT_MET, message=long, paths=("$.a_very_long_path." + "x" * 100,))
    )
    text = render_text(verdict)
    assert max(len(line) for line in text.splitlines() if "word" in line) <= 88
    assert "$.a_very_long_path." + "x" * 100 in text


def test_a_passing_verdict_has_no_unmet_or_missing_section() -> None:
    # every feature needs a criterion evidencing it to be demonstrated
    verdict = make_verdict(
        *(finding(f"{t}.ok", Status.MET, test=t, features=(1, 2, 3, 4, 5)) for t in TESTS)
    )
    text = render_text(verdict)
    assert "Outcome: ACCEPTABLE\n" in text
    assert "Criteria not met" not in text
    assert "Information missing" not in text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_report_is_deterministic(path: Path) -> None:
    one, two = sr.assess(path), sr.assess(path)
    for render in (render_text, render_markdown, render_html):
        assert render(one) == render(two)  # type: ignore[operator]
    assert OUTCOME_LABELS[one.outcome] in render_html(one)


# ---------------------------------------------------------------- Markdown


def test_markdown_has_the_sections_in_order() -> None:
    md = render_markdown(FAILING, title="A title", source="x.yaml")
    assert md.startswith("# Assessment of DSP-TEST-1: A title\n")
    order(
        md,
        "**Outcome: Not acceptable.**",
        "## Tests",
        "| Purposeful | not met |",
        "## Key features",
        "## Criteria not met (1)",
        "### `p.fails`",
        "## Information missing (2)",
        "### `r.blocking-unknown`",
        "### `q.advisory-unknown`",
        "## All criteria",
        "`p.met`",
        "- Rule pack: `framework 9.9.9`",
        "- Proposal digest: `sha256:",
    )
    assert "| `$.purpose.statement` | ≥ 12 | 4 |" in md
    assert "**What to do:** Fix p.fails." in md
    assert "Information to state: `dpia.required (derived)`, `$.governance.dpia_status`" in md


def test_markdown_escapes_text_from_proposals_and_rules() -> None:
    md = render_markdown(hostile_verdict(), title=HOSTILE)
    assert "<script>" not in md
    assert "[link](http" not in md
    assert r"\<script\>" in md
    assert r"\*bold\*" in md
    # Pipes cannot break a table row: every row has its four cells.
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert all(len(re.split(r"(?<!\\)\|", row)) - 2 in (3, 4) for row in rows)


# ---------------------------------------------------------------- HTML


class _Parser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "!doctype"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Parser:
    parser = _Parser()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    return parser


def test_html_is_a_well_formed_self_contained_page() -> None:
    page = render_html(FAILING, title="A title", source="x.yaml")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    parsed = parse(page)
    tags = {tag for tag, _ in parsed.tags}
    assert "style" in tags
    assert not tags & {"script", "link", "img", "iframe", "object"}
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "@import" not in page and "url(" not in page


def test_html_shows_outcome_tests_features_unmet_missing_and_digests() -> None:
    page = render_html(FAILING, title="A title", source="x.yaml")
    parsed = parse(page)
    text = " ".join(" ".join(parsed.text).split())
    order(
        text,
        "Outcome: Not acceptable",
        "Purposeful",
        "Proportionate",
        "Responsible",
        "Key features",
        "Open and accountable",
        "Criteria not met (1)",
        "p.fails",
        "Information missing (2)",
        "r.blocking-unknown",
        "All criteria",
        "sha256:" + "b" * 64,
        "sha256:" + "a" * 64,
    )
    attributes = [a for _, a in parsed.tags]
    assert {"data-outcome": "not_acceptable"}.items() <= next(
        a for a in attributes if "data-outcome" in a
    ).items()
    assert {a["data-test"] for a in attributes if "data-test" in a} == set(TESTS)
    unmet = {a["data-rule-id"] for a in attributes if a.get("data-status") == "not_met"}
    assert unmet == {"p.fails"}
    assert "<title>Assessment of DSP-TEST-1: A title: Not acceptable</title>" in page


def test_html_escapes_all_text() -> None:
    page = render_html(hostile_verdict(), title=HOSTILE, source=HOSTILE)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert 'href="http' not in page
    parse(page)


def test_html_for_several_proposals_is_one_page_with_an_index() -> None:
    reports = [
        Report(FAILING, "First", "a.yaml"),
        Report(attrs.evolve(FAILING, proposal_id="DSP-TEST-2"), "Second", "b.yaml"),
    ]
    page = render_html(reports)
    parse(page)
    assert page.count("<!DOCTYPE html>") == 1
    assert "2 proposals assessed" in page
    assert 'href="#proposal-1"' in page and 'id="proposal-2"' in page
    assert "DSP-TEST-2: Second" in page


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_report_names_its_unmet_criteria(path: Path) -> None:
    verdict = sr.assess(path)
    page = render_html(verdict)
    md = render_markdown(verdict)
    text = render_text(verdict)
    for finding_ in verdict.unmet:
        assert f'data-rule-id="{finding_.rule_id}" data-status="not_met"' in page
        assert f"### `{finding_.rule_id}`" in md
        assert finding_.rule_id in text
    for test in verdict.tests.values():
        assert test.name in page and test.name in md and test.name in text


# ---------------------------------------------------------------- hostile text

# Sets the terminal's title, clears the screen (7-bit and 8-bit CSI), moves the cursor back
# (CR), an OSC 8 link, a bidi override, and a C1 next-line.
TERMINAL_ATTACK = "\x1b]0;pwned\x07\x1b[2J\x9b2J\rX\x1b]8;;http://evil\x1b\\\u202eevil\x85!"
# Every control except tab and newline, and every escape sequence introducer.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("color", [False, True])
def test_text_never_lets_a_control_character_through(color: bool) -> None:
    text = render_text(
        verdict_quoting(TERMINAL_ATTACK),
        color,
        title=TERMINAL_ATTACK,
        source=f"dir/{TERMINAL_ATTACK}.yaml",
    )
    assert UNSAFE.findall(ANSI.sub("", text)) == []
    assert "\x1b" not in ANSI.sub("", text)
    assert bool(ANSI.search(text)) is color  # our own colour codes only, when asked
    # Spelt out, so a reader still sees what the proposal holds.
    assert r"\x1b]0;pwned\x07\x1b[2J\x9b2J\x0dX" in text
    assert r"\u202eevil" in text


def test_neutralise_spells_out_controls_and_keeps_tab_and_newline() -> None:
    assert neutralise("a\tb\nc") == "a\tb\nc"
    assert neutralise("\x1b[2J\x9b\x00\x7f\u2028") == r"\x1b[2J\x9b\x00\x7f\u2028"
    assert neutralise(neutralise(TERMINAL_ATTACK)) == neutralise(TERMINAL_ATTACK)
    assert neutralise("é ü 漢字 🙂") == "é ü 漢字 🙂"


def test_json_safe_keeps_the_data_and_one_record_per_line() -> None:
    value = {"title": TERMINAL_ATTACK + "\u2028\u2029\x85"}
    line = json_safe(json.dumps(value, ensure_ascii=False))
    assert len(line.splitlines()) == 1
    assert UNSAFE.findall(line) == []
    assert json.loads(line) == value


def test_markdown_and_html_never_let_a_control_character_through() -> None:
    verdict = verdict_quoting(TERMINAL_ATTACK)
    for page in (
        render_markdown(verdict, title=TERMINAL_ATTACK, source=TERMINAL_ATTACK),
        render_html(verdict, title=TERMINAL_ATTACK, source=TERMINAL_ATTACK),
    ):
        assert UNSAFE.findall(page) == []
        assert r"\x1b" in page


BREAKOUT = "x``<img src=x onerror=alert(1)>``y`"


@pytest.mark.parametrize("name", [BREAKOUT, "`a", "a`", "``` ```", "a | b`", "<b>x</b>"])
def test_a_file_name_or_value_cannot_leave_its_markdown_code_span(name: str) -> None:
    verdict = make_verdict(
        finding("p.fails", Status.NOT_MET, details=(Detail(name, "x", "y"),)),
        finding("q.unknown", Status.UNKNOWN, test="proportionate", paths=(name,)),
    )
    md = render_markdown(verdict, title=name, source=name)
    parsed = MarkdownIt("commonmark").enable("table")
    rendered = parsed.render(md)
    assert "<img" not in rendered and "<b>" not in rendered  # only &lt;img... as text
    tokens = [t for block in parsed.parse(md) for t in (block.children or [])]
    spans = [t.content for t in tokens if t.type == "code_inline"]
    expected = name.replace("|", "\\|")  # GFM tables need the pipe escaped in a cell
    assert name in spans or expected in spans
    assert all(t.type != "html_inline" for t in tokens)


def test_markdown_prose_with_entities_and_html_stays_text() -> None:
    text = "A &amp; B <img src=x onerror=alert(1)> &#60;b&#62;"
    md = render_markdown(make_verdict(finding("p.fails", Status.NOT_MET)), title=text)
    rendered = MarkdownIt("commonmark").render(md)
    assert "<img" not in rendered
    assert "A &amp;amp; B &lt;img" in rendered  # shown as written


def test_a_line_break_in_the_id_or_title_cannot_forge_report_lines() -> None:
    # Found by Hypothesis: an id of "\nx" pushed the heading down a line, so the line after
    # it read as the report's own. Headings stay one line in every format.
    proposal = attrs.evolve(
        sr.load_proposal("examples/pupil-risk-scores.yaml"),
        id="\nx",
        title="T\nOutcome: ACCEPTABLE",
    )
    verdict = sr.assess(proposal, as_of=dt.date(2026, 11, 29))
    title = proposal.title
    lines = render_text(verdict, title=title).splitlines()
    assert lines[0] == r"\nx: T\nOutcome: ACCEPTABLE"
    assert lines[3].startswith("Outcome: NOT ACCEPTABLE")
    assert [line for line in lines if line.startswith("Outcome:")] == [lines[3]]
    markdown = sr.render_markdown(verdict, title=title).splitlines()
    assert markdown[0] == r"# Assessment of \\nx: T\\nOutcome: ACCEPTABLE"
    assert "<h1>\\nx: T\\nOutcome: ACCEPTABLE</h1>" in sr.render_html(verdict, title=title)
