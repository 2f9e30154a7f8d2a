"""The condition language: parsing and checking, reference evaluation, and durable-rules JSON.

A condition is one of::

    {all: [c, ...]}    {any: [c, ...]}    {not: c}
    {fact: PATH, eq|ne|lt|le|gt|ge: VALUE}
    {fact: PATH, in|not_in: [VALUE, ...]}
    {fact: PATH, present: true|false}
    {any_item|all_items|no_item: LIST, where: c}   (inside, ``fact:`` names an item field)

A comparison's value may be ``{param: NAME}``, a pack parameter, resolved when the pack loads.

This module checks and evaluates conditions; ``_compile`` turns them into durable-rules
expressions. Semantics are two-valued over a fact document in which unstated facts are ``None``: a
comparison with an unstated fact is false (so ``ne`` and ``not_in`` are true), ``all_items``
of an empty or unstated list is true, ``any_item`` of it false. Rules turn "unstated" into
*unknown* separately, through their ``requires`` list.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from ._errors import Problem, did_you_mean
from ._facts import Fact, FactList

__all__ = [
    "NUMERIC",
    "PRESENCE_ONLY",
    "All",
    "AnyOf",
    "Compare",
    "Condition",
    "Not",
    "Quantified",
    "Scope",
    "compare",
    "evaluate",
    "facts_named",
    "lookup",
    "parse_condition",
]

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "present")
QUANTIFIERS = ("any_item", "all_items", "no_item")
OPERATORS = ("all", "any", "not", "fact", *COMPARISONS, *QUANTIFIERS, "where")


@attrs.frozen(slots=True)
class Compare:
    fact: str
    op: str
    value: Any


@attrs.frozen(slots=True)
class All:
    items: tuple[Condition, ...]


@attrs.frozen(slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@attrs.frozen(slots=True)
class Not:
    item: Condition


@attrs.frozen(slots=True)
class Quantified:
    kind: str  #: any_item, all_items or no_item
    list: str
    where: Condition


Condition = Compare | All | AnyOf | Not | Quantified


@attrs.frozen(slots=True)
class Scope:
    """What a condition may name: scalar facts, list facts, and (inside ``where``) item fields."""

    facts: Mapping[str, Fact]
    lists: Mapping[str, FactList]
    item: FactList | None = None
    params: Mapping[str, Any] = attrs.field(factory=dict)  #: pack parameters' values
    origins: Mapping[str, str] = attrs.field(factory=dict)  #: where each value was set


# ---------------------------------------------------------------------------- parsing


def parse_condition(raw: Any, scope: Scope, path: str, problems: list[Problem]) -> Condition | None:
    """Check and build a condition; append a :class:`Problem` for each thing wrong."""
    if not isinstance(raw, Mapping):
        problems.append(
            Problem(
                path,
                f"a condition must be a mapping, got {raw!r}",
                "write e.g. {fact: purpose.statement, present: true}",
                code="wrong-type",
            )
        )
        return None
    unknown = [k for k in raw if k not in OPERATORS]
    for key in unknown:
        problems.append(
            Problem(
                f"{path}.{key}",
                f"unknown operator {key!r}",
                did_you_mean(str(key), OPERATORS) or f"operators: {', '.join(OPERATORS)}",
                code="unknown-operator",
            )
        )
    if unknown:
        return None
    keys = set(raw)
    if keys in ({"all"}, {"any"}):
        name = "all" if "all" in keys else "any"
        parts = raw[name]
        if not isinstance(parts, list) or not parts:
            problems.append(
                Problem(
                    f"{path}.{name}", "expects a non-empty list of conditions", code="wrong-type"
                )
            )
            return None
        parsed = [
            parse_condition(c, scope, f"{path}.{name}[{i}]", problems) for i, c in enumerate(parts)
        ]
        if any(p is None for p in parsed):
            return None
        items = tuple(p for p in parsed if p is not None)
        return All(items) if name == "all" else AnyOf(items)
    if keys == {"not"}:
        inner = parse_condition(raw["not"], scope, f"{path}.not", problems)
        return None if inner is None else Not(inner)
    quantifier = keys & set(QUANTIFIERS)
    if quantifier:
        return _parse_quantified(raw, quantifier, scope, path, problems)
    if "fact" in keys:
        return _parse_compare(raw, scope, path, problems)
    problems.append(
        Problem(
            path,
            f"cannot tell what condition {dict(raw)!r} is",
            "use all/any/not, fact with a comparison, or a list quantifier",
            code="invalid-condition",
        )
    )
    return None


def _parse_quantified(
    raw: Mapping[str, Any], quantifier: set[str], scope: Scope, path: str, problems: list[Problem]
) -> Condition | None:
    kind = sorted(quantifier)[0]
    if keys_extra := set(raw) - {kind, "where"}:
        problems.append(
            Problem(
                path,
                f"{kind} takes only 'where', not {sorted(map(str, keys_extra))}",
                code="invalid-condition",
            )
        )
        return None
    if scope.item is not None:
        problems.append(
            Problem(
                path,
                f"{kind} cannot be nested inside another list condition",
                code="invalid-condition",
            )
        )
        return None
    name = raw[kind]
    target = scope.lists.get(name) if isinstance(name, str) else None
    if target is None:
        problems.append(
            Problem(
                f"{path}.{kind}",
                f"{name!r} is not a list fact",
                did_you_mean(str(name), scope.lists) or f"lists: {', '.join(scope.lists)}",
                code="unknown-fact",
            )
        )
        return None
    if "where" not in raw:
        problems.append(
            Problem(path, f"{kind} needs a 'where' condition on the items", code="missing-required")
        )
        return None
    inner = parse_condition(
        raw["where"], attrs.evolve(scope, item=target), f"{path}.where", problems
    )
    return None if inner is None else Quantified(kind, name, inner)


def _fact_for(name: Any, scope: Scope) -> Fact | None:
    if not isinstance(name, str):
        return None
    if scope.item is not None:
        return next((f for f in scope.item.items if f.path == name), None)
    return scope.facts.get(name)


def _parse_compare(
    raw: Mapping[str, Any], scope: Scope, path: str, problems: list[Problem]
) -> Condition | None:
    ops = [k for k in raw if k != "fact"]
    if len(ops) != 1 or ops[0] not in COMPARISONS:
        problems.append(
            Problem(
                path,
                "a fact condition needs exactly one comparison",
                f"one of: {', '.join(COMPARISONS)}",
                code="invalid-condition",
            )
        )
        return None
    op, value, name = ops[0], raw[ops[0]], raw["fact"]
    param = None
    if isinstance(value, Mapping) and set(value) == {"param"}:
        param = value["param"]
        if not isinstance(param, str) or param not in scope.params:
            problems.append(
                Problem(
                    f"{path}.{op}.param",
                    f"unknown parameter {param!r}",
                    did_you_mean(str(param), scope.params)
                    or "declare it under parameters: in pack.yaml",
                    code="unknown-parameter",
                )
            )
            return None
        value = scope.params[param]
    fact = _fact_for(name, scope)
    if fact is None:
        choices = [f.path for f in scope.item.items] if scope.item else list(scope.facts)
        where = f"a field of {scope.item.path} items" if scope.item else "a fact"
        problems.append(
            Problem(
                f"{path}.fact",
                f"{name!r} is not {where}",
                did_you_mean(str(name), choices) or "see the fact vocabulary in docs/facts.md",
                code="unknown-fact",
            )
        )
        return None
    message = _check_value(fact, op, value)
    if message:
        if param is not None:
            origin = scope.origins.get(param)
            message += f" (the value of parameter {param}" + (
                f", set in {origin})" if origin else ")"
            )
        problems.append(Problem(f"{path}.{op}", message, code="invalid-value"))
        return None
    if op in ("in", "not_in"):
        value = tuple(value)
    return Compare(fact.path, op, value)


NUMERIC = ("integer", "number")
#: Kinds rules may only test for presence: free text is not matched against values, so the
#: engine's copy of the facts carries only whether it is stated.
PRESENCE_ONLY = ("text", "date")


def _plain_number(value: float) -> bool:
    """Whether JSON writes the float without an exponent (durable-rules crashes on those)."""
    return value == 0 or ("e" not in repr(value).lower() and "n" not in repr(value))


def _check_value(fact: Fact, op: str, value: Any) -> str | None:
    if op == "present":
        return None if isinstance(value, bool) else "present takes true or false"
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return f"{op} takes a non-empty list of values"
        return next(filter(None, (_check_scalar(fact, v) for v in value)), None)
    if fact.kind in PRESENCE_ONLY:
        return f"{fact.path} is free {fact.kind}: test it with 'present: true' or 'present: false'"
    if op in ("lt", "le", "gt", "ge") and fact.kind not in NUMERIC:
        return f"{op} compares numbers, but {fact.path} is {fact.kind}"
    return _check_scalar(fact, value)


def _check_scalar(fact: Fact, value: Any) -> str | None:
    if value is None:
        return "compare with null through 'present: false', not a value"
    if fact.values is not None:
        if value not in fact.values:
            return f"{value!r} is not a value of {fact.path}: {', '.join(fact.values)}"
        return None
    expected: dict[str, tuple[type, ...]] = {
        "integer": (int,),
        "number": (int, float),
        "boolean": (bool,),
        "text": (str,),
        "date": (str,),
    }
    kinds = expected.get(fact.kind, (str,))
    if isinstance(value, float) and not _plain_number(value):
        return f"write {value!r} as a plain decimal number between 0.0001 and 10^15"
    if isinstance(value, bool) and bool not in kinds:
        return f"{fact.path} is {fact.kind}, not true/false"
    if not isinstance(value, kinds):
        return f"{fact.path} is {fact.kind}; {value!r} cannot match it"
    return None


def facts_named(condition: Condition) -> Iterator[str]:
    """Every scalar fact path and list a condition reads (item fields as ``list[].field``)."""
    if isinstance(condition, Compare):
        yield condition.fact
    elif isinstance(condition, All | AnyOf):
        for item in condition.items:
            yield from facts_named(item)
    elif isinstance(condition, Not):
        yield from facts_named(condition.item)
    else:
        yield condition.list
        yield from (f"{condition.list}[].{name}" for name in facts_named(condition.where))


# ---------------------------------------------------------------- reference evaluation

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


@functools.lru_cache(maxsize=4096)
def _parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def lookup(doc: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a fact document (``None`` when absent)."""
    value: Any = doc
    for name in _parts(path):
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def _same(actual: Any, expected: Any) -> bool:
    """Equality as the engine sees it: nothing equals an unstated value, nor a bool a number."""
    if actual is None:
        return False
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    return bool(actual == expected)


def compare(condition: Compare, actual: Any) -> bool:
    """A comparison's value for the value of its fact (``None``: unstated)."""
    op, expected = condition.op, condition.value
    if op == "present":
        return (actual is not None) is expected
    if op == "eq":
        return _same(actual, expected)
    if op == "ne":
        return not _same(actual, expected)
    if op == "in":
        return any(_same(actual, v) for v in expected)
    if op == "not_in":
        return not any(_same(actual, v) for v in expected)
    return actual is not None and not isinstance(actual, bool) and _ORDER[op](actual, expected)


def evaluate(condition: Condition, doc: Mapping[str, Any]) -> bool:
    """The reference evaluator: plain Python over the fact document (the test oracle)."""
    if isinstance(condition, Compare):
        return compare(condition, lookup(doc, condition.fact))
    if isinstance(condition, All):
        return all(evaluate(c, doc) for c in condition.items)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, doc) for c in condition.items)
    if isinstance(condition, Not):
        return not evaluate(condition.item, doc)
    items = lookup(doc, condition.list) or []
    hits = (evaluate(condition.where, item) for item in items)
    if condition.kind == "any_item":
        return any(hits)
    if condition.kind == "all_items":
        return all(hits)
    return not any(hits)
