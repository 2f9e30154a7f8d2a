"""The shipped rule-pack JSON Schema: the packs we ship validate, broken ones do not, and
`rules validate`, `schema rule-pack` and `init` use it (and the proposal schema) as
documented."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

import sharing_rules as sr
from sharing_rules import _cli
from sharing_rules._cli import cli

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "src" / "sharing_rules" / "schemas" / "rule-pack.schema.json"
PACK_FILES = sorted((ROOT / "rules" / "framework").glob("*.yaml")) + sorted(
    (ROOT / "examples" / "council-pack").glob("*.yaml")
)
COUNCIL = ROOT / "examples" / "council-pack"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def as_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(document: Any) -> list[str]:
    return [e.message for e in validator().iter_errors(as_json(document))]


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_pack_file_validates(path: Path) -> None:
    assert errors(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


COUNCIL_RULES = yaml.safe_load((COUNCIL / "children.yaml").read_text(encoding="utf-8"))
COUNCIL_MANIFEST = yaml.safe_load((COUNCIL / "pack.yaml").read_text(encoding="utf-8"))


def rule_change(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    document = copy.deepcopy(COUNCIL_RULES)
    change(document["rules"][0])
    return document


BROKEN_RULE_FILES = {
    "unknown key": rule_change(lambda r: r.update(titel="x")),
    "missing remedy": rule_change(lambda r: r.pop("remedy")),
    "unknown severity": rule_change(lambda r: r.update(severity="blocker")),
    "unknown test": rule_change(lambda r: r.update(test="purposful")),
    "feature 6": rule_change(lambda r: r.update(features=[6])),
    "no features": rule_change(lambda r: r.update(features=[])),
    "unknown operator": rule_change(lambda r: r.update(condition={"fact": "x", "greater": 1})),
    "two comparisons": rule_change(lambda r: r.update(condition={"fact": "x", "eq": 1, "ne": 2})),
    "empty any": rule_change(lambda r: r.update(condition={"any": []})),
    "quantifier without where": rule_change(lambda r: r.update(condition={"any_item": "x"})),
    "compare with null": rule_change(lambda r: r.update(condition={"fact": "x", "eq": None})),
    "bad id": rule_change(lambda r: r.update(id="Council.Children")),
    "blank title": rule_change(lambda r: r.update(title="  ")),
    "set as version": rule_change(lambda r: r.update(version={"a", "b"})),
    "unknown expectation": rule_change(lambda r: r["examples"][0].update(expect="pass")),
    "messages without unknown": rule_change(lambda r: r["messages"].pop("unknown")),
    "top-level typo": {"rulez": COUNCIL_RULES["rules"]},
    "parameter name not text": rule_change(
        lambda r: r.update(condition={"fact": "x", "ge": {"param": 5}})
    ),
    "parameter with another key": rule_change(
        lambda r: r.update(condition={"fact": "x", "ge": {"param": "a", "default": 1}})
    ),
}
BROKEN_MANIFESTS = {
    "unknown key": {**COUNCIL_MANIFEST, "overides": {}},
    "missing title": {k: v for k, v in COUNCIL_MANIFEST.items() if k != "title"},
    "unknown override": {**COUNCIL_MANIFEST, "overrides": {"enable": ["x"]}},
    "bad severity override": {**COUNCIL_MANIFEST, "overrides": {"severity": {"a.b": "high"}}},
    "parameter without description": {**COUNCIL_MANIFEST, "parameters": {"x": {"default": 1}}},
    "parameter name": {**COUNCIL_MANIFEST, "parameters": {"Max-Years": 3}},
    "parameter value": {**COUNCIL_MANIFEST, "parameters": {"x": None}},
}


@pytest.mark.parametrize("name", BROKEN_RULE_FILES)
def test_a_broken_rule_file_does_not_validate(name: str) -> None:
    assert errors(BROKEN_RULE_FILES[name]) != []


@pytest.mark.parametrize("name", BROKEN_MANIFESTS)
def test_a_broken_manifest_does_not_validate(name: str) -> None:
    assert errors(BROKEN_MANIFESTS[name]) != []


def test_schema_rule_pack_prints_the_shipped_schema() -> None:
    result = run("schema", "rule-pack")
    assert result.exit_code == 0
    assert result.stdout == SCHEMA_FILE.read_text(encoding="utf-8")


def test_rules_validate_checks_every_pack_file_against_the_schema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The loader accepts the council pack; a schema that allows only 20 characters in a
    # rule's title must make validate refuse it, naming the file and line.
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    schema["$defs"]["rule"]["properties"]["title"] = {"type": "string", "maxLength": 20}
    monkeypatch.setattr(_cli, "_rule_pack_schema", lambda: json.dumps(schema))
    result = run("rules", "validate", COUNCIL)
    assert result.exit_code == 2
    line = 1 + (COUNCIL / "children.yaml").read_text("utf-8").splitlines().index(
        "    title: Where children's data is shared, has a DPIA been completed?"
    )
    assert (
        f"council-pack/children.yaml:{line}: $.rules[0].title: does not match the rule-pack "
        "schema" in result.stderr
    )
    monkeypatch.undo()
    assert run("rules", "validate", COUNCIL).exit_code == 0


# ---------------------------------------------------------------- init and the proposal schema


def test_init_points_editors_at_the_proposal_schema(tmp_path: Path) -> None:
    target = tmp_path / "proposal.yaml"
    result = run("init", target)
    assert result.exit_code == 0
    first = target.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=proposal.schema.json"
    assert f"sharing-rules schema proposal > {tmp_path / 'proposal.schema.json'}" in result.stdout
    assert sr.load_proposal(target).id  # still a proposal that loads
    assert run("init", "-").stdout.startswith("# yaml-language-server: $schema=")


def test_init_a_json_path_writes_json(tmp_path: Path) -> None:
    target = tmp_path / "new.json"
    assert run("init", target).exit_code == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert set(document) == {"id", "title"}
    assert sr.load_proposal(target).title == document["title"]


def test_rules_validate_can_give_its_problems_as_json(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text((COUNCIL / "pack.yaml").read_text("utf-8"), "utf-8")
    rules = (COUNCIL / "children.yaml").read_text(encoding="utf-8")
    (pack / "children.yaml").write_text(
        rules.replace("severity: blocking", "severity: high"), "utf-8"
    )
    result = run("rules", "validate", pack, "--errors", "json")
    assert result.exit_code == 2 and result.stdout == ""
    [record] = [json.loads(line) for line in result.stderr.splitlines()]
    assert record["rule"] == "council.children-dpia-completed"
    assert record["path"] == "$.rules[0].severity"
    assert record["file"].endswith("children.yaml") and isinstance(record["line"], int)
