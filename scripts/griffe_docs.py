"""A Griffe extension for the API reference (docs/api.md), loaded by mkdocs.yml.

It changes what mkdocstrings renders, never the source:

- The library's docstrings cross-reference with Sphinx roles (``:class:`Assessor```,
  ``:meth:`Verdict.to_dict```), which mkdocstrings, reading docstrings as Markdown, would
  show as they are. Each role naming a public name (one in the ``__all__`` of the package
  or of a public module) becomes a cross-reference, checked by the strict build; any other
  becomes plain code.
- Doctest examples (``>>>`` lines and their output), which Markdown would read as quotes,
  become ``pycon`` code blocks.
- An attribute whose value is not a literal (an attrs field definition such as
  ``_text(required=True)``, a private constant, an expression in ``__init__``) is shown
  without it: that value is how the field is built, not something a caller can use.
  Literal values, such as the string of each enumeration member, are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|exc|data|obj|mod):`[~.]*([\w.]+?)(?:\(\))?`")
LITERALS = (griffe.ExprTuple, griffe.ExprList, griffe.ExprDict, griffe.ExprSet)


def _fence_doctests(text: str) -> str:
    """Put each run of doctest lines (from ``>>>`` to the next blank line) in a code block."""
    out: list[str] = []
    in_example = in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```") and not in_example:
            in_fence = not in_fence  # already in a code block: leave it alone
        elif not in_example and not in_fence and line.lstrip().startswith(">>>"):
            in_example = True
            out.append("```pycon")
        elif in_example and not line.strip():
            in_example = False
            out.append("```")
        out.append(line)
    if in_example:
        out.append("```")
    return "\n".join(out)


def _public_modules(module: griffe.Module) -> Iterator[griffe.Module]:
    yield module
    for member in module.modules.values():
        if not member.name.startswith("_"):
            yield from _public_modules(member)


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not member.is_alias and isinstance(member, griffe.Object):
            yield from _objects(member)


class ApiDocs(griffe.Extension):
    """Rewrite Sphinx roles in docstrings and hide computed attribute values."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        exports = {
            module.path: {str(name) for name in module.exports or ()}
            for module in _public_modules(pkg)
        }

        def target(name: str, module: str) -> str | None:
            head = name.split(".")[0]
            for scope in (module, pkg.path):  # the object's own public module first
                if head in exports.get(scope, ()):
                    return f"{scope}.{name}"
            return None

        for obj in _objects(pkg):
            value = obj.value if isinstance(obj, griffe.Attribute) else None
            if isinstance(value, griffe.Expr) and not isinstance(value, LITERALS):
                obj.value = None
            if obj.docstring is None:
                continue
            module = obj.module.path

            def link(match: re.Match[str], module: str = module) -> str:
                name = match.group(1)
                identifier = target(name, module)
                return f"[`{name}`][{identifier}]" if identifier else f"`{name}`"

            obj.docstring.value = _fence_doctests(ROLE.sub(link, obj.docstring.value))
