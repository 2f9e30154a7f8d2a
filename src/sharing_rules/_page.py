"""The shell of the self-contained HTML pages of dialogue kits and the public register."""

from __future__ import annotations

import html

from ._render import _CSS

__all__ = ["esc", "page"]

_PRINT = """
@page { size: A4; margin: 15mm; }
.sheet { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 1.5rem 2rem; margin-bottom: 2rem; }
.answer-boxes { display: flex; gap: .5rem; flex-wrap: wrap; }
.answer-boxes span { border: 1px solid var(--ink); border-radius: 4px; padding: .2rem .5rem;
  min-width: 6.5rem; }
.note { background: var(--muted-bg); padding: .5rem .75rem; border-radius: 4px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { padding: 0; max-width: none; }
  .sheet { border: 0; padding: 0; margin: 0; break-after: page; }
  .sheet:last-child { break-after: auto; }
  tr, li, .question { break-inside: avoid; }
  .no-print { display: none; }
}
"""


def esc(text: object) -> str:
    """Text escaped for HTML content and attributes."""
    return html.escape(str(text), quote=True)


def page(title: str, body: str, *, script: str = "", css: str = "") -> str:
    """A whole HTML page: inline CSS (screen and A4 print), no external resources."""
    tail = f"<script>{script}</script>" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}{_PRINT}{css}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n{tail}</body>\n</html>\n"
    )
