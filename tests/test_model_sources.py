"""The model is the single source: every field is read by the fact vocabulary or shown only in
reports, and the places a new field goes are written down (docs/contributing.md).

The template and the strategies are checked elsewhere against the same model walk:
tests/test_cli.py (the filled-in template states every field) and tests/test_properties.py
(complete proposals state every field); the schema is generated from the model's metadata
(tests/test_schema.py).
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path

import attrs

import sharing_rules as sr
from sharing_rules._facts import FACTS, LISTS

ROOT = Path(__file__).resolve().parent.parent
#: Fields no rule reads: they identify the proposal or explain it in reports.
REPORT_ONLY = {
    "$.id",
    "$.title",
    "$.version",
    "$.created",
    "$.updated",
    "$.data_items[].description",
    "$.sharing.combination_detail",
    "$.benefits[].features",
    "$.transparency.public_engagement.method",
    "$.resources.notes",
    "$.public",  # read by the public register, not by a rule
}


def _leaves(cls: type, path: str) -> Iterator[str]:
    """Every field path of the model that holds a value rather than a section."""
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        child = f"{path}.{field.name}"
        kinds = [t for t in typing.get_args(hints[field.name]) if t is not type(None)]
        kind = kinds[0] if kinds else hints[field.name]
        if typing.get_origin(kind) is tuple and attrs.has(typing.get_args(kind)[0]):
            yield from _leaves(typing.get_args(kind)[0], child + "[]")
        elif attrs.has(kind) and kind is not sr.Period:
            yield from _leaves(kind, child)
        else:
            yield child


def _read_by_facts() -> set[str]:
    sources = {source for fact in FACTS for source in fact.source}
    for fact_list in LISTS:
        sources.add(fact_list.source)
        for item in fact_list.items:
            sources.update(f"{fact_list.source}[].{name}" for name in item.source)
    return sources


def test_every_model_field_is_read_by_a_fact_or_listed_as_report_only() -> None:
    read = _read_by_facts()
    for path in _leaves(sr.Proposal, "$"):
        parent = path.rsplit(".", 1)[0]
        assert path in read or path in REPORT_ONLY or parent in read, (
            f"no fact reads {path}: add one to FACTS (or the item facts of its list) in "
            "src/sharing_rules/_facts.py, or list it in REPORT_ONLY in this test if no rule "
            "will ever read it (see docs/contributing.md)"
        )


def test_report_only_fields_exist() -> None:
    assert set(_leaves(sr.Proposal, "$")) >= REPORT_ONLY


def test_no_scalar_fact_sits_under_a_list_path() -> None:
    """A fact named under a list's path (``risks.x``) would be overwritten by the list."""
    lists = {fact_list.path for fact_list in LISTS}
    for fact in FACTS:
        assert fact.path.split(".")[0] not in lists, fact.path


def test_the_contributing_page_names_every_place_a_field_goes() -> None:
    text = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    for place in (
        "src/sharing_rules/_model.py",
        "src/sharing_rules/_facts.py",
        "src/sharing_rules/_template.py",
        "src/sharing_rules/strategies.py",
        "python -m sharing_rules._schema",
        "python -m sharing_rules._docgen",
        "tests/test_model_sources.py",
    ):
        assert place in text, place
