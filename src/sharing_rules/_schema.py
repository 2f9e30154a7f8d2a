"""JSON Schemas (draft 2020-12) of the proposal format and the verdict, generated from the model.

The schemas are not written by hand: :func:`proposal_schema` and :func:`verdict_schema` walk
the attrs classes and their type annotations, so they follow the model. The generated files
ship inside the package (``sharing_rules/schemas/*.json``); regenerate them after changing
the model with ``python -m sharing_rules._schema`` (a test checks they are up to date).

The two formats differ in how they treat absent values. In a proposal, a field that is not
known is simply left out: optional fields are not required and do not accept ``null``. A
verdict writes every field of its own, ``null`` when empty (``public_voice`` is left out
unless dialogue records were given); a finding leaves out the fields that hold their
default (no paths, details, remedy, sources or basis). The verdict JSON (shape 2) differs
from the classes where ``_STORED`` says: each finding is written once, under ``findings``,
and ``tests`` and ``features`` are lists in the pack's order that refer to their findings
by rule id. The schema of shape 1, still read by ``verdict_from_dict``, ships frozen as
``schemas/verdict-v1.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import json
import sys
import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import attrs

from ._model import _PERIOD, Period, Proposal
from ._verdict import FeatureResult, Finding, TestResult, Verdict

__all__ = ["SCHEMA_NAMES", "proposal_schema", "schema_json", "shipped_schema", "verdict_schema"]

SchemaName = Literal["proposal", "verdict"]
SCHEMA_NAMES: tuple[SchemaName, ...] = ("proposal", "verdict")
DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: The ISO 8601 periods the model reads (years, months, weeks, days; at least one).
PERIOD_PATTERN = _PERIOD.pattern.replace("^P", "^P(?!$)", 1)


_RULE_IDS = {
    "type": "array",
    "items": {"type": "string"},
    "description": "The rule ids of its findings, which are written under findings.",
}
#: Verdict fields written otherwise than their classes say (see the module's docstring).
_STORED: dict[tuple[type, str], Callable[[_Generator], dict[str, Any]]] = {
    (Verdict, "tests"): lambda g: {
        "type": "array",
        "items": g.ref(TestResult),
        "description": "The three tests, in the pack's order.",
    },
    (Verdict, "features"): lambda g: {
        "type": "array",
        "items": g.ref(FeatureResult),
        "description": "The key features, in the pack's order.",
    },
    (TestResult, "findings"): lambda g: _RULE_IDS,
    (FeatureResult, "findings"): lambda g: _RULE_IDS,
}
#: Classes whose fields are left out of the verdict JSON when they hold their default.
_OMITS_DEFAULTS = (Finding,)


def _description(cls: type) -> str:
    return inspect.cleandoc(cls.__doc__ or cls.__name__)


class _Generator:
    """Walks attrs classes into ``$defs``; ``output`` selects the verdict conventions."""

    def __init__(self, output: bool) -> None:
        self.output = output
        self.defs: dict[str, dict[str, Any]] = {}

    def ref(self, cls: type) -> dict[str, Any]:
        if cls.__name__ not in self.defs:
            self.defs[cls.__name__] = {}  # reserve the name first: classes may nest
            self.defs[cls.__name__] = self.object(cls)
        return {"$ref": f"#/$defs/{cls.__name__}"}

    def object(self, cls: type) -> dict[str, Any]:
        hints = typing.get_type_hints(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        omits_defaults = self.output and cls in _OMITS_DEFAULTS
        for field in attrs.fields(cls):
            stored = _STORED.get((cls, field.name)) if self.output else None
            hint = hints[field.name]
            properties[field.name] = (
                stored(self) if stored else self.field(field, hint, nullable=not omits_defaults)
            )
            if field.default is attrs.NOTHING or (
                self.output and not omits_defaults and not field.metadata.get("omit_if_none")
            ):
                required.append(field.name)
        out: dict[str, Any] = {
            "type": "object",
            "description": _description(cls),
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        if not required:
            del out["required"]
        return out

    def field(
        self, field: attrs.Attribute[Any], hint: Any, nullable: bool = True
    ) -> dict[str, Any]:
        if field.name == "schema_version" and self.output:
            return {"const": field.default}
        schema = self.type(hint, nullable)
        if not self.output:
            _add_bounds(schema, field.metadata)
        return schema

    def type(self, hint: Any, nullable: bool = True) -> dict[str, Any]:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            options = [a for a in args if a is not type(None)]
            inner = (
                self.type(options[0])
                if len(options) == 1
                else {"anyOf": [self.type(a) for a in options]}
            )
            if type(None) in args and self.output and nullable:
                return {"anyOf": [inner, {"type": "null"}]}
            return inner
        if origin is tuple:
            return {"type": "array", "items": self.type(args[0])}
        if origin in (Mapping, dict):
            key, value = args
            schema: dict[str, Any] = {"type": "object", "additionalProperties": self.type(value)}
            if key is int:
                schema["propertyNames"] = {"pattern": "^[0-9]+$"}
            return schema
        return self.scalar(hint)

    def scalar(self, hint: Any) -> dict[str, Any]:
        if hint is Any:
            return {}
        if isinstance(hint, type) and issubclass(hint, Enum):
            return {"type": "string", "enum": [m.value for m in hint]}
        if hint is bool:
            return {"type": "boolean"}
        if hint is int:
            return {"type": "integer"}
        if hint is float:
            return {"type": "number"}
        if hint is str:
            # The model refuses blank text in proposals: leave a field out if not known.
            return {"type": "string"} if self.output else {"type": "string", "pattern": r"\S"}
        if hint is dt.date:
            return {"type": "string", "format": "date"}
        if hint is Period:
            return {
                "type": "string",
                "pattern": PERIOD_PATTERN,
                "description": "An ISO 8601 period such as P6Y, P18M, P2W or P90D.",
            }
        if attrs.has(hint):
            return self.ref(hint)
        raise TypeError(f"no JSON Schema for {hint!r}")


def _add_bounds(schema: dict[str, Any], metadata: Mapping[str, Any]) -> None:
    """The field's description, numeric bounds and non-empty lists, from its metadata."""
    if "description" in metadata:
        schema["description"] = metadata["description"]
    target = schema.get("items", schema) if schema.get("type") == "array" else schema
    for key in ("minimum", "maximum"):
        if key in metadata and target.get("type") in ("integer", "number"):
            bound = float(metadata[key])
            target[key] = int(bound) if bound.is_integer() else bound
    if schema.get("type") == "array" and metadata.get("non_empty"):
        schema["minItems"] = 1


def _document(name: str, root: type, output: bool, title: str) -> dict[str, Any]:
    generator = _Generator(output)
    body = generator.object(root)
    generator.defs.pop(root.__name__, None)
    return {
        "$schema": DIALECT,
        "$id": f"urn:sharing-rules:schema:{name}",
        "title": title,
        **body,
        "$defs": dict(sorted(generator.defs.items())),
    }


def proposal_schema() -> dict[str, Any]:
    """The JSON Schema of the proposal input format (YAML or JSON files).

    Only ``id`` and ``title`` are required; a field that is not known is left out, not
    written as ``null``. YAML dates must be written as ``YYYY-MM-DD``.
    """
    return _document(
        "proposal", Proposal, output=False, title="sharing-rules proposal to share personal data"
    )


def verdict_schema() -> dict[str, Any]:
    """The JSON Schema of a verdict as written by ``Verdict.to_json()``."""
    return _document("verdict", Verdict, output=True, title="sharing-rules verdict")


def schema_json(name: SchemaName) -> str:
    """A generated schema as the JSON text shipped in the package (ends with a newline)."""
    schema = {"proposal": proposal_schema, "verdict": verdict_schema}[name]()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def shipped_schema(name: SchemaName) -> str:
    """The schema file shipped in the package, as text."""
    entry = resources.files("sharing_rules") / "schemas" / f"{name}.schema.json"
    return entry.read_text(encoding="utf-8")


def write_schema_files(
    texts: Mapping[str, Callable[[], str]], directory: Path | None = None
) -> list[Path]:
    """Write ``NAME.schema.json`` for each generated text (by default in the package's
    source tree, where the shipped files live)."""
    target = directory or Path(__file__).parent / "schemas"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        path = target / f"{name}.schema.json"
        path.write_text(text(), encoding="utf-8")
        written.append(path)
    return written


def write_schemas(directory: Path | None = None) -> list[Path]:
    """Regenerate the shipped schema files (by default in the package's source tree)."""
    return write_schema_files(
        {name: functools.partial(schema_json, name) for name in SCHEMA_NAMES}, directory
    )


if __name__ == "__main__":  # python -m sharing_rules._schema [DIRECTORY]
    for path in write_schemas(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(path)
