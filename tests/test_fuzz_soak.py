"""Short slices of the fuzz and soak scripts in benchmarks/, and proof that they catch what
they look for. The long runs are for people (see each script's docstring)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "benchmarks" / "fuzz.py"
SOAK = ROOT / "benchmarks" / "soak.py"


def script(path: Path, *args: str | Path, timeout: float = 240) -> tuple[int, str, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, str(path), *map(str, args), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    summary = json.loads(next(line for line in reversed(lines) if line.startswith("{")))
    return done.returncode, done.stdout + done.stderr, summary


def test_the_fuzz_harness_counts_crashes_hangs_and_exceptions(tmp_path: Path) -> None:
    code, output, summary = script(
        FUZZ, "--count", 3, "--inject", "crash,hang,exception", "--timeout", 3, "--out", tmp_path
    )
    assert code == 1, output
    assert (summary["crash"], summary["hang"], summary["exception"]) == (1, 1, 1), output
    assert summary["inputs"] == 3
    assert any(name.startswith("exception: KeyError at fuzz.py") for name in summary["classes"])
    notes = sorted(p.name.split("-")[0] for p in tmp_path.iterdir() if p.suffix == ".txt")
    assert notes == ["crash", "exception", "hang"]
    inputs = [p for p in tmp_path.iterdir() if p.suffix != ".txt"]
    assert len(inputs) == 3 and all(p.stat().st_size > 0 for p in inputs)


def test_a_fuzz_slice_finds_nothing(tmp_path: Path) -> None:
    code, output, summary = script(FUZZ, "--count", 300, "--seed", 12, "--out", tmp_path)
    assert summary["inputs"] == 300
    assert summary["ok"] > 0 and summary["rejected"] > 0  # both paths were exercised
    failures = {k: summary[k] for k in ("crash", "hang", "exception", "violation")}
    assert failures == {"crash": 0, "hang": 0, "exception": 0, "violation": 0}, output
    assert code == 0


def test_a_soak_slice_holds() -> None:
    code, output, summary = script(
        SOAK, "--reloads", 200, "--failures", 1100, "--good", 20, "--watchdog", 60
    )
    assert summary["reload"]["reloads"] == 200, output
    assert summary["failures"]["failed_as_expected"] == 1100, output
    assert summary["failures"]["good_failed"] == 0, output
    assert summary["failures"]["good_ok"] == 40
    # Flat memory: before the engine rescued failed sessions, RSS went from 83 to 1,532 MB.
    assert summary["failures"]["rss_after_mb"] < summary["failures"]["rss_before_mb"] + 100
    assert code == 0, output
