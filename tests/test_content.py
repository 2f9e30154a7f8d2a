"""Content checks a reviewer makes at a glance: dates (as of an explicit date), cost against
savings, the DPIA screening, and never suggesting a lower severity."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import sharing_rules as sr
from sharing_rules._cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIRE_PATH = ROOT / "examples" / "fire-safety-visits.yaml"
FIRE = sr.proposal_to_dict(sr.load_proposal(FIRE_PATH))
BEFORE_REVIEW = dt.date(2026, 11, 29)  # the example's review date is 2031-01-31


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
    on_the_day = sr.assess(FIRE, as_of=dt.date(2031, 1, 31))
    after = sr.assess(FIRE, as_of=dt.date(2031, 2, 1))
    assert _one(on_the_day, rule).status is sr.Status.MET
    assert _one(after, rule).status is sr.Status.NOT_MET
    assert after.as_of == "2031-02-01"


def test_a_review_date_before_the_proposal_is_contrary() -> None:
    # Not yet past on the assessment date, but before the proposal's last update: the
    # dates do not fit together (dates-consistent v3; review-date v2 no longer compares
    # them, since falling back on `created` when `updated` was taken out could meet it).
    doc = _fire(governance__review_date="2025-12-01")  # created 2025-10, updated 2026-01-19
    verdict = sr.assess(doc, as_of=dt.date(2025, 11, 1))
    finding = _one(verdict, "responsible.dates-consistent")
    assert finding.status is sr.Status.NOT_MET and finding.basis is sr.Basis.CONTRARY
    assert "2026-01-19" in finding.message and "2025-12-01" in finding.message
    assert _one(verdict, "responsible.review-date").status is sr.Status.MET
    undated = copy.deepcopy(doc)
    del undated["updated"]  # taking the last update out leaves it unknown, never met
    later = sr.assess(undated, as_of=dt.date(2025, 11, 1))
    assert _one(later, "responsible.dates-consistent").status is sr.Status.UNKNOWN


def test_the_command_line_takes_as_of(tmp_path: Path) -> None:
    runner = CliRunner()
    late = runner.invoke(
        cli, ["assess", str(FIRE_PATH), "--as-of", "2032-01-01", "--format", "json"]
    )
    assert late.exit_code == 1, late.output
    assert json.loads(late.stdout)["as_of"] == "2032-01-01"
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
    # a date left out is unknown, not "not applicable": taking the stated date out of an
    # inconsistent pair must not hide the inconsistency (version 2 of the rule)
    undated = copy.deepcopy(FIRE)
    del undated["updated"]
    assert _one(sr.assess(undated), "responsible.dates-consistent").status is (sr.Status.UNKNOWN)


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


# ------------------------------------------------------------ retention and the purpose


def _retention(**safeguards: Any) -> dict[str, Any]:
    doc = copy.deepcopy(FIRE)
    doc["sharing"]["frequency"] = "one_off"
    doc["safeguards"].pop("retention_period", None)
    doc["safeguards"].update(safeguards)
    return doc


def test_a_one_off_exercise_kept_for_years_needs_a_reason() -> None:
    rule = "proportionate.retention-fits-one-off-use"
    kept = sr.assess(_retention(retention_period="P6Y"), as_of=BEFORE_REVIEW)
    finding = _one(kept, rule)
    # missing, not contrary: a reason, which the proposal can add, would meet it; and a
    # condition of approval (advisory: the ceiling is local policy), not a refusal
    assert (finding.status, finding.basis) == (sr.Status.NOT_MET, sr.Basis.MISSING)
    assert kept.outcome is sr.Outcome.ACCEPTABLE_WITH_CONDITIONS
    assert "$.safeguards.retention_reason" in finding.paths
    for reason, status in (
        ("Kept until appeals against the results are closed.", sr.Status.MET),
        ("TBC", sr.Status.NOT_MET),  # a non-answer is not a reason
    ):
        doc = _retention(retention_period="P6Y", retention_reason=reason)
        assert _one(sr.assess(doc, as_of=BEFORE_REVIEW), rule).status is status
    short = sr.assess(_retention(retention_period="P9M"), as_of=BEFORE_REVIEW)
    assert _one(short, rule).status is sr.Status.MET
    monthly = _retention(retention_period="P6Y")
    monthly["sharing"]["frequency"] = "monthly"
    assert _one(sr.assess(monthly, as_of=BEFORE_REVIEW), rule).status is sr.Status.NOT_APPLICABLE


def test_the_one_off_ceiling_is_a_pack_parameter(tmp_path: Path) -> None:
    head = {"id": "local", "version": "1", "title": "Local", "description": "Local policy."}
    manifest = {**head, "parameters": {"one_off_retention_max_years": 10}}
    (tmp_path / "pack.yaml").write_text(json.dumps(manifest), encoding="utf-8")
    pack = sr.load_rules(tmp_path)
    assert pack.parameters["one_off_retention_max_years"].value == 10
    doc = _retention(retention_period="P6Y")
    verdict = sr.Assessor(pack).assess(doc, as_of=BEFORE_REVIEW)
    assert _one(verdict, "proportionate.retention-fits-one-off-use").status is sr.Status.MET


def test_indefinite_retention_is_contrary_unless_for_research_with_approval() -> None:
    rule = "proportionate.retention-period"
    service = sr.assess(_retention(kept_indefinitely=True), as_of=BEFORE_REVIEW)
    finding = _one(service, rule)
    assert (finding.status, finding.basis) == (sr.Status.NOT_MET, sr.Basis.CONTRARY)
    assert service.outcome is sr.Outcome.NOT_ACCEPTABLE
    research = _retention(kept_indefinitely=True)
    research["purpose"]["kinds"] = ["research"]
    research["governance"]["research_approval"] = True
    assert _one(sr.assess(research, as_of=BEFORE_REVIEW), rule).status is sr.Status.MET
    unapproved = copy.deepcopy(research)
    del unapproved["governance"]["research_approval"]
    finding = _one(sr.assess(unapproved, as_of=BEFORE_REVIEW), rule)
    assert (finding.status, finding.basis) == (sr.Status.NOT_MET, sr.Basis.MISSING)
    # taking the statement out never hides the failure: a period is still missing
    unstated = _one(sr.assess(_retention(), as_of=BEFORE_REVIEW), rule)
    assert (unstated.status, unstated.basis) == (sr.Status.NOT_MET, sr.Basis.MISSING)


def test_a_retention_period_and_indefinite_retention_contradict_each_other() -> None:
    with pytest.raises(sr.ProposalError) as err:
        sr.proposal_from_dict(_retention(retention_period="P1Y", kept_indefinitely=True))
    [problem] = err.value.problems
    assert (problem.path, problem.code) == ("$.safeguards.kept_indefinitely", "invalid-value")
    assert sr.proposal_from_dict(_retention(retention_period="P1Y", kept_indefinitely=False))


def test_a_one_off_rule_asks_while_the_frequency_is_not_stated() -> None:
    rule = "proportionate.retention-fits-one-off-use"
    doc = _retention(retention_period="P6Y")
    del doc["sharing"]["frequency"]
    finding = _one(sr.assess(doc, as_of=BEFORE_REVIEW), rule)
    assert (finding.status, finding.basis) == (sr.Status.NOT_MET, sr.Basis.MISSING)
    doc["sharing"]["frequency"] = "monthly"
    assert _one(sr.assess(doc, as_of=BEFORE_REVIEW), rule).status is sr.Status.NOT_APPLICABLE


def test_a_long_retention_with_a_reason_meets_the_local_limit() -> None:
    rule = "proportionate.retention-within-local-limit"
    doc = _fire(safeguards__retention_period="P10Y")
    assert _one(sr.assess(doc, as_of=BEFORE_REVIEW), rule).status is sr.Status.NOT_MET
    doc["safeguards"]["retention_reason"] = "The statutory schedule for adult social care records."
    assert _one(sr.assess(doc, as_of=BEFORE_REVIEW), rule).status is sr.Status.MET


# ------------------------------------------------------- mitigations that address the risk


def _serious_risk(**fields: Any) -> dict[str, Any]:
    doc = copy.deepcopy(FIRE)
    doc["risks"][0].update(likelihood="probable", severity="severe", **fields)
    return doc


def test_a_serious_risk_needs_its_residual_risk_reduced_or_accepted() -> None:
    rule = "proportionate.serious-risks-reduced"
    unrated = _one(sr.assess(_serious_risk(), as_of=BEFORE_REVIEW), rule)
    assert (unrated.status, unrated.basis) == (sr.Status.NOT_MET, sr.Basis.MISSING)
    reduced = _serious_risk(residual_likelihood="remote", residual_severity="significant")
    assert _one(sr.assess(reduced, as_of=BEFORE_REVIEW), rule).status is sr.Status.MET
    still = _serious_risk(residual_likelihood="probable", residual_severity="severe")
    finding = _one(sr.assess(still, as_of=BEFORE_REVIEW), rule)
    assert finding.status is sr.Status.NOT_MET
    assert "$.risks[0].accepted_reason" in finding.paths
    for reason, status in (
        ("Accepted by the SIRO on the DPO's advice.", sr.Status.MET),
        ("N/A", sr.Status.NOT_MET),
    ):
        accepted = _serious_risk(
            residual_likelihood="probable", residual_severity="severe", accepted_reason=reason
        )
        assert _one(sr.assess(accepted, as_of=BEFORE_REVIEW), rule).status is status


def test_the_residual_risk_rule_never_suggests_lowering_the_inherent_rating() -> None:
    still = _serious_risk(residual_likelihood="probable", residual_severity="severe")
    for doc in (_serious_risk(), still):
        verdict = sr.assess(doc, as_of=BEFORE_REVIEW)
        finding = _one(verdict, "proportionate.serious-risks-reduced")
        assert finding.status is sr.Status.NOT_MET
        assert "$.risks[0].severity" not in finding.paths
        assert "$.risks[0].likelihood" not in finding.paths
        for text in (sr.render_text(verdict), sr.render_markdown(verdict)):
            assert "$.risks[0].severity" not in text and "$.risks[0].likelihood" not in text


def test_taking_out_a_serious_risks_rating_never_meets_the_mitigation_rules() -> None:
    """Regression (seen once from test_removing_a_stated_fact_never_hides_a_failure): an
    unstated severity or likelihood was counted as "not severe", so taking the rating of an
    unmitigated serious risk out turned not met into met."""
    rules = ("proportionate.serious-risks-mitigated", "proportionate.serious-risks-reduced")
    for rating in ("severity", "likelihood"):
        doc = copy.deepcopy(FIRE)
        doc["risks"][0].update(likelihood="probable", severity="significant", mitigations=[])
        del doc["risks"][0][rating]
        verdict = sr.assess(doc, as_of=BEFORE_REVIEW)
        for rule in rules:
            finding = _one(verdict, rule)
            assert (finding.status, finding.basis) == (sr.Status.NOT_MET, sr.Basis.MISSING), rule
        assert "$.risks[0].mitigations" in _one(verdict, rules[0]).paths
