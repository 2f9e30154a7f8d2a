"""The reference evaluator: the rule semantics in a few lines of plain Python.

It is the oracle the durable-rules engine is tested against (differential testing), and
the definition of what each status means:

* a derivation's fact is true when its condition holds; otherwise unknown (``None``) when
  a fact it requires is unstated; otherwise false;
* a criterion is not applicable when its ``when`` condition is false; otherwise unknown
  when a fact it requires is unstated; otherwise met or not met by its condition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._conditions import evaluate, lookup
from ._rules import Derivation, Rule, RulePack
from ._verdict import Status

__all__ = ["ReferenceEvaluator", "derive", "reference_statuses", "rule_status", "with_derived"]


def _any_unstated(requires: tuple[str, ...], doc: Mapping[str, Any]) -> bool:
    return any(lookup(doc, path) is None for path in requires)


def derive(derivation: Derivation, doc: Mapping[str, Any]) -> bool | None:
    """The value a derivation gives its fact."""
    if evaluate(derivation.condition, doc):
        return True
    return None if _any_unstated(derivation.requires, doc) else False


def rule_status(rule: Rule, doc: Mapping[str, Any]) -> Status:
    """The status a criterion has for a fact document (derived facts included)."""
    if rule.when is not None and not evaluate(rule.when, doc):
        return Status.NOT_APPLICABLE
    if _any_unstated(rule.requires, doc):
        return Status.UNKNOWN
    return Status.MET if evaluate(rule.condition, doc) else Status.NOT_MET


def with_derived(doc: Mapping[str, Any], derived: Mapping[str, bool | None]) -> dict[str, Any]:
    """A copy of the fact document with the derived facts set at their dotted paths."""
    out = dict(doc)
    for path, value in derived.items():
        head, _, rest = path.partition(".")
        if rest:
            out[head] = with_derived(out.get(head) or {}, {rest: value})
        else:
            out[head] = value
    return out


def reference_statuses(
    pack: RulePack, doc: Mapping[str, Any]
) -> tuple[dict[str, bool | None], list[Status]]:
    """Derived facts and the status of every rule of the pack, in pack order."""
    derived = {d.sets: derive(d, doc) for d in pack.derivations}
    full = with_derived(doc, derived)
    return derived, [rule_status(rule, full) for rule in pack.rules]


class ReferenceEvaluator:
    """The reference evaluator behind the engine's interface (``run``), for differential
    tests: the two must give the same derived facts and statuses for every document."""

    def __init__(self, pack: RulePack) -> None:
        self._pack = pack

    def run(self, doc: Mapping[str, Any]) -> tuple[dict[str, bool | None], list[Status]]:
        """Derived facts and every rule's status for a fact document, in pack order."""
        return reference_statuses(self._pack, doc)
