"""Problem codes: every code the library writes is in the documented table and vice versa,
every Problem the library builds names its code, and bad inputs carry the code they should."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import attrs
import pytest

import sharing_rules as sr

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src" / "sharing_rules"
TABLE_ROW = re.compile(r"^\| `([a-z-]+)` \| ", re.M)
# Modules whose Problems may still keep the default code "invalid": none any more (the
# CLI's standard input, dialogue records and the register's decisions now name theirs).
DEFAULT_CODE_CALLERS: set[str] = set()


def documented_codes() -> list[str]:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    section = text.split("## Problem codes", 1)[1].split("\n## ", 1)[0]
    return TABLE_ROW.findall(section)


def codes_in_source() -> dict[str, set[str]]:
    """Every literal code in src/: ``code="..."`` arguments and ``code`` parameter defaults."""
    found: dict[str, set[str]] = {}
    for path in SRC.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            values: list[ast.expr] = []
            if isinstance(node, ast.keyword) and node.arg == "code":
                values.append(node.value)
            elif isinstance(node, ast.arguments):
                named = [*node.args, *node.kwonlyargs]
                defaults = [*[None] * (len(node.args) - len(node.defaults)), *node.defaults]
                defaults += node.kw_defaults
                values += [d for a, d in zip(named, defaults, strict=True) if a.arg == "code" and d]
            elif isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "code":
                values += [node.value] if node.value is not None else []
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                    found.setdefault(value.value, set()).add(path.name)
    return found


def test_every_code_in_src_is_documented_and_every_documented_code_is_used() -> None:
    table = documented_codes()
    assert len(table) == len(set(table)), "a code is listed twice"
    used = codes_in_source()
    assert "invalid" in used  # the Problem default, found by the scan
    assert sorted(set(used) - set(table)) == []
    # Codes the CLI passes positionally are not seen by the scan; each is still in src/.
    source = "".join(path.read_text(encoding="utf-8") for path in SRC.glob("*.py"))
    assert [code for code in table if f'"{code}"' not in source] == []


def test_the_scan_sees_codes_in_every_form_the_source_writes_them() -> None:
    used = codes_in_source()
    assert "_model.py" in used["out-of-range"]  # _Failure(..., code=...)
    assert "_files.py" in used["file-too-large"]  # _refuse(..., code=...)
    assert "_load.py" in used["wrong-type"]  # a parameter default
    assert "_conditions.py" in used["unknown-operator"]


def test_every_problem_built_in_src_names_its_code() -> None:
    missing = []
    for path in SRC.glob("*.py"):
        if path.name in DEFAULT_CODE_CALLERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "Problem"
                and not any(k.arg == "code" for k in node.keywords)
            ):
                missing.append(f"{path.name}:{node.lineno}")
    assert missing == []


def test_problem_stays_backwards_compatible() -> None:
    old_style = sr.Problem("$.x", "message", "hint", "f.yaml", 3, "rule.id")
    assert old_style.code == "invalid"
    assert str(old_style) == "f.yaml:3: rule rule.id: $.x: message (hint)"
    assert attrs.evolve(old_style, code="wrong-type").code == "wrong-type"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("id: x\ntitle: t\npurpse: {}\n", "unknown-key"),
        ("title: t\n", "missing-required"),
        ("id: x\ntitle: [a]\n", "wrong-type"),
        ("id: x\ntitle: '  '\n", "invalid-value"),
        ("id: x\ntitle: t\nsharing: {method: fax}\n", "not-allowed-value"),
        ("id: x\ntitle: t\nsharing: {volume_records: -1}\n", "out-of-range"),
        ("id: x\ntitle: t\nsafeguards: {retention_period: six years}\n", "invalid-value"),
        ("id: x\n  title: [\n", "invalid-yaml"),
        ("id: x\nid: y\ntitle: t\n", "duplicate-key"),
    ],
)
def test_proposal_problems_carry_their_code(text: str, code: str) -> None:
    with pytest.raises(sr.ProposalError) as info:
        sr.parse_proposal(text, "p.yaml")
    assert [p.code for p in info.value.problems] == [code]


def _pack(tmp_path: Path, rule: str) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text(
        "id: local\nversion: '1'\ntitle: Local\ndescription: A local pack.\n"
    )
    (pack / "rules.yaml").write_text("rules:\n  - " + rule.replace("\n", "\n    ") + "\n")
    return pack


RULE = """id: local.one
version: '1'
title: One
test: purposeful
features: [1]
severity: advisory
condition: {fact: purpose.statement, present: true}
messages: {met: ok, not_met: not stated, unknown: '?'}
remedy: State it.
sources: [Local policy]"""


def test_a_valid_local_rule_loads(tmp_path: Path) -> None:
    pack = sr.load_rules(_pack(tmp_path, RULE))
    assert "local.one" in {r.id for r in pack.rules}


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("fact: purpose.statement", "fact: purpose.statment", "unknown-fact"),
        (", present: true", "", "invalid-condition"),
        ("{fact: purpose.statement, present: true}", "{every: true}", "unknown-operator"),
        ("met: ok", "met: 'ok {purpose.x}'", "unknown-placeholder"),
        ("severity: advisory", "severity: advisary", "not-allowed-value"),
        ("remedy: State it.", "remedy: State it.\nremdy: x", "unknown-key"),
        ("sources: [Local policy]", "", "missing-required"),
        ("title: One", "title: 1.5", "wrong-type"),
    ],
)
def test_rule_problems_carry_their_code(tmp_path: Path, old: str, new: str, code: str) -> None:
    assert old in RULE
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(_pack(tmp_path, RULE.replace(old, new)))
    assert code in [p.code for p in info.value.problems], info.value.problems
    assert all(p.code != "invalid" for p in info.value.problems)


def test_a_duplicate_rule_id_is_duplicate_id(tmp_path: Path) -> None:
    pack = _pack(tmp_path, RULE)
    (pack / "more.yaml").write_text("rules:\n  - " + RULE.replace("\n", "\n    ") + "\n")
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(pack)
    assert [p.code for p in info.value.problems] == ["duplicate-id"]


def test_an_unknown_disabled_rule_is_unknown_rule() -> None:
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(disable="no.such-rule")
    [found] = info.value.problems
    assert (found.code, found.rule) == ("unknown-rule", "no.such-rule")
