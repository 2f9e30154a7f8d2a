"""The JSON Schemas: generated from the model, shipped up to date, and true to the loader."""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator, FormatChecker

import sharing_rules as sr
from sharing_rules import _schema
from sharing_rules._template import proposal_template
from sharing_rules.strategies import proposal_dicts

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SHIPPED = ROOT / "src" / "sharing_rules" / "schemas"


def validator(name: _schema.SchemaName) -> Draft202012Validator:
    schema = json.loads(_schema.shipped_schema(name))
    return Draft202012Validator(schema, format_checker=FormatChecker())


PROPOSAL = validator("proposal")
VERDICT = validator("verdict")


def as_json(data: Any) -> Any:
    """What a YAML file holds, as JSON sees it: YAML dates become YYYY-MM-DD text."""
    return json.loads(json.dumps(data, default=str))


def errors(v: Draft202012Validator, document: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in v.iter_errors(document)]


@pytest.mark.parametrize("name", _schema.SCHEMA_NAMES)
def test_shipped_schema_is_the_generated_one(name: _schema.SchemaName) -> None:
    # If this fails, the model changed: run  python -m sharing_rules._schema
    assert (SHIPPED / f"{name}.schema.json").read_text(encoding="utf-8") == _schema.schema_json(
        name
    )
    assert _schema.shipped_schema(name) == _schema.schema_json(name)


@pytest.mark.parametrize("name", _schema.SCHEMA_NAMES)
def test_schemas_are_valid_draft_2020_12(name: _schema.SchemaName) -> None:
    schema = json.loads(_schema.shipped_schema(name))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_generation_is_deterministic() -> None:
    assert _schema.schema_json("proposal") == _schema.schema_json("proposal")
    assert _schema.schema_json("verdict") == _schema.schema_json("verdict")


def test_write_schemas_writes_both_files(tmp_path: Path) -> None:
    written = _schema.write_schemas(tmp_path)
    assert sorted(p.name for p in written) == ["proposal.schema.json", "verdict.schema.json"]
    for path in written:
        assert path.read_text(encoding="utf-8") == _schema.schema_json(path.name.split(".")[0])  # type: ignore[arg-type]


def test_proposal_schema_follows_the_model() -> None:
    schema = _schema.proposal_schema()
    assert schema["required"] == ["id", "title"]
    assert schema["additionalProperties"] is False
    defs = schema["$defs"]
    assert all(d["additionalProperties"] is False for d in defs.values())
    assert defs["DataItem"]["required"] == ["name"]
    assert defs["DataItem"]["properties"]["identifiability"]["enum"] == [
        m.value for m in sr.Identifiability
    ]
    assert defs["Governance"]["properties"]["review_date"] == {
        "type": "string",
        "format": "date",
        "description": "When the sharing will be reviewed.",
    }
    assert schema["properties"]["data_items"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/DataItem"},
        "description": "Each item of personal data to be shared.",
    }
    assert defs["Benefit"]["properties"]["features"]["items"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
    }
    assert defs["DataSubjects"]["properties"]["approximate_count"]["minimum"] == 0
    assert defs["Party"]["properties"]["roles"]["minItems"] == 1
    # Unstated fields are left out, never null.
    assert "null" not in json.dumps(schema)


def test_every_proposal_field_is_described_from_the_model_metadata() -> None:
    schema = _schema.proposal_schema()
    classes = {cls.__name__: cls for cls in _model_classes(sr.Proposal)}
    for name, cls in classes.items():
        properties = (
            schema["properties"] if cls is sr.Proposal else schema["$defs"][name]["properties"]
        )
        for field in attrs.fields(cls):
            assert field.metadata.get("description"), f"{name}.{field.name} has no description"
            assert properties[field.name]["description"] == field.metadata["description"]


def test_schema_bounds_come_from_the_metadata_and_agree_with_the_model_checks() -> None:
    defs = _schema.proposal_schema()["$defs"]
    # the amount ceiling the model enforces is in the schema (reading bounds back from the
    # check's error messages missed it: its probe was below 10^15)
    assert defs["Resources"]["properties"]["cost_gbp"]["maximum"] == 10**15
    for cls in _model_classes(sr.Proposal):
        for field in attrs.fields(cls):
            check = field.metadata["check"]
            if "minimum" in field.metadata and "tuple" not in str(field.type):
                assert check(field.metadata["minimum"] - 1) is not None, field.name
                assert check(field.metadata["minimum"]) is None, field.name
            if field.metadata.get("non_empty"):
                assert check(()) is not None, field.name


def _model_classes(cls: type) -> list[type]:
    found = [cls]
    for field in attrs.fields(cls):
        for inner in typing.get_args(typing.get_type_hints(cls)[field.name]) or ():
            for kind in (inner, *typing.get_args(inner)):
                if attrs.has(kind) and kind not in found and kind is not sr.Period:
                    found += [k for k in _model_classes(kind) if k not in found]
    return found


def test_verdict_schema_writes_every_field_and_null_for_empty_ones() -> None:
    schema = _schema.verdict_schema()
    # Every field is written, except public_voice (issue 15): it is left out unless dialogue
    # records were given, so that verdicts assessed without them keep their shape; and the
    # proposal's title and source file (issue 14), which only the command line sets.
    optional = {"public_voice", "title", "source"}
    assert set(schema["required"]) == set(schema["properties"]) - optional
    assert "public_voice" in schema["properties"]
    assert schema["properties"]["assessed_at"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert schema["properties"]["schema_version"] == {"const": 2}
    # Shape 2: findings written once; a finding leaves out the fields holding their default.
    finding = schema["$defs"]["Finding"]
    defaults = {"paths", "details", "remedy", "sources", "basis"}
    assert set(finding["required"]) == set(finding["properties"]) - defaults
    assert finding["properties"]["remedy"] == {"type": "string"}
    # Tests and features are lists (in the pack's order) referring to findings by rule id.
    for part, result in (("tests", "TestResult"), ("features", "FeatureResult")):
        assert schema["properties"][part]["items"] == {"$ref": f"#/$defs/{result}"}
        ids = schema["$defs"][result]["properties"]["findings"]
        assert ids["items"] == {"type": "string"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_validates_against_the_proposal_schema(path: Path) -> None:
    document = as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert errors(PROPOSAL, document) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_verdict_validates_against_the_verdict_schema(path: Path) -> None:
    for verdict in (sr.assess(path), sr.assess(path, timestamp=True)):
        document = json.loads(verdict.to_json())
        assert errors(VERDICT, document) == []
        assert sr.verdict_from_dict(document) == verdict


def test_the_init_template_validates_as_written_and_filled_in() -> None:
    template = proposal_template()
    assert errors(PROPOSAL, as_json(yaml.safe_load(template))) == []
    filled = "\n".join(_uncomment(line) for line in template.splitlines())
    assert errors(PROPOSAL, as_json(yaml.safe_load(filled))) == []


def _uncomment(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith("#") and stripped[1:2] not in ("", " ", "#"):
        return line.replace("#", "", 1)
    return line


BASE: dict[str, Any] = {"id": "DSP-1", "title": "A proposal"}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"purpse": {"statement": "x"}}, "$"),
        ({"purpose": None}, "$.purpose"),  # stricter than the loader: leave it out instead
        ({"title": "   "}, "$.title"),
        ({"sharing": {"frequency": "fortnightly"}}, "$.sharing.frequency"),
        ({"sharing": {"volume_records": -1}}, "$.sharing.volume_records"),
        ({"sharing": {"volume_records": 1.5}}, "$.sharing.volume_records"),
        ({"benefits": [{"description": "x", "features": [6]}]}, "$.benefits[0].features[0]"),
        ({"parties": [{"name": "A", "roles": []}]}, "$.parties[0].roles"),
        ({"safeguards": {"retention_period": "P"}}, "$.safeguards.retention_period"),
        ({"safeguards": {"retention_period": "6 years"}}, "$.safeguards.retention_period"),
        ({"governance": {"review_date": "31/01/2027"}}, "$.governance.review_date"),
        ({"governance": {"dpo_consulted": "yes"}}, "$.governance.dpo_consulted"),
        ({"data_items": [{"description": "no name"}]}, "$.data_items[0]"),
    ],
)
def test_the_proposal_schema_rejects_what_the_format_does_not_allow(
    change: dict[str, Any], where: str
) -> None:
    document = {**BASE, **change}
    found = list(PROPOSAL.iter_errors(document))
    assert found, f"{document} should not validate"
    assert where in {e.json_path for e in found}
    if change != {"purpose": None}:  # the loader reads null as "not stated"
        with pytest.raises(sr.ProposalError):
            sr.proposal_from_dict(document)


@pytest.mark.parametrize("period", ["P6Y", "P18M", "P2W", "P90D", "P1Y6M", "P1Y2M3W4D"])
def test_the_period_pattern_accepts_iso_periods_the_model_reads(period: str) -> None:
    assert errors(PROPOSAL, {**BASE, "safeguards": {"retention_period": period}}) == []
    assert sr.proposal_from_dict({**BASE, "safeguards": {"retention_period": period}})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposal_dicts())
def test_every_document_the_loader_writes_validates(document: dict[str, Any]) -> None:
    assert errors(PROPOSAL, as_json(copy.deepcopy(document))) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposal_dicts(valid=False))
def test_the_schema_rejects_every_document_the_loader_rejects(document: dict[str, Any]) -> None:
    with pytest.raises(sr.ProposalError):
        sr.proposal_from_dict(copy.deepcopy(document))
    assert errors(PROPOSAL, as_json(copy.deepcopy(document))) != []
