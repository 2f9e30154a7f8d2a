"""Assessing many proposals over a pool of worker processes, results in input order.

durable-rules' C binding never releases the GIL, so threads give the throughput of one
core; only processes use more. Each worker compiles the pack once (the pool's initializer)
and checks that its compiled network is byte-for-byte the parent's (a digest of the JSON
definition given to durable-rules), so every worker runs the same engine.

Workers are started with ``forkserver`` where the platform has it, else ``spawn``; never
``fork``. A forked child copies the parent mid-flight: its durable-rules rulesets and the
locks that guard them, possibly held by another thread at the moment of the fork, which
deadlocks the child; Python 3.12 warns about forking a process with threads and 3.14 no
longer forks by default. A forkserver child starts from a clean process that has imported
nothing of the caller's, and is cheaper to start than a spawned one. As with any
``multiprocessing`` code, a script that starts a batch must guard its entry point with
``if __name__ == "__main__":``.

Work goes out in small chunks with a bounded number in flight, so a generator of a million
proposals is never read ahead more than a few chunks. Results cross the process boundary
as pickles in which this library's attrs classes are written as their field values (about
five times quicker to load than attrs' default pickling of slotted classes).
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import functools
import hashlib
import io
import itertools
import json
import multiprocessing
import operator
import os
import pickle
import signal
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
from ._verdict import Verdict

if TYPE_CHECKING:
    from ._dialogue import Records

__all__ = ["BatchResult", "assess_many", "run_batch"]

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 8
"""At most this many items go to a worker at a time."""
IN_FLIGHT = 4
"""Chunks in flight per worker process: enough to keep every worker busy."""


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
    """Assess many proposals in worker processes, yielding a :class:`BatchResult` for each,
    in input order, as soon as it and those before it are done.

    ``proposals`` are what :func:`assess` takes (``Proposal`` objects, mappings or file
    paths; paths are read by the workers). ``processes`` defaults to the number of CPUs
    this process may use; with ``processes=1``, or a single proposal, everything runs in
    this process. ``rules``, ``timestamp``, ``as_of`` and ``dialogue`` are as for
    :func:`assess`; the whole batch is assessed as of one date (today when it starts, by
    default). A proposal that cannot be assessed gives a result with its ``error`` and the
    batch goes on; an invalid rule pack or dialogue record, or a worker that cannot build
    the engine, raises before or instead of any verdict (fail closed).

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
    """``(item, task(worker's assessor, item))`` for each item, in input order.

    ``task`` must be picklable (a module-level function, or a ``functools.partial`` of
    one) and must not raise for one item: it reports errors in its result. ``assessor``
    is this process's, compiled from the pack the workers compile; with one process, or
    one item, it does the work here.
    """
    wanted = processes if processes is not None else _usable_cpus()
    known = len(items) if isinstance(items, Sized) else None
    iterator = iter(items)
    head = list(itertools.islice(iterator, 2))
    rest = itertools.chain(head, iterator)
    if wanted == 1 or len(head) < 2:
        return ((item, task(assessor, item)) for item in rest)
    workers = min(wanted, known) if known is not None else wanted
    chunk = CHUNK if known is None else max(1, min(CHUNK, -(-known // (IN_FLIGHT * workers))))
    return _pooled(rest, task, assessor, workers, chunk)


def _pooled(
    items: Iterator[T],
    task: Callable[[Assessor, T], R],
    assessor: Assessor,
    workers: int,
    chunk: int,
) -> Iterator[tuple[T, R]]:
    pool = concurrent.futures.ProcessPoolExecutor(
        workers,
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(assessor.rules, task, engine_digest(assessor)),
    )
    pending: collections.deque[tuple[list[T], concurrent.futures.Future[bytes]]] = (
        collections.deque()
    )
    try:
        while True:
            while len(pending) < IN_FLIGHT * workers:
                batch = list(itertools.islice(items, chunk))
                if not batch:
                    break
                pending.append((batch, pool.submit(_work, dumps(batch))))
            if not pending:
                return
            batch, future = pending.popleft()
            try:
                results = pickle.loads(future.result())
            except BrokenProcessPool as exc:
                raise AssessmentError(f"a worker process stopped unexpectedly: {exc}") from None
            yield from zip(batch, results, strict=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def engine_digest(assessor: Assessor) -> str:
    """``sha256:...`` of the compiled network that the assessor gave durable-rules."""
    text = json.dumps(assessor._engine.definition)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- in the worker processes

_worker: tuple[Assessor, Callable[[Assessor, Any], Any]] | None = None
_worker_error: AssessmentError | None = None


def _start_worker(pack: RulePack, task: Callable[[Assessor, Any], Any], digest: str) -> None:
    """Compile the pack once in this worker, and check it gives the parent's engine."""
    global _worker, _worker_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        assessor = Assessor(pack)
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


def _work(payload: bytes) -> bytes:
    if _worker is None:
        raise _worker_error or AssessmentError("the worker process did not start")
    assessor, task = _worker
    return dumps([task(assessor, item) for item in pickle.loads(payload)])


# ---------------------------------------------------------------- quick pickles

_NO_REDUCER: Any = object()
_reducers: dict[type, Any] = {}


class _Pickler(pickle.Pickler):
    """Writes this library's frozen attrs classes as ``cls(*field values)``."""

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        reduce = _reducers.get(cls)
        if reduce is None:
            reduce = _reducers[cls] = _reducer(cls)
        return NotImplemented if reduce is _NO_REDUCER else reduce(obj)


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


def dumps(value: Any) -> bytes:
    """``value`` pickled, this library's attrs classes as their field values."""
    buffer = io.BytesIO()
    _Pickler(buffer, pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()
