"""Thresholds as settings: pack parameters, declared with defaults and changed by local packs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import sharing_rules as sr
from sharing_rules._cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIRE = ROOT / "examples" / "fire-safety-visits.yaml"
PACK = sr.load_rules()


def _pack(tmp_path: Path, manifest: Mapping[str, Any], rules: list[Any] | None = None) -> Path:
    folder = tmp_path / "local"
    folder.mkdir(exist_ok=True)
    head = {"id": "local", "version": "1", "title": "Local", "description": "Local policy."}
    (folder / "pack.yaml").write_text(yaml.safe_dump({**head, **manifest}), encoding="utf-8")
    if rules is not None:
        (folder / "local.yaml").write_text(yaml.safe_dump({"rules": rules}), encoding="utf-8")
    return folder


def _numbers(raw: Any) -> Iterator[Any]:
    """Every literal number a condition compares with."""
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            if key in ("eq", "ne", "lt", "le", "gt", "ge") and type(value) in (int, float):
                yield value
            else:
                yield from _numbers(value)
    elif isinstance(raw, list):
        for value in raw:
            yield from _numbers(value)


def test_no_threshold_is_written_into_a_framework_rule() -> None:
    """Every number a rule compares with is a parameter; "at least one" (1) and "none" (0)
    are the meaning of a criterion, not a threshold."""
    for entry in (*PACK.rules, *PACK.derivations):
        for key in ("condition", "when"):
            assert set(_numbers(entry.definition.get(key))) <= {0, 1}, entry.id


def test_the_framework_declares_its_thresholds() -> None:
    params = PACK.parameters
    assert {n: p.default for n, p in params.items()} == {
        "purpose_min_words": 12,
        "purpose_min_specific_words": 5,
        "retention_max_years": 7,
        "one_off_retention_max_years": 1,
        "savings_max_ratio": 20,
        "large_scale_people": 5000,
    }
    assert all(
        p.description and p.pack == "framework" and p.set_by is None for p in params.values()
    )
    assert PACK.rule("purposeful.purpose-stated").parameters == (
        "purpose_min_words",
        "purpose_min_specific_words",
    )


def test_a_local_pack_changes_a_threshold_without_copying_the_rule(tmp_path: Path) -> None:
    changes = {"purpose_min_words": 50, "retention_max_years": 0.5}
    folder = _pack(tmp_path, {"parameters": changes})
    local = sr.load_rules(folder)
    assert local.parameters["purpose_min_words"].value == 50
    assert local.parameters["purpose_min_words"].set_by == "local"
    assert local.digest != PACK.digest
    rule = local.rule("proportionate.retention-within-local-limit")
    assert "limit of 0.5 years" in rule.title
    before = {f.rule_id: f for f in sr.assess(FIRE).findings}
    after = {f.rule_id: f for f in sr.assess(FIRE, rules=local).findings}
    assert before["purposeful.purpose-stated"].status is sr.Status.MET
    stated = after["purposeful.purpose-stated"]
    assert stated.status is sr.Status.NOT_MET and stated.basis is sr.Basis.CONTRARY
    assert "At least 50 words" in (stated.remedy or "")
    # the example keeps data for a year: within 7, beyond half a year
    assert before["proportionate.retention-within-local-limit"].status is sr.Status.MET
    retention = after["proportionate.retention-within-local-limit"]
    assert retention.status is sr.Status.NOT_MET and "longer than 0.5 years" in retention.message


def test_the_large_scale_threshold_reaches_the_derivation(tmp_path: Path) -> None:
    proposal = {
        "id": "x",
        "title": "t",
        "data_items": [{"name": "Diagnosis", "category": "health"}],
        "data_subjects": {"approximate_count": 800},
    }
    assert sr.assess(proposal).derived["dpia.required"] is None
    local = sr.load_rules(_pack(tmp_path, {"parameters": {"large_scale_people": 500}}))
    assert sr.assess(proposal, rules=local).derived["dpia.required"] is True


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ({"parameters": {"purpose_min_word": 20}}, "did you mean 'purpose_min_words'"),
        ({"parameters": {"retention_max_years": "ten"}}, "takes a whole number"),
        ({"parameters": {"retention_max_years": True}}, "takes a whole number"),
        ({"parameters": [1, 2]}, "parameters must map names"),
        (
            {"parameters": {"purpose_min_words": {"default": 3, "description": "again"}}},
            "already declared by pack framework",
        ),
        ({"parameters": {"mine": {"default": None, "description": "d"}}}, "default must be"),
        ({"parameters": {"Mine": {"default": 1, "description": "d"}}}, "lower-case"),
        ({"parameters": {"mine": {"default": 1}}}, "required but missing"),
        (
            {"parameters": {"purpose_min_words": 12.5}},
            "(the value of parameter purpose_min_words, set in",
        ),
    ],
)
def test_bad_parameters_are_load_errors(
    tmp_path: Path, manifest: Mapping[str, Any], message: str
) -> None:
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(_pack(tmp_path, manifest))
    text = str(info.value)
    assert message in text and "pack.yaml" in text


def _rule(condition: Any, **messages: str) -> dict[str, Any]:
    return {
        "id": "local.long-purpose",
        "version": 1,
        "title": "Is the purpose at least {param.local_min} words long?",
        "test": "purposeful",
        "features": [5],
        "severity": "advisory",
        "requires": ["purpose.statement"],
        "condition": condition,
        "messages": {
            "met": "At least {param.local_min} words.",
            "not_met": "Fewer than {param.local_min} words.",
            "unknown": "No purpose.",
            **messages,
        },
        "remedy": "Write {param.local_min} words or more.",
        "sources": ["Local policy"],
    }


def test_a_local_pack_declares_and_uses_its_own_parameter(tmp_path: Path) -> None:
    declared = {"parameters": {"local_min": {"default": 60, "description": "Local minimum."}}}
    rule = _rule({"fact": "purpose.statement_words", "ge": {"param": "local_min"}})
    pack = sr.load_rules(_pack(tmp_path, declared, [rule]))
    assert pack.rule("local.long-purpose").title == "Is the purpose at least 60 words long?"
    finding = next(f for f in sr.assess(FIRE, rules=pack).findings if f.rule_id == rule["id"])
    assert finding.status is sr.Status.NOT_MET
    assert finding.message == "Fewer than 60 words."
    assert finding.remedy == "Write 60 words or more."


@pytest.mark.parametrize(
    ("condition", "messages", "problem"),
    [
        (
            {"fact": "purpose.statement_words", "ge": {"param": "local_mim"}},
            {},
            "unknown parameter 'local_mim' (did you mean 'local_min'?)",
        ),
        (
            {"fact": "purpose.statement_words", "ge": {"param": "local_min"}},
            {"met": "{param.local_mn} words."},
            "placeholder {param.local_mn} names no parameter (did you mean 'local_min'?)",
        ),
        (
            {"fact": "purpose.statement_words", "ge": {"param": "local_text"}},
            {},
            "(the value of parameter local_text, set in",
        ),
    ],
)
def test_a_rule_naming_a_parameter_wrongly_is_refused(
    tmp_path: Path, condition: Any, messages: dict[str, str], problem: str
) -> None:
    declared = {
        "parameters": {
            "local_min": {"default": 60, "description": "Local minimum."},
            "local_text": {"default": "sixty", "description": "Not a number."},
        }
    }
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(_pack(tmp_path, declared, [_rule(condition, **messages)]))
    assert problem in str(info.value)


def test_rules_show_prints_the_parameters_in_force(tmp_path: Path) -> None:
    folder = _pack(tmp_path, {"parameters": {"purpose_min_words": 20}})
    result = CliRunner().invoke(
        cli, ["rules", "show", "purposeful.purpose-stated", "--rules", str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert "# parameter purpose_min_words = 20 (set by pack local; default 12)" in result.output
    assert "# parameter purpose_min_specific_words = 5 (pack framework; default 5)" in (
        result.output
    )
