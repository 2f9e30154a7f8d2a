"""Digests: ``sha256:`` of a text, and the proposal digest (SHA-256 of the proposal's canonical
JSON, written from the model)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable
from json.encoder import encode_basestring as _json_text
from typing import Any

import attrs

from ._load import _plain
from ._model import ENUMS, FIELD_NAMES, Period, Proposal

__all__ = ["proposal_digest", "sha256_text"]


def sha256_text(text: str) -> str:
    """``sha256:`` and the hex SHA-256 of ``text`` in UTF-8: the form of every digest the
    library records (proposals, packs, networks)."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def proposal_digest(proposal: Proposal) -> str:
    """``sha256:...`` of the proposal's canonical JSON, recorded in its verdict: the JSON of
    :func:`proposal_to_dict` (fields in the model's order, unstated ones left out) with no
    spaces and no escaping of non-ASCII characters. Written straight from the model, without
    building the dict: stored verdicts are keyed by it, so it must never change."""
    write = _WRITERS.get(type(proposal))
    text = write(proposal) if write is not None else _json(proposal)
    return sha256_text(text)


#: Per model class: (field name, its JSON key followed by a colon).
_KEYS = {c: tuple((n, _json_text(n) + ":") for n in names) for c, names in FIELD_NAMES.items()}
#: The JSON of every member of the model's enumerations (of string values).
_MEMBERS = {m: _json_text(m.value) for c in ENUMS for m in c if type(m.value) is str}
_MEMBER_TYPES = frozenset(type(m) for m in _MEMBERS)


def _write(value: Any, out: list[str]) -> None:
    """Append the canonical JSON of a model value, as ``json.dumps(_plain(value))`` writes it."""
    kind = type(value)
    keys = _KEYS.get(kind)
    if keys is not None:
        sep = "{"
        for name, key in keys:
            item = getattr(value, name)
            if item is not None:
                out.append(sep)
                out.append(key)
                _write_value(item, out)
                sep = ","
        out.append("{}" if sep == "{" else "}")
    elif kind is tuple:
        sep = "["
        for item in value:
            out.append(sep)
            _write_value(item, out)
            sep = ","
        out.append("[]" if sep == "[" else "]")
    elif kind is float and math.isfinite(value):
        out.append(float.__repr__(value))
    elif kind is dt.date or kind is Period:
        out.append(_json_text(str(value)))  # str of a date is its isoformat()
    else:  # anything else: exactly as before
        out.append(json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":")))


def _write_value(value: Any, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(_json_text(value))
    elif kind is bool:
        out.append("true" if value else "false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind in _MEMBER_TYPES:
        out.append(_MEMBERS[value])
    else:
        _write(value, out)


def _json(value: Any) -> str:
    """The canonical JSON of any model value, by the generic writer."""
    out: list[str] = []
    _write_value(value, out)
    return "".join(out)


def _texts(value: Any) -> str:
    """The JSON of a tuple of texts (or of members of the model's enumerations)."""
    if type(value) is tuple:
        try:
            return "[" + ",".join(map(_json_text, value)) + "]"
        except TypeError:  # not all text: the generic writer
            pass
    return _json(value)


def _objects(value: Any) -> str:
    """The JSON of a tuple of model objects."""
    if type(value) is tuple and all(type(item) in _WRITERS for item in value):
        return "[" + ",".join([_WRITERS[type(item)](item) for item in value]) + "]"
    return _json(value)


def _object(value: Any) -> str:
    write = _WRITERS.get(type(value))
    return write(value) if write is not None else _json(value)


#: The expression writing a field's value ``x``, by the field's declared type; each falls
#: back on the generic writer for a value of another type.
_BY_TYPE = {
    "str": "_json_text(x) if type(x) is str else _json(x)",
    "bool": '("true" if x else "false") if type(x) is bool else _json(x)',
    "int": "int.__repr__(x) if type(x) is int else _json(x)",
}
_ENUM_NAMES = frozenset(t.__name__ for t in _MEMBER_TYPES)
_CLASS_NAMES = frozenset(c.__name__ for c in FIELD_NAMES)


def _expression(declared: str) -> str:
    kind = declared.removesuffix(" | None")
    if kind in _BY_TYPE:
        return _BY_TYPE[kind]
    if kind in _ENUM_NAMES:
        return "_MEMBERS[x] if type(x) in _MEMBER_TYPES else _json(x)"
    if kind in _CLASS_NAMES:
        return "_object(x)"
    inner = kind.removeprefix("tuple[").removesuffix(", ...]")
    if kind.startswith("tuple[") and (inner == "str" or inner in _ENUM_NAMES):
        return "_texts(x)"
    if kind.startswith("tuple[") and inner in _CLASS_NAMES:
        return "_objects(x)"
    return "_json(x)"


def _compile_writers() -> dict[type, Callable[[Any], str]]:
    """Per model class, a function writing an object's canonical JSON, written once from the
    class's fields: each stated field's key and value, in the model's order."""
    writers: dict[type, Callable[[Any], str]] = {}
    namespace: dict[str, Any] = {
        "_json": _json,
        "_json_text": _json_text,
        "_texts": _texts,
        "_object": _object,
        "_objects": _objects,
        "_MEMBERS": _MEMBERS,
        "_MEMBER_TYPES": _MEMBER_TYPES,
    }
    for cls, names in FIELD_NAMES.items():
        types = {f.name: str(f.type) for f in attrs.fields(cls)}
        lines = [f"def write_{cls.__name__}(v):", "    out = []"]
        for name in names:
            key = _json_text(name) + ":"
            lines += [
                f"    x = v.{name}",
                "    if x is not None:",
                f"        out.append({key!r} + ({_expression(types[name])}))",
            ]
        lines.append('    return "{" + ",".join(out) + "}"')
        exec(compile("\n".join(lines), f"<canonical JSON of {cls.__name__}>", "exec"), namespace)
        writers[cls] = namespace[f"write_{cls.__name__}"]
    return writers


_WRITERS = _compile_writers()
