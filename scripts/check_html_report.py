#!/usr/bin/env python3
"""Check that an HTML report looks right in a real browser (headless Chromium).

Renders a proposal's report with ``sharing-rules assess --format html``, loads it in
headless Chromium, and checks that the rendered page shows the outcome, the three tests
and every criterion not met (by rule id). It also takes a screenshot of the top of the
page (the outcome, tests, key features and first findings; --full-page for all of it).

    python scripts/check_html_report.py                      # gang-list example, temp files
    python scripts/check_html_report.py examples/gang-list-schools.yaml \\
        --html docs/example-report.html --png docs/example-report.png

Regenerate the picture in ``docs/`` with the second form. Needs Chromium (Debian:
``apt-get install chromium``); not part of the test suite. Exits 0 if every check passes,
1 if one fails, 2 if Chromium cannot be run.
"""

from __future__ import annotations

import argparse
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import sharing_rules
from sharing_rules._render import OUTCOME_LABELS

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WIDTH = 1100
TOP_HEIGHT = 2000  #: the picture shows the outcome, tests, features and first findings
MEASURE = (
    "<script>document.body.setAttribute('data-page-height', "
    "String(document.documentElement.scrollHeight));</script></body>"
)


class _Page(html.parser.HTMLParser):
    """The visible text of a page, and the data attributes of its elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.attrs: list[dict[str, str | None]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.append(dict(attrs, tag=tag))
        if tag in ("style", "script", "head"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def _browser(given: str | None) -> str:
    for name in [given] if given else BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    sys.exit(
        "error: no Chromium found; install it (Debian: apt-get install chromium) "
        "or pass --chromium PATH"
    )


def _run(browser: str, *args: str) -> str:
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--no-first-run",
        "--disable-extensions",
        *args,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"error: cannot run {browser}: {exc}", file=sys.stderr)
        sys.exit(2)
    return done.stdout


def _render(proposal: Path, target: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sharing_rules",
            "assess",
            str(proposal),
            "--format",
            "html",
            "--output",
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 2 or not target.exists():
        sys.exit(f"error: sharing-rules could not assess {proposal}:\n{done.stderr}")


def check(
    proposal: Path, html_path: Path, png_path: Path, browser: str, full_page: bool = False
) -> list[str]:
    """Render, load in Chromium, and return the checks that failed."""
    _render(proposal, html_path)
    verdict = sharing_rules.assess(proposal)
    dom = _run(browser, "--dump-dom", html_path.resolve().as_uri())
    page = _Page()
    page.feed(dom)
    text = page.visible
    failures = []
    outcome = f"Outcome: {OUTCOME_LABELS[verdict.outcome]}"
    if outcome not in text:
        failures.append(f"the page does not show {outcome!r}")
    shown = {a.get("data-outcome") for a in page.attrs if a.get("data-outcome")}
    if shown != {verdict.outcome.value}:
        failures.append(f"the report is marked with outcome {shown}, not {verdict.outcome}")
    tests = {a.get("data-test") for a in page.attrs if a.get("data-test")}
    for key, test in verdict.tests.items():
        if key not in tests or test.name not in text:
            failures.append(f"the test {test.name!r} is missing")
    if len(verdict.tests) != 3:
        failures.append(f"expected the three tests, the verdict has {len(verdict.tests)}")
    unmet = {
        a.get("data-rule-id")
        for a in page.attrs
        if a.get("data-status") == "not_met" and a.get("data-rule-id")
    }
    for finding in verdict.unmet:
        if finding.rule_id not in unmet or finding.rule_id not in text:
            failures.append(f"the criterion not met {finding.rule_id!r} is missing")
    external = [
        a
        for a in page.attrs
        if re.match(r"(?i)https?:|//", str(a.get("src") or a.get("href") or ""))
    ]
    if external:
        failures.append(f"the page loads external assets: {external}")
    _screenshot(browser, html_path, png_path, full_page)
    if not png_path.exists() or png_path.stat().st_size == 0:
        failures.append("Chromium wrote no screenshot")
    return failures


def _screenshot(browser: str, html_path: Path, png_path: Path, full_page: bool) -> None:
    """A screenshot of the top of the page (or, with ``full_page``, all of it)."""
    height = TOP_HEIGHT
    if full_page:  # measure the page's height in a copy, then shoot that tall a window
        with tempfile.TemporaryDirectory() as tmp:
            probe = Path(tmp) / "measure.html"
            text = html_path.read_text(encoding="utf-8").replace("</body>", MEASURE)
            probe.write_text(text, encoding="utf-8")
            dom = _run(browser, f"--window-size={WIDTH},800", "--dump-dom", probe.as_uri())
        match = re.search(r'data-page-height="(\d+)"', dom)
        height = min(int(match.group(1)) if match else 3000, 16000)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    _run(
        browser,
        f"--window-size={WIDTH},{height}",
        f"--screenshot={png_path.resolve()}",
        html_path.resolve().as_uri(),
    )


def main() -> int:
    """Run the check; print what failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "proposal", nargs="?", type=Path, default=ROOT / "examples" / "gang-list-schools.yaml"
    )
    parser.add_argument("--html", type=Path, help="where to write the report")
    parser.add_argument("--png", type=Path, help="where to write the screenshot")
    parser.add_argument("--chromium", help="the browser to run")
    parser.add_argument(
        "--full-page", action="store_true", help="screenshot the whole page, not its top"
    )
    args = parser.parse_args()
    browser = _browser(args.chromium)
    with tempfile.TemporaryDirectory() as tmp:
        html_path = args.html or Path(tmp) / "report.html"
        png_path = args.png or Path(tmp) / "report.png"
        if args.html and html_path.exists():
            os.remove(html_path)
        failures = check(args.proposal, html_path, png_path, browser, args.full_page)
        for failure in failures:
            print(f"FAIL: {failure}")
        if not failures:
            print(
                f"OK: {args.proposal} renders in {Path(browser).name} with its outcome, "
                f"the three tests and every criterion not met ({html_path}, {png_path})"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
