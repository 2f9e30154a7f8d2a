"""Content checks a reviewer makes at a glance: dates (as of an explicit date), cost against
savings, the DPIA screening, and never suggesting a lower severity."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import sharing_rules as sr
from sharing_rules._cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIRE_PATH = ROOT / "examples" / "fire-safety-visits.yaml"
FIRE = sr.proposal_to_dict(sr.load_proposal(FIRE_PATH))
BEFORE_REVIEW = dt.date(2026, 11, 29)  # the example's review date is 2027-01-31


def _one(verdict: sr.Verdict, rule_id: str) -> sr.Finding:
    return next(f for f in verdict.findings if f.rule_id == rule_id)


def _fire(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(FIRE)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = doc
        for name in parents:
            target = target[name]
        target[last] = value
    return doc


def test_the_verdict_records_the_as_of_date_and_reproduces_with_it() -> None:
    verdict = sr.assess(FIRE, as_of=BEFORE_REVIEW)
    assert verdict.as_of == "2026-11-29"
    assert verdict.outcome is sr.Outcome.ACCEPTABLE
    again = sr.Assessor().assess(FIRE, as_of=dt.date.fromisoformat(verdict.as_of))
    assert again.to_json() == verdict.to_json()
    assert json.loads(verdict.to_json())["as_of"] == "2026-11-29"
    assert sr.assess(FIRE).as_of == dt.datetime.now(dt.UTC).date().isoformat()


def test_a_review_date_in_the_past_is_contrary() -> None:
    # regression: a review date in 2001 met the criterion
    verdict = sr.assess(_fire(governance__review_date="2001-01-31"), as_of=BEFORE_REVIEW)
    finding = _one(verdict, "responsible.review-date")
    assert finding.status is sr.Status.NOT_MET and finding.basis is sr.Basis.CONTRARY
    assert "2001-01-31" in finding.message and "2026-11-29" in finding.message
    assert verdict.outcome is sr.Outcome.NOT_ACCEPTABLE


def test_the_same_review_date_passes_until_it_is_past() -> None:
    rule = "responsible.review-date"
    on_the_day = sr.assess(FIRE, as_of=dt.date(2027, 1, 31))
    after = sr.assess(FIRE, as_of=dt.date(2027, 2, 1))
    assert _one(on_the_day, rule).status is sr.Status.MET
    assert _one(after, rule).status is sr.Status.NOT_MET
    assert after.as_of == "2027-02-01"


def test_a_review_date_before_the_proposal_is_contrary() -> None:
    doc = _fire(governance__review_date="2025-12-01")  # created 2025-10, updated 2026-01-19
    finding = _one(sr.assess(doc, as_of=dt.date(2025, 11, 1)), "responsible.review-date")
    assert finding.status is sr.Status.NOT_MET and finding.basis is sr.Basis.CONTRARY
    assert "2026-01-19" in finding.message


def test_the_command_line_takes_as_of(tmp_path: Path) -> None:
    runner = CliRunner()
    late = runner.invoke(
        cli, ["assess", str(FIRE_PATH), "--as-of", "2030-01-01", "--format", "json"]
    )
    assert late.exit_code == 1, late.output
    assert json.loads(late.stdout)["as_of"] == "2030-01-01"
    early = runner.invoke(cli, ["assess", str(FIRE_PATH), "--as-of", "2026-11-29"])
    assert early.exit_code == 0, early.output
    bad = runner.invoke(cli, ["assess", str(FIRE_PATH), "--as-of", "29/11/2026"])
    assert bad.exit_code == 2 and "--as-of" in bad.output and "%Y-%m-%d" in bad.output


def test_updated_before_created_is_flagged() -> None:
    doc = _fire(created="2026-02-01", updated="2026-01-19")
    verdict = sr.assess(doc, as_of=BEFORE_REVIEW)
    finding = _one(verdict, "responsible.dates-consistent")
    assert finding.status is sr.Status.NOT_MET and finding.basis is sr.Basis.CONTRARY
    assert verdict.outcome is sr.Outcome.ACCEPTABLE_WITH_CONDITIONS
    undated = copy.deepcopy(FIRE)
    del undated["updated"]
    assert _one(sr.assess(undated), "responsible.dates-consistent").status is (
        sr.Status.NOT_APPLICABLE
    )


def test_savings_far_beyond_the_cost_ask_for_the_working() -> None:
    rule = "responsible.savings-plausible"
    assert _one(sr.assess(FIRE, as_of=BEFORE_REVIEW), rule).status is sr.Status.MET
    doc = _fire(resources__expected_savings_gbp=18500 * 21)
    finding = _one(sr.assess(doc, as_of=BEFORE_REVIEW), rule)
    assert finding.status is sr.Status.NOT_MET and "more than 20 times" in finding.message


def test_identified_data_about_vulnerable_people_needs_a_dpia() -> None:
    base = {
        "id": "x",
        "title": "t",
        "data_subjects": {"includes_children": False, "includes_vulnerable": True},
        "data_items": [{"name": "Name", "category": "identifier", "identifiability": "identified"}],
        "sharing": {
            "combines_datasets": False,
            "automated_decisions": False,
            "systematic_monitoring": False,
            "innovative_technology": False,
        },
    }
    # regression: identified, non-sensitive data about vulnerable people needed no DPIA
    assert sr.assess(base).derived["dpia.required"] is True
    aggregate = copy.deepcopy(base)
    aggregate["data_items"][0]["identifiability"] = "aggregate"
    verdict = sr.assess(aggregate)
    assert verdict.derived["dpia.required"] is False
    message = _one(verdict, "responsible.dpia-done").message
    assert "no identified data, nor sensitive data, about children or vulnerable people" in message
    unstated = copy.deepcopy(base)
    del unstated["data_items"][0]["identifiability"]
    assert sr.assess(unstated).derived["dpia.required"] is None


def test_a_serious_risk_without_mitigation_never_suggests_lowering_its_severity() -> None:
    for mitigations in ([], None):
        doc = copy.deepcopy(FIRE)
        doc["risks"][0].update(likelihood="probable", severity="severe")
        if mitigations is None:
            doc["risks"][0].pop("mitigations", None)
        else:
            doc["risks"][0]["mitigations"] = mitigations
        verdict = sr.assess(doc, as_of=BEFORE_REVIEW)
        finding = _one(verdict, "proportionate.serious-risks-mitigated")
        assert finding.status is sr.Status.NOT_MET
        assert finding.paths == ("$.risks[0].mitigations",)
        for text in (sr.render_text(verdict), sr.render_markdown(verdict)):
            assert "$.risks[0].severity" not in text and "$.risks[0].likelihood" not in text
