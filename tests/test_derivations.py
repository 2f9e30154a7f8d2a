"""Derivations are computed from the fact document alone, in one stage: no chaining."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sharing_rules as sr

ROOT = Path(__file__).parent.parent


def test_a_derivation_cannot_read_another_derivations_fact(tmp_path: Path) -> None:
    local = tmp_path / "local"
    local.mkdir()
    (local / "pack.yaml").write_text("id: local\nversion: '1'\ntitle: L\ndescription: D\n")
    (local / "rules.yaml").write_text("""
derivations:
  - id: derive.local-chain
    version: 1
    sets: local.chained
    description: Reads another derivation's fact.
    requires: [dpia.required]
    condition: {fact: dpia.required, eq: true}
    sources: [Local policy]
""")
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(local)
    found = {(p.path, p.code) for p in info.value.problems}
    assert found == {
        ("$.derivations[0].requires[0]", "unknown-fact"),
        ("$.derivations[0].condition.fact", "unknown-fact"),
    }


def test_nothing_says_derivations_chain_forward() -> None:
    """They do not (the test above): the pack's comments and the docs must not say so."""
    texts = [
        *(ROOT / "rules").rglob("*.yaml"),
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "src").rglob("*.py"),
        ROOT / "README.md",
    ]
    claims = [p for p in texts if re.search(r"forward[ -]chain", p.read_text(), re.IGNORECASE)]
    assert claims == []
