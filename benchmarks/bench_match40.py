"""Matching on a 40-criterion workload: durable-rules (this library's compiler and engine)
against plain Python written by hand, and against plain-Python closures, in the same run.

    python benchmarks/bench_match40.py [--repeat 3000]
    python benchmarks/bench_match40.py --only durable --times 50   # untimed, for callgrind

On a shared machine the time ratio moves with the load (the engine's C code suffers more from
a busy cache than the hand-written loop); instructions per run do not: run each side under
``valgrind --tool=callgrind`` with ``--times 0`` and ``--times 50``, and divide the
difference by 50 times the 12 examples.

The workload has the shape of the one in issue 13 (shared with six other Python rules
engines, CLIPS at about 15 times plain Python): 40 criteria over a nested record (the fact
document of each shipped example proposal), two derived facts that criteria build on, and
all three list quantifiers (any, all and no item). Each side gets the fact document and
returns the derived facts and every criterion's status; all must agree with the reference
evaluator before anything is timed: on the examples, on the framework rules' example
documents, and on the examples' variants at the edges of each criterion (``variants``).

* "durable" is ``DurableEngine.run``, the very engine path of ``Assessor.assess`` (the pack
  compiled by ``_compile``, facts shaped by ``Plan.apply``, two stages, a reused session);
  it leaves out what ``assess`` does around it (building the fact document, explanations,
  the verdict).
* "by hand" is plain Python as a developer would write these 40 criteria: ``if``s and
  comprehensions over the nested record (``hand_written``). Issue 13's ratio (CLIPS ~15x)
  is against code of this kind.
* "closures" is the pack's conditions turned into nested Python closures, one predicate per
  comparison (``bench_assess``): a generic evaluator, several times slower than by hand.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_assess import _PlainEngine

import sharing_rules as sr
from sharing_rules._conditions import All, AnyOf, Compare, Condition, Not, Quantified
from sharing_rules._engine import DurableEngine, _self_check_documents
from sharing_rules._facts import build_facts
from sharing_rules._reference import reference_statuses
from sharing_rules._verdict import Status

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
#: The derived facts: (condition, requires) of each.
DERIVATIONS = {
    "bench.sensitive": (SENSITIVE, ("data.any_special_category", "data.any_criminal_offence")),
    "bench.large_scale": (LARGE, ("subjects.approximate_count", "sharing.volume_records")),
}

Criterion = tuple[Condition, tuple[str, ...], Condition | None]


def _own(fact: str, op: str, value: Any, when: Condition | None = None) -> Criterion:
    """A criterion comparing one fact, which it requires."""
    return (_c(fact, op, value), (fact,), when)


def _items(kind: str, name: str, where: Condition, when: Condition | None = None) -> Criterion:
    """A criterion over the items of a list, requiring the list's count."""
    return (Quantified(kind, name, where), (f"count.{name}",), when)


SENSITIVE_ONLY = _c("bench.sensitive", "eq", True)
LARGE_ONLY = _c("bench.large_scale", "eq", True)

#: (condition, requires, when): 40 criteria.
CRITERIA: list[Criterion] = [
    _own("purpose.statement_words", "ge", 20),
    _own("purpose.objectives_count", "ge", 1),
    _own("purpose.compatible_with_original", "eq", True),
    (_c("purpose.limits_on_other_uses", "present", True), ("stated.purpose",), None),
    _own("purpose.onward_sharing", "in", ["none", "with_consent"]),
    (_c("legal.article_6", "present", True), ("stated.legal_basis",), None),
    (
        _c("legal.article_9_condition", "present", True),
        ("data.any_special_category",),
        _c("data.any_special_category", "eq", True),
    ),
    (_c("governance.accountable_owner", "present", True), ("stated.governance",), None),
    _own("governance.dpia_status", "eq", "completed"),
    _own("governance.dpo_consulted", "eq", True),
    _own("governance.review_not_past", "eq", True),
    _own("safeguards.access_restricted", "eq", True),
    _own("safeguards.security_measures_count", "ge", 2),
    _own("safeguards.retention_days", "le", 2555),
    _own("safeguards.audit_logging", "eq", True),
    (
        _c("safeguards.transfer_safeguard", "present", True),
        ("safeguards.international_transfer",),
        _c("safeguards.international_transfer", "eq", True),
    ),
    (_c("transparency.privacy_notice", "present", True), ("stated.transparency",), None),
    _own("transparency.individuals_informed", "eq", True),
    _own("resources.cost_gbp", "gt", 0),
    _own("resources.savings_ratio", "ge", 1),
    # on the two derived facts
    (_c("governance.dpia_status", "eq", "completed"), ("bench.sensitive",), SENSITIVE_ONLY),
    (
        _c("governance.caldicott_guardian_approved", "eq", True),
        ("bench.sensitive",),
        SENSITIVE_ONLY,
    ),
    (
        _c("safeguards.setting", "in", ["secure_environment", "trusted_research_environment"]),
        ("bench.sensitive",),
        SENSITIVE_ONLY,
    ),
    (Not(LARGE_ONLY), ("bench.large_scale",), None),
    (_c("transparency.engagement_done", "eq", True), ("bench.large_scale",), LARGE_ONLY),
    (
        All(
            (
                _c("governance.dpia_status", "eq", "completed"),
                _c("governance.dpo_consulted", "eq", True),
            )
        ),
        ("bench.sensitive", "bench.large_scale"),
        All((SENSITIVE_ONLY, LARGE_ONLY)),
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
    _items("all_items", "data_items", _c("justified", "eq", True)),
    _items("all_items", "data_items", _c("identifiability", "present", True)),
    _items(
        "no_item",
        "data_items",
        All(
            (
                _c("identifiability", "eq", "identified"),
                Not(_c("identifiability_reason_given", "eq", True)),
            )
        ),
    ),
    _items("no_item", "data_items", _c("reliable", "eq", False)),
    _items("any_item", "benefits", _c("for_individuals", "eq", True)),
    _items("any_item", "benefits", _c("for_wider_public", "eq", True)),
    _items("all_items", "benefits", _c("measured", "eq", True)),
    _items("any_item", "benefits", _c("evidenced", "eq", True)),
    _items("all_items", "risks", _c("mitigated", "eq", True)),
    _items(
        "no_item", "risks", All((_c("severity", "eq", "severe"), Not(_c("mitigated", "eq", True))))
    ),
    _items("any_item", "parties", _c("recipient", "eq", True)),
    _items(
        "all_items",
        "alternatives",
        _c("explained", "eq", True),
        when=_c("count.alternatives", "gt", 0),
    ),
]


def workload_pack() -> sr.RulePack:
    """The 40 criteria and two derivations as a rule pack (the framework's tests and texts)."""
    framework = sr.load_rules()
    template, derivation = framework.rules[0], framework.derivations[0]
    derivations = tuple(
        attrs.evolve(
            derivation,
            id=sets.replace("_", "-"),
            sets=sets,
            condition=condition,
            requires=requires,
            parameters=(),
        )
        for sets, (condition, requires) in DERIVATIONS.items()
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


def _compares(c: Condition, within: str | None = None) -> list[tuple[str | None, Compare]]:
    """Every comparison in a condition, with the list whose items it reads (or None)."""
    if isinstance(c, Compare):
        return [(within, c)]
    if isinstance(c, Quantified):
        return _compares(c.where, c.list)
    return [
        x
        for item in (c.items if isinstance(c, All | AnyOf) else (c.item,))
        for x in _compares(item, within)
    ]


def _set(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of the document with the fact at a dotted path set."""
    head, _, rest = path.partition(".")
    return {**doc, head: _set(doc.get(head) or {}, rest, value) if rest else value}


def variants(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The document with each fact the workload reads unstated, at, below and above the value
    it is compared with (or the other boolean), that value in every item of a list, and each
    list emptied: the edges where a hand-written criterion could go wrong. Facts the library
    computes from others (a list's count) keep agreeing with them, as in a real document."""
    conditions = [c for rule in CRITERIA for c in (rule[0], rule[2]) if c is not None]
    conditions += [condition for condition, _ in DERIVATIONS.values()]
    paths = {path for rule in CRITERIA for path in rule[1]}
    out = [_set(doc, path, None) for path in sorted(paths) if not path.startswith("count.")]
    for within, c in (x for condition in conditions for x in _compares(condition)):
        if c.fact.startswith("count."):
            continue  # a list's count goes with the list: emptied below
        v = c.value
        if c.op == "present":  # stated or not: its value is the document's own
            values: list[Any] = [None]
        elif type(v) is bool:
            values = [None, True, False]
        elif isinstance(v, tuple):  # in, not_in: each value listed
            values = [None, *v]
        else:
            values = [None, v, v - 1, v + 1] if type(v) in (int, float) else [None, v]
        for value in values:
            if within is None:
                out.append(_set(doc, c.fact, value))
            elif doc.get(within):
                items = [{**item, c.fact: value} for item in doc[within]]
                out.append({**doc, within: items})
    for name in ("data_items", "benefits", "risks", "parties", "alternatives"):
        out.append(_set({**doc, name: []}, f"count.{name}", 0))
    return out


MET, NOT_MET, UNKNOWN, NA = Status.MET, Status.NOT_MET, Status.UNKNOWN, Status.NOT_APPLICABLE


def _judge(met: bool, *required: Any) -> Status:
    """Unknown when a required fact is unstated (None), else met or not met."""
    if None in required:  # the facts are None, bools, numbers and text: == is enough
        return UNKNOWN
    return MET if met else NOT_MET


def hand_written(doc: dict[str, Any]) -> tuple[dict[str, bool | None], list[Status]]:
    """The 40 criteria and two derivations as a developer would write them by hand: plain
    ``if``s and comprehensions over the nested record, the same answers as the engine."""
    purpose = doc.get("purpose") or {}
    legal = doc.get("legal") or {}
    gov = doc.get("governance") or {}
    safe = doc.get("safeguards") or {}
    transp = doc.get("transparency") or {}
    res = doc.get("resources") or {}
    data = doc.get("data") or {}
    stated = doc.get("stated") or {}
    count = doc.get("count") or {}
    items = doc.get("data_items") or []
    benefits = doc.get("benefits") or []
    risks = doc.get("risks") or []
    alternatives = doc.get("alternatives") or []

    special, criminal = data.get("any_special_category"), data.get("any_criminal_offence")
    if special is True or criminal is True:
        sensitive: bool | None = True
    elif any(i.get("category") in ("genetic", "biometric") for i in items):
        sensitive = True
    else:
        sensitive = None if special is None or criminal is None else False
    people = (doc.get("subjects") or {}).get("approximate_count")
    records = (doc.get("sharing") or {}).get("volume_records")
    if (people is not None and people >= 5000) or (records is not None and records >= 5000):
        large: bool | None = True
    else:
        large = None if people is None or records is None else False

    words, objectives = purpose.get("statement_words"), purpose.get("objectives_count")
    compatible, onward = purpose.get("compatible_with_original"), purpose.get("onward_sharing")
    dpia, dpo, review = gov.get("dpia_status"), gov.get("dpo_consulted"), gov.get("review_not_past")
    restricted, measures = safe.get("access_restricted"), safe.get("security_measures_count")
    retention, audit = safe.get("retention_days"), safe.get("audit_logging")
    abroad, informed = safe.get("international_transfer"), transp.get("individuals_informed")
    cost, savings = res.get("cost_gbp"), res.get("savings_ratio")
    out = [
        _judge(words is not None and words >= 20, words),
        _judge(objectives is not None and objectives >= 1, objectives),
        _judge(compatible is True, compatible),
        _judge(purpose.get("limits_on_other_uses") is not None, stated.get("purpose")),
        _judge(onward in ("none", "with_consent"), onward),
        _judge(legal.get("article_6") is not None, stated.get("legal_basis")),
    ]
    if special is True:
        out.append(MET if legal.get("article_9_condition") is not None else NOT_MET)
    else:
        out.append(NA)
    out += [
        _judge(gov.get("accountable_owner") is not None, stated.get("governance")),
        _judge(dpia == "completed", dpia),
        _judge(dpo is True, dpo),
        _judge(review is True, review),
        _judge(restricted is True, restricted),
        _judge(measures is not None and measures >= 2, measures),
        _judge(retention is not None and retention <= 2555, retention),
        _judge(audit is True, audit),
        NA if abroad is not True else _judge(safe.get("transfer_safeguard") is not None),
        _judge(transp.get("privacy_notice") is not None, stated.get("transparency")),
        _judge(informed is True, informed),
        _judge(cost is not None and cost > 0, cost),
        _judge(savings is not None and savings >= 1, savings),
    ]
    if sensitive is True:
        setting = safe.get("setting")
        out.append(MET if dpia == "completed" else NOT_MET)
        out.append(MET if gov.get("caldicott_guardian_approved") is True else NOT_MET)
        out.append(
            MET if setting in ("secure_environment", "trusted_research_environment") else NOT_MET
        )
    else:
        out += [NA, NA, NA]
    out.append(_judge(large is not True, large))
    out.append(_judge(transp.get("engagement_done") is True) if large is True else NA)
    if sensitive is True and large is True:
        out.append(MET if dpia == "completed" and dpo is True else NOT_MET)
    else:
        out.append(NA)
    if large is False:
        out.append(NA)
    else:
        out.append(_judge(transp.get("register_entry") is not None, large))
    out.append(_judge(sensitive is False or safe.get("breach_procedure") is True, sensitive))
    n_items, n_benefits = count.get("data_items"), count.get("benefits")
    out += [
        _judge(all(i.get("justified") is True for i in items), n_items),
        _judge(all(i.get("identifiability") is not None for i in items), n_items),
        _judge(
            not any(
                i.get("identifiability") == "identified"
                and i.get("identifiability_reason_given") is not True
                for i in items
            ),
            n_items,
        ),
        _judge(not any(i.get("reliable") is False for i in items), n_items),
        _judge(any(b.get("for_individuals") is True for b in benefits), n_benefits),
        _judge(any(b.get("for_wider_public") is True for b in benefits), n_benefits),
        _judge(all(b.get("measured") is True for b in benefits), n_benefits),
        _judge(any(b.get("evidenced") is True for b in benefits), n_benefits),
        _judge(all(r.get("mitigated") is True for r in risks), count.get("risks")),
        _judge(
            not any(
                r.get("severity") == "severe" and r.get("mitigated") is not True for r in risks
            ),
            count.get("risks"),
        ),
        _judge(
            any(p.get("recipient") is True for p in doc.get("parties") or []), count.get("parties")
        ),
    ]
    n_alternatives = count.get("alternatives")
    if n_alternatives is not None and n_alternatives > 0:
        out.append(MET if all(a.get("explained") is True for a in alternatives) else NOT_MET)
    else:
        out.append(NA)
    return {"bench.sensitive": sensitive, "bench.large_scale": large}, out


def _alternating_medians_us(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """Median CPU time of each function over ``repeat`` calls, made in turns of blocks of 50
    calls in a row: each block runs warm, as in a loop, and a change in the machine's speed
    weighs on all the functions alike."""
    samples: list[list[int]] = [[] for _ in fns]
    clock = time.process_time_ns
    for turn in range(-1, max(1, repeat // 50)):  # turn -1: warm-up
        for fn, mine in zip(fns, samples, strict=True):
            for _ in range(50):
                start = clock()
                fn()
                if turn >= 0:
                    mine.append(clock() - start)
    return [statistics.median(mine) / 1000 for mine in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3000)
    parser.add_argument(
        "--only",
        choices=["durable", "closures", "hand"],
        help="only run this side --times times on each document, untimed (for callgrind)",
    )
    parser.add_argument("--times", type=int, default=100)
    args = parser.parse_args()
    pack = workload_pack()
    engine = DurableEngine(pack)
    closures = _PlainEngine(pack)
    paths = sorted((ROOT / "examples").glob("*.yaml"))
    docs = [build_facts(sr.load_proposal(p)) for p in paths]
    if args.only is not None:
        run = {"durable": engine.evaluate, "closures": closures.run, "hand": hand_written}[
            args.only
        ]
        for doc in docs:
            for _ in range(args.times):
                run(doc)
        return
    # Same answers from all, and from the reference evaluator: on the examples, on the
    # framework rules' own example documents, and on the examples' variants at the edges.
    checked = [*docs, *_self_check_documents(sr.load_rules())]
    checked += [variant for doc in docs for variant in variants(doc)]
    for doc in checked:
        expected = reference_statuses(pack, doc)
        assert engine.run(doc) == expected == closures.run(doc) == hand_written(doc)
    print(
        f"40 criteria, 2 derivations, {len(engine.definition)} engine rules; the four agree on "
        f"{len(checked)} documents; median CPU time of {args.repeat} runs per document (the "
        "three in turns of 50 runs), µs"
    )
    print(
        f"{'document':24} {'durable':>8} {'closures':>8} {'by hand':>8} "
        f"{'dr/hand':>7} {'dr/closures':>11}"
    )
    rows = []
    for path, doc in zip(paths, docs, strict=True):
        times = _alternating_medians_us(
            [
                lambda d=doc: engine.evaluate(d),  # what assess calls (no document check)
                lambda d=doc: closures.run(d),
                lambda d=doc: hand_written(d),
            ],
            args.repeat,
        )
        rows.append(times)
        durable, plain, hand = times
        print(
            f"{path.stem[:24]:24} {durable:8.1f} {plain:8.1f} {hand:8.1f} "
            f"{durable / hand:7.2f} {durable / plain:11.2f}"
        )
    durable, plain, hand = (statistics.median(r[i] for r in rows) for i in range(3))
    by_hand = statistics.median(r[0] / r[2] for r in rows)
    by_closures = statistics.median(r[0] / r[1] for r in rows)
    print(
        f"median: durable-rules {durable:.1f} µs, closures {plain:.1f} µs, by hand {hand:.1f} µs; "
        f"durable-rules / by hand {by_hand:.1f} (CLIPS on this shape of workload: about 15), "
        f"durable-rules / closures {by_closures:.2f}"
    )


if __name__ == "__main__":
    main()
