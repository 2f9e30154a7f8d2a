"""Dialogue kits: a plain-language case card, questions and a response sheet for a session.

The kit is what a facilitator takes into a community session about one proposal: a case
card that says in plain words what would be shared, by whom, with whom, what for, and with
what safeguards (no jargon, no field names); the questions (data: a council can replace
the file); a printable response sheet; the response sheet as CSV, whose rows
``sharing-rules dialogue ingest`` reads; and a plan, the dialogue record to fill in with
the sessions, residents' conditions and red lines.
"""

from __future__ import annotations

import re

import yaml

from ._dialogue import CardResult, DialogueRecord, QuestionSet, purpose_kinds
from ._model import Frequency, Identifiability, OnwardSharing, Period, Proposal, Setting
from ._page import esc, page

__all__ = ["case_card", "kit_html", "kit_plan", "plan_yaml", "response_csv"]

_OFTEN = {
    Frequency.ONE_OFF: "once only",
    Frequency.AD_HOC: "when it is needed",
    Frequency.DAILY: "every day",
    Frequency.WEEKLY: "every week",
    Frequency.MONTHLY: "every month",
    Frequency.QUARTERLY: "every three months",
    Frequency.ANNUALLY: "once a year",
    Frequency.CONTINUOUS: "all the time",
}
_SETTING = {
    Setting.TRUSTED_RESEARCH_ENVIRONMENT: "They can only look at it in a locked-down system "
    "for research.",
    Setting.SECURE_RECIPIENT_SYSTEMS: "It is kept on secure computer systems.",
    Setting.RECIPIENT_SYSTEMS: "It is kept on their own computer systems.",
    Setting.OPEN: "It is not kept in a locked-down place.",
}
_ONWARD = {
    OnwardSharing.PROHIBITED: "They may not pass it on to anyone else.",
    OnwardSharing.WITH_PROVIDER_AGREEMENT: "They may pass it on only if the sender agrees.",
    OnwardSharing.PERMITTED: "They may pass it on to others.",
}
NOT_OURS = (
    "These questions are ours. The report Data for Public Benefit (2018) had its own list "
    "of questions, but we could not see it. A council can use its own questions instead."
)


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _period(period: Period) -> str:
    parts = [(period.years, "year"), (period.months, "month"), (period.days, "day")]
    return _names([f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n])


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


Card = list[tuple[str, str, tuple[str, ...]]]


def case_card(proposal: Proposal) -> Card:
    """The case card as (heading, plain-language text, list items) entries, written from what
    the proposal states."""
    card: Card = []
    parties = proposal.parties or ()
    givers = [p.name for p in parties if p.roles and "provider" in p.roles]
    takers = [p.name for p in parties if p.roles and "recipient" in p.roles]
    who = []
    if givers:
        who.append(f"{_names(givers)} would share the data.")
    if takers:
        who.append(f"{_names(takers)} would get it.")
    who += [f"{p.name} is a private company." for p in parties if p.private_contractor]
    if who:
        card.append(("Who", " ".join(who), ()))
    purpose = proposal.purpose
    said = (proposal.transparency and proposal.transparency.plain_language_summary) or (
        purpose and purpose.statement
    )
    if said:
        card.append(("What for", _sentence(said), ()))
    items = proposal.data_items or ()
    if items:
        what = ["They would share these details about each person."]
        levels = {i.identifiability for i in items}
        if Identifiability.IDENTIFIED in levels:
            what.append("The data shows who each person is.")
        elif levels == {Identifiability.PSEUDONYMISED}:
            what.append("Names are taken out and a code is used instead.")
        elif levels and None not in levels:
            what.append("The data does not show who people are.")
        card.append(("What", " ".join(what), tuple(i.name for i in items)))
    subjects = proposal.data_subjects
    if subjects and subjects.description:
        about = _sentence(subjects.description)
        if subjects.approximate_count:
            about += f" That is about {subjects.approximate_count:,} people."
        if subjects.includes_children:
            about += " Some of them are children."
        card.append(("About whom", about, ()))
    how = []
    if proposal.sharing and proposal.sharing.frequency:
        how.append(f"The data is sent {_OFTEN[proposal.sharing.frequency]}.")
    if proposal.sharing and proposal.sharing.automated_decisions:
        how.append("A computer makes decisions about people, with no person checking.")
    safeguards = proposal.safeguards
    if safeguards and safeguards.setting:
        how.append(_SETTING[safeguards.setting])
    if safeguards and safeguards.retention_period:
        how.append(f"They keep it for {_period(safeguards.retention_period)}.")
    if purpose and purpose.onward_sharing:
        how.append(_ONWARD[purpose.onward_sharing])
    if safeguards and safeguards.audit_logging:
        how.append("Each time someone looks at the data, it is written down.")
    if proposal.transparency and proposal.transparency.individuals_informed:
        how.append("The people on the list are told about it.")
    if how:
        card.append(("How it is kept safe", " ".join(how), ()))
    return card


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_") or "card"


def kit_plan(proposal: Proposal, questions: QuestionSet) -> DialogueRecord:
    """The dialogue record to fill in: the card, the questions, and no sessions yet."""
    kinds = getattr(proposal.purpose, "kinds", None) if proposal.purpose else None
    items = proposal.data_items or ()
    categories = tuple(dict.fromkeys(i.category for i in items if i.category is not None))
    card = CardResult(
        id=_slug(proposal.id),
        title=proposal.title,
        proposal=proposal.id,
        purpose_kinds=tuple(str(getattr(k, "value", k)) for k in kinds)
        if kinds and all(str(getattr(k, "value", k)) in purpose_kinds() for k in kinds)
        else None,
        data_categories=categories or None,
    )
    return DialogueRecord(
        id=f"dialogue-{_slug(proposal.id)}",
        title=f"What residents said about: {proposal.title}",
        questions=questions.questions,
        cards=(card,),
    )


_PLAN_HEAD = """\
# The plan of a dialogue about one proposal (written by `sharing-rules dialogue kit`).
# Before the sessions: list each session under sessions (id, date, place, host, method,
# and who took part in broad terms; never names). After them: write down the conditions
# residents attached and the red lines they drew, each as a condition in the rule
# language (see docs/public-voice.md), then run
#   sharing-rules dialogue ingest --plan plan.yaml SHEET.csv... --output record.json
"""


def plan_yaml(plan: DialogueRecord) -> str:
    """The plan as YAML, with a comment on what to fill in."""
    text = yaml.safe_dump(plan.to_dict(), sort_keys=False, allow_unicode=True, width=88)
    return _PLAN_HEAD + text


def response_csv(questions: QuestionSet) -> str:
    """The response sheet's header: one row per participant and card is filled below it."""
    return ",".join(["session", "card", "participant", *(q.id for q in questions.questions)]) + "\n"


def kit_html(proposal: Proposal, questions: QuestionSet, sheets: int = 1) -> str:
    """The kit as one page that prints on A4: the case card, the questions with the note
    that they are ours, and ``sheets`` printable response sheets."""
    card_id = _slug(proposal.id)
    body = [
        '<article class="sheet" aria-labelledby="card-title">',
        '<p class="kicker">Case card</p>',
        f'<h1 id="card-title">{esc(proposal.title)}</h1>',
    ]
    for heading, text, items in case_card(proposal):
        body.append(f"<h2>{esc(heading)}</h2><p>{esc(text)}</p>")
        if items:
            body.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
    body += [
        "<h2>Questions to talk about</h2>",
        "<p>For each question, pick one answer:</p>",
        "<ol>" + "".join(f"<li>{esc(s)}</li>" for s in questions.scale) + "</ol>",
        "<ol>",
        *(f'<li class="question">{esc(q.text)}</li>' for q in questions.questions),
        "</ol>",
        f'<p class="note">{esc(NOT_OURS)}</p>',
        "</article>",
    ]
    for number in range(1, sheets + 1):
        body += [
            f'<article class="sheet" aria-labelledby="sheet-{number}">',
            f'<h1 id="sheet-{number}">Response sheet</h1>',
            f"<p>Card: <strong>{esc(card_id)}</strong>. Session: ________ "
            "Participant number: ____</p>",
            "<p>Tick one box for each question. Leave it blank if you do not want to answer.</p>",
        ]
        for q in questions.questions:
            boxes = "".join(
                f"<span>&#9744; {value} {esc(label)}</span>"
                for value, label in enumerate(questions.scale, 1)
            )
            body.append(
                f'<div class="question"><h2>{esc(q.id)}. {esc(q.text)}</h2>'
                f'<p class="answer-boxes">{boxes}</p></div>'
            )
        body.append("</article>")
    return page(f"Dialogue kit: {proposal.title}", "\n".join(body))
