"""The verdict: frozen records of every finding, per test and feature, and the outcome."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from enum import Enum, StrEnum
from json.encoder import encode_basestring as _text
from typing import Any

import attrs
import cattrs
import cattrs.gen
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import override

from ._errors import Problem, VerdictError
from ._jsonwriter import encode as _encode
from ._jsonwriter import make_writer
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

SCHEMA_VERSION = 2  #: the shape of the verdict JSON written (1 is still read)


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
        """Plain data in the documented, stable shape (see ``sharing-rules schema verdict``).

        Each finding is written once, under ``findings``; ``tests`` and ``features`` are lists
        in the pack's order that refer to their findings by rule id.
        """
        return _data(self, _stored.unstructure)

    def to_json(self, indent: int | None = 2) -> str:
        """The verdict as JSON; byte-identical for the same proposal and rule pack.

        Keys are sorted. With ``indent``, the top-level keys are indented and each test,
        feature and finding is written on a line of its own (so that stored verdicts diff
        finding by finding); with ``indent=None``, all on one line.
        """
        lines = {
            "findings": [_finding_line(f) for f in self.findings],
            "tests": _result_lines(self.tests),
            "features": _result_lines(self.features),
        }
        head = _data(self, _unstructure_head)  # all but the findings, tests and features
        return _outline(head, lines, None if indent is None else " " * indent)


# Reading and writing the JSON. Shape 2 (written) lists each finding once and refers to it by
# rule id from tests and features, leaving out a finding's fields that hold their default;
# shape 1 (read only) wrote every finding under tests, features and findings.


def _outline(data: Mapping[str, Any], encoded: Mapping[str, list[str]], pad: str | None) -> str:
    """``data`` and the lists of already encoded items in ``encoded`` as one JSON object, keys
    sorted: with ``pad``, one top-level key a line and one item a line in top-level lists;
    without, ``_encode``'s compact form (json.dumps's, byte for byte)."""
    if pad is None:
        nl, inner, colon, end = "", "", ":", "}"
    else:
        nl, inner, colon, end = "\n" + pad, "\n" + pad + pad, ": ", "\n}"
    parts = []
    for key in sorted([*data, *encoded]):
        items = encoded.get(key)
        value = data.get(key)
        if items is None and pad is not None and isinstance(value, list):
            items = list(map(_encode, value))
        head = f"{nl}{_text(key)}{colon}"  # keys are text
        if items is None:
            parts.append(head + (_text(value) if type(value) is str else _encode(value)))
        elif items:
            parts.append(f"{head}[{inner}{(',' + inner).join(items)}{nl}]")
        else:
            parts.append(head + "[]")
    return "{" + ",".join(parts) + end


# Each finding's line, cached by identity: findings are frozen and an assessor gives the very
# same Finding object for a rule's unchanged explanation, so most lines of a verdict were
# written before. Keyed by ``id`` and holding the finding (so that its id cannot be reused
# while cached), never by equality: equal findings can be written differently (an ``actual``
# of ``1`` equals ``True`` and ``1.0``). Only lines of the generated writer are kept: it writes
# only findings made of values that cannot change. The cache is emptied when full.
_LINES: dict[int, tuple[Finding, str]] = {}
_LINES_MAX = 2048


def _finding_line(finding: Finding) -> str:
    """The finding's JSON, as ``_encode`` writes its data."""
    cached = _LINES.get(id(finding))
    if cached is not None and cached[0] is finding:
        return cached[1]
    try:
        line = _write_finding(finding)
    except TypeError:  # Unfit: of another class, or holding a value that could change
        return _encode(_finding_data(finding))
    if len(_LINES) >= _LINES_MAX:
        _LINES.clear()
    _LINES[id(finding)] = (finding, line)
    return line


#: Each finding's (and detail's) JSON written straight from its fields, as ``_encode`` writes
#: its cattrs data (a finding's fields holding their default left out).
_write_finding = make_writer(
    Finding,
    omit_defaults=True,
    writers={Detail: make_writer(Detail, omit_defaults=False)},
)


#: The JSON of a test's (feature's) result, its findings referred to by rule id.
_RESULT_WRITERS = {
    cls: make_writer(cls, omit_defaults=False, references={Finding: "rule_id"})
    for cls in (TestResult, FeatureResult)
}


def _result_lines(results: Mapping[Any, TestResult | FeatureResult]) -> list[str]:
    """Each test's (or feature's) result's JSON, as ``_encode`` writes its stored data."""
    try:
        return [_RESULT_WRITERS[type(result)](result) for result in results.values()]
    except (TypeError, KeyError):  # of another class, or holding values of other types
        return list(map(_encode, _results(results)))


class _Malformed(ValueError):
    """A stored verdict whose parts do not fit together."""


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Enum), lambda e: e.value
    )
    # Fields added later with ``omit_if_none`` are left out when None, in any class, so that
    # verdicts without them keep their shape.
    converter.register_unstructure_hook_factory(
        lambda t: attrs.has(t) and bool(_omitted_if_none(t)),
        lambda t: cattrs.gen.make_dict_unstructure_fn(t, converter, **_omitted_if_none(t)),
    )
    return converter


_converter = _make_converter()  # shape 1: classes as they are, findings in full everywhere


def _omitted_if_none(cls: type) -> dict[str, Any]:
    """Overrides leaving out the fields marked ``omit_if_none`` when they are ``None``."""
    return {
        field.name: override(omit_if_default=True)
        for field in attrs.fields(cls)
        if field.metadata.get("omit_if_none")
    }


def _refer(findings: Sequence[Finding]) -> list[str]:
    return [f.rule_id for f in findings]


def _rule_ids(value: Any, _: Any) -> tuple[str, ...]:
    """A test's or feature's findings as read: rule ids, resolved in ``_from_v2``."""
    if not isinstance(value, list) or not all(type(item) is str for item in value):
        raise _Malformed("expected a list of rule ids (text), referring to findings")
    return tuple(value)


def _results(results: Mapping[Any, Any]) -> list[Any]:
    return [_stored.unstructure(result) for result in results.values()]


def _make_stored_converter() -> tuple[cattrs.Converter, Callable[[Verdict], dict[str, Any]]]:
    converter = _make_converter()
    omit = cattrs.gen.make_dict_unstructure_fn(Finding, converter, _cattrs_omit_if_default=True)
    converter.register_unstructure_hook(Finding, omit)
    for cls in (TestResult, FeatureResult):
        refs = override(unstruct_hook=_refer, struct_hook=_rule_ids)
        converter.register_unstructure_hook(
            cls, cattrs.gen.make_dict_unstructure_fn(cls, converter, findings=refs)
        )
        converter.register_structure_hook(
            cls, cattrs.gen.make_dict_structure_fn(cls, converter, findings=refs)
        )
    overrides = {
        **_omitted_if_none(Verdict),
        "schema_version": override(unstruct_hook=lambda _: SCHEMA_VERSION),
        "tests": override(
            unstruct_hook=_results, struct_hook=lambda items, _: _keyed(items, TestResult)
        ),
        "features": override(
            unstruct_hook=_results, struct_hook=lambda items, _: _keyed(items, FeatureResult)
        ),
    }
    converter.register_unstructure_hook(
        Verdict, cattrs.gen.make_dict_unstructure_fn(Verdict, converter, **overrides)
    )
    converter.register_structure_hook(
        Verdict, cattrs.gen.make_dict_structure_fn(Verdict, converter, **overrides)
    )
    out = override(omit=True)  # written by ``_finding_line`` and ``_result_lines``
    head = cattrs.gen.make_dict_unstructure_fn(
        Verdict, converter, **{**overrides, "findings": out, "tests": out, "features": out}
    )
    return converter, head


def _keyed(items: Any, cls: type[TestResult] | type[FeatureResult]) -> dict[Any, Any]:
    """A list of test (or feature) results as a mapping in the same order, by test (number)."""
    if not isinstance(items, list):
        raise _Malformed(f"expected a list of {cls.__name__} objects, got {type(items).__name__}")
    results: dict[Any, Any] = {}
    errors: list[Exception] = []
    for index, item in enumerate(items):
        try:
            result = _stored.structure(item, cls)
        except Exception as exc:  # collected with their index, like cattrs does
            exc.__notes__ = [
                *getattr(exc, "__notes__", []),
                IterableValidationNote(f"Structuring item {index}", index, cls),
            ]
            errors.append(exc)
            continue
        key = result.test if isinstance(result, TestResult) else result.feature
        if key in results:
            errors.append(_Malformed(f"item {index} repeats {key!r}"))
        results[key] = result
    if errors:
        raise IterableValidationError(f"While structuring a list of {cls.__name__}", errors, cls)
    return results


_stored, _unstructure_head = _make_stored_converter()


def _data(verdict: Verdict, unstructure: Callable[[Verdict], dict[str, Any]]) -> dict[str, Any]:
    """The verdict's data in shape 2, made by ``unstructure`` (with or without findings)."""
    if len({f.rule_id for f in verdict.findings}) != len(verdict.findings):
        raise ValueError("two findings have the same rule id: the verdict cannot be stored")
    data = unstructure(verdict)
    pack = data["rule_pack"]
    if "components" in pack:  # issue 14: only when local packs were loaded
        pack["components"] = [list(c) for c in pack["components"]]
    return data


def _finding_data(finding: Finding) -> dict[str, Any]:
    """A finding's data (shape 2: fields holding their default left out)."""
    data: dict[str, Any] = _stored.unstructure(finding, Finding)
    return data


def _v1_dict(verdict: Verdict) -> dict[str, Any]:
    """The verdict in the old shape 1 (every finding under tests, features and findings)."""
    data: dict[str, Any] = _converter.unstructure(verdict)
    data["features"] = {str(k): v for k, v in data["features"].items()}
    data["schema_version"] = 1
    return data


def _from_v1(data: dict[str, Any]) -> Verdict:
    verdict = _converter.structure(data, Verdict)
    # Shape 1 wrote tests and features sorted by key: put them back in the pack's order, as
    # far as the verdict shows it (tests by their first finding, features by number).
    first: dict[str, int] = {}
    for index, finding in enumerate(verdict.findings):
        first.setdefault(finding.test, index)
    tests = sorted(verdict.tests.items(), key=lambda item: first.get(item[0], len(first)))
    return attrs.evolve(
        verdict,
        tests=dict(tests),
        features=dict(sorted(verdict.features.items())),
        schema_version=SCHEMA_VERSION,
    )


def _voice_in_order(verdict: Verdict) -> Verdict:
    """The public voice's scores (written as mappings, so sorted by key) in the verdict's
    order of tests, and by feature number, as a fresh verdict has them."""
    voice = verdict.public_voice
    if voice is None:
        return verdict
    order = {test: index for index, test in enumerate(verdict.tests)}
    tests = sorted(voice.tests.items(), key=lambda item: order.get(item[0], len(order)))
    features = sorted(
        voice.features.items(),
        key=lambda item: (0, int(item[0])) if item[0].isdecimal() else (1, 0),
    )
    voice = attrs.evolve(voice, tests=dict(tests), features=dict(features))
    return attrs.evolve(verdict, public_voice=voice)


def _from_v2(data: dict[str, Any]) -> Verdict:
    verdict = _stored.structure(data, Verdict)
    by_id: dict[str, Finding] = {}
    problems = []
    for index, finding in enumerate(verdict.findings):
        if by_id.setdefault(finding.rule_id, finding) is not finding:
            problems.append(
                Problem(
                    f"$.findings[{index}].rule_id",
                    f"a second finding for {finding.rule_id!r}",
                    "each rule gives one finding: remove the repeated one",
                    code="duplicate-id",
                )
            )

    def resolve(part: str, results: Mapping[Any, Any]) -> dict[Any, Any]:
        out = {}
        for index, (key, result) in enumerate(results.items()):
            found = []
            for number, rule_id in enumerate(result.findings):
                finding = by_id.get(rule_id)
                if finding is None:
                    problems.append(
                        Problem(
                            f"$.{part}[{index}].findings[{number}]",
                            f"refers to {rule_id!r}, which is not under findings",
                            "list each finding under findings and refer to it by its rule id",
                            code="unknown-reference",
                        )
                    )
                else:
                    found.append(finding)
            out[key] = attrs.evolve(result, findings=tuple(found))
        return out

    tests = resolve("tests", verdict.tests)
    features = resolve("features", verdict.features)
    if problems:
        raise VerdictError(problems)
    return attrs.evolve(verdict, tests=tests, features=features)


def verdict_from_dict(data: Mapping[str, Any]) -> Verdict:
    """Read back a verdict written by :meth:`Verdict.to_dict` (or parsed from its JSON).

    Reads the current shape and the older ``schema_version`` 1; the same assessment gives an
    equal :class:`Verdict` from either. Raises :class:`VerdictError` listing every problem
    (unknown keys included) with its path.
    """
    if not isinstance(data, Mapping):
        raise VerdictError([Problem("$", "expected a mapping (a JSON object)", code="wrong-type")])
    version = data.get("schema_version")
    readers = {1: _from_v1, SCHEMA_VERSION: _from_v2}
    reader = readers.get(version) if type(version) is int else None
    if reader is None:
        raise VerdictError(
            [
                Problem(
                    "$.schema_version",
                    f"unknown schema_version {version!r}",
                    f"this library reads {' and '.join(map(str, readers))}; a later version"
                    " may read it",
                    code="invalid-value",
                )
            ]
        )
    try:
        return _voice_in_order(reader(dict(data)))
    except (cattrs.BaseValidationError, _Malformed) as exc:
        from ._load import _problems  # only when a verdict cannot be read

        raise VerdictError(_problems(exc, "$", Verdict)) from None


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
    layout = [(f.test, f.features, f.blocking) for f in findings]
    return Decider(layout, tests, features)(findings)


#: A finding's standing in :func:`decide`: neither, a gap (not met for missing information,
#: or unknown), or a failure (not met, contrary); a test or feature takes the worst.
_CLEAR, _GAP, _FAIL = 0, 1, 2
# Members read once: on Python 3.11 every ``Status.NOT_MET`` goes through EnumType.__getattr__.
_NOT_MET, _UNKNOWN, _MISSING = Status.NOT_MET, Status.UNKNOWN, Basis.MISSING


def _picker(positions: tuple[int, ...]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A function giving the tuple of a sequence's entries at ``positions`` (in C)."""
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    if positions:
        only = positions[0]
        return lambda sequence: (sequence[only],)
    return lambda sequence: ()


class Decider:
    """:func:`decide` for one layout of findings (each finding's test, features and whether
    it is blocking, by position: a rule pack's rules in order), with the grouping worked out
    once; calling it with findings in that layout gives what ``decide`` gives."""

    __slots__ = ("advisory", "features", "size", "tests")

    def __init__(
        self,
        layout: Sequence[tuple[str, tuple[int, ...], bool]],
        tests: Mapping[str, str],
        features: Mapping[int, str],
    ) -> None:
        self.size = len(layout)
        #: per test: its key, name, and pickers of its findings and of its blocking ones
        self.tests = tuple(
            (
                test,
                name,
                _picker(tuple(i for i, (t, _, _) in enumerate(layout) if t == test)),
                _picker(tuple(i for i, (t, _, b) in enumerate(layout) if t == test and b)),
            )
            for test, name in tests.items()
        )
        #: per feature: its number, name, and a picker of the findings evidencing it
        self.features = tuple(
            (number, name, _picker(tuple(i for i, (_, fs, _) in enumerate(layout) if number in fs)))
            for number, name in features.items()
        )
        self.advisory = _picker(tuple(i for i, (_, _, b) in enumerate(layout) if not b))

    def __call__(
        self, findings: Sequence[Finding]
    ) -> tuple[Outcome, dict[str, TestResult], dict[int, FeatureResult]]:
        if len(findings) != self.size:
            raise ValueError(f"{len(findings)} findings for a layout of {self.size}")
        marks = [
            (_GAP if f.basis is _MISSING else _FAIL)
            if (status := f.status) is _NOT_MET
            else (_GAP if status is _UNKNOWN else _CLEAR)
            for f in findings
        ]
        test_results = {}
        undetermined = failed = False
        for test, name, mine, blocking in self.tests:
            worst = max(blocking(marks), default=_CLEAR)
            found = mine(findings)
            if worst == _FAIL:
                tstatus = TestStatus.NOT_MET
                failed = True
            elif worst == _GAP or not found:  # no criteria: nothing shows it met
                tstatus = TestStatus.UNDETERMINED
                undetermined = True
            else:
                tstatus = TestStatus.MET
            test_results[test] = TestResult(test, name, tstatus, found)
        feature_results = {}
        shortfall = False
        for number, name, evidence in self.features:
            worst = max(evidence(marks), default=_GAP)  # none evidences it: undetermined
            if worst == _FAIL:
                fstatus = FeatureStatus.NOT_DEMONSTRATED
            elif worst == _GAP:
                fstatus = FeatureStatus.UNDETERMINED
            else:
                fstatus = FeatureStatus.DEMONSTRATED
            shortfall = shortfall or worst != _CLEAR
            feature_results[number] = FeatureResult(number, name, fstatus, evidence(findings))
        if failed:
            outcome = Outcome.NOT_ACCEPTABLE
        elif undetermined:
            outcome = Outcome.INSUFFICIENT_INFORMATION
        elif shortfall or any(self.advisory(marks)):
            outcome = Outcome.ACCEPTABLE_WITH_CONDITIONS
        else:
            outcome = Outcome.ACCEPTABLE
        return outcome, test_results, feature_results
