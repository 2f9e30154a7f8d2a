"""Batch throughput: 2,000 proposals in one process against ``assess_many`` over processes.

    python benchmarks/bench_batch.py                  # 2,000 proposals, 3 runs, 2 processes
    python benchmarks/bench_batch.py -n 500 --runs 5 --processes 2 --objects

The proposals are the shipped examples repeated. By default they are file paths, as a batch
of files on disk is (each worker reads its own); ``--objects`` passes ``Proposal`` objects
loaded beforehand, so only assessment is timed. Baseline: the same ``assess_many`` call with
``processes=1``, which runs in this process with no pool (the plain serial loop), measured
in the same run. Times include starting the pool and compiling the pack in each worker.
The load average is printed: on a shared machine the wall-clock ratio is only as good as
the cores that were free. So the CPU time of every process is measured too (the pool run
goes through ``run_batch``, the machinery under ``assess_many``, with a task that reports
its worker's CPU time), and the speed-up the same work would have on free cores is
projected from it: serial CPU time over the larger of the busiest worker's CPU time and
half of all processes' CPU time (parent included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import statistics
import time
from pathlib import Path
from typing import Any

import sharing_rules as sr
from sharing_rules import _batch
from sharing_rules._assess import assessor_for

ROOT = Path(__file__).resolve().parent.parent


def _run(items: list[object], processes: int) -> float:
    start = time.perf_counter()
    results = list(sr.assess_many(items, processes=processes))  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    if len(results) != len(items) or not all(r.ok for r in results):
        raise SystemExit("a proposal failed: the benchmark measures nothing")
    return elapsed


def _timed_task(assessor: Any, item: Any, *, inner: Any) -> tuple[Any, int, float]:
    return inner(assessor, item), os.getpid(), time.process_time()


def _cpu(items: list[Any], processes: int) -> tuple[float, float]:
    """(serial CPU seconds, projected speed-up on free cores) for one run of each."""
    inner = functools.partial(
        _batch._assess_one, timestamp=False, as_of=dt.date.today(), dialogue=None
    )
    assessor = assessor_for(None)
    start = time.process_time()
    for item in items:
        inner(assessor, item)
    serial = time.process_time() - start
    start = time.process_time()
    task = functools.partial(_timed_task, inner=inner)
    workers: dict[int, float] = {}
    for _, (_, pid, cpu) in _batch.run_batch(items, task, assessor, processes):
        workers[pid] = cpu
    parent = time.process_time() - start
    total = parent + sum(workers.values())
    return serial, serial / max(max(workers.values()), total / 2)


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
    if args.processes == 2:
        projected = [_cpu(items, 2)[1] for _ in range(args.runs)]
        print(f"  projected on 2 free cores, from CPU times: {statistics.median(projected):.2f}x")


if __name__ == "__main__":
    main()
