"""Pre-check a folder of data sharing agreement files in a CI pipeline.

    python examples/integrations/dsa_precheck.py AGREEMENTS REPORTS [--rules PACK] [--strict]

For every proposal file in the folder AGREEMENTS (``*.yaml``, ``*.yml``, ``*.json``) it runs
the command line twice: ``sharing-rules assess FILE --format jsonl`` for the verdict and
``--format markdown`` for a report people can read. It writes to the folder REPORTS:

- ``<name>.md``: the Markdown report of each agreement (none if the file could not be read);
- ``verdicts.jsonl``: every verdict, one JSON object per line;
- ``summary.md``: a table of the agreements, their outcomes and their reports (also added
  to the GitHub Actions job summary when ``GITHUB_STEP_SUMMARY`` is set).

It exits with the status ``sharing-rules assess`` gives for the whole folder: 0 if every
agreement is acceptable (or acceptable with conditions; 1 for those too with ``--strict``),
1 if any is not acceptable, 2 if a file could not be assessed, 3 if some lack the
information to decide. Any status but 0 fails the pipeline step.

It runs ``sharing-rules`` from ``PATH`` (or ``python -m sharing_rules`` if it is not there),
so it works from any CI image with the package installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SUFFIXES = (".yaml", ".yml", ".json")
WORST_FIRST = (2, 1, 3, 0)  # the order sharing-rules assess uses for several files
LABELS = {
    "acceptable": "acceptable",
    "acceptable_with_conditions": "acceptable with conditions",
    "not_acceptable": "**not acceptable**",
    "insufficient_information": "insufficient information",
}


def sharing_rules() -> list[str]:
    """The command to run: ``sharing-rules`` on PATH, else this Python's module."""
    found = shutil.which("sharing-rules")
    return [found] if found else [sys.executable, "-m", "sharing_rules"]


def assess(path: Path, fmt: str, extra: list[str]) -> subprocess.CompletedProcess[str]:
    command = [*sharing_rules(), "assess", str(path), "--format", fmt, *extra]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("agreements", type=Path, help="folder of proposal files")
    parser.add_argument("reports", type=Path, help="folder to write the reports to")
    parser.add_argument("--rules", action="append", default=[], metavar="PACK")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)

    files = sorted(p for p in args.agreements.iterdir() if p.suffix in SUFFIXES)
    if not files:
        print(f"error: no proposal files in {args.agreements}", file=sys.stderr)
        return 2
    stems = [p.stem for p in files]
    if len(set(stems)) != len(stems):
        print("error: two files share a name; their reports would clash", file=sys.stderr)
        return 2
    extra = [arg for pack in args.rules for arg in ("--rules", pack)]
    extra += ["--strict"] if args.strict else []
    args.reports.mkdir(parents=True, exist_ok=True)

    codes: list[int] = []
    verdicts: list[str] = []
    rows: list[str] = []
    packs: set[str] = set()
    for path in files:
        result = assess(path, "jsonl", extra)
        codes.append(result.returncode)
        if result.returncode == 2 or not result.stdout.strip():
            error = result.stderr.strip().replace("\n", " ")
            print(f"{path.name}: error: {error}", file=sys.stderr)
            rows.append(f"| `{path.name}` | | error: {error.replace('|', '/')} | |")
            continue
        verdict = json.loads(result.stdout)
        verdicts.append(result.stdout.strip())
        pack = verdict["rule_pack"]
        packs.add(f"{pack['id']} {pack['version']} (`{pack['digest']}`)")
        report = args.reports / f"{path.stem}.md"
        markdown = assess(path, "markdown", [*extra, "--output", str(report)])
        if markdown.returncode != result.returncode:  # both runs must agree
            print(f"{path.name}: the report run failed: {markdown.stderr}", file=sys.stderr)
            codes.append(2)
        outcome = LABELS[verdict["outcome"]]
        print(f"{path.name}: {outcome.strip('*')} (report: {report})")
        link = f"[{report.name}]({report.name})"
        rows.append(f"| `{path.name}` | {verdict['proposal_id']} | {outcome} | {link} |")

    # Any status but 0, 1 and 3 is a failure to assess, reported as 2.
    codes = [code if code in (0, 1, 3) else 2 for code in codes]
    status = next((code for code in WORST_FIRST if code in codes), 0)
    (args.reports / "verdicts.jsonl").write_text(
        "".join(line + "\n" for line in verdicts), encoding="utf-8"
    )
    summary = "\n".join(
        [
            "# Data sharing agreement pre-check",
            "",
            "| Agreement | Proposal | Outcome | Report |",
            "|---|---|---|---|",
            *rows,
            "",
            f"{len(files)} agreement(s) checked; exit status {status}.",
            *(f"Rule pack: {pack}." for pack in sorted(packs)),
            "",
        ]
    )
    (args.reports / "summary.md").write_text(summary, encoding="utf-8")
    job_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if job_summary:
        with open(job_summary, "a", encoding="utf-8") as handle:
            handle.write(summary)
    return status


if __name__ == "__main__":
    sys.exit(main())
