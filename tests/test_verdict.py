"""The outcome logic on hand-made findings, and the verdict's JSON shape (see also
test_verdict_compat.py for verdicts stored in the old shape)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import attrs
import pytest

import sharing_rules as sr
from sharing_rules._verdict import _LINES, _LINES_MAX, _converter, _stored, _v1_dict, decide

TESTS = {"purposeful": "Purposeful", "proportionate": "Proportionate", "responsible": "Responsible"}
FEATURES = {1: "One", 2: "Two"}
S = sr.Status


def _f(
    test: str, status: sr.Status, severity: str = "blocking", features: tuple[int, ...] = (1,)
) -> sr.Finding:
    return sr.Finding(
        rule_id=f"{test}.{status.value}.{severity}",
        rule_version="1",
        title="?",
        test=test,
        features=features,
        severity=severity,
        status=status,
        message="m",
    )


def _met_everywhere() -> list[sr.Finding]:
    return [_f(t, S.MET, features=(1, 2)) for t in TESTS]


@pytest.mark.parametrize(
    ("extra", "outcome", "tests"),
    [
        ([], sr.Outcome.ACCEPTABLE, ("met", "met", "met")),
        ([_f("proportionate", S.NOT_MET)], sr.Outcome.NOT_ACCEPTABLE, ("met", "not_met", "met")),
        (
            [_f("responsible", S.UNKNOWN)],
            sr.Outcome.INSUFFICIENT_INFORMATION,
            ("met", "met", "undetermined"),
        ),
        (
            [_f("responsible", S.UNKNOWN), _f("purposeful", S.NOT_MET)],
            sr.Outcome.NOT_ACCEPTABLE,
            ("not_met", "met", "undetermined"),
        ),
        (
            [_f("purposeful", S.NOT_MET, "advisory")],
            sr.Outcome.ACCEPTABLE_WITH_CONDITIONS,
            ("met", "met", "met"),
        ),
        (
            [_f("purposeful", S.UNKNOWN, "advisory")],
            sr.Outcome.ACCEPTABLE_WITH_CONDITIONS,
            ("met", "met", "met"),
        ),
        ([_f("purposeful", S.NOT_APPLICABLE)], sr.Outcome.ACCEPTABLE, ("met", "met", "met")),
    ],
)
def test_outcome_table(
    extra: list[sr.Finding], outcome: sr.Outcome, tests: tuple[str, str, str]
) -> None:
    got, test_results, _ = decide(_met_everywhere() + extra, TESTS, FEATURES)
    assert got is outcome
    assert tuple(r.status.value for r in test_results.values()) == tests


def test_feature_not_demonstrated_makes_conditions() -> None:
    findings = [*_met_everywhere(), _f("purposeful", S.NOT_MET, "advisory", features=(2,))]
    outcome, _, features = decide(findings, TESTS, FEATURES)
    assert features[1].status is sr.FeatureStatus.DEMONSTRATED
    assert features[2].status is sr.FeatureStatus.NOT_DEMONSTRATED
    assert outcome is sr.Outcome.ACCEPTABLE_WITH_CONDITIONS


def test_no_criteria_is_not_evidence() -> None:
    outcome, tests, features = decide([_f("purposeful", S.MET)], TESTS, FEATURES)
    assert tests["proportionate"].status is sr.TestStatus.UNDETERMINED
    assert features[2].status is sr.FeatureStatus.UNDETERMINED
    assert outcome is sr.Outcome.INSUFFICIENT_INFORMATION


def test_unmet_lists_blocking_first() -> None:
    verdict = sr.assess("examples/gang-list-schools.yaml")
    severities = [f.severity for f in verdict.unmet]
    assert severities == sorted(severities, key=lambda s: s != "blocking")
    assert all(f.status is S.NOT_MET for f in verdict.unmet)


def test_json_shape_and_round_trip() -> None:
    verdict = sr.assess("examples/gp-research-tre.yaml")
    data = json.loads(verdict.to_json())
    assert set(data) == {
        "outcome",
        "tests",
        "features",
        "findings",
        "derived",
        "proposal_id",
        "proposal_digest",
        "rule_pack",
        "library_version",
        "assessed_at",
        "schema_version",
        "as_of",
    }
    assert data["schema_version"] == 2
    # Tests and features are lists in the pack's order, whatever the key sorting.
    assert [t["test"] for t in data["tests"]] == ["purposeful", "proportionate", "responsible"]
    assert [f["feature"] for f in data["features"]] == [1, 2, 3, 4, 5]
    # Each finding is written once; tests and features refer to it by rule id.
    assert [f["rule_id"] for f in data["findings"]] == [f.rule_id for f in verdict.findings]
    for written, result in zip(data["tests"], verdict.tests.values(), strict=True):
        assert written["findings"] == [f.rule_id for f in result.findings]
        assert all(isinstance(rule_id, str) for rule_id in written["findings"])
    assert data["assessed_at"] is None
    assert data["rule_pack"]["digest"] == sr.load_rules().digest
    assert sr.verdict_from_dict(data) == verdict
    stamped = sr.assess("examples/gp-research-tre.yaml", timestamp=True)
    assert stamped.assessed_at is not None and stamped.assessed_at.endswith("+00:00")


def _hand_made() -> sr.Verdict:
    met = sr.Finding("purposeful.a", "1", "A?", "purposeful", (1,), "blocking", S.MET, "ok, café")
    unmet = sr.Finding(
        "proportionate.b",
        "2",
        "B?",
        "proportionate",
        (1, 2),
        "advisory",
        S.NOT_MET,
        "no",
        paths=("$.x",),
        details=(sr.Detail("$.x", "= yes", False),),
        remedy="Do x.",
        sources=("S",),
        basis=sr.Basis.CONTRARY,
    )
    outcome, tests, features = decide([met, unmet], TESTS, FEATURES)
    return sr.Verdict(
        outcome=outcome,
        tests=tests,
        features=features,
        findings=(met, unmet),
        derived={"d.x": True},
        proposal_id="p",
        proposal_digest="sha256:0",
        rule_pack=sr.PackInfo("pk", "1.0.0", "sha256:1"),
        library_version="0",
        as_of="2026-11-29",
    )


# Written by hand: one key a line, each test, feature and finding on a line of its own, keys
# sorted, non-ASCII text as it is, and a finding's fields left out when they hold their default.
HAND_MADE_JSON = """{
  "as_of": "2026-11-29",
  "assessed_at": null,
  "derived": {"d.x":true},
  "features": [
    {"feature":1,"findings":["purposeful.a","proportionate.b"],"name":"One","status":"not_demonstrated"},
    {"feature":2,"findings":["proportionate.b"],"name":"Two","status":"not_demonstrated"}
  ],
  "findings": [
    {"features":[1],"message":"ok, café","rule_id":"purposeful.a","rule_version":"1","severity":"blocking","status":"met","test":"purposeful","title":"A?"},
    {"basis":"contrary","details":[{"actual":false,"expected":"= yes","path":"$.x"}],"features":[1,2],"message":"no","paths":["$.x"],"remedy":"Do x.","rule_id":"proportionate.b","rule_version":"2","severity":"advisory","sources":["S"],"status":"not_met","test":"proportionate","title":"B?"}
  ],
  "library_version": "0",
  "outcome": "insufficient_information",
  "proposal_digest": "sha256:0",
  "proposal_id": "p",
  "rule_pack": {"digest":"sha256:1","id":"pk","version":"1.0.0"},
  "schema_version": 2,
  "tests": [
    {"findings":["purposeful.a"],"name":"Purposeful","status":"met","test":"purposeful"},
    {"findings":["proportionate.b"],"name":"Proportionate","status":"met","test":"proportionate"},
    {"findings":[],"name":"Responsible","status":"undetermined","test":"responsible"}
  ]
}"""  # noqa: E501


def test_each_finding_is_written_once_and_referred_to_by_rule_id() -> None:
    verdict = _hand_made()
    assert verdict.to_json() == HAND_MADE_JSON
    # to_dict keeps the fields' order (for json.dumps without sort_keys)
    assert list(verdict.to_dict())[:5] == ["outcome", "tests", "features", "findings", "derived"]
    assert verdict.to_json(indent=None) == "".join(
        line.strip() for line in HAND_MADE_JSON.splitlines()
    ).replace('": ', '":')
    assert "\n" not in verdict.to_json(indent=None)
    assert sr.verdict_from_dict(json.loads(HAND_MADE_JSON)) == verdict
    again = sr.verdict_from_dict(json.loads(verdict.to_json(indent=None)))
    assert again == verdict
    # the findings under tests and features are the very findings under findings
    assert again.tests["proportionate"].findings[0] is again.findings[1]
    assert again.features[2].findings == (again.findings[1],)


def _with_actual(verdict: sr.Verdict, actual: Any, message: str = "no") -> sr.Verdict:
    """The hand-made verdict with a new second finding whose detail shows ``actual``."""
    unmet = verdict.findings[1]
    finding = attrs.evolve(
        unmet, message=message, details=(attrs.evolve(unmet.details[0], actual=actual),)
    )
    return attrs.evolve(verdict, findings=(verdict.findings[0], finding))


def _written_actual(verdict: sr.Verdict) -> str:
    line = verdict.to_json().splitlines()[10]  # the second finding's line
    assert line.startswith('    {"basis":"contrary","details":[{"actual":')
    return line.split('"actual":')[1].split(",")[0]


def test_a_cached_finding_line_is_never_that_of_an_equal_but_different_finding() -> None:
    """Findings' lines are cached by identity: equal findings that are written differently
    (True, 1 and 1.0 are equal in Python, not in JSON) each get their own line."""
    verdict = _hand_made()
    written = []
    for actual in (True, 1, 1.0, "1"):
        changed = _with_actual(verdict, actual)
        assert changed.to_json() == changed.to_json()  # the second call from the cache
        written.append(_written_actual(changed))
    assert _with_actual(verdict, True).findings == _with_actual(verdict, 1.0).findings
    assert written == ["true", "1", "1.0", '"1"']


def test_findings_made_and_dropped_one_after_another_get_their_own_lines() -> None:
    """A finding dropped can leave its id to the next one made: the cache holds each finding
    it keeps a line for, so that its id is not reused while the line is kept."""
    verdict = _hand_made()
    for number in range(300):
        line = _with_actual(verdict, number, message=f"m{number}").to_json(indent=None)
        assert json.loads(line)["findings"][1]["message"] == f"m{number}"
        assert json.loads(line)["findings"][1]["details"][0]["actual"] == number


def test_a_finding_holding_a_changeable_value_is_written_as_it_is_now() -> None:
    verdict = _with_actual(_hand_made(), [1, 2])
    assert _written_actual(verdict) == "[1"
    verdict.findings[1].details[0].actual.append(3)
    assert json.loads(verdict.to_json())["findings"][1]["details"][0]["actual"] == [1, 2, 3]
    assert all(entry[0] is not verdict.findings[1] for entry in _LINES.values())


def test_the_line_cache_is_bounded_and_its_lines_are_the_json_modules() -> None:
    verdict = _hand_made()
    for number in range(_LINES_MAX + 10):
        changed = _with_actual(verdict, number)
        changed.to_json()
        assert len(_LINES) <= _LINES_MAX
    cached = changed.to_json(indent=None)
    _LINES.clear()
    fresh = changed.to_json(indent=None)
    data = changed.to_dict()
    assert (
        cached
        == fresh
        == json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    )


def test_a_verdict_whose_findings_share_a_rule_id_is_not_written() -> None:
    verdict = _hand_made()
    twice = attrs.evolve(verdict, findings=(verdict.findings[0], verdict.findings[0]))
    with pytest.raises(ValueError, match="same rule id"):
        twice.to_json()


def _problems(data: object) -> list[tuple[str, str]]:
    with pytest.raises(sr.VerdictError) as caught:
        sr.verdict_from_dict(data)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError | sr.SharingRulesError)
    assert str(caught.value).startswith("1 problem in the verdict:") or "problems" in str(
        caught.value
    )
    return [(p.path, p.code) for p in caught.value.problems]


def test_unknown_keys_and_bad_references_are_refused_with_their_paths() -> None:
    good = json.loads(HAND_MADE_JSON)

    def changed(edit: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
        data = copy.deepcopy(good)
        edit(data)
        return data

    assert _problems(changed(lambda d: d.update(colour="red"))) == [("$.colour", "unknown-key")]
    assert _problems(changed(lambda d: d["findings"][1].update(note="x"))) == [
        ("$.findings[1].note", "unknown-key")
    ]
    assert _problems(changed(lambda d: d["tests"][2].update(extra=1))) == [
        ("$.tests[2].extra", "unknown-key")
    ]
    assert _problems(changed(lambda d: d["tests"][0]["findings"].append("no.such-rule"))) == [
        ("$.tests[0].findings[1]", "unknown-reference")
    ]
    assert _problems(changed(lambda d: d["findings"].append(d["findings"][0]))) == [
        ("$.findings[2].rule_id", "duplicate-id")
    ]
    assert _problems(changed(lambda d: d["features"].append(d["features"][0]))) == [
        ("$.features", "invalid-value")
    ]
    assert _problems(changed(lambda d: d.update(tests={}))) == [("$.tests", "invalid-value")]
    assert _problems(changed(lambda d: d["tests"][0].update(findings=[good["findings"][0]]))) == [
        ("$.tests[0].findings", "invalid-value")
    ]
    assert _problems(changed(lambda d: d["findings"][0].update(status="fine"))) == [
        ("$.findings[0].status", "invalid-value")
    ]
    assert _problems(changed(lambda d: d.update(schema_version=3))) == [
        ("$.schema_version", "invalid-value")
    ]
    assert _problems(changed(lambda d: d.pop("schema_version"))) == [
        ("$.schema_version", "invalid-value")
    ]
    assert _problems(changed(lambda d: d.update(schema_version=True))) == [
        ("$.schema_version", "invalid-value")
    ]
    assert _problems([good]) == [("$", "wrong-type")]


def test_unknown_keys_in_an_old_verdict_are_refused_too() -> None:
    data = _v1_dict(_hand_made())
    assert sr.verdict_from_dict(data) == _hand_made()
    data["tests"]["purposeful"]["findings"][0]["note"] = "x"
    assert _problems(data) == [("$.tests[purposeful].findings[0].note", "unknown-key")]


def _reports(verdict: sr.Verdict) -> tuple[str, str, str]:
    return sr.render_text(verdict), sr.render_markdown(verdict), sr.render_html(verdict)


@pytest.mark.parametrize(
    ("path", "dialogue"),
    [
        ("examples/gang-list-schools.yaml", None),
        ("examples/gp-research-tre.yaml", None),
        ("examples/fire-safety-visits.yaml", "examples/dialogue/record.json"),
    ],
)
def test_reports_from_a_stored_verdict_are_those_of_a_fresh_one(
    path: str, dialogue: str | None
) -> None:
    verdict = sr.assess(path, dialogue=dialogue)
    fresh = _reports(verdict)
    stored = sr.verdict_from_dict(json.loads(verdict.to_json()))
    assert list(stored.tests) == ["purposeful", "proportionate", "responsible"]
    assert _reports(stored) == fresh
    # A verdict stored in the old shape had its tests sorted by name: they come back in the
    # pack's order (tests by their first finding, features by number).
    old = json.loads(json.dumps(_v1_dict(verdict), sort_keys=True))
    assert list(old["tests"]) == ["proportionate", "purposeful", "responsible"]
    assert _reports(sr.verdict_from_dict(old)) == fresh


@attrs.frozen
class _Later:
    """A class that gained an optional field after verdicts were stored."""

    kept: str
    added: str | None = attrs.field(default=None, metadata={"omit_if_none": True})


def test_fields_marked_omit_if_none_are_left_out_when_none_in_any_class() -> None:
    for converter in (_converter, _stored):
        assert converter.unstructure(_Later("a")) == {"kept": "a"}
        assert converter.unstructure(_Later("a", "b")) == {"kept": "a", "added": "b"}
    assert "public_voice" not in _hand_made().to_dict()
    assert "public_voice" not in _v1_dict(_hand_made())


@pytest.mark.parametrize(
    "path", ["examples/gang-list-schools.yaml", "examples/gp-research-tre.yaml"]
)
def test_the_json_is_what_the_json_module_writes(path: str) -> None:
    """The one-line JSON is json.dumps's, byte for byte; the indented one holds the same."""
    verdict = sr.assess(path)
    data = verdict.to_dict()
    plain = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert verdict.to_json(indent=None) == plain
    assert json.loads(verdict.to_json()) == data
    lines = verdict.to_json().splitlines()
    items = len(data["tests"]) + len(data["features"]) + len(data["findings"])
    # braces, a line per key, a line per item of the three lists and one closing each
    assert len(lines) == 2 + len(data) + items + 3
    assert lines[-2] == "  ]" and lines[-1] == "}"  # "tests" comes last
