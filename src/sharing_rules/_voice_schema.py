"""JSON Schemas of dialogue records and of the public register, generated from their classes.

Regenerate the shipped files after changing the classes with
``python -m sharing_rules._voice_schema`` (a test checks they are up to date).
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

from ._dialogue import DialogueRecord
from ._register import RegisterEntry
from ._schema import DIALECT, _document, _Generator, write_schema_files

__all__ = ["dialogue_record_schema", "register_schema", "write_voice_schemas"]


def dialogue_record_schema() -> dict[str, Any]:
    """The JSON Schema of a dialogue record (and of a plan: a record with no answers yet)."""
    return _document(
        "dialogue-record", DialogueRecord, output=False, title="sharing-rules dialogue record"
    )


def register_schema() -> dict[str, Any]:
    """The JSON Schema of ``register.json``, written by ``sharing-rules register``."""
    generator = _Generator(output=True)
    entry = generator.object(RegisterEntry)
    return {
        "$schema": DIALECT,
        "$id": "urn:sharing-rules:schema:register",
        "title": "sharing-rules public register of data sharing",
        "type": "object",
        "properties": {"entries": {"type": "array", "items": entry}},
        "required": ["entries"],
        "additionalProperties": False,
    }


SCHEMAS = {"dialogue-record": dialogue_record_schema, "register": register_schema}


def schema_text(name: str) -> str:
    """A generated schema as the JSON text shipped in the package."""
    return json.dumps(SCHEMAS[name](), indent=2, ensure_ascii=False) + "\n"


def write_voice_schemas(directory: Path | None = None) -> list[Path]:
    """Regenerate the shipped schema files (by default in the package's source tree)."""
    return write_schema_files(
        {name: functools.partial(schema_text, name) for name in SCHEMAS}, directory
    )


if __name__ == "__main__":  # python -m sharing_rules._voice_schema [DIRECTORY]
    for path in write_voice_schemas(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(path)
