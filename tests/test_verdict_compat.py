"""Verdicts stored in the old JSON shape (schema_version 1) keep loading, and give the same
Verdict as the new shape (schema_version 2) for the same assessment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from jsonschema import Draft202012Validator, FormatChecker

import sharing_rules as sr
from sharing_rules import strategies as srs
from sharing_rules._verdict import _v1_dict

ROOT = Path(__file__).resolve().parent.parent
STORED = ROOT / "tests" / "data" / "verdicts-v1"  # written by the library at 0a1a2a3
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
V1 = Draft202012Validator(
    json.loads((ROOT / "src/sharing_rules/schemas/verdict-v1.schema.json").read_text()),
    format_checker=FormatChecker(),
)
V2 = Draft202012Validator(sr.verdict_schema(), format_checker=FormatChecker())

# What each stored verdict says, read off its file by hand.
KNOWN = {
    "gp-research-tre": ("DSP-2026-021", "acceptable_with_conditions", True, False),
    "gang-list-schools": ("DSP-2026-009", "not_acceptable", False, False),
    "fire-safety-visits-public-voice": ("DSP-2026-014", "acceptable", False, True),
}


def _stored(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((STORED / f"{name}.json").read_text(encoding="utf-8"))
    return data


def test_the_stored_verdicts_are_in_the_old_shape() -> None:
    assert sorted(p.stem for p in STORED.glob("*.json")) == sorted(KNOWN)
    for name in KNOWN:
        data = _stored(name)
        assert data["schema_version"] == 1
        assert isinstance(data["tests"], dict)  # the old shape: findings in full everywhere
        assert V1.is_valid(data)
        assert not V2.is_valid(data)  # the published schema is the new shape's


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_a_stored_old_verdict_loads_whole_and_in_the_packs_order(name: str) -> None:
    data = _stored(name)
    verdict = sr.verdict_from_dict(data)
    proposal_id, outcome, stamped, voiced = KNOWN[name]
    assert verdict.proposal_id == proposal_id
    assert verdict.outcome.value == outcome
    assert (verdict.assessed_at is not None) is stamped
    assert (verdict.public_voice is not None) is voiced
    assert verdict.schema_version == 2  # it is written in the current shape from now on
    # Nothing is lost: written back in the old shape, it is the stored document.
    assert _v1_dict(verdict) == data
    assert len(verdict.findings) == len(data["findings"])
    # Stored sorted by name, the tests come back in the pack's order.
    assert list(data["tests"]) == ["proportionate", "purposeful", "responsible"]
    assert list(verdict.tests) == ["purposeful", "proportionate", "responsible"]
    assert list(verdict.features) == [1, 2, 3, 4, 5]
    # Rewritten in the new shape, it validates and reads back the same.
    again = json.loads(verdict.to_json())
    assert again["schema_version"] == 2
    assert V2.is_valid(again)
    assert not V1.is_valid(again)
    assert sr.verdict_from_dict(again) == verdict


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_both_shapes_give_the_same_verdict_for_the_same_assessment(path: Path) -> None:
    verdict = sr.assess(path, timestamp=True)
    old = json.loads(json.dumps(_v1_dict(verdict), ensure_ascii=False, sort_keys=True))
    new = json.loads(verdict.to_json())
    assert V1.is_valid(old) and V2.is_valid(new)
    assert sr.verdict_from_dict(old) == sr.verdict_from_dict(new) == verdict
    assert sr.verdict_from_dict(old).to_json() == verdict.to_json()


def test_a_verdict_with_public_voice_in_either_shape() -> None:
    examples = ROOT / "examples"
    verdict = sr.assess(
        examples / "fire-safety-visits.yaml", dialogue=examples / "dialogue/record.json"
    )
    assert verdict.public_voice is not None
    old = json.loads(json.dumps(_v1_dict(verdict), sort_keys=True))
    new = json.loads(verdict.to_json())
    assert "public_voice" in old and "public_voice" in new
    # The pack's components came with issue 14, after shape 1: a real v1 verdict has none.
    assert old["rule_pack"].pop("components") == [["framework", "1.0.0"], ["public-voice", "1"]]
    assert V1.is_valid(old) and V2.is_valid(new)
    bare = attrs.evolve(verdict, rule_pack=attrs.evolve(verdict.rule_pack, components=None))
    assert sr.verdict_from_dict(old) == bare
    assert sr.verdict_from_dict(new) == verdict
    # in the pack's order again, though the JSON mapping of scores is sorted by key
    stored = sr.verdict_from_dict(new)
    assert stored.public_voice is not None
    assert list(stored.public_voice.tests) == list(verdict.public_voice.tests)


ASSESSOR = sr.Assessor()


@settings(max_examples=20, deadline=None)
@given(srs.proposals())
def test_any_verdict_reads_the_same_from_either_shape(proposal: sr.Proposal) -> None:
    verdict = ASSESSOR.assess(proposal)
    new = json.loads(verdict.to_json(indent=None))
    assert V2.is_valid(new)
    old = json.loads(json.dumps(_v1_dict(verdict), sort_keys=True))
    assert sr.verdict_from_dict(old) == sr.verdict_from_dict(new) == verdict
    assert list(sr.verdict_from_dict(old).tests) == list(verdict.tests)
