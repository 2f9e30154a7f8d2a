"""Public voice in a verdict: what residents said about sharing of the proposal's kind.

A dialogue record's case card *covers* a proposal when it was written from that proposal
(its ``proposal`` id), or when every purpose kind the proposal states and every data category
of its data items is on the card (residents were asked about each of them). From the cards
that cover it, an assessment reports an acceptability score per test and key feature (the
mean answer on the 1-5 scale, not rescaled, with a 95% bootstrap interval and the number of
participants behind it), and checks residents' conditions (advisory criteria) and red lines
(blocking criteria) as rules added to the rule pack on durable-rules, so that
their findings go through the same outcome logic: a red line crossed makes the outcome
not acceptable. When no card covers the proposal the section says "no public view
recorded", and gives no score.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._conditions import facts_named, parse_condition
from ._dialogue import (
    _SCOPE,
    SCALE,
    CardResult,
    DialogueRecord,
    Records,
    ResidentCondition,
    Score,
    load_records,
    score,
)
from ._digest import sha256_text
from ._errors import AssessmentError
from ._model import Proposal
from ._rules import TESTS, Rule, RulePack, _Collector, _File, _parse_rule, _rule_order

if TYPE_CHECKING:
    from ._assess import Assessor
    from ._load import Source
    from ._verdict import Verdict

__all__ = ["PublicVoice", "VoiceSource", "assess_with_voice", "public_voice", "voice_html"]

PACK_ID = "public-voice"
NO_VIEW = "No public view recorded"


@attrs.frozen(slots=True)
class VoiceSource:
    """A case card of a dialogue record that covers the proposal."""

    record: str
    card: str
    title: str
    sessions: int
    participants: int  #: the most answers given to any one question on the card


@attrs.frozen(slots=True)
class PublicVoice:
    """What residents said about sharing of this kind (present only when records are given).

    ``tests`` and ``features`` hold acceptability scores on the 1-5 scale; they are empty
    when no record covers the proposal (``recorded`` false): no view is never a neutral
    score. ``findings`` names the verdict's findings that come from residents' conditions
    and red lines.
    """

    recorded: bool
    summary: str
    sources: tuple[VoiceSource, ...] = ()
    tests: Mapping[str, Score] = attrs.field(factory=dict)
    features: Mapping[str, Score] = attrs.field(factory=dict)
    findings: tuple[str, ...] = ()


def _kinds(proposal: Proposal) -> set[str] | None:
    kinds = getattr(proposal.purpose, "kinds", None) if proposal.purpose else None
    return {str(getattr(k, "value", k)) for k in kinds} if kinds else None


def _categories(proposal: Proposal) -> set[str] | None:
    items = proposal.data_items or ()
    if not items or any(item.category is None for item in items):
        return None
    return {item.category.value for item in items if item.category is not None}


def covers(card: CardResult, proposal: Proposal) -> bool:
    """Whether residents were asked about sharing of this proposal's kind on this card."""
    if card.proposal is not None and card.proposal == proposal.id:
        return True
    kinds, categories = _kinds(proposal), _categories(proposal)
    if kinds is None or categories is None or not card.purpose_kinds or not card.data_categories:
        return False
    return kinds <= set(card.purpose_kinds) and categories <= {
        c.value for c in card.data_categories
    }


def _covering(
    proposal: Proposal, records: Sequence[DialogueRecord]
) -> list[tuple[DialogueRecord, CardResult]]:
    return [(r, c) for r in records for c in r.cards if covers(c, proposal)]


# ---------------------------------------------------------------- conditions as rules


def _plain_text(text: str) -> str:
    """Residents' words inside a message: braces would read as placeholders."""
    return " ".join(text.replace("{", "(").replace("}", ")").split())


def _rule_definition(
    record: DialogueRecord, card: CardResult, item: ResidentCondition, red_line: bool
) -> dict[str, Any]:
    said = _plain_text(item.said)
    where = f"dialogue record {record.id} ({_plain_text(record.title)}), card {card.id}"
    condition = parse_condition(item.requires, _SCOPE, "requires", [])
    names = sorted({n for n in facts_named(condition) if "[]" not in n}) if condition else []
    if red_line:
        title = f'Does the sharing stay clear of residents\' red line "{said}"?'
        messages = {
            "met": f'Residents\' red line "{said}" is not crossed ({where}).',
            "not_met": f'The sharing crosses residents\' red line "{said}" ({where}).',
            "unknown": f'Cannot tell whether residents\' red line "{said}" is crossed: '
            "the facts it needs are not stated.",
        }
        remedy = item.remedy or (
            "Change the proposal so that it stays clear of this red line; residents said "
            "they would not accept sharing that crosses it."
        )
    else:
        title = f'Does the sharing meet residents\' condition "{said}"?'
        messages = {
            "met": f'Meets residents\' condition "{said}" ({where}).',
            "not_met": f'Does not meet residents\' condition "{said}" ({where}).',
            "unknown": f'Cannot tell whether residents\' condition "{said}" is met: '
            "the facts it needs are not stated.",
        }
        remedy = item.remedy or "Change the proposal so that it meets this condition."
    sessions = ", ".join(
        f"{s.id} ({s.date.isoformat()})" if s.date else s.id for s in record.sessions
    )
    return {
        "id": f"{PACK_ID}.{record.id}.{card.id}.{item.id}",
        "version": "1",
        "title": title,
        "test": item.test,
        "features": list(item.features or (5,)),
        "severity": "blocking" if red_line else "advisory",
        "condition": item.requires,
        "requires": names,
        "messages": messages,
        "remedy": _plain_text(remedy),
        "sources": [f"Dialogue record {record.id}, card {card.id}; sessions: {sessions or 'none'}"],
    }


def voice_rules(covering: Sequence[tuple[DialogueRecord, CardResult]]) -> tuple[Rule, ...]:
    """Residents' conditions (advisory) and red lines (blocking) as rules."""
    definitions = [
        _rule_definition(record, card, item, red_line)
        for record, card in covering
        for red_line, items in ((False, card.conditions), (True, card.red_lines))
        for item in items
    ]
    file = _File(f"<{PACK_ID}>", {"rules": definitions}, {})
    collector = _Collector()
    rules = [
        _parse_rule(file, raw, f"$.rules[{i}]", _SCOPE, PACK_ID, collector)
        for i, raw in enumerate(definitions)
    ]
    if collector.problems:  # the record was validated when read, so this is a defect
        raise AssessmentError("; ".join(str(p) for p in collector.problems))
    return tuple(r for r in rules if r is not None)


def with_voice(pack: RulePack, rules: Sequence[Rule]) -> RulePack:
    """The pack with residents' rules added, under a digest of both."""
    content = json.dumps(
        [pack.digest, [r.definition for r in rules]], sort_keys=True, ensure_ascii=False
    )
    return attrs.evolve(
        pack,
        id=f"{pack.id}+{PACK_ID}",
        rules=tuple(sorted((*pack.rules, *rules), key=_rule_order)),
        digest=sha256_text(content),
        components=(*pack.components, (PACK_ID, "1")),
    )


# ---------------------------------------------------------------- the section


def _pooled(
    covering: Sequence[tuple[DialogueRecord, CardResult]], asks: Any, key: str | int
) -> Score | None:
    """Pool the answers to every question asking about ``key`` (a test or a feature)."""
    total = [0] * len(SCALE)
    people = 0
    for record, card in covering:
        most = 0
        for question in record.questions:
            counts = card.answers.get(question.id)
            if counts is None or asks(question) != key:
                continue
            total = [a + b for a, b in zip(total, counts, strict=True)]
            most = max(most, sum(counts))
        people += most
    return score(total, people)


def _section(
    proposal: Proposal,
    records: Sequence[DialogueRecord],
    covering: Sequence[tuple[DialogueRecord, CardResult]],
    rules: Sequence[Rule],
) -> PublicVoice:
    if not covering:
        if not records:
            why = "no dialogue records were given"
        elif _kinds(proposal) is None:
            why = "the proposal does not say what kinds of use the data is put to, and no "
            why += "case card was written from it"
        else:
            why = "no dialogue record covers this proposal's purpose kinds and data categories"
        return PublicVoice(False, f"{NO_VIEW}: {why}.")
    tests = {t: s for t in TESTS if (s := _pooled(covering, lambda q: q.test, t))}
    features = {str(n): s for n in range(1, 6) if (s := _pooled(covering, lambda q: q.feature, n))}
    sources = tuple(
        VoiceSource(
            record.id,
            card.id,
            card.title,
            len(record.sessions),
            max((sum(c) for c in card.answers.values()), default=0),
        )
        for record, card in covering
    )
    people = sum(s.participants for s in sources)
    sessions = sum(s.sessions for s in sources)
    summary = (
        f"{people} resident{'s' if people != 1 else ''} in {sessions} "
        f"session{'s' if sessions != 1 else ''} gave their view on sharing of this kind "
        f"({', '.join(f'{s.record}/{s.card}' for s in sources)})."
    )
    return PublicVoice(True, summary, sources, tests, features, tuple(r.id for r in rules))


def public_voice(proposal: Source, records: Records) -> PublicVoice:
    """What residents said about sharing of this proposal's kind, without assessing it.

    Use :meth:`Assessor.assess` with ``dialogue=`` for a verdict that includes it, and in
    which residents' conditions and red lines are checked.
    """
    from ._load import load_proposal

    loaded = load_proposal(proposal)
    found = load_records(records)
    covering = _covering(loaded, found)
    return _section(loaded, found, covering, voice_rules(covering))


def assess_with_voice(
    assessor: Assessor,
    proposal: Source,
    records: Records,
    *,
    timestamp: bool = False,
    as_of: dt.date | None = None,
) -> Verdict:
    """Assess with residents' conditions and red lines added to the assessor's pack."""
    from ._load import load_proposal

    loaded = load_proposal(proposal)
    found = load_records(records)
    covering = _covering(loaded, found)
    rules = voice_rules(covering)
    target = _with_rules(assessor, rules)
    verdict = target.assess(loaded, timestamp=timestamp, as_of=as_of)
    return attrs.evolve(verdict, public_voice=_section(loaded, found, covering, rules))


def with_residents(assessor: Assessor, proposal: Proposal, records: Records) -> Assessor:
    """The assessor whose pack adds the conditions and red lines of the residents whose
    records cover ``proposal`` (``assessor`` itself if none do), as ``assess`` with
    ``dialogue`` checks them. Which records cover a proposal depends only on its id, purpose
    kinds and data categories, so the same assessor serves every version of it that a
    repair plan tries (a plan never changes those)."""
    return _with_rules(assessor, voice_rules(_covering(proposal, load_records(records))))


def _with_rules(assessor: Assessor, rules: Sequence[Rule]) -> Assessor:
    from ._assess import assessor_for

    return assessor_for(with_voice(assessor.rules, rules)) if rules else assessor


# ---------------------------------------------------------------- reports

_CHART_W, _CHART_H, _BAR = 150, 40, 24
_NAMES = {
    "purposeful": "Purposeful",
    "proportionate": "Proportionate",
    "responsible": "Responsible",
}


def chart_svg(distribution: Sequence[int], label: str) -> str:
    """A small inline bar chart of answers 1 to 5 (no external resources)."""
    top = max(distribution) or 1
    bars = []
    for index, count in enumerate(distribution):
        height = round(count / top * (_CHART_H - 12))
        x = index * (_BAR + 6)
        bars.append(
            f'<rect x="{x}" y="{_CHART_H - 12 - height}" width="{_BAR}" height="{height}" '
            f'fill="#0b5394"></rect><text x="{x + _BAR / 2:g}" y="{_CHART_H - 1}" '
            f'font-size="10" text-anchor="middle" fill="#1b1f24">{index + 1}</text>'
        )
    return (
        f'<svg role="img" width="{_CHART_W}" height="{_CHART_H}" '
        f'viewBox="0 0 {_CHART_W} {_CHART_H}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{html.escape(label)}</title>{''.join(bars)}</svg>"
    )


def _describe(distribution: Sequence[int]) -> str:
    return ", ".join(f"{c} answered {v}" for v, c in zip(SCALE, distribution, strict=True))


def voice_html(voice: PublicVoice) -> str:
    """The public-voice section of an HTML report."""
    parts = [
        '<section class="public-voice" aria-labelledby="public-voice"><h2 id="public-voice">'
        "What residents said</h2>",
        f"<p>{html.escape(voice.summary)}</p>",
    ]
    if not voice.recorded:
        return "".join([*parts, "</section>"])
    parts.append(
        "<p>Scores are the mean answer from 1 (not at all) to 5 (yes, fully), with a 95% "
        "interval.</p><table><thead><tr><th>Asked about</th><th>Score</th><th>Interval</th>"
        "<th>Participants</th><th>Answers 1 to 5</th></tr></thead><tbody>"
    )
    rows = [(_NAMES[t], s) for t, s in voice.tests.items()]
    rows += [(f"Key feature {n}", s) for n, s in voice.features.items()]
    for name, s in rows:
        label = f"{name}: {_describe(s.distribution)}"
        parts.append(
            f"<tr><td>{html.escape(name)}</td><td>{s.mean:.2f}</td>"
            f"<td>{s.low:.2f} to {s.high:.2f}</td><td>{s.participants}</td>"
            f"<td>{chart_svg(s.distribution, label)}</td></tr>"
        )
    parts.append("</tbody></table>")
    if voice.findings:
        parts.append(
            f"<p>Residents' conditions and red lines are criteria of this assessment "
            f"({len(voice.findings)}): see the criteria whose id starts with "
            f"<code>{PACK_ID}.</code></p>"
        )
    return "".join([*parts, "</section>"])
