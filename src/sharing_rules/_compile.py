"""Compiling a rule pack into a durable-rules ruleset, and the engine's copy of the facts.

Three properties of durable-rules 2.0.28 shape the compiled form:

* **No boolean "not".** Negation is pushed down to the comparisons.
* **31 expression entries per rule.** An unstated non-numeric fact is the string
  :data:`UNSTATED` in the engine's copy, so "differs from v" is one ``$neq`` test rather
  than "null or differs". Numbers keep null, since the engine orders strings against
  numbers.
* **``$or`` inside ``$iany``/``$iall`` is wrong when its branches read different item
  fields**: the engine walks an item's properties in order and keeps the result of the
  last property it tested, so a branch on an earlier property is forgotten. Branches on
  the *same* property are correct. So every list condition reads one property made for it:
  a *projection* of the item, the tuple of the fields its ``where`` reads, encoded as one
  string. Item fields have finite domains (enumerations, booleans, "stated"), so ``where``
  becomes "the projection is one of these tuples", found by evaluating ``where`` with the
  reference evaluator on every tuple of the domain.

The engine's copy of a fact document is flat with short keys (``f12``, ``l0``, ``p3``),
since durable-rules re-serialises the matched fact for every rule that fires.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ._conditions import (
    NUMERIC,
    PRESENCE_ONLY,
    All,
    AnyOf,
    Compare,
    Condition,
    Not,
    Quantified,
    evaluate,
    facts_named,
)
from ._errors import AssessmentError
from ._facts import LISTS, LISTS_BY_PATH, Fact, FactList, at_path
from ._rules import RulePack

__all__ = ["UNSTATED", "Plan", "Target", "compile_condition", "compile_pack", "target_for"]

#: An unstated non-numeric fact in the engine's copy. The only strings there are
#: enumeration values and projections, and neither is ever "?".
UNSTATED = "?"
_STATED = "+"  # a stated free-text or date item field, inside a projection
_MAX_TUPLES = 512
_DR_ORDER = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}
_DR_FLIP = {"lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
_NEVER = {"stage": -1}  # a fact never has stage -1: an always-false expression


def _domain(field: Fact) -> tuple[Any, ...]:
    """Every value an item field can have in the fact document (``None``: unstated)."""
    if field.values is not None:
        return (*field.values, None)
    if field.kind == "boolean":
        return (True, False, None)
    if field.kind in PRESENCE_ONLY:
        return (_STATED, None)
    raise AssessmentError(f"item field {field.path!r} ({field.kind}) has no finite domain")


def _code(value: Any) -> str:
    """One item field's value inside a projection string."""
    if value is None:
        return UNSTATED
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def encode(values: Iterable[Any]) -> str:
    """A projection: the codes of some item fields' values, in field order."""
    return "|".join(_code(v) for v in values)


@attrs.frozen(slots=True)
class Projection:
    """One property added to each item of a list: the tuple of some of its fields."""

    key: str
    list: str
    fields: tuple[str, ...]


@attrs.frozen(slots=True)
class Target:
    """What compilation needs to know: short keys, numeric paths, lists, projections."""

    keys: Mapping[str, str]  #: fact path, list name or ``list[].field`` -> engine key
    numeric: frozenset[str]
    lists: Mapping[str, FactList]
    projections: Mapping[tuple[str, tuple[str, ...]], Projection]

    def unstated(self, path: str) -> Any:
        """The value an unstated fact has in the engine's copy."""
        return None if path in self.numeric else UNSTATED


def _quantifiers(conditions: Iterable[Condition]) -> Iterable[Quantified]:
    for c in conditions:
        if isinstance(c, Quantified):
            yield c
        elif isinstance(c, All | AnyOf):
            yield from _quantifiers(c.items)
        elif isinstance(c, Not):
            yield from _quantifiers([c.item])


def _conditions_of(pack: RulePack) -> list[Condition]:
    out: list[Condition] = [d.condition for d in pack.derivations]
    for rule in pack.rules:
        out.append(rule.condition)
        if rule.when is not None:
            out.append(rule.when)
    return out


def target_for(pack: RulePack) -> Target:
    """Keys, numeric paths and the projections every list condition of the pack needs."""
    vocabulary = pack.vocabulary
    numeric = {path for path, fact in vocabulary.items() if fact.kind in NUMERIC}
    keys = {path: f"f{n}" for n, path in enumerate(sorted(vocabulary))}
    for n, lst in enumerate(LISTS):
        keys[lst.path] = f"l{n}"
    projections: dict[tuple[str, tuple[str, ...]], Projection] = {}
    for q in _quantifiers(_conditions_of(pack)):
        fields = tuple(sorted(set(facts_named(q.where))))
        if (q.list, fields) not in projections:
            projections[(q.list, fields)] = Projection(f"p{len(projections)}", q.list, fields)
    return Target(keys, frozenset(numeric), LISTS_BY_PATH, projections)


def _join(op: str, parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {op: list(parts)}


def compile_condition(condition: Condition, target: Target, negate: bool = False) -> dict[str, Any]:
    """The condition (or its negation) as a durable-rules JSON expression."""
    if isinstance(condition, Compare):
        return _compile_compare(condition, target, negate)
    if isinstance(condition, Not):
        return compile_condition(condition.item, target, not negate)
    if isinstance(condition, All | AnyOf):
        parts = [compile_condition(c, target, negate) for c in condition.items]
        return _join("$and" if isinstance(condition, All) != negate else "$or", parts)
    return _compile_quantified(condition, target, negate)


def _compile_quantified(q: Quantified, target: Target, negate: bool) -> dict[str, Any]:
    lst = target.lists[q.list]
    fields = tuple(sorted(set(facts_named(q.where))))
    projection = target.projections[(q.list, fields)]
    specs = [next(f for f in lst.items if f.path == name) for name in fields]
    domains = [_domain(f) for f in specs]
    size = 1
    for d in domains:
        size *= len(d)
    if size > _MAX_TUPLES:
        raise AssessmentError(
            f"a list condition on {q.list} reads {len(fields)} fields with "
            f"{size} combinations; split it"
        )
    # any_item: some item matches; all_items: every item does; no_item: none does.
    # Negating swaps "some" and "every" and negates the item condition.
    exists = (q.kind == "any_item") != negate
    want = (q.kind == "all_items") != exists  # whether the tuples must satisfy `where`
    tuples = [
        encode(values)
        for values in itertools.product(*domains)
        if evaluate(q.where, dict(zip(fields, values, strict=True))) is want
    ]
    key = f"$i.{projection.key}"
    inner = _join("$or", [{key: t} for t in tuples]) if tuples else None
    name = target.keys[q.list]
    count = target.keys[lst.count]
    if exists:
        return {"$iany": {name: inner}} if inner is not None else _NEVER
    empty: list[dict[str, Any]] = [{count: None}, {count: 0}]
    if inner is not None:
        empty.append({"$iall": {name: inner}})
    return _join("$or", empty)


def _compile_compare(c: Compare, target: Target, negate: bool) -> dict[str, Any]:
    key = target.keys[c.fact]
    unstated = target.unstated(c.fact)
    op, value = c.op, c.value
    if op == "present":
        return {"$neq": {key: unstated}} if value != negate else {key: unstated}
    if op in ("ne", "not_in"):
        op, negate = ("eq" if op == "ne" else "in"), not negate
    if op == "eq":
        value = (value,)
    if op in ("eq", "in"):
        if not negate:
            return _join("$or", [{key: v} for v in value])
        differs = _join("$and", [{"$neq": {key: v}} for v in value])
        return differs if unstated is not None else _join("$or", [{key: None}, differs])
    if not negate:
        return {_DR_ORDER[op]: {key: value}}
    return _join("$or", [{key: None}, {_DR_ORDER[_DR_FLIP[op]]: {key: value}}])


def _rule(stage: int, *parts: dict[str, Any] | None) -> dict[str, Any]:
    terms = [{"stage": stage}, *(p for p in parts if p is not None)]
    return {"all": [{"m": {"$and": terms} if len(terms) > 1 else terms[0]}]}


def _all_stated(paths: Sequence[str], target: Target) -> dict[str, Any] | None:
    if not paths:
        return None
    return _join("$and", [{"$neq": {target.keys[p]: target.unstated(p)}} for p in paths])


def compile_pack(pack: RulePack, target: Target) -> dict[str, Any]:
    """The durable-rules ruleset definition (JSON-able) for a pack (see ``_engine``)."""
    definition: dict[str, Any] = {"s1": _rule(1), "s2": _rule(2)}
    for i, d in enumerate(pack.derivations):
        definition[f"d{i}t"] = _rule(1, compile_condition(d.condition, target))
        definition[f"d{i}f"] = _rule(
            1, _all_stated(d.requires, target), compile_condition(d.condition, target, True)
        )
    for i, r in enumerate(pack.rules):
        when = None if r.when is None else compile_condition(r.when, target)
        if r.when is not None:
            definition[f"r{i}a"] = _rule(2, compile_condition(r.when, target, True))
        known = _all_stated(r.requires, target)
        definition[f"r{i}m"] = _rule(2, when, known, compile_condition(r.condition, target))
        definition[f"r{i}n"] = _rule(2, when, known, compile_condition(r.condition, target, True))
    return definition


# ------------------------------------------------------------ the engine's copy of facts


def _used(conditions: Iterable[Condition], requires: Iterable[str], target: Target) -> set[str]:
    used = set(requires)
    for condition in conditions:
        for name in facts_named(condition):
            if "[]" in name:
                continue
            used.add(name)
            if name in target.lists:  # "every item" conditions read the list's count
                used.add(target.lists[name].count)
    return used


def _mode(kind: str) -> str:
    if kind in NUMERIC:
        return "number"
    return "presence" if kind in PRESENCE_ONLY else "value"


def _convert(value: Any, mode: str, path: str) -> Any:
    if value is None:
        return None if mode == "number" else UNSTATED
    if mode == "presence":
        return True
    if type(value) is float and "e" in repr(value):
        # durable-rules' JSON reader crashes the process on exponents ("1e+16").
        if value.is_integer():
            return int(value)
        raise AssessmentError(f"{path}: the engine cannot take the number {value!r}")
    return value


@attrs.frozen(slots=True)
class Plan:
    """How to build the engine's copy of a fact document for one stage: only the facts the
    stage's rules read, flat under short keys, and each list item as its projections."""

    scalars: tuple[tuple[str, tuple[str, ...], str, str], ...]  #: key, parts, mode, path
    #: (key, list, ((projection key, ((field, presence only), ...)), ...))
    lists: tuple[tuple[str, str, tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]], ...]

    @classmethod
    def build(
        cls,
        conditions: Sequence[Condition],
        requires: Iterable[str],
        target: Target,
        vocabulary: Mapping[str, Fact],
    ) -> Plan:
        used = _used(conditions, requires, target)
        scalars = tuple(
            (target.keys[p], tuple(p.split(".")), _mode(vocabulary[p].kind), p)
            for p in sorted(used)
            if p in vocabulary
        )
        wanted = {
            (q.list, tuple(sorted(set(facts_named(q.where))))) for q in _quantifiers(conditions)
        }
        lists = []
        for name in sorted({lst for lst, _ in wanted}):
            presence = {f.path for f in target.lists[name].items if f.kind in PRESENCE_ONLY}
            projections = tuple(
                (target.projections[w].key, tuple((f, f in presence) for f in w[1]))
                for w in sorted(wanted)
                if w[0] == name
            )
            lists.append((target.keys[name], name, projections))
        return cls(scalars, tuple(lists))

    def apply(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """The engine's copy of ``doc``."""
        out: dict[str, Any] = {}
        for key, parts, mode, path in self.scalars:
            out[key] = _convert(at_path(doc, parts), mode, path)
        for key, name, projections in self.lists:
            items = []
            for item in doc.get(name) or ():
                record = {}
                for pkey, fields in projections:
                    record[pkey] = "|".join(
                        [
                            _CODES_PRESENCE[item[f] is None]
                            if presence
                            else _CODES.get(item[f], item[f])
                            for f, presence in fields
                        ]
                    )
                items.append(record)
            out[key] = items
        return out


# An item field's code in a projection, as `encode` writes it: enumeration values are
# themselves; a presence-only field is looked up by "is it unstated".
_CODES: dict[Any, str] = {None: UNSTATED, True: "t", False: "f"}
_CODES_PRESENCE = {True: UNSTATED, False: _STATED}
