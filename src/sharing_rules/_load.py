"""Reading proposals from files, text and mappings, and writing them back, with cattrs."""

from __future__ import annotations

import datetime as dt
import os
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from ._errors import Problem, ProposalError, UsageError, did_you_mean
from ._files import InputProblem, read_text_file
from ._model import FIELD_NAMES, InvalidFieldsError, Period, Proposal, _type_name
from ._yaml import line_for, parse_with_lines

__all__ = ["load_proposal", "parse_proposal", "proposal_from_dict", "proposal_to_dict"]

Source = str | os.PathLike[str] | Mapping[str, Any] | Proposal


def _describe(value: Any) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a whole number",
        float: "a number",
        type(None): "nothing (null)",
    }
    return names.get(type(value), type(value).__name__)


class _Refused(TypeError):
    """A value a structure hook refuses; the message is meant for people."""

    def __init__(self, message: str, *, code: str = "wrong-type", hint: str | None = None) -> None:
        self.code = code
        self.hint = hint
        super().__init__(message)


_QUOTE_HINT = (
    "put it in quotes: unquoted yes/no/on/off/true/false are read as true/false, "
    "and 1.0 or 2026-01-01 as a number or a date"
)


def _strict(kind: type, label: str) -> Callable[[Any, type], Any]:
    def structure(value: Any, target: type) -> Any:
        if isinstance(target, type) and issubclass(target, Enum):  # str-based vocabularies
            return _structure_enum(value, target)
        if isinstance(value, bool) and kind is not bool:
            raise _wrong(label, value, kind)
        if kind is float and isinstance(value, int):
            return int(value)
        if not isinstance(value, kind):
            raise _wrong(label, value, kind)
        return value if type(value) is kind else kind(value)  # numpy.str_ -> str

    return structure


def _wrong(label: str, value: Any, kind: type) -> _Refused:
    scalar = isinstance(value, bool | int | float | dt.date)
    hint = _QUOTE_HINT if kind is str and scalar else None
    return _Refused(f"expected {label}, got {_describe(value)}", hint=hint)


def _structure_date(value: Any, _: type) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _Refused(f"expected a date as YYYY-MM-DD, got {value!r}", code="invalid-value")


def _structure_period(value: Any, _: type) -> Period:
    if not isinstance(value, str):
        raise _Refused(f"expected an ISO 8601 period such as 'P6Y', got {_describe(value)}")
    try:
        return Period.parse(value)
    except ValueError as exc:
        raise _Refused(str(exc), code="invalid-value") from None


def _structure_enum(value: Any, cls: type[Enum]) -> Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = [str(m.value) for m in cls]
        if not isinstance(value, str):
            raise _Refused(
                f"expected one of: {', '.join(allowed)}; got {_describe(value)}",
                hint=_QUOTE_HINT if isinstance(value, bool | int | float) else None,
            ) from None
        raise _Refused(
            f"{value!r} is not one of the allowed values: {', '.join(allowed)}",
            code="not-allowed-value",
            hint=did_you_mean(value, allowed),
        ) from None


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    for kind in (str, bool, int, float):
        converter.register_structure_hook(kind, _strict(kind, _type_name(kind)))
    converter.register_structure_hook(dt.date, _structure_date)
    converter.register_structure_hook(Period, _structure_period)

    def is_tuple(t: Any) -> bool:
        return typing.get_origin(t) is tuple

    def tuple_hook(t: Any) -> Callable[[Any, Any], Any]:
        item_type = typing.get_args(t)[0]

        def structure(value: Any, _: Any) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise _Refused(f"expected a list, got {_describe(value)}")
            errors: list[Exception] = []
            items: list[Any] = []
            for index, item in enumerate(value):
                try:
                    items.append(converter.structure(item, item_type))
                except Exception as exc:  # collected with their index, like cattrs does
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        cattrs.errors.IterableValidationNote(
                            f"Structuring item {index}", index, item_type
                        ),
                    ]
                    errors.append(exc)
            if errors:
                raise IterableValidationError("While structuring a list", errors, t)
            return tuple(items)

        return structure

    converter.register_structure_hook_factory(is_tuple, tuple_hook)
    return converter


_converter = _make_converter()


def _problems(exc: BaseException, path: str, cls: type | None) -> list[Problem]:
    """Flatten a cattrs exception tree into problems with JSON-path-like locations."""
    if isinstance(exc, ClassValidationError):
        out: list[Problem] = []
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            out.extend(_problems(sub, f"{path}.{note.name}", None))
        for sub in without:
            out.extend(_problems(sub, path, exc.cl))
        return out
    if isinstance(exc, IterableValidationError):
        out = []
        with_indices, without = exc.group_exceptions()
        for sub, index_note in with_indices:
            out.extend(_problems(sub, f"{path}[{index_note.index}]", None))
        for sub in without:
            out.extend(_problems(sub, path, None))
        return out
    if isinstance(exc, ForbiddenExtraKeysError):
        names = [f.name for f in attrs.fields(exc.cl)]
        return [
            Problem(f"{path}.{key}", "unknown key", _key_hint(key, names), code="unknown-key")
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, InvalidFieldsError):
        return [attrs.evolve(p, path=path + p.path[1:]) for p in exc.problems]
    if isinstance(exc, KeyError):
        return [Problem(path, "required but missing", "add it", code="missing-required")]
    if isinstance(exc, AttributeError):  # cattrs called .items()/.keys() on a non-mapping
        return [
            Problem(
                path,
                "expected a mapping of keys to values",
                "write key: value lines",
                code="wrong-type",
            )
        ]
    if isinstance(exc, _Refused):
        return [Problem(path, str(exc), exc.hint, code=exc.code)]
    if isinstance(exc, ValueError):
        return [Problem(path, str(exc), code="invalid-value")]
    if isinstance(exc, TypeError):
        return [Problem(path, f"wrong kind of value ({exc})", code="wrong-type")]
    return [Problem(path, f"cannot be read: {exc}", code="invalid-value")]


_CURLY = "\u201c\u201d\u2018\u2019"


def _key_hint(key: str, names: list[str]) -> str:
    if any(c in key for c in _CURLY):
        straight = key.strip(_CURLY + "\"' ")
        also = f" ({did_you_mean(straight, names)})" if straight not in names else ""
        return f"write keys without quotes, or with straight quotes (\" or '){also}"
    return did_you_mean(key, names) or f"allowed keys: {', '.join(names)}"


def _key_problems(data: Mapping[Any, Any]) -> list[Problem]:
    """Keys that are not text anywhere in the data (``2:``, ``no:``), without recursion."""
    problems = []
    seen: set[int] = set()
    stack: list[tuple[Any, str]] = [(data, "$")]
    while stack:
        value, path = stack.pop()
        kind = type(value)
        if kind in _LEAVES or value is None or id(value) in seen:
            continue
        if isinstance(value, Mapping):
            seen.add(id(value))
            for key, item in value.items():
                if type(key) is str:
                    if type(item) not in _LEAVES:
                        stack.append((item, f"{path}.{key}"))
                elif isinstance(key, str):
                    stack.append((item, f"{path}.{key}"))
                else:
                    problems.append(
                        Problem(
                            f"{path}.{key}",
                            f"the key {key!r} is not text",
                            f"keys are field names; {_QUOTE_HINT}",
                            code="key-not-text",
                        )
                    )
        elif isinstance(value, list | tuple):
            seen.add(id(value))
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(value))
    return problems


def proposal_from_dict(data: Any) -> Proposal:
    """Build a :class:`Proposal` from an already-parsed mapping.

    Raises :class:`ProposalError` listing every problem with its path.
    """
    if not isinstance(data, Mapping):
        raise ProposalError(
            [
                Problem(
                    "$",
                    f"expected a mapping at the top level, got {_describe(data)}",
                    "start the file with 'id:'",
                    code="wrong-type",
                )
            ]
        )
    bad_keys = _key_problems(data)
    if bad_keys:
        raise ProposalError(bad_keys)
    try:
        return _converter.structure(dict(data), Proposal)
    except Exception as exc:
        problems = _problems(exc, "$", Proposal)
        raise ProposalError(problems) from None


def parse_proposal(text: str, source: str | None = None) -> Proposal:
    """Read a proposal from YAML or JSON text. ``source`` names it in error messages.

    Problems carry the line they are on where the text shows it.
    """
    return _parse_with_lines(text, source)[0]


def _parse_with_lines(text: str, source: str | None) -> tuple[Proposal, dict[str, int]]:
    """:func:`parse_proposal`, also giving the line of each field path (for reports)."""
    try:
        data, lines = parse_with_lines(text, source)
    except InputProblem as exc:
        raise ProposalError([exc.problem]) from None
    try:
        return proposal_from_dict(data), lines
    except ProposalError as err:
        located = [
            attrs.evolve(p, source=p.source or source, line=p.line or line_for(lines, p.path))
            for p in err.problems
        ]
        raise ProposalError(sorted(located, key=_line_order)) from None


def _line_order(problem: Problem) -> tuple[int, str]:
    return (problem.line if problem.line is not None else 0, problem.path)


def load_proposal(source: Source) -> Proposal:
    """Load a proposal from a YAML/JSON file path, a mapping, or return a ``Proposal`` as is.

    Raises :class:`ProposalError` with every problem found, each with its path.
    """
    if isinstance(source, Proposal):
        return source
    if isinstance(source, Mapping):
        return proposal_from_dict(source)
    if isinstance(source, str | os.PathLike):
        return read_proposal_file(source)[0]
    raise UsageError(
        "load_proposal() takes a path, a mapping or a Proposal, "
        f"not {type(source).__name__}; parsed data must be a mapping"
    )


def read_proposal_file(path: str | os.PathLike[str]) -> tuple[Proposal, dict[str, int]]:
    """The proposal in a YAML/JSON file, and the line of each of its field paths, from one
    read and one parse (the command line's reports give lines). Raises as
    :func:`load_proposal` does."""
    try:
        text = read_text_file(Path(path), str(path))
    except InputProblem as exc:
        raise ProposalError([exc.problem]) from None
    return _parse_with_lines(text, str(path))


def proposal_to_dict(proposal: Proposal) -> dict[str, Any]:
    """The proposal as plain data (the input format), leaving out unstated fields."""
    data: dict[str, Any] = _plain(proposal)
    return data


_LEAVES = (str, int, float, bool)


def _plain(value: Any) -> Any:
    """Plain data for model values: a direct walk, several times faster than unstructuring
    with cattrs and pruning, which matters because every verdict digests its proposal."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is tuple:
        return [_plain(v) for v in value]
    names = FIELD_NAMES.get(kind)
    if names is not None:
        out = {}
        for name in names:
            item = getattr(value, name)
            if item is not None:
                out[name] = _plain(item)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Period):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
