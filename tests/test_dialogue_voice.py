"""Public voice in the verdict: scores, residents' conditions and red lines, and no view."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import attrs
import jsonschema
import pytest

import sharing_rules as sr
from sharing_rules._dialogue import CardResult, load_record
from sharing_rules._voice import covers

ROOT = Path(__file__).resolve().parent.parent
DIALOGUE = ROOT / "examples" / "dialogue"
RECORD = DIALOGUE / "record.json"
FIRE = ROOT / "examples" / "fire-safety-visits.yaml"
VOICE = "public-voice.ashvale-2026-fire.dsp-2026-014."


def _fire(**changes: Any) -> sr.Proposal:
    data = sr.proposal_to_dict(sr.load_proposal(FIRE))
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for name in parents:
            target = target[name]
        target[last] = value
    return sr.proposal_from_dict(data)


def _finding(verdict: sr.Verdict, name: str) -> sr.Finding:
    return next(f for f in verdict.findings if f.rule_id == VOICE + name)


def test_a_verdict_without_records_keeps_its_json_shape() -> None:
    verdict = sr.assess(FIRE)
    assert verdict.public_voice is None
    assert "public_voice" not in verdict.to_dict()
    assert "public_voice" not in sr.verdict_schema()["required"]


def test_scores_are_the_answers_of_the_three_sessions_counted_independently() -> None:
    counts: dict[str, list[int]] = {q: [0] * 5 for q in ("q1", "q2", "q3")}
    for sheet in sorted(DIALOGUE.glob("session-*.csv")):
        with sheet.open(newline="") as handle:
            for row in csv.DictReader(handle):
                for q in counts:
                    if row[q]:
                        counts[q][int(row[q]) - 1] += 1
    verdict = sr.assess(FIRE, dialogue=RECORD)
    voice = verdict.public_voice
    assert voice is not None and voice.recorded
    for q, test in (("q1", "purposeful"), ("q2", "proportionate"), ("q3", "responsible")):
        s = voice.tests[test]
        n = sum(counts[q])
        assert s.distribution == tuple(counts[q]) and s.participants == n
        assert s.mean == round(sum((i + 1) * c for i, c in enumerate(counts[q])) / n, 2)
        assert s.low <= s.mean <= s.high
    assert "28 residents in 3 sessions" in voice.summary


def test_the_example_meets_every_condition_and_red_line() -> None:
    verdict = sr.assess(FIRE, dialogue=RECORD)
    mine = [f for f in verdict.findings if f.rule_id.startswith(VOICE)]
    assert len(mine) == 5 and {f.status for f in mine} == {sr.Status.MET}
    assert verdict.outcome is sr.Outcome.ACCEPTABLE
    assert verdict.rule_pack.id == "framework+public-voice"
    assert verdict.public_voice is not None
    assert set(verdict.public_voice.findings) == {f.rule_id for f in mine}


def test_a_red_line_crossed_makes_the_outcome_not_acceptable() -> None:
    parties = sr.proposal_to_dict(sr.load_proposal(FIRE))["parties"]
    parties[1]["private_contractor"] = True
    proposal = _fire(parties=parties)
    assert sr.assess(proposal).outcome is sr.Outcome.ACCEPTABLE  # the framework alone
    verdict = sr.assess(proposal, dialogue=RECORD)
    finding = _finding(verdict, "no-private-companies")
    assert finding.status is sr.Status.NOT_MET and finding.blocking
    assert "Never to private companies" in finding.message
    assert any("Dialogue record ashvale-2026-fire" in s for s in finding.sources)
    assert verdict.tests["purposeful"].status is sr.TestStatus.NOT_MET
    assert verdict.outcome is sr.Outcome.NOT_ACCEPTABLE


def test_a_condition_not_met_is_an_advisory_finding_with_the_residents_remedy() -> None:
    verdict = sr.assess(_fire(safeguards__retention_period="P2Y"), dialogue=RECORD)
    finding = _finding(verdict, "deleted-within-a-year")
    assert finding.status is sr.Status.NOT_MET and not finding.blocking
    assert finding.remedy == "Keep the data for a year at most, then delete it."
    assert verdict.outcome is sr.Outcome.ACCEPTABLE_WITH_CONDITIONS


def test_a_condition_on_an_unstated_fact_is_unknown_never_met() -> None:
    data = sr.proposal_to_dict(sr.load_proposal(FIRE))
    del data["transparency"]["individuals_informed"]
    verdict = sr.assess(data, dialogue=RECORD)
    assert _finding(verdict, "told-first").status is sr.Status.UNKNOWN


def test_no_record_covering_the_proposal_is_no_public_view_never_a_neutral_score() -> None:
    verdict = sr.assess(ROOT / "examples" / "gang-list-schools.yaml", dialogue=RECORD)
    voice = verdict.public_voice
    assert voice is not None and not voice.recorded
    assert voice.summary.startswith("No public view recorded")
    assert voice.tests == {} and voice.features == {}
    assert not any(f.rule_id.startswith("public-voice") for f in verdict.findings)
    assert verdict.outcome is sr.assess(ROOT / "examples" / "gang-list-schools.yaml").outcome


def test_a_card_covers_a_proposal_only_if_every_kind_and_category_was_put_to_residents() -> None:
    card = CardResult(
        id="c",
        title="Planning with health data",
        purpose_kinds=("planning", "research"),
        data_categories=(sr.DataCategory.HEALTH, sr.DataCategory.DEMOGRAPHIC),
    )

    def proposal(kinds: Any, *categories: str) -> Any:
        items = tuple(SimpleNamespace(category=sr.DataCategory(c)) for c in categories)
        return SimpleNamespace(id="p", purpose=SimpleNamespace(kinds=kinds), data_items=items)

    assert covers(card, proposal(("planning",), "health"))
    assert covers(card, proposal(("planning", "research"), "health", "demographic"))
    assert not covers(card, proposal(("planning", "enforcement"), "health"))
    assert not covers(card, proposal(("planning",), "health", "criminal_offence"))
    assert not covers(card, proposal(None, "health"))  # kinds not stated: no view claimed
    assert covers(attrs.evolve(card, proposal="p"), proposal(None, "health"))


def test_a_verdict_with_public_voice_round_trips_and_matches_the_schema() -> None:
    verdict = sr.assess(FIRE, dialogue=RECORD)
    data = json.loads(verdict.to_json())
    jsonschema.validate(data, sr.verdict_schema())
    assert sr.verdict_from_dict(data) == verdict
    assert verdict.to_json() == sr.assess(FIRE, dialogue=RECORD).to_json()  # deterministic


def test_public_voice_alone_reports_without_assessing() -> None:
    voice = sr.public_voice(FIRE, [load_record(RECORD)])
    assert voice == sr.assess(FIRE, dialogue=RECORD).public_voice


def test_the_html_report_shows_the_scores_and_an_inline_chart() -> None:
    page = sr.render_html(sr.assess(FIRE, dialogue=RECORD))
    assert "What residents said" in page
    assert len(re.findall(r"<svg role=\"img\"", page)) == 3 + 5
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "What residents said" not in sr.render_html(sr.assess(FIRE))


def test_an_invalid_record_is_an_error_not_a_verdict(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x"}')
    with pytest.raises(sr.DialogueError, match="title"):
        sr.assess(FIRE, dialogue=bad)


def test_many_conditions_on_one_fact_are_all_checked() -> None:
    """Residents' rules join the framework pack: 45 on one fact all run (before the engine's
    alpha-network tree, durable-rules failed with error 303 from about 8)."""
    record = load_record(RECORD)
    (card,) = record.cards
    many = tuple(
        attrs.evolve(
            card.conditions[1],
            id=f"keep-{i}",
            requires={"fact": "safeguards.retention_days", "le": 366 + i},
        )
        for i in range(45)
    )
    record = attrs.evolve(record, cards=(attrs.evolve(card, conditions=many),))
    verdict = sr.assess(FIRE, dialogue=record)
    mine = [f for f in verdict.findings if f.rule_id.startswith(VOICE + "keep-")]
    assert len(mine) == 45 and {f.status for f in mine} == {sr.Status.MET}
    shorter = _fire(safeguards__retention_period="P400D")
    statuses = {
        f.rule_id: f.status
        for f in sr.assess(shorter, dialogue=record).findings
        if f.rule_id.startswith(VOICE + "keep-")
    }
    assert statuses[VOICE + "keep-0"] is sr.Status.NOT_MET  # 400 > 366
    assert statuses[VOICE + "keep-44"] is sr.Status.MET  # 400 <= 410


def test_the_purpose_kinds_a_record_accepts_are_the_agreed_names() -> None:
    from sharing_rules._dialogue import purpose_kinds

    agreed = (  # the names agreed between issues 11 and 15
        "individual_service",
        "safeguarding",
        "planning",
        "research",
        "fraud_or_error",
        "enforcement",
        "immigration_control",
        "commercial",
        "other",
    )
    assert purpose_kinds() == agreed
    assert tuple(k.value for k in sr.PurposeKind) == agreed


def test_a_card_about_other_kinds_is_no_public_view_for_the_proposal() -> None:
    (card,) = load_record(RECORD).cards
    research = attrs.evolve(card, proposal=None, purpose_kinds=("research",))
    assert not covers(research, sr.load_proposal(FIRE))
    record = attrs.evolve(load_record(RECORD), cards=(research,))
    voice = sr.public_voice(FIRE, record)
    assert not voice.recorded and voice.summary.startswith("No public view recorded: ")


def test_the_command_line_assesses_with_dialogue_records(tmp_path: Path) -> None:
    """`sharing-rules assess --dialogue` gives the verdict Python gives with the records."""
    from click.testing import CliRunner

    from sharing_rules._cli import cli

    done = CliRunner().invoke(
        cli,
        [
            "assess",
            str(FIRE),
            "--dialogue",
            str(RECORD),
            "--as-of",
            "2026-11-29",
            "--format",
            "json",
        ],
    )
    assert done.exit_code == 0, done.output
    expected = sr.assess(
        FIRE, dialogue=str(RECORD), as_of=__import__("datetime").date(2026, 11, 29)
    )
    # The command line also records the proposal's title and file (issue 14).
    title = sr.load_proposal(FIRE).title
    assert json.loads(done.stdout) == {**expected.to_dict(), "title": title, "source": str(FIRE)}
    assert json.loads(done.stdout)["public_voice"]["tests"]["purposeful"]["participants"] == 26
    missing = CliRunner().invoke(cli, ["assess", str(FIRE), "--dialogue", str(tmp_path / "no")])
    assert missing.exit_code == 2
    assert "dialogue" in missing.output
