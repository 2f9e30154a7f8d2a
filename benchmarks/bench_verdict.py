"""Time and size of ``Verdict.to_json()``: today's shape (schema_version 1) against the new one.

    python benchmarks/bench_verdict.py            # medians per shipped example, and ratios
    python benchmarks/bench_verdict.py --repeat 500
    # instructions per call, load-free: run under callgrind with N=0 and N=20, and divide the
    # difference by 20 x the number of examples (12 today)
    PYTHONHASHSEED=0 valgrind --tool=callgrind python benchmarks/bench_verdict.py \
        --calls {cold,warm,old} N

"old" is the shape 1 JSON as the library wrote it up to schema_version 1 (every finding under
``tests``, under ``features`` and under ``findings``; ``json.dumps`` of the cattrs dict,
``indent=2``, which makes the json module use its pure-Python encoder). "new" is
``to_json()`` now (each finding once, referred to by rule id; one finding a line), with each
finding's line cached, as in a loop of assessments, where an assessor gives the very same
Finding object for most of a verdict's findings; "cold" is ``to_json()`` with that cache
emptied before each call (every line encoded). "compact" is ``to_json(indent=None)`` in each
shape. Baseline: plain Python, ``json.dumps`` of the same new-shape data built by hand from
the verdict's attributes (no cattrs). The timings are taken in five rounds of blocks (see
``_medians_us``). The last line is the ratio over a stream of fresh verdicts, each encoded
once, as a service storing them would.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import sharing_rules as sr
from sharing_rules._verdict import _LINES, _v1_dict

ROOT = Path(__file__).resolve().parent.parent


def _old_json(verdict: sr.Verdict, indent: int | None = 2) -> str:
    """Today's ``to_json`` (up to schema_version 1), reproduced exactly."""
    return json.dumps(_v1_dict(verdict), indent=indent, ensure_ascii=False, sort_keys=True)


def _finding(f: sr.Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule_id": f.rule_id,
        "rule_version": f.rule_version,
        "title": f.title,
        "test": f.test,
        "features": list(f.features),
        "severity": f.severity,
        "status": f.status.value,
        "message": f.message,
    }
    if f.paths:
        data["paths"] = list(f.paths)
    if f.details:
        data["details"] = [
            {"path": d.path, "expected": d.expected, "actual": d.actual} for d in f.details
        ]
    if f.remedy is not None:
        data["remedy"] = f.remedy
    if f.sources:
        data["sources"] = list(f.sources)
    if f.basis is not None:
        data["basis"] = f.basis.value
    return data


def _results(results: Mapping[Any, Any], key: str) -> list[dict[str, Any]]:
    return [
        {
            key: getattr(r, key),
            "name": r.name,
            "status": r.status.value,
            "findings": [f.rule_id for f in r.findings],
        }
        for r in results.values()
    ]


def _plain_json(v: sr.Verdict) -> str:
    """The baseline: the new shape built by hand, then one ``json.dumps``."""
    data = {
        "outcome": v.outcome.value,
        "tests": _results(v.tests, "test"),
        "features": _results(v.features, "feature"),
        "findings": [_finding(f) for f in v.findings],
        "derived": dict(v.derived),
        "proposal_id": v.proposal_id,
        "proposal_digest": v.proposal_digest,
        "rule_pack": {
            "id": v.rule_pack.id,
            "version": v.rule_pack.version,
            "digest": v.rule_pack.digest,
        },
        "library_version": v.library_version,
        "assessed_at": v.assessed_at,
        "schema_version": 2,
        "as_of": v.as_of,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _medians_us(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Medians over ``repeat`` calls of each function, taken in rounds of blocks (each
    function called repeat/5 times in a row, then the next), so that a machine busy for a
    while slows all alike while each block runs warm, as in a loop of assessments."""
    samples: dict[str, list[int]] = {name: [] for name in fns}
    block = max(1, repeat // 5)
    for _ in range(5):
        for name, fn in fns.items():
            for _ in range(min(5, block)):  # warm up
                fn()
            for _ in range(block):
                start = time.perf_counter_ns()
                fn()
                samples[name].append(time.perf_counter_ns() - start)
    return {name: statistics.median(s) / 1000 for name, s in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--calls", nargs=2, metavar=("KIND", "N"), help="cold, warm or old")
    args = parser.parse_args()
    if args.calls:
        _calls(args.calls[0], int(args.calls[1]))
        return

    assessor = sr.Assessor()
    paths = sorted((ROOT / "examples").glob("*.yaml"))
    print(f"median of {args.repeat} runs per verdict (5 rounds); time in µs, size in bytes")
    print(
        f"{'proposal':34} {'old':>6} {'new':>5} {'cold':>5} {'plain':>5} {'new/old':>7} "
        f"{'cold/old':>8} {'new/plain':>9} | {'old B':>6} {'new B':>5} {'ratio':>5} | "
        f"{'compact':>7} {'old':>5} {'new':>5} {'t ratio':>7} {'B ratio':>7}"
    )
    rows = []
    for path in paths:
        v = assessor.assess(path)
        new, plain = json.loads(v.to_json()), json.loads(_plain_json(v))
        # The same data (keys added to Verdict since, left out when empty, aside).
        assert {key: new[key] for key in plain} == plain, "the baseline writes other data"
        assert json.loads(_old_json(v)) == _v1_dict(v)
        t = _medians_us(
            {
                "old": lambda v=v: _old_json(v),
                "new": v.to_json,
                "cold": lambda v=v: (_LINES.clear(), v.to_json()),
                "plain": lambda v=v: _plain_json(v),
                "old_compact": lambda v=v: _old_json(v, None),
                "new_compact": lambda v=v: v.to_json(indent=None),
            },
            args.repeat,
        )
        size = {
            "old": len(_old_json(v).encode()),
            "new": len(v.to_json().encode()),
            "old_compact": len(_old_json(v, None).encode()),
            "new_compact": len(v.to_json(indent=None).encode()),
        }
        row = {
            "new/old": t["new"] / t["old"],
            "cold/old": t["cold"] / t["old"],
            "new/plain": t["new"] / t["plain"],
            "size": size["new"] / size["old"],
            "compact new/old": t["new_compact"] / t["old_compact"],
            "compact new/plain": t["new_compact"] / t["plain"],
            "compact size": size["new_compact"] / size["old_compact"],
        }
        rows.append(row)
        print(
            f"{path.stem[:34]:34} {t['old']:6.0f} {t['new']:5.0f} {t['cold']:5.0f} "
            f"{t['plain']:5.0f} {row['new/old']:7.3f} {row['cold/old']:8.3f} "
            f"{row['new/plain']:9.2f} | {size['old']:6} {size['new']:5} {row['size']:5.3f} | "
            f"{'':7} {t['old_compact']:5.0f} {t['new_compact']:5.0f} "
            f"{row['compact new/old']:7.3f} {row['compact size']:7.3f}"
        )
    med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    worst = {key: max(r[key] for r in rows) for key in rows[0]}

    def figure(key: str, digits: int = 3) -> str:
        return f"{med[key]:.{digits}f} (worst {worst[key]:.{digits}f})"

    print(
        f"to_json(): time new/old median {figure('new/old')}, cache emptied (cold) "
        f"{figure('cold/old')}, new/plain {figure('new/plain', 2)}; "
        f"size new/old median {figure('size')}"
    )
    print(
        f"to_json(indent=None): time new/old median {figure('compact new/old')}, "
        f"new/plain {figure('compact new/plain', 2)}; size new/old median "
        f"{figure('compact size')}"
    )
    _stream(assessor, paths)


def _calls(kind: str, rounds: int) -> None:
    """Assess each example, write each verdict's JSON once, then ``rounds`` more times each:
    "cold" with the line cache emptied before each call, "warm" as it is, "old" in shape 1."""
    write: Callable[[sr.Verdict], Any] = {
        "cold": lambda v: (_LINES.clear(), v.to_json()),
        "warm": lambda v: v.to_json(),
        "old": _old_json,
    }[kind]
    assessor = sr.Assessor()
    verdicts = [assessor.assess(path) for path in sorted((ROOT / "examples").glob("*.yaml"))]
    for _ in range(rounds + 1):
        for v in verdicts:
            write(v)


def _stream(assessor: sr.Assessor, paths: list[Path], rounds: int = 10) -> None:
    """``to_json()`` of fresh verdicts, as a service storing each one: every example assessed
    ``rounds`` times in turn, the cache emptied before the first; old and new timed on each."""
    verdicts = [assessor.assess(path) for _ in range(rounds) for path in paths]
    _LINES.clear()
    old = new = 0
    for v in verdicts:
        start = time.perf_counter_ns()
        v.to_json()
        middle = time.perf_counter_ns()
        _old_json(v)
        new, old = new + middle - start, old + time.perf_counter_ns() - middle
    print(
        f"a stream of {len(verdicts)} fresh verdicts ({rounds} rounds of the examples, cache "
        f"emptied first): to_json() total time new/old {new / old:.3f}"
    )


if __name__ == "__main__":
    main()
