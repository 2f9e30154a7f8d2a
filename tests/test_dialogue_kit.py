"""The dialogue kit: a plain-language case card, our questions, response sheets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import sharing_rules as sr
from sharing_rules._cli import cli
from sharing_rules._dialogue import DialogueError, ingest, load_questions, load_record
from sharing_rules._kit import NOT_OURS, case_card, kit_html, kit_plan, response_csv

ROOT = Path(__file__).resolve().parent.parent
#: The shipped examples whose case cards are checked (pinned: the prose of new examples is
#: their authors', and each is added here once its card has been read).
EXAMPLES = [
    ROOT / "examples" / f"{name}.yaml"
    for name in (
        "fire-safety-visits",
        "gp-research-tre",
        "gang-list-schools",
        "housing-benefit-matching",
        "vague-title-only",
    )
]
FIRE = ROOT / "examples" / "fire-safety-visits.yaml"
VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Syllables of an English word, by vowel groups (a common approximation)."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return 0
    if len(word) > 3:
        word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    return max(1, len(VOWELS.findall(word)))


def grade(text: str) -> float:
    """Flesch-Kincaid grade level: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    sentences = [s for s in re.split(r"[.!?]+(?:\s|$)", text) if s.strip()]
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    return (
        0.39 * len(words) / len(sentences) + 11.8 * sum(map(syllables, words)) / len(words) - 15.59
    )


def _card_text(path: Path) -> str:
    """The card's prose (the list of data items is a list of labels, not sentences)."""
    return " ".join(text for _, text, _ in case_card(sr.load_proposal(path)))


def test_the_readability_measure_gives_known_grades() -> None:
    # 6 words, 1 sentence, 6 syllables: 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45
    assert grade("The cat sat on the mat.") == pytest.approx(-1.45)
    # 10 words, 1 sentence, 19 syllables: 0.39 * 10 + 11.8 * 1.9 - 15.59 = 10.73
    text = (
        "Residents considered proportionate information sharing between public "
        "organisations carefully."
    )
    assert syllables("organisations") == 5 and grade(text) > 10


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_case_cards_of_the_shipped_examples_read_at_about_age_12(path: Path) -> None:
    text = _card_text(path)
    # Grade 7 is age 12-13; organisation names and the proposers' own words add a little.
    assert grade(text) <= 9, (path.stem, round(grade(text), 1))


def test_the_worked_example_card_reads_at_age_12_or_below() -> None:
    assert grade(_card_text(FIRE)) <= 7


def test_a_case_card_uses_no_field_names_or_jargon() -> None:
    for path in EXAMPLES:
        text = _card_text(path)
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), path.stem  # onward_sharing, ...
        for jargon in ("Article", "GDPR", "DPIA", "controller", "pseudonymised", "P1Y"):
            assert jargon not in text, (path.stem, jargon)


def test_the_card_says_what_the_proposal_states_in_plain_words() -> None:
    card = {heading: (text, items) for heading, text, items in case_card(sr.load_proposal(FIRE))}
    assert "South Pennine Fire and Rescue Authority would get it." in card["Who"][0]
    assert "Full name" in card["What"][1]
    safe = card["How it is kept safe"][0]
    assert "The data is sent every month." in safe
    assert "They keep it for 1 year." in safe
    assert "They may not pass it on to anyone else." in safe


def test_the_kit_page_prints_on_a4_and_loads_nothing_from_outside() -> None:
    questions = load_questions()
    page = kit_html(sr.load_proposal(FIRE), questions, sheets=3)
    assert "@page { size: A4" in page and "@media print" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert NOT_OURS in page and "could not see it" in page
    for q in questions.questions:
        assert q.text in page
    assert page.count("Response sheet</h1>") == 3


def test_a_council_can_replace_the_questions(tmp_path: Path) -> None:
    own = tmp_path / "ours.yaml"
    own.write_text(
        "scale: ['No', Hardly, Unsure, Largely, 'Yes']\n"
        "questions:\n  - {id: fair, test: responsible, text: Is it fair to people?}\n"
    )
    questions = load_questions(own)
    assert "Is it fair to people?" in kit_html(sr.load_proposal(FIRE), questions)
    assert response_csv(questions) == "session,card,participant,fair\n"
    assert kit_plan(sr.load_proposal(FIRE), questions).questions == questions.questions


def test_a_wrong_questions_file_is_reported_with_its_path(tmp_path: Path) -> None:
    own = tmp_path / "ours.yaml"
    own.write_text("scale: [a, b, c, d, e]\nquestions:\n  - {id: q1, text: Both?, test: x}\n")
    with pytest.raises(DialogueError, match=r"\$\.questions\[0\]\.test"):
        load_questions(own)


def test_the_kit_command_writes_a_kit_whose_plan_and_sheet_ingest(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["dialogue", "kit", str(FIRE), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "kit.html").read_text().startswith("<!DOCTYPE html>")
    plan_text = (tmp_path / "plan.yaml").read_text()
    plan_text = plan_text.replace("sessions: []", "sessions:\n- id: s1")
    (tmp_path / "plan.yaml").write_text(plan_text)
    plan = load_record(tmp_path / "plan.yaml")
    (card,) = plan.cards
    assert card.proposal == "DSP-2026-014"
    sheet = tmp_path / "responses.csv"
    sheet.write_text(sheet.read_text() + f"s1,{card.id},1,4,4,4,4,4,4,4,4\n")
    record, bad = ingest(plan, [sheet])
    assert bad == () and record.cards[0].answers["q1"] == (0, 0, 0, 1, 0)
    assert sr.public_voice(FIRE, record).recorded


def test_the_kit_command_reports_an_invalid_proposal(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n")
    result = CliRunner().invoke(cli, ["dialogue", "kit", str(bad), "-o", str(tmp_path / "k")])
    assert result.exit_code == 2 and "$.title" in result.stderr
