"""The generated JSON writers of to_json (findings, tests' and features' results): byte for byte
what json.dumps writes of cattrs' dict, for every field of the classes as they are now and for
any value; only what cannot change is kept in the line cache."""

from __future__ import annotations

import enum
import json
from typing import Any

import attrs
import cattrs.gen
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sharing_rules as sr
from sharing_rules._jsonwriter import Unfit, make_writer
from sharing_rules._verdict import _LINES, _finding_line, _stored, _write_finding, decide


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _by_cattrs(finding: sr.Finding) -> str:
    return _dumps(_stored.unstructure(finding, sr.Finding))


def _full(actual: Any = 3) -> sr.Finding:
    """A finding setting every field of Finding and Detail to a value other than its default."""
    detail = sr.Detail(path='$.a["b"]', expected="≥ 2\t", actual=actual)
    return sr.Finding(
        rule_id="r.x",
        rule_version="2",
        title='Is "it" so?\n',
        test="purposeful",
        features=(1, 5),
        severity="advisory",
        status=sr.Status.NOT_MET,
        message="naïve \\ text \x00 \u2028",
        paths=("$.a", "$.b"),
        details=(detail, sr.Detail("$.c", "set")),
        remedy="Say so.",
        sources=("S1", "S2"),
        basis=sr.Basis.CONTRARY,
    )


def test_every_field_of_finding_and_detail_is_written_as_cattrs_and_json_write_it() -> None:
    """Fails if a field is added to (or renamed in) Finding or Detail and the writer is not
    made from the class: every field is set, so every one must be in the line."""
    finding = _full()
    # the example sets every field to something other than its default
    for field in attrs.fields(sr.Finding):
        assert getattr(finding, field.name) != field.default, field.name
    line = _write_finding(finding)
    assert line == _by_cattrs(finding)
    written = json.loads(line)
    assert set(written) == {field.name for field in attrs.fields(sr.Finding)}
    assert set(written["details"][0]) == {field.name for field in attrs.fields(sr.Detail)}
    # read by hand: escapes, the enums' values, a detail's default actual written as null
    assert '"title":"Is \\"it\\" so?\\n"' in line
    assert '"message":"naïve \\\\ text \\u0000 \u2028"' in line
    assert '"status":"not_met"' in line and '"basis":"contrary"' in line
    assert '"details":[{"actual":3,"expected":"≥ 2\\t","path":"$.a[\\"b\\"]"},' in line
    assert '{"actual":null,"expected":"set","path":"$.c"}]' in line


def test_fields_holding_their_default_are_left_out() -> None:
    finding = sr.Finding("r", "1", "T", "purposeful", (), "blocking", sr.Status.MET, "m")
    assert (
        _write_finding(finding)
        == _by_cattrs(finding)
        == (
            '{"features":[],"message":"m","rule_id":"r","rule_version":"1",'
            '"severity":"blocking","status":"met","test":"purposeful","title":"T"}'
        )
    )


class _Colour(enum.StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    "changed",
    [
        {"paths": ["$.a"]},  # a list: could change
        {"features": [1]},
        {"details": [sr.Detail("$.a", "x")]},
        {"title": 5},  # not text
        {"remedy": b"x"},
    ],
)
def test_a_field_of_another_type_is_written_the_generic_way_and_not_kept(
    changed: dict[str, Any],
) -> None:
    finding = attrs.evolve(_full(), **changed)
    with pytest.raises(TypeError):  # Unfit, or the json module's own for a value not text
        _write_finding(finding)
    if "remedy" in changed:  # neither can write it
        with pytest.raises(TypeError):
            _finding_line(finding)
        return
    _LINES.clear()
    assert _finding_line(finding) == _by_cattrs(finding)
    assert not _LINES


@pytest.mark.parametrize(
    "actual",
    [[1, 2], {"b": 1, "a": [2]}, _Colour.RED, (1, [2]), frozenset({1}), object()],
)
def test_an_actual_that_is_not_plain_is_written_by_cattrs_and_not_kept(actual: Any) -> None:
    finding = _full(actual)
    with pytest.raises(Unfit):
        _write_finding(finding)
    _LINES.clear()
    try:
        expected = _by_cattrs(finding)
    except TypeError:  # json cannot write it: neither can to_json
        with pytest.raises(TypeError):
            _finding_line(finding)
        return
    assert _finding_line(finding) == expected
    assert not _LINES


_SCALAR = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.tuples(inner, inner) | st.lists(inner)


_ACTUAL = st.recursive(_SCALAR, _nested, max_leaves=6)


@given(
    texts=st.lists(st.text(), min_size=5, max_size=5),
    actual=_ACTUAL,
    features=st.lists(st.integers(0, 9) | st.booleans()).map(tuple),
    remedy=st.none() | st.text(),
)
def test_any_finding_is_written_as_json_writes_its_cattrs_dict(
    texts: list[str], actual: Any, features: tuple[int, ...], remedy: str | None
) -> None:
    title, message, path, expected, source = texts
    finding = attrs.evolve(
        _full(actual),
        title=title,
        message=message,
        features=features,
        paths=(path,) if path else (),
        details=(sr.Detail(path, expected, actual),),
        remedy=remedy,
        sources=(source,) if source else (),
    )
    _LINES.clear()
    assert _finding_line(finding) == _by_cattrs(finding)
    # kept only when it cannot change, and then given again as it was written
    assert bool(_LINES) is not _changeable(actual)
    assert _finding_line(finding) == _by_cattrs(finding)


def _changeable(value: Any) -> bool:
    return isinstance(value, list) or (isinstance(value, tuple) and any(map(_changeable, value)))


@attrs.frozen
class _Inner:
    b: str
    a: int | None = None


@attrs.frozen
class _AllKinds:
    """Every kind of field a writer knows, and none always written (each one has a default)."""

    z: tuple[_Inner, ...] = ()
    y: str | None = None
    m: tuple[str, ...] = attrs.field(factory=tuple)
    c: tuple[float, ...] = (1.5,)
    a: Any = None


def test_a_writer_made_for_another_class_writes_what_cattrs_and_json_write() -> None:
    inner = make_writer(_Inner, omit_defaults=False)
    write = make_writer(_AllKinds, omit_defaults=True, writers={_Inner: inner})
    converter = _stored.copy()
    converter.register_unstructure_hook(
        _AllKinds,
        cattrs.gen.make_dict_unstructure_fn(_AllKinds, converter, _cattrs_omit_if_default=True),
    )
    for value in [
        _AllKinds(),
        _AllKinds(a=2),
        _AllKinds(z=(_Inner("x"), _Inner("y", 1)), c=()),
        _AllKinds(y="", m=("p", "q")),
        _AllKinds(z=(_Inner("x"),), y="y", m=("p",), c=(2.0,), a="a"),
    ]:
        assert write(value) == _dumps(converter.unstructure(value)), value
    assert write(_AllKinds()) == "{}"
    assert write(_AllKinds(a=2, y="y")) == '{"a":2,"y":"y"}'
    assert inner(_Inner("x")) == '{"a":null,"b":"x"}'


@attrs.define
class _Changeable(sr.Finding):
    """A finding of a subclass (here one whose fields can be set): never kept."""


def test_a_finding_of_a_subclass_is_written_the_generic_way_and_not_kept() -> None:
    finding = _Changeable(**attrs.asdict(_full(), recurse=False))
    with pytest.raises(Unfit):
        _write_finding(finding)
    _LINES.clear()
    assert _finding_line(finding) == _by_cattrs(finding)
    assert not _LINES


def _verdict() -> sr.Verdict:
    met, unmet = _full(), attrs.evolve(_full(), rule_id='r."y"', test="proportionate")
    outcome, tests, features = decide(
        [met, unmet], {"purposeful": "P", "proportionate": "Q"}, {5: "F"}
    )
    return sr.Verdict(
        outcome=outcome,
        tests=tests,
        features=features,
        findings=(met, unmet),
        derived={"d.b": None, "d.a": True},
        proposal_id="p\u2028",
        proposal_digest="sha256:0",
        rule_pack=sr.PackInfo("pk", "1", "sha256:1", components=(("a", "1"), ("b", "2"))),
        library_version="0",
        title="T",
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda v: v,
        # results holding lists, or of another class: written the generic way
        lambda v: attrs.evolve(
            v, tests={k: attrs.evolve(r, findings=list(r.findings)) for k, r in v.tests.items()}
        ),
        lambda v: attrs.evolve(
            v, features={5: attrs.evolve(v.features[5], feature=True, name=_Colour.RED)}
        ),
    ],
)
def test_tests_features_and_the_head_are_written_as_json_writes_the_stored_dict(
    change: Any,
) -> None:
    verdict = change(_verdict())
    data = verdict.to_dict()
    assert verdict.to_json(indent=None) == _dumps(data)
    assert json.loads(verdict.to_json()) == data
    assert data["tests"][1]["findings"] == ['r."y"']
    lines = verdict.to_json().splitlines()  # each test on a line of its own
    at = lines.index('  "tests": [')
    assert lines[at + 1 : at + 4] == [
        f"    {_dumps(data['tests'][0])},",
        f"    {_dumps(data['tests'][1])}",
        "  ],",
    ]
