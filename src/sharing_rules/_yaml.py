"""Safe YAML/JSON reading shared by proposals and rule packs."""

from __future__ import annotations

from typing import Any

import yaml

from ._errors import Problem

__all__ = ["YamlProblem", "parse_document"]


class YamlProblem(Exception):
    """Raised with a :class:`Problem` when text is not valid YAML/JSON."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one silently."""


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
    if not text.strip():
        raise YamlProblem(Problem("$", "the document is empty", "write a mapping", source))
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
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
