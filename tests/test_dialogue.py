"""Dialogue records: reading them, ingesting response sheets, and the statistics."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from sharing_rules._cli import cli
from sharing_rules._dialogue import (
    DialogueError,
    DialogueRecord,
    ingest,
    load_record,
    load_records,
    record_from_dict,
    score,
)
from sharing_rules._voice_schema import SCHEMAS, schema_text

ROOT = Path(__file__).resolve().parent.parent
DIALOGUE = ROOT / "examples" / "dialogue"
PLAN = DIALOGUE / "plan.yaml"
SHEETS = sorted(DIALOGUE.glob("session-*.csv"))
HEADER = "session,card,participant,q1,q2,q3,q4,q5,q6,q7,q8\n"


def _record(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "r1",
        "title": "A dialogue",
        "questions": [{"id": "q1", "test": "purposeful", "text": "Clear?"}],
        "cards": [{"id": "c1", "title": "A card", "answers": {"q1": [0, 1, 2, 3, 4]}}],
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------- reading records


def test_a_record_reads_and_writes_back_the_same() -> None:
    record = load_record(DIALOGUE / "record.json")
    assert record_from_dict(json.loads(record.to_json())) == record


def test_every_problem_in_a_record_is_reported_with_its_path() -> None:
    data = _record(
        colour="blue",
        cards=[
            {
                "id": "c1",
                "title": "A card",
                "red_lines": [
                    {
                        "id": "x",
                        "said": "Never",
                        "test": "purposful",
                        "requires": {"fact": "organisations.any_private_contractr", "eq": False},
                    }
                ],
            }
        ],
    )
    with pytest.raises(DialogueError) as caught:
        record_from_dict(data)
    text = str(caught.value)
    assert "$.colour: unknown key" in text
    assert "$.cards[0].red_lines[0].test" in text and "purposeful" in text
    assert "did you mean 'organisations.any_private_contractor'" in text


def test_answers_to_a_question_the_record_did_not_ask_are_refused() -> None:
    data = _record(cards=[{"id": "c1", "title": "A card", "answers": {"q9": [1, 1, 1, 1, 1]}}])
    with pytest.raises(DialogueError, match=r"\$\.cards\[0\]\.answers\.q9"):
        record_from_dict(data)


def test_an_answer_distribution_needs_five_counts() -> None:
    data = _record(cards=[{"id": "c1", "title": "A card", "answers": {"q1": [1, 2, 3]}}])
    with pytest.raises(DialogueError, match="five whole-number counts"):
        record_from_dict(data)


def test_a_folder_of_records_is_read_whole_and_duplicate_ids_refused(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(_record()))
    (tmp_path / "b.yaml").write_text(json.dumps(_record(id="r2")))
    assert [r.id for r in load_records(tmp_path)] == ["r1", "r2"]
    (tmp_path / "c.json").write_text(json.dumps(_record()))
    with pytest.raises(DialogueError, match="two dialogue records have the id 'r1'"):
        load_records(tmp_path)


def test_a_problem_in_a_record_file_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: r1\ntitle: T\nquestions:\n  - {id: q1, test: purposeful, text: a}\nx: 1\n")
    with pytest.raises(DialogueError) as caught:
        load_record(path)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line, problem.path) == (str(path), 5, "$.x")


def test_the_shipped_schemas_are_current_and_accept_the_example_record() -> None:
    for name in SCHEMAS:
        shipped = ROOT / "src" / "sharing_rules" / "schemas" / f"{name}.schema.json"
        assert shipped.read_text() == schema_text(name), "run python -m sharing_rules._voice_schema"
    schema = json.loads(schema_text("dialogue-record"))
    jsonschema.validate(json.loads((DIALOGUE / "record.json").read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_record(extra=1), schema)


# ---------------------------------------------------------------- ingest


def test_the_example_record_is_what_ingest_makes_of_the_example_sheets() -> None:
    record, bad = ingest(load_record(PLAN), SHEETS)
    assert bad == ()
    assert record == load_record(DIALOGUE / "record.json")


def test_ingest_counts_answers_and_participants_as_counted_by_hand(tmp_path: Path) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text(
        HEADER
        + "s1,dsp-2026-014,1,5,4,,,,,,\n"
        + "s1,dsp-2026-014,2,5,2,,,,,,\n"
        + "\n"  # an empty line holds no answer
        + "s2,dsp-2026-014,1,1,,,,,,,3\n"
    )
    record, bad = ingest(load_record(PLAN), [sheet])
    assert bad == ()
    (card,) = record.cards
    assert card.answers == {"q1": (1, 0, 0, 0, 2), "q2": (0, 1, 0, 1, 0), "q8": (0, 0, 1, 0, 0)}
    assert [s.participants for s in record.sessions] == [2, 1, 0]


BAD_ROWS = (
    HEADER
    + "s1,dsp-2026-014,1,5,4,3,,,,,\n"  # good
    + "s1,dsp-2026-014,2,6,4,3,,,,,\n"  # line 3: 6 is not on the scale
    + "s9,dsp-2026-014,3,5,4,3,,,,,\n"  # line 4: unknown session
    + "s1,dsp-2026-014,4,5,4\n"  # line 5: too few cells
    + "s1,dsp-2026-014,1,2,2,2,,,,,\n"  # line 6: participant 1 again
    + "s1,other-card,5,2,2,2,,,,,\n"  # line 7: unknown card
)


def test_bad_rows_are_each_reported_with_file_and_line_and_nothing_is_kept(
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(BAD_ROWS)
    with pytest.raises(DialogueError) as caught:
        ingest(load_record(PLAN), [sheet])
    problems = caught.value.problems
    assert [(p.source, p.line) for p in problems] == [(str(sheet), n) for n in (3, 4, 5, 6, 7)]
    assert "'6' is not an answer from 1 to 5" in problems[0].message


def test_keep_going_leaves_bad_rows_out_and_counts_them_in_the_record(tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(BAD_ROWS)
    record, bad = ingest(load_record(PLAN), [sheet], keep_going=True)
    assert len(bad) == 5 and record.dropped_rows == 5
    assert record.cards[0].answers["q1"] == (0, 0, 0, 0, 1)  # only the good row


def test_a_sheet_with_a_wrong_header_is_refused_even_with_keep_going(tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("session,card,participant,q1,q99\ns1,dsp-2026-014,1,5,5\n")
    with pytest.raises(DialogueError, match="column 'q99' is not a question of the plan"):
        ingest(load_record(PLAN), [sheet], keep_going=True)


def test_the_ingest_command_exits_2_on_a_bad_row_unless_told_to_keep_going(
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(BAD_ROWS)
    out = tmp_path / "record.json"
    runner = CliRunner()
    args = ["dialogue", "ingest", "--plan", str(PLAN), str(sheet), "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert f"{sheet}:3: row 3:" in result.stderr
    assert not out.exists()
    result = runner.invoke(cli, [*args, "--keep-going"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(out.read_text())["dropped_rows"] == 5
    assert "5 rows left out" in result.stdout


# ---------------------------------------------------------------- statistics


def test_a_score_is_the_mean_on_the_five_point_scale() -> None:
    result = score([1, 2, 3, 4, 5])  # (1 + 4 + 9 + 16 + 25) / 15 = 55 / 15
    assert result is not None
    assert result.mean == 3.67 and result.participants == 15
    assert result.low < result.mean < result.high
    assert score([1, 2, 3, 4, 5]) == result  # a fixed seed: the same interval every time


def test_no_answers_is_no_score_never_a_neutral_one() -> None:
    assert score([0, 0, 0, 0, 0]) is None


def test_everyone_giving_the_same_answer_has_a_zero_width_interval() -> None:
    result = score([0, 0, 0, 7, 0])
    assert result is not None and (result.low, result.mean, result.high) == (4, 4, 4)


def test_the_95_percent_interval_covers_the_true_mean_about_95_times_in_100() -> None:
    """Synthetic answers from a known distribution (true mean 3.6), 300 samples of 40."""
    weights = [0.1, 0.1, 0.2, 0.3, 0.3]
    truth = sum(v * w for v, w in zip(range(1, 6), weights, strict=True))
    rng = random.Random(1)
    hits = 0
    trials = 300
    for trial in range(trials):
        answers = rng.choices(range(1, 6), weights=weights, k=40)
        counts = [answers.count(v) for v in range(1, 6)]
        result = score(counts, seed=trial, resamples=400)
        assert result is not None
        hits += result.low <= truth <= result.high
    # Binomial(300, 0.95) has sd 1.3%; the percentile bootstrap runs a little narrow at n=40.
    assert 0.89 <= hits / trials <= 0.99, hits / trials


def test_example_sheets_are_csv_with_the_kit_header() -> None:
    for sheet in SHEETS:
        with sheet.open(newline="") as handle:
            rows = list(csv.reader(handle))
        assert ",".join(rows[0]) + "\n" == HEADER
        assert all(len(r) == len(rows[0]) for r in rows)


def test_a_record_is_frozen() -> None:
    record = load_record(DIALOGUE / "record.json")
    assert isinstance(record, DialogueRecord)
    with pytest.raises(AttributeError):
        record.id = "x"  # type: ignore[misc]
