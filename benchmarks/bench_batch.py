"""Batch throughput: 2,000 proposals in one process against ``assess_many`` over processes.

    python benchmarks/bench_batch.py                  # 2,000 proposals, 3 runs, 2 processes
    python benchmarks/bench_batch.py -n 500 --runs 5 --processes 2 --objects

The proposals are the shipped examples repeated. By default they are file paths, as a batch
of files on disk is (whoever assesses a file reads it); ``--objects`` passes ``Proposal``
objects loaded beforehand, so only assessment is timed. Baseline: the same ``assess_many``
call with ``processes=1``, which runs in the calling process with no pool (the plain serial
loop). Every timed run is a fresh Python process that has imported the library and compiled
the pack (one assessment) before the clock starts, runs alternate between the two, and the
medians are compared: so the pooled time includes starting the workers (forked with the
compiled pack where that is safe; otherwise from the forkserver, with their imports and their
compiling of the pack), exactly as a command-line batch pays it.

On a shared machine the wall-clock ratio is only as good as the cores that were free, so the
load average is printed, and the CPU time of every process is measured too (in one more
fresh process per run, through ``run_batch``, the machinery under ``assess_many``, with a
task that reports its worker's CPU time since it started, so imports and compiling count):
the speed-up the same work would have on free cores is projected from it as the serial CPU
time over half of all processes' CPU time (this process and the workers share the work as
each is free, so on free cores none waits but at the very end), and, more cautiously, over
the busiest process's CPU time as this run happened to split the work (on a loaded machine
the process that got the most CPU did the most).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _items(n: int, objects: bool) -> list[Any]:
    import sharing_rules as sr

    files = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
    items: list[Any] = [sr.load_proposal(f) for f in files] if objects else list(files)
    sr.assess(files[0])  # import and compile the pack here before timing
    return (items * (n // len(items) + 1))[:n]


def _timed_task(assessor: Any, item: Any, *, inner: Any) -> tuple[Any, int, float]:
    return inner(assessor, item), os.getpid(), time.process_time()


def _child(mode: str, n: int, processes: int, objects: bool) -> dict[str, Any]:
    """One timed run in this (fresh) process."""
    import sharing_rules as sr
    from sharing_rules import _batch
    from sharing_rules._assess import assessor_for

    items = _items(n, objects)
    if mode == "cpu":
        inner = functools.partial(
            _batch._assess_one, timestamp=False, as_of=dt.date.today(), dialogue=None
        )
        assessor = assessor_for(None)
        start = time.process_time()
        for item in items:
            inner(assessor, item)
        serial = time.process_time() - start
        task = functools.partial(_timed_task, inner=inner)
        cpu: dict[int, float] = {}
        start = time.process_time()
        for _, (_, pid, seconds) in _batch.run_batch(items, task, assessor, processes):
            if pid != os.getpid():
                cpu[pid] = seconds
        cpu[os.getpid()] = time.process_time() - start
        return {"serial": serial, "processes": sorted(cpu.values(), reverse=True)}
    start = time.perf_counter()
    results = list(sr.assess_many(items, processes=1 if mode == "serial" else processes))
    elapsed = time.perf_counter() - start
    if len(results) != n or not all(r.ok for r in results):
        raise SystemExit("a proposal failed: the benchmark measures nothing")
    return {"wall": elapsed}


def _fresh(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", mode, "-n", str(args.n)]
    command += ["--processes", str(args.processes)] + (["--objects"] if args.objects else [])
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="proposals per run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median)")
    parser.add_argument("--processes", type=int, default=2, help="this one and N-1 workers")
    parser.add_argument("--objects", action="store_true", help="pass loaded Proposal objects")
    parser.add_argument("--child", choices=["serial", "pooled", "cpu"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.n, args.processes, args.objects)))
        return
    serial, pooled, projected = [], [], []
    for _ in range(args.runs):  # alternate, so that load changes hit both alike
        serial.append(_fresh("serial", args)["wall"])
        pooled.append(_fresh("pooled", args)["wall"])
        cpu = _fresh("cpu", args)
        busiest, total = cpu["processes"][0], sum(cpu["processes"])
        cautious = cpu["serial"] / max(busiest, total / args.processes)
        projected.append((cpu, cpu["serial"] / (total / args.processes), cautious))
    one, many = statistics.median(serial), statistics.median(pooled)
    kind = "Proposal objects" if args.objects else "file paths"
    print(f"{args.n} proposals ({kind}), median of {args.runs} runs, each in a fresh process")
    print(f"  one process          {one:7.2f} s  {args.n / one:7.0f} proposals/s")
    print(f"  processes={args.processes:<10d} {many:7.2f} s  {args.n / many:7.0f} proposals/s")
    print(f"  wall-clock speed-up  {one / many:7.2f}x   (runs: {_list(serial)} / {_list(pooled)})")
    print(f"  load average (1, 5, 15 min) at the end: {os.getloadavg()}")
    print(f"    (this machine has {os.cpu_count()} CPUs: the ratio is only as good as those free)")
    cpu, ratio, cautious = sorted(projected, key=lambda run: run[1])[len(projected) // 2]
    print(f"  CPU s: serial {cpu['serial']:.2f}; pooled, per process {_list(cpu['processes'])}")
    print(
        f"  projected on {args.processes} free cores from CPU times: {ratio:.2f}x "
        f"(runs: {_list(p for _, p, _ in projected)})"
    )
    print(
        f"    by the busiest process instead: {cautious:.2f}x "
        f"(runs: {_list(c for _, _, c in projected)})"
    )


def _list(values: Any) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
