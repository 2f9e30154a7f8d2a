"""Safe YAML and JSON reading shared by proposals and rule packs.

Limits, applied before any value is built: at most :data:`MAX_DEPTH` levels of nesting,
and YAML aliases (``*name``) may not expand the document beyond :data:`MAX_ALIAS_VALUES`
values nor refer to themselves. JSON is parsed by a JSON parser, keeping line numbers.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from typing import Any

import yaml

from ._errors import InputWarning, Problem
from ._files import InputProblem

__all__ = [
    "MAX_ALIAS_VALUES",
    "MAX_DEPTH",
    "YamlProblem",
    "line_for",
    "parse_document",
    "parse_with_lines",
]

MAX_DEPTH = 64
"""The deepest nesting of mappings and lists read."""

MAX_ALIAS_VALUES = 100_000
"""The most values a YAML document that uses aliases may expand to."""

YamlProblem = InputProblem  # the name other modules have used


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it


class _UniqueKeyLoader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader that refuses duplicate keys instead of keeping the last one silently."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:  # a list or mapping used as a key (``? [a, b]``)
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be text, not a list or mapping", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen[key] = loader.construct_object(value_node)
    return seen


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _marked(constructor: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A scalar constructor whose failures (``2026-02-30``, ``!!float x``) carry the line."""

    def construct(loader: Any, node: yaml.Node) -> Any:
        try:
            return constructor(loader, node)
        except yaml.YAMLError:
            raise
        except Exception as exc:
            tag = node.tag.rsplit(":", 1)[-1]
            what = "a real date (YYYY-MM-DD)" if tag == "timestamp" else f"a valid {tag} ({exc})"
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not {what}; quote it if it is text", node.start_mark
            ) from None

    return construct


for _tag in ("bool", "int", "float", "binary", "timestamp", "null"):
    _full = f"tag:yaml.org,2002:{_tag}"
    _UniqueKeyLoader.add_constructor(_full, _marked(_UniqueKeyLoader.yaml_constructors[_full]))


def parse_document(text: str, source: str | None = None) -> Any:
    """Parse YAML or JSON safely: no Python tags, no code, no duplicate keys."""
    return parse_with_lines(text, source)[0]


def is_json(text: str, source: str | None) -> bool:
    """Whether to read ``text`` as JSON: a ``.json`` file, or JSON-looking text from
    anywhere but a ``.yaml``/``.yml`` file."""
    name = (source or "").lower()
    if name.endswith(".json"):
        return True
    if name.endswith((".yaml", ".yml")):
        return False
    return re.match(r'\s*(\{\s*["}]|\[)', text) is not None


def parse_with_lines(text: str, source: str | None = None) -> tuple[Any, dict[str, int]]:
    """Parse like :func:`parse_document`, and map JSON-like paths (``$.rules[2].id``) to
    their 1-based line numbers, from the same single parse."""
    if not text.strip():
        raise InputProblem(
            Problem("$", "the document is empty", "write a mapping", source, code="empty")
        )
    if is_json(text, source):
        data, lines = _parse_json(text, source)
    else:
        data, lines = _parse_yaml(text, source)
    if "\\u" in text or "\\U" in text:  # only an escape can make a lone surrogate
        _refuse_surrogates(data, lines, source)
    return data, lines


# ----------------------------------------------------------------------------- YAML


def _parse_yaml(text: str, source: str | None) -> tuple[Any, dict[str, int]]:
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()  # libyaml refuses nesting over 1,000 levels itself
        lines, cut = _check_nodes(node, source, text)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc, source) from None
    except yaml.YAMLError as exc:
        raise InputProblem(
            Problem("$", f"invalid YAML: {exc}", None, source, code="invalid-yaml")
        ) from None
    except RecursionError:  # the pure-Python composer, without libyaml
        raise _too_deep(source, None) from None
    finally:
        loader.dispose()
    for problem in cut:
        warnings.warn(InputWarning(problem), stacklevel=4)
    return data, lines


def _yaml_problem(exc: yaml.MarkedYAMLError, source: str | None) -> InputProblem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = f", column {mark.column + 1}" if mark else ""
    what = exc.problem or exc.context or "invalid YAML"
    hint = "check indentation and quoting"
    if what.startswith("duplicate key"):
        hint = "each key may appear once in a mapping"
        return InputProblem(Problem("$", what, hint, source, line, code="duplicate-key"))
    if "nesting depth" in what:
        return InputProblem(
            Problem("$", f"nested too deep: {what}", None, source, line, code="too-deep")
        )
    if "\u201c" in what or "\u2018" in what or "found character" in what:
        hint = "use straight quotes (\" or ') rather than curly quotes from a word processor"
    return InputProblem(
        Problem("$", f"invalid YAML{column}: {what}", hint, source, line, code="invalid-yaml")
    )


def _too_deep(source: str | None, line: int | None) -> InputProblem:
    return InputProblem(
        Problem(
            "$",
            f"nested more than {MAX_DEPTH} levels deep",
            "a proposal or rule is a few levels deep; check the file",
            source,
            line,
            code="too-deep",
        )
    )


def _check_nodes(
    root: yaml.Node | None, source: str | None, text: str
) -> tuple[dict[str, int], list[Problem]]:
    """One walk over the composed nodes, before any value is built, visiting each node once
    (an alias shares its anchor's node): the line of every path; refuse nesting deeper than
    MAX_DEPTH and aliases that contain themselves or expand past MAX_ALIAS_VALUES values;
    and find plain text that an unquoted `` #`` cut short."""
    lines: dict[str, int] = {}
    cut: list[Problem] = []
    text_lines = text.splitlines() if (" #" in text or "\t#" in text) else None
    sizes: dict[int, int] = {}  # values a finished node expands to
    open_nodes: set[int] = set()
    aliased = False
    # (node, path, depth, leaving): leaving marks the second visit, after the children
    stack: list[tuple[yaml.Node, str, int, bool]] = [(root, "$", 1, False)] if root else []
    while stack:
        node, path, depth, leaving = stack.pop()
        key = id(node)
        if leaving:
            open_nodes.discard(key)
            children = (
                [n for pair in node.value for n in pair]
                if isinstance(node, yaml.MappingNode)
                else node.value
            )
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if aliased and sizes[key] > MAX_ALIAS_VALUES:
                raise _alias_problem(
                    node, source, f"aliases expand the document beyond {MAX_ALIAS_VALUES:,} values"
                )
            continue
        lines.setdefault(path, node.start_mark.line + 1)
        if key in open_nodes:
            raise _alias_problem(node, source, "an alias refers to a node that contains it")
        if key in sizes:
            aliased = True
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            if text_lines is not None and not node.style:
                _check_cut(node, path, text_lines, source, cut)
            continue
        if depth > MAX_DEPTH:
            raise _too_deep(source, node.start_mark.line + 1)
        open_nodes.add(key)
        stack.append((node, path, depth, True))
        if isinstance(node, yaml.MappingNode):
            for key_node, value in reversed(node.value):
                child = f"{path}.{key_node.value}"
                line = key_node.start_mark.line + 1
                lines[child] = line
                if key_node.tag.endswith(":bool"):  # `no:` is the key False
                    truthy = key_node.value.lower() in ("y", "yes", "true", "on")
                    lines.setdefault(f"{path}.{truthy}", line)
                stack.append((value, child, depth + 1, False))
                stack.append((key_node, child, depth + 1, False))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(
                (value, f"{path}[{index}]", depth + 1, False)
                for index, value in reversed(list(enumerate(node.value)))
            )
    return lines, cut


_CUT = re.compile(r"[ \t]+#(?=\S)")


def _check_cut(
    node: yaml.ScalarNode, path: str, lines: list[str], source: str | None, cut: list[Problem]
) -> None:
    """Plain text followed by `` #word``: YAML reads the rest of the line as a comment, so
    ``Visit homes #2 first`` becomes ``Visit homes``."""
    mark = node.end_mark
    rest = lines[mark.line][mark.column :] if mark is not None and mark.line < len(lines) else ""
    if _CUT.match(rest):
        cut.append(
            Problem(
                path,
                f"the text {node.value!r} stops at ' #': YAML reads {rest.strip()!r} as a comment",
                "put the whole text in quotes if the '#' part belongs to it",
                source,
                mark.line + 1,
                code="text-cut-by-comment",
            )
        )


def _alias_problem(node: yaml.Node, source: str | None, message: str) -> InputProblem:
    return InputProblem(
        Problem(
            "$",
            message,
            "write the values out instead of using anchors (&) and aliases (*)",
            source,
            node.start_mark.line + 1,
            code="alias-refused",
        )
    )


# ----------------------------------------------------------------------------- JSON


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON; write a number")


def _parse_json(text: str, source: str | None) -> tuple[Any, dict[str, int]]:
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputProblem(
            Problem(
                "$",
                f"invalid JSON, column {exc.colno}: {exc.msg}",
                "check commas (none after the last item), quotes and brackets",
                source,
                exc.lineno,
                code="invalid-json",
            )
        ) from None
    except RecursionError:
        raise InputProblem(
            Problem("$", f"nested more than {MAX_DEPTH} levels deep", None, source, code="too-deep")
        ) from None
    except ValueError as exc:
        raise InputProblem(Problem("$", str(exc), None, source, code="invalid-json")) from None
    return data, _json_lines(text, source)


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def _json_lines(text: str, source: str | None) -> dict[str, int]:
    """Lines of every path in valid JSON text, refusing duplicate keys and deep nesting."""
    out: dict[str, int] = {}
    # open containers: [path, is_object, index or key path, keys seen, expecting a key]
    stack: list[list[Any]] = []
    line, last = 1, 0
    for match in _JSON_TOKEN.finditer(text):
        token, start = match.group(), match.start()
        line += text.count("\n", last, start)
        last = start
        top = stack[-1] if stack else None
        if token in ":":
            continue
        if token == ",":
            if top is not None and top[1]:
                top[4] = True
            elif top is not None:
                top[2] += 1
            continue
        if token in "}]":
            stack.pop()
            continue
        if top is not None and top[1] and top[4]:  # a key
            key = json.loads(token)
            path = f"{top[0]}.{key}"
            if key in top[3]:
                raise InputProblem(
                    Problem(
                        path,
                        f"duplicate key {key!r}",
                        "each key may appear once in a mapping",
                        source,
                        line,
                        code="duplicate-key",
                    )
                )
            top[3].add(key)
            top[2], top[4] = path, False
            out[path] = line
            continue
        path = "$" if top is None else top[2] if top[1] else f"{top[0]}[{top[2]}]"
        out.setdefault(path, line)
        if token in "{[":
            stack.append([path, token == "{", None if token == "{" else 0, set(), True])
            if len(stack) > MAX_DEPTH:
                raise InputProblem(
                    Problem(
                        "$",
                        f"nested more than {MAX_DEPTH} levels deep",
                        None,
                        source,
                        line,
                        code="too-deep",
                    )
                )
    return out


# ----------------------------------------------------------------------------- checks


def _refuse_surrogates(data: Any, lines: dict[str, int], source: str | None) -> None:
    """Refuse text holding a lone surrogate (``"\\ud800"``), which no file can encode."""
    stack: list[tuple[Any, str]] = [(data, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, path))
                stack.append((item, f"{path}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(value))
        elif isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InputProblem(
                    Problem(
                        path,
                        "the text holds a lone surrogate escape (such as \\ud800), "
                        "which is not a character",
                        "write the character itself, or a complete surrogate pair",
                        source,
                        line_for(lines, path),
                        code="encoding",
                    )
                ) from None


def line_for(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path``, or of its nearest parent that has one."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
