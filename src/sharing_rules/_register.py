"""The public register of data-sharing agreements: one searchable HTML page, CSV and JSON.

What is published, and what never is:

* Proposals stating ``public: false`` are left out entirely.
* Only organisations are named: each party's name, sector and role. Nothing is read from
  the fields that may name officers (the accountable owner, the DPIA and agreement
  references, the challenge route, the evaluation plan, engagement notes, resources notes):
  the register is built from a fixed list of fields, not by removing names from text.
* The purpose is the plain-language summary written for the public (or, if there is none,
  the purpose statement).

Decisions are read from decision records (docs/decisions.md, written by ``sharing-rules
decide``): what was decided and when. A record made on an earlier version of the proposal
(its proposal digest differs) is published as such. The provisional format that came before
(a YAML file mapping proposal id to ``decision`` and ``date``) is still read, with a
:class:`DeprecationWarning`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ._decision import DecisionRecord, Resolution, _decision_at
from ._dialogue import DialogueRecord
from ._errors import Problem, _ProblemsError
from ._files import InputProblem, read_text_file
from ._model import Party, Proposal
from ._page import esc, page
from ._render import OUTCOME_LABELS
from ._verdict import Verdict
from ._yaml import YamlProblem, line_for, parse_with_lines

__all__ = [
    "DECISIONS",
    "DecisionError",
    "RegisterEntry",
    "build_register",
    "load_decisions",
    "register_csv",
    "register_html",
    "register_json",
]

#: The decisions of the provisional decisions file (deprecated: read decision records).
DECISIONS = ("approved", "approved_with_conditions", "refused", "deferred", "withdrawn")
#: How the register words each decision of a decision record.
PUBLISHED = {
    Resolution.APPROVE: "approved",
    Resolution.APPROVE_WITH_CONDITIONS: "approved with conditions",
    Resolution.REJECT: "refused",
    Resolution.RETURN_FOR_INFORMATION: "returned for more information",
}
_SUFFIXES = (".yaml", ".yml", ".json")


class DecisionError(_ProblemsError, ValueError):
    """A decisions file could not be read; ``problems`` lists every problem with its line."""

    kind = "decisions file"


@attrs.frozen(slots=True)
class Decision:
    """A council's decision on a proposal, as the register publishes it."""

    decision: str
    date: dt.date
    #: The digest of the proposal decided on (a decision record's); ``None`` from the
    #: provisional format, which does not say.
    proposal_digest: str | None = None

    @classmethod
    def from_record(cls, record: DecisionRecord) -> Decision:
        """What the register publishes of a decision record."""
        return cls(PUBLISHED[record.decision], record.decided_on, record.proposal_digest)


@attrs.frozen(slots=True)
class RegisterEntry:
    """One agreement in the public register: only what may be published."""

    id: str
    title: str
    organisations: tuple[str, ...]  #: "name (sector; role)" of each party
    purpose: str | None
    data: tuple[str, ...]  #: each item's name and category
    legal_basis: str | None
    created: str | None
    updated: str | None
    review_date: str | None
    dpia_status: str | None
    verdict: str
    decision: str | None
    decision_date: str | None
    public_view: str


def load_decisions(*paths: str | Path) -> dict[str, Decision]:
    """The decisions in decision records (files, or folders of ``*.yaml``/``*.json`` records),
    by proposal id; raise :class:`DecisionError` listing every problem.

    A file in the provisional format (``PROPOSAL-ID: {decision: approved, date: 2026-02-01}``)
    is still read, with a :class:`DeprecationWarning`.
    """
    out: dict[str, Decision] = {}
    problems: list[Problem] = []
    for path in paths:
        folder = Path(path)
        files = (
            sorted(f for f in folder.iterdir() if f.suffix in _SUFFIXES and f.is_file())
            if folder.is_dir()
            else [folder]
        )
        for file in files:
            try:
                found = _decisions_in(file)
            except _ProblemsError as err:
                problems += err.problems
                continue
            for key, decision in found.items():
                if key in out:
                    problems.append(
                        Problem(
                            "$",
                            f"a second decision on {key}",
                            "give the current decision on each proposal once",
                            str(file),
                            code="duplicate-id",
                        )
                    )
                out[key] = decision
    if problems:
        raise DecisionError(problems)
    return out


def _decisions_in(path: Path) -> dict[str, Decision]:
    label = str(path)
    try:
        data, lines = parse_with_lines(read_text_file(path, label), label)
    except (InputProblem, YamlProblem) as exc:
        raise DecisionError([exc.problem]) from None
    if isinstance(data, Mapping) and "proposal_id" in data:  # a decision record
        record = _decision_at(data, lines, label)
        return {record.proposal_id: Decision.from_record(record)}
    warnings.warn(
        f"{label}: the provisional decisions file (proposal id -> decision and date) is "
        "deprecated; write a decision record for each proposal with `sharing-rules decide` "
        "(docs/decisions.md)",
        DeprecationWarning,
        stacklevel=3,
    )
    return _provisional(data, lines, label)


def _provisional(data: Any, lines: dict[str, int], label: str) -> dict[str, Decision]:
    """The provisional format's decisions (deprecated)."""
    if not isinstance(data, Mapping):
        raise DecisionError(
            [Problem("$", "map each proposal id to its decision", None, label, code="wrong-type")]
        )
    out: dict[str, Decision] = {}
    problems = []
    for key, value in data.items():
        where = f"$.{key}"
        if not isinstance(value, Mapping) or set(value) != {"decision", "date"}:
            problems.append(
                Problem(
                    where, "give exactly decision and date", None, label, code="invalid-decision"
                )
            )
            continue
        decision, date = value["decision"], value["date"]
        if decision not in DECISIONS:
            problems.append(
                Problem(
                    f"{where}.decision",
                    f"{decision!r} is not one of: {', '.join(DECISIONS)}",
                    code="not-allowed-value",
                )
            )
            continue
        if not isinstance(date, dt.date):
            problems.append(
                Problem(f"{where}.date", "write the date as YYYY-MM-DD", code="wrong-type")
            )
            continue
        out[str(key)] = Decision(decision, date)
    if problems:
        located = [attrs.evolve(p, source=label, line=line_for(lines, p.path)) for p in problems]
        raise DecisionError(located)
    return out


def _words(value: object) -> str:
    return str(getattr(value, "value", value)).replace("_", " ")


def _legal(proposal: Proposal) -> str | None:
    basis = proposal.legal_basis
    if basis is None:
        return None
    parts = []
    if basis.article_6:
        parts.append(f"UK GDPR Article 6: {_words(basis.article_6)}")
    if basis.article_9_condition:
        parts.append(f"Article 9: {_words(basis.article_9_condition)}")
    if basis.statutory_gateway:
        parts.append(" ".join(basis.statutory_gateway.split()))
    return "; ".join(parts) or None


def _organisation(party: Party) -> str:
    details = [_words(party.sector)] if party.sector else []
    if party.roles:
        details.append(" and ".join(_words(r) for r in party.roles))
    return f"{party.name} ({'; '.join(details)})" if details else party.name


def _public_view(verdict: Verdict) -> str:
    voice = verdict.public_voice
    if voice is None:
        return "No public view recorded."
    if not voice.recorded:
        return voice.summary
    scores = "; ".join(
        f"{test} {s.mean:.2f} of 5 ({s.low:.2f} to {s.high:.2f}, {s.participants} people)"
        for test, s in voice.tests.items()
    )
    return f"{voice.summary} {scores}".strip()


def _entry(proposal: Proposal, verdict: Verdict, decision: Decision | None) -> RegisterEntry:
    transparency, purpose = proposal.transparency, proposal.purpose
    said = (transparency and transparency.plain_language_summary) or (purpose and purpose.statement)
    governance = proposal.governance
    return RegisterEntry(
        id=proposal.id,
        title=proposal.title,
        organisations=tuple(_organisation(p) for p in proposal.parties or ()),
        purpose=" ".join(said.split()) if said else None,
        data=tuple(
            f"{i.name} ({_words(i.category)})" if i.category else i.name
            for i in proposal.data_items or ()
        ),
        legal_basis=_legal(proposal),
        created=proposal.created.isoformat() if proposal.created else None,
        updated=proposal.updated.isoformat() if proposal.updated else None,
        review_date=governance.review_date.isoformat()
        if governance and governance.review_date
        else None,
        dpia_status=_words(governance.dpia_status)
        if governance and governance.dpia_status
        else None,
        verdict=OUTCOME_LABELS[verdict.outcome],
        decision=_decided(proposal, decision) if decision else None,
        decision_date=decision.date.isoformat() if decision else None,
        public_view=_public_view(verdict),
    )


def _decided(proposal: Proposal, decision: Decision) -> str:
    from ._assess import proposal_digest

    said = _words(decision.decision)
    if decision.proposal_digest not in (None, proposal_digest(proposal)):
        said += " (on an earlier version of the proposal)"
    return said


def build_register(
    proposals: Sequence[Proposal],
    decisions: Mapping[str, Decision],
    dialogue: Sequence[DialogueRecord] = (),
) -> tuple[RegisterEntry, ...]:
    """The register's entries: every proposal not marked ``public: false``, assessed (with
    the dialogue records, if any), in id order. A decision for a proposal not given is an
    error, so that a typing mistake cannot hide a decision."""
    from ._assess import assess

    ids = {p.id for p in proposals}
    unknown = sorted(set(decisions) - ids)
    if unknown:
        raise DecisionError(
            [
                Problem(
                    f"$.{i}",
                    "a decision for a proposal that was not given",
                    code="unknown-proposal",
                )
                for i in unknown
            ]
        )
    entries = []
    for proposal in sorted(proposals, key=lambda p: p.id):
        if proposal.public is False:
            continue
        verdict = assess(proposal, dialogue=list(dialogue) if dialogue else None)
        entries.append(_entry(proposal, verdict, decisions.get(proposal.id)))
    return tuple(entries)


_COLUMNS = [f.name for f in attrs.fields(RegisterEntry)]


def register_json(entries: Sequence[RegisterEntry]) -> str:
    """The register as JSON (an object with ``entries``; see ``register.schema.json``)."""
    rows = [attrs.asdict(e) for e in entries]
    return json.dumps({"entries": rows}, indent=2, ensure_ascii=False) + "\n"


def register_csv(entries: Sequence[RegisterEntry]) -> str:
    """The register as CSV, one row per agreement; lists are joined with " | "."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for entry in entries:
        row: list[Any] = []
        for name in _COLUMNS:
            value = getattr(entry, name)
            row.append(" | ".join(value) if isinstance(value, tuple) else value or "")
        writer.writerow(row)
    return out.getvalue()


_SEARCH = """
(function () {
  var box = document.getElementById('search');
  var entries = document.querySelectorAll('[data-entry]');
  var status = document.getElementById('search-status');
  box.hidden = false;
  document.getElementById('search-label').hidden = false;
  box.addEventListener('input', function () {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (entry) {
      var text = entry.textContent.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      entry.hidden = !match;
      if (match) { shown += 1; }
    });
    status.textContent = shown + ' of ' + entries.length + ' agreements shown';
  });
})();
"""


def register_html(entries: Sequence[RegisterEntry], title: str = "Register of data sharing") -> str:
    """One self-contained page; a small inline script adds search (the page works without)."""
    body = [
        f"<h1>{esc(title)}</h1>",
        f"<p>{len(entries)} agreement{'s' if len(entries) != 1 else ''}. Each entry shows who "
        "shares the data, what for, what data, the legal basis, the dates, the data protection "
        "impact assessment, the assessment against the Data for Public Benefit framework, "
        "the decision, and what residents said.</p>",
        '<p><label id="search-label" for="search" hidden>Search the register</label> '
        '<input id="search" type="search" hidden> '
        '<span id="search-status" role="status"></span></p>',
    ]
    for entry in entries:
        rows = [
            ("Organisations", entry.organisations),
            ("Purpose", entry.purpose),
            ("Data", entry.data),
            ("Legal basis", entry.legal_basis),
            ("Created", entry.created),
            ("Updated", entry.updated),
            ("Review date", entry.review_date),
            ("DPIA", entry.dpia_status),
            ("Assessment", entry.verdict),
            ("Decision", f"{entry.decision} on {entry.decision_date}" if entry.decision else None),
            ("What residents said", entry.public_view),
        ]
        body.append(
            f'<article class="report" data-entry="{esc(entry.id)}" '
            f'aria-labelledby="entry-{esc(entry.id)}">'
            f'<h2 id="entry-{esc(entry.id)}">{esc(entry.title)}</h2>'
            f'<p class="meta">Reference {esc(entry.id)}</p><dl class="register">'
        )
        for name, value in rows:
            if isinstance(value, tuple):
                shown = "<ul>" + "".join(f"<li>{esc(v)}</li>" for v in value) + "</ul>"
            else:
                shown = esc(value) if value else "Not stated"
            body.append(f"<dt>{esc(name)}</dt><dd>{shown}</dd>")
        body.append("</dl></article>")
    css = ".register { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }"
    css += " .register dt { font-weight: 600; } .register dd { margin: 0; }"
    css += " .register ul { margin: 0; padding-left: 1.2rem; }"
    return page(title, "\n".join(body), script=_SEARCH, css=css)
