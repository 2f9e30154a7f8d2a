"""Rule packs: validation at load, overrides, digests, and every rule's own examples."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import sharing_rules as sr
from sharing_rules._examples import run_examples
from sharing_rules._rules import framework_source

PACK = sr.load_rules()
MANIFEST = "id: local\nversion: '1'\ntitle: Local policy\ndescription: Our council's rules.\n"
GOOD_RULE = """
  - id: local.review-within-a-year
    version: 1
    title: Is a review date set?
    test: responsible
    features: [5]
    severity: advisory
    requires: [governance.review_date]
    condition: {fact: governance.review_date, present: true}
    messages:
      met: Review date {governance.review_date}.
      not_met: No review date.
      unknown: No review date is stated.
    remedy: Set a review date.
    sources: [Local policy 7.2]
"""


def _pack(tmp_path: Path, rules: str, manifest: str = MANIFEST, name: str = "local") -> Path:
    pack = tmp_path / name
    pack.mkdir()
    (pack / "pack.yaml").write_text(manifest)
    (pack / "rules.yaml").write_text("rules:\n" + rules)
    return pack


def test_framework_pack_loads_from_the_installed_package() -> None:
    assert PACK.id == "framework"
    assert PACK.digest.startswith("sha256:") and len(PACK.digest) == 71
    assert framework_source().joinpath("pack.yaml").is_file()


def test_framework_pack_covers_every_test_and_feature_both_ways() -> None:
    assert len(PACK.rules) >= 30
    for test in ("purposeful", "proportionate", "responsible"):
        severities = {r.severity for r in PACK.rules if r.test == test}
        assert severities == {sr.RuleSeverity.BLOCKING, sr.RuleSeverity.ADVISORY}, test
    for feature in range(1, 6):
        severities = {r.severity for r in PACK.rules if feature in r.features}
        assert severities == {sr.RuleSeverity.BLOCKING, sr.RuleSeverity.ADVISORY}, feature


def test_feature_five_is_declared_our_operationalisation() -> None:
    note = PACK.features[5].note or ""
    assert "operationalisation" in note


@pytest.mark.parametrize("rule", PACK.rules, ids=lambda r: r.id)
def test_every_rule_has_met_and_not_met_examples(rule: sr.Rule) -> None:
    expects = {e.expect for e in rule.examples}
    assert {"met", "not_met"} <= expects


def test_every_rule_example_passes() -> None:
    results = list(run_examples(PACK))
    failures = [r for r in results if not r.passed]
    assert results and not failures, failures


def test_broken_pack_reports_every_problem_at_once(tmp_path: Path) -> None:
    broken = (
        GOOD_RULE
        + """
  - id: local.broken
    version: 1
    title: Broken?
    test: responsible
    features: [5]
    severity: blocking
    condition:
      all:
        - {fact: governance.acountable_owner, present: true}
        - {fact: governance.dpia_status, equals: completed}
    messages:
      met: Fine.
      not_met: "Owner {governance.owner} is missing."
      unknown: Unknown.
    remedy: Fix it.
    sources: [Local]
"""
        + GOOD_RULE
    )
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(_pack(tmp_path, broken))
    text = str(info.value)
    problems = info.value.problems
    assert len(problems) == 4, text
    assert "unknown operator 'equals'" in text
    assert "'governance.acountable_owner' is not a fact" in text
    assert "did you mean 'governance.accountable_owner'?" in text
    assert "duplicate rule id 'local.review-within-a-year'" in text
    assert "placeholder {governance.owner} names no fact" in text
    assert all(p.source and p.source.endswith("rules.yaml") for p in problems)
    assert all(p.line for p in problems)
    assert {p.rule for p in problems} == {"local.broken", "local.review-within-a-year"}


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        ("test: proportional", "did you mean 'proportionate'?"),
        ("severity: critical", "unknown severity 'critical'"),
        ("features: [6]", "features must list numbers 1 to 5"),
        ("titel: x", "unknown key 'titel'"),
    ],
)
def test_field_errors(tmp_path: Path, fragment: str, message: str) -> None:
    key = fragment.split(":")[0]
    rule = (
        "\n".join(line for line in GOOD_RULE.splitlines() if not line.strip().startswith(f"{key}:"))
        + f"\n    {fragment}\n"
    )
    with pytest.raises(sr.RuleError, match=re.escape(message)):
        sr.load_rules(_pack(tmp_path, rule))


def test_value_checked_against_fact_kind(tmp_path: Path) -> None:
    rule = GOOD_RULE.replace(
        "{fact: governance.review_date, present: true}",
        "{fact: governance.dpia_status, eq: finished}",
    )
    expected = "'finished' is not a value of governance.dpia_status"
    with pytest.raises(sr.RuleError, match=re.escape(expected)):
        sr.load_rules(_pack(tmp_path, rule))


def test_yaml_python_tags_are_refused(tmp_path: Path) -> None:
    with pytest.raises(sr.RuleError, match="invalid YAML"):
        sr.load_rules(_pack(tmp_path, "  - !!python/object/apply:os.system [echo hi]\n"))


def test_local_pack_adds_rules_and_changes_the_digest(tmp_path: Path) -> None:
    extended = sr.load_rules(_pack(tmp_path, GOOD_RULE))
    assert len(extended.rules) == len(PACK.rules) + 1
    assert extended.rule("local.review-within-a-year").pack == "local"
    assert extended.digest != PACK.digest
    assert extended.components == (("framework", PACK.version), ("local", "1"))


def test_disable_and_severity_overrides_change_the_digest() -> None:
    rule = PACK.rules[0]
    disabled = sr.load_rules(disable=[rule.id])
    assert rule.id not in {r.id for r in disabled.rules}
    assert disabled.digest != PACK.digest
    other = "advisory" if rule.severity is sr.RuleSeverity.BLOCKING else "blocking"
    changed = sr.load_rules(severity={rule.id: other})
    assert changed.rule(rule.id).severity.value == other
    assert changed.digest not in (PACK.digest, disabled.digest)
    assert sr.load_rules().digest == PACK.digest


def test_unknown_override_targets_are_errors() -> None:
    with pytest.raises(sr.RuleError, match=re.escape("cannot disable 'no.such-rule'")):
        sr.load_rules(disable=["no.such-rule"])


def test_conflicting_ids_need_an_explicit_replace(tmp_path: Path) -> None:
    copy = GOOD_RULE.replace("local.review-within-a-year", PACK.rules[0].id)
    with pytest.raises(sr.RuleError, match=re.escape("overrides.replace")):
        sr.load_rules(_pack(tmp_path, copy, name="a"))
    manifest = MANIFEST + f"overrides:\n  replace: [{PACK.rules[0].id}]\n"
    replaced = sr.load_rules(_pack(tmp_path, copy, manifest, name="b"))
    assert replaced.rule(PACK.rules[0].id).pack == "local"
    assert len(replaced.rules) == len(PACK.rules)


def test_manifest_overrides_disable(tmp_path: Path) -> None:
    manifest = MANIFEST + f"overrides:\n  disable: [{PACK.rules[0].id}]\n"
    pack = sr.load_rules(_pack(tmp_path, GOOD_RULE, manifest))
    assert PACK.rules[0].id not in {r.id for r in pack.rules}


def test_digest_is_stable_across_copies(tmp_path: Path) -> None:
    copy = tmp_path / "framework"
    source = Path(str(framework_source()))
    shutil.copytree(source, copy)
    assert sr.load_rules(copy, include_framework=False).digest == PACK.digest
    text = (copy / "purposeful.yaml").read_text()
    (copy / "purposeful.yaml").write_text(text.replace("version: 1", "version: 2", 1))
    assert sr.load_rules(copy, include_framework=False).digest != PACK.digest


def test_not_a_pack(tmp_path: Path) -> None:
    with pytest.raises(sr.RuleError, match=re.escape("no pack.yaml")):
        sr.load_rules(tmp_path)
