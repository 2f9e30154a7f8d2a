"""Loading proposals: every problem reported with its path, nothing silently dropped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sharing_rules as sr

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_loads_and_round_trips(path: Path) -> None:
    proposal = sr.load_proposal(path)
    assert isinstance(proposal, sr.Proposal)
    assert sr.load_proposal(sr.proposal_to_dict(proposal)) == proposal


def test_at_least_four_examples_ship() -> None:
    assert len(EXAMPLES) >= 4


def test_one_error_names_every_problem_with_its_path() -> None:
    text = """
id: DSP-1
title: Test
purpse: {statement: Share addresses}
data_items:
  - name: Address
    identifiability: fuzzy
sharing:
  volume_records: lots
"""
    with pytest.raises(sr.ProposalError) as info:
        sr.parse_proposal(text, "bad.yaml")
    paths = {p.path for p in info.value.problems}
    assert paths == {"$.purpse", "$.data_items[0].identifiability", "$.sharing.volume_records"}
    message = str(info.value)
    assert "did you mean 'purpose'?" in message
    assert "identified, pseudonymised, de_identified, aggregate, anonymous" in message
    assert "expected a whole number" in message
    assert all(p.source == "bad.yaml" for p in info.value.problems)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("- a\n- b\n", "expected a mapping at the top level, got a list"),
        ("id: x\n  title: [", "invalid YAML"),
        ("id: x\nid: y\ntitle: t\n", "duplicate key 'id'"),
        ("title: t\n", "$.id: required but missing"),
        ("id: x\ntitle: '  '\n", "$.title: must not be blank"),
        ("id: x\ntitle: t\nsafeguards: {retention_period: 6 years}\n", "ISO 8601 period"),
        ("id: x\ntitle: t\nrisks: none\n", "$.risks: expected a list, got text"),
        (
            "id: x\ntitle: t\nbenefits: [{description: d, features: [0]}]\n",
            "$.benefits[0].features: item 0: must be at least 1",
        ),
        (
            "id: x\ntitle: t\ndata_items: [{name: n, special_category: 'yes'}]\n",
            "$.data_items[0].special_category: expected true or false, got text",
        ),
        ("id: !!python/object/apply:os.system [ls]\ntitle: t\n", "invalid YAML"),
    ],
)
def test_bad_input_gives_a_clear_problem(text: str, fragment: str) -> None:
    with pytest.raises(sr.ProposalError) as info:
        sr.parse_proposal(text)
    assert fragment in str(info.value)


def test_yaml_line_is_reported() -> None:
    with pytest.raises(sr.ProposalError) as info:
        sr.parse_proposal("id: x\ntitle: t\npurpose: [\n", "p.yaml")
    assert info.value.problems[0].line is not None


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(sr.ProposalError, match="cannot read the file"):
        sr.load_proposal(tmp_path / "missing.yaml")


def test_typed_values() -> None:
    p = sr.parse_proposal(
        "id: x\ntitle: t\ngovernance: {review_date: 2027-03-01}\n"
        "safeguards: {retention_period: P1Y6M}\ndata_items: [{name: n, category: health}]\n"
    )
    assert p.governance is not None and p.governance.review_date == dt.date(2027, 3, 1)
    assert p.safeguards is not None and p.safeguards.retention_period == sr.Period(1, 6, 0)
    assert p.data_items is not None and p.data_items[0].category is sr.DataCategory.HEALTH


def test_not_stated_differs_from_stated_empty() -> None:
    unstated = sr.parse_proposal("id: x\ntitle: t\n")
    empty = sr.parse_proposal("id: x\ntitle: t\nrisks: []\n")
    assert unstated.risks is None
    assert empty.risks == ()


def test_model_rejects_invalid_values_programmatically() -> None:
    with pytest.raises(ValueError, match="volume_records: must be at least 0"):
        sr.Sharing(volume_records=-1)
    with pytest.raises(ValueError, match="name: must not be blank"):
        sr.DataItem(name=" ")


def test_period_parsing() -> None:
    assert sr.Period.parse("P2W") == sr.Period(days=14)
    assert str(sr.Period.parse("p1y2m3d")) == "P1Y2M3D"
    with pytest.raises(ValueError):
        sr.Period.parse("P")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=20,
)
keys = st.sampled_from(
    [
        "id",
        "title",
        "purpose",
        "data_items",
        "risks",
        "sharing",
        "benefits",
        "safeguards",
        "governance",
        "statement",
        "name",
    ]
)


@given(st.dictionaries(keys, json_values, max_size=8) | json_values)
def test_any_input_loads_or_raises_proposal_error(data: object) -> None:
    try:
        proposal = sr.proposal_from_dict(data)
    except sr.ProposalError as err:
        assert err.problems, "an error must carry at least one problem"
        assert all(p.path.startswith("$") for p in err.problems)
    else:
        assert sr.proposal_from_dict(sr.proposal_to_dict(proposal)) == proposal


def test_non_finite_amounts_and_non_mapping_sections_are_clear_errors() -> None:
    with pytest.raises(sr.ProposalError) as info:
        sr.proposal_from_dict(
            {"id": "x", "title": "t", "resources": {"cost_gbp": float("nan")}, "purpose": "p"}
        )
    text = str(info.value)
    assert "$.resources.cost_gbp: must be a finite number" in text
    assert "$.purpose: expected a mapping of keys to values" in text
