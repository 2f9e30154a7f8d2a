"""The command line: exit codes, formats, errors on stderr, rule pack tools, schema, init."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator, FormatChecker

import sharing_rules as sr
from sharing_rules import _cli
from sharing_rules._cli import cli, exit_code, main
from sharing_rules._schema import schema_json
from sharing_rules._template import proposal_template

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
FRAMEWORK = ROOT / "rules" / "framework"
GANG = ROOT / "examples" / "gang-list-schools.yaml"
VERDICT_SCHEMA = Draft202012Validator(
    json.loads(schema_json("verdict")), format_checker=FormatChecker()
)
MODELINE = "# yaml-language-server: $schema=proposal.schema.json\n"
MISSPELT = "id: DSP-1\ntitle: A proposal\npurpse:\n  statement: Share addresses.\n"


def run(*args: str | Path, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        cli, [str(a) for a in args], input=input, env=env, catch_exceptions=False
    )


def from_cli(path: Path, source: str | None = None) -> sr.Verdict:
    """The verdict as the command line gives it: with the proposal's title and the file
    name as given (issue 14), which Python callers' verdicts leave out."""
    title = sr.load_proposal(path).title
    return attrs.evolve(sr.assess(path), title=title, source=source or str(path))


def expected_code(path: Path, strict: bool = False) -> int:
    return exit_code(sr.assess(path).outcome, strict)


def worst(codes: list[int]) -> int:
    for code in (2, 1, 3, 0):
        if code in codes:
            return code
    return 0


def json_stream(text: str) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    index = 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        value, index = decoder.raw_decode(text, index)
        yield value


def assert_valid_verdict(document: Any) -> None:
    problems = [e.message for e in VERDICT_SCHEMA.iter_errors(document)]
    assert problems == []


@pytest.fixture
def misspelt(tmp_path: Path) -> Path:
    path = tmp_path / "misspelt.yaml"
    path.write_text(MISSPELT, encoding="utf-8")
    return path


# ---------------------------------------------------------------- assess: exit codes


def test_exit_codes_map_outcomes() -> None:
    assert exit_code(sr.Outcome.ACCEPTABLE) == 0
    assert exit_code(sr.Outcome.ACCEPTABLE_WITH_CONDITIONS) == 0
    assert exit_code(sr.Outcome.ACCEPTABLE_WITH_CONDITIONS, strict=True) == 1
    assert exit_code(sr.Outcome.ACCEPTABLE, strict=True) == 0
    assert exit_code(sr.Outcome.NOT_ACCEPTABLE) == 1
    assert exit_code(sr.Outcome.INSUFFICIENT_INFORMATION) == 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html", "jsonl"])
def test_each_example_exits_with_the_code_of_its_outcome(path: Path, fmt: str) -> None:
    result = run("assess", path, "--format", fmt)
    assert result.exit_code == expected_code(path)
    assert result.stderr == ""
    assert result.stdout


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_json_output_is_the_verdict_and_validates(path: Path) -> None:
    result = run("assess", path, "--format", "json")
    assert result.stdout == from_cli(path).to_json() + "\n"
    assert_valid_verdict(json.loads(result.stdout))


def test_all_examples_as_json_are_one_array_with_the_worst_code_and_each_validates() -> None:
    result = run("assess", *EXAMPLES, "--format", "json")
    assert result.exit_code == worst([expected_code(p) for p in EXAMPLES])
    assert len(list(json_stream(result.stdout))) == 1  # one document, not one per file
    objects = json.loads(result.stdout)
    assert isinstance(objects, list) and len(objects) == len(EXAMPLES)
    # Streamed element by element: each verdict exactly as to_json() writes it, indented.
    verdicts = [textwrap.indent(from_cli(p).to_json(), "  ") for p in EXAMPLES]
    assert result.stdout == "[\n" + ",\n".join(verdicts) + "\n]\n"
    assert objects == [from_cli(p).to_dict() for p in EXAMPLES]
    for document, path in zip(objects, EXAMPLES, strict=True):
        assert_valid_verdict(document)
        assert document["proposal_id"] == sr.load_proposal(path).id


def test_jsonl_writes_one_line_per_file() -> None:
    result = run("assess", *EXAMPLES, "--format", "jsonl")
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXAMPLES)
    for line, path in zip(lines, EXAMPLES, strict=True):
        document = json.loads(line)
        assert_valid_verdict(document)
        assert document == from_cli(path).to_dict()


@pytest.mark.parametrize(
    ("outcome", "plain", "strict"),
    [
        (sr.Outcome.ACCEPTABLE, 0, 0),
        (sr.Outcome.ACCEPTABLE_WITH_CONDITIONS, 0, 1),
        (sr.Outcome.NOT_ACCEPTABLE, 1, 1),
        (sr.Outcome.INSUFFICIENT_INFORMATION, 3, 3),
    ],
)
def test_every_outcome_and_strict(
    monkeypatch: pytest.MonkeyPatch, outcome: sr.Outcome, plain: int, strict: int
) -> None:
    real = sr.Assessor.assess

    def fake(self: sr.Assessor, proposal: Any, **kwargs: Any) -> sr.Verdict:
        return attrs.evolve(real(self, proposal, **kwargs), outcome=outcome)

    monkeypatch.setattr(sr.Assessor, "assess", fake)
    assert run("assess", GANG).exit_code == plain
    assert run("assess", GANG, "--strict").exit_code == strict
    result = run("assess", GANG, "--format", "json", "--strict")
    assert json.loads(result.stdout)["outcome"] == outcome.value


# ---------------------------------------------------------------- assess: errors


def test_a_misspelt_key_exits_2_with_path_and_suggestion_and_no_stdout(misspelt: Path) -> None:
    for fmt in ("text", "json", "html"):
        result = run("assess", misspelt, "--format", fmt)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert "$.purpse" in result.stderr
        assert "did you mean 'purpose'" in result.stderr
        assert str(misspelt) in result.stderr
        assert "Traceback" not in result.stderr


_OPENED: list[str] = []


def _count_opens(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _OPENED and args and isinstance(args[0], str | Path):
        _OPENED.append(os.fspath(args[0]))


sys.addaudithook(_count_opens)  # audit hooks stay for the process: it counts only when armed


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_a_proposal_file_is_read_once_and_its_report_gives_lines(fmt: str) -> None:
    """The report's line numbers come from the loader's one read (it was read twice)."""
    _OPENED[:] = ["armed"]
    try:
        result = run("assess", GANG, "--format", fmt, "--as-of", "2026-11-29")
    finally:
        opened, _OPENED[:] = _OPENED[1:], []
    assert result.exit_code == 1
    assert [p for p in opened if Path(p).resolve() == GANG] == [str(GANG)]
    # purpose.limits_on_other_uses is not stated: the line shown is purpose's, line 32.
    assert ("$.purpose.limits_on_other_uses (line 32)" in result.stdout) is (fmt != "json")


def test_a_proposal_on_standard_input_is_reported_without_lines() -> None:
    result = run("assess", "-", "--as-of", "2026-11-29", input=GANG.read_text(encoding="utf-8"))
    assert result.exit_code == 1
    assert "$.purpose.limits_on_other_uses: expected stated" in result.stdout
    assert "(line " not in result.stdout


def test_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    result = run("assess", tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert "cannot read the file" in result.stderr
    assert result.stdout == ""


def test_invalid_yaml_exits_2_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    result = run("assess", path)
    assert result.exit_code == 2
    assert "invalid YAML" in result.stderr
    assert f"{path}:" in result.stderr


def test_one_bad_file_among_good_ones_still_reports_the_good(misspelt: Path) -> None:
    result = run("assess", GANG, misspelt, "--format", "jsonl")
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 1
    assert json.loads(result.stdout)["proposal_id"] == sr.load_proposal(GANG).id
    assert "$.purpse" in result.stderr


def test_engine_failure_exits_2_and_prints_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: sr.Assessor, proposal: Any, **kwargs: Any) -> sr.Verdict:
        raise sr.AssessmentError("durable-rules failed in stage 1: boom")

    monkeypatch.setattr(sr.Assessor, "assess", broken)
    for fmt in ("text", "json", "html"):
        result = run("assess", EXAMPLES[0], "--format", fmt)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert "engine failed" in result.stderr and "boom" in result.stderr
        assert "Traceback" not in result.stderr


def test_an_unexpected_error_fails_closed_with_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: sr.Assessor, proposal: Any, **kwargs: Any) -> sr.Verdict:
        raise KeyError("surprise")

    monkeypatch.setattr(sr.Assessor, "assess", broken)
    result = run("assess", EXAMPLES[0])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "internal error" in result.stderr


def test_invalid_rules_exit_2_before_any_assessment(tmp_path: Path) -> None:
    pack = broken_pack(tmp_path)
    result = run("assess", GANG, "--rules", pack)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "problems in the rule pack" in result.stderr


def test_disable_leaves_a_rule_out() -> None:
    rule_id = sr.load_rules().rules[0].id
    result = run("assess", GANG, "--format", "json", "--disable", rule_id)
    ids = {f["rule_id"] for f in json.loads(result.stdout)["findings"]}
    assert rule_id not in ids
    assert run("assess", GANG, "--disable", "no.such-rule").exit_code == 2


def test_usage_errors_exit_2() -> None:
    assert run("assess").exit_code == 2
    assert run("assess", GANG, "--format", "pdf").exit_code == 2
    assert run("assess", "-", "-", input="id: x\ntitle: y\n").exit_code == 2
    assert run("no-such-command").exit_code == 2


# ---------------------------------------------------------------- assess: input and output


def test_standard_input() -> None:
    text = GANG.read_text(encoding="utf-8")
    result = run("assess", "-", "--format", "json", input=text)
    assert result.exit_code == expected_code(GANG)
    assert json.loads(result.stdout) == from_cli(GANG, "<stdin>").to_dict()
    bad = run("assess", "-", input=MISSPELT)
    assert bad.exit_code == 2 and "<stdin>" in bad.stderr and "$.purpse" in bad.stderr


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = run("assess", GANG, "--format", "html", "--output", target)
    assert result.exit_code == expected_code(GANG)
    assert result.stdout == ""
    page = target.read_text(encoding="utf-8")
    assert f'data-outcome="{sr.assess(GANG).outcome.value}"' in page
    assert "\x1b[" not in page


def test_an_unwritable_output_exits_2(tmp_path: Path) -> None:
    result = run("assess", GANG, "--output", tmp_path / "no" / "such" / "dir.txt")
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_html_names_the_outcome_tests_and_unmet_rules() -> None:
    verdict = sr.assess(GANG)
    page = run("assess", GANG, "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>")
    assert f"Outcome: {_cli.OUTCOME_LABELS[verdict.outcome]}" in page
    for test in verdict.tests.values():
        assert f"<td>{test.name}</td>" in page
    assert verdict.unmet
    for finding in verdict.unmet:
        assert f'data-rule-id="{finding.rule_id}" data-status="not_met"' in page
    assert sr.load_proposal(GANG).title in page


def test_html_for_several_files_is_one_page() -> None:
    page = run("assess", *EXAMPLES, "--format", "html").stdout
    assert page.count("<!DOCTYPE html>") == 1
    assert page.count('class="report" id="proposal-') == len(EXAMPLES)


def test_markdown_and_text_for_several_files() -> None:
    md = run("assess", *EXAMPLES, "--format", "markdown").stdout
    assert md.count("\n# Assessment of ") + md.startswith("# Assessment of ") == len(EXAMPLES)
    text = run("assess", *EXAMPLES).stdout
    assert text.count("\nOutcome: ") == len(EXAMPLES)
    assert text.rstrip().endswith(".")
    assert f"{len(EXAMPLES)} proposals assessed:" in text


def test_text_starts_with_the_outcome() -> None:
    verdict = sr.assess(GANG)
    text = run("assess", GANG).stdout
    head = text.split("\n\n")[1]
    assert head.startswith(f"Outcome: {_cli.OUTCOME_LABELS[verdict.outcome].upper()}")


# ---------------------------------------------------------------- colour and progress


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_cli, "_isatty", lambda stream: True)


def test_colour_on_a_terminal(terminal: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in run("assess", GANG).stdout


def test_no_color_is_respected(terminal: None) -> None:
    result = run("assess", GANG, env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.stdout
    assert "Outcome:" in result.stdout


def test_no_colour_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" not in run("assess", GANG).stdout


@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "jsonl"])
def test_no_colour_in_machine_or_report_formats(
    terminal: None, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" not in run("assess", GANG, "--format", fmt).stdout


def test_progress_bar_for_many_files_on_a_terminal(terminal: None) -> None:
    files = (EXAMPLES * 6)[:6]
    result = run("assess", *files, "--format", "jsonl", env={"NO_COLOR": "1"})
    assert "Assessing" in result.stderr
    assert len(result.stdout.splitlines()) == 6
    few = run("assess", *files[:5], "--format", "jsonl")
    assert "Assessing" not in few.stderr


def test_no_progress_bar_when_stderr_is_not_a_terminal() -> None:
    result = run("assess", *(EXAMPLES * 2), "--format", "jsonl")
    assert result.stderr == ""


def test_errors_are_held_until_the_progress_bar_ends(terminal: None, misspelt: Path) -> None:
    files = [*(EXAMPLES * 6)[:6], misspelt]
    result = run("assess", *files, "--format", "jsonl")
    assert result.exit_code == 2
    assert result.stderr.index("Assessing") < result.stderr.index("$.purpse")


# ---------------------------------------------------------------- rules


def test_rules_list() -> None:
    pack = sr.load_rules()
    result = run("rules", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "TEST", "FEATURES", "SEVERITY", "TITLE"]
    assert len(lines) == len(pack.rules) + 1
    for rule, line in zip(pack.rules, lines[1:], strict=True):
        assert line.split()[:4] == [
            rule.id,
            rule.test,
            ",".join(map(str, rule.features)),
            rule.severity.value,
        ]
        assert line.endswith(rule.title)


def test_rules_list_as_json_with_a_rule_disabled() -> None:
    pack = sr.load_rules()
    result = run("rules", "list", "--format", "json", "--disable", pack.rules[0].id)
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [r.id for r in pack.rules[1:]]


def test_rules_show() -> None:
    rule = sr.load_rules().rules[0]
    result = run("rules", "show", rule.id)
    assert result.exit_code == 0
    assert f"id: {rule.id}" in result.stdout
    assert rule.test in result.stdout
    shown = yaml.safe_load(result.stdout)
    shown = shown[0] if isinstance(shown, list) else shown
    assert shown["id"] == rule.id and shown["remedy"].split() == rule.remedy.split()


def test_rules_show_an_unknown_id_suggests_one() -> None:
    rule = sr.load_rules().rules[0]
    result = run("rules", "show", rule.id[:-1])
    assert result.exit_code == 2
    assert "did you mean" in result.stderr and rule.id in result.stderr


def test_rules_validate_the_framework_and_a_local_pack(tmp_path: Path) -> None:
    assert run("rules", "validate", FRAMEWORK).exit_code == 0
    result = run("rules", "validate", good_pack(tmp_path))
    assert result.exit_code == 0
    assert "valid" in result.stdout and "local, 1 rule." in result.stdout


def test_rules_test_the_framework_passes() -> None:
    result = run("rules", "test", FRAMEWORK)
    assert result.exit_code == 0, result.stdout
    assert " 0 failed" in result.stdout
    assert "FAIL" not in result.stdout


def test_rules_test_a_local_pack_runs_only_its_own_examples(tmp_path: Path) -> None:
    result = run("rules", "test", good_pack(tmp_path), "--verbose")
    assert result.exit_code == 0
    assert "2 examples in 1 rule: 2 passed, 0 failed" in result.stdout
    assert result.stdout.count("PASS") == 2


def test_rules_test_a_failing_example_exits_1(tmp_path: Path) -> None:
    pack = good_pack(tmp_path, expect="not_met")
    result = run("rules", "test", pack)
    assert result.exit_code == 1
    assert "FAIL  local.purpose-given example 1: expected not_met, got met" in result.stdout


@pytest.mark.parametrize("command", ["validate", "test"])
def test_a_broken_pack_exits_2_listing_every_problem(tmp_path: Path, command: str) -> None:
    result = run("rules", command, broken_pack(tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr
    assert "4 problems in the rule pack" in err
    assert "unknown operator 'greater'" in err
    assert "'purpose.limits_on_other_use' is not a fact" in err
    assert "did you mean 'purpose.limits_on_other_uses'" in err
    assert "duplicate rule id 'local.twice'" in err
    assert "placeholder {purpose.statement_wordz} names no fact" in err
    assert "Traceback" not in err


RULE = """
  - id: {id}
    version: 1
    title: Is a purpose given?
    test: purposeful
    features: [5]
    severity: advisory
    condition: {condition}
    messages: {{met: "{met}", not_met: missing, unknown: not known}}
    remedy: State it.
    sources: [Local policy]
"""


def write_pack(root: Path, *rules: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pack.yaml").write_text(
        "id: local\nversion: '1'\ntitle: Local policy\ndescription: For tests.\n", encoding="utf-8"
    )
    (root / "rules.yaml").write_text("rules:" + "".join(rules), encoding="utf-8")
    return root


def good_pack(tmp_path: Path, expect: str = "met") -> Path:
    rule = RULE.format(
        id="local.purpose-given", met="Given.", condition="{fact: purpose.statement, present: true}"
    )
    rule += textwrap.indent(
        textwrap.dedent(f"""\
        examples:
          - expect: {expect}
            proposal: {{purpose: {{statement: Share addresses for fire safety visits.}}}}
          - expect: not_met
            proposal: {{}}
        """),
        "    ",
    )
    return write_pack(tmp_path / "good", rule)


def broken_pack(tmp_path: Path) -> Path:
    present = "{fact: purpose.statement, present: true}"
    return write_pack(
        tmp_path / "broken",
        RULE.format(
            id="local.unknown-operator",
            met="ok",
            condition="{fact: purpose.statement_words, greater: 12}",
        ),
        RULE.format(
            id="local.misspelt-fact",
            met="ok",
            condition="{fact: purpose.limits_on_other_use, present: true}",
        ),
        RULE.format(id="local.twice", met="ok", condition=present),
        RULE.format(id="local.twice", met="ok", condition=present),
        RULE.format(
            id="local.bad-placeholder", met="{purpose.statement_wordz} words", condition=present
        ),
    )


def test_the_framework_pack_given_as_rules_is_not_loaded_twice() -> None:
    result = run("assess", GANG, "--rules", FRAMEWORK, "--format", "json")
    assert result.exit_code == expected_code(GANG)
    assert json.loads(result.stdout) == from_cli(GANG).to_dict()


def test_a_local_pack_adds_its_rules(tmp_path: Path) -> None:
    result = run("assess", GANG, "--rules", good_pack(tmp_path), "--format", "json")
    ids = [f["rule_id"] for f in json.loads(result.stdout)["findings"]]
    assert "local.purpose-given" in ids
    assert len(ids) == len(sr.load_rules().rules) + 1


# ---------------------------------------------------------------- schema and init


@pytest.mark.parametrize("name", ["proposal", "verdict"])
def test_schema_prints_the_shipped_schema(name: str) -> None:
    result = run("schema", name)
    assert result.exit_code == 0
    assert result.stdout == schema_json(name)  # type: ignore[arg-type]
    assert json.loads(result.stdout)["$schema"].endswith("/draft/2020-12/schema")
    assert run("schema", "rules").exit_code == 2


def test_init_writes_a_template_that_loads(tmp_path: Path) -> None:
    target = tmp_path / "proposal.yaml"
    result = run("init", target)
    assert result.exit_code == 0
    text = target.read_text(encoding="utf-8")
    # The template, after a first line that points editors at the proposal schema.
    assert text == MODELINE + proposal_template(str(target))
    assert f"sharing-rules assess {target}" in text
    proposal = sr.load_proposal(target)
    assert proposal.purpose is None  # nothing but id and title is stated yet
    assert text.count("\n#") > 50  # commented throughout


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "proposal.yaml"
    target.write_text("mine", encoding="utf-8")
    result = run("init", target)
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine"


def test_init_defaults_to_proposal_yaml_and_dash_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    assert (tmp_path / "proposal.yaml").exists()
    assert run("init", "-").stdout == MODELINE + proposal_template()


def test_the_filled_in_template_states_every_field_of_the_model(tmp_path: Path) -> None:
    filled = "\n".join(_uncomment(line) for line in proposal_template().splitlines())
    proposal = sr.parse_proposal(filled, "filled.yaml")
    assert set(_stated(proposal, "$")) == set(_fields(sr.Proposal, "$"))
    result = run("assess", "-", input=filled)
    assert result.exit_code in (0, 1, 3)


def _uncomment(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith("#") and stripped[1:2] not in ("", " ", "#"):
        return line.replace("#", "", 1)
    return line


def _fields(cls: type, path: str) -> Iterator[str]:
    """Every field path of the model, with [] for list items."""
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        child = f"{path}.{field.name}"
        yield child
        kinds = [t for t in typing.get_args(hints[field.name]) if t is not type(None)]
        kind = kinds[0] if kinds else hints[field.name]
        if typing.get_origin(kind) is tuple:
            kind, child = typing.get_args(kind)[0], child + "[]"
        if attrs.has(kind) and kind is not sr.Period:
            yield from _fields(kind, child)


def _stated(value: Any, path: str) -> Iterator[str]:
    """The field paths stated in a proposal, with [] for list items."""
    for field in attrs.fields(type(value)):
        child = getattr(value, field.name)
        if child is None:
            continue
        yield f"{path}.{field.name}"
        items = child if isinstance(child, tuple) else (child,)
        suffix = "[]" if isinstance(child, tuple) else ""
        for item in items:
            if attrs.has(type(item)) and not isinstance(item, sr.Period):
                yield from _stated(item, f"{path}.{field.name}{suffix}")


# ---------------------------------------------------------------- help, version, main


def test_help_documents_the_exit_codes() -> None:
    for args in ([], ["assess"]):
        result = run(*args, "--help")
        assert result.exit_code == 0
        for line in (
            "0  acceptable",
            "1  not acceptable",
            "2  usage or input error",
            "3  insufficient information",
            "--strict",
        ):
            assert line in result.stdout
    for args in (
        ["rules"],
        ["rules", "list"],
        ["rules", "show"],
        ["rules", "validate"],
        ["rules", "test"],
        ["schema"],
        ["init"],
    ):
        assert run(*args, "--help").exit_code == 0


def test_version() -> None:
    assert run("--version").stdout.strip() == f"sharing-rules, version {sr.__version__}"


def test_main_exits_with_the_status(misspelt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["assess", str(misspelt)])
    assert info.value.code == 2
    assert "$.purpse" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["assess", str(GANG), "--format", "json"])
    assert info.value.code == expected_code(GANG)
    with pytest.raises(SystemExit) as info:
        main(["assess"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["schema", "verdict"])
    assert info.value.code == 0


# ---------------------------------------------------------------- a real process


def python_m(*args: str | Path, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run(
        [sys.executable, "-m", "sharing_rules", *map(str, args)],
        capture_output=True,
        text=True,
        input=input,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_python_m_assess_all_examples_as_json() -> None:
    done = python_m("assess", *EXAMPLES, "--format", "json")
    assert done.returncode == worst([expected_code(p) for p in EXAMPLES])
    objects = json.loads(done.stdout)
    assert len(objects) == len(EXAMPLES)
    schema = json.loads(python_m("schema", "verdict").stdout)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    for document in objects:
        assert list(validator.iter_errors(document)) == []
    assert "\x1b[" not in python_m("assess", GANG).stdout  # a pipe is not a terminal


def test_python_m_misspelt_key_from_stdin() -> None:
    done = python_m("assess", "-", input=MISSPELT)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "$.purpse" in done.stderr and "did you mean" in done.stderr
    assert "Traceback" not in done.stderr


def test_python_m_rules_test_framework() -> None:
    done = python_m("rules", "test", "rules/framework")
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_output_file_is_written_when_no_proposal_could_be_assessed(
    tmp_path: Path, misspelt: Path
) -> None:
    target = tmp_path / "out.json"
    result = run("assess", misspelt, "--format", "json", "--output", target)
    assert result.exit_code == 2
    assert not target.exists()
    partial = run("assess", misspelt, GANG, "--format", "jsonl", "--output", target)
    assert partial.exit_code == 2
    assert len(target.read_text(encoding="utf-8").splitlines()) == 1


def test_unfilled_template_placeholders_are_warned_about(tmp_path: Path) -> None:
    target = tmp_path / "proposal.yaml"
    run("init", target)
    result = run("assess", target, "--format", "json")
    assert result.exit_code in (0, 1, 3)
    assert "warning:" in result.stderr
    assert "$.title still holds the template placeholder" in result.stderr
    json.loads(result.stdout)
    for path in EXAMPLES:
        assert "placeholder" not in run("assess", path).stderr


def test_an_engine_that_cannot_start_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(pack: Any) -> None:
        raise TypeError("cannot compile")

    monkeypatch.setattr(_cli, "Assessor", broken)
    result = run("assess", GANG, "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "engine failed" in result.stderr and "cannot compile" in result.stderr


def test_main_turns_a_defect_into_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(_cli, "schema_json", broken)
    with pytest.raises(SystemExit) as info:
        main(["schema", "proposal"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" not in err
