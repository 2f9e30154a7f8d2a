"""The integration examples in examples/integrations/ run and do what their guides say."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import sharing_rules as sr
from sharing_rules._verdict import _v1_dict

ROOT = Path(__file__).resolve().parent.parent
INTEGRATIONS = ROOT / "examples" / "integrations"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
VERDICT_SCHEMA = Draft202012Validator(sr.verdict_schema())


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, INTEGRATIONS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def proposal_json(path: Path) -> dict[str, Any]:
    return sr.proposal_to_dict(sr.load_proposal(path))


# ---------------------------------------------------------------- case-management service

service = load_example("case_management_service")


@pytest.fixture
def database(tmp_path: Path) -> str:
    return str(tmp_path / "assessments.sqlite3")


@pytest.fixture
def client(database: str) -> Iterator[Any]:
    app = service.create_app(database)
    app.testing = True
    with app.test_client() as test_client:
        yield test_client


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_post_returns_and_stores_the_verdict(client: Any, database: str, path: Path) -> None:
    response = client.post("/assessments", json=proposal_json(path))
    assert response.status_code == 201
    body = response.get_json()
    expected = sr.assess(path)
    assert body["verdict"] == expected.to_dict()
    assert not list(VERDICT_SCHEMA.iter_errors(body["verdict"]))
    assert response.headers["Location"] == f"/assessments/{body['id']}"

    with sqlite3.connect(database) as db:
        row = db.execute(
            "SELECT proposal_digest, rule_pack_id, rule_pack_version, rule_pack_digest,"
            " outcome, verdict_json FROM assessments WHERE id = ?",
            (body["id"],),
        ).fetchone()
    pack = sr.load_rules()
    assert row[:5] == (
        expected.proposal_digest,
        pack.id,
        pack.version,
        pack.digest,
        expected.outcome.value,
    )
    assert row[5] == expected.to_json(indent=None)  # stored byte for byte


def test_get_returns_the_stored_verdict_and_proposal(client: Any) -> None:
    proposal = proposal_json(ROOT / "examples" / "gang-list-schools.yaml")
    created = client.post("/assessments", json=proposal).get_json()
    response = client.get(f"/assessments/{created['id']}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["verdict"] == created["verdict"]
    assert body["verdict"]["outcome"] == "not_acceptable"
    assert body["proposal"] == proposal


def test_each_assessment_gets_its_own_id(client: Any) -> None:
    proposal = proposal_json(ROOT / "examples" / "fire-safety-visits.yaml")
    ids = [client.post("/assessments", json=proposal).get_json()["id"] for _ in range(3)]
    assert ids == [1, 2, 3]


def test_a_stored_decision_reproduces(client: Any) -> None:
    for path in EXAMPLES:
        created = client.post("/assessments", json=proposal_json(path)).get_json()
        check = client.get(f"/assessments/{created['id']}/reproduce").get_json()
        assert check["reproduced"] is True, check
        assert check["checks"] == {
            "proposal_unchanged": True,
            "same_rule_pack": True,
            "same_verdict": True,
        }
        assert check["changed_findings"] == []


def test_a_decision_stored_by_an_older_release_still_reproduces(client: Any, database: str) -> None:
    """A row whose verdict JSON is in the old shape (schema_version 1) loads and reproduces."""
    path = ROOT / "examples" / "gang-list-schools.yaml"
    created = client.post("/assessments", json=proposal_json(path)).get_json()
    old = json.dumps(_v1_dict(sr.assess(path)), ensure_ascii=False, sort_keys=True)
    with sqlite3.connect(database) as db:
        db.execute("UPDATE assessments SET verdict_json = ? WHERE id = ?", (old, created["id"]))
    stored = client.get(f"/assessments/{created['id']}").get_json()
    assert stored["verdict"]["schema_version"] == 1  # served as it was stored
    check = client.get(f"/assessments/{created['id']}/reproduce").get_json()
    assert check["reproduced"] is True, check
    assert check["checks"]["same_verdict"] is True
    assert check["changed_findings"] == []


def test_reproduce_reports_changed_rules(database: str) -> None:
    first = service.create_app(database).test_client()
    created = first.post(
        "/assessments", json=proposal_json(ROOT / "examples" / "gp-research-tre.yaml")
    ).get_json()
    stricter = sr.load_rules(severity={"responsible.savings-estimated": "blocking"})
    later = service.create_app(database, rules=stricter).test_client()
    check = later.get(f"/assessments/{created['id']}/reproduce").get_json()
    assert check["reproduced"] is False
    assert check["checks"]["proposal_unchanged"] is True
    assert check["checks"]["same_rule_pack"] is False
    assert check["stored"]["rule_pack"]["digest"] == sr.load_rules().digest
    assert check["now"]["rule_pack"]["digest"] == stricter.digest
    assert check["stored"]["outcome"] == "acceptable_with_conditions"
    # the savings estimate is left out, not stated as none: missing information, not a failure
    assert check["now"]["outcome"] == "insufficient_information"


def test_reproduce_detects_a_changed_proposal(client: Any, database: str) -> None:
    created = client.post(
        "/assessments", json=proposal_json(ROOT / "examples" / "fire-safety-visits.yaml")
    ).get_json()
    with sqlite3.connect(database) as db:
        (text,) = db.execute("SELECT proposal_json FROM assessments").fetchone()
        tampered = json.loads(text)
        tampered["title"] = "Something else"
        db.execute("UPDATE assessments SET proposal_json = ?", (json.dumps(tampered),))
    check = client.get(f"/assessments/{created['id']}/reproduce").get_json()
    assert check["reproduced"] is False
    assert check["checks"]["proposal_unchanged"] is False


def test_an_invalid_proposal_is_400_with_every_problem(client: Any, database: str) -> None:
    response = client.post(
        "/assessments",
        json={"id": "DSP-1", "title": "A proposal", "purpse": {}, "data_items": "none"},
    )
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400
    problems = {p["path"]: p for p in body["problems"]}
    assert problems["$.purpse"]["hint"] == "did you mean 'purpose'?"
    assert "$.data_items" in problems
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM assessments").fetchone() == (0,)


@pytest.mark.parametrize(
    "kwargs",
    [{"data": "id: DSP-1"}, {"json": ["not", "an", "object"]}, {"json": "DSP-1"}],
    ids=["not-json", "a-list", "a-string"],
)
def test_a_body_that_is_not_a_json_object_is_400(client: Any, kwargs: dict[str, Any]) -> None:
    response = client.post("/assessments", **kwargs)
    assert response.status_code == 400
    assert response.get_json()["title"] == "Invalid request"


def test_an_unknown_assessment_is_404(client: Any) -> None:
    assert client.get("/assessments/7").status_code == 404
    assert client.get("/assessments/7/reproduce").status_code == 404


def test_an_engine_failure_is_500_and_stores_nothing(
    client: Any, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: sr.Assessor, proposal: object, **kwargs: object) -> sr.Verdict:
        raise sr.AssessmentError("the engine failed")

    monkeypatch.setattr(sr.Assessor, "assess", fail)
    response = client.post(
        "/assessments", json=proposal_json(ROOT / "examples" / "fire-safety-visits.yaml")
    )
    assert response.status_code == 500
    assert "verdict" not in response.get_json()
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM assessments").fetchone() == (0,)


# ---------------------------------------------------------------- CI pre-check


def precheck(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the pre-check script as a CI job would, with this Python's scripts on PATH."""
    environ = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environ.get("PATH", "")])
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, str(INTEGRATIONS / "dsa_precheck.py"), *args],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def agreements(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "agreements"
    folder.mkdir()
    for name in names:
        shutil.copy(ROOT / "examples" / name, folder / name)
    return folder


def test_precheck_fails_on_not_acceptable_and_writes_every_report(tmp_path: Path) -> None:
    agreements(tmp_path, *(p.name for p in EXAMPLES))
    result = precheck(tmp_path, "agreements", "reports")
    assert result.returncode == 1, result.stderr
    reports = tmp_path / "reports"
    for path in EXAMPLES:
        report = (reports / f"{path.stem}.md").read_text(encoding="utf-8")
        verdict = sr.assess(path)
        assert report.startswith(f"# Assessment of {verdict.proposal_id}")
        assert verdict.rule_pack.digest in report
        assert f"{path.name}: " in result.stdout
    lines = (reports / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()
    # The command line also records each proposal's title and file as given (issue 14).
    assert [json.loads(line) for line in lines] == [
        {
            **sr.assess(p).to_dict(),
            "title": sr.load_proposal(p).title,
            "source": f"agreements/{p.name}",
        }
        for p in EXAMPLES
    ]
    summary = (reports / "summary.md").read_text(encoding="utf-8")
    assert "| `gang-list-schools.yaml` | DSP-2026-009 | **not acceptable** |" in summary
    assert "[fire-safety-visits.md](fire-safety-visits.md)" in summary
    assert "exit status 1" in summary
    assert sr.load_rules().digest in summary


def test_precheck_passes_when_every_agreement_is_acceptable(tmp_path: Path) -> None:
    agreements(tmp_path, "fire-safety-visits.yaml", "gp-research-tre.yaml")
    result = precheck(tmp_path, "agreements", "reports")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "fire-safety-visits.md",
        "gp-research-tre.md",
        "summary.md",
        "verdicts.jsonl",
    ]
    # --strict fails "acceptable with conditions" too
    assert precheck(tmp_path, "agreements", "strict-reports", "--strict").returncode == 1


def test_precheck_with_a_local_pack(tmp_path: Path) -> None:
    agreements(tmp_path, "gang-list-schools.yaml")
    pack = str(ROOT / "examples" / "council-pack")
    result = precheck(tmp_path, "agreements", "reports", "--rules", pack)
    assert result.returncode == 1
    report = (tmp_path / "reports" / "gang-list-schools.md").read_text(encoding="utf-8")
    assert "council.children-dpia-completed" in report
    assert "framework+council-local" in (tmp_path / "reports" / "summary.md").read_text()


def test_precheck_reports_an_unreadable_agreement_and_checks_the_rest(tmp_path: Path) -> None:
    folder = agreements(tmp_path, "fire-safety-visits.yaml")
    (folder / "broken.yaml").write_text("id: DSP-1\ntitle: x\npurpse: {}\n", encoding="utf-8")
    result = precheck(tmp_path, "agreements", "reports")
    assert result.returncode == 2
    assert "$.purpse" in result.stderr
    assert (tmp_path / "reports" / "fire-safety-visits.md").exists()
    assert not (tmp_path / "reports" / "broken.md").exists()
    summary = (tmp_path / "reports" / "summary.md").read_text(encoding="utf-8")
    assert "| `broken.yaml` | | error:" in summary


def test_precheck_without_sharing_rules_on_path_uses_python_m(tmp_path: Path) -> None:
    agreements(tmp_path, "fire-safety-visits.yaml")
    result = precheck(tmp_path, "agreements", "reports", env={"PATH": "/nonexistent"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "reports" / "fire-safety-visits.md").exists()


def test_precheck_adds_the_summary_to_the_github_job_summary(tmp_path: Path) -> None:
    agreements(tmp_path, "fire-safety-visits.yaml")
    job_summary = tmp_path / "job-summary.md"
    result = precheck(
        tmp_path, "agreements", "reports", env={"GITHUB_STEP_SUMMARY": str(job_summary)}
    )
    assert result.returncode == 0
    assert job_summary.read_text() == (tmp_path / "reports" / "summary.md").read_text()


def test_precheck_of_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    agreements(tmp_path)
    assert precheck(tmp_path, "agreements", "reports").returncode == 2


# ---------------------------------------------------------------- example test suites

EXAMPLE_SUITES = sorted(INTEGRATIONS.glob("test_*.py"))


@pytest.mark.parametrize("suite", EXAMPLE_SUITES, ids=lambda p: p.name)
def test_the_example_test_suites_pass(suite: Path) -> None:
    """Examples written as test suites (the property-based testing guide's) pass as a user
    would run them."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_reproduce_assesses_as_of_the_stored_verdicts_date(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # regression: reproduce assessed as of today, so a stored decision stopped reproducing
    # once the proposal's review date had passed
    created = client.post(
        "/assessments", json=proposal_json(ROOT / "examples" / "fire-safety-visits.yaml")
    ).get_json()
    assert created["verdict"]["outcome"] == "acceptable"
    monkeypatch.setattr("sharing_rules._assess.today", lambda: dt.date(2040, 1, 1))
    check = client.get(f"/assessments/{created['id']}/reproduce").get_json()
    assert check["reproduced"] is True, check
    assert check["now"]["outcome"] == "acceptable"
