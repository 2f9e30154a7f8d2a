"""Checking a fact document given straight to the engine (``DurableEngine.run``).

``build_facts`` always writes a well-formed document, and ``Assessor.assess`` hands the engine
nothing else; tests, the engine's self-check and benchmarks hand it their own. A malformed one
could crash the engine's fact writer (a list item without a field: ``KeyError``) or, worse,
give a status the reference evaluator would not (a list count that disagrees with its list
turns "every item" from met into unknown). :class:`DocumentCheck` refuses it instead, naming
the path of the first problem.

Well-formed means: plain dicts down to every fact of the vocabulary; each fact absent, ``None``
(unstated) or a value of its kind; each list absent, ``None`` or a list of dicts that have
every field of the list, each of its kind; and each list's count equal to its length (or
unstated, for an empty list). An enumeration's value is any text for a fact (the engine
compares it as text, as the reference evaluator does) but one of its values for an item field
(the engine matches items against the field's finite domain). Keys outside the vocabulary are
not read, and not checked.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._errors import AssessmentError
from ._facts import LISTS, Fact

__all__ = ["DocumentCheck"]

_HINT = "give the engine a document as build_facts writes it"


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _is_text(value: Any) -> bool:
    return type(value) is str


def _is_boolean(value: Any) -> bool:
    return type(value) is bool


_KINDS: dict[str, Callable[[Any], bool]] = {
    "boolean": _is_boolean,
    "integer": _is_number,
    "number": _is_number,
    "text": _is_text,
    "date": _is_text,
}


def _accepts(fact: Fact, item: bool = False) -> Callable[[Any], bool]:
    """Whether a stated value is of the fact's (or, with ``item``, the item field's) kind."""
    if fact.values is None:
        return _KINDS[fact.kind]
    if not item:
        return _is_text
    allowed = frozenset(fact.values)
    return lambda value: type(value) is str and value in allowed


def _refuse(path: str, problem: str) -> AssessmentError:
    return AssessmentError(f"malformed fact document at {path}: {problem} ({_HINT})")


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


class DocumentCheck:
    """Refuses a malformed fact document with an :class:`AssessmentError` naming its path."""

    def __init__(self, vocabulary: Mapping[str, Fact], derived: Iterable[str]) -> None:
        derived = set(derived)  # set by the engine itself: only their containers are read
        self._scalars = [
            (path, path.split("."), None if path in derived else _accepts(fact))
            for path, fact in sorted(vocabulary.items())
        ]
        self._lists = [
            (lst.path, lst.count, [(f.path, _accepts(f, item=True)) for f in lst.items])
            for lst in LISTS
        ]

    def __call__(self, doc: Any) -> None:
        """Raise :class:`AssessmentError` if ``doc`` is not a well-formed fact document."""
        if type(doc) is not dict:
            raise _refuse("$", f"expected a dict of facts, got {_describe(doc)}")
        for path, parts, accepts in self._scalars:
            value = _lookup(doc, parts)
            if value is not None and accepts is not None and not accepts(value):
                raise _refuse(path, f"{_describe(value)} is not a value of this fact's kind")
        for name, count_path, fields in self._lists:
            items = doc.get(name)
            if items is None:
                items = []
            elif type(items) is not list:
                raise _refuse(name, f"expected a list of items, got {_describe(items)}")
            for index, item in enumerate(items):
                where = f"{name}[{index}]"
                if type(item) is not dict:
                    raise _refuse(where, f"expected a dict of item fields, got {_describe(item)}")
                for field, accepts in fields:
                    if field not in item:
                        raise _refuse(f"{where}.{field}", "missing (every item has every field)")
                    value = item[field]
                    if value is not None and not accepts(value):
                        raise _refuse(
                            f"{where}.{field}", f"{_describe(value)} is not a value of its kind"
                        )
            count = _lookup(doc, count_path.split("."))
            if count != len(items) and (count is not None or items):
                said = "unstated" if count is None else repr(count)
                raise _refuse(count_path, f"is {said}, but {name} has {len(items)} items")


def _lookup(doc: dict[str, Any], parts: list[str]) -> Any:
    """The value at a split path, ``None`` if absent; every container on the way a dict."""
    node: Any = doc
    for depth, name in enumerate(parts):
        if node is None:
            return None
        if type(node) is not dict:
            path = ".".join(parts[:depth])
            raise _refuse(path, f"expected a dict of facts, got {_describe(node)}")
        node = node.get(name)
    return node
