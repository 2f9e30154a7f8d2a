"""Assessing many proposals in this process and a pool of worker processes, in input order.

durable-rules' C binding never releases the GIL, so threads give the throughput of one
core; only processes use more. Each worker compiles the pack once (the pool's initializer)
and checks that its compiled network is byte-for-byte the parent's (a digest of the JSON
definition given to durable-rules), so every worker runs the same engine.

Where it is safe, workers are forked: on Linux, from a process that runs a single thread
(counted by the kernel, so threads started by C libraries count too). A forked worker starts
with a copy of this process's compiled engine, so it costs a few milliseconds rather than
about half a second of imports and compiling. Forking a process with other threads can
deadlock the child (a lock one of them held, durable-rules' or any other, stays held in the
copy), so then, and on other platforms, workers start with ``forkserver`` where the platform
has it, else ``spawn``: a child from a clean process that imports the library and compiles
the pack itself. Either way each worker checks that its network is the parent's. As with any
``multiprocessing`` code, a script that starts a batch must guard its entry point with
``if __name__ == "__main__":``.

Work goes out in small chunks with a bounded number in flight, so a generator of a million
proposals is never read ahead more than a few chunks. The calling process is one of the
``processes``: a worker costs about half a second of CPU to start (imports, compiling the
pack), so the caller assesses proposals itself while the workers start, whenever the oldest
chunk is not back, and at the end takes back chunks no worker has begun; its results wait
in order with the workers'. Results cross the process boundary as pickles in which this
library's attrs classes are written as their field values (about five times quicker to load
than attrs' default pickling of slotted classes), and each worker sends a finding once and
then by number: most findings recur from proposal to proposal (on the shipped examples, once
their findings have been sent, a verdict's pickle falls from 37 KB to 3 KB and reading it
from 0.55 to 0.07 ms).
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import functools
import io
import itertools
import multiprocessing
import operator
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ._assess import Assessor, assessor_for
from ._errors import AssessmentError, SharingRulesError, UsageError
from ._facts import today
from ._load import Source
from ._model import Proposal
from ._rules import RulePack, as_rule_pack
from ._verdict import Finding, Verdict

if TYPE_CHECKING:
    from ._dialogue import Records

__all__ = ["BatchResult", "assess_many", "run_batch"]

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 8
"""At most this many items go to a worker at a time."""
IN_FLIGHT = 4
"""Chunks in flight per worker process: enough to keep every worker busy."""
SHARE = True
"""Whether the calling process assesses too, while the workers start or are all busy."""
THREAD_EXIT_WAIT = 0.1
"""Seconds to wait for threads that are leaving before deciding whether it is safe to fork."""


@attrs.frozen(slots=True)
class BatchResult:
    """One proposal's result in :func:`assess_many`: a verdict, or the error that stopped it.

    Exactly one of ``verdict`` and ``error`` is set. ``error`` is a :class:`ProposalError`
    (with its ``problems``) for invalid input, an :class:`AssessmentError` if the engine
    failed (or for a defect, reported rather than raised), or a :class:`UsageError` for an
    item that is not a proposal.
    """

    index: int  #: the proposal's position in the input, from 0
    source: Source  #: the proposal as given: a ``Proposal``, a mapping or a path
    verdict: Verdict | None = None
    error: SharingRulesError | None = None

    @property
    def ok(self) -> bool:
        """Whether the proposal was assessed (``verdict`` is set)."""
        return self.verdict is not None


def assess_many(
    proposals: Iterable[Source],
    *,
    rules: RulePack | str | os.PathLike[str] | None = None,
    processes: int | None = None,
    timestamp: bool = False,
    as_of: dt.date | None = None,
    dialogue: Records | None = None,
) -> Iterator[BatchResult]:
    """Assess many proposals in this process and worker processes, yielding a
    :class:`BatchResult` for each, in input order, as soon as it and those before it are done.

    ``proposals`` are what :func:`assess` takes (``Proposal`` objects, mappings or file
    paths; a path is read by the process that assesses it). ``processes`` is this process
    and ``processes - 1`` workers, by default the number of CPUs this process may use; this
    process assesses too, while the workers start and whenever they are all busy. With
    ``processes=1``, or a single proposal, everything runs in this process. ``rules``,
    ``timestamp``, ``as_of`` and ``dialogue`` are as for :func:`assess`; the whole batch is
    assessed as of one date (today when it starts, by default). A proposal that cannot be
    assessed gives a result with its ``error`` and the batch goes on; an invalid rule pack
    or dialogue record raises before any verdict, and a worker that cannot build this
    process's engine raises :class:`AssessmentError` when that is known, by the end of the
    batch at the latest (fail closed: no verdict comes from it).

    The pool stops when the iterator is exhausted or closed; Ctrl-C stops it too.
    """
    if isinstance(proposals, str | os.PathLike | Mapping | Proposal):
        raise UsageError(
            "assess_many takes an iterable of proposals (paths, mappings or Proposal objects); "
            "for one proposal, use assess"
        )
    if processes is not None and (type(processes) is not int or processes < 1):
        raise UsageError(f"processes must be a whole number of at least 1, not {processes!r}")
    pack = as_rule_pack(rules) if rules is not None else None
    records = None
    if dialogue is not None:
        from ._dialogue import load_records

        records = load_records(dialogue)
    task = functools.partial(
        _assess_one, timestamp=timestamp, as_of=as_of or today(), dialogue=records
    )
    return _batch(proposals, task, pack, processes)


def _batch(
    proposals: Iterable[Source],
    task: Callable[[Assessor, Source], tuple[Verdict | None, SharingRulesError | None]],
    pack: RulePack | None,
    processes: int | None,
) -> Iterator[BatchResult]:
    assessor = assessor_for(pack)
    results = run_batch(proposals, task, assessor, processes)
    for index, (source, (verdict, error)) in enumerate(results):
        yield BatchResult(index, source, verdict, error)


def _assess_one(
    assessor: Assessor,
    proposal: Source,
    *,
    timestamp: bool,
    as_of: dt.date,
    dialogue: Any,
) -> tuple[Verdict | None, SharingRulesError | None]:
    try:
        return assessor.assess(proposal, timestamp=timestamp, as_of=as_of, dialogue=dialogue), None
    except SharingRulesError as err:
        return None, err
    except Exception as err:  # fail closed: a defect gives no verdict, and the batch goes on
        return None, AssessmentError(
            f"internal error, so no verdict is given ({type(err).__name__}: {err}); "
            "please report it"
        )


def run_batch(
    items: Iterable[T],
    task: Callable[[Assessor, T], R],
    assessor: Assessor,
    processes: int | None = None,
) -> Iterator[tuple[T, R]]:
    """``(item, task(an assessor, item))`` for each item, in input order, over ``processes``
    processes: this one and ``processes - 1`` workers.

    ``task`` must be picklable (a module-level function, or a ``functools.partial`` of
    one) and must not raise for one item: it reports errors in its result. ``assessor``
    is this process's, compiled from the pack the workers compile; with one process, or
    one item, it does all the work here.
    """
    wanted = processes if processes is not None else _usable_cpus()
    known = len(items) if isinstance(items, Sized) else None
    iterator = iter(items)
    head = list(itertools.islice(iterator, 2))
    rest = itertools.chain(head, iterator)
    if wanted == 1 or len(head) < 2:
        return ((item, task(assessor, item)) for item in rest)
    processes = min(wanted, known) if known is not None else wanted
    chunk = CHUNK if known is None else max(1, min(CHUNK, -(-known // (IN_FLIGHT * processes))))
    return _pooled(rest, task, assessor, processes - 1, chunk)


def _pooled(
    items: Iterator[T],
    task: Callable[[Assessor, T], R],
    assessor: Assessor,
    workers: int,
    chunk: int,
) -> Iterator[tuple[T, R]]:
    """Chunks go to the workers, ``IN_FLIGHT`` per started worker; while the oldest is not
    back (and while the workers start), this process assesses the next chunk itself, so
    both it and the workers are always busy. Results wait in ``pending``, in input order."""
    context = _context()
    # A forked worker inherits this assessor (initargs are not pickled for fork).
    inherited = assessor if context.get_start_method() == "fork" else None
    pool = concurrent.futures.ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(assessor.rules, task, engine_digest(assessor), inherited),
    )
    started = [pool.submit(_ready) for _ in range(workers)]
    pending: collections.deque[tuple[list[T], _Chunk[R]]] = collections.deque()
    tables: dict[int, list[Any]] = {}  # per worker: the objects it sent by number
    limit = 2 * IN_FLIGHT * (workers + 1)  # chunks read ahead of the oldest not yet given
    sent = 0  # chunks at the workers
    more = True
    try:
        while True:
            room = IN_FLIGHT * (_started(started) if SHARE else workers)
            while more and sent < room and len(pending) < limit:
                batch = list(itertools.islice(items, chunk))
                if not batch:
                    more = False
                    break
                pending.append((batch, pool.submit(_work, dumps(batch))))
                sent += 1
            if pending and _done(pending[0][1]):
                batch, done = pending.popleft()
                if not isinstance(done, list):
                    sent -= 1
                    done = _results(done, tables)
                yield from zip(batch, done, strict=True)
            elif SHARE and more and len(pending) < limit:  # assess the next chunk here
                batch = list(itertools.islice(items, chunk if pending else 1))
                if not batch:
                    more = False
                elif pending:
                    pending.append((batch, [task(assessor, item) for item in batch]))
                else:  # nothing is waiting: give it straight away
                    yield from ((item, task(assessor, item)) for item in batch)
            elif SHARE and not more and _take_back(pending, task, assessor):
                sent -= 1
            elif pending:  # wait for the oldest chunk, at a worker (any done here is given)
                batch, future = pending.popleft()
                assert not isinstance(future, list)
                sent -= 1
                yield from zip(batch, _results(future, tables), strict=True)
            else:  # fail closed: a worker that did not start fails the batch, used or not
                for ready in started:
                    _outcome(ready)
                return
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_Chunk = concurrent.futures.Future[tuple[int, bytes]] | list[R]
"""A chunk's results: done here (a list), or coming from a worker."""


def _started(ready: list[concurrent.futures.Future[None]]) -> int:
    """How many workers have started; raises if one could not."""
    count = 0
    for future in ready:
        if future.done():
            _outcome(future)
            count += 1
    return count


def _outcome(future: concurrent.futures.Future[T]) -> T:
    """A worker's result, or its AssessmentError; a worker that died is one too."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise AssessmentError(f"a worker process stopped unexpectedly: {exc}") from None


def _done(chunk: _Chunk[Any]) -> bool:
    return isinstance(chunk, list) or chunk.done()


def _take_back(
    pending: collections.deque[tuple[list[T], _Chunk[R]]],
    task: Callable[[Assessor, T], R],
    assessor: Assessor,
) -> bool:
    """Assess here the latest chunk that no worker has started (cancelling it there), so that
    the end of the input does not wait on chunks queued behind a busy worker."""
    for index in range(len(pending) - 1, -1, -1):
        batch, chunk = pending[index]
        if not isinstance(chunk, list) and chunk.cancel():
            pending[index] = (batch, [task(assessor, item) for item in batch])
            return True
    return False


def _results(
    future: concurrent.futures.Future[tuple[int, bytes]], tables: dict[int, list[Any]]
) -> Any:
    pid, payload = _outcome(future)
    try:
        return _Unpickler(io.BytesIO(payload), tables.setdefault(pid, [])).load()
    except (IndexError, pickle.UnpicklingError) as exc:  # fail closed
        raise AssessmentError(f"a worker's results could not be read: {exc}") from None


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _context() -> multiprocessing.context.BaseContext:
    """``fork`` where it is safe (see the module's docstring), else ``forkserver`` or
    ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _single_threaded():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _single_threaded() -> bool:
    """Whether this process runs one thread, as the kernel counts them (Linux only: elsewhere
    a thread a C library started may not be seen, so this says no). A thread joined a moment
    ago (the last pool's) may still be leaving the kernel's list: it is given
    :data:`THREAD_EXIT_WAIT` seconds."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    deadline = time.monotonic() + THREAD_EXIT_WAIT
    while True:
        try:
            if len(os.listdir("/proc/self/task")) == 1:
                return True
        except OSError:
            return False
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.002)


def engine_digest(assessor: Assessor) -> str:
    """``sha256:...`` of the compiled network that the assessor gave durable-rules."""
    return assessor._network_digest()


# ---------------------------------------------------------------- in the worker processes

_worker: tuple[Assessor, Callable[[Assessor, Any], Any]] | None = None
_worker_error: AssessmentError | None = None
_sent: dict[Any, int] = {}  #: the findings this worker has sent, by number


def _start_worker(
    pack: RulePack,
    task: Callable[[Assessor, Any], Any],
    digest: str,
    inherited: Assessor | None = None,
) -> None:
    """Compile the pack once in this worker (unless it was forked with the parent's
    assessor), and check it gives the parent's engine."""
    global _worker, _worker_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        assessor = inherited if inherited is not None else Assessor(pack)
        mine = engine_digest(assessor)
        if mine != digest:
            raise AssessmentError(
                f"a worker compiled the pack to a different engine ({mine}, not {digest})"
            )
    except AssessmentError as err:
        _worker_error = err
        return
    except Exception as err:  # fail closed: no verdict from a worker that did not start
        _worker_error = AssessmentError(f"a worker could not build the engine: {err}")
        return
    _worker = (assessor, task)


def _ready() -> None:
    """Raises if this worker did not start."""
    if _worker is None:
        raise _worker_error or AssessmentError("the worker process did not start")


def _work(payload: bytes) -> tuple[int, bytes]:
    _ready()
    assert _worker is not None
    assessor, task = _worker
    results = [task(assessor, item) for item in pickle.loads(payload)]
    return os.getpid(), dumps(results, _sent)


# ---------------------------------------------------------------- quick pickles

KNOWN = 10_000
"""Findings a worker sends once and then by number (most recur from proposal to proposal)."""

_NO_REDUCER: Any = object()
_reducers: dict[type, Any] = {}


class _Pickler(pickle.Pickler):
    """Writes this library's frozen attrs classes as ``cls(*field values)``; with ``sent``, a
    finding sent before by number (see :class:`_Unpickler`)."""

    def __init__(self, file: io.BytesIO, sent: dict[Any, int] | None) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self.sent = sent

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        reduce = _reducers.get(cls)
        if reduce is None:
            reduce = _reducers[cls] = _reducer(cls)
        if reduce is _NO_REDUCER:
            return NotImplemented
        if cls is Finding and self.sent is not None and _by_number(obj):
            number = self.sent.get(obj)
            if number is not None:
                return _known, (number,)
            if len(self.sent) < KNOWN:
                number = self.sent[obj] = len(self.sent)
                _, args = reduce(obj)
                return _define, (number, cls, *args)
        return reduce(obj)


def _by_number(finding: Finding) -> bool:
    """Whether a finding may stand for an equal one: not if a detail holds a value that can
    equal a value of another type (``1 == 1.0 == True``), or cannot be hashed."""
    return all(type(d.actual) is str or d.actual is None for d in finding.details)


def _define(number: int, cls: type, *fields: Any) -> Any:
    raise AssessmentError("a batch worker's results are read by _Unpickler only")


def _known(number: int) -> Any:
    raise AssessmentError("a batch worker's results are read by _Unpickler only")


class _Unpickler(pickle.Unpickler):
    """Reads a worker's results, keeping the findings it numbered in ``table``; a worker's
    results must be read in the order it sent them."""

    def __init__(self, file: io.BytesIO, table: list[Any]) -> None:
        super().__init__(file)
        self.table = table

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_define":
            return self._define
        if module == __name__ and name == "_known":
            return self.table.__getitem__
        return super().find_class(module, name)

    def _define(self, number: int, cls: type, *fields: Any) -> Any:
        if number != len(self.table):  # fail closed: never a finding for another
            raise AssessmentError(f"a worker's results arrived out of order ({number})")
        value = cls(*fields)
        self.table.append(value)
        return value


def _reducer(cls: type) -> Any:
    """A reducer for ``cls`` if rebuilding it from its fields' values in order is exact:
    a class of this library whose fields all go to ``__init__`` by position unchanged."""
    if not (attrs.has(cls) and cls.__module__.startswith("sharing_rules.")):
        return _NO_REDUCER
    fields = attrs.fields(cls)
    plain = all(f.init and not f.kw_only and f.converter is None for f in fields)
    if not plain or not fields or hasattr(cls, "__attrs_post_init__"):
        return _NO_REDUCER
    get = operator.attrgetter(*(f.name for f in fields))
    if len(fields) == 1:
        return lambda obj: (cls, (get(obj),))
    return lambda obj: (cls, get(obj))


def dumps(value: Any, sent: dict[Any, int] | None = None) -> bytes:
    """``value`` pickled, this library's attrs classes as their field values; with ``sent``
    (a worker's), findings in it are sent once and then by number."""
    buffer = io.BytesIO()
    _Pickler(buffer, sent).dump(value)
    return buffer.getvalue()
