"""Fuzz the whole path a file takes: loading, assessment and every output format.

    python benchmarks/fuzz.py --count 300                       # the slice CI runs
    nice -n 19 python benchmarks/fuzz.py --count 1000000 --workers 2 --seed 7

Inputs, in YAML and in JSON, drawn from ``--seed``:

generated   valid and invalid proposal documents from ``sharing_rules.strategies``;
dict        the examples (or a generated document) with 1-4 mutations of the mapping:
            a key deleted, duplicated under another name, renamed (typo, case, a number
            or a boolean as the key) or a value retyped or replaced by an awkward scalar
            (control characters, lone surrogates, huge or non-finite numbers, dates that
            do not exist, deep nesting, YAML 1.1 booleans);
text        the examples' text with 1-4 mutations of the bytes: flips, truncation, and
            insertions of YAML syntax (anchors, aliases, tags, flow collections,
            directives), control characters and invalid UTF-8.

Each input runs in a worker process (``--workers``) through ``load_proposal``,
``Assessor.assess`` and the text (with and without colour), Markdown, HTML, JSON and JSON
Lines renderings the command line writes, checking that the JSON and JSON Lines parse back
to the verdict, one record per line, and that no report lets a control character out. An
input fails if its worker dies (crash), takes longer than ``--timeout`` seconds (hang,
default 5), raises anything but ``ProposalError`` (exception), or breaks a check
(violation). A crash or hang is run once more in a fresh worker and counted only if it
happens again, so that a stall of a busy machine is not taken for a hang. Failing
inputs are saved in ``--out`` with a note of what happened; the counts, the classes of
exception and the first few failures are printed. Exit status 0 if nothing failed, 1
otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import random
import re
import resource
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per worker: an alias bomb ends there
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SGR = re.compile(r"\x1b\[[0-9;]*m")

# ---------------------------------------------------------------- inputs

WEIRD_SCALARS: list[Any] = [
    "",
    " ",
    "\t",
    "\x00",
    "\x1b]0;pwned\x07\x1b[2J",
    "\x9b2J\x85\u2028\u2029\u202e",
    "\ud800",
    "x" * 100_000,
    "🙂" * 50,
    "yes",
    "no",
    "~",
    "null",
    "2026-02-30",
    "1e5",
    "<placeholder>",
    0,
    -1,
    2**64,
    10**16,
    1e308,
    -0.0,
    1e-7,
    math.inf,
    math.nan,
    True,
    False,
    None,
    [],
    {},
    [None],
    {"": None},
    {"nested": {"nested": {"nested": [1, [2, [3]]]}}},
]
YAML_SNIPPETS = [
    "&a ",
    "*a",
    "*nosuch",
    "!!python/object/apply:os.system ['true'] ",
    "!!binary ",
    "!!float x",
    "!!timestamp x",
    "!!set ",
    "!!str ",
    "? [a, b]\n",
    "? ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    "|\n",
    ">-\n",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\t",
    "<<: *a\n",
    " #",
    "\ufeff",
    "\x1b[2J",
    "\x85",
    "\u2028",
    "2: x\n",
    "no: x\n",
    "\\ud800",
    "[" * 600,
]


def examples() -> list[tuple[str, dict[str, Any]]]:
    return [(p.read_text(encoding="utf-8"), yaml.safe_load(p.read_text("utf-8"))) for p in EXAMPLES]


def generated(count: int, seed: int, valid: bool) -> list[dict[str, Any]]:
    """``count`` documents from the library's Hypothesis strategies, reproducibly."""
    if count <= 0:
        return []
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    from sharing_rules.strategies import proposal_dicts

    found: list[dict[str, Any]] = []

    @hseed(seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(proposal_dicts(valid=valid))
    def collect(document: dict[str, Any]) -> None:
        found.append(document)

    collect()
    return found


def _keys(rng: random.Random, doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every mapping key and list element (sampled for big documents)."""
    out: list[tuple[Any, ...]] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.append((*path, key))
            out += _keys(rng, value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out.append((*path, index))
            out += _keys(rng, value, (*path, index))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


def mutate_dict(rng: random.Random, doc: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc, default=str))  # a deep copy
    for _ in range(rng.randint(1, 4)):
        paths = _keys(rng, doc)
        if not paths:
            doc[rng.choice(["id", "title", "x"])] = rng.choice(WEIRD_SCALARS)
            continue
        path = rng.choice(paths)
        parent, last = _parent(doc, path), path[-1]
        op = rng.randrange(6)
        if op == 0:  # delete
            del parent[last]
        elif op == 1:  # duplicate under another name, or a list element
            if isinstance(parent, dict):
                parent[f"{last}_copy" if rng.random() < 0.5 else str(last).upper()] = parent[last]
            else:
                parent.append(parent[last])
        elif op == 2 and isinstance(parent, dict):  # rename: typo, a number or a boolean
            value = parent.pop(last)
            text = str(last)
            cut = rng.randrange(len(text)) if text else 0
            parent[rng.choice([text[:cut] + text[cut + 1 :], 2, True, False, None, 1.5])] = value
        elif op == 3:  # retype
            value = parent[last]
            parent[last] = rng.choice(
                [[value], {"value": value}, str(value), len(str(value)), None, not value]
            )
        elif op == 4:  # an awkward scalar
            parent[last] = rng.choice(WEIRD_SCALARS)
        else:  # deep nesting
            deep: Any = rng.choice(WEIRD_SCALARS)
            for _ in range(rng.choice([10, 100, 600])):
                deep = {"k": deep} if rng.random() < 0.5 else [deep]
            parent[last] = deep
    return doc


def mutate_text(rng: random.Random, text: str) -> bytes:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) + 1)
        op = rng.randrange(5)
        if op == 0 and data:  # flip a byte
            data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:  # truncate
            del data[at:]
        elif op == 2:  # YAML syntax
            data[at:at] = rng.choice(YAML_SNIPPETS).encode("utf-8", "surrogatepass")
        elif op == 3:  # a control character or invalid UTF-8
            data[at:at] = rng.choice(
                [b"\x1b", b"\x00", b"\x07", b"\r", b"\xc2\x9b", b"\xff", b"\xe2\x80"]
            )
        else:  # a line repeated
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            data[at:at] = data[start:end] * rng.randint(1, 3)
    return bytes(data)


def dump(rng: random.Random, doc: Any) -> tuple[str, bytes]:
    """The document as a .json or .yaml file's bytes."""
    if rng.random() < 0.5:
        return ".json", json.dumps(doc, ensure_ascii=rng.random() < 0.5, default=str).encode(
            "utf-8", "surrogatepass"
        )
    try:
        text = yaml.safe_dump(doc, allow_unicode=rng.random() < 0.5, sort_keys=False)
    except yaml.YAMLError:
        return ".json", json.dumps(doc, default=str).encode("utf-8", "surrogatepass")
    return ".yaml", text.encode("utf-8", "surrogatepass")


def inputs(count: int, seed: int) -> Iterator[tuple[int, str, str, bytes]]:
    """(index, kind, suffix, bytes) for ``count`` inputs: a quarter generated, the rest
    mutated at the dict and the text level, in equal parts."""
    rng = random.Random(seed)
    base = examples()
    batch = max(20, min(500, count // 10))
    valid: list[dict[str, Any]] = []
    invalid: list[dict[str, Any]] = []
    for index in range(count):
        r = random.Random(f"{seed}-{index}")
        kind = ("generated", "dict", "dict", "text")[index % 4] if index % 8 else "text"
        if kind == "generated" or (kind == "dict" and r.random() < 0.2):
            pool = valid if r.random() < 0.6 else invalid
            if not pool:
                pool += generated(batch, rng.randrange(2**32), valid=pool is valid)
            doc = pool.pop()
            if kind == "dict":
                doc = mutate_dict(r, doc)
            suffix, data = dump(r, doc)
        elif kind == "dict":
            suffix, data = dump(r, mutate_dict(r, r.choice(base)[1]))
        else:
            text, doc = r.choice(base)
            if r.random() < 0.5:
                text, suffix = json.dumps(doc, indent=r.choice([None, 2]), default=str), ".json"
            else:
                suffix = ".yaml"
            data = mutate_text(r, text)
        yield index, kind, suffix, data


# ---------------------------------------------------------------- the worker


def check_outputs(verdict: Any, title: str, source: str) -> str | None:
    """Render every format the command line writes; what is wrong with them, if anything."""
    from sharing_rules._cli import _render_one
    from sharing_rules._render import Report, render_html

    report = Report(verdict, title, source)
    expected = verdict.to_dict()
    for fmt in ("text", "markdown", "json", "jsonl"):
        for color in (False, True) if fmt == "text" else (False,):
            out = _render_one(fmt, report, color)
            if UNSAFE.search(SGR.sub("", out).replace("\n", "")):
                return f"{fmt} output (colour {color}) lets a control character out"
            if fmt == "jsonl" and len(out.splitlines()) != 1:
                return "a JSON Lines record spans several lines"
            if fmt in ("json", "jsonl") and json.loads(out) != expected:
                return f"{fmt} output does not read back as the verdict"
    page = render_html([report])
    if UNSAFE.search(page.replace("\n", "")):
        return "html output lets a control character out"
    return None


def work(path: str, assessor: Any) -> tuple[str, str]:
    import sharing_rules as sr

    try:
        proposal = sr.load_proposal(path)
    except sr.ProposalError as err:
        if not err.problems:
            return "violation", "ProposalError without problems"
        return "rejected", ""
    verdict = assessor.assess(proposal)
    problem = check_outputs(verdict, proposal.title, path)
    return ("violation", problem) if problem else ("ok", "")


def inject(what: str) -> None:
    """The self-test hook (--inject): fail as a broken library would."""
    if what == "crash":
        os._exit(70)
    if what == "hang":
        time.sleep(3600)
    if what == "exception":
        raise KeyError("injected")


def worker_main(conn: multiprocessing.connection.Connection, folder: str, injected: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    warnings.simplefilter("ignore")  # advice to authors (InputWarning) is not a failure
    import sharing_rules as sr

    assessor = sr.Assessor()
    conn.send(("ready",))
    faults = injected.split(",") if injected else []
    while True:
        job = conn.recv()
        if job is None:
            return
        index, suffix, data = job
        path = Path(folder) / f"input-{index}{suffix}"
        path.write_bytes(data)
        try:
            if index < len(faults):
                inject(faults[index])
            outcome, detail = work(str(path), assessor)
        except Exception as err:
            frames = traceback.extract_tb(err.__traceback__)
            own = [f for f in frames if "sharing_rules" in f.filename] or frames
            where = f"{Path(own[-1].filename).name}:{own[-1].lineno} in {own[-1].name}"
            outcome = "exception"
            detail = f"{type(err).__name__} at {where}: {str(err)[:300]}"
        finally:
            path.unlink(missing_ok=True)
        conn.send((outcome, detail))


class Worker:
    def __init__(self, ctx: Any, folder: str, injected: str) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker_main, args=(child, folder, injected), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False
        self.job: tuple[int, str, str, bytes] | None = None
        self.deadline = math.inf

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join()
        self.conn.close()


# ---------------------------------------------------------------- the run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per input")
    parser.add_argument("--out", default="fuzz-failures", help="folder for failing inputs")
    parser.add_argument("--show", type=int, default=5, help="failures to print")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.add_argument(
        "--inject",
        default="",
        metavar="KINDS",
        help="self-test: make inputs 0, 1, ... fail as given (crash,hang,exception)",
    )
    args = parser.parse_args(argv)

    out = Path(args.out)
    sys.setrecursionlimit(20_000)  # to write deeply nested inputs (the workers keep the default)
    ctx = multiprocessing.get_context("spawn")
    counts: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    shown: list[str] = []
    start = time.monotonic()
    todo = inputs(args.count, args.seed)
    exhausted = False

    def record(job: tuple[int, str, str, bytes], outcome: str, detail: str) -> None:
        counts[outcome] += 1
        counts[f"{job[1]}:{outcome}"] += 1
        if outcome in ("ok", "rejected"):
            return
        kind = detail.split(": ")[0] if outcome == "exception" else detail
        classes[f"{outcome}: {kind}"] += 1
        out.mkdir(parents=True, exist_ok=True)
        name = f"{outcome}-{job[1]}-{job[0]}{job[2]}"
        (out / name).write_bytes(job[3])
        (out / f"{name}.txt").write_text(f"{outcome}: {detail}\n", encoding="utf-8")
        if len(shown) < args.show:
            shown.append(f"{out / name}: {outcome}: {detail}")

    again: list[tuple[int, str, str, bytes]] = []  # inputs to run once more
    retried: set[int] = set()

    def second_chance(job: tuple[int, str, str, bytes]) -> bool:
        """Run a crash or hang once more in a fresh worker, so that a stall of a loaded
        machine is not counted: only what fails twice is."""
        if job[0] in retried:
            return False
        retried.add(job[0])
        again.append(job)
        return True

    with tempfile.TemporaryDirectory(prefix="sr-fuzz-") as folder:
        workers = [Worker(ctx, folder, args.inject) for _ in range(args.workers)]
        try:
            while True:
                for worker in workers:
                    if worker.ready and worker.job is None and not (exhausted and not again):
                        job = again.pop() if again else next(todo, None)
                        if job is None:
                            exhausted = True
                            continue
                        worker.job = job
                        worker.deadline = time.monotonic() + args.timeout
                        worker.conn.send((job[0], job[2], job[3]))
                if exhausted and not again and all(w.job is None for w in workers):
                    break
                now = time.monotonic()
                wait = max(0.0, min([w.deadline for w in workers] + [now + 60]) - now)
                for conn in multiprocessing.connection.wait([w.conn for w in workers], wait):
                    worker = next(w for w in workers if w.conn is conn)
                    try:
                        message = conn.recv()
                    except (EOFError, OSError):
                        message = ("crash", f"worker died (exit {worker.proc.exitcode})")
                    if message == ("ready",):
                        worker.ready = True
                        continue
                    if worker.job is None:  # died while starting
                        raise SystemExit(f"a worker could not start: {message}")
                    if message[0] != "crash" or not second_chance(worker.job):
                        record(worker.job, *message)
                    worker.job, worker.deadline = None, math.inf
                    if message[0] == "crash":
                        worker.kill()
                        workers[workers.index(worker)] = Worker(ctx, folder, args.inject)
                for index, worker in enumerate(workers):
                    if worker.job is not None and time.monotonic() > worker.deadline:
                        if not second_chance(worker.job):
                            record(worker.job, "hang", f"over {args.timeout:g} s, twice")
                        worker.kill()
                        workers[index] = Worker(ctx, folder, args.inject)
                done = sum(
                    counts[k] for k in ("ok", "rejected", "exception", "crash", "hang", "violation")
                )
                if done and done % 5000 == 0 and counts["_printed"] != done:
                    counts["_printed"] = done
                    print(f"  {done} inputs, {time.monotonic() - start:.0f} s", flush=True)
        finally:
            for worker in workers:
                if worker.proc.is_alive():
                    worker.conn.send(None)
                    worker.proc.join(5)
                    if worker.proc.is_alive():
                        worker.kill()
    del counts["_printed"]
    failures = sum(counts[k] for k in ("crash", "hang", "exception", "violation"))
    total = sum(counts[k] for k in ("ok", "rejected", "crash", "hang", "exception", "violation"))
    summary = {
        "inputs": total,
        "seed": args.seed,
        "seconds": round(time.monotonic() - start, 1),
        **{k: counts[k] for k in ("ok", "rejected", "crash", "hang", "exception", "violation")},
        "by_kind": {k: v for k, v in sorted(counts.items()) if ":" in k},
        "classes": dict(classes.most_common()),
    }
    print(
        f"{total} inputs in {summary['seconds']} s: {counts['ok']} assessed, "
        f"{counts['rejected']} rejected with ProposalError; {counts['crash']} crashes, "
        f"{counts['hang']} hangs, {counts['exception']} other exceptions, "
        f"{counts['violation']} output violations"
    )
    for name, number in classes.most_common():
        print(f"  {number:6d}  {name}")
    for line in shown:
        print(f"  first failures: {line}")
    if args.json:
        print(json.dumps(summary))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
