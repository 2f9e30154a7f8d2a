"""A case-management service that assesses data-sharing proposals and keeps the verdicts.

POST /assessments                  assess a proposal sent as JSON; store and return the verdict
GET  /assessments/<id>             the stored verdict, with the proposal it was made from
GET  /assessments/<id>/reproduce   assess the stored proposal again and compare

Each verdict is stored with the digest of the rule pack and of the proposal that produced
it, and the proposal itself, so the decision can be reproduced and checked later.

Run it (needs Flask: pip install flask):

    flask --app examples/integrations/case_management_service.py run
    curl -s -X POST localhost:5000/assessments -H 'Content-Type: application/json' \\
        --data @proposal.json
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, request

import sharing_rules as sr

SCHEMA = """
CREATE TABLE IF NOT EXISTS assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    proposal_digest TEXT NOT NULL,
    rule_pack_id TEXT NOT NULL,
    rule_pack_version TEXT NOT NULL,
    rule_pack_digest TEXT NOT NULL,
    library_version TEXT NOT NULL,
    proposal_json TEXT NOT NULL,
    verdict_json TEXT NOT NULL
)
"""


def create_app(database: str = "assessments.sqlite3", rules: sr.RulePack | None = None) -> Flask:
    """The service, storing verdicts in the SQLite file ``database``.

    ``rules`` is the rule pack to assess with (the framework pack by default). It is
    compiled once, here, and the assessor is shared by every request: it is thread-safe.
    """
    app = Flask("case_management_service")
    assessor = sr.Assessor(rules)

    @contextlib.contextmanager
    def connect() -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(database)
        try:
            with connection:  # commits, or rolls back on an exception
                yield connection
        finally:
            connection.close()

    with connect() as db:
        db.execute(SCHEMA)

    @app.post("/assessments")
    def create_assessment() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return problem(400, "Invalid request", "Send the proposal as a JSON object.")
        try:
            proposal = sr.proposal_from_dict(body)
        except sr.ProposalError as err:
            return problem(
                400,
                "Invalid proposal",
                f"{len(err.problems)} problem(s) in the proposal.",
                problems=[
                    {"path": p.path, "message": p.message, "hint": p.hint} for p in err.problems
                ],
            )
        try:
            verdict = assessor.assess(proposal)
        except sr.AssessmentError as err:  # fail closed: no verdict, nothing stored
            return problem(500, "Assessment failed", str(err))
        pack = verdict.rule_pack
        with connect() as db:
            cursor = db.execute(
                "INSERT INTO assessments (proposal_id, outcome, proposal_digest, rule_pack_id,"
                " rule_pack_version, rule_pack_digest, library_version, proposal_json,"
                " verdict_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    verdict.proposal_id,
                    verdict.outcome.value,
                    verdict.proposal_digest,
                    pack.id,
                    pack.version,
                    pack.digest,
                    verdict.library_version,
                    json.dumps(sr.proposal_to_dict(proposal), ensure_ascii=False),
                    verdict.to_json(indent=None),
                ),
            )
        number = cursor.lastrowid
        response = as_json({"id": number, "verdict": verdict.to_dict()}, 201)
        response.headers["Location"] = f"/assessments/{number}"
        return response

    @app.get("/assessments/<int:number>")
    def get_assessment(number: int) -> Response:
        row = fetch(number)
        if row is None:
            return problem(404, "Not found", f"There is no assessment {number}.")
        return as_json(
            {
                "id": number,
                "verdict": json.loads(row["verdict_json"]),
                "proposal": json.loads(row["proposal_json"]),
            }
        )

    @app.get("/assessments/<int:number>/reproduce")
    def reproduce(number: int) -> Response:
        """Assess the stored proposal again with this service's rules and compare."""
        row = fetch(number)
        if row is None:
            return problem(404, "Not found", f"There is no assessment {number}.")
        stored = sr.verdict_from_dict(json.loads(row["verdict_json"]))
        proposal = sr.proposal_from_dict(json.loads(row["proposal_json"]))
        checks = {
            # The stored proposal is the one the verdict was made from.
            "proposal_unchanged": sr.proposal_digest(proposal) == row["proposal_digest"],
            # The rules in force now are the rules that made the decision.
            "same_rule_pack": assessor.rules.digest == row["rule_pack_digest"],
        }
        # As of the stored verdict's date: a review date that has passed since is not a
        # change in the decision, and the verdict records the date it was made as of.
        as_of = dt.date.fromisoformat(stored.as_of) if stored.as_of else None
        again = assessor.assess(proposal, as_of=as_of)
        # The same proposal, rules and date give the same verdict: equal Verdicts, whichever
        # JSON shape (schema_version) the stored one was written in; byte for byte if the same.
        checks["same_verdict"] = again == stored
        was = {f.rule_id: f.status.value for f in stored.findings}
        now = {f.rule_id: f.status.value for f in again.findings}
        changed = [
            {"rule_id": rule_id, "was": was.get(rule_id), "now": now.get(rule_id)}
            for rule_id in sorted(was.keys() | now.keys())
            if was.get(rule_id) != now.get(rule_id)
        ]
        return as_json(
            {
                "id": number,
                "reproduced": all(checks.values()),
                "checks": checks,
                "stored": {"outcome": stored.outcome.value, "rule_pack": row_pack(row)},
                "now": {
                    "outcome": again.outcome.value,
                    "rule_pack": {
                        "id": again.rule_pack.id,
                        "version": again.rule_pack.version,
                        "digest": again.rule_pack.digest,
                    },
                },
                "changed_findings": changed,
            }
        )

    def fetch(number: int) -> sqlite3.Row | None:
        with connect() as db:
            db.row_factory = sqlite3.Row
            row: sqlite3.Row | None = db.execute(
                "SELECT * FROM assessments WHERE id = ?", (number,)
            ).fetchone()
        return row

    return app


def row_pack(row: sqlite3.Row) -> dict[str, str]:
    return {
        "id": row["rule_pack_id"],
        "version": row["rule_pack_version"],
        "digest": row["rule_pack_digest"],
    }


def as_json(data: Any, status: int = 200, mimetype: str = "application/json") -> Response:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Response(text, status=status, mimetype=mimetype)


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    """An RFC 9457 problem document."""
    body = {"status": status, "title": title, "detail": detail, **extra}
    return as_json(body, status, "application/problem+json")
