"""A model of the alpha network durable-rules 2.0.28 builds, to check its fixed limits.

durable-rules compiles each rule's expression into a chain of *alpha nodes* (one test of one
property each), shared between rules while their tests are identical from the root
(``rete.c``: ``createAlpha``/``findAlpha``). Several of its limits are fixed sizes in C:

* **the walk stack** (``events.c``, ``handleAlpha``): a fact is matched by a depth-first walk
  that pushes *every* matching child of a node before visiting any; more than
  :data:`MAX_STACK` pending nodes fail the assertion with error 303, at assessment time;
* **the expression sequence** of a rule: each ``$and``/``$or`` costs two entries (open and
  end), and 32 entries fail ruleset creation with error 113, so at most
  :data:`MAX_GROUPS` groups per rule;
* **children per node**: 512 hash slots for tests, 128 for ``$or`` join ("forward") nodes and
  256 rules ending on one node.

:func:`check` rebuilds the network of a ruleset definition the way ``rete.c`` does and
returns every limit it would break, with the worst case of the walk stack computed as if every
test that can hold at the same time did. The compiler uses it to shape the network and the
rule-pack loader to refuse a pack whose network would fail on some proposal, instead of that
proposal failing later.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MAX_GROUPS", "MAX_STACK", "Node", "Overflow", "check", "groups", "stack_bound"]

MAX_STACK = 64  #: ``MAX_STACK_SIZE`` in events.c
MAX_GROUPS = 15  #: ``$and``/``$or`` groups per rule: 2 entries each, fewer than 32 in all
MAX_HASH_CHILDREN = 512  #: ``NEXT_BUCKET_LENGTH`` in rete.h
MAX_FORWARD_CHILDREN = 128  #: ``NEXT_LIST_LENGTH``
MAX_RULES_PER_NODE = 256  #: ``BETA_LIST_LENGTH``
_ORDER_OPS = ("$lt", "$lte", "$gt", "$gte", "$neq")
_LIST_OPS = ("$iany", "$iall")


class Node:
    """An alpha node: one test, its children, and how many rules end on it."""

    __slots__ = ("_bound", "children", "forward", "key", "rules")

    def __init__(self, key: tuple[str, str, str] | None) -> None:
        self.key = key  #: (property, operator, value as JSON); None for the root/forward
        self.children: dict[tuple[str, str, str], Node] = {}
        self.forward: list[Node] = []  #: ``$or`` join nodes, always pushed by the walk
        self.rules = 0
        self._bound: int | None = None

    def child(self, key: tuple[str, str, str], shared: bool = True) -> Node:
        """The child testing ``key``, shared with earlier rules as findAlpha does."""
        found = self.children.get(key) if shared else None
        if found is None:
            found = Node(key)
            if not shared:  # a test durable-rules never shares: give it a slot of its own
                key = (key[0], key[1], f"{key[2]}#{len(self.children)}")
            self.children[key] = found
        return found

    def add(self, expr: Mapping[str, Any]) -> Node:
        """Add an expression below this node (as a rule does); return the node it ends on.
        Call :meth:`forget` before asking for a bound again."""
        return _add(self, expr)

    def forget(self) -> None:
        """Forget the bounds computed so far (after adding expressions)."""
        for node in _nodes(self):
            node._bound = None

    def bound(self) -> int:
        """The most stack entries the walk can need below (and including) this node."""
        if self._bound is None:
            pushed, deepest = _can_match_together(self)
            self._bound = max(1, pushed - 1 + deepest)
        return self._bound


def _can_match_together(node: Node) -> tuple[int, int]:
    """How many children of a node the walk can push at once, and the deepest bound among
    them. Of the equality tests on one property, only those with one value can hold."""
    count = len(node.forward)
    deepest = max((c.bound() for c in node.forward), default=0)
    per_value: dict[str, dict[str, int]] = {}
    for (prop, op, value), child in node.children.items():
        deepest = max(deepest, child.bound())
        if op == "$eq":
            values = per_value.setdefault(prop, {})
            plain = value.partition("#")[0]  # unshared copies of one test hold together
            values[plain] = values.get(plain, 0) + 1
        else:
            count += 1
    count += sum(max(values.values()) for values in per_value.values())
    return count, deepest


def _term(expr: Mapping[str, Any]) -> tuple[str, str, Any]:
    """(operator, property, value) of one comparison."""
    (name, value), *_ = expr.items()
    if name in _ORDER_OPS or name in _LIST_OPS:
        ((prop, operand),) = value.items()
        return name, prop, operand
    return "$eq", name, value


def _add(parent: Node, expr: Mapping[str, Any]) -> Node:
    """Add one expression under ``parent``; return the node the rest of the rule hangs from."""
    if "$and" in expr:
        node = parent
        for part in expr["$and"]:
            node = _add(node, part)
        return node
    if "$or" in expr:
        join = Node(None)  # createForwardAlpha: a new join node for every $or
        for part in expr["$or"]:
            _add(parent, part).forward.append(join)
        return join
    op, prop, value = _term(expr)
    # findAlpha never finds an existing list test, nor one whose value is null (compareValue
    # has no case for null): each is a node of its own.
    shared = op not in _LIST_OPS and value is not None
    return parent.child((prop, op, json.dumps(value, sort_keys=True)), shared=shared)


def groups(expr: Any) -> int:
    """How many ``$and``/``$or`` groups an expression holds (each costs two entries),
    those inside list tests (``$iany``/``$iall``) included."""
    if not isinstance(expr, Mapping):
        return 0
    (name, value), *_ = expr.items()
    if name in ("$and", "$or"):
        return 1 + sum(groups(e) for e in value)
    if name in _LIST_OPS:
        return sum(groups(inner) for inner in value.values())
    return 0


def build(definition: Mapping[str, Mapping[str, Any]]) -> tuple[Node, dict[str, Node]]:
    """The network of a ruleset definition, and the node each rule ends on."""
    root = Node(None)
    ends = {}
    for name, rule in definition.items():
        (pattern,) = rule["all"]
        end = root.add(pattern["m"])
        end.rules += 1
        ends[name] = end
    return root, ends


def stack_bound(definition: Mapping[str, Mapping[str, Any]]) -> int:
    """The most walk-stack entries any fact can need in this ruleset."""
    return build(definition)[0].bound()


class Overflow(Exception):
    """A limit the network breaks: which, and the engine rules concerned (may be empty)."""

    def __init__(self, message: str, rules: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.rules = tuple(rules)


def _nodes(root: Node) -> Iterable[Node]:
    seen: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        todo.extend(node.children.values())
        todo.extend(node.forward)


def check(definition: Mapping[str, Mapping[str, Any]]) -> list[Overflow]:
    """Every fixed limit of durable-rules that this ruleset definition breaks."""
    found = [
        Overflow(
            f"its condition has {groups(rule['all'][0]['m'])} and/or groups; "
            f"the engine takes at most {MAX_GROUPS} per rule",
            [name],
        )
        for name, rule in definition.items()
        if groups(rule["all"][0]["m"]) > MAX_GROUPS
    ]
    root, ends = build(definition)
    for node in _nodes(root):
        if len(node.children) > MAX_HASH_CHILDREN or len(node.forward) > MAX_FORWARD_CHILDREN:
            found.append(Overflow("a node of the network has too many branches"))
        if node.rules > MAX_RULES_PER_NODE:
            names = [n for n, end in ends.items() if end is node]
            found.append(Overflow(f"{node.rules} rules end on the same test", names))
    if root.bound() > MAX_STACK:
        found.append(
            Overflow(f"matching may need {root.bound()} stack entries; the engine has {MAX_STACK}")
        )
    return found
