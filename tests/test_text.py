"""Non-answers and placeholders are not stated, in the verdict and every report; a purpose
must name something; access must be limited to people with a need."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import sharing_rules as sr
from sharing_rules._template import proposal_template
from sharing_rules._text import access_restricted, is_non_answer, specific_words

ROOT = Path(__file__).resolve().parent.parent
FIRE = sr.proposal_to_dict(sr.load_proposal(ROOT / "examples" / "fire-safety-visits.yaml"))


@pytest.mark.parametrize(
    "text",
    ["None", "none.", "N/A", "n/a", "TBC", "tbd", "See above", "-", "?", "...", "unknown",
     " Not applicable ", "<why this item is needed>", "To be confirmed."],
)  # fmt: skip
def test_non_answers(text: str) -> None:
    assert is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    ["None of the data leaves the council.", "No", "<https://example.gov.uk/privacy>",
     "Named staff only.", "P1Y", "NHS number"],
)  # fmt: skip
def test_answers(text: str) -> None:
    assert not is_non_answer(text)


def _assess(section: str, key: str, value: Any) -> sr.Verdict:
    doc = copy.deepcopy(FIRE)
    doc[section][key] = value
    return sr.assess(doc)


def _one(verdict: sr.Verdict, rule_id: str) -> sr.Finding:
    return next(f for f in verdict.findings if f.rule_id == rule_id)


@pytest.mark.parametrize("answer", ["None", "N/A", "TBC", "see above", "-", "<uses ruled out>"])
def test_a_non_answer_is_missing_in_the_verdict_and_every_report(answer: str) -> None:
    # regression: "limits_on_other_uses: None" met the criterion
    verdict = _assess("purpose", "limits_on_other_uses", answer)
    finding = _one(verdict, "purposeful.limits-on-other-uses")
    assert finding.status is sr.Status.NOT_MET and finding.basis is sr.Basis.MISSING
    assert finding.paths == ("$.purpose.limits_on_other_uses",)
    quoted = f"{answer} (not an answer)"
    assert finding.details[0].actual == quoted
    assert verdict.outcome is sr.Outcome.INSUFFICIENT_INFORMATION
    assert f"found {quoted}" in sr.render_text(verdict)
    assert "(not an answer)" in sr.render_markdown(verdict)
    assert "(not an answer)" in sr.render_html(verdict)
    data = json.loads(verdict.to_json())
    found = next(f for f in data["findings"] if f["rule_id"] == finding.rule_id)
    assert found["basis"] == "missing" and found["details"][0]["actual"] == quoted


def test_non_answers_in_list_items_and_lists_are_not_stated() -> None:
    doc = copy.deepcopy(FIRE)
    doc["data_items"][0]["justification"] = "TBC"
    doc["benefits"][0]["measure"] = "n/a"
    doc["safeguards"]["security_measures"] = ["<measure>", "TBC"]
    verdict = sr.assess(doc)
    justified = _one(verdict, "proportionate.data-items-justified")
    assert justified.basis is sr.Basis.MISSING
    assert justified.paths == ("$.data_items[0].justification",)
    assert justified.details[0].actual == "TBC (not an answer)"
    assert _one(verdict, "responsible.benefits-measured").basis is sr.Basis.MISSING
    security = _one(verdict, "proportionate.security-measures")
    assert security.status is sr.Status.NOT_MET and security.basis is sr.Basis.MISSING
    assert security.details[0].actual == "<measure>; TBC (not an answer)"


def test_mitigations_that_are_all_non_answers_are_missing_not_none() -> None:
    doc = copy.deepcopy(FIRE)
    doc["risks"][0].update(likelihood="probable", severity="severe", mitigations=["TBC"])
    finding = _one(sr.assess(doc), "proportionate.serious-risks-mitigated")
    assert finding.status is sr.Status.NOT_MET and finding.basis is sr.Basis.MISSING


def test_a_non_answer_purpose_is_unknown_and_quoted() -> None:
    finding = _one(_assess("purpose", "statement", "TBC"), "purposeful.purpose-stated")
    assert finding.status is sr.Status.UNKNOWN
    assert finding.details[0].actual == "TBC (not an answer)"


def test_an_uncommented_template_is_never_acceptable() -> None:
    # regression: the init template with every line uncommented was acceptable
    lines = proposal_template("proposal.yaml").splitlines()
    uncommented = [
        line.replace("#", "", 1) if line.lstrip().startswith("#") and line.lstrip()[1:2] != " "
        else line
        for line in lines
    ]  # fmt: skip
    proposal = sr.parse_proposal("\n".join(uncommented), "template")
    verdict = sr.assess(proposal)
    assert verdict.outcome is sr.Outcome.INSUFFICIENT_INFORMATION
    to_add = {p for f in verdict.to_add for p in f.paths}
    for path in ("$.purpose.statement", "$.safeguards.access_control", "$.governance"):
        assert any(p == path or p.startswith(path) for p in to_add), path


@pytest.mark.parametrize(
    "purpose",
    [
        "Share information with partner agencies to support better outcomes and improve "
        "service delivery for the public.",
        "The purpose of this data sharing is to enable effective partnership working and "
        "improve outcomes for all.",
    ],
)
def test_a_filler_purpose_is_not_met(purpose: str) -> None:
    assert len(purpose.split()) >= 12
    finding = _one(_assess("purpose", "statement", purpose), "purposeful.purpose-stated")
    assert finding.status is sr.Status.NOT_MET and finding.basis is sr.Basis.CONTRARY


def test_every_example_and_calibration_purpose_names_something() -> None:
    statements = []
    for folder in (ROOT / "examples", Path("/work/shared/calibration")):
        for path in sorted(folder.glob("*.yaml")):
            proposal = sr.load_proposal(path)
            if proposal.purpose and proposal.purpose.statement:
                statements.append((path.name, proposal.purpose.statement))
    assert statements
    for name, statement in statements:
        if len(statement.split()) >= 12:
            assert (specific_words(statement) or 0) >= 5, name


@pytest.mark.parametrize(
    ("text", "restricted"),
    [
        ("Anyone in the council.", False),
        ("All staff can see the list.", False),
        ("Everyone with a login.", False),
        ("Unrestricted within the partnership.", False),
        ("Named Prevention staff only.", True),
        ("Role-based access for the take-up team.", True),
        ("A small number of security-checked ONS researchers.", True),
        ("Named officers only; not anyone else.", True),
        ("Access is controlled through the case system.", None),
    ],
)
def test_who_may_access(text: str, restricted: bool | None) -> None:
    assert access_restricted(text) is restricted


def test_access_for_anyone_in_the_council_is_contrary() -> None:
    # regression: "access_control: Anyone in the council" met the criterion
    verdict = _assess("safeguards", "access_control", "Anyone in the council")
    finding = _one(verdict, "proportionate.access-control")
    assert finding.status is sr.Status.NOT_MET and finding.basis is sr.Basis.CONTRARY
    assert verdict.outcome is sr.Outcome.NOT_ACCEPTABLE
    vague = _one(
        _assess("safeguards", "access_control", "Access is controlled."),
        "proportionate.access-control",
    )
    assert vague.status is sr.Status.NOT_MET and vague.basis is sr.Basis.MISSING
