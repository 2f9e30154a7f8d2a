"""Time loading and validating the framework pack (``load_rules()``), after import.

    python benchmarks/bench_load_rules.py

Run it from an environment where sharing-rules is installed from a wheel (not editable)
to measure what users get. Prints the median of fresh loads and, for scale, the median
time to compile the pack onto durable-rules (``Assessor``).
"""

from __future__ import annotations

import statistics
import time

import sharing_rules as sr


def _median_ms(fn: object, repeat: int = 30) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    first = time.perf_counter()
    pack = sr.load_rules()
    first_ms = (time.perf_counter() - first) * 1000
    print(f"sharing-rules {sr.__version__} from {sr.__file__}")
    print(f"framework pack: {len(pack.rules)} rules, digest {pack.digest[:19]}...")
    print(f"load_rules(): first {first_ms:.1f} ms, median {_median_ms(sr.load_rules):.1f} ms")
    print(f"Assessor(pack) compile: median {_median_ms(lambda: sr.Assessor(pack)):.1f} ms")


if __name__ == "__main__":
    main()
