"""Decision records (issue 14): reading them, checking them against a verdict, and the
sign-off section of every report. A decision never changes a verdict's outcome, and a
decision on another proposal or pack is stale, never applied."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

import sharing_rules as sr
import sharing_rules.strategies as srs
from sharing_rules._cli import cli
from sharing_rules._decision import WAIVABLE, decision_schema_text

ROOT = Path(__file__).parent.parent
PUPILS = ROOT / "examples" / "pupil-risk-scores.yaml"
COUNCIL = ROOT / "examples" / "council-pack"
FAILED = "proportionate.child-profiling-safeguarded"  # the one finding not met in PUPILS
AS_OF = dt.date(2026, 11, 29)
SCHEMA = Draft202012Validator(json.loads(decision_schema_text()), format_checker=FormatChecker())


def run(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def test_a_waiver_covers_a_finding_not_met_or_unknown_and_nothing_else() -> None:
    """The vocabulary the CLI, the model and these tests read (WAIVABLE), pinned once."""
    assert {sr.Status.NOT_MET, sr.Status.UNKNOWN} == WAIVABLE
    assert set(sr.Status) - WAIVABLE == {sr.Status.MET, sr.Status.NOT_APPLICABLE}


def record_for(verdict: sr.Verdict, **changes: Any) -> dict[str, Any]:
    """A valid decision record's data on ``verdict``: approved, waiving every blocking
    finding not met or unknown (until well after the verdict's date)."""
    gaps = [f.rule_id for f in verdict.findings if f.blocking and f.status in WAIVABLE]
    data: dict[str, Any] = {
        "proposal_id": verdict.proposal_id,
        "proposal_digest": verdict.proposal_digest,
        "rule_pack": verdict.rule_pack.id,
        "rule_pack_digest": verdict.rule_pack.digest,
        "as_of": verdict.as_of,
        "verdict_outcome": verdict.outcome.value,
        "decision": "approve",
        "decided_by": "Sam Patel",
        "role": "Senior Information Risk Owner",
        "decided_on": "2026-11-30",
        "dpo": {"followed": True},
        "waivers": [
            {"rule_id": r, "justification": "Accepted for a pilot.", "until": "2027-05-31"}
            for r in gaps
        ],
    }
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def verdict() -> sr.Verdict:
    return sr.assess(PUPILS, as_of=AS_OF)


# ---------------------------------------------------------------- the record


def test_a_record_reads_back_from_what_it_writes(verdict: sr.Verdict) -> None:
    record = sr.decision_from_dict(
        record_for(
            verdict,
            decision="approve_with_conditions",
            conditions=["A person reviews every score."],
            residual_risk={"likelihood": "possible", "severity": "significant"},
            dpo={"followed": False, "advice": "Do not profile.", "reason": "A small pilot."},
        )
    )
    assert record.residual_risk is not None and record.residual_risk.overall is sr.RiskLevel.MEDIUM
    assert sr.decision_from_dict(yaml.safe_load(record.to_yaml())) == record
    assert sr.decision_from_dict(json.loads(record.to_json())) == record
    assert record.to_dict()["residual_risk"]["level"] == "medium"  # written for people


@pytest.mark.parametrize(
    ("likelihood", "severity", "level"),
    [  # the 3 x 3 matrix, written out by hand
        ("remote", "minimal", "low"),
        ("remote", "significant", "low"),
        ("remote", "severe", "medium"),
        ("possible", "minimal", "low"),
        ("possible", "significant", "medium"),
        ("possible", "severe", "high"),
        ("probable", "minimal", "medium"),
        ("probable", "significant", "high"),
        ("probable", "severe", "high"),
    ],
)
def test_residual_risk_follows_the_ico_matrix(likelihood: str, severity: str, level: str) -> None:
    assert sr.risk_level(sr.Likelihood(likelihood), sr.Severity(severity)).value == level


def test_a_dpo_overruled_without_a_reason_is_refused(verdict: sr.Verdict) -> None:
    with pytest.raises(sr.DecisionError) as caught:
        sr.decision_from_dict(record_for(verdict, dpo={"followed": False, "advice": "No."}))
    [problem] = caught.value.problems
    assert problem.path == "$.dpo.reason" and problem.code == "missing-required"
    assert SCHEMA.is_valid(json.loads(json.dumps(record_for(verdict))))
    assert not SCHEMA.is_valid(record_for(verdict, dpo={"followed": False}))


def test_every_problem_is_reported_with_its_line_and_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "decision.yaml"
    path.write_text(
        "proposal_id: DSP-1\n"
        "proposal_digest: sha256:abc\n"
        "rule_pak: framework\n"
        "as_of: 2026-11-29\n"
        "verdict_outcome: notacceptable\n"
        "decision: approve_with_conditions\n"
        "decided_by: Sam\n"
        "role: SIRO\n"
        "decided_on: 2026-11-30\n"
        "dpo: {followed: true}\n"
        "residual_risk: {likelihood: possible, severity: severe, level: low}\n",
        encoding="utf-8",
    )
    with pytest.raises(sr.DecisionError) as caught:
        sr.load_decision(path)
    found = {(p.path, p.line): p for p in caught.value.problems}
    assert found[("$.rule_pak", 3)].hint == "did you mean 'rule_pack'?"
    assert found[("$.rule_pak", 3)].code == "unknown-key"
    assert "did you mean 'not_acceptable'" in (found[("$.verdict_outcome", 5)].hint or "")
    assert "make the risk high" in found[("$.residual_risk.level", 11)].message
    assert ("$.rule_pack_digest", 1) in found
    assert all(p.source == str(path) for p in caught.value.problems)


def test_conditions_and_digests_and_duplicate_waivers_are_checked(verdict: sr.Verdict) -> None:
    data = record_for(verdict, decision="approve_with_conditions", proposal_digest="sha256:ab")
    data["waivers"] = data["waivers"] * 2
    with pytest.raises(sr.DecisionError) as caught:
        sr.decision_from_dict(data)
    assert [p.path for p in caught.value.problems] == ["$.proposal_digest"]
    data["proposal_digest"] = verdict.proposal_digest  # cross-field checks follow
    with pytest.raises(sr.DecisionError) as caught:
        sr.decision_from_dict(data)
    assert {p.path for p in caught.value.problems} == {"$.conditions", "$.waivers[1].rule_id"}


# ---------------------------------------------------------------- applying it


def test_a_current_decision_applies_its_waiver_and_keeps_the_outcome(
    verdict: sr.Verdict,
) -> None:
    review = sr.apply_decision(verdict, sr.decision_from_dict(record_for(verdict)), today=AS_OF)
    assert review.current and review.stale == ()
    assert [(c.waiver.rule_id, c.status) for c in review.waivers] == [
        (FAILED, sr.WaiverStatus.APPLIES)
    ]
    assert [f.rule_id for f in review.waived] == [FAILED]
    assert review.unwaived == () and review.issues == ()
    assert review.outcome is verdict.outcome is sr.Outcome.NOT_ACCEPTABLE


def test_a_decision_on_an_edited_proposal_is_stale_and_not_applied(
    verdict: sr.Verdict,
) -> None:
    record = sr.decision_from_dict(record_for(verdict))
    edited = attrs.evolve(sr.load_proposal(PUPILS), title="A new title")
    later = sr.assess(edited, as_of=AS_OF)
    assert later.outcome is verdict.outcome  # only the digest tells them apart
    review = sr.apply_decision(later, record, today=AS_OF)
    assert not review.current
    assert review.stale == ("the proposal has changed since the decision (its digest differs)",)
    assert [c.status for c in review.waivers] == [sr.WaiverStatus.NOT_APPLIED]
    assert review.waived == ()
    assert "STALE" in sr.render_text(later, decision=review)


def test_a_decision_under_a_changed_pack_is_stale(verdict: sr.Verdict) -> None:
    record = sr.decision_from_dict(record_for(verdict))
    other = sr.assess(PUPILS, rules=COUNCIL, as_of=AS_OF)
    review = sr.apply_decision(other, record, today=AS_OF)
    assert review.stale == ("the rule pack has changed since the decision (its digest differs)",)
    assert [c.status for c in review.waivers] == [sr.WaiverStatus.NOT_APPLIED]


def test_a_decision_on_another_date_is_stale_only_if_the_outcome_changed(
    verdict: sr.Verdict,
) -> None:
    same = sr.decision_from_dict(record_for(verdict, as_of="2026-01-01"))
    assert sr.apply_decision(verdict, same, today=AS_OF).current
    changed = sr.decision_from_dict(
        record_for(verdict, as_of="2026-01-01", verdict_outcome="acceptable")
    )
    [reason] = sr.apply_decision(verdict, changed, today=AS_OF).stale
    assert "not acceptable" in reason and "as of 2026-01-01" in reason


def test_an_expired_waiver_is_reported_and_leaves_the_finding_unwaived(
    verdict: sr.Verdict,
) -> None:
    record = sr.decision_from_dict(record_for(verdict))
    review = sr.apply_decision(verdict, record, today=dt.date(2027, 6, 1))
    assert [c.status for c in review.waivers] == [sr.WaiverStatus.EXPIRED]
    assert [f.rule_id for f in review.unwaived] == [FAILED]
    assert any("expired on 2027-05-31" in issue for issue in review.issues)
    assert any(issue.startswith("approved with 1 blocking finding") for issue in review.issues)
    assert "[expired]" in sr.render_text(verdict, decision=review)


def test_waivers_of_met_or_unknown_rules_do_not_apply(verdict: sr.Verdict) -> None:
    met = next(f.rule_id for f in verdict.findings if f.status is sr.Status.MET)
    data = record_for(verdict, decision="reject")
    data["waivers"] = [
        {"rule_id": met, "justification": "x", "until": "2027-01-01"},
        {"rule_id": FAILED.replace("-", "_"), "justification": "x", "until": "2027-01-01"},
    ]
    review = sr.apply_decision(verdict, sr.decision_from_dict(data), today=AS_OF)
    assert [c.status for c in review.waivers] == [
        sr.WaiverStatus.NOT_NEEDED,
        sr.WaiverStatus.NO_SUCH_FINDING,
    ]
    assert f"did you mean {FAILED!r}" in review.issues[1]
    assert len(review.issues) == 2  # a rejection leaves nothing unwaived to question


def test_approving_a_failed_verdict_without_waivers_is_flagged(verdict: sr.Verdict) -> None:
    review = sr.apply_decision(
        verdict, sr.decision_from_dict(record_for(verdict, waivers=[])), today=AS_OF
    )
    assert [f.rule_id for f in review.unwaived] == [FAILED]
    assert review.issues == (
        f"approved with 1 blocking finding not met or unknown and not waived: {FAILED}",
    )


@settings(max_examples=15)
@given(srs.proposals(), st.sampled_from(list(sr.Resolution)), st.booleans())
def test_a_waiver_never_changes_the_verdict_or_its_outcome(
    proposal: sr.Proposal, resolution: sr.Resolution, expired: bool
) -> None:
    verdict = sr.assess(proposal, as_of=AS_OF)
    before = verdict.to_json()
    data = record_for(verdict, decision=resolution.value, conditions=["A condition."])
    # Waive every finding that is not met or unknown, advisory ones too.
    data["waivers"] = [
        {"rule_id": f.rule_id, "justification": "Accepted.", "until": "2027-01-01"}
        for f in verdict.findings
        if f.status in WAIVABLE
    ]
    review = sr.apply_decision(
        verdict,
        sr.decision_from_dict(data),
        today=dt.date(2028, 1, 1) if expired else AS_OF,
    )
    assert review.outcome is verdict.outcome
    assert verdict.to_json() == before
    label = sr.render_text(verdict).splitlines()[3]  # the outcome line, after the date
    assert label.startswith("Outcome: ")
    assert sr.render_text(verdict, decision=review).splitlines()[3] == label
    expected = sr.WaiverStatus.EXPIRED if expired else sr.WaiverStatus.APPLIES
    assert {c.status for c in review.waivers} <= {expected}


# ---------------------------------------------------------------- every report format


def test_every_format_gains_the_sign_off_section(verdict: sr.Verdict) -> None:
    record = sr.decision_from_dict(
        record_for(
            verdict,
            decision="approve_with_conditions",
            conditions=["A person reviews <every> score."],
            residual_risk={"likelihood": "remote", "severity": "severe"},
            dpo={"followed": False, "advice": "Do not.", "reason": "A pilot."},
        )
    )
    text = sr.render_text(verdict, decision=record)
    markdown = sr.render_markdown(verdict, decision=record)
    page = sr.render_html(verdict, decision=record)
    for report in (text, markdown, page):
        assert "Decision and sign-off" in report
        assert "Approve with conditions" in report
        assert "Sam Patel, Senior Information Risk Owner, on 2026-11-30" in report
        assert "medium (remote likelihood, severe severity)" in report
        assert FAILED in report.split("Decision and sign-off")[1]
        assert "no: A pilot." in report
    assert "  DPO's advice followed: no: A pilot.\n" in text
    assert "A person reviews <every> score." in text
    assert "A person reviews &lt;every&gt; score." in page
    assert '<section class="decision" data-decision="current">' in page
    assert "| `" + FAILED + "` | applies |" in markdown
    assert "Decision and sign-off" not in sr.render_text(verdict)


# ---------------------------------------------------------------- the command line


def test_decide_then_assess_with_the_decision_round_trips(tmp_path: Path) -> None:
    target = tmp_path / "decision.yaml"
    written = run(
        "decide", PUPILS, "--as-of", "2026-11-29", "--on", "2026-11-30",
        "--decision", "approve_with_conditions", "--by", "Sam Patel", "--role", "SIRO",
        "--dpo", "overruled", "--dpo-reason", "A small pilot.",
        "--condition", "A person reviews every score.",
        "--likelihood", "possible", "--severity", "significant",
        "--waive", FAILED, "--reason", "Six-month pilot.", "--until", "2027-05-31",
        "-o", target,
    )  # fmt: skip
    assert written.exit_code == 0, written.stderr
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert SCHEMA.is_valid(json.loads(json.dumps(data, default=str)))
    record = sr.load_decision(target)
    verdict = sr.assess(PUPILS, as_of=AS_OF)
    assert record.proposal_digest == verdict.proposal_digest
    assert record.rule_pack_digest == verdict.rule_pack.digest
    assert record.waivers == (sr.Waiver(FAILED, "Six-month pilot.", dt.date(2027, 5, 31)),)
    report = run("assess", PUPILS, "--as-of", "2026-11-29", "--decision", target)
    assert report.exit_code == 1  # the verdict's status: a decision does not change it
    assert "Outcome: NOT ACCEPTABLE" in report.stdout
    assert f"{FAILED} [applies] until 2027-05-31" in report.stdout
    assert "STALE" not in report.stdout
    as_json = json.loads(
        run(
            "assess", PUPILS, "--as-of", "2026-11-29", "--decision", target, "--format", "json"
        ).stdout
    )
    assert as_json["verdict"]["outcome"] == "not_acceptable"
    assert as_json["decision"]["current"] is True
    assert as_json["decision"]["waivers"][0]["status"] == "applies"
    # The proposal edited: the same decision is stale.
    edited = tmp_path / "pupils.yaml"
    edited.write_text(PUPILS.read_text(encoding="utf-8").replace("title:", "title: Edited", 1))
    stale = run("assess", edited, "--as-of", "2026-11-29", "--decision", target)
    assert "STALE: this decision was made on another verdict" in stale.stdout
    assert "not applied (stale decision)" in stale.stdout


def test_decide_writes_json_that_the_schema_accepts(tmp_path: Path) -> None:
    target = tmp_path / "decision.json"
    result = run(
        "decide", PUPILS, "--decision", "reject", "--by", "A", "--role", "SIRO",
        "--dpo", "followed", "-o", target,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    assert SCHEMA.is_valid(data) and data["decision"] == "reject"
    again = run(
        "decide", PUPILS, "--decision", "reject", "--by", "A", "--role", "SIRO",
        "--dpo", "followed", "-o", target,
    )  # fmt: skip
    assert again.exit_code == 2 and "never overwritten" in again.stderr


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--dpo", "overruled"], "$.dpo.reason"),
        (["--dpo", "followed"], f"the blocking finding {FAILED} is not met and not waived"),
        (
            ["--dpo", "followed", "--waive", "purposeful.nothing", "--reason", "x",
             "--until", "2027-01-01"],
            "the waiver of purposeful.nothing does not apply: no such finding",
        ),
        (["--dpo", "followed", "--waive", FAILED], "give --reason and --until for each"),
    ],
)  # fmt: skip
def test_decide_refuses_what_a_dpo_would_send_back(flags: list[str], message: str) -> None:
    result = run("decide", PUPILS, "--decision", "approve", "--by", "A", "--role", "B", *flags)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_decide_without_a_terminal_names_the_missing_flags() -> None:
    result = run("decide", PUPILS, "--decision", "reject")
    assert result.exit_code == 2
    assert "missing --by, --role, --dpo" in result.stderr


def test_decide_asks_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from sharing_rules import _cli_decide

    monkeypatch.setattr(_cli_decide, "_interactive", lambda: True)
    answers = "approve\nSam Patel\nSIRO\nfollowed\ny\nPilot.\n2027-05-31\n"
    target = tmp_path / "d.yaml"
    result = run("decide", PUPILS, "-o", target, input=answers)
    assert result.exit_code == 0, result.output
    record = sr.load_decision(target)
    assert record.decision is sr.Resolution.APPROVE and record.decided_by == "Sam Patel"
    assert record.waivers[0].rule_id == FAILED


def test_the_schema_command_prints_the_decision_schema() -> None:
    result = run("schema", "decision")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(decision_schema_text())
    shipped = ROOT / "src" / "sharing_rules" / "schemas" / "decision.schema.json"
    assert shipped.read_text(encoding="utf-8") == decision_schema_text(), (
        "run: python -c 'from sharing_rules._decision import write_decision_schema as w; w()'"
    )


def test_the_shipped_example_decision_is_valid_and_current() -> None:
    path = ROOT / "examples" / "decisions" / "pupil-risk-scores.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert SCHEMA.is_valid(json.loads(json.dumps(data, default=str)))
    record = sr.load_decision(path)
    verdict = sr.assess(PUPILS, as_of=record.as_of)
    review = sr.apply_decision(verdict, record, today=record.decided_on)
    assert review.current and [f.rule_id for f in review.waived] == [FAILED]


# ---------------------------------------------------------------- reports fit to file


def test_reports_show_paths_from_1_with_the_proposal_lines_and_json_keeps_0(
    tmp_path: Path,
) -> None:
    path = tmp_path / "items.yaml"
    path.write_text(
        "id: DSP-T\n"  # line 1
        "title: Two data items\n"
        "data_items:\n"
        "  - name: Full name\n"  # line 4: the first item
        "    category: identifier\n"
        "    justification: So that partners know who is on the list.\n"
        "  - name: Date of birth\n"  # line 7: the second item
        "    category: demographic\n"
        "    identifiability: identified\n",  # line 9
        encoding="utf-8",
    )
    text = run("assess", path).stdout
    # The second item's justification is not stated: the line is the item's.
    assert "$.data_items[2].justification (line 7): expected = yes, found not stated" in text
    assert "$.data_items[2].identifiability (line 9): expected one of" in text
    assert "$.data_items[1].identifiability (line 4): expected" in text
    assert "$.purpose.kinds" in text and "$.purpose.kinds (line" not in text  # no purpose
    markdown = run("assess", path, "--format", "markdown").stdout
    assert "`$.data_items[2].justification (line 7)`" in markdown
    page = run("assess", path, "--format", "html").stdout
    assert "<code>$.data_items[2].justification (line 7)</code>" in page
    # JSON keeps the 0-based paths, without lines.
    document = run("assess", path, "--format", "json").stdout
    assert '"$.data_items[1].justification"' in document
    assert "(line" not in document
    assert "$.data_items[2]" not in document


def test_reports_are_dated_and_name_title_source_and_every_pack(tmp_path: Path) -> None:
    result = run("assess", PUPILS, "--as-of", "2026-03-01", "--rules", COUNCIL)
    head = result.stdout.splitlines()[:3]
    title = sr.load_proposal(PUPILS).title
    assert head == [f"DSP-2026-034: {title}", str(PUPILS), "Assessed as of 2026-03-01"]
    assert "Rule pack: framework 1.0.0 + council-local 2026.1" in result.stdout
    document = json.loads(run("assess", PUPILS, "--format", "json").stdout)
    assert document["title"] == title and document["source"] == str(PUPILS)
    assert "title" not in sr.assess(PUPILS).to_dict()  # Python callers' JSON is unchanged
    local = sr.assess(PUPILS, rules=COUNCIL)
    assert local.rule_pack.components == (("framework", "1.0.0"), ("council-local", "2026.1"))
    assert sr.verdict_from_dict(json.loads(local.to_json())) == local
    assert local.to_dict() == json.loads(local.to_json())  # plain data: lists, not tuples
    assert "components" not in sr.assess(PUPILS).to_dict()["rule_pack"]


def test_fresh_reports_list_the_tests_in_the_pack_order(verdict: sr.Verdict) -> None:
    names = [t.name for t in sr.load_rules().tests.values()]
    for report in (sr.render_text(verdict), sr.render_markdown(verdict), sr.render_html(verdict)):
        positions = [report.index(name) for name in names]
        assert positions == sorted(positions)
