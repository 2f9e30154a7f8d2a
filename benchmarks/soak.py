"""Soak test: what a service running for weeks does to the engine. Not a benchmark of speed.

    python benchmarks/soak.py                               # 10,000 reloads, 2,000 failures
    python benchmarks/soak.py --reloads 300 --failures 1100 --good 50   # the CI slice

Two phases, each under a watchdog (a stalled phase dumps every thread's stack and exits 3):

reload
    Builds ``--reloads`` assessors one after another, each kept in a config dict that refers
    to itself (a reference cycle, as a service's settings object often is), keeping only the
    last two configs, and assesses one example with each. Checks that no creation fails,
    nothing hangs, and every verdict is the one a fresh process gives.
failures
    Makes ``--failures`` assessments fail inside the engine after durable-rules has opened
    their session (the test hook below makes the first ``start_action_for_state`` of each
    session raise, as a durable-rules error would), through ``sharing_rules.assess`` and
    its cached assessor; each must raise ``AssessmentError``. Then ``--good`` good
    assessments through the same cached assessor and through a new one must all succeed
    with the right verdict.

RSS is printed before and after each phase. Exit status: 0 if everything held, 1 if any
check failed, 3 on a hang.
"""

from __future__ import annotations

import argparse
import faulthandler
import gc
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import sharing_rules as sr
from sharing_rules import _engine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def rss_mb() -> float:
    """Resident set size now (Linux /proc), else the peak (getrusage)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Watchdog:
    """Dump every thread's stack and exit 3 if ``pet`` is not called within ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def pet(self) -> None:
        faulthandler.cancel_dump_traceback_later()
        faulthandler.dump_traceback_later(self.seconds, exit=True)

    def stop(self) -> None:
        faulthandler.cancel_dump_traceback_later()


class FailingEngine:
    """The durable-rules module with a test hook: while ``failing`` is set, the first
    ``start_action_for_state`` of each session raises, after ``assert_facts`` has opened
    the session (a one-off durable-rules error; what the engine does next to clean up, it
    may do)."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.failing = False
        self._sid: object = None
        self._failed: set[object] = set()

    def assert_facts(self, handle: Any, text: str) -> Any:
        facts = json.loads(text)
        sid = facts[0].get("sid") if facts and isinstance(facts[0], dict) else None
        self._sid = (handle, sid)
        return self._real.assert_facts(handle, text)

    def start_action_for_state(self, *args: Any) -> Any:
        if self.failing and self._sid not in self._failed:
            self._failed.add(self._sid)
            raise RuntimeError("injected failure (soak test hook)")
        return self._real.start_action_for_state(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def expected_verdicts() -> dict[Path, str]:
    return {path: sr.Assessor().assess(path).to_json() for path in EXAMPLES}


def reload_phase(count: int, dog: Watchdog, expected: dict[Path, str]) -> dict[str, int]:
    pack = sr.load_rules()
    configs: list[dict[str, Any]] = []
    counts = {"reloads": 0, "creation_failures": 0, "wrong_verdicts": 0, "errors": 0}
    first_error = ""
    for index in range(count):
        dog.pet()
        path = EXAMPLES[index % len(EXAMPLES)]
        try:
            config: dict[str, Any] = {"assessor": sr.Assessor(pack), "name": f"config {index}"}
        except sr.AssessmentError as err:
            counts["creation_failures"] += 1
            first_error = first_error or f"reload {index}: {err}"
            continue
        config["self"] = config  # a reference cycle: only the cyclic GC frees it
        configs = [*configs[-1:], config]
        try:
            verdict = config["assessor"].assess(path)
        except Exception as err:
            counts["errors"] += 1
            first_error = first_error or f"reload {index}: {type(err).__name__}: {err}"
            continue
        counts["reloads"] += 1
        counts["wrong_verdicts"] += verdict.to_json() != expected[path]
        if index and index % 1000 == 0:
            print(f"  {index} reloads, RSS {rss_mb():.1f} MB", flush=True)
    if first_error:
        print(f"  first error: {first_error}")
    return counts


def failure_phase(
    failures: int, good: int, dog: Watchdog, expected: dict[Path, str]
) -> dict[str, int]:
    hook = FailingEngine(_engine._dr)
    _engine._dr = hook  # type: ignore[attr-defined]
    counts = {"failed_as_expected": 0, "wrong_errors": 0, "good_ok": 0, "good_failed": 0}
    first_error = ""
    try:
        sr.assess(EXAMPLES[0])  # the cached assessor exists, so only assessments fail
        hook.failing = True
        for index in range(failures):
            dog.pet()
            try:
                sr.assess(EXAMPLES[index % len(EXAMPLES)])
            except sr.AssessmentError:
                counts["failed_as_expected"] += 1
            except Exception as err:
                counts["wrong_errors"] += 1
                first_error = first_error or f"failure {index}: {type(err).__name__}: {err}"
            else:
                counts["wrong_errors"] += 1
                first_error = first_error or f"failure {index}: a verdict despite the failure"
        hook.failing = False
        fresh = sr.Assessor()
        for index in range(good):
            dog.pet()
            path = EXAMPLES[index % len(EXAMPLES)]
            for assess in (sr.assess, fresh.assess):
                try:
                    ok = assess(path).to_json() == expected[path]
                except Exception as err:
                    ok = False
                    first_error = first_error or f"good {index}: {type(err).__name__}: {err}"
                counts["good_ok" if ok else "good_failed"] += 1
    finally:
        _engine._dr = hook._real  # type: ignore[attr-defined]
    if first_error:
        print(f"  first error: {first_error}")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reloads", type=int, default=10_000)
    parser.add_argument("--failures", type=int, default=2_000)
    parser.add_argument("--good", type=int, default=200, help="good assessments afterwards")
    parser.add_argument(
        "--watchdog", type=float, default=60.0, help="seconds without progress that is a hang"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    dog = Watchdog(args.watchdog)
    dog.pet()
    expected = expected_verdicts()
    summary: dict[str, Any] = {}
    ok = True
    for name, run in (
        ("reload", lambda: reload_phase(args.reloads, dog, expected)),
        ("failures", lambda: failure_phase(args.failures, args.good, dog, expected)),
    ):
        gc.collect()
        before = rss_mb()
        print(f"{name}: RSS before {before:.1f} MB", flush=True)
        start = time.perf_counter()
        counts = run()
        gc.collect()
        after = rss_mb()
        counts_ok = (
            counts.get("creation_failures", 0) == 0
            and counts.get("errors", 0) == 0
            and counts.get("wrong_verdicts", 0) == 0
            and counts.get("wrong_errors", 0) == 0
            and counts.get("good_failed", 0) == 0
        )
        ok = ok and counts_ok
        summary[name] = {
            **counts,
            "rss_before_mb": round(before, 1),
            "rss_after_mb": round(after, 1),
            "seconds": round(time.perf_counter() - start, 1),
            "ok": counts_ok,
        }
        print(f"{name}: {json.dumps(summary[name])}", flush=True)
    dog.stop()
    if args.json:
        print(json.dumps(summary))
    print("soak: " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
