"""The exit statuses live in one module, and docs/cli.md's table and the help say the same."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from click.testing import CliRunner

import sharing_rules as sr
from sharing_rules import _exit
from sharing_rules._cli import cli
from sharing_rules._render import OUTCOME_LABELS

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = ROOT / "docs" / "cli.md"
SRC = ROOT / "src" / "sharing_rules"


def _section(title: str) -> str:
    text = CLI_DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def _doc_table() -> dict[int, str]:
    """docs/cli.md's exit status table: status -> what it means (backticks dropped)."""
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", _section("Exit status"), re.MULTILINE)
    assert rows, "no exit status table in docs/cli.md"
    return {int(status): text.replace("`", "") for status, text in rows}


def _help_table() -> dict[int, str]:
    """The same table as `sharing-rules assess --help` prints it (continuation lines joined)."""
    out = CliRunner().invoke(cli, ["assess", "--help"]).output
    rows: dict[int, str] = {}
    last = None
    for line in out[out.index("Exit status:") :].splitlines()[1:]:
        match = re.match(r"^\s+(\d+)\s{2}(.*)$", line)
        if match:
            last = int(match.group(1))
            rows[last] = match.group(2).strip()
        elif line.strip() and last is not None and line.startswith("     "):
            rows[last] += " " + line.strip()
        elif not line.strip():
            last = None
    return rows


def _gist(text: str) -> str:
    """The meaning before any detail: up to the first colon, parenthesis or semicolon."""
    return re.split(r"[:;(]", text, maxsplit=1)[0].strip()


def test_the_documented_statuses_are_the_ones_the_cli_uses() -> None:
    table = _doc_table()
    assert set(table) == {*_exit.EXIT_CODES.values(), _exit.EXIT_ERROR}
    for outcome, status in _exit.EXIT_CODES.items():
        assert OUTCOME_LABELS[outcome].lower() in table[status].lower(), (outcome, table[status])
    strict = _exit.exit_code(sr.Outcome.ACCEPTABLE_WITH_CONDITIONS, strict=True)
    assert f"({strict} with --strict)" in table[_exit.EXIT_CODES[sr.Outcome.ACCEPTABLE]]
    assert table[_exit.EXIT_ERROR].startswith("usage or input error")


def test_the_help_and_the_docs_give_each_status_the_same_meaning() -> None:
    doc, shown = _doc_table(), _help_table()
    assert set(shown) == set(doc)
    assert {s: _gist(t) for s, t in shown.items()} == {s: _gist(t) for s, t in doc.items()}


def test_several_files_end_with_the_worst_status_in_the_documented_order() -> None:
    said = re.search(r"the worst of them: ([\d, then]+)", _section("Exit status"))
    assert said is not None
    order = [int(s) for s in re.findall(r"\d+", said.group(1))]  # worst first
    assert sorted(order) == sorted(_doc_table())
    for a, b in itertools.permutations(order, 2):
        assert _exit.worst([a, b]) == min(a, b, key=order.index)
    assert _exit.worst([]) == _exit.EXIT_OK


def test_no_command_module_spells_an_exit_status_of_its_own() -> None:
    for path in sorted(SRC.glob("_cli*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^EXIT_\w+\s*=\s*\d", text, re.MULTILINE), path.name
        assert not re.search(r"SystemExit\(\d", text), path.name
