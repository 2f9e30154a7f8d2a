"""Import time of ``sharing_rules`` (``python -X importtime``), medians of fresh interpreters.

    python benchmarks/bench_import.py                    # this tree
    python benchmarks/bench_import.py --before 0a1a2a3   # and a commit's src/, side by side

Two figures per tree: ``import sharing_rules`` alone (the cumulative time of the
``sharing_rules`` entry), and ``import sharing_rules`` then one assessment's imports
(``sr.assess`` and ``sr.Verdict``: the sum of every top-level import in the process, minus
the same sum for an interpreter that imports nothing, so that start-up is left out).
Baseline: that empty interpreter, measured in the same run. ``--before`` unpacks a commit's
``src/`` with ``git archive`` and puts it first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")
USE = "import sharing_rules as sr; sr.assess; sr.Verdict"


def _imports(code: str, src: Path) -> tuple[int, int]:
    """(cumulative µs of sharing_rules, sum of top-level cumulative µs) for one interpreter."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stderr
    package = total = 0
    for match in LINE.finditer(out):
        cumulative, indent, name = int(match[2]), match[3], match[4]
        if not indent:
            total += cumulative
            if name == "sharing_rules":
                package = cumulative
    return package, total


def _measure(src: Path, runs: int) -> dict[str, float]:
    empty = [_imports("pass", src)[1] for _ in range(runs)]
    alone = [_imports("import sharing_rules", src)[0] for _ in range(runs)]
    used = [_imports(USE, src)[1] for _ in range(runs)]
    base = statistics.median(empty)
    return {
        "import sharing_rules": statistics.median(alone) / 1000,
        "... and what an assessment imports": (statistics.median(used) - base) / 1000,
    }


def _unpack(commit: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "src"],
        capture_output=True,
        check=True,
    ).stdout
    tar_path = into / "src.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="interpreters per figure")
    parser.add_argument("--before", metavar="COMMIT", help="also measure this commit's src/")
    args = parser.parse_args()
    trees = {"this tree": ROOT / "src"}
    with tempfile.TemporaryDirectory() as tmp:
        if args.before:
            trees = {args.before: _unpack(args.before, Path(tmp)), **trees}
        results = {label: _measure(src, args.runs) for label, src in trees.items()}
    print(f"median of {args.runs} interpreters, ms (python -X importtime)")
    for label, figures in results.items():
        for what, ms in figures.items():
            print(f"  {label:>12}  {what:<36} {ms:7.1f}")
    if args.before:
        for what in results["this tree"]:
            ratio = results[args.before][what] / results["this tree"][what]
            print(f"  {'ratio':>12}  {what:<36} {ratio:7.1f}x faster")
    print(f"  load average (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
