"""Time assessments on durable-rules against a plain-Python baseline measured in the same run.

    python benchmarks/bench_assess.py                 # timings, medians and ratios
    python benchmarks/bench_assess.py --memory 1000000  # RSS before/after N assessments

Baseline: plain Python. The pack's conditions are turned into nested Python closures
(what a developer would write by hand, one predicate per comparison) and evaluated over the
same fact documents. "statuses" compares the engine's matching alone against them; "assess"
is the whole ``Assessor.assess`` (facts, engine, explanations, verdict) against the same
pipeline with the closures in place of the engine. The reference evaluator (the test
oracle, an interpreter) is shown for scale.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sharing_rules as sr
from sharing_rules._conditions import All, AnyOf, Compare, Condition, Not
from sharing_rules._facts import build_facts
from sharing_rules._reference import reference_statuses, with_derived
from sharing_rules._verdict import Status

ROOT = Path(__file__).resolve().parent.parent


def _median_us(fn: Callable[[], Any], repeat: int) -> float:
    for _ in range(min(200, repeat)):  # warm up
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


Predicate = Callable[[Any], bool]


def _closure(c: Condition) -> Predicate:
    """A condition as a plain Python closure (same semantics as the reference evaluator)."""
    if isinstance(c, Compare):
        return _compare(c)
    if isinstance(c, All):
        parts = [_closure(i) for i in c.items]
        return lambda d: all(p(d) for p in parts)
    if isinstance(c, AnyOf):
        parts = [_closure(i) for i in c.items]
        return lambda d: any(p(d) for p in parts)
    if isinstance(c, Not):
        inner = _closure(c.item)
        return lambda d: not inner(d)
    where, path = _closure(c.where), _split(c.list)
    if c.kind == "any_item":
        return lambda d: any(where(i) for i in _get(d, path) or ())
    if c.kind == "all_items":
        return lambda d: all(where(i) for i in _get(d, path) or ())
    return lambda d: not any(where(i) for i in _get(d, path) or ())


def _split(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def _get(d: Any, parts: tuple[str, ...]) -> Any:
    """The value at a dotted path (split), ``None`` if absent; facts may nest deeper than
    two levels (``purpose.kind.research``)."""
    for name in parts:
        d = d.get(name) if d else None
    return d


def _compare(c: Compare) -> Predicate:
    parts = _split(c.fact)
    v = c.value
    ops: dict[str, Predicate] = {
        "present": lambda x: (x is not None) is v,
        "eq": lambda x: x is not None and x == v and type(x) is type(v),
        "ne": lambda x: not (x is not None and x == v and type(x) is type(v)),
        "in": lambda x: x is not None and x in v,
        "not_in": lambda x: x is None or x not in v,
        "lt": lambda x: x is not None and x < v,
        "le": lambda x: x is not None and x <= v,
        "gt": lambda x: x is not None and x > v,
        "ge": lambda x: x is not None and x >= v,
    }
    op = ops[c.op]
    return lambda d: op(_get(d, parts))


class _PlainEngine:
    """The pack as plain Python closures, with the engine's interface."""

    def __init__(self, pack: sr.RulePack) -> None:
        self.derivations = [
            (d.sets, _closure(d.condition), [_split(p) for p in d.requires])
            for d in pack.derivations
        ]
        self.rules = [
            (
                None if r.when is None else _closure(r.when),
                [_split(p) for p in r.requires],
                _closure(r.condition),
            )
            for r in pack.rules
        ]

    def run(self, doc: dict[str, Any]) -> tuple[dict[str, bool | None], list[Status]]:
        derived: dict[str, bool | None] = {}
        for path, cond, requires in self.derivations:
            unstated = any(_get(doc, parts) is None for parts in requires)
            derived[path] = True if cond(doc) else (None if unstated else False)
        full = with_derived(doc, derived)
        statuses = []
        for when, requires, cond in self.rules:
            if when is not None and not when(full):
                statuses.append(Status.NOT_APPLICABLE)
            elif any(_get(full, parts) is None for parts in requires):
                statuses.append(Status.UNKNOWN)
            else:
                statuses.append(Status.MET if cond(full) else Status.NOT_MET)
        return derived, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3000)
    parser.add_argument("--memory", type=int, default=0, metavar="N")
    args = parser.parse_args()

    pack = sr.load_rules()
    engine_assessor = sr.Assessor(pack)
    plain_engine = _PlainEngine(pack)
    plain_assessor = sr.Assessor(pack)
    plain_assessor._engine = plain_engine  # type: ignore[assignment]
    proposals = [sr.load_proposal(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    print(
        f"durable-rules pack: {len(pack.rules)} rules, {len(pack.derivations)} derivations; "
        f"median of {args.repeat} runs per proposal, microseconds"
    )
    print(
        f"{'proposal':24} {'engine':>7} {'plain':>7} {'ratio':>6} {'oracle':>7} | "
        f"{'assess':>7} {'plain':>7} {'ratio':>6}"
    )
    ratios = []
    for proposal in proposals:
        doc = build_facts(proposal)
        assert plain_engine.run(doc) == reference_statuses(pack, doc)
        engine = _median_us(lambda d=doc: engine_assessor._engine.run(d), args.repeat)
        plain = _median_us(lambda d=doc: plain_engine.run(d), args.repeat)
        oracle = _median_us(lambda d=doc: reference_statuses(pack, d), args.repeat)
        full = _median_us(lambda p=proposal: engine_assessor.assess(p), args.repeat)
        full_plain = _median_us(lambda p=proposal: plain_assessor.assess(p), args.repeat)
        ratios.append((engine / plain, full / full_plain))
        print(
            f"{proposal.id + ' ' + proposal.title[:11]:24} {engine:7.1f} {plain:7.1f} "
            f"{engine / plain:6.1f} {oracle:7.1f} | {full:7.1f} {full_plain:7.1f} "
            f"{full / full_plain:6.2f}"
        )
    print(
        f"median ratio engine/plain: statuses {statistics.median(r[0] for r in ratios):.2f}, "
        f"whole assessment {statistics.median(r[1] for r in ratios):.2f}"
    )
    if args.memory:
        _memory(engine_assessor, proposals, args.memory)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _memory(assessor: sr.Assessor, proposals: list[sr.Proposal], count: int) -> None:
    gc.collect()
    checkpoints = {count // 10, count // 2, count}
    before = _rss_mb()
    print(f"memory: RSS {before:.1f} MB before {count:,} assessments")
    for i in range(1, count + 1):
        assessor.assess(proposals[i % len(proposals)])
        if i in checkpoints:
            gc.collect()
            print(f"  after {i:>9,}: RSS {_rss_mb():.1f} MB", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
