"""Batch throughput: 2,000 proposals in one process against ``assess_many`` over processes.

    python benchmarks/bench_batch.py                  # 2,000 proposals, 3 runs, 2 processes
    python benchmarks/bench_batch.py -n 500 --runs 5 --processes 2 --objects

The proposals are the shipped examples repeated. By default they are file paths, as a batch
of files on disk is (each worker reads its own); ``--objects`` passes ``Proposal`` objects
loaded beforehand, so only assessment is timed. Baseline: the same ``assess_many`` call with
``processes=1``, which runs in this process with no pool (the plain serial loop), measured
in the same run. Times include starting the pool and compiling the pack in each worker.
The load average is printed: on a shared machine the ratio is only as good as the cores
that were free.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import sharing_rules as sr

ROOT = Path(__file__).resolve().parent.parent


def _run(items: list[object], processes: int) -> float:
    start = time.perf_counter()
    results = list(sr.assess_many(items, processes=processes))  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    if len(results) != len(items) or not all(r.ok for r in results):
        raise SystemExit("a proposal failed: the benchmark measures nothing")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="proposals per run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--objects", action="store_true", help="pass loaded Proposal objects")
    args = parser.parse_args()
    files = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
    items: list[object] = [sr.load_proposal(f) for f in files] if args.objects else list(files)
    items = (items * (args.n // len(items) + 1))[: args.n]
    sr.assess(files[0])  # compile the pack in this process before timing
    serial, pooled = [], []
    for _ in range(args.runs):  # alternate, so that load changes hit both alike
        serial.append(_run(items, 1))
        pooled.append(_run(items, args.processes))
    one, many = statistics.median(serial), statistics.median(pooled)
    kind = "Proposal objects" if args.objects else "file paths"
    print(f"{args.n} proposals ({kind}), median of {args.runs} runs")
    print(f"  one process          {one:7.2f} s  {args.n / one:7.0f} proposals/s")
    print(f"  processes={args.processes:<10d} {many:7.2f} s  {args.n / many:7.0f} proposals/s")
    print(f"  speed-up             {one / many:7.2f}x")
    print(f"  load average (1, 5, 15 min) at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
