"""Turning a rule's status into a finding: the filled-in message, field paths and details."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ._conditions import All, AnyOf, Compare, Condition, Not, Quantified, evaluate, lookup
from ._facts import LISTS, Fact
from ._rules import Rule
from ._verdict import Detail, Finding, Status

__all__ = ["explain"]

_LISTS = {lst.path: lst for lst in LISTS}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
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
        every = (c.kind == "all_items") == want or (c.kind == "no_item") != want
        inner_want = (c.kind == "all_items") if want else (c.kind != "all_items")
        del every
        for index, item in enumerate(items):
            if evaluate(c.where, item) is not inner_want:
                for leaf, _, _ in _false_leaves(c.where, item, inner_want):
                    yield leaf, c.list, index


def _fill(text: str, doc: Mapping[str, Any], items: list[str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "items":
            return ", ".join(items) if items else "none"
        return _show(lookup(doc, name))

    return " ".join(_PLACEHOLDER.sub(value, text).split())


def _source(vocabulary: Mapping[str, Fact], path: str) -> tuple[str, ...]:
    fact = vocabulary.get(path)
    return tuple(s for s in fact.source if s.startswith("$")) if fact else ()


def explain(
    rule: Rule, status: Status, doc: Mapping[str, Any], vocabulary: Mapping[str, Fact]
) -> Finding:
    """The finding for a rule with the status the engine gave it."""
    details: list[Detail] = []
    labels: list[str] = []
    if status is Status.UNKNOWN:
        for path in rule.requires:
            if lookup(doc, path) is None:
                for source in _source(vocabulary, path) or (path,):
                    details.append(Detail(source, "stated", None))
    elif status is Status.NOT_MET:
        for leaf, list_name, index in _false_leaves(rule.condition, doc):
            if list_name is None:
                for source in _source(vocabulary, leaf.fact) or (leaf.fact,):
                    details.append(Detail(source, _expected(leaf), lookup(doc, leaf.fact)))
                continue
            spec = _LISTS[list_name]
            item = (lookup(doc, list_name) or [])[index or 0]
            field = next(f for f in spec.items if f.path == leaf.fact)
            label = item.get(spec.label)
            if label is not None and str(label) not in labels:
                labels.append(str(label))
            details.append(
                Detail(
                    f"{spec.source}[{index}].{field.source[0]}",
                    _expected(leaf),
                    item.get(leaf.fact),
                )
            )
    template = {
        Status.MET: rule.messages.met,
        Status.NOT_MET: rule.messages.not_met,
        Status.UNKNOWN: rule.messages.unknown,
        Status.NOT_APPLICABLE: rule.messages.not_applicable or "Not applicable.",
    }[status]
    paths = tuple(dict.fromkeys(d.path for d in details))
    gap = status in (Status.NOT_MET, Status.UNKNOWN)
    return Finding(
        rule_id=rule.id,
        rule_version=rule.version,
        title=rule.title,
        test=rule.test,
        features=rule.features,
        severity=rule.severity.value,
        status=status,
        message=_fill(template, doc, labels),
        paths=paths,
        details=tuple(details),
        remedy=rule.remedy if gap else None,
        sources=rule.sources,
    )
