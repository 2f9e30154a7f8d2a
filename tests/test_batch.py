"""Batches: assess_many over worker processes, and `assess --jobs`, against serial runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import sharing_rules as sr
from sharing_rules import _batch, _cli
from sharing_rules._cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
RECORD = ROOT / "examples" / "dialogue" / "record.json"
COUNCIL = ROOT / "examples" / "council-pack"
DAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def invalid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "misspelt.yaml"
    path.write_text("id: DSP-1\ntitle: A proposal\npurpse:\n  statement: Share.\n", "utf-8")
    return path


def _error(source: object) -> sr.SharingRulesError:
    with pytest.raises(sr.SharingRulesError) as caught:
        sr.assess(source, as_of=DAY)  # type: ignore[arg-type]
    return caught.value


# ---------------------------------------------------------------- assess_many


def test_results_in_input_order_equal_serial_verdicts_and_errors(invalid: Path) -> None:
    sources: list[object] = [
        *EXAMPLES,
        invalid,
        str(ROOT / "missing.yaml"),
        sr.load_proposal(EXAMPLES[0]),
        {"id": "DSP-9", "title": "Only a title"},
        42,  # not a proposal at all
        *reversed(EXAMPLES),
    ]
    results = list(sr.assess_many(sources, processes=2, as_of=DAY))  # type: ignore[arg-type]
    assert [r.index for r in results] == list(range(len(sources)))
    assert [r.source for r in results] == sources
    for result in results:
        if isinstance(result.source, Path | dict | sr.Proposal):
            try:
                expected = sr.assess(result.source, as_of=DAY)
            except sr.ProposalError as err:
                assert result.verdict is None and not result.ok
                assert isinstance(result.error, sr.ProposalError)
                assert result.error.problems == err.problems  # every problem, with its path
                continue
            assert result.ok and result.error is None
            assert result.verdict == expected
        else:
            error = _error(result.source)
            assert result.verdict is None
            assert type(result.error) is type(error)
            assert str(result.error) == str(error)


def test_a_pack_object_reaches_the_workers(invalid: Path) -> None:
    pack = sr.load_rules(COUNCIL)
    framework = sr.load_rules()
    assert pack.digest != framework.digest
    results = list(sr.assess_many(EXAMPLES[:4], rules=pack, processes=2, as_of=DAY))
    for path, result in zip(EXAMPLES[:4], results, strict=True):
        assert result.verdict is not None
        assert result.verdict.rule_pack.digest == pack.digest
        assert result.verdict == sr.assess(path, rules=pack, as_of=DAY)


def test_a_pack_path_is_loaded_onto_the_framework() -> None:
    results = list(sr.assess_many(EXAMPLES[:2], rules=COUNCIL, processes=2, as_of=DAY))
    assert all(r.verdict == sr.assess(r.source, rules=COUNCIL, as_of=DAY) for r in results)


def test_options_reach_the_workers() -> None:
    results = list(
        sr.assess_many(EXAMPLES[:3], processes=2, as_of=DAY, timestamp=True, dialogue=RECORD)
    )
    for result in results:
        assert result.verdict is not None
        assert result.verdict.as_of == DAY.isoformat()
        assert result.verdict.assessed_at is not None
        expected = sr.assess(result.source, as_of=DAY, dialogue=RECORD)
        assert result.verdict.public_voice == expected.public_voice
        assert result.verdict.findings == expected.findings


def test_one_day_for_the_whole_batch_by_default() -> None:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    results = list(sr.assess_many(EXAMPLES[:3], processes=2))
    assert {r.verdict.as_of for r in results if r.verdict} == {today}


def test_one_process_or_one_proposal_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object) -> Iterator[object]:
        raise AssertionError("started a pool")

    monkeypatch.setattr(_batch, "_pooled", no_pool)
    assert [r.ok for r in sr.assess_many(EXAMPLES[:3], processes=1)] == [True] * 3
    assert [r.ok for r in sr.assess_many(iter(EXAMPLES[:1]), processes=4)] == [True]
    assert list(sr.assess_many([], processes=4)) == []


def test_a_generator_is_read_only_a_few_chunks_ahead() -> None:
    pulled = 0

    def proposals() -> Iterator[Path]:
        nonlocal pulled
        for _ in range(10_000):
            pulled += 1
            yield EXAMPLES[pulled % len(EXAMPLES)]

    results = sr.assess_many(proposals(), processes=2)
    first = next(results)
    assert first.ok
    assert pulled <= 2 + _batch.IN_FLIGHT * 2 * _batch.CHUNK
    results.close()  # stops the pool: nothing more is read
    assert pulled <= 2 + _batch.IN_FLIGHT * 2 * _batch.CHUNK


def test_a_worker_whose_engine_differs_fails_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_batch, "engine_digest", lambda assessor: "sha256:not-this-engine")
    with pytest.raises(sr.AssessmentError, match="different engine"):
        list(sr.assess_many(EXAMPLES[:3], processes=2))


@pytest.mark.parametrize("processes", [0, -1, 1.5, "2", True])
def test_processes_must_be_a_positive_whole_number(processes: object) -> None:
    with pytest.raises(sr.UsageError):
        sr.assess_many(EXAMPLES, processes=processes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "one",
    [str(EXAMPLES[0]), EXAMPLES[0], {"id": "DSP-1", "title": "T"}],
    ids=["str", "path", "map"],
)
def test_one_proposal_is_not_taken_for_a_batch(one: object) -> None:
    with pytest.raises(sr.UsageError, match="use assess"):
        sr.assess_many(one, processes=2)  # type: ignore[arg-type]


def test_quick_pickles_rebuild_equal_objects() -> None:
    verdict = sr.assess(EXAMPLES[0], as_of=DAY, dialogue=RECORD)
    result = sr.BatchResult(3, EXAMPLES[0], verdict, None)
    error = sr.ProposalError([sr.Problem("$.purpse", "unknown key", "purpose?", "a.yaml", 3)])
    for value in (verdict, result, error, sr.load_proposal(EXAMPLES[1])):
        copy = pickle.loads(_batch.dumps(value))
        if isinstance(value, Exception):
            assert isinstance(copy, sr.ProposalError) and copy.problems == error.problems
        else:
            assert copy == value
    # The library's attrs classes are written as their field values: no attrs __getstate__.
    assert b"__getstate__" not in _batch.dumps(verdict)
    assert len(_batch.dumps(verdict)) < len(pickle.dumps(verdict, pickle.HIGHEST_PROTOCOL))


# ---------------------------------------------------------------- assess --jobs


def _run(*args: object, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "markdown", "html"])
def test_jobs_output_is_the_serial_output(fmt: str, invalid: Path) -> None:
    files = [*EXAMPLES, invalid, ROOT / "missing.yaml", EXAMPLES[2]]
    serial = _run("assess", *files, "--format", fmt, "--jobs", "1", "--as-of", "2026-06-01")
    pooled = _run("assess", *files, "--format", fmt, "--jobs", "2", "--as-of", "2026-06-01")
    assert serial.exit_code == pooled.exit_code == 2  # the worst of them: the invalid files
    assert pooled.stdout == serial.stdout
    assert pooled.stderr == serial.stderr
    assert serial.stdout.count("DSP-") > len(EXAMPLES)  # a report per file, not nothing


def test_jobs_exit_code_without_errors_is_the_worst_outcome() -> None:
    good = [p for p in EXAMPLES if sr.assess(p).outcome is sr.Outcome.ACCEPTABLE]
    assert good
    assert _run("assess", *good, *good, "--jobs", "2").exit_code == 0
    mixed = [*good, EXAMPLES[0], *good]
    assert sr.assess(EXAMPLES[0]).outcome is sr.Outcome.NOT_ACCEPTABLE
    assert _run("assess", *mixed, "--jobs", "2").exit_code == 1


def test_jobs_reads_standard_input_in_its_place(invalid: Path) -> None:
    text = EXAMPLES[1].read_text(encoding="utf-8")
    files = [EXAMPLES[0], "-", invalid, EXAMPLES[3]]
    serial = _run("assess", *files, "--format", "jsonl", input=text)
    pooled = _run("assess", *files, "--format", "jsonl", "--jobs", "2", input=text)
    assert pooled.stdout == serial.stdout and pooled.stderr == serial.stderr
    assert len(pooled.stdout.splitlines()) == 3


def test_jobs_shows_the_progress_bar_on_a_terminal_only_on_stderr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_cli, "_isatty", lambda stream: True)
    files = EXAMPLES[:6]
    result = CliRunner().invoke(
        cli, ["assess", *map(str, files), "--format", "jsonl", "--jobs", "2"], env={"NO_COLOR": "1"}
    )
    assert "Assessing" in result.stderr
    lines = result.stdout.splitlines()
    assert [json.loads(line)["proposal_id"] for line in lines] == [
        sr.load_proposal(p).id for p in files
    ]  # nothing but the verdicts on standard output


def test_jobs_must_be_positive() -> None:
    result = CliRunner().invoke(cli, ["assess", str(EXAMPLES[0]), "--jobs", "0"])
    assert result.exit_code == 2
    assert "--jobs" in result.stderr


def test_ctrl_c_stops_a_batch_cleanly(tmp_path: Path) -> None:
    """Ctrl-C at a terminal reaches every process in the group: the command says Aborted,
    exits 130 with no traceback, and leaves no worker behind."""
    files = [str(p) for p in EXAMPLES] * 1000
    command = [sys.executable, "-m", "sharing_rules", "assess", "--jobs", "2", "--format", "jsonl"]
    out = tmp_path / "out.jsonl"
    with out.open("wb") as stdout:
        proc = subprocess.Popen(
            [*command, *files],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            cwd=tmp_path,
        )
    deadline = time.monotonic() + 300
    while out.read_bytes().count(b"\n") < 6 * _batch.CHUNK:  # both workers are up
        assert proc.poll() is None, "the batch stopped before Ctrl-C"
        assert time.monotonic() < deadline, "no verdicts after 5 minutes"
        time.sleep(0.1)
    assert proc.poll() is None, "the batch finished before Ctrl-C"
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Aborted." in stderr
    assert "Traceback" not in stderr
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the forkserver leaves when its parent has gone
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    raise AssertionError("processes of the batch are still running")


SCRIPT = """
import sys, time
import sharing_rules as sr

def proposals():
    for index in range(100):
        yield sys.argv[1 + index % (len(sys.argv) - 1)]
    print("idle", flush=True)  # the workers finish what they have, then wait for more
    time.sleep(120)

if __name__ == "__main__":
    try:
        for result in sr.assess_many(proposals(), processes=2):
            assert result.ok
    except KeyboardInterrupt:
        print("stopped", flush=True)
"""


def test_ctrl_c_stops_idle_workers_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C while the workers wait for work: they ignore it, and the pool shuts down."""
    script = tmp_path / "batch.py"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), *map(str, EXAMPLES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "idle\n"
    time.sleep(3)  # the in-flight chunks are done: every worker waits on its queue
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stdout, stderr) == (0, "stopped\n", "")
