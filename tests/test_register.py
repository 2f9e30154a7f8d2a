"""The public register: what it publishes, what it never publishes, and its three formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import attrs
import jsonschema
import pytest
from click.testing import CliRunner

import sharing_rules as sr
from sharing_rules._cli import cli
from sharing_rules._register import (
    DecisionError,
    build_register,
    load_decisions,
    register_csv,
    register_html,
    register_json,
)
from sharing_rules._voice_schema import register_schema

ROOT = Path(__file__).resolve().parent.parent
DIALOGUE = ROOT / "examples" / "dialogue"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
FIRE = ROOT / "examples" / "fire-safety-visits.yaml"
NAME = "Jocasta Plantedname"

#: Every proposal field that may name an officer, or hold a name in free text.
OFFICER_FIELDS = {
    "governance": (
        "accountable_owner",
        "dpia_reference",
        "data_sharing_agreement",
        "evaluation_plan",
    ),
    "transparency": ("challenge_route", "privacy_notice", "register_entry"),
    "resources": ("notes",),
    "purpose": ("compatibility_reasoning", "limits_on_other_uses", "original_collection_purpose"),
}


def _outputs(proposals: list[sr.Proposal], decisions: dict[str, object] | None = None) -> str:
    entries = build_register(proposals, decisions or {})
    return register_html(entries) + register_csv(entries) + register_json(entries)


def test_a_name_planted_in_officer_fields_never_appears_in_any_output() -> None:
    data = sr.proposal_to_dict(sr.load_proposal(FIRE))
    for section, fields in OFFICER_FIELDS.items():
        for field in fields:
            data[section][field] = f"{NAME}, Head of Service"
    data["transparency"]["public_engagement"]["method"] = f"Chaired by {NAME}"
    data["transparency"]["public_engagement"]["findings"] = f"{NAME} reported support"
    data["risks"][0]["description"] = f"{NAME} may leave"
    data["consequences_of_not_sharing"] = f"{NAME} would be upset"
    planted = sr.proposal_from_dict(data)
    assert NAME not in _outputs([planted])
    # ...while the same name in a published field does appear: the check can fail.
    data["title"] = f"Visits led by {NAME}"
    assert NAME in _outputs([sr.proposal_from_dict(data)])


def test_a_proposal_marked_not_public_is_left_out_of_every_output() -> None:
    hidden = sr.load_proposal(DIALOGUE / "internal-pilot.yaml")
    assert hidden.public is False
    text = _outputs([sr.load_proposal(FIRE), hidden])
    assert "DSP-2026-041" not in text and "Pilot linking" not in text
    assert "DSP-2026-014" in text


@pytest.mark.filterwarnings("ignore:.*provisional decisions file:DeprecationWarning")
def test_entries_publish_organisations_purpose_data_basis_dates_verdict_and_decision() -> None:
    decisions = load_decisions(DIALOGUE / "decisions.yaml")
    (entry,) = build_register(
        [sr.load_proposal(FIRE)],
        {"DSP-2026-014": decisions["DSP-2026-014"]},
        sr.load_records(DIALOGUE / "record.json"),
    )
    assert entry.organisations == (
        "Ashvale Metropolitan District Council (Adult Social Care) (local government; provider)",
        "South Pennine Fire and Rescue Authority (fire and rescue; recipient)",
    )
    assert entry.purpose is not None and entry.purpose.startswith("If you are 75 or over")
    assert "Full name (identifier)" in entry.data
    assert entry.legal_basis is not None and "Article 6: public task" in entry.legal_basis
    assert (entry.created, entry.review_date, entry.dpia_status) == (
        "2025-10-06",
        "2031-01-31",
        "completed",
    )
    assert (entry.verdict, entry.decision, entry.decision_date) == (
        "Acceptable",
        "approved",
        "2026-04-02",
    )
    assert entry.public_view.startswith("28 residents in 3 sessions")
    assert "purposeful 3.92 of 5" in entry.public_view


def test_without_a_record_the_register_says_no_public_view_recorded() -> None:
    (entry,) = build_register([sr.load_proposal(FIRE)], {})
    assert entry.public_view.startswith("No public view recorded")
    assert entry.decision is None


@pytest.mark.filterwarnings("ignore:.*provisional decisions file:DeprecationWarning")
def test_the_three_formats_hold_the_same_entries() -> None:
    proposals = [sr.load_proposal(p) for p in EXAMPLES]
    entries = build_register(proposals, load_decisions(DIALOGUE / "decisions.yaml"))
    data = json.loads(register_json(entries))
    jsonschema.validate(data, register_schema())
    rows = list(csv.DictReader(io.StringIO(register_csv(entries))))
    assert (
        [r["id"] for r in rows]
        == [e["id"] for e in data["entries"]]
        == sorted(p.id for p in proposals)
    )
    page = register_html(entries)
    for entry in entries:
        assert f'data-entry="{entry.id}"' in page


def test_the_page_is_searchable_but_works_without_its_script() -> None:
    page = register_html(build_register([sr.load_proposal(FIRE)], {}))
    assert '<input id="search" type="search" hidden>' in page  # shown only by the script
    before_script = page.split("<script>")[0]
    assert "South Pennine Fire and Rescue Authority" in before_script
    assert "http://" not in page and "https://" not in page.replace(
        "https://www.ashvale.gov.uk", ""
    )


@pytest.mark.filterwarnings("ignore:.*provisional decisions file:DeprecationWarning")
def test_a_wrong_decisions_file_is_reported_with_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "decisions.yaml"
    path.write_text(
        "DSP-2026-014: {decision: aproved, date: 2026-04-02}\n"
        "DSP-2026-009: {decision: refused, when: 2026-04-02}\n"
    )
    with pytest.raises(DecisionError) as caught:
        load_decisions(path)
    assert [(p.line, p.path) for p in caught.value.problems] == [
        (1, "$.DSP-2026-014.decision"),
        (2, "$.DSP-2026-009"),
    ]


@pytest.mark.filterwarnings("ignore:.*provisional decisions file:DeprecationWarning")
def test_a_decision_for_a_proposal_not_given_is_an_error() -> None:
    decisions = load_decisions(DIALOGUE / "decisions.yaml")
    with pytest.raises(DecisionError, match="DSP-2026-009"):
        build_register([sr.load_proposal(FIRE)], decisions)


def test_the_register_command_writes_html_csv_and_json(tmp_path: Path) -> None:
    args = [
        "register",
        *map(str, EXAMPLES),
        str(DIALOGUE / "internal-pilot.yaml"),
        "--decisions",
        str(DIALOGUE / "decisions.yaml"),
        "--dialogue",
        str(DIALOGUE / "record.json"),
        "-o",
        str(tmp_path),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert f"{len(EXAMPLES)} entries, 1 left out as not public" in result.stdout
    data = json.loads((tmp_path / "register.json").read_text())
    assert len(data["entries"]) == len(EXAMPLES)
    assert (tmp_path / "register.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "register.csv").read_text().startswith("id,title,organisations")


def _decide(folder: Path, proposal: Path, *flags: str) -> Path:
    """A decision record written by `sharing-rules decide` (as a council would)."""
    target = folder / f"{proposal.stem}.yaml"
    args = ["decide", str(proposal), "--by", "Sam Patel", "--role", "SIRO", "--dpo", "followed"]
    result = CliRunner().invoke(cli, [*args, "--as-of", "2026-11-29", *flags, "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    return target


GANG = ROOT / "examples" / "gang-list-schools.yaml"


def test_the_register_reads_decision_records(tmp_path: Path) -> None:
    records = tmp_path / "decisions"
    records.mkdir()
    _decide(records, FIRE, "--decision", "approve", "--on", "2026-04-02")
    _decide(records, GANG, "--decision", "reject", "--on", "2026-02-12")
    decided = load_decisions(records)  # a folder of records; no deprecation warning
    assert {k: (d.decision, d.date.isoformat()) for k, d in decided.items()} == {
        "DSP-2026-014": ("approved", "2026-04-02"),
        "DSP-2026-009": ("refused", "2026-02-12"),
    }
    entries = build_register([sr.load_proposal(FIRE), sr.load_proposal(GANG)], decided)
    assert [(e.id, e.decision, e.decision_date) for e in entries] == [
        ("DSP-2026-009", "refused", "2026-02-12"),
        ("DSP-2026-014", "approved", "2026-04-02"),
    ]
    # A record made on another version of the proposal is published as such.
    changed = attrs.evolve(sr.load_proposal(FIRE), title="Fire safety visits, second version")
    (entry,) = build_register([changed], load_decisions(records / "fire-safety-visits.yaml"))
    assert entry.decision == "approved (on an earlier version of the proposal)"


def test_two_decisions_on_one_proposal_are_refused(tmp_path: Path) -> None:
    record = _decide(tmp_path, FIRE, "--decision", "approve")
    with pytest.raises(DecisionError) as caught:
        load_decisions(record, tmp_path)
    assert [p.code for p in caught.value.problems] == ["duplicate-id"]


def test_the_provisional_decisions_file_is_read_with_a_deprecation_warning(
    tmp_path: Path,
) -> None:
    with pytest.warns(DeprecationWarning, match="sharing-rules decide"):
        decided = load_decisions(DIALOGUE / "decisions.yaml")
    refused = decided["DSP-2026-009"]
    assert (refused.decision, refused.proposal_digest) == ("refused", None)
    old = ["--decisions", str(DIALOGUE / "decisions.yaml")]
    args = ["register", str(FIRE), str(GANG), *old, "-o", str(tmp_path)]
    result = CliRunner().invoke(
        cli, [*args, str(ROOT / "examples" / "housing-benefit-matching.yaml")]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("warning: ") and "is deprecated" in result.stderr
    data = json.loads((tmp_path / "register.json").read_text())
    assert [e["decision"] for e in data["entries"]] == ["refused", "approved", "deferred"]
