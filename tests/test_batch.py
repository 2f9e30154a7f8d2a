"""Batches: assess_many over worker processes, and `assess --jobs`, against serial runs."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import io
import itertools
import json
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import sharing_rules as sr
from sharing_rules import _batch, _cli
from sharing_rules._assess import assessor_for
from sharing_rules._cli import cli
from sharing_rules._verdict import Detail

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


@pytest.fixture(autouse=True)
def _workers_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every chunk goes to a worker: these batches are short enough for this process to
    finish them alone before a worker starts. Tests of sharing the work turn it back on."""
    monkeypatch.setattr(_batch, "SHARE", False)


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


@pytest.mark.parametrize("method", ["fork", "forkserver"])
@pytest.mark.parametrize("share", [False, True])
def test_a_worker_whose_engine_differs_fails_the_batch(
    monkeypatch: pytest.MonkeyPatch, share: bool, method: str
) -> None:
    """Even when this process assessed every proposal before the worker started; with
    forked workers (which inherit this patch) and with workers that compile the pack."""
    monkeypatch.setattr(_batch, "SHARE", share)
    monkeypatch.setattr(_batch, "_context", lambda: multiprocessing.get_context(method))
    parent, real = os.getpid(), _batch.engine_digest
    monkeypatch.setattr(
        _batch,
        "engine_digest",
        lambda assessor: "sha256:not-this-engine" if os.getpid() == parent else real(assessor),
    )
    with pytest.raises(sr.AssessmentError, match="different engine"):
        list(sr.assess_many(EXAMPLES[:3], processes=2))


def _whose(assessor: sr.Assessor, item: int) -> tuple[int, str | None]:
    """The process that assessed ``item``, and the mark on the assessor it used."""
    return os.getpid(), getattr(assessor, "mark", None)


def test_workers_are_forked_with_this_process_s_engine_when_it_runs_one_thread() -> None:
    """Forked workers start with the parent's compiled assessor: nothing to compile."""
    assert _batch._single_threaded()
    assert _batch._context().get_start_method() == "fork"
    assessor = sr.Assessor()
    assessor.mark = "parent"  # type: ignore[attr-defined]
    results = list(_batch.run_batch(range(40), _whose, assessor, processes=2))
    workers = {pid for _, (pid, _) in results} - {os.getpid()}
    assert workers, "no worker took part"
    assert {mark for _, (_, mark) in results} == {"parent"}


def test_a_pool_just_shut_down_does_not_count_as_a_thread() -> None:
    """Its joined manager thread can stay in the kernel's list for a moment (5 times in 30
    without the wait): the next batch still forks."""
    fork = multiprocessing.get_context("fork")
    for _ in range(30):
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=fork) as pool:
            pool.submit(int, 1).result()
        assert _batch._single_threaded()


def test_with_another_thread_running_workers_start_clean() -> None:
    """Forking a process with threads can deadlock the child: then workers come from the
    forkserver and compile the pack themselves, and give the same verdicts."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not _batch._single_threaded()
        assert _batch._context().get_start_method() == "forkserver"
        assessor = sr.Assessor()
        assessor.mark = "parent"  # type: ignore[attr-defined]
        results = list(_batch.run_batch(range(40), _whose, assessor, processes=2))
        verdicts = [r.verdict for r in sr.assess_many(EXAMPLES, processes=2, as_of=DAY)]
    finally:
        stop.set()
        thread.join()
    marks = {pid: mark for _, (pid, mark) in results}
    assert set(marks) - {os.getpid()}, "no worker took part"
    assert all(mark is None for pid, mark in marks.items() if pid != os.getpid())
    assert verdicts == [sr.assess(p, as_of=DAY) for p in EXAMPLES]


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


def _meet(assessor: object, item: tuple[int, str]) -> tuple[int, int, float]:
    """Item 0 finishes only after item 5 has (in another worker): chunks finish out of order."""
    index, marker = item
    if index == 0:
        deadline = time.monotonic() + 120
        while not os.path.exists(marker):
            assert time.monotonic() < deadline, "item 5 was never assessed"
            time.sleep(0.01)
    elif index == 5:
        Path(marker).touch()
    return index, os.getpid(), time.monotonic()


def test_results_in_input_order_when_chunks_finish_out_of_order(tmp_path: Path) -> None:
    marker = str(tmp_path / "item-5-done")
    items = [(index, marker) for index in range(40)]
    assessor = assessor_for(None)
    results = list(_batch.run_batch(items, _meet, assessor, processes=3))
    assert [item for item, _ in results] == items
    assert [index for _, (index, _, _) in results] == list(range(40))
    finished = [at for _, (_, _, at) in results]
    assert finished[0] > finished[5]  # item 0 really did finish after later chunks
    assert os.getpid() not in {pid for _, (_, pid, _) in results}  # all in workers
    assert len({pid for _, (_, pid, _) in results}) == 2


def _pause(assessor: object, index: int) -> tuple[int, int]:
    time.sleep(0.005)
    return index, os.getpid()


def test_this_process_shares_the_work_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the worker starts, and while it is busy, this process assesses too."""
    monkeypatch.setattr(_batch, "SHARE", True)
    pulled = 0

    def items() -> Iterator[int]:
        nonlocal pulled
        for index in itertools.count():
            pulled += 1
            yield index

    assessor = assessor_for(None)
    results = _batch.run_batch(items(), _pause, assessor, processes=2)
    pids: list[int] = []
    deadline = time.monotonic() + 120
    for item, (index, pid) in results:
        assert item == index == len(pids)
        pids.append(pid)
        assert pulled - len(pids) <= 2 * _batch.IN_FLIGHT * 2 * _batch.CHUNK  # a few chunks
        if sum(p != os.getpid() for p in pids) >= 64:
            break
        assert time.monotonic() < deadline, f"the worker did nothing in {len(pids)}"
    results.close()  # type: ignore[attr-defined]
    first = next(n for n, pid in enumerate(pids) if pid != os.getpid())
    assert first > 0  # this process began while the worker started
    assert os.getpid() in pids[first:]  # and went on while the worker worked


def test_a_file_that_vanishes_before_a_worker_reads_it(tmp_path: Path) -> None:
    files = [tmp_path / f"{n}.yaml" for n in range(6)]
    for n, path in enumerate(files):
        path.write_bytes(EXAMPLES[n].read_bytes())

    def proposals() -> Iterator[Path]:
        for path in files:
            yield path
            if path == files[2]:
                path.unlink()  # after it is listed, before a worker reads it

    results = list(sr.assess_many(proposals(), processes=2, as_of=DAY))
    assert [r.index for r in results] == list(range(6))
    assert [r.ok for r in results] == [True, True, False, True, True, True]
    error = results[2].error
    assert isinstance(error, sr.ProposalError)
    assert str(error) == str(_error(files[2]))  # what one process says of a missing file
    assert str(files[2]) in str(error)
    for n in (0, 1, 3, 4, 5):
        assert results[n].verdict == sr.assess(EXAMPLES[n], as_of=DAY)


def _finding(actual: object, message: str = "m") -> sr.Finding:
    detail = Detail("$.x", "= 1", actual)
    return sr.Finding(
        "r",
        "1",
        "T",
        "purposeful",
        (1,),
        "blocking",
        sr.Status.NOT_MET,
        message,
        ("$.x",),
        (detail,),
    )


def test_findings_sent_once_then_by_number_come_back_equal_and_typed() -> None:
    verdicts = [sr.assess(p, as_of=DAY) for p in EXAMPLES]
    sent: dict[object, int] = {}
    table: list[object] = []
    first = _batch.dumps(verdicts, sent)
    again = _batch.dumps(verdicts, sent)
    plain = sum(len(_batch.dumps(v)) for v in verdicts)
    numbered = sum(len(_batch.dumps(v, sent)) for v in verdicts)
    assert numbered < plain / 5  # once sent, findings go by number
    for payload in (first, again):
        assert _batch._Unpickler(io.BytesIO(payload), table).load() == verdicts
    assert 0 < len(table) == len(sent)
    # 1, 1.0 and True are equal in Python, but each finding keeps its own value and type.
    values = [1, True, 1.0, "1", None, [1], 1, True, "1"]
    payloads = [_batch.dumps(_finding(v), sent) for v in values]
    back = [_batch._Unpickler(io.BytesIO(p), table).load() for p in payloads]
    assert [type(f.details[0].actual) for f in back] == [type(v) for v in values]
    assert back == [_finding(v) for v in values]
    assert b"_define" in payloads[3] and b"_known" in payloads[8]  # "1" again: by number
    assert not any(b"_known" in p for p in payloads[:8])  # 1 or True again: in full


def test_a_worker_results_read_out_of_order_fail_closed() -> None:
    sent: dict[object, int] = {}
    first = _batch.dumps([_finding("a")], sent)
    second = _batch.dumps([_finding("a"), _finding("b")], sent)  # "a" by number
    for payload in (second, _batch.dumps([_finding("c")], dict(sent))):
        future: concurrent.futures.Future[tuple[int, bytes]] = concurrent.futures.Future()
        future.set_result((1, payload))
        with pytest.raises(sr.AssessmentError, match="worker"):
            _batch._results(future, {})
    with pytest.raises(sr.AssessmentError):
        pickle.loads(first)  # only the batch's reader reads a worker's results


def test_the_network_digest_tells_engines_apart() -> None:
    framework, council = sr.Assessor(), sr.Assessor(sr.load_rules(COUNCIL))
    digest = framework._network_digest()
    assert digest.startswith("sha256:") and len(digest) == 7 + 64
    assert sr.Assessor(sr.load_rules())._network_digest() == digest
    assert council._network_digest() != digest


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


def _interruptible() -> None:
    """In the child: Ctrl-C back to its default, for a suite run from a shell that ignores it
    (a background job): Python then installs no KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


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
            preexec_fn=_interruptible,
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
        preexec_fn=_interruptible,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "idle\n"
    time.sleep(3)  # the in-flight chunks are done: every worker waits on its queue
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stdout, stderr) == (0, "stopped\n", "")
