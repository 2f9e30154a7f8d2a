"""Matching on a 40-criterion workload: durable-rules (this library's compiler and engine)
against plain-Python closures, measured in the same run.

    python benchmarks/bench_match40.py [--repeat 3000]

The workload has the shape of the one in issue 13 (shared with six other Python rules
engines, CLIPS at about 15 times plain Python): 40 criteria over a nested record (the fact
document of each shipped example proposal), two derived facts that criteria build on, and
all three list quantifiers (any, all and no item). Both sides get the fact document and
return the derived facts and every criterion's status; they must agree with the reference
evaluator on every example before anything is timed. The plain side is the pack's
conditions as nested Python closures (one predicate per comparison, ``bench_assess``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_assess import _median_us, _PlainEngine

import sharing_rules as sr
from sharing_rules._conditions import All, AnyOf, Compare, Condition, Not, Quantified
from sharing_rules._engine import DurableEngine
from sharing_rules._facts import build_facts
from sharing_rules._reference import reference_statuses

ROOT = Path(__file__).resolve().parent.parent


def _c(fact: str, op: str, value: Any) -> Compare:
    return Compare(fact, op, tuple(value) if isinstance(value, list) else value)


SENSITIVE = AnyOf(
    (
        _c("data.any_special_category", "eq", True),
        _c("data.any_criminal_offence", "eq", True),
        Quantified("any_item", "data_items", _c("category", "in", ["genetic", "biometric"])),
    )
)
LARGE = AnyOf(
    (_c("subjects.approximate_count", "ge", 5000), _c("sharing.volume_records", "ge", 5000))
)

#: (condition, requires, when): 40 criteria.
CRITERIA: list[tuple[Condition, tuple[str, ...], Condition | None]] = [
    (_c("purpose.statement_words", "ge", 20), ("purpose.statement_words",), None),
    (_c("purpose.objectives_count", "ge", 1), ("purpose.objectives_count",), None),
    (
        _c("purpose.compatible_with_original", "eq", True),
        ("purpose.compatible_with_original",),
        None,
    ),
    (_c("purpose.limits_on_other_uses", "present", True), ("stated.purpose",), None),
    (
        _c("purpose.onward_sharing", "in", ["none", "with_consent"]),
        ("purpose.onward_sharing",),
        None,
    ),
    (_c("legal.article_6", "present", True), ("stated.legal_basis",), None),
    (
        _c("legal.article_9_condition", "present", True),
        ("data.any_special_category",),
        _c("data.any_special_category", "eq", True),
    ),
    (_c("governance.accountable_owner", "present", True), ("stated.governance",), None),
    (_c("governance.dpia_status", "eq", "completed"), ("governance.dpia_status",), None),
    (_c("governance.dpo_consulted", "eq", True), ("governance.dpo_consulted",), None),
    (_c("governance.review_not_past", "eq", True), ("governance.review_not_past",), None),
    (_c("safeguards.access_restricted", "eq", True), ("safeguards.access_restricted",), None),
    (
        _c("safeguards.security_measures_count", "ge", 2),
        ("safeguards.security_measures_count",),
        None,
    ),
    (_c("safeguards.retention_days", "le", 2555), ("safeguards.retention_days",), None),
    (_c("safeguards.audit_logging", "eq", True), ("safeguards.audit_logging",), None),
    (
        _c("safeguards.transfer_safeguard", "present", True),
        ("safeguards.international_transfer",),
        _c("safeguards.international_transfer", "eq", True),
    ),
    (_c("transparency.privacy_notice", "present", True), ("stated.transparency",), None),
    (
        _c("transparency.individuals_informed", "eq", True),
        ("transparency.individuals_informed",),
        None,
    ),
    (_c("resources.cost_gbp", "gt", 0), ("resources.cost_gbp",), None),
    (_c("resources.savings_ratio", "ge", 1), ("resources.savings_ratio",), None),
    # on the two derived facts
    (
        _c("governance.dpia_status", "eq", "completed"),
        ("bench.sensitive",),
        _c("bench.sensitive", "eq", True),
    ),
    (
        _c("governance.caldicott_guardian_approved", "eq", True),
        ("bench.sensitive",),
        _c("bench.sensitive", "eq", True),
    ),
    (
        _c("safeguards.setting", "in", ["secure_environment", "trusted_research_environment"]),
        ("bench.sensitive",),
        _c("bench.sensitive", "eq", True),
    ),
    (Not(_c("bench.large_scale", "eq", True)), ("bench.large_scale",), None),
    (
        _c("transparency.engagement_done", "eq", True),
        ("bench.large_scale",),
        _c("bench.large_scale", "eq", True),
    ),
    (
        All(
            (
                _c("governance.dpia_status", "eq", "completed"),
                _c("governance.dpo_consulted", "eq", True),
            )
        ),
        ("bench.sensitive", "bench.large_scale"),
        All((_c("bench.sensitive", "eq", True), _c("bench.large_scale", "eq", True))),
    ),
    (
        _c("transparency.register_entry", "present", True),
        ("bench.large_scale",),
        _c("bench.large_scale", "ne", False),
    ),
    (
        AnyOf((_c("bench.sensitive", "eq", False), _c("safeguards.breach_procedure", "eq", True))),
        ("bench.sensitive",),
        None,
    ),
    # list quantifiers: any, all and no item
    (
        Quantified("all_items", "data_items", _c("justified", "eq", True)),
        ("count.data_items",),
        None,
    ),
    (
        Quantified("all_items", "data_items", _c("identifiability", "present", True)),
        ("count.data_items",),
        None,
    ),
    (
        Quantified(
            "no_item",
            "data_items",
            All(
                (
                    _c("identifiability", "eq", "identified"),
                    Not(_c("identifiability_reason_given", "eq", True)),
                )
            ),
        ),
        ("count.data_items",),
        None,
    ),
    (Quantified("no_item", "data_items", _c("reliable", "eq", False)), ("count.data_items",), None),
    (
        Quantified("any_item", "benefits", _c("for_individuals", "eq", True)),
        ("count.benefits",),
        None,
    ),
    (
        Quantified("any_item", "benefits", _c("for_wider_public", "eq", True)),
        ("count.benefits",),
        None,
    ),
    (Quantified("all_items", "benefits", _c("measured", "eq", True)), ("count.benefits",), None),
    (Quantified("any_item", "benefits", _c("evidenced", "eq", True)), ("count.benefits",), None),
    (Quantified("all_items", "risks", _c("mitigated", "eq", True)), ("count.risks",), None),
    (
        Quantified(
            "no_item",
            "risks",
            All((_c("severity", "eq", "severe"), Not(_c("mitigated", "eq", True)))),
        ),
        ("count.risks",),
        None,
    ),
    (Quantified("any_item", "parties", _c("recipient", "eq", True)), ("count.parties",), None),
    (
        Quantified("all_items", "alternatives", _c("explained", "eq", True)),
        ("count.alternatives",),
        _c("count.alternatives", "gt", 0),
    ),
]


def workload_pack() -> sr.RulePack:
    """The 40 criteria and two derivations as a rule pack (the framework's tests and texts)."""
    framework = sr.load_rules()
    template, derivation = framework.rules[0], framework.derivations[0]
    derivations = (
        attrs.evolve(
            derivation,
            id="bench.sensitive",
            sets="bench.sensitive",
            condition=SENSITIVE,
            requires=("data.any_special_category", "data.any_criminal_offence"),
            parameters=(),
        ),
        attrs.evolve(
            derivation,
            id="bench.large-scale",
            sets="bench.large_scale",
            condition=LARGE,
            requires=("subjects.approximate_count", "sharing.volume_records"),
            parameters=(),
        ),
    )
    rules = tuple(
        attrs.evolve(
            template,
            id=f"bench.c{n:02}",
            condition=condition,
            requires=requires,
            when=when,
            examples=(),
            parameters=(),
        )
        for n, (condition, requires, when) in enumerate(CRITERIA)
    )
    assert len(rules) == 40
    return attrs.evolve(framework, rules=rules, derivations=derivations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3000)
    args = parser.parse_args()
    pack = workload_pack()
    engine = DurableEngine(pack)
    plain = _PlainEngine(pack)
    docs = [build_facts(sr.load_proposal(p)) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for doc in docs:  # same answers from both, and from the reference evaluator
        expected = reference_statuses(pack, doc)
        assert engine.run(doc) == expected == plain.run(doc)
    print(
        f"40 criteria, 2 derivations, {len(engine.definition)} engine rules; median of "
        f"{args.repeat} runs per document, microseconds"
    )
    print(f"{'document':24} {'durable':>8} {'plain':>8} {'ratio':>6}")
    rows = []
    for path, doc in zip(sorted((ROOT / "examples").glob("*.yaml")), docs, strict=True):
        durable = _median_us(lambda d=doc: engine.run(d), args.repeat)
        closures = _median_us(lambda d=doc: plain.run(d), args.repeat)
        rows.append((durable, closures))
        print(f"{path.stem[:24]:24} {durable:8.1f} {closures:8.1f} {durable / closures:6.2f}")
    durable = statistics.median(r[0] for r in rows)
    closures = statistics.median(r[1] for r in rows)
    ratio = statistics.median(r[0] / r[1] for r in rows)
    print(
        f"median: durable-rules {durable:.1f} us, plain Python {closures:.1f} us; "
        f"median ratio {ratio:.2f} (CLIPS on this shape of workload: about 15)"
    )


if __name__ == "__main__":
    main()
