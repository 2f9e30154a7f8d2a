"""Verdict diffs: nothing between a verdict and itself, exactly what changed otherwise."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings

import sharing_rules as sr
from sharing_rules._cli import cli
from sharing_rules.strategies import proposals

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
OLD = EXAMPLES / "housing-benefit-matching.yaml"
NEW = EXAMPLES / "versions" / "housing-benefit-matching-v2.yaml"
DAY = dt.date(2026, 11, 29)


@settings(max_examples=20, deadline=None)
@given(proposals())
def test_a_verdict_diffed_with_itself_is_empty(proposal: sr.Proposal) -> None:
    verdict = sr.assess(proposal, as_of=DAY)
    stored = sr.verdict_from_dict(json.loads(verdict.to_json()))
    for other in (verdict, stored):
        changes = sr.diff_verdicts(verdict, other)
        assert changes.empty and not changes.outcome_changed
        assert changes.findings == changes.tests == changes.features == ()


def test_two_versions_of_a_proposal() -> None:
    # By hand: version 1.1 completes the DPIA and states a review date and an evaluation
    # plan; nothing else differs (see the comment at the top of the file).
    changes = sr.diff_proposals(OLD, NEW, as_of=DAY)
    assert (changes.old_outcome, changes.new_outcome) == (
        sr.Outcome.NOT_ACCEPTABLE,
        sr.Outcome.ACCEPTABLE_WITH_CONDITIONS,
    )
    assert [(c.name, c.old, c.new) for c in changes.tests] == [("responsible", "not_met", "met")]
    found = {(f.rule_id, f.old_status, f.old_basis, f.new_status) for f in changes.findings}
    assert found == {
        ("responsible.dpia-done", sr.Status.NOT_MET, sr.Basis.CONTRARY, sr.Status.MET),
        ("responsible.evaluation-plan", sr.Status.NOT_MET, sr.Basis.MISSING, sr.Status.MET),
        ("responsible.review-date", sr.Status.NOT_MET, sr.Basis.MISSING, sr.Status.MET),
    }
    assert changes.old_proposal_digest != changes.new_proposal_digest
    assert changes.old_pack == changes.new_pack
    same = sr.diff_verdicts(sr.assess(OLD, as_of=DAY), sr.assess(NEW, as_of=DAY))
    assert same == changes


def test_a_changed_basis_alone_is_a_change() -> None:
    # Stating onward sharing as permitted turns "unknown" into "not met, contrary".
    data = sr.proposal_to_dict(sr.load_proposal(EXAMPLES / "vague-title-only.yaml"))
    changed = {**data, "purpose": {**data["purpose"], "onward_sharing": "permitted"}}
    changes = sr.diff_proposals(data, changed, as_of=DAY)
    [finding] = [
        f for f in changes.findings if f.rule_id == "proportionate.onward-sharing-restricted"
    ]
    assert (finding.old_status, finding.new_status) == (sr.Status.UNKNOWN, sr.Status.NOT_MET)
    assert (finding.old_basis, finding.new_basis) == (None, sr.Basis.CONTRARY)


def test_a_rule_left_out_shows_as_absent() -> None:
    rule = "responsible.dpia-done"
    old = sr.assess(OLD, as_of=DAY)
    new = sr.assess(OLD, as_of=DAY, rules=sr.load_rules(disable=[rule]))
    changes = sr.diff_verdicts(old, new)
    [finding] = [f for f in changes.findings if f.rule_id == rule]
    assert (finding.old_status, finding.new_status) == (sr.Status.NOT_MET, None)
    assert changes.old_pack.digest != changes.new_pack.digest
    assert json.loads(changes.to_json())["findings"][-1]["new_status"] is None


def test_the_diff_command(tmp_path: Path) -> None:
    runner = CliRunner()
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(sr.assess(OLD, as_of=DAY).to_json())
    new.write_text(sr.assess(NEW, as_of=DAY).to_json())
    same = runner.invoke(cli, ["diff", str(old), str(old)])
    assert same.exit_code == 0 and "No change" in same.output
    result = runner.invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output) == json.loads(sr.diff_proposals(OLD, NEW, as_of=DAY).to_json())
    text = runner.invoke(cli, ["diff", str(OLD), str(NEW), "--as-of", "2026-11-29"])
    assert text.exit_code == 1
    assert "responsible.review-date: not met (missing) -> met" in text.output
    markdown = runner.invoke(cli, ["diff", str(old), str(new), "--format", "markdown"])
    assert "| `outcome` | Not acceptable | Acceptable with conditions |" in markdown.output
    mixed = runner.invoke(cli, ["diff", str(old), str(NEW)])
    assert mixed.exit_code == 2 and "not one of each" in mixed.output
