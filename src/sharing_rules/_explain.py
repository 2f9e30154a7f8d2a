"""Turning a rule's status into a finding: the filled-in message, field paths and details."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._conditions import (
    All,
    AnyOf,
    Compare,
    Condition,
    Not,
    Quantified,
    could_hold,
    evaluate,
    lookup,
)
from ._facts import LISTS_BY_PATH, PROPOSAL_KEY, Fact, at_path
from ._rules import Rule
from ._text import is_non_answer
from ._verdict import Basis, Detail, Finding, Status

__all__ = ["Explainer"]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")
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


def _false_leaves(
    c: Condition, doc: Mapping[str, Any], want: bool = True
) -> Iterator[tuple[Compare, str | None, int | None]]:
    """The comparisons that keep ``c`` from being ``want``: (leaf, list, item index)."""
    if isinstance(c, Compare):
        if evaluate(c, doc) is not want:
            yield (c if want else _negated(c)), None, None
    elif isinstance(c, Not):
        yield from _false_leaves(c.item, doc, not want)
    elif isinstance(c, All | AnyOf):
        if evaluate(c, doc) is not want:
            for item in c.items:
                yield from _false_leaves(item, doc, want)
    elif isinstance(c, Quantified):
        items = lookup(doc, c.list) or []
        # The items that keep the quantifier from being `want`, and the value `where`
        # would need on them: any_item and all_items need it true (when wanted true),
        # no_item needs it false; wanting the quantifier false flips that.
        inner_want = (c.kind != "no_item") == want
        for index, item in enumerate(items):
            if evaluate(c.where, item) is not inner_want:
                for leaf, _, _ in _false_leaves(c.where, item, inner_want):
                    yield leaf, c.list, index


def _found(doc: Mapping[str, Any], path: str) -> str | None:
    """What the proposal holds at a field path, if it is text that is not an answer (the
    facts have it as unstated): quoted, so that a report shows what to replace."""
    value: Any = doc.get(PROPOSAL_KEY)
    for name, index in _STEP.findall(path[1:] if path.startswith("$") else ""):
        if value is None:
            return None
        value = getattr(value, name, None) if name else value[int(index)]
    texts = value if isinstance(value, tuple) else (value,)
    if not texts or not all(isinstance(t, str) and is_non_answer(t) for t in texts):
        return None
    return "; ".join(t.strip() for t in texts) + " (not an answer)"


def _source(vocabulary: Mapping[str, Fact], path: str) -> tuple[str, ...]:
    fact = vocabulary.get(path)
    return tuple(s for s in fact.source if s.startswith("$")) if fact else ()


class _Template:
    """A message split once into literal text and the fact paths of its placeholders."""

    __slots__ = ("parts", "static")

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
        self.requires = [
            (tuple(path.split(".")), _source(vocabulary, path) or (path,)) for path in rule.requires
        ]
        self.severity = rule.severity.value
        # Findings are frozen, so a met or not-applicable finding whose message names no
        # fact is the same every time: build it once.
        self.fixed = {
            status: self._finding(status, self.templates[status].static or "", ())
            for status in (Status.MET, Status.NOT_APPLICABLE)
            if self.templates[status].static is not None
        }

    def explain(self, status: Status, doc: Mapping[str, Any]) -> Finding:
        """The finding for the status the engine gave the rule."""
        fixed = self.fixed.get(status)
        if fixed is not None:
            return fixed
        details: list[Detail] = []
        labels: list[str] = []
        basis = None
        if status is Status.UNKNOWN:
            for parts, sources in self.requires:
                if at_path(doc, parts) is None:
                    details.extend(
                        Detail(source, "stated", _found(doc, source)) for source in sources
                    )
        elif status is Status.NOT_MET:
            details = self._not_met(doc, labels)
            basis = self._basis(doc)
        return self._finding(status, self.templates[status].fill(doc, labels), details, basis)

    def _basis(self, doc: Mapping[str, Any]) -> Basis:
        """Missing if stating what is unstated could meet the criterion (or make it not
        apply) without changing anything the proposal states; contrary otherwise."""
        rule = self.rule
        if could_hold(rule.condition, doc) or (
            rule.when is not None and could_hold(rule.when, doc, False)
        ):
            return Basis.MISSING
        return Basis.CONTRARY

    def _finding(
        self,
        status: Status,
        message: str,
        details: Sequence[Detail],
        basis: Basis | None = None,
    ) -> Finding:
        rule = self.rule
        gap = status is Status.NOT_MET or status is Status.UNKNOWN
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

    def _not_met(self, doc: Mapping[str, Any], labels: list[str]) -> list[Detail]:
        details = []
        for leaf, list_name, index in _false_leaves(self.rule.condition, doc):
            if list_name is None:
                actual = lookup(doc, leaf.fact)
                for source in _source(self.vocabulary, leaf.fact) or (leaf.fact,):
                    found = actual if actual is not None else _found(doc, source)
                    details.append(Detail(source, _expected(leaf), found))
                continue
            spec = LISTS_BY_PATH[list_name]
            item = (lookup(doc, list_name) or [])[index or 0]
            field = next(f for f in spec.items if f.path == leaf.fact)
            label = item.get(spec.label)
            if label is not None and str(label) not in labels:
                labels.append(str(label))
            path = f"{spec.source}[{index}].{field.source[0]}"
            actual = item.get(leaf.fact)
            found = actual if actual is not None else _found(doc, path)
            details.append(Detail(path, _expected(leaf), found))
        return details
