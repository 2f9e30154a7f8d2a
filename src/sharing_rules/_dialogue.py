"""Dialogue records: what residents said about kinds of data sharing, read and ingested.

A *dialogue record* holds the results of community sessions run with a dialogue kit: where
and when each session was, how, and who took part in broad terms; and for each case card
the purpose kinds and data categories it covers, the distribution of answers to each
question (five-point scale), the conditions residents attached and their red lines.
Conditions and red lines are written in the rule packs' condition language, so whether a
proposal meets them is checked by the engine, not guessed from their wording.

``ingest`` builds a record from a *plan* (a record with no answers yet, as written by
``sharing-rules dialogue kit``) and the response sheets (CSV) of the sessions.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import math
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from . import _model
from ._conditions import Scope, parse_condition
from ._errors import Problem, _ProblemsError
from ._facts import FACTS, LISTS_BY_PATH
from ._files import InputProblem, read_text_file
from ._load import _make_converter, _problems
from ._model import (
    DataCategory,
    PurposeKind,
    _Checked,
    _count,
    _Failure,
    _field,
    _scalar,
    _text,
    _tuple,
)
from ._rules import TESTS
from ._yaml import YamlProblem, line_for, parse_with_lines

__all__ = [
    "CardResult",
    "DialogueError",
    "DialogueRecord",
    "Question",
    "Records",
    "ResidentCondition",
    "Score",
    "Session",
    "ingest",
    "load_questions",
    "load_records",
    "record_from_dict",
    "score",
]

SCALE = (1, 2, 3, 4, 5)
_PURPOSE_KINDS = tuple(kind.value for kind in PurposeKind)
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SCOPE = Scope({f.path: f for f in FACTS}, LISTS_BY_PATH)


def purpose_kinds() -> tuple[str, ...]:
    """The purpose kind values (the model's ``PurposeKind``)."""
    return _PURPOSE_KINDS


class DialogueError(_ProblemsError, ValueError):
    """A dialogue record, plan, questions file or response sheet could not be read.

    ``problems`` lists every problem with its file, line and path.
    """

    kind = "dialogue input"


def _ident(value: Any) -> _Failure | None:
    message = _scalar(str)(value)
    if message is None and not _ID.match(value):
        return _Failure(
            f"{value!r} must be lower-case letters, digits, '-' or '_' (e.g. ashvale-2026)",
            code="invalid-value",
        )
    return message


def _one_of(choices: Sequence[str]) -> Any:
    def check(value: Any) -> _Failure | None:
        if value not in choices:
            return _Failure(
                f"{value!r} is not one of: {', '.join(choices)}", code="not-allowed-value"
            )
        return None

    return check


def _condition(value: Any) -> _Failure | None:
    found: list[Problem] = []
    parse_condition(value, _SCOPE, "requires", found)
    text = "; ".join(f"{p.path}: {p.message}" + (f" ({p.hint})" if p.hint else "") for p in found)
    return _Failure(text, code="invalid-condition") if text else None


@attrs.frozen(slots=True)
class Question(_Checked):
    """A question asked of residents about a case card, for one test or one key feature."""

    id: str = _field(_ident, required=True)
    text: str = _text(required=True)
    test: str | None = _field(_one_of(TESTS))
    feature: int | None = _field(_scalar(int, minimum=1, maximum=5))

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if (self.test is None) == (self.feature is None):
            raise _model.InvalidFieldsError(
                type(self),
                [
                    Problem(
                        "$.test",
                        "give either test or feature, not both or neither",
                        code="invalid-value",
                    )
                ],
            )


@attrs.frozen(slots=True)
class Session(_Checked):
    """One community session: where, when, how, and who took part in broad terms."""

    id: str = _field(_ident, required=True)
    date: dt.date | None = _field(_scalar(dt.date))
    place: str | None = _text()  #: a broad place, e.g. "a community centre in north Ashvale"
    host: str | None = _text()  #: the community group that held it
    method: str | None = _text()
    who: str | None = _text()  #: who took part, in broad terms (never names)
    participants: int | None = _count()  #: filled in by ingest from the response sheets


@attrs.frozen(slots=True)
class ResidentCondition(_Checked):
    """A condition residents attached, or a red line they drew, as a checkable condition.

    ``said`` is what residents said; ``requires`` is a condition in the rule packs'
    language that holds when the proposal meets it (for a red line: when the line is not
    crossed). Missing information makes it unknown, never met.
    """

    id: str = _field(_ident, required=True)
    said: str = _text(required=True)
    test: str = _field(_one_of(TESTS), required=True)
    requires: Mapping[str, Any] = _field(_condition, required=True)
    remedy: str | None = _text()
    features: tuple[int, ...] | None = _field(_tuple(_scalar(int, minimum=1, maximum=5), True))


def _answers(value: Any) -> _Failure | None:
    if not isinstance(value, Mapping):
        return _Failure("expected a mapping of question id to five counts", code="wrong-type")
    for key, counts in value.items():
        if not (
            isinstance(counts, tuple)
            and len(counts) == len(SCALE)
            and all(type(c) is int and c >= 0 for c in counts)
        ):
            return _Failure(
                f"{key}: expected five whole-number counts (answers 1 to 5), got {counts!r}",
                code="invalid-value",
            )
    return None


@attrs.frozen(slots=True)
class CardResult(_Checked):
    """What residents said about one case card: the kind of sharing it describes."""

    id: str = _field(_ident, required=True)
    title: str = _text(required=True)
    proposal: str | None = _text()  #: the id of the proposal the card was written from
    purpose_kinds: tuple[str, ...] | None = _field(_tuple(_one_of(_PURPOSE_KINDS)))
    data_categories: tuple[DataCategory, ...] | None = _field(_tuple(_scalar(DataCategory)))
    answers: Mapping[str, tuple[int, ...]] = attrs.field(factory=dict, metadata={"check": _answers})
    conditions: tuple[ResidentCondition, ...] = attrs.field(default=())
    red_lines: tuple[ResidentCondition, ...] = attrs.field(default=())


@attrs.frozen(slots=True)
class DialogueRecord(_Checked):
    """The results of a dialogue: its sessions, the questions asked, and each case card.

    ``dropped_rows`` counts response-sheet rows left out at ingest (only ever with the
    explicit ``--keep-going``), so that a record never hides what it lost.
    """

    id: str = _field(_ident, required=True)
    title: str = _text(required=True)
    questions: tuple[Question, ...] = _field(_tuple(lambda q: None, True), required=True)
    sessions: tuple[Session, ...] = attrs.field(default=())
    cards: tuple[CardResult, ...] = attrs.field(default=())
    dropped_rows: int = attrs.field(default=0, metadata={"check": _scalar(int, minimum=0)})

    def question(self, question_id: str) -> Question | None:
        """The question with that id, if the record asked it."""
        return next((q for q in self.questions if q.id == question_id), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the record format (``sharing-rules schema`` has no entry for it:
        see ``sharing_rules/schemas/dialogue-record.schema.json``)."""
        data: dict[str, Any] = _plain(self)
        return data

    def to_json(self) -> str:
        """The record as JSON, keys in the model's order."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _plain(value: Any) -> Any:
    if attrs.has(type(value)):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in attrs.fields(type(value))
            if getattr(value, f.name) is not None
        }
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, DataCategory):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_converter = _make_converter()


def _located(
    problems: Iterable[Problem], source: str | None, lines: Mapping[str, int]
) -> list[Problem]:
    return [
        attrs.evolve(p, source=p.source or source, line=p.line or line_for(dict(lines), p.path))
        for p in problems
    ]


def record_from_dict(data: Any, source: str | None = None) -> DialogueRecord:
    """Build a :class:`DialogueRecord` from parsed data; raise :class:`DialogueError`."""
    if not isinstance(data, Mapping):
        raise DialogueError(
            [Problem("$", "expected a mapping at the top level", None, source, code="wrong-type")]
        )
    try:
        record = _converter.structure(dict(data), DialogueRecord)
    except Exception as exc:
        raise DialogueError(_problems(exc, "$", DialogueRecord)) from None
    problems = _check_record(record)
    if problems:
        raise DialogueError(problems)
    return record


def _check_record(record: DialogueRecord) -> list[Problem]:
    """Cross-field checks: unique ids, and answers only to questions the record asked."""
    problems = []
    for name in ("questions", "sessions", "cards"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(record, name)):
            if item.id in seen:
                problems.append(
                    Problem(
                        f"$.{name}[{index}].id", f"duplicate id {item.id!r}", code="duplicate-id"
                    )
                )
            seen.add(item.id)
    for index, card in enumerate(record.cards):
        for qid in card.answers:
            if record.question(qid) is None:
                problems.append(
                    Problem(
                        f"$.cards[{index}].answers.{qid}",
                        f"answers to {qid!r}, which is not among the record's questions",
                        "add the question to questions, or remove the answers",
                        code="unknown-question",
                    )
                )
        ids = [c.id for c in (*card.conditions, *card.red_lines)]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(
                Problem(
                    f"$.cards[{index}]",
                    f"duplicate condition or red line id {dup!r}",
                    code="duplicate-id",
                )
            )
    return problems


def _read_document(path: Path) -> tuple[Any, dict[str, int]]:
    try:
        text = read_text_file(path, str(path))
    except InputProblem as exc:
        raise DialogueError([exc.problem]) from None
    try:
        return parse_with_lines(text, str(path))
    except YamlProblem as exc:
        raise DialogueError([exc.problem]) from None


def load_record(path: str | Path) -> DialogueRecord:
    """Read one dialogue record (or plan) from a YAML or JSON file."""
    path = Path(path)
    data, lines = _read_document(path)
    try:
        return record_from_dict(data, str(path))
    except DialogueError as err:
        raise DialogueError(_located(err.problems, str(path), lines)) from None


Records = str | Path | DialogueRecord | Iterable[str | Path | DialogueRecord]


def load_records(source: Records) -> tuple[DialogueRecord, ...]:
    """Dialogue records from a folder (every ``*.json``, ``*.yaml`` and ``*.yml`` in it, like
    a local pack), a file, a record, or a list of these. Every problem in every file is
    reported at once in one :class:`DialogueError`."""
    items = [source] if isinstance(source, str | Path | DialogueRecord) else list(source)
    paths: list[Path | DialogueRecord] = []
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, DialogueRecord):
            paths.append(item)
        elif Path(item).is_dir():
            found = sorted(
                p for p in Path(item).iterdir() if p.suffix in (".json", ".yaml", ".yml")
            )
            if not found:
                problems.append(
                    Problem(
                        "$",
                        "no dialogue records (*.json, *.yaml) here",
                        None,
                        str(item),
                        code="not-found",
                    )
                )
            paths.extend(found)
        else:
            paths.append(Path(item))
    records = []
    for entry in paths:
        if isinstance(entry, DialogueRecord):
            records.append(entry)
            continue
        try:
            records.append(load_record(entry))
        except DialogueError as err:
            problems.extend(err.problems)
    ids = [r.id for r in records]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(
            Problem("$.id", f"two dialogue records have the id {dup!r}", code="duplicate-id")
        )
    if problems:
        raise DialogueError(problems)
    return tuple(records)


# ---------------------------------------------------------------- questions


@attrs.frozen(slots=True)
class QuestionSet:
    """The questions a kit asks and the words of the five-point scale."""

    scale: tuple[str, ...]
    questions: tuple[Question, ...]


def load_questions(path: str | Path | None = None) -> QuestionSet:
    """The questions file (by default the shipped ``sharing_rules/dialogue/questions.yaml``)."""
    if path is None:
        entry = resources.files("sharing_rules") / "dialogue" / "questions.yaml"
        label = "questions.yaml (shipped)"
        data, lines = parse_with_lines(entry.read_text(encoding="utf-8"), label)
    else:
        label = str(path)
        data, lines = _read_document(Path(path))
    problems = []
    if not isinstance(data, Mapping) or set(data) != {"scale", "questions"}:
        problems.append(
            Problem(
                "$",
                "a questions file maps 'scale' and 'questions'",
                None,
                label,
                code="invalid-questions",
            )
        )
    else:
        scale = data["scale"]
        if not (
            isinstance(scale, list)
            and len(scale) == len(SCALE)
            and all(isinstance(s, str) and s.strip() for s in scale)
        ):
            problems.append(
                Problem(
                    "$.scale",
                    "scale must list five labels (text), lowest first",
                    "quote labels YAML reads as true/false, such as 'Yes' and 'No'",
                    label,
                    code="invalid-questions",
                )
            )
        try:
            questions = _converter.structure(data["questions"], tuple[Question, ...])
        except Exception as exc:
            problems += _problems(exc, "$.questions", None)
        else:
            if not questions:
                problems.append(
                    Problem(
                        "$.questions",
                        "list at least one question",
                        None,
                        label,
                        code="invalid-questions",
                    )
                )
            ids = [q.id for q in questions]
            if len(set(ids)) != len(ids):
                problems.append(
                    Problem(
                        "$.questions", "question ids must differ", None, label, code="duplicate-id"
                    )
                )
    if problems:
        raise DialogueError(_located(problems, label, lines))
    return QuestionSet(tuple(data["scale"]), questions)


# ---------------------------------------------------------------- ingest

_FIXED = ("session", "card", "participant")


def ingest(
    plan: DialogueRecord, sheets: Sequence[str | Path], keep_going: bool = False
) -> tuple[DialogueRecord, tuple[Problem, ...]]:
    """Read response sheets (CSV) into the plan: answer counts per card and question, and
    the number of participants per session.

    Returns the record and every bad row found (file, line, what is wrong). Raises
    :class:`DialogueError` if a sheet cannot be read at all (its header is wrong), or if any
    row is bad and ``keep_going`` is false; with ``keep_going`` bad rows are left out and
    counted in ``dropped_rows``.
    """
    counts = {c.id: {q.id: [0] * len(SCALE) for q in plan.questions} for c in plan.cards}
    people: dict[str, set[str]] = {s.id: set() for s in plan.sessions}
    seen: set[tuple[str, str, str]] = set()
    fatal: list[Problem] = []
    bad: list[Problem] = []
    for sheet in sheets:
        fatal += _read_sheet(Path(sheet), plan, counts, people, seen, bad)
    if fatal or (bad and not keep_going):
        raise DialogueError([*fatal, *bad])
    cards = tuple(
        attrs.evolve(
            card,
            answers={q: tuple(n) for q, n in counts[card.id].items() if sum(n)},
        )
        for card in plan.cards
    )
    sessions = tuple(attrs.evolve(s, participants=len(people[s.id])) for s in plan.sessions)
    rows = len({(b.source, b.line) for b in bad})
    record = attrs.evolve(
        plan, cards=cards, sessions=sessions, dropped_rows=plan.dropped_rows + rows
    )
    return record, tuple(bad)


def _read_sheet(
    path: Path,
    plan: DialogueRecord,
    counts: dict[str, dict[str, list[int]]],
    people: dict[str, set[str]],
    seen: set[tuple[str, str, str]],
    bad: list[Problem],
) -> list[Problem]:
    name = str(path)
    try:
        rows = list(csv.reader(io.StringIO(read_text_file(path, name), newline="")))
    except InputProblem as exc:
        return [exc.problem]
    except csv.Error as exc:
        return [
            Problem(
                "$", f"cannot read the response sheet: {exc}", None, name, 1, code="invalid-sheet"
            )
        ]
    if not rows:
        return [
            Problem(
                "$",
                "the response sheet is empty",
                "start with the header row",
                name,
                1,
                code="empty",
            )
        ]
    header = [h.strip() for h in rows[0]]
    known = [q.id for q in plan.questions]
    problems = []
    if tuple(header[:3]) != _FIXED:
        problems.append(
            Problem(
                "header",
                f"the first columns must be {', '.join(_FIXED)}",
                None,
                name,
                1,
                code="invalid-sheet",
            )
        )
    for column in header[3:]:
        if column not in known:
            problems.append(
                Problem(
                    "header",
                    f"column {column!r} is not a question of the plan",
                    f"questions: {', '.join(known)}",
                    name,
                    1,
                    code="invalid-sheet",
                )
            )
    if problems:
        return problems
    columns = header[3:]
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # an empty line holds no answer
        problem = _row(row, columns, plan, counts, people, seen)
        if problem is not None:
            bad.append(
                Problem(
                    f"row {number}", problem[0], problem[1], name, number, code="invalid-response"
                )
            )
    return []


def _row(
    row: list[str],
    columns: Sequence[str],
    plan: DialogueRecord,
    counts: dict[str, dict[str, list[int]]],
    people: dict[str, set[str]],
    seen: set[tuple[str, str, str]],
) -> tuple[str, str | None] | None:
    """Count one row's answers; or say what is wrong with it (and count nothing)."""
    if len(row) != len(columns) + 3:
        return f"has {len(row)} cells; the header has {len(columns) + 3}", "one cell per column"
    session, card, participant = (cell.strip() for cell in row[:3])
    if session not in people:
        return f"session {session!r} is not in the plan", f"sessions: {', '.join(people)}"
    if card not in counts:
        return f"card {card!r} is not in the plan", f"cards: {', '.join(counts)}"
    if not participant:
        return "no participant number", "number each participant's sheet, e.g. 1, 2, 3"
    if (session, card, participant) in seen:
        return f"participant {participant!r} answered card {card!r} twice in this session", None
    values: list[tuple[str, int]] = []
    for column, cell in zip(columns, row[3:], strict=True):
        text = cell.strip()
        if not text:
            continue  # not answered
        if text not in ("1", "2", "3", "4", "5"):
            return (
                f"{column}: {text!r} is not an answer from 1 to 5",
                "leave it blank if not answered",
            )
        values.append((column, int(text)))
    seen.add((session, card, participant))
    people[session].add(participant)
    for column, value in values:
        counts[card][column][value - 1] += 1
    return None


# ---------------------------------------------------------------- statistics

RESAMPLES = 1000
SEED = 15


@attrs.frozen(slots=True)
class Score:
    """An acceptability score: the mean answer on the five-point scale (1 = not at all
    acceptable, 5 = fully), with a 95% percentile-bootstrap interval and the answers
    behind it."""

    mean: float
    low: float
    high: float
    participants: int  #: the most answers given to any one question behind the score
    distribution: tuple[int, ...]  #: how many answered 1, 2, 3, 4 and 5


@functools.lru_cache(maxsize=1024)
def _bootstrap(distribution: tuple[int, ...], seed: int, resamples: int) -> tuple[float, float]:
    n = sum(distribution)
    cum = list(_cumulative(distribution))
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(SCALE, cum_weights=cum, k=n)) / n for _ in range(resamples))
    low = means[max(0, math.floor(0.025 * resamples))]
    high = means[min(resamples - 1, math.ceil(0.975 * resamples) - 1)]
    return low, high


def score(
    distribution: Sequence[int],
    participants: int | None = None,
    *,
    seed: int = SEED,
    resamples: int = RESAMPLES,
) -> Score | None:
    """The mean of answers given as counts of 1..5, with a 95% percentile-bootstrap interval
    (resampling answers; a fixed ``seed`` keeps verdicts reproducible). ``None`` when there
    are no answers: no answers is no view, never a neutral score."""
    n = sum(distribution)
    if n == 0:
        return None
    mean = sum(v * c for v, c in zip(SCALE, distribution, strict=True)) / n
    low, high = _bootstrap(tuple(distribution), seed, resamples)
    return Score(
        round(mean, 2),
        round(low, 2),
        round(high, 2),
        participants if participants is not None else n,
        tuple(distribution),
    )


def _cumulative(counts: Sequence[int]) -> Iterable[int]:
    total = 0
    for c in counts:
        total += c
        yield total
