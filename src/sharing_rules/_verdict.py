"""The verdict: frozen records of every finding, per test and feature, and the outcome."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from enum import Enum, StrEnum
from typing import Any

import attrs
import cattrs

from ._voice import PublicVoice

__all__ = [
    "Basis",
    "Detail",
    "FeatureResult",
    "FeatureStatus",
    "Finding",
    "Outcome",
    "PackInfo",
    "Status",
    "TestResult",
    "TestStatus",
    "Verdict",
    "decide",
    "verdict_from_dict",
]

SCHEMA_VERSION = 1


class _Value(StrEnum):
    """A status value; its string is the value used in JSON."""


class Status(_Value):
    """A criterion's status."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"  #: a fact it needs is not stated
    NOT_APPLICABLE = "not_applicable"


class Basis(_Value):
    """Why a criterion is not met: what the proposal leaves out, or what it states."""

    MISSING = "missing"  #: information is absent; stating it could meet the criterion (add this)
    CONTRARY = "contrary"  #: what the proposal states fails the criterion (change this)


class TestStatus(_Value):
    """A test's status."""

    __test__ = False  # not a pytest test class

    MET = "met"
    NOT_MET = "not_met"
    UNDETERMINED = "undetermined"


class FeatureStatus(_Value):
    """A key feature's status."""

    DEMONSTRATED = "demonstrated"
    NOT_DEMONSTRATED = "not_demonstrated"
    UNDETERMINED = "undetermined"


class Outcome(_Value):
    """The overall outcome of an assessment."""

    ACCEPTABLE = "acceptable"
    ACCEPTABLE_WITH_CONDITIONS = "acceptable_with_conditions"
    NOT_ACCEPTABLE = "not_acceptable"
    INSUFFICIENT_INFORMATION = "insufficient_information"


@attrs.frozen(slots=True)
class Detail:
    """One piece of evidence: a proposal field, what the rule expected, what was found."""

    path: str
    expected: str
    actual: Any = None


@attrs.frozen(slots=True)
class Finding:
    """The result of one criterion."""

    rule_id: str
    rule_version: str
    title: str
    test: str
    features: tuple[int, ...]
    severity: str  #: ``blocking`` or ``advisory``
    status: Status
    message: str
    paths: tuple[str, ...] = ()
    details: tuple[Detail, ...] = ()
    remedy: str | None = None  #: given when the criterion is not met or unknown
    sources: tuple[str, ...] = ()
    basis: Basis | None = None  #: given when the criterion is not met

    @property
    def contrary(self) -> bool:
        """Not met on what the proposal states (a not-met finding without a basis counts)."""
        return self.status is Status.NOT_MET and self.basis is not Basis.MISSING

    @property
    def blocking(self) -> bool:
        """Whether not meeting this criterion fails its test."""
        return self.severity == "blocking"


@attrs.frozen(slots=True)
class TestResult:
    """A test's status and the findings behind it."""

    __test__ = False

    test: str
    name: str
    status: TestStatus
    findings: tuple[Finding, ...]


@attrs.frozen(slots=True)
class FeatureResult:
    """A key feature's status and the findings that evidence it."""

    feature: int
    name: str
    status: FeatureStatus
    findings: tuple[Finding, ...]


@attrs.frozen(slots=True)
class PackInfo:
    """Which rules produced a verdict."""

    id: str
    version: str
    digest: str
    #: (id, version) of each pack, given when local packs were loaded over the framework's
    components: tuple[tuple[str, str], ...] | None = attrs.field(
        default=None, metadata={"omit_if_none": True}
    )


@attrs.frozen(slots=True)
class Verdict:
    """The result of assessing one proposal against a rule pack."""

    outcome: Outcome
    tests: Mapping[str, TestResult]
    features: Mapping[int, FeatureResult]
    findings: tuple[Finding, ...]
    derived: Mapping[str, bool | None]
    proposal_id: str
    proposal_digest: str
    rule_pack: PackInfo
    library_version: str
    assessed_at: str | None = None
    schema_version: int = SCHEMA_VERSION
    as_of: str | None = None  #: the date (YYYY-MM-DD) date checks were made as of
    # Issue 15: present only when dialogue records were given (left out of the JSON if not).
    public_voice: PublicVoice | None = attrs.field(default=None, metadata={"omit_if_none": True})
    # Issue 14: the proposal's title and the file it was read from, as the command line sets
    # them (left out of the JSON if not given, so verdicts from Python keep their shape).
    title: str | None = attrs.field(default=None, metadata={"omit_if_none": True})
    source: str | None = attrs.field(default=None, metadata={"omit_if_none": True})

    @property
    def unmet(self) -> tuple[Finding, ...]:
        """The findings not met, blocking ones first (otherwise in pack order)."""
        unmet = [f for f in self.findings if f.status is Status.NOT_MET]
        return tuple(sorted(unmet, key=lambda f: not f.blocking))

    @property
    def unknown(self) -> tuple[Finding, ...]:
        """The findings that could not be decided for want of information."""
        return tuple(f for f in self.findings if f.status is Status.UNKNOWN)

    @property
    def to_add(self) -> tuple[Finding, ...]:
        """What to add: findings not met for missing information, then unknown ones;
        blocking ones first in each."""
        missing = [f for f in self.unmet if f.basis is Basis.MISSING]
        unknown = sorted(self.unknown, key=lambda f: not f.blocking)
        return (*missing, *unknown)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the documented, stable shape (see ``sharing-rules schema verdict``)."""
        data: dict[str, Any] = _converter.unstructure(self)
        data["features"] = {str(k): v for k, v in data["features"].items()}
        for field in attrs.fields(Verdict):  # a verdict without them keeps its old shape
            if field.metadata.get("omit_if_none") and data[field.name] is None:
                del data[field.name]
        components = data["rule_pack"].pop("components")
        if components is not None:  # issue 14: only when local packs were loaded
            data["rule_pack"]["components"] = [list(c) for c in components]
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """The verdict as JSON; byte-identical for the same proposal and rule pack."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, sort_keys=True)


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Enum), lambda e: e.value
    )
    return converter


_converter = _make_converter()


def verdict_from_dict(data: Mapping[str, Any]) -> Verdict:
    """Read back a verdict written by :meth:`Verdict.to_dict` (or parsed from its JSON)."""
    return _converter.structure(dict(data), Verdict)


def decide(
    findings: Sequence[Finding],
    tests: Mapping[str, str],
    features: Mapping[int, str],
) -> tuple[Outcome, dict[str, TestResult], dict[int, FeatureResult]]:
    """The outcome logic, from the findings (see docs/framework.md, "How the outcome is decided").

    A not-met finding is *contrary* when what the proposal states fails the criterion, and
    *missing* when only information is absent (see :class:`Basis`). A test is not met if an
    applicable blocking criterion of it is not met on what the proposal states (contrary);
    undetermined if none is, but a blocking one is not met for missing information or is
    unknown, or the pack has no criterion for it; otherwise met. A feature is not
    demonstrated if a criterion evidencing it is not met contrary; undetermined if none is
    but one is missing information or unknown (or none evidences it).
    Overall: not acceptable if a test is not met; insufficient information if none failed
    but one is undetermined (:attr:`Verdict.to_add` lists what to add); acceptable with
    conditions if all tests are met but an advisory criterion is not met or unknown, or a
    feature is not demonstrated; otherwise acceptable. Missing information is never met.
    """
    # One pass: each finding fails (not met, contrary), is a gap (not met for missing
    # information, or unknown), or neither.
    by_test: dict[str, list[Finding]] = {test: [] for test in tests}
    by_feature: dict[int, list[Finding]] = {number: [] for number in features}
    failed: set[Any] = set()  # tests ("t", name) and features ("f", number)
    gapped: set[Any] = set()
    advisory_gap = False
    for f in findings:
        unmet = f.status is Status.NOT_MET
        gap = unmet or f.status is Status.UNKNOWN
        fail = unmet and f.basis is not Basis.MISSING
        mark = failed if fail else gapped if gap else None
        mine = by_test.get(f.test)
        if mine is not None:
            mine.append(f)
        if f.severity == "blocking":
            if mark is not None:
                mark.add(("t", f.test))
        elif gap:
            advisory_gap = True
        for number in f.features:
            listed = by_feature.get(number)
            if listed is not None:
                listed.append(f)
            if mark is not None:
                mark.add(("f", number))
    test_results = {}
    for test, name in tests.items():
        if ("t", test) in failed:
            status = TestStatus.NOT_MET
        elif not by_test[test] or ("t", test) in gapped:  # no criteria: nothing shows it met
            status = TestStatus.UNDETERMINED
        else:
            status = TestStatus.MET
        test_results[test] = TestResult(test, name, status, tuple(by_test[test]))
    feature_results = {}
    for number, name in features.items():
        if ("f", number) in failed:
            fstatus = FeatureStatus.NOT_DEMONSTRATED
        elif not by_feature[number] or ("f", number) in gapped:
            fstatus = FeatureStatus.UNDETERMINED
        else:
            fstatus = FeatureStatus.DEMONSTRATED
        feature_results[number] = FeatureResult(number, name, fstatus, tuple(by_feature[number]))
    test_statuses = {r.status for r in test_results.values()}
    if TestStatus.NOT_MET in test_statuses:
        outcome = Outcome.NOT_ACCEPTABLE
    elif TestStatus.UNDETERMINED in test_statuses:
        outcome = Outcome.INSUFFICIENT_INFORMATION
    elif advisory_gap or any(
        r.status is not FeatureStatus.DEMONSTRATED for r in feature_results.values()
    ):
        outcome = Outcome.ACCEPTABLE_WITH_CONDITIONS
    else:
        outcome = Outcome.ACCEPTABLE
    return outcome, test_results, feature_results
