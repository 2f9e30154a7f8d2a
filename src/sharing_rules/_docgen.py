"""Generated parts of the docs: the rule table, the parameters and the fact vocabulary.

    python -m sharing_rules._docgen          # rewrite the generated blocks in docs/
    python -m sharing_rules._docgen --check  # exit 1 if a generated block is out of date

A generated block sits between ``<!-- generated:NAME -->`` and ``<!-- end:NAME -->``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from ._facts import FACTS, LISTS
from ._rules import RulePack, load_rules

__all__ = ["fact_table", "parameter_table", "render_blocks", "rule_table"]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def rule_table(pack: RulePack) -> str:
    """A Markdown table of every rule: id, question, test, features, severity, sources."""
    rows = [
        "| id | question | test | features | severity | sources |",
        "|---|---|---|---|---|---|",
    ]
    for rule in pack.rules:
        features = ", ".join(str(f) for f in rule.features)
        sources = "; ".join(rule.sources)
        rows.append(
            f"| `{rule.id}` | {_cell(rule.title)} | {rule.test} | {features} | "
            f"{rule.severity.value} | {_cell(sources)} |"
        )
    derived = [
        "",
        "Derived facts (computed by the engine before the criteria):",
        "",
        "| id | sets | meaning |",
        "|---|---|---|",
    ]
    for d in pack.derivations:
        derived.append(f"| `{d.id}` | `{d.sets}` | {_cell(d.description)} |")
    return "\n".join(rows + (derived if pack.derivations else []))


def parameter_table(pack: RulePack) -> str:
    """A Markdown table of the pack's parameters: name, default, meaning, rules using it."""
    rows = ["| parameter | default | meaning | used by |", "|---|---|---|---|"]
    users = [(r.id, r.parameters) for r in pack.rules]
    users += [(d.id, d.parameters) for d in pack.derivations]
    for name, param in pack.parameters.items():
        used = [f"`{entry}`" for entry, names in users if name in names]
        rows.append(
            f"| `{name}` | `{param.default!r}` | {_cell(param.description)} | {', '.join(used)} |"
        )
    return "\n".join(rows)


def fact_table() -> str:
    """A Markdown table of the fact vocabulary, with kinds, values and proposal sources."""
    rows = ["| fact | kind | meaning | read from |", "|---|---|---|---|"]
    for fact in FACTS:
        kind = fact.kind if fact.values is None else f"{fact.kind}: {', '.join(fact.values)}"
        rows.append(
            f"| `{fact.path}` | {_cell(kind)} | {_cell(fact.description)} | "
            f"{', '.join(f'`{s}`' for s in fact.source)} |"
        )
    out = ["\n".join(rows)]
    for lst in LISTS:
        item_rows = [
            "",
            f"List `{lst.path}` (one record per item of `{lst.source}`; its length is "
            f"`{lst.count}`, unstated when the list is):",
            "",
            "| item field | kind | meaning | read from |",
            "|---|---|---|---|",
        ]
        for f in lst.items:
            kind = f.kind if f.values is None else f"{f.kind}: {', '.join(f.values)}"
            item_rows.append(
                f"| `{f.path}` | {_cell(kind)} | {_cell(f.description)} | "
                f"`{lst.source}[i].{f.source[0]}` |"
            )
        out.append("\n".join(item_rows))
    return "\n".join(out)


_BLOCKS: dict[str, tuple[str, Callable[[], str]]] = {
    "rules": ("rules.md", lambda: rule_table(load_rules())),
    "facts": ("rules.md", fact_table),
    "parameters": ("rules.md", lambda: parameter_table(load_rules())),
}


def render_blocks(docs: Path) -> dict[Path, str]:
    """The docs pages with their generated blocks brought up to date."""
    pages: dict[Path, str] = {}
    for name, (page, make) in _BLOCKS.items():
        path = docs / page
        text = pages.get(path) or path.read_text(encoding="utf-8")
        pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- end:{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"{path} has no generated block {name!r}")
        body = make()

        def replace(match: re.Match[str], body: str = body) -> str:
            return match.group(1) + body + "\n" + match.group(2)

        pages[path] = pattern.sub(replace, text)
    return pages


def main(argv: list[str]) -> int:
    docs = Path(argv[argv.index("--docs") + 1]) if "--docs" in argv else Path("docs")
    stale = []
    for path, text in render_blocks(docs).items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if "--check" not in argv:
                path.write_text(text, encoding="utf-8")
    if stale and "--check" in argv:
        print(
            "out of date: " + ", ".join(map(str, stale)) + "; run python -m sharing_rules._docgen",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
