"""The docs cannot rot: every Python block in the README and docs/ runs, the commands shown
in shell blocks exit as their comments say, shown output is what the commands print, and
the API reference documents every public name."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sharing_rules as sr
import sharing_rules.strategies

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def fenced(language: str) -> re.Pattern[str]:
    """Fenced blocks in that language, also indented ones (in a list item)."""
    return re.compile(rf"^([ \t]*)```{language}\n(.*?)^\1```", re.S | re.M)


BLOCK = fenced("python")
SH_BLOCK = fenced("sh")
CONSOLE_BLOCK = fenced("console")
# A file included whole by pymdownx.snippets, as the site shows it.
SNIPPET = re.compile(r'^--8<-- "([^"]+)"\n?$')
# A command whose comment gives its exit status: `sharing-rules assess x.yaml  # exit 1: ...`
EXIT_COMMENT = re.compile(r"^(?P<command>\S.*?)\s+# exit (?P<status>\d+)\b")


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_python_blocks_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    text = page.read_text(encoding="utf-8")
    for match in BLOCK.finditer(text):
        source = textwrap.dedent(match.group(2))
        snippet = SNIPPET.match(source)
        if snippet:  # run the included file, so tracebacks show its own lines
            path = ROOT / snippet.group(1)
            code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
        else:
            line = text.count("\n", 0, match.start(2))  # so tracebacks show the page's lines
            code = compile("\n" * line + source, str(page), "exec")
        exec(code, namespace)


# ---------------------------------------------------------------- shell blocks


def commands(page: Path) -> list[tuple[str, int]]:
    """The commands in the page's sh blocks that say their exit status, in order."""
    found = []
    for block in SH_BLOCK.finditer(page.read_text(encoding="utf-8")):
        for line in textwrap.dedent(block.group(2)).replace("\\\n", " ").splitlines():
            match = EXIT_COMMENT.match(line)
            if match:
                found.append((match.group("command"), int(match.group("status"))))
    return found


def shell_environment(tmp_path: Path) -> dict[str, str]:
    """A scratch copy of the shipped examples and rules, with this Python's scripts first on
    PATH, so the commands run as a reader at the repository's root would run them."""
    for name in ("examples", "rules"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_STEP_SUMMARY")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_shell(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PAGES_WITH_COMMANDS = [page for page in PAGES if commands(page)]


@pytest.mark.parametrize("page", PAGES_WITH_COMMANDS, ids=page_id)
def test_shell_commands_exit_as_documented(page: Path, tmp_path: Path) -> None:
    env = shell_environment(tmp_path)
    for command, status in commands(page):  # in order: a later command may use a file
        result = run_shell(command, tmp_path, env)
        assert result.returncode == status, (
            f"{page_id(page)}: `{command}` exited {result.returncode}, the page says {status}"
            f"\n{result.stderr}"
        )


def test_the_command_line_page_shows_every_command_running() -> None:
    shown = [command for command, _ in commands(DOCS / "cli.md")]
    for name in ("assess", "init", "rules list", "rules show", "rules validate", "rules test"):
        assert any(f"sharing-rules {name}" in command for command in shown), name
    assert any("sharing-rules schema" in command for command in shown)
    assert {status for _, status in commands(DOCS / "cli.md")} == {0, 1, 2, 3}


CONSOLE_PAGES = [p for p in PAGES if CONSOLE_BLOCK.search(p.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", CONSOLE_PAGES, ids=page_id)
def test_console_blocks_show_real_output(page: Path, tmp_path: Path) -> None:
    """A console block is `$ command` then lines of its output, in order; `...` marks
    lines left out."""
    env = shell_environment(tmp_path)
    for block in CONSOLE_BLOCK.finditer(page.read_text(encoding="utf-8")):
        first, *shown = textwrap.dedent(block.group(2)).rstrip("\n").split("\n")
        assert first.startswith("$ "), first
        result = run_shell(first[2:], tmp_path, env)
        actual = (result.stdout + result.stderr).splitlines()
        position = 0
        for line in (s.rstrip() for s in shown if s.strip() != "..."):
            try:
                position = actual.index(line, position) + 1
            except ValueError:
                pytest.fail(f"{page_id(page)}: `{first[2:]}` does not print {line!r} here")


# ---------------------------------------------------------------- the site


def test_the_api_reference_documents_every_public_name() -> None:
    directives = re.findall(r"^::: ([\w.]+)$", (DOCS / "api.md").read_text(), re.M)
    documented = {d.removeprefix("sharing_rules.") for d in directives}
    missing = sorted(set(sr.__all__) - documented)
    assert not missing, f"add `::: sharing_rules.NAME` to docs/api.md for {missing}"
    assert "strategies" in documented
    assert sharing_rules.strategies.__all__
    unknown = documented - set(sr.__all__) - {"strategies"}
    assert not unknown, f"docs/api.md documents names that are not public: {unknown}"
    assert len(directives) == len(documented), "a name is documented twice"


def test_the_changelog_page_is_the_changelog() -> None:
    # pymdownx.snippets includes the file when the site is built (and fails if it is gone).
    assert (DOCS / "changelog.md").read_text() == '--8<-- "CHANGELOG.md"\n'
    assert (ROOT / "CHANGELOG.md").read_text().startswith("# Changelog")


def test_every_page_is_in_the_site_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text()
    nav = set(re.findall(r"^\s+- (?:[^:\n]+: )?([\w/.-]+\.md)$", config, re.M))
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert pages <= nav, f"pages left out of mkdocs.yml's nav: {sorted(pages - nav)}"


def test_the_generated_tables_are_current() -> None:
    from sharing_rules import _docgen

    assert _docgen.main(["--check", "--docs", str(DOCS)]) == 0, (
        "run python -m sharing_rules._docgen to regenerate the tables in docs/"
    )
