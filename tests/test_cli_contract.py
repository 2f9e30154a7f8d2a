"""The command line as a contract with tools: one document per run, machine-readable errors,
`check`, files that fail without stopping the others, and no control characters let out."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from markdown_it import MarkdownIt

import sharing_rules as sr
from sharing_rules import _cli
from sharing_rules._cli import cli

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GANG = ROOT / "examples" / "gang-list-schools.yaml"
FIRE = ROOT / "examples" / "fire-safety-visits.yaml"
MISSPELT = "id: DSP-1\ntitle: A proposal\npurpse:\n  statement: Share addresses.\n"
ATTACK = "\x1b]0;pwned\x07\x1b[2J\x9b2J"
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SGR = re.compile(r"\x1b\[[0-9;]*m")
RECORD_KEYS = {"severity", "file", "line", "path", "code", "message", "hint"}


def from_cli(path: Path) -> dict[str, Any]:
    """The verdict as the command line writes it: with the proposal's title and the file
    name as given (issue 14), which Python callers' verdicts leave out."""
    title = sr.load_proposal(path).title
    return {**sr.assess(path).to_dict(), "title": title, "source": str(path)}


def run(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def records(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines()]


@pytest.fixture
def misspelt(tmp_path: Path) -> Path:
    path = tmp_path / "misspelt.yaml"
    path.write_text(MISSPELT, encoding="utf-8")
    return path


def hostile(tmp_path: Path, name: str = "hostile.yaml") -> Path:
    """The gang-list example with a title that would set a terminal's title and clear it."""
    text = GANG.read_text(encoding="utf-8")
    title = json.dumps(f"{ATTACK} \u2028line\u2029para\x85next \u202eevil")
    text = re.sub(r"(?m)^title:.*$", lambda m: f"title: {title}", text, count=1)
    ident = json.dumps(f"DSP-{ATTACK}\u2028\x85\u2029")  # the id is in the verdict JSON
    text = re.sub(r"(?m)^id:.*$", lambda m: f"id: {ident}", text, count=1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- one document per run


def test_json_for_one_file_is_one_object_and_for_several_one_array(misspelt: Path) -> None:
    one = run("assess", GANG, "--format", "json")
    assert json.loads(one.stdout) == from_cli(GANG)
    several = run("assess", GANG, misspelt, FIRE, "--format", "json")
    assert several.exit_code == 2
    assert [v["proposal_id"] for v in json.loads(several.stdout)] == [
        sr.load_proposal(p).id for p in (GANG, FIRE)
    ]
    nothing = run("assess", misspelt, misspelt, "--format", "json")
    assert nothing.exit_code == 2 and json.loads(nothing.stdout) == []


def test_jsonl_keeps_one_record_per_line_whatever_the_text_holds(tmp_path: Path) -> None:
    path = hostile(tmp_path)
    result = run("assess", path, GANG, "--format", "jsonl")
    lines = result.stdout.splitlines()  # splits at U+2028, U+2029 and U+0085 too
    assert len(lines) == 2
    assert json.loads(lines[0]) == from_cli(path)
    assert UNSAFE.findall(result.stdout) == []
    single = run("assess", path, "--format", "json")
    assert json.loads(single.stdout) == from_cli(path)
    assert UNSAFE.findall(single.stdout.replace("\n", "")) == []


def test_markdown_and_html_for_several_files_report_every_file(misspelt: Path) -> None:
    md = run("assess", GANG, misspelt, "--format", "markdown")
    assert md.exit_code == 2
    assert "# Assessment of" in md.stdout
    assert f"# Could not assess `{misspelt}`" in md.stdout
    assert "$.purpse: unknown key" in md.stdout
    page = run("assess", GANG, misspelt, "--format", "html")
    assert page.stdout.count('class="report" id="proposal-') == 2
    assert 'data-outcome="not_assessed"' in page.stdout
    assert "not assessed</span>" in page.stdout and "purpse" in page.stdout


# ---------------------------------------------------------------- errors for tools


def test_errors_json_gives_file_line_path_code_message_and_hint(misspelt: Path) -> None:
    result = run("assess", misspelt, GANG, "--format", "json", "--errors", "json")
    assert result.exit_code == 2
    [record] = records(result.stderr)
    assert set(record) == RECORD_KEYS
    assert record["severity"] == "error"
    assert record["file"] == str(misspelt)
    assert record["line"] == 3
    assert record["path"] == "$.purpse"
    assert record["code"] != "" and "purpse" not in record["code"]
    assert record["hint"] == "did you mean 'purpose'?"
    assert json.loads(result.stdout)[0]["proposal_id"] == sr.load_proposal(GANG).id


def test_errors_json_for_an_unreadable_file_a_broken_pack_and_a_warning(tmp_path: Path) -> None:
    missing = run("assess", tmp_path / "nope.yaml", "--errors", "json")
    [record] = records(missing.stderr)
    assert missing.exit_code == 2 and record["file"] == str(tmp_path / "nope.yaml")
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text("id: local\nversion: '1'\nbogus: 1\n", encoding="utf-8")
    broken = run("assess", GANG, "--rules", pack, "--errors", "json")
    assert broken.exit_code == 2 and broken.stdout == ""
    assert all(set(RECORD_KEYS) <= set(r) for r in records(broken.stderr))
    template = tmp_path / "proposal.yaml"
    run("init", template)
    warned = run("assess", template, "--format", "json", "--errors", "json")
    assert {r["severity"] for r in records(warned.stderr)} == {"warning"}
    assert {r["code"] for r in records(warned.stderr)} == {"template-placeholder"}
    assert "$.title" in {r["path"] for r in records(warned.stderr)}


# ---------------------------------------------------------------- failures do not stop the rest


def test_a_file_that_fails_with_an_internal_error_does_not_stop_the_files_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = _cli.read_proposal_file

    def flaky(source: Any) -> tuple[sr.Proposal, dict[str, int]]:
        if str(source) == str(GANG):
            raise TypeError("a defect in the loader")
        return real(source)

    monkeypatch.setattr(_cli, "read_proposal_file", flaky)
    result = run("assess", GANG, FIRE, "--format", "jsonl", "--errors", "json")
    assert result.exit_code == 2
    [line] = result.stdout.splitlines()
    assert json.loads(line)["proposal_id"] == sr.load_proposal(FIRE).id
    [record] = records(result.stderr)
    assert record["code"] == "internal-error" and "a defect in the loader" in record["message"]
    text = run("assess", GANG, FIRE)
    assert "internal error" in text.stderr and "1 acceptable, 1 error." in text.stdout


def test_a_renderer_that_fails_does_not_stop_the_files_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = _cli.render_markdown

    def flaky(verdict: sr.Verdict, **kwargs: Any) -> str:
        if verdict.proposal_id == sr.load_proposal(GANG).id:
            raise ValueError("cannot render")
        return real(verdict, **kwargs)

    monkeypatch.setattr(_cli, "render_markdown", flaky)
    result = run("assess", GANG, FIRE, "--format", "markdown")
    assert result.exit_code == 2
    assert "cannot render" in result.stderr
    assert result.stdout.count("# Assessment of") == 1


# ---------------------------------------------------------------- check


def test_check_exits_0_when_every_file_loads_and_assesses_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_cli, "Assessor", None)  # check must never assess
    result = run("check", *EXAMPLES)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"{p}: valid" for p in EXAMPLES]
    assert run("check", "-q", *EXAMPLES).stdout == ""
    assert run("check", "-", input=GANG.read_text(encoding="utf-8")).exit_code == 0


def test_check_exits_2_listing_every_problem(misspelt: Path, tmp_path: Path) -> None:
    result = run("check", GANG, misspelt, tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert f"{GANG}: valid" in result.stdout
    assert "$.purpse" in result.stderr and "did you mean 'purpose'" in result.stderr
    assert "nope.yaml" in result.stderr
    as_json = run("check", misspelt, "--errors", "json")
    assert as_json.exit_code == 2
    [record] = records(as_json.stderr)
    assert record["path"] == "$.purpse" and record["line"] == 3


# ---------------------------------------------------------------- control characters


def test_the_text_report_spells_out_controls(tmp_path: Path) -> None:
    path = hostile(tmp_path, f"x{ATTACK}.yaml")
    result = run("assess", path)
    assert result.exit_code == 1
    assert UNSAFE.findall(result.stdout) == []
    assert r"\x1b]0;pwned\x07\x1b[2J\x9b2J" in result.stdout


def test_the_coloured_text_report_has_only_its_own_colour_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cli, "_isatty", lambda stream: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = run("assess", hostile(tmp_path), "--format", "text")
    assert SGR.search(result.stdout)
    assert UNSAFE.findall(SGR.sub("", result.stdout)) == []


def test_error_messages_spell_out_controls(tmp_path: Path) -> None:
    path = tmp_path / f"x{ATTACK}.yaml"
    path.write_text(f'id: x\ntitle: y\n"{ATTACK}": 1\n'.replace("\x1b", "\\e"), "utf-8")
    for args in (["assess", path], ["check", path], ["assess", path, "--errors", "json"]):
        result = run(*args)
        assert result.exit_code == 2
        assert result.stderr and UNSAFE.findall(result.stderr.replace("\n", "")) == []


def test_markdown_code_spans_hold_a_hostile_file_name(tmp_path: Path) -> None:
    name = "a``<img src=x onerror=alert(1)>``b.yaml"
    path = tmp_path / name
    path.write_text(GANG.read_text(encoding="utf-8"), encoding="utf-8")
    md = run("assess", path, "--format", "markdown").stdout
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
