"""Compiling a rule pack into a durable-rules ruleset, and the engine's copy of the facts.

Properties of durable-rules 2.0.28 shape the compiled form:

* **No boolean "not".** Negation is pushed down to the comparisons.
* **At most 15 and/or groups per rule** (31 expression entries, error 113). An unstated
  non-numeric fact is the string :data:`UNSTATED` in the engine's copy, so "differs from v"
  is one ``$neq`` test rather than "null or differs"; a number has a high and a low copy
  (see :data:`_HIGH`), so that "unstated or not x < v" is one test too. A condition that still
  needs more groups is split at an ``$or`` into several engine rules with the same status.
* **Tests against null are never shared** between rules, so none is compiled.
* **A 64-entry stack walks the network** (error 303 at assessment time): the rules of a stage
  are spread over a tree of always-true tests so that no node has more branches that can
  hold at once than the stack takes (``_network`` models the network and its limits, and
  :func:`compile_pack` refuses, naming the rule, what would still break one).
* **``$or`` inside ``$iany``/``$iall`` is wrong when its branches read different item
  fields**: the engine walks an item's properties in order and keeps the result of the
  last property it tested, so a branch on an earlier property is forgotten. Branches on
  the *same* property are correct. So every list condition reads one property made for it:
  a *projection* of the item, the tuple of the fields its ``where`` reads, encoded as one
  string. Item fields have finite domains (enumerations, booleans, "stated"), so ``where``
  becomes "the projection is one of these tuples", found by evaluating ``where`` with the
  reference evaluator on every tuple of the domain.
* **A list test re-reads every property of every item it walks.** So the engine's copy
  holds one list of strings per projection (``"p3": ["health|t", ...]``, tested as
  ``$i``), not a list of items carrying every projection: the list tests of the framework
  pack cost a third of what they did.

The engine's copy of a fact document is flat with short keys (``f12h``, ``p3``), since
durable-rules re-serialises the matched fact for every rule that fires.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
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
from ._errors import AssessmentError, Problem, RuleError
from ._facts import LISTS, LISTS_BY_PATH, Fact, FactList
from ._network import MAX_GROUPS, MAX_STACK, Node, Overflow, check, groups, stack_bound
from ._rules import Derivation, Rule, RulePack

__all__ = ["UNSTATED", "Plan", "Target", "compile_condition", "compile_pack", "target_for"]

#: An unstated non-numeric fact in the engine's copy. The only strings there are
#: enumeration values and projections, and neither is ever "?".
UNSTATED = "?"
_STATED = "+"  # a stated free-text or date item field, inside a projection
_NO_PROJECTION = "!"  # never the value of a projection
_MAX_TUPLES = 512
_DR_ORDER = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}
_DR_FLIP = {"lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
_NEVER = {"stage": -1}  # a fact never has stage -1: an always-false expression
#: A number goes into the engine's copy of the facts twice, in which an unstated number is
#: above (``h``) or below (``l``) every value a rule can hold (numbers are at most 10^15).
#: Then "unstated, or x >= v" is one test, not an ``$or`` (durable-rules allows few and/or
#: groups per rule), and no test compares with null, which durable-rules never shares
#: between rules (each such test is a node of its own, see ``_network``).
_HIGH, _LOW = "h", "l"
_BEYOND = 2**53


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
        """The value an unstated fact has in the engine's copy (of a number: its high copy)."""
        return _BEYOND if path in self.numeric else UNSTATED

    def key(self, path: str, copy: str = _HIGH) -> str:
        """The engine key of a fact; of a number, the key of its ``h`` or ``l`` copy."""
        return self.keys[path] + copy if path in self.numeric else self.keys[path]


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
    flat = _flat(op, parts)
    return flat[0] if len(flat) == 1 else {op: flat}


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
    tuples: list[str] = []  # the projections that match
    others: list[str] = []  # and those that do not
    for values in itertools.product(*domains):
        matches = evaluate(q.where, dict(zip(fields, values, strict=True))) is want
        (tuples if matches else others).append(encode(values))
    key = "$i"  # the item itself: a projection list holds strings
    inner: dict[str, Any] | None
    if not tuples:
        inner = None
    elif not others:
        inner = {"$neq": {key: _NO_PROJECTION}}  # every item matches
    elif len(tuples) > 1 and len(others) < 3:
        # "none of the others": one or two tests per item instead of an $or of equalities,
        # its join node and the closing test (below)
        inner = _join("$and", [{"$neq": {key: t}} for t in others])
    else:
        inner = _join("$or", [{key: t} for t in tuples])
        if "$or" in inner:
            # durable-rules checks the type of the node a list test's expression ends on,
            # and an $or ends on a join node whose type it never set: creating the ruleset
            # then failed at random with error 102. End on a test that always holds (no
            # projection is "!").
            inner = {"$and": [inner, {"$neq": {key: _NO_PROJECTION}}]}
    name = projection.key
    count = target.key(lst.count)
    if exists:
        return {"$iany": {name: inner}} if inner is not None else _NEVER
    empty: list[dict[str, Any]] = [{count: _BEYOND}, {count: 0}]
    if inner is not None:
        empty.append({"$iall": {name: inner}})
    return _join("$or", empty)


def _compile_compare(c: Compare, target: Target, negate: bool) -> dict[str, Any]:
    key = target.key(c.fact)
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
        return _join("$and", [{"$neq": {key: v}} for v in value])
    # An unstated number is above every value in its high copy and below in its low copy:
    # x < v and not (x < v), i.e. "unstated or x >= v", are both one test on the high copy.
    key = target.key(c.fact, _HIGH if op in ("lt", "le") else _LOW)
    return {_DR_ORDER[_DR_FLIP[op] if negate else op]: {key: value}}


def _all_stated(paths: Sequence[str], target: Target) -> dict[str, Any] | None:
    if not paths:
        return None
    return _join("$and", [{"$neq": {target.key(p): target.unstated(p)}} for p in paths])


def _flat(op: str, parts: Iterable[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """The parts of an ``op`` group with nested groups of the same kind spliced in: the same
    test, fewer of the engine's expression entries."""
    out: list[dict[str, Any]] = []
    for part in parts:
        if part is None:
            continue
        if op in part:
            out.extend(_flat(op, part[op]))
        else:
            out.append(part)
    return out


def _and(terms: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return terms[0] if len(terms) == 1 else {"$and": list(terms)}


def _fit(terms: list[dict[str, Any]], budget: int) -> list[list[dict[str, Any]]]:
    """Conjunctions equivalent, together, to ``and(terms)``, each within the engine's limit of
    and/or groups per rule: an ``$or`` term is distributed over the rest, one engine rule per
    branch (every branch fires the rule anyway)."""
    terms = _flat("$and", terms)
    if groups(_and(terms)) <= MAX_GROUPS:
        return [terms]
    split = max(
        (i for i, t in enumerate(terms) if "$or" in t), key=lambda i: groups(terms[i]), default=-1
    )
    if split < 0:
        raise Overflow(f"its condition needs more than {MAX_GROUPS} and/or groups")
    out: list[list[dict[str, Any]]] = []
    for branch in terms[split]["$or"]:
        out.extend(_fit([*terms[:split], branch, *terms[split + 1 :]], budget - len(out)))
        if len(out) > budget:
            raise Overflow(
                f"its condition expands to more than {_MAX_SPLITS} engine rules; "
                "simplify it or split it into several rules"
            )
    return out


_MAX_SPLITS = 64  #: engine rules one status of one criterion may become
_FAN_OUT = 8  #: branches per node of the tree that spreads a stage's rules out


def _criterion(i: int, r: Rule, target: Target) -> dict[str, list[dict[str, Any] | None]]:
    """The engine rules of one criterion (status letter -> conjuncts), stage test left out."""
    when = None if r.when is None else compile_condition(r.when, target)
    known = _all_stated(r.requires, target)
    out: dict[str, list[dict[str, Any] | None]] = {}
    if r.when is not None:
        out[f"r{i}a"] = [compile_condition(r.when, target, True)]
    out[f"r{i}m"] = [when, known, compile_condition(r.condition, target)]
    out[f"r{i}n"] = [when, known, compile_condition(r.condition, target, True)]
    return out


def _derivation(i: int, d: Derivation, target: Target) -> dict[str, list[dict[str, Any] | None]]:
    return {
        f"d{i}t": [compile_condition(d.condition, target)],
        f"d{i}f": [_all_stated(d.requires, target), compile_condition(d.condition, target, True)],
    }


def _weight(expr: Mapping[str, Any]) -> int:
    """Where a conjunct goes in its engine rule: single tests first, then and/or groups, list
    tests last. The engine tests a rule's conjuncts in order, each only where the earlier
    ones held, and a list test (a walk over the items) costs the most."""
    (name, value), *_ = expr.items()
    if name in ("$iany", "$iall"):
        return 2
    if name in ("$and", "$or"):
        return max(1, *(_weight(part) for part in value))
    return 0


def _expand(parts: dict[str, list[dict[str, Any] | None]]) -> dict[str, list[dict[str, Any]]]:
    """Engine rules within the group limit: ``r3n``, then ``r3n.1``... for split ones."""
    out = {}
    for name, terms in parts.items():
        for k, conj in enumerate(_fit(_flat("$and", terms), _MAX_SPLITS)):
            out[name if k == 0 else f"{name}.{k}"] = sorted(conj, key=_weight)
    return out


_Unit = tuple[str, dict[str, list[dict[str, Any]]]]  #: a criterion's id and engine rules


def _stage(stage: int, units: Sequence[_Unit]) -> dict[str, Any]:
    """One stage's rules, spread over a tree of always-true tests so that no node of the
    network has more branches that can hold at once than the engine's walk stack takes."""
    head: dict[str, Any] = {"stage": stage}

    def rule(prefix: list[dict[str, Any]], conj: list[dict[str, Any]]) -> dict[str, Any]:
        return {"all": [{"m": _and([head, *prefix, *conj])}]}

    flat = {name: rule([], conj) for _, rules in units for name, conj in rules.items()}
    flat[f"s{stage}"] = rule([], [])
    if stack_bound(flat) <= MAX_STACK:
        return flat
    marks = itertools.count(1)
    for levels in range(1, 6):
        room = MAX_STACK - levels * (_FAN_OUT - 1)
        buckets = _buckets(units, room)
        if len(buckets) <= _FAN_OUT**levels:
            break
    paths = _tree(len(buckets), levels, marks, stage)
    out = {f"s{stage}": rule([], [])}
    for path, bucket in zip(paths, buckets, strict=False):
        for _, rules in bucket:
            for name, conj in rules.items():
                out[name] = rule(path, conj)
    return out


def _buckets(units: Sequence[_Unit], room: int) -> list[list[_Unit]]:
    """Criteria packed greedily into groups whose own network needs at most ``room`` stack
    entries (a criterion that needs more alone gets a group of its own: ``check`` reports
    it if it does not fit)."""
    buckets: list[list[_Unit]] = []
    node = Node(None)
    for unit in units:
        for conj in unit[1].values():
            node.add(_and(conj))
        node.forget()
        if buckets and buckets[-1] and node.bound() <= room:
            buckets[-1].append(unit)
            continue
        if buckets and buckets[-1]:  # it does not fit: start again from this criterion
            node = Node(None)
            for conj in unit[1].values():
                node.add(_and(conj))
        buckets.append([unit])
    return buckets


def _tree(count: int, levels: int, marks: Iterator[int], stage: int) -> list[list[dict[str, Any]]]:
    """``count`` paths of ``levels`` always-true tests each (``stage != -k``), branching at
    most ``_FAN_OUT`` ways per node."""
    paths: list[list[dict[str, Any]]] = [[]]
    for _ in range(levels):
        paths = [
            [*path, {"$neq": {"stage": -(stage * 100_000 + next(marks))}}]
            for path in paths
            for _ in range(_FAN_OUT)
        ]
        if len(paths) >= count:
            break
    return paths[:count] if len(paths) >= count else paths


def compile_pack(pack: RulePack, target: Target) -> dict[str, Any]:
    """The durable-rules ruleset definition (JSON-able) for a pack (see ``_engine``).

    Raises :class:`RuleError` naming every rule the engine could not take.
    """
    problems: list[Problem] = []

    stage_one: list[_Unit] = []
    stage_two: list[_Unit] = []
    for i, d in enumerate(pack.derivations):
        try:
            stage_one.append((d.id, _expand(_derivation(i, d, target))))
        except (Overflow, AssessmentError) as exc:
            problems.append(_problem(d, str(exc)))
    for i, r in enumerate(pack.rules):
        try:
            stage_two.append((r.id, _expand(_criterion(i, r, target))))
        except (Overflow, AssessmentError) as exc:
            problems.append(_problem(r, str(exc)))
    if problems:
        raise RuleError(problems)
    # s0 matches the rescue fact the engine asserts to close a session after a failure.
    definition = {"s0": {"all": [{"m": {"stage": 0}}]}}
    definition.update(_stage(1, stage_one))
    definition.update(_stage(2, stage_two))
    owners = _owners(pack)
    for overflow in check(definition):
        named = {
            owners[n.partition(".")[0]].id: owners[n.partition(".")[0]] for n in overflow.rules
        }
        items: list[Rule | Derivation | None] = [named[k] for k in sorted(named)]
        for item in items or [None]:
            problems.append(_problem(item, str(overflow)))
    if problems:
        raise RuleError(problems)
    return definition


def _owners(pack: RulePack) -> dict[str, Rule | Derivation]:
    owners: dict[str, Rule | Derivation] = {}
    for i, d in enumerate(pack.derivations):
        owners[f"d{i}t"] = owners[f"d{i}f"] = d
    for i, r in enumerate(pack.rules):
        for letter in "amn":
            owners[f"r{i}{letter}"] = r
    return owners


def _problem(item: Rule | Derivation | None, message: str) -> Problem:
    hint = "simplify or split the condition"
    if item is None:
        return Problem(
            "$", f"the pack is too large for the engine: {message}", hint, code="engine-limit"
        )
    kind = "rule" if isinstance(item, Rule) else "derivation"
    return Problem(
        "$.condition",
        f"durable-rules cannot evaluate this {kind}: {message}",
        hint,
        source=getattr(item, "file", None),
        line=getattr(item, "line", None),
        rule=item.id,
        code="engine-limit",
    )


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


_UNSTATED_AS: dict[str, Any] = {
    _HIGH: _BEYOND,
    _LOW: -_BEYOND,
    "presence": UNSTATED,
    "value": UNSTATED,
}


def _mode(kind: str) -> str:
    if kind in NUMERIC:
        return "number"
    return "presence" if kind in PRESENCE_ONLY else "value"


def _convert(value: Any, mode: str, path: str) -> Any:
    if value is None:
        return _UNSTATED_AS[mode]
    if mode == "presence":
        return True
    if type(value) is float and "e" in repr(value):
        # durable-rules' JSON reader crashes the process on exponents ("1e+16").
        if value.is_integer():
            return int(value)
        raise AssessmentError(f"{path}: the engine cannot take the number {value!r}")
    return value


def _copies(mode: str) -> tuple[tuple[str, str], ...]:
    """The keys (suffixes) and modes under which a fact goes into the engine's copy."""
    if mode == "number":
        return ((_HIGH, _HIGH), (_LOW, _LOW))
    return (("", mode),)


def keys_read(definition: Mapping[str, Any]) -> frozenset[str]:
    """Every fact key a compiled ruleset definition tests (list items' keys excluded)."""
    found: set[str] = set()

    def walk(expr: Mapping[str, Any]) -> None:
        for name, value in expr.items():
            if name in ("$and", "$or"):
                for part in value:
                    walk(part)
            elif name.startswith("$"):
                found.update(value)  # {key: operand}, or {list key: item expression}
            else:
                found.add(name)

    for rule in definition.values():
        for pattern in rule["all"]:
            walk(pattern["m"])
    return frozenset(found)


@attrs.frozen(slots=True)
class Plan:
    """How to write the engine's copy of a fact document for one stage: only the facts the
    stage's rules read, flat under short keys, and each list item as its projections."""

    #: (``, "key": `` pre-encoded, path parts, mode, path)
    scalars: tuple[tuple[str, tuple[str, ...], str, str], ...]
    #: (``, "projection key": ``, list, ((field, presence only), ...)): one list of strings
    #: per projection, the items' codes in order
    lists: tuple[tuple[str, str, tuple[tuple[str, bool], ...]], ...]

    @classmethod
    def build(
        cls,
        conditions: Sequence[Condition],
        requires: Iterable[str],
        target: Target,
        vocabulary: Mapping[str, Fact],
        read: frozenset[str] | None = None,
    ) -> Plan:
        """The plan for a stage's conditions; with ``read`` (:func:`keys_read` of the
        compiled definition), only the keys the network tests go into the engine's copy."""
        used = _used(conditions, requires, target)
        scalars = tuple(
            (f', "{target.keys[p] + suffix}": ', tuple(p.split(".")), mode, p)
            for p in sorted(used)
            if p in vocabulary
            for suffix, mode in _copies(_mode(vocabulary[p].kind))
            if read is None or target.keys[p] + suffix in read
        )
        wanted = {
            (q.list, tuple(sorted(set(facts_named(q.where))))) for q in _quantifiers(conditions)
        }
        lists = []
        for w in sorted(wanted):
            presence = {f.path for f in target.lists[w[0]].items if f.kind in PRESENCE_ONLY}
            fields = tuple((f, f in presence) for f in w[1])
            lists.append((f', "{target.projections[w].key}": ', w[0], fields))
        return cls(scalars, tuple(lists))

    def text(self, doc: Mapping[str, Any]) -> str:
        """The engine's copy of ``doc``: the members of a JSON object, each after ``", "``.
        Written directly (keys encoded once, in :meth:`build`), not built as a dict and
        encoded: the same JSON for a third of the work."""
        out: list[str] = []
        append = out.append
        for prefix, parts, mode, path in self.scalars:
            value: Any = doc
            for name in parts:  # at_path, inlined: it runs for every key
                value = value.get(name) if type(value) is dict else None
            if value is None:
                append(prefix + _UNSTATED_TEXT[mode])
            elif mode == "presence":
                append(prefix + "true")
            else:
                append(prefix + (_TEXT.get(value) or _value_text(value, mode, path)))
        for prefix, name, fields in self.lists:
            codes = []
            for item in doc.get(name) or ():
                code = "|".join(
                    [
                        _CODES_PRESENCE[item[f] is None]
                        if presence
                        else _CODES.get(item[f], item[f])
                        for f, presence in fields
                    ]
                )
                codes.append(_TEXT.get(code) or _value_text(code, "value", name))
            append(prefix + "[" + ", ".join(codes) + "]")
        return "".join(out)


# An item field's code in a projection, as `encode` writes it: enumeration values are
# themselves; a presence-only field is looked up by "is it unstated".
_CODES: dict[Any, str] = {None: UNSTATED, True: "t", False: "f"}
_CODES_PRESENCE = {True: UNSTATED, False: _STATED}
_to_json = json.JSONEncoder(check_circular=False).encode
_UNSTATED_TEXT = {mode: _to_json(value) for mode, value in _UNSTATED_AS.items()}
#: JSON text of the strings met so far (enumeration values, projections): only strings are
#: keys, so that ``True`` and ``1`` never find each other's text.
_TEXT: dict[Any, str] = {}
_MAX_TEXTS = 4096


def _value_text(value: Any, mode: str, path: str) -> str:
    """The JSON text of a stated value in the engine's copy (see :func:`_convert`)."""
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    text = _to_json(_convert(value, mode, path))
    if kind is str and len(_TEXT) < _MAX_TEXTS:
        _TEXT[value] = text
    return text
