"""Re-assessing stored verdicts under a new rule pack: which outcomes would flip.

A *store* is a JSON Lines file (``.jsonl``), one record per line, or a folder of ``.json``
files (one record each) and ``.jsonl`` files, read in name order. A record is an object
``{"proposal": {...}, "verdict": {...}}`` with an optional ``"id"``: the proposal as given
to :func:`assess` and the verdict's JSON (:meth:`Verdict.to_dict`). See docs/changes.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import cattrs

from ._assess import Assessor, assessor_for, proposal_digest
from ._diff import VerdictDiff, _plain, diff_verdicts
from ._errors import Problem, ProposalError, _ProblemsError
from ._facts import today
from ._files import InputProblem, read_text_file
from ._load import proposal_from_dict
from ._model import Proposal
from ._rules import RulePack
from ._verdict import Outcome, PackInfo, Verdict, verdict_from_dict

__all__ = [
    "ReassessReport",
    "Reassessment",
    "StoreError",
    "StoredVerdict",
    "load_store",
    "reassess",
    "reassess_with",
]

_RECORD_KEYS = ("proposal", "verdict", "id")


class StoreError(_ProblemsError, ValueError):
    """A store of verdicts could not be read; ``problems`` lists every problem found."""

    kind = "store"


@attrs.frozen(slots=True)
class StoredVerdict:
    """One record of a store: where it is, the proposal, and the verdict made from it."""

    where: str  #: ``file:line`` for JSON Lines, the file for a ``.json`` record
    proposal: Proposal
    verdict: Verdict
    id: str | None = None


@attrs.frozen(slots=True)
class Reassessment:
    """A stored verdict beside the verdict the new pack gives the same proposal."""

    where: str
    id: str | None
    proposal_id: str
    as_of: str  #: the stored verdict's date (today if it recorded none)
    old_outcome: Outcome
    new_outcome: Outcome
    old_pack: PackInfo
    stale: bool  #: the stored proposal's digest is not the one the verdict records
    changes: VerdictDiff

    @property
    def flipped(self) -> bool:
        """Whether the outcome would change under the new pack."""
        return self.old_outcome is not self.new_outcome


@attrs.frozen(slots=True)
class ReassessReport:
    """Every record of a store re-assessed under one rule pack."""

    rule_pack: PackInfo
    results: tuple[Reassessment, ...]

    @property
    def flipped(self) -> tuple[Reassessment, ...]:
        """The records whose outcome would change."""
        return tuple(r for r in self.results if r.flipped)

    @property
    def stale(self) -> tuple[Reassessment, ...]:
        """The records whose proposal no longer matches their verdict's digest."""
        return tuple(r for r in self.results if r.stale)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the new pack, counts, and each record (see docs/changes.md)."""
        data = attrs.asdict(self, value_serializer=_plain)
        for record, result in zip(data["results"], self.results, strict=True):
            record["flipped"] = result.flipped
            record["changes"] = result.changes.to_dict()
        data["counts"] = {
            "records": len(self.results),
            "flipped": len(self.flipped),
            "stale": len(self.stale),
        }
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON, with sorted keys."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, sort_keys=True)


# ------------------------------------------------------------------ reading a store


def _raw_records(path: Path) -> Iterator[tuple[str, int | None, Any]]:
    """(file, line, parsed JSON or the Problem) for every record of a store."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".json", ".jsonl"))
        for file in files:
            yield from _raw_records(file)
        return
    label = str(path)
    try:
        text = read_text_file(path, label, limit=1 << 30)
    except InputProblem as exc:
        yield label, None, exc.problem
        return
    if path.suffix != ".jsonl":
        yield label, None, _parse(text, label, None)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield label, number, _parse(line, label, number)


def _parse(text: str, label: str, line: int | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return Problem(
            "$", f"not JSON: {exc.msg}", "write one JSON object", label, line, code="invalid-json"
        )


def _record(label: str, line: int | None, raw: Any) -> StoredVerdict | list[Problem]:
    where = f"{label}:{line}" if line is not None else label

    def problem(path: str, message: str, hint: str | None, code: str) -> Problem:
        return Problem(path, message, hint, label, line, code=code)

    if isinstance(raw, Problem):
        return [raw]
    if not isinstance(raw, Mapping):
        hint = 'write {"proposal": {...}, "verdict": {...}}'
        return [problem("$", "a record must be a JSON object", hint, "wrong-type")]
    problems = [
        problem(f"$.{key}", f"unknown key {key!r}", "keys: proposal, verdict, id", "unknown-key")
        for key in raw
        if key not in _RECORD_KEYS
    ]
    problems += [
        problem(f"$.{key}", "required but missing", None, "missing-required")
        for key in _RECORD_KEYS[:2]
        if key not in raw
    ]
    if problems:
        return problems
    try:
        proposal = proposal_from_dict(raw["proposal"])
    except ProposalError as err:
        problems += [
            problem(f"$.proposal{p.path[1:]}", p.message, p.hint, p.code) for p in err.problems
        ]
    try:
        verdict = verdict_from_dict(raw["verdict"])
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as err:
        detail = "; ".join(cattrs.transform_error(err)) if isinstance(err, ExceptionGroup) else err
        hint = "store the verdict's JSON as Verdict.to_dict() writes it"
        problems.append(problem("$.verdict", f"not a verdict: {detail}", hint, "invalid"))
    else:
        try:
            if verdict.as_of is not None:
                dt.date.fromisoformat(verdict.as_of)
        except ValueError:
            hint = "a date as YYYY-MM-DD"
            problems.append(problem("$.verdict.as_of", "not a date", hint, "invalid-value"))
    if problems:
        return problems
    ident = raw.get("id")
    return StoredVerdict(where, proposal, verdict, None if ident is None else str(ident))


def load_store(store: str | os.PathLike[str]) -> tuple[StoredVerdict, ...]:
    """Read every record of a store; raises :class:`StoreError` listing every problem."""
    path = Path(store)
    if not path.exists():
        hint = "check the path"
        missing = Problem("$", "no such file or folder", hint, str(path), code="not-found")
        raise StoreError([missing])
    records: list[StoredVerdict] = []
    problems: list[Problem] = []
    for label, line, raw in _raw_records(path):
        record = _record(label, line, raw)
        if isinstance(record, list):
            problems += record
        else:
            records.append(record)
    if problems:
        raise StoreError(problems)
    return tuple(records)


# ------------------------------------------------------------------ re-assessing


def reassess(
    store: str | os.PathLike[str] | tuple[StoredVerdict, ...],
    *,
    rules: RulePack | str | os.PathLike[str] | None = None,
) -> ReassessReport:
    """Re-assess every stored proposal under ``rules`` (the framework pack by default), each
    as of its stored verdict's date, and compare with the stored verdict.

    Raises :class:`StoreError` if a record cannot be read (nothing is re-assessed then).
    """
    return reassess_with(assessor_for(rules), store)


def reassess_with(
    assessor: Assessor, store: str | os.PathLike[str] | tuple[StoredVerdict, ...]
) -> ReassessReport:
    """:func:`reassess` with an :class:`Assessor` already compiled (as the CLI has)."""
    records = store if isinstance(store, tuple) else load_store(store)
    results = []
    for record in records:
        old = record.verdict
        day = dt.date.fromisoformat(old.as_of) if old.as_of else today()
        new = assessor.assess(record.proposal, as_of=day)
        results.append(
            Reassessment(
                where=record.where,
                id=record.id,
                proposal_id=record.proposal.id,
                as_of=day.isoformat(),
                old_outcome=old.outcome,
                new_outcome=new.outcome,
                old_pack=old.rule_pack,
                stale=proposal_digest(record.proposal) != old.proposal_digest,
                changes=diff_verdicts(old, new),
            )
        )
    pack = assessor.rules
    return ReassessReport(PackInfo(pack.id, pack.version, pack.digest), tuple(results))
