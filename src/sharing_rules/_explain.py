"""Turning a rule's status into a finding: the filled-in message, field paths and details."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ._conditions import (
    All,
    AnyOf,
    Compare,
    Condition,
    Not,
    Quantified,
    compare,
    lookup,
)
from ._facts import LISTS_BY_PATH, PROPOSAL_KEY, Fact, at_path
from ._rules import Rule
from ._text import is_non_answer
from ._verdict import Basis, Detail, Finding, Status

__all__ = ["Explainer"]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")
_EXEMPTIONS = ("ne", "not_in")
# Members read once: on Python 3.11 every ``Status.UNKNOWN`` goes through EnumType.__getattr__.
_NOT_MET, _UNKNOWN = Status.NOT_MET, Status.UNKNOWN
_GROUPS = (All, AnyOf)
_RECENT = 64  #: findings kept per rule for reuse (a bound on memory)
_OPS = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": "one of",
    "not_in": "none of",
}


def _show(value: Any) -> str:
    if value is None:
        return "not stated"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _expected(c: Compare) -> str:
    if c.op == "present":
        return "stated" if c.value else "not stated"
    value = ", ".join(map(_show, c.value)) if isinstance(c.value, tuple) else _show(c.value)
    return f"{_OPS[c.op]} {value}"


def _negated(c: Compare) -> Compare:
    flip = {
        "eq": "ne",
        "ne": "eq",
        "lt": "ge",
        "ge": "lt",
        "le": "gt",
        "gt": "le",
        "in": "not_in",
        "not_in": "in",
    }
    if c.op == "present":
        return Compare(c.fact, "present", not c.value)
    return Compare(c.fact, flip[c.op], c.value)


#: A comparison as it would have to read, the list and index of the item it is about (if
#: any), that item, and the value it found.
Leaf = tuple[Compare, str | None, int | None, Mapping[str, Any] | None, Any]


def _diagnose(
    c: Condition, doc: Mapping[str, Any], want: bool = True
) -> tuple[bool, list[Leaf], bool]:
    """Whether ``c`` has the value ``want``; if not, the comparisons that keep it from it
    (as they would have to read, with the list and item they are about), and whether
    stating unstated facts alone, changing none that is stated, could give it ``want``.

    The last is what separates *missing* from *contrary*. A stated value (``false``, a
    choice, an empty list, a number) is kept as it is; a stated list keeps its items (new
    items would change what is shared), though their unstated fields may be stated.
    """
    if isinstance(c, Compare):
        actual = lookup(doc, c.fact)
        if compare(c, actual) is want:
            return True, [], True
        # Every comparison can be made true, and made false, by some value.
        leaf = (c if want else _negated(c), None, None, None, actual)
        return False, [leaf], actual is None
    if isinstance(c, Not):
        return _diagnose(c.item, doc, not want)
    if isinstance(c, _GROUPS):
        every = isinstance(c, All) == want  # every part must have `want`
        parts = [_diagnose(item, doc, want) for item in c.items]
        failing = [part for part in parts if not part[0]]
        if not failing if every else len(failing) < len(parts):
            return True, [], True
        leaves = [leaf for part in failing for leaf in part[1]]
        reach = (all if every else any)(part[2] for part in failing)
        return False, leaves, reach
    assert isinstance(c, Quantified)
    items = lookup(doc, c.list) or []
    # any_item wants one item to give `where` the value `inner`; all_items and no_item want
    # every item to.
    inner = (c.kind != "no_item") == want
    every = (c.kind == "any_item") != want
    results = [_diagnose(c.where, item, inner) for item in items]
    failed = [(index, r) for index, r in enumerate(results) if not r[0]]
    if not failed if every else len(failed) < len(results):
        return True, [], True
    found: list[Leaf] = [
        (leaf[0], c.list, index, items[index], leaf[4]) for index, r in failed for leaf in r[1]
    ]
    spec = LISTS_BY_PATH.get(c.list)
    if spec is not None and lookup(doc, spec.count) is None:
        return False, found, True  # an unstated list can be stated with any items
    return False, found, (all if every else any)(r[2] for _, r in failed)


@functools.lru_cache(maxsize=4096)
def _steps(path: str) -> list[tuple[str, str]]:
    """A field path's steps: (attribute, "") or ("", list index)."""
    return _STEP.findall(path[1:] if path.startswith("$") else "")


def _found(doc: Mapping[str, Any], path: str) -> str | None:
    """What the proposal holds at a field path, if it is text that is not an answer (the
    facts have it as unstated): quoted, so that a report shows what to replace."""
    value: Any = doc.get(PROPOSAL_KEY)
    for name, index in _steps(path):
        if value is None:
            return None
        value = getattr(value, name, None) if name else value[int(index)]
    if type(value) is str:
        return f"{value.strip()} (not an answer)" if is_non_answer(value) else None
    if type(value) is not tuple or not value:
        return None
    if not all(type(t) is str and is_non_answer(t) for t in value):
        return None
    return "; ".join(t.strip() for t in value) + " (not an answer)"


def _source(vocabulary: Mapping[str, Fact], path: str) -> tuple[str, ...]:
    fact = vocabulary.get(path)
    return tuple(s for s in fact.source if s.startswith("$")) if fact else ()


class _Template:
    """A message split once into literal text and the fact paths of its placeholders."""

    __slots__ = ("parts", "shown", "static")

    def __init__(self, text: str, vocabulary: Mapping[str, Fact]) -> None:
        pieces = _PLACEHOLDER.split(" ".join(text.split()))
        # odd positions are placeholder names; choices (enumerations) read as words
        self.parts = [
            (p, None, False)
            if i % 2 == 0
            else ("", tuple(p.split(".")), p in vocabulary and vocabulary[p].values is not None)
            for i, p in enumerate(pieces)
        ]
        self.static = pieces[0] if len(pieces) == 1 else None
        #: the facts the message shows, for a cache key; None unless all are scalar facts
        #: (their values are hashable), since "items" names the items it is about
        names = pieces[1::2]
        self.shown = (
            tuple(tuple(p.split(".")) for p in names)
            if all(p in vocabulary for p in names)
            else None
        )

    def fill(self, doc: Mapping[str, Any], items: list[str]) -> str:
        if self.static is not None:
            return self.static
        out = []
        for literal, parts, choice in self.parts:
            if parts is None:
                out.append(literal)
            elif parts == ("items",):
                out.append(", ".join(items) if items else "none")
            else:
                shown = _show(at_path(doc, parts))
                out.append(shown.replace("_", " ") if choice else shown)
        return " ".join("".join(out).split())


class Explainer:
    """Everything about one rule that explaining a status needs, prepared once."""

    def __init__(self, rule: Rule, vocabulary: Mapping[str, Fact]) -> None:
        self.rule = rule
        self.vocabulary = vocabulary
        messages = rule.messages
        self.templates = {
            Status.MET: _Template(messages.met, vocabulary),
            Status.NOT_MET: _Template(messages.not_met, vocabulary),
            Status.UNKNOWN: _Template(messages.unknown, vocabulary),
            Status.NOT_APPLICABLE: _Template(
                messages.not_applicable or "Not applicable.", vocabulary
            ),
        }
        # (fact parts, its proposal fields, whether a field may hold a non-answer to quote)
        self.requires = [
            (
                tuple(path.split(".")),
                _source(vocabulary, path) or (path,),
                not path.startswith(("stated.", "count.")),
            )
            for path in rule.requires
        ]
        self.severity = rule.severity.value
        # Findings are frozen, so a met or not-applicable finding whose message names no
        # fact is the same every time: build it once.
        self.fixed = {
            status: self._finding(status, self.templates[status].static or "", ())
            for status in (Status.MET, Status.NOT_APPLICABLE)
            if self.templates[status].static is not None
        }
        # A met or not-applicable finding that names facts depends on their values alone:
        # the findings made lately, by status and (type, value) of each fact shown.
        self.recent: dict[tuple[Any, ...], Finding] = {}
        self.shown = {
            status: self.templates[status].shown
            for status in (Status.MET, Status.NOT_APPLICABLE)
            if status not in self.fixed and self.templates[status].shown is not None
        }

    def explain(self, status: Status, doc: Mapping[str, Any]) -> Finding:
        """The finding for the status the engine gave the rule."""
        fixed = self.fixed.get(status)
        if fixed is not None:
            return fixed
        shown = self.shown.get(status)
        if shown is not None:
            key: tuple[Any, ...] = (status,)
            for parts in shown:
                value = at_path(doc, parts)
                key += (type(value), value)
            found = self.recent.get(key)
            if found is None:
                found = self._finding(status, self.templates[status].fill(doc, []), ())
                if len(self.recent) >= _RECENT:
                    self.recent.clear()
                self.recent[key] = found
            return found
        if status is _UNKNOWN:
            return self._unknown(doc)
        details: list[Detail] = []
        labels: list[str] = []
        basis = None
        if status is _NOT_MET:
            details, basis = self._not_met(doc, labels)
        return self._finding(status, self.templates[status].fill(doc, labels), details, basis)

    def _unknown(self, doc: Mapping[str, Any]) -> Finding:
        """An unknown finding: it names each unstated fact it requires (quoting a non-answer
        found there); reused while those and the facts its message shows are the same."""
        missing = tuple(
            (source, _found(doc, source) if quotable else None)
            for parts, sources, quotable in self.requires
            if at_path(doc, parts) is None
            for source in sources
        )
        template = self.templates[_UNKNOWN]
        key: tuple[Any, ...] | None = None
        if template.shown is not None:
            key = (_UNKNOWN, missing)
            for parts in template.shown:
                value = at_path(doc, parts)
                key += (type(value), value)
            found = self.recent.get(key)
            if found is not None:
                return found
        details = [Detail(source, "stated", quoted) for source, quoted in missing]
        finding = self._finding(_UNKNOWN, template.fill(doc, []), details)
        if key is not None:
            if len(self.recent) >= _RECENT:
                self.recent.clear()
            self.recent[key] = finding
        return finding

    def _finding(
        self,
        status: Status,
        message: str,
        details: Sequence[Detail],
        basis: Basis | None = None,
    ) -> Finding:
        rule = self.rule
        gap = status is _NOT_MET or status is _UNKNOWN
        return Finding(
            rule_id=rule.id,
            rule_version=rule.version,
            title=rule.title,
            test=rule.test,
            features=rule.features,
            severity=self.severity,
            status=status,
            message=message,
            paths=tuple(dict.fromkeys(d.path for d in details)),
            details=tuple(details),
            remedy=rule.remedy if gap else None,
            sources=rule.sources,
            basis=basis,
        )

    def _not_met(self, doc: Mapping[str, Any], labels: list[str]) -> tuple[list[Detail], Basis]:
        """The details of a criterion not met, and its basis: missing if stating what is
        unstated could meet it (or make it not apply) without changing anything the
        proposal states; contrary otherwise."""
        rule = self.rule
        details = []
        _, leaves, reach = _diagnose(rule.condition, doc)
        if not reach and rule.when is not None:
            # Stating what the criterion's applicability depends on may make it not apply:
            # then that is what is missing, and the details name it.
            _, escape, reach = _diagnose(rule.when, doc, False)
            if reach:
                leaves += [leaf for leaf in escape if leaf[4] is None]
        basis = Basis.MISSING if reach else Basis.CONTRARY
        # A stated exemption ("unless the severity is not severe") is not offered as the fix
        # when the criterion also names something to do: a report never suggests lowering
        # a rating, or changing a stated choice, just to pass.
        for _, list_name, _, item, _ in leaves:
            if list_name is not None and item is not None:
                label = item.get(LISTS_BY_PATH[list_name].label)
                if label is not None and str(label) not in labels:
                    labels.append(str(label))
        exempt = [leaf[0].op in _EXEMPTIONS and leaf[4] is not None for leaf in leaves]
        if not all(exempt):
            leaves = [leaf for leaf, out in zip(leaves, exempt, strict=True) if not out]
        for leaf, list_name, index, _, actual in leaves:
            if list_name is None:
                for source in _source(self.vocabulary, leaf.fact) or (leaf.fact,):
                    found = actual if actual is not None else _found(doc, source)
                    details.append(Detail(source, _expected(leaf), found))
                continue
            spec = LISTS_BY_PATH[list_name]
            field = next(f for f in spec.items if f.path == leaf.fact)
            path = f"{spec.source}[{index}].{field.source[0]}"
            found = actual if actual is not None else _found(doc, path)
            details.append(Detail(path, _expected(leaf), found))
        return details, basis
