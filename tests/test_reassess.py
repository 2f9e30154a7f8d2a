"""Re-assessing stored verdicts: exactly the outcomes a changed rule flips, stale records
flagged, each record re-assessed as of its own date, and bad stores refused whole."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sharing_rules as sr
from sharing_rules._cli import cli
from sharing_rules.strategies import proposals

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DAY = dt.date(2026, 11, 29)
STRICTER = """\
id: stricter
version: "1"
title: Public engagement required
description: Makes public engagement blocking.
overrides:
  severity: {responsible.public-engagement: blocking}
"""


@pytest.fixture(scope="module")
def stricter(tmp_path_factory: pytest.TempPathFactory) -> sr.RulePack:
    folder = tmp_path_factory.mktemp("stricter")
    (folder / "pack.yaml").write_text(STRICTER)
    return sr.load_rules(folder)


def _record(proposal: Any, verdict: sr.Verdict, ident: object = None) -> str:
    data = sr.proposal_to_dict(sr.load_proposal(proposal))
    record = {"proposal": data, "verdict": verdict.to_dict()}
    if ident is not None:
        record["id"] = ident
    return json.dumps(record)


def _store(path: Path, proposals: list[sr.Proposal], day: dt.date = DAY) -> Path:
    lines = [_record(p, sr.assess(p, as_of=day), i) for i, p in enumerate(proposals)]
    path.write_text("\n".join(lines) + "\n")
    return path


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(proposals(), proposals(outcome=sr.Outcome.ACCEPTABLE_WITH_CONDITIONS)),
        min_size=1,
        max_size=5,
    )
)
def test_reassess_finds_exactly_the_flipped_outcomes(
    stricter: sr.RulePack, tmp_path_factory: pytest.TempPathFactory, items: list[sr.Proposal]
) -> None:
    store = _store(tmp_path_factory.mktemp("store") / "store.jsonl", items)
    report = sr.reassess(store, rules=stricter)
    expected = [
        sr.assess(p, as_of=DAY).outcome is not sr.assess(p, as_of=DAY, rules=stricter).outcome
        for p in items
    ]
    assert [r.flipped for r in report.results] == expected
    assert [r.new_outcome for r in report.results] == [
        sr.assess(p, as_of=DAY, rules=stricter).outcome for p in items
    ]
    assert report.rule_pack.digest == stricter.digest
    assert not report.stale
    same = sr.reassess(store)  # under the pack that made them, nothing flips or changes
    assert not same.flipped and all(r.changes.empty for r in same.results)


def test_a_known_flip(stricter: sr.RulePack, tmp_path: Path) -> None:
    # gp-research-tre is acceptable with conditions and engaged the public; housing benefit
    # matching, once repaired but for public engagement, is too, and did not engage.
    v2 = EXAMPLES / "versions" / "housing-benefit-matching-v2.yaml"
    store = _store(tmp_path / "s.jsonl", [sr.load_proposal(v2)])
    [result] = sr.reassess(store, rules=stricter).results
    assert result.old_outcome is sr.Outcome.ACCEPTABLE_WITH_CONDITIONS
    assert result.new_outcome is sr.Outcome.NOT_ACCEPTABLE
    [finding] = result.changes.findings  # only its severity changed
    assert finding.rule_id == "responsible.public-engagement"
    assert finding.old_status is finding.new_status is sr.Status.NOT_MET
    assert (finding.old_severity, finding.new_severity) == ("advisory", "blocking")
    assert [(c.name, c.new) for c in result.changes.tests] == [("responsible", "not_met")]
    assert result.where == f"{store}:1" and result.id == "0"


def test_stale_records_are_flagged(tmp_path: Path) -> None:
    proposal = sr.load_proposal(EXAMPLES / "fire-safety-visits.yaml")
    verdict = sr.assess(proposal, as_of=DAY)
    edited = {**sr.proposal_to_dict(proposal), "title": "Edited after the verdict"}
    (tmp_path / "a.json").write_text(json.dumps({"proposal": edited, "verdict": verdict.to_dict()}))
    (tmp_path / "b.json").write_text(_record(proposal, verdict))
    (tmp_path / "notes.txt").write_text("not a record")
    report = sr.reassess(tmp_path)
    assert [(Path(r.where).name, r.stale) for r in report.results] == [
        ("a.json", True),
        ("b.json", False),
    ]


def test_each_record_is_reassessed_as_of_its_own_date(tmp_path: Path) -> None:
    # A review date between the stored date and today: as of the stored date it is to come.
    data = sr.proposal_to_dict(sr.load_proposal(EXAMPLES / "fire-safety-visits.yaml"))
    data["governance"]["review_date"] = "2026-06-01"
    early = dt.date(2026, 1, 1)
    store = _store(tmp_path / "s.jsonl", [sr.load_proposal(data)], day=early)
    [result] = sr.reassess(store).results
    assert result.as_of == "2026-01-01"
    assert not result.flipped and result.changes.empty
    assert sr.assess(data, as_of=early).outcome is not sr.assess(data, as_of=DAY).outcome


def test_a_bad_store_is_refused_with_every_problem(tmp_path: Path) -> None:
    good = _record(
        EXAMPLES / "fire-safety-visits.yaml", sr.assess(EXAMPLES / "fire-safety-visits.yaml")
    )
    store = tmp_path / "s.jsonl"
    lines = [good, "{not json", json.dumps({"proposal": {"id": "x"}, "verdict": {}, "extra": 1})]
    store.write_text("\n".join(lines) + "\n")
    with pytest.raises(sr.StoreError) as caught:
        sr.load_store(store)
    where = [(p.line, p.path, p.code) for p in caught.value.problems]
    assert (2, "$", "invalid-json") in where
    assert (3, "$.extra", "unknown-key") in where
    assert isinstance(caught.value, ValueError)
    result = CliRunner().invoke(cli, ["reassess", str(store)])
    assert result.exit_code == 2 and "s.jsonl:3" in result.output


def test_the_reassess_command(stricter: sr.RulePack, tmp_path: Path) -> None:
    v2 = EXAMPLES / "versions" / "housing-benefit-matching-v2.yaml"
    fire = EXAMPLES / "fire-safety-visits.yaml"
    store = _store(tmp_path / "s.jsonl", [sr.load_proposal(v2), sr.load_proposal(fire)])
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text(STRICTER)
    runner = CliRunner()
    result = runner.invoke(cli, ["reassess", str(store), "--rules", str(pack)])
    assert result.exit_code == 1, result.output
    assert "1 would flip" in result.output
    data = json.loads(runner.invoke(cli, ["reassess", str(store), "--format", "json"]).output)
    assert data["counts"] == {"records": 2, "flipped": 0, "stale": 0}
    assert runner.invoke(cli, ["reassess", str(store)]).exit_code == 0


def test_plan_diff_and_reassess_share_the_compiled_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each compiles a pack only when no assessor of its digest is cached (assessor_for),
    whether the pack is given as the default, a RulePack or a folder's path."""
    from collections import OrderedDict

    from sharing_rules import _assess

    built: list[str] = []
    compile_pack = _assess.Assessor.__init__

    def counting(self: _assess.Assessor, rules: Any = None) -> None:
        compile_pack(self, rules)
        built.append(self.rules.digest)

    monkeypatch.setattr(_assess, "_assessors", OrderedDict())
    monkeypatch.setattr(_assess.Assessor, "__init__", counting)
    housing, v2 = EXAMPLES / "housing-benefit-matching.yaml", EXAMPLES / "versions"
    store = _store(tmp_path / "s.jsonl", [sr.load_proposal(housing)])
    default = sr.load_rules().digest
    assert built == [default]  # the store's verdict
    sr.repair_plan(housing, as_of=DAY)
    sr.diff_proposals(housing, v2 / "housing-benefit-matching-v2.yaml", as_of=DAY)
    sr.reassess(store)
    assert built == [default]
    council = EXAMPLES / "council-pack"
    sr.repair_plan(housing, rules=council, as_of=DAY)
    sr.diff_proposals(housing, housing, rules=sr.load_rules(council), as_of=DAY)
    sr.reassess(store, rules=council)
    assert built == [default, sr.load_rules(council).digest]
