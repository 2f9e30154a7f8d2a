"""Time assessments on durable-rules against a plain-Python baseline measured in the same run.

    python benchmarks/bench_assess.py                 # timings, medians and ratios
    python benchmarks/bench_assess.py --memory 1000000  # RSS before/after N assessments

Baseline: the reference evaluator (plain Python interpreting the same rule conditions
over the same fact documents). "statuses" compares the engine's matching alone; "assess"
is the whole ``Assessor.assess`` (facts, engine, explanations, verdict) against the same
pipeline with the reference evaluator in place of the engine.
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
from sharing_rules._facts import build_facts
from sharing_rules._reference import reference_statuses

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


class _ReferenceEngine:
    def __init__(self, pack: sr.RulePack) -> None:
        self.pack = pack

    def run(self, doc: dict[str, Any]) -> Any:
        return reference_statuses(self.pack, doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3000)
    parser.add_argument("--memory", type=int, default=0, metavar="N")
    args = parser.parse_args()

    pack = sr.load_rules()
    engine_assessor = sr.Assessor(pack)
    reference_assessor = sr.Assessor(pack)
    reference_assessor._engine = _ReferenceEngine(pack)  # type: ignore[assignment]
    proposals = [sr.load_proposal(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    print(
        f"durable-rules pack: {len(pack.rules)} rules, {len(pack.derivations)} derivations; "
        f"median of {args.repeat} runs per proposal, microseconds"
    )
    print(
        f"{'proposal':32} {'engine':>8} {'plain':>8} {'ratio':>6} | "
        f"{'assess':>8} {'plain':>8} {'ratio':>6}"
    )
    ratios = []
    for proposal in proposals:
        doc = build_facts(proposal)
        engine = _median_us(lambda d=doc: engine_assessor._engine.run(d), args.repeat)
        plain = _median_us(lambda d=doc: reference_statuses(pack, d), args.repeat)
        full = _median_us(lambda p=proposal: engine_assessor.assess(p), args.repeat)
        full_plain = _median_us(lambda p=proposal: reference_assessor.assess(p), args.repeat)
        ratios.append((engine / plain, full / full_plain))
        print(
            f"{proposal.id + ' ' + proposal.title[:20]:32} {engine:8.1f} {plain:8.1f} "
            f"{engine / plain:6.2f} | {full:8.1f} {full_plain:8.1f} {full / full_plain:6.2f}"
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
