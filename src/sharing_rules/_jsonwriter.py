"""JSON written straight from frozen attrs objects, byte for byte what ``json.dumps`` (keys
sorted, compact, non-ASCII as it is) writes of their cattrs dicts, without building them."""

from __future__ import annotations

import json
import json.encoder
import operator
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs

__all__ = ["Unfit", "encode", "make_writer"]


def _make_encode() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``, with
    the json module's C encoder made once: ``JSONEncoder.encode`` makes one a call, which
    costs as much as encoding a small finding."""
    encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: the module's own pure-Python path
        return encoder.encode
    # (markers, default, encoder, indent, separators, sort_keys, skipkeys, allow_nan), as
    # JSONEncoder.iterencode calls it; no markers: a verdict's data has no cycles.
    encode = make(
        None, encoder.default, json.encoder.encode_basestring, None, ":", ",", True, False, True
    )
    return lambda value: "".join(encode(value, 0))


encode = _make_encode()
_text = json.encoder.encode_basestring  # the JSON of a str (of any str subclass); else TypeError


class Unfit(TypeError):
    """A value a generated writer does not write (one of another type than declared, or one
    that could change): the caller writes the object the generic way, and does not keep it."""


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _value(x: Any) -> str:
    """The JSON of a value of any declared type, for a value that cannot change: ``None``, a
    bool, an int, a float or a str (of exactly those types), or a tuple of them."""
    kind = type(x)
    if kind is str:
        return _text(x)
    if kind in _SCALARS or (kind is tuple and _plain(x)):
        return encode(x)
    raise Unfit(kind.__name__)


def _plain(items: tuple[Any, ...]) -> bool:
    return all(type(x) in _SCALARS or (type(x) is tuple and _plain(x)) for x in items)


def _kind(declared: Any, writers: Mapping[type, str], references: Mapping[type, str]) -> str:
    """The expression writing a value ``x`` of the declared type (raising :class:`Unfit` for a
    value it does not fit): text, a tuple of texts, numbers, classes with writers or classes
    referred to, or else any value that cannot change."""
    if isinstance(declared, type) and issubclass(declared, str):  # text and StrEnum members
        return "_text(x)"
    args = typing.get_args(declared)
    if typing.get_origin(declared) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        each = "_text" if isinstance(item, type) and issubclass(item, str) else writers.get(item)
        if each is not None:
            return f'("[" + ",".join(map({each}, x)) + "]" if type(x) is tuple else _unfit(x))'
        if item in references:  # each item's reference (text), all in C
            each = f"map({references[item]}, x)"
            return f'("[" + ",".join(map(_text, {each})) + "]" if type(x) is tuple else _unfit(x))'
        if item is int or item is float:  # (as written by the json module, which cattrs keeps)
            return "(_encode(x) if type(x) is tuple else _unfit(x))"
    if typing.get_origin(declared) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            return f'("null" if x is None else {_kind(rest[0], writers, references)})'
    return "_value(x)"


def _unfit(x: Any) -> str:
    raise Unfit(type(x).__name__)


def make_writer(
    cls: type,
    *,
    omit_defaults: bool,
    writers: Mapping[type, Callable[[Any], str]] | None = None,
    references: Mapping[type, str] | None = None,
) -> Callable[[Any], str]:
    """A function writing an object of exactly ``cls`` as ``json.dumps`` writes its cattrs dict
    (fields holding their default left out if ``omit_defaults``, as cattrs' ``omit_if_default``
    does), made once from ``attrs.fields(cls)``; it raises :class:`Unfit` (a TypeError) for an
    object of another class or holding a value of another type than declared. It writes only
    values that cannot change, so that a caller may keep what it wrote: text, tuples (whose
    items are trusted to be numbers where the type says so) and plain scalars. ``writers``
    write the classes that fields hold tuples of; an object of a class in ``references`` is
    written as its attribute of that name (text; the object itself is not checked), as a
    cattrs hook giving that attribute would have it written."""
    attrs.resolve_types(cls)
    writers = writers or {}
    names = {kind: f"_write_{kind.__name__}" for kind in writers}
    refs = {kind: f"_refer_{kind.__name__}" for kind in references or {}}
    namespace: dict[str, Any] = {
        "_cls": cls,
        "_text": _text,
        "_encode": encode,
        "_value": _value,
        "_unfit": _unfit,
        "Unfit": Unfit,
        **{names[kind]: write for kind, write in writers.items()},
        **{refs[kind]: operator.attrgetter(name) for kind, name in (references or {}).items()},
    }
    fields = sorted(attrs.fields(cls), key=lambda f: f.name)  # json.dumps sorts the keys
    always = [not (omit_defaults and f.default is not attrs.NOTHING) for f in fields]
    first = always.index(True) if True in always else len(fields)
    body = ["def write(v):", "    if type(v) is not _cls:", "        raise Unfit(type(v).__name__)"]
    text = ""  # the f-string giving the object: literal keys and the values' JSON, p0, p1, ...
    for index, field in enumerate(fields):
        # commas: after each field (kept or not) before the first always written, before each
        # after it, and before every one if none is always written
        if index > first or first == len(fields):
            lead, trail = ",", ""
        else:
            lead, trail = "", "" if index == first else ","
        key = lead + _text(field.name) + ":"
        body.append(f"    x = v.{field.name}")
        value = _kind(field.type, names, refs)
        if always[index]:
            body.append(f"    p{index} = {value}")
            text += key.replace("{", "{{").replace("}", "}}") + f"{{p{index}}}"
            continue
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            if default.takes_self:
                raise NotImplementedError(f"{cls.__name__}.{field.name}: a default from self")
            default = default.factory()
        namespace[f"_default{index}"] = default
        # left out as cattrs leaves it out: when not (x != default)
        kept = "x is not None" if default is None else f"x != _default{index}"
        written = f"{key!r} + {value}" + (f" + {trail!r}" if trail else "")
        body.append(f"    p{index} = {written} if {kept} else ''")
        text += f"{{p{index}}}"
    if first == len(fields):  # nothing always written: each kept field led with a comma
        body.append(f"    text = f{text!r}")
        body.append('    return "{" + text[1:] + "}"')
    else:
        body.append(f"    return f{'{{' + text + '}}'!r}")
    exec(compile("\n".join(body), f"<JSON writer of {cls.__name__}>", "exec"), namespace)
    write: Callable[[Any], str] = namespace["write"]
    return write
