"""Safe YAML/JSON reading shared by proposals and rule packs."""

from __future__ import annotations

from typing import Any

import yaml

from ._errors import Problem

__all__ = ["YamlProblem", "line_for", "parse_document", "parse_with_lines"]


class YamlProblem(Exception):
    """Raised with a :class:`Problem` when text is not valid YAML/JSON."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it


class _UniqueKeyLoader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader that refuses duplicate keys instead of keeping the last one silently."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen[key] = loader.construct_object(value_node)
    return seen


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def parse_document(text: str, source: str | None = None) -> Any:
    """Parse YAML (a superset of JSON) safely: no Python tags, no code, no duplicate keys."""
    return parse_with_lines(text, source)[0]


def parse_with_lines(text: str, source: str | None = None) -> tuple[Any, dict[str, int]]:
    """Parse like :func:`parse_document`, and map JSON-like paths (``$.rules[2].id``) to
    their 1-based line numbers, from the same single parse."""
    if not text.strip():
        raise YamlProblem(Problem("$", "the document is empty", "write a mapping", source))
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = f", column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlProblem(
            Problem(
                "$", f"invalid YAML{column}: {what}", "check indentation and quoting", source, line
            )
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem("$", f"invalid YAML: {exc}", None, source)) from None
    finally:
        loader.dispose()
    return data, _node_lines(node, "$", {})


def _node_lines(node: yaml.Node | None, path: str, out: dict[str, int]) -> dict[str, int]:
    if node is None:
        return out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}"
            out[child] = key.start_mark.line + 1
            _node_lines(value, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _node_lines(value, f"{path}[{index}]", out)
    return out


def line_for(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path``, or of its nearest parent that has one."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
