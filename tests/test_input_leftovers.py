"""Regression tests for inputs that slipped past the safe reader or the problem codes: a FIFO
named pack.yaml, standard input without a size cap, decisions files and dialogue records
read with read_text, un-coded problems, raw control characters from the dialogue commands,
and rule-pack problems out of file order."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import sharing_rules as sr
from sharing_rules._cli import _is_base_pack, cli
from sharing_rules._dialogue import DialogueError, load_record
from sharing_rules._register import DecisionError, build_register, load_decisions

ROOT = Path(__file__).resolve().parent.parent
FIRE = ROOT / "examples" / "fire-safety-visits.yaml"


def _finishes(target: Callable[..., object], *args: object) -> list[object]:
    """Run ``target(*args)`` in a thread; what it returned or raised, or [] if it blocked."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(target(*args))
        except Exception as exc:
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    return out


def test_a_fifo_named_pack_yaml_does_not_block_the_base_pack_check(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pack.yaml")
    assert _finishes(_is_base_pack, str(tmp_path)) == [False]


def test_a_fifo_as_a_decisions_file_or_dialogue_record_is_refused_at_once(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "decisions.yaml"
    os.mkfifo(fifo)
    for reader, error in ((load_decisions, DecisionError), (load_record, DialogueError)):
        [raised] = _finishes(reader, fifo)
        assert isinstance(raised, error)
        assert [p.code for p in raised.problems] == ["not-a-regular-file"]


def test_decisions_and_dialogue_files_that_are_not_utf8_say_so_with_a_code(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"DSP-1: {decision: approved, date: 2026-01-01}\n# caf\xe9\n")
    with pytest.raises(DecisionError) as decision:
        load_decisions(bad)
    with pytest.raises(DialogueError) as record:
        load_record(bad)
    for err in (decision.value, record.value):
        [problem] = err.problems
        assert (problem.code, problem.line) == ("encoding", 2)


def test_register_and_decision_problems_carry_specific_codes(tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.yaml"
    decisions.write_text(
        "DSP-1: {decision: approved}\nDSP-2: {decision: maybe, date: 2026-01-01}\n",
        encoding="utf-8",
    )
    with pytest.raises(DecisionError) as err, pytest.warns(DeprecationWarning):
        load_decisions(decisions)
    assert [p.code for p in err.value.problems] == ["invalid-decision", "not-allowed-value"]
    decisions.write_text("NOT-GIVEN: {decision: approved, date: 2026-01-01}\n", encoding="utf-8")
    with pytest.warns(DeprecationWarning, match="provisional decisions file"):
        decided = load_decisions(decisions)
    with pytest.raises(DecisionError) as unknown:
        build_register([sr.load_proposal(FIRE)], decided)
    assert [p.code for p in unknown.value.problems] == ["unknown-proposal"]


def test_standard_input_has_the_same_4_mib_cap_as_a_file() -> None:
    big = b"id: DSP-1\ntitle: Big\n#" + b"x" * (4 * 1024 * 1024) + b"\n"
    result = CliRunner().invoke(cli, ["assess", "--errors", "json", "-"], input=big)
    assert result.exit_code == 2, result.output
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [r["code"] for r in records] == ["file-too-large"]
    assert "standard input is larger than the limit of 4 MiB" in result.stderr
    small = CliRunner().invoke(cli, ["assess", "-"], input=FIRE.read_bytes())
    assert small.exit_code in (0, 1, 3), small.output


def test_standard_input_that_is_not_utf8_names_the_byte() -> None:
    result = CliRunner().invoke(
        cli, ["assess", "--errors", "json", "-"], input=b"id: DSP-1\ntitle: caf\x92\n"
    )
    assert result.exit_code == 2
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [r["code"] for r in records] == ["encoding"]
    assert "byte 0x92" in result.stderr


def test_dialogue_and_register_commands_never_print_raw_control_characters(
    tmp_path: Path,
) -> None:
    name = str(tmp_path / "evil\x1b]0;pwned\x07\x1b[2J.yaml")
    runs = [
        ["dialogue", "kit", name, "-o", str(tmp_path / "kit")],
        ["register", name, "--decisions", name, "-o", str(tmp_path / "reg")],
    ]
    for args in runs:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2
        assert "\x1b" not in result.stderr and "\x07" not in result.stderr
        assert "\\x1b" in result.stderr  # spelt out, so the reader still sees it


def test_rule_pack_problems_are_sorted_by_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(
        "id: local\nversion: '1'\ntitle: Local\ndescription: Local policy.\n", encoding="utf-8"
    )
    rule = {
        "id": "local.bad",
        "version": 1,
        "title": "Bad?",
        "test": "purposeful",
        "features": [1],
        "severity": "advisory",
        "condition": {"fact": "no.such.rule_fact", "present": True},
        "messages": {"met": "m", "not_met": "n", "unknown": "u"},
        "remedy": "r",
        "sources": ["s"],
    }
    derivation = {
        "id": "derive.bad",
        "version": 1,
        "sets": "local.flag",
        "description": "d",
        "condition": {"fact": "no.such.derivation_fact", "present": True},
        "sources": ["s"],
    }
    # rules come first in the file, but derivations are read first: the problems were in
    # reading order, not in the order a reader meets them
    text = yaml.safe_dump({"rules": [rule], "derivations": [derivation]}, sort_keys=False)
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(sr.RuleError) as err:
        sr.load_rules(tmp_path)
    located = [(p.source, p.line) for p in err.value.problems]
    assert len(located) >= 2
    assert located == sorted(located, key=lambda s: (s[0] or "", s[1] is not None, s[1] or 0))
    lines = [line for source, line in located if source and source.endswith("a.yaml")]
    assert lines == sorted(lines) and len(set(lines)) >= 2
