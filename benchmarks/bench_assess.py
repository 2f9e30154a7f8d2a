"""Time assessments on durable-rules against a plain-Python baseline measured in the same run.

    python benchmarks/bench_assess.py                 # timings, medians and ratios
    python benchmarks/bench_assess.py --memory 1000000  # RSS before/after N assessments
    python benchmarks/bench_assess.py --baseline-ref none  # without the old code path

Old code path: the library as it was at ``--baseline-ref`` (a git commit, 0a1a2a3 by
default, before issue 13) is extracted with ``git archive`` into a temporary folder and timed
in a subprocess on the same proposals, alternating with the current code in a subprocess of
its own, ``--rounds`` times; each prints the whole ``Assessor.assess`` and its phases (fact
building, engine matching, explanations, verdict), and the ratio old/new is printed.
For instruction counts, which do not depend on the machine's load (run N and 0)::

    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
        python benchmarks/bench_assess.py --assess-only N [--tree DIR]
    python benchmarks/bench_assess.py --extract 0a1a2a3 DIR   # the old tree, for --tree

Baseline: plain Python. The pack's conditions are turned into nested Python closures
(what a developer would write by hand, one predicate per comparison) and evaluated over the
same fact documents. "statuses" compares the engine's matching alone against them; "assess"
is the whole ``Assessor.assess`` (facts, engine, explanations, verdict) against the same
pipeline with the closures in place of the engine. The reference evaluator (the test
oracle, an interpreter) is shown for scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if "--tree" in sys.argv:  # time another copy of the library (see --extract)
    sys.path.insert(0, sys.argv[sys.argv.index("--tree") + 1])

import sharing_rules as sr
from sharing_rules._conditions import All, AnyOf, Compare, Condition, Not
from sharing_rules._facts import build_facts
from sharing_rules._reference import reference_statuses, with_derived
from sharing_rules._verdict import Status

ROOT = Path(__file__).resolve().parent.parent


def _median_us(fn: Callable[[], Any], repeat: int) -> float:
    """The median CPU time of ``fn`` (process time: other processes' load does not count)."""
    for _ in range(min(200, repeat)):  # warm up
        fn()
    samples = []
    for _ in range(repeat):
        start = time.process_time_ns()
        fn()
        samples.append(time.process_time_ns() - start)
    return statistics.median(samples) / 1000


Predicate = Callable[[Any], bool]


def _closure(c: Condition) -> Predicate:
    """A condition as a plain Python closure (same semantics as the reference evaluator)."""
    if isinstance(c, Compare):
        return _compare(c)
    if isinstance(c, All):
        parts = [_closure(i) for i in c.items]
        return lambda d: all(p(d) for p in parts)
    if isinstance(c, AnyOf):
        parts = [_closure(i) for i in c.items]
        return lambda d: any(p(d) for p in parts)
    if isinstance(c, Not):
        inner = _closure(c.item)
        return lambda d: not inner(d)
    where, path = _closure(c.where), _split(c.list)
    if c.kind == "any_item":
        return lambda d: any(where(i) for i in _get(d, path) or ())
    if c.kind == "all_items":
        return lambda d: all(where(i) for i in _get(d, path) or ())
    return lambda d: not any(where(i) for i in _get(d, path) or ())


def _split(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def _get(d: Any, parts: tuple[str, ...]) -> Any:
    """The value at a dotted path (split), ``None`` if absent; facts may nest deeper than
    two levels (``purpose.kind.research``)."""
    for name in parts:
        d = d.get(name) if d else None
    return d


def _compare(c: Compare) -> Predicate:
    parts = _split(c.fact)
    v = c.value
    ops: dict[str, Predicate] = {
        "present": lambda x: (x is not None) is v,
        "eq": lambda x: x is not None and x == v and type(x) is type(v),
        "ne": lambda x: not (x is not None and x == v and type(x) is type(v)),
        "in": lambda x: x is not None and x in v,
        "not_in": lambda x: x is None or x not in v,
        "lt": lambda x: x is not None and x < v,
        "le": lambda x: x is not None and x <= v,
        "gt": lambda x: x is not None and x > v,
        "ge": lambda x: x is not None and x >= v,
    }
    op = ops[c.op]
    return lambda d: op(_get(d, parts))


class _PlainEngine:
    """The pack as plain Python closures, with the engine's interface."""

    def __init__(self, pack: sr.RulePack) -> None:
        self.derivations = [
            (d.sets, _closure(d.condition), [_split(p) for p in d.requires])
            for d in pack.derivations
        ]
        self.rules = [
            (
                None if r.when is None else _closure(r.when),
                [_split(p) for p in r.requires],
                _closure(r.condition),
            )
            for r in pack.rules
        ]

    def run(self, doc: dict[str, Any]) -> tuple[dict[str, bool | None], list[Status]]:
        derived, statuses, _ = self.evaluate(doc)
        return derived, statuses

    def evaluate(
        self, doc: dict[str, Any]
    ) -> tuple[dict[str, bool | None], list[Status], dict[str, Any]]:
        derived: dict[str, bool | None] = {}
        for path, cond, requires in self.derivations:
            unstated = any(_get(doc, parts) is None for parts in requires)
            derived[path] = True if cond(doc) else (None if unstated else False)
        full = with_derived(doc, derived)
        statuses = []
        for when, requires, cond in self.rules:
            if when is not None and not when(full):
                statuses.append(Status.NOT_APPLICABLE)
            elif any(_get(full, parts) is None for parts in requires):
                statuses.append(Status.UNKNOWN)
            else:
                statuses.append(Status.MET if cond(full) else Status.NOT_MET)
        return derived, statuses, full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3000)
    parser.add_argument("--memory", type=int, default=0, metavar="N")
    parser.add_argument("--baseline-ref", default="0a1a2a3", help="git commit, or none")
    parser.add_argument("--rounds", type=int, default=3, help="old/new subprocess pairs")
    parser.add_argument("--phases", type=int, default=0, metavar="REPEAT", help=argparse.SUPPRESS)
    parser.add_argument("--assess-only", type=int, default=-1, metavar="N")
    parser.add_argument("--tree", help="import sharing_rules from this folder (--extract)")
    parser.add_argument("--extract", nargs=2, metavar=("REF", "DIR"))
    args = parser.parse_args()
    if args.extract:
        _extract(*args.extract)
        return
    if args.assess_only >= 0:
        _assess_only(args.assess_only)
        return
    if args.phases:
        _phases(args.phases)
        return
    _timings(args)
    if args.baseline_ref.lower() != "none":
        _old_and_new(args.baseline_ref, args.rounds, max(200, args.repeat // 3))
    if args.memory:
        import sharing_rules

        proposals = [sharing_rules.load_proposal(p) for p in _example_paths()]
        _memory(sharing_rules.Assessor(), proposals, args.memory)


def _example_paths() -> list[Path]:
    return sorted((ROOT / "examples").glob("*.yaml"))


def _extract(ref: str, folder: str) -> None:
    """The library at ``ref`` laid out as an importable ``sharing_rules`` package in ``folder``
    (src/sharing_rules, and rules/ as its ``rules`` subpackage, as pyproject maps them)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, "src/sharing_rules", "rules"],
        check=True,
        capture_output=True,
    ).stdout
    target = Path(folder)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if member.name.startswith("src/sharing_rules/"):
                member.name = member.name.removeprefix("src/")
            elif member.name.startswith("rules/"):
                member.name = "sharing_rules/" + member.name
            else:
                continue
            tar.extract(member, target, filter="data")


def _loadable(library: Any, paths: list[Path]) -> list[Any]:
    """The examples this library can load: an older tree cannot read fields added since."""
    loaded = []
    for path in paths:
        try:
            loaded.append(library.load_proposal(path))
        except library.ProposalError:
            print(f"skipped {path.name}: this tree cannot load it", file=sys.stderr)
    return loaded


def _assess_only(count: int) -> None:
    """Compile the pack, assess each example once, then ``count`` more assessments."""
    import sharing_rules

    assessor = sharing_rules.Assessor()
    proposals = _loadable(sharing_rules, _example_paths())
    as_of = dt.date(2026, 11, 29)
    for proposal in proposals:
        assessor.assess(proposal, as_of=as_of)
    for i in range(count):
        assessor.assess(proposals[i % len(proposals)], as_of=as_of)


def _phases(repeat: int) -> None:
    """Print (JSON) the median microseconds per proposal of the whole assessment and of
    each phase, with whichever ``sharing_rules`` this process imports."""
    import sharing_rules
    from sharing_rules import _assess, _facts, _reference, _verdict

    assessor = sharing_rules.Assessor()
    # what assess calls: evaluate (no document check) where the tree has it, else run
    engine = getattr(assessor._engine, "evaluate", assessor._engine.run)
    as_of = dt.date(2026, 11, 29)
    out: dict[str, Any] = {"library": str(Path(sharing_rules.__file__).parent), "phases": {}}
    for path in _example_paths():
        try:
            p = sharing_rules.load_proposal(path)
        except sharing_rules.ProposalError:  # an older tree: fields added since
            continue
        doc = _facts.build_facts(p, as_of)
        derived, statuses = assessor._engine.run(doc)
        pairs = list(zip(assessor._explainers, statuses, strict=True))

        def explain(d: Any = doc, v: Any = derived, pairs: Any = pairs) -> Any:
            full = _reference.with_derived(d, v)
            return tuple(e.explain(s, full) for e, s in pairs)

        findings = explain()

        def explain_cold(explain: Any = explain) -> Any:
            for e in assessor._explainers:  # every finding built afresh (no reuse)
                getattr(e, "recent", {}).clear()
            return explain()

        # the pack's decider, prepared once, where the tree has one (else decide() itself)
        prepared = getattr(assessor, "_decide", None)

        def verdict(p: Any = p, f: Any = findings, prepared: Any = prepared) -> Any:
            _assess.proposal_digest(p)
            if prepared is not None:
                return prepared(f)
            return _verdict.decide(f, assessor._tests, assessor._features)

        times = {
            "assess": _median_us(lambda p=p: assessor.assess(p, as_of=as_of), repeat),
            "facts": _median_us(lambda p=p: _facts.build_facts(p, as_of), repeat),
            "engine": _median_us(lambda d=doc: engine(d), repeat),
            "explanations": _median_us(explain, repeat),
            "explanations, none reused": _median_us(explain_cold, repeat),
            "verdict": _median_us(verdict, repeat),
            "digest": _median_us(lambda p=p: _assess.proposal_digest(p), repeat),
        }
        out["phases"][path.stem] = times
    print(json.dumps(out))


def _run_phases(tree: str | None, repeat: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phases", str(repeat)]
    if tree is not None:
        command += ["--tree", tree]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _old_and_new(ref: str, rounds: int, repeat: int) -> None:
    """Today's code and the code at ``ref``, each in subprocesses, alternating."""
    with tempfile.TemporaryDirectory() as folder:
        _extract(ref, folder)
        runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
        for _ in range(rounds):
            runs["old"].append(_run_phases(folder, repeat))
            runs["new"].append(_run_phases(None, repeat))
    assert runs["old"][0]["library"].startswith(folder), runs["old"][0]["library"]
    assert not runs["new"][0]["library"].startswith(folder)
    # Only the examples both trees can load are compared (an older tree cannot read
    # fields added since).
    common = [stem for stem in runs["new"][0]["phases"] if stem in runs["old"][0]["phases"]]
    for run in runs["old"] + runs["new"]:
        run["phases"] = {stem: run["phases"][stem] for stem in common}
    first = runs["new"][0]["phases"]
    names = list(first[next(iter(first))])
    print(
        f"\nold code path ({ref}) against this one, subprocesses alternating, {rounds} rounds "
        f"of {repeat} runs, on the {len(common)} examples both load; median over proposals "
        "of the median per proposal, microseconds"
    )
    print(f"{'phase':26} {'old':>8} {'new':>8} {'old/new':>8}")
    for name in names:
        old = _overall(runs["old"], name)
        new = _overall(runs["new"], name)
        print(f"{name:26} {old:8.1f} {new:8.1f} {old / new:8.2f}")
    ratios = [
        _overall(runs["old"], "assess", stem) / _overall(runs["new"], "assess", stem)
        for stem in runs["new"][0]["phases"]
    ]
    print(f"whole assessment, old/new per proposal: median {statistics.median(ratios):.2f}")


def _overall(runs: list[dict[str, Any]], name: str, stem: str | None = None) -> float:
    """The median over rounds (and, without ``stem``, over proposals) of a phase's median."""
    stems = [stem] if stem is not None else list(runs[0]["phases"])
    return statistics.median(
        statistics.median(run["phases"][s][name] for run in runs) for s in stems
    )


def _timings(args: argparse.Namespace) -> None:

    pack = sr.load_rules()
    engine_assessor = sr.Assessor(pack)
    plain_engine = _PlainEngine(pack)
    plain_assessor = sr.Assessor(pack)
    plain_assessor._engine = plain_engine  # type: ignore[assignment]
    proposals = [sr.load_proposal(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    print(
        f"durable-rules pack: {len(pack.rules)} rules, {len(pack.derivations)} derivations; "
        f"median of {args.repeat} runs per proposal, microseconds"
    )
    print(
        f"{'proposal':24} {'engine':>7} {'plain':>7} {'ratio':>6} {'oracle':>7} | "
        f"{'assess':>7} {'plain':>7} {'ratio':>6}"
    )
    ratios = []
    for proposal in proposals:
        doc = build_facts(proposal)
        assert plain_engine.run(doc) == reference_statuses(pack, doc)
        engine = _median_us(lambda d=doc: engine_assessor._engine.evaluate(d), args.repeat)
        plain = _median_us(lambda d=doc: plain_engine.run(d), args.repeat)
        oracle = _median_us(lambda d=doc: reference_statuses(pack, d), args.repeat)
        full = _median_us(lambda p=proposal: engine_assessor.assess(p), args.repeat)
        full_plain = _median_us(lambda p=proposal: plain_assessor.assess(p), args.repeat)
        ratios.append((engine / plain, full / full_plain))
        print(
            f"{proposal.id + ' ' + proposal.title[:11]:24} {engine:7.1f} {plain:7.1f} "
            f"{engine / plain:6.1f} {oracle:7.1f} | {full:7.1f} {full_plain:7.1f} "
            f"{full / full_plain:6.2f}"
        )
    print(
        f"median ratio engine/plain: statuses {statistics.median(r[0] for r in ratios):.2f}, "
        f"whole assessment {statistics.median(r[1] for r in ratios):.2f}"
    )


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _memory(assessor: sr.Assessor, proposals: list[sr.Proposal], count: int) -> None:
    gc.collect()
    checkpoints = {count // 10, count // 2, count}
    before = _rss_mb()
    print(f"memory: RSS {before:.1f} MB before {count:,} assessments")
    for i in range(1, count + 1):
        assessor.assess(proposals[i % len(proposals)])
        if i in checkpoints:
            gc.collect()
            print(f"  after {i:>9,}: RSS {_rss_mb():.1f} MB", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
