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

from . import _model
from ._errors import Problem, ProposalError, did_you_mean
from ._model import InvalidFieldsError, Period, Proposal, _type_name
from ._yaml import YamlProblem, line_for, parse_with_lines

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


class _WrongType(TypeError):
    """A value of the wrong kind; the message is meant for people."""


def _strict(kind: type, label: str) -> Callable[[Any, type], Any]:
    def structure(value: Any, target: type) -> Any:
        if isinstance(target, type) and issubclass(target, Enum):  # str-based vocabularies
            return _structure_enum(value, target)
        if isinstance(value, bool) and kind is not bool:
            raise _WrongType(f"expected {label}, got {_describe(value)}")
        if kind is float and isinstance(value, int):
            return value
        if not isinstance(value, kind):
            raise _WrongType(f"expected {label}, got {_describe(value)}")
        return value

    return structure


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
    raise _WrongType(f"expected a date as YYYY-MM-DD, got {value!r}")


def _structure_period(value: Any, _: type) -> Period:
    if not isinstance(value, str):
        raise _WrongType(f"expected an ISO 8601 period such as 'P6Y', got {_describe(value)}")
    return Period.parse(value)


def _structure_enum(value: Any, cls: type[Enum]) -> Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise ValueError(f"{value!r} is not one of the allowed values: {allowed}") from None


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
                raise _WrongType(f"expected a list, got {_describe(value)}")
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
            Problem(
                f"{path}.{key}",
                "unknown key",
                did_you_mean(key, names) or f"allowed keys: {', '.join(names)}",
            )
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, InvalidFieldsError):
        return [Problem(f"{path}.{name}", message) for name, message in exc.problems]
    if isinstance(exc, KeyError):
        return [Problem(path, "required but missing", "add it")]
    if isinstance(exc, AttributeError):  # cattrs called .items()/.keys() on a non-mapping
        return [Problem(path, "expected a mapping of keys to values", "write key: value lines")]
    if isinstance(exc, _WrongType | ValueError):
        return [Problem(path, str(exc))]
    if isinstance(exc, TypeError):
        return [Problem(path, f"wrong kind of value ({exc})")]
    return [Problem(path, f"cannot be read: {exc}")]


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
                )
            ]
        )
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        raise ProposalError([Problem("$", f"key {k!r} is not text") for k in bad_keys])
    try:
        return _converter.structure(dict(data), Proposal)
    except Exception as exc:
        problems = _problems(exc, "$", Proposal)
        raise ProposalError(problems) from None


def parse_proposal(text: str, source: str | None = None) -> Proposal:
    """Read a proposal from YAML or JSON text. ``source`` names it in error messages.

    Problems carry the line they are on where the text shows it.
    """
    try:
        data, lines = parse_with_lines(text, source)
    except YamlProblem as exc:
        raise ProposalError([exc.problem]) from None
    try:
        return proposal_from_dict(data)
    except ProposalError as err:
        located = [
            attrs.evolve(p, source=p.source or source, line=p.line or line_for(lines, p.path))
            for p in err.problems
        ]
        raise ProposalError(located) from None


def load_proposal(source: Source) -> Proposal:
    """Load a proposal from a YAML/JSON file path, a mapping, or return a ``Proposal`` as is.

    Raises :class:`ProposalError` with every problem found, each with its path.
    """
    if isinstance(source, Proposal):
        return source
    if isinstance(source, Mapping):
        return proposal_from_dict(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ProposalError(
                [Problem("$", f"cannot read the file: {reason}", "check the path", str(path))]
            ) from None
        return parse_proposal(text, str(path))
    raise TypeError(
        f"load_proposal() takes a path, a mapping or a Proposal, not {type(source).__name__}"
    )


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
    names = _FIELD_NAMES.get(kind)
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


def _model_classes() -> dict[type, tuple[str, ...]]:
    classes = [
        c for c in vars(_model).values() if isinstance(c, type) and attrs.has(c) and c is not Period
    ]
    return {c: tuple(f.name for f in attrs.fields(c)) for c in classes}


_FIELD_NAMES = _model_classes()
