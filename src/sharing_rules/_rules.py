"""Rule packs: the YAML format, validation at load, overrides, and the content digest."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import StrEnum
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import attrs

from ._conditions import Condition, Scope, facts_named, parse_condition
from ._digest import sha256_text
from ._errors import Problem, RuleError, UsageError, did_you_mean
from ._facts import FACTS, LISTS_BY_PATH, Fact
from ._files import MAX_FILE_BYTES, InputProblem, decode_text, read_text_file
from ._yaml import line_for, parse_with_lines

__all__ = [
    "Derivation",
    "Example",
    "FeatureInfo",
    "Messages",
    "Parameter",
    "Rule",
    "RulePack",
    "RuleSeverity",
    "TestInfo",
    "load_rules",
]

TESTS = ("purposeful", "proportionate", "responsible")
FEATURES = (1, 2, 3, 4, 5)
STATUSES = ("met", "not_met", "unknown", "not_applicable")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PARAM_PLACEHOLDER = re.compile(r"\{param\.([^{}]*)\}")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_PARAM_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RuleSeverity(StrEnum):
    """How much a criterion counts."""

    BLOCKING = "blocking"  #: not met means the test is not met
    ADVISORY = "advisory"  #: not met is a condition to address


@attrs.frozen(slots=True)
class Messages:
    """What a finding says for each status; ``{fact.path}`` and ``{items}`` are filled in."""

    met: str
    not_met: str
    unknown: str
    not_applicable: str | None = None


@attrs.frozen(slots=True)
class Parameter:
    """A named threshold of a rule pack, declared with a default in a ``pack.yaml`` and
    changed by a later pack's ``parameters:``; rules use it as ``{param: NAME}``."""

    name: str
    value: Any  #: the value in force
    default: Any  #: the value it was declared with
    description: str
    pack: str  #: the pack that declared it
    set_by: str | None = None  #: the pack that changed it, if one did
    file: str | None = None  #: the manifest that gave the value in force


@attrs.frozen(slots=True)
class Example:
    """A proposal fragment and the status the rule must give it."""

    expect: str
    proposal: Mapping[str, Any]


@attrs.frozen(slots=True)
class Rule:
    """One criterion of a rule pack."""

    id: str
    version: str
    title: str
    test: str
    features: tuple[int, ...]
    severity: RuleSeverity
    condition: Condition
    requires: tuple[str, ...]
    messages: Messages
    remedy: str
    sources: tuple[str, ...]
    when: Condition | None = None
    examples: tuple[Example, ...] = ()
    pack: str = ""
    file: str | None = None
    line: int | None = None
    definition: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    parameters: tuple[str, ...] = ()  #: the pack parameters it uses


@attrs.frozen(slots=True)
class Derivation:
    """A derived conclusion (a boolean fact) that criteria can build on."""

    id: str
    version: str
    sets: str
    description: str
    condition: Condition
    requires: tuple[str, ...]
    sources: tuple[str, ...]
    pack: str = ""
    definition: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    parameters: tuple[str, ...] = ()  #: the pack parameters it uses


@attrs.frozen(slots=True)
class TestInfo:
    """One of the framework's three tests."""

    name: str
    description: str


@attrs.frozen(slots=True)
class FeatureInfo:
    """One of the framework's five key features."""

    name: str
    description: str
    note: str | None = None  #: e.g. that the wording is our operationalisation


@attrs.frozen(slots=True)
class RulePack:
    """An effective set of rules: a base pack, any extra packs and overrides applied."""

    id: str
    version: str
    title: str
    description: str
    tests: Mapping[str, TestInfo]
    features: Mapping[int, FeatureInfo]
    rules: tuple[Rule, ...]
    derivations: tuple[Derivation, ...]
    digest: str  #: ``sha256:...`` over the effective content; recorded in every verdict
    components: tuple[tuple[str, str], ...] = ()  #: (pack id, version) of each pack loaded
    parameters: Mapping[str, Parameter] = attrs.field(factory=dict)  #: thresholds in force

    def rule(self, rule_id: str) -> Rule:
        """The rule with that id; ``KeyError`` if there is none."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def vocabulary(self) -> dict[str, Fact]:
        """Every fact rules may read: the base vocabulary plus derived facts."""
        return _vocabulary(self.derivations)


# --------------------------------------------------------------------------- loading

_RULE_KEYS = {
    "id": True,
    "version": True,
    "title": True,
    "test": True,
    "features": True,
    "severity": True,
    "condition": True,
    "messages": True,
    "remedy": True,
    "sources": True,
    "when": False,
    "requires": False,
    "examples": False,
}
_DERIVATION_KEYS = {
    "id": True,
    "version": True,
    "sets": True,
    "description": True,
    "condition": True,
    "sources": True,
    "requires": False,
}
_MANIFEST_KEYS = {
    "id": True,
    "version": True,
    "title": True,
    "description": True,
    "framework": False,
    "overrides": False,
    "parameters": False,
}
_OVERRIDE_KEYS = ("disable", "severity", "replace")


def _vocabulary(derivations: Iterable[Derivation]) -> dict[str, Fact]:
    facts = {f.path: f for f in FACTS}
    for d in derivations:
        facts[d.sets] = Fact(d.sets, "boolean", d.description, ("(derived)",), lambda p: None)
    return facts


@attrs.define
class _File:
    name: str
    data: Any
    lines: dict[str, int]


@attrs.define
class _Collector:
    problems: list[Problem] = attrs.Factory(list)

    def add(
        self,
        file: _File | None,
        path: str,
        message: str,
        hint: str | None = None,
        rule: str | None = None,
        *,
        code: str,
    ) -> None:
        line = line_for(file.lines, path) if file else None
        name = file.name if file else None
        self.problems.append(Problem(path, message, hint, name, line, rule, code=code))

    def extend(self, file: _File, found: Iterable[Problem], rule: str | None) -> None:
        for p in found:
            self.add(file, p.path, p.message, p.hint, rule, code=p.code)


def _read(entry: Traversable | Path, label: str, collector: _Collector) -> _File | None:
    """A pack file: a regular file inside the folder (links and FIFOs refused), size-capped."""
    try:
        if isinstance(entry, Path):
            text = read_text_file(entry, label, follow_links=False)
        else:  # inside an installed package (a zip, say): no links or FIFOs there
            raw = entry.read_bytes()
            if len(raw) > MAX_FILE_BYTES:
                raise InputProblem(
                    Problem("$", "the file is too large", None, label, code="file-too-large")
                )
            text = decode_text(raw, label)
        data, lines = parse_with_lines(text, label)
    except InputProblem as exc:
        collector.problems.append(exc.problem)
        return None
    except OSError as exc:
        collector.problems.append(
            Problem("$", f"cannot read: {exc.strerror}", None, label, code="cannot-read")
        )
        return None
    file = _File(label, data, lines)
    _refuse_sets(file, collector)
    return file


def _refuse_sets(file: _File, collector: _Collector) -> None:
    """A ``!!set`` has no order, so it would make the pack digest differ between runs."""
    stack: list[tuple[Any, str]] = [(file.data, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, set | frozenset):
            collector.add(
                file, path, "a set (!!set) is not allowed", "write a list", code="wrong-type"
            )
        elif isinstance(value, Mapping):
            stack.extend((item, f"{path}.{key}") for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(value))


def _check_types(
    file: _File,
    raw: Mapping[str, Any],
    path: str,
    collector: _Collector,
    rule: str | None = None,
    texts: Sequence[str] = (),
) -> bool:
    """Check that ``version`` is text or a number, and each key in ``texts`` non-empty text."""
    ok = True
    version = raw.get("version")
    if "version" in raw and not (_is_text(version) or type(version) in (int, float)):
        ok = False
        collector.add(
            file,
            f"{path}.version",
            f"version must be text such as '1.0.0', got {type(version).__name__}",
            "write it in quotes",
            rule,
            code="wrong-type",
        )
    for key in texts:
        if key in raw and not _is_text(raw[key]):
            ok = False
            got = type(raw[key]).__name__
            collector.add(
                file,
                f"{path}.{key}",
                f"{key} must be non-empty text, got {got}",
                "write it in quotes" if isinstance(raw[key], bool | int | float) else None,
                rule,
                code="wrong-type",
            )
    return ok


def _check_keys(
    file: _File,
    raw: Mapping[str, Any],
    spec: Mapping[str, bool],
    path: str,
    collector: _Collector,
    rule: str | None = None,
) -> bool:
    ok = True
    for key in raw:
        if key not in spec:
            ok = False
            collector.add(
                file,
                f"{path}.{key}",
                f"unknown key {key!r}",
                did_you_mean(str(key), spec) or f"keys: {', '.join(spec)}",
                rule,
                code="unknown-key",
            )
    for key, required in spec.items():
        if required and key not in raw:
            ok = False
            collector.add(
                file, f"{path}.{key}", "required but missing", None, rule, code="missing-required"
            )
    return ok


def _texts(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    return None


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _parse_requires(
    file: _File,
    raw: Any,
    path: str,
    vocabulary: Mapping[str, Fact],
    lists: Mapping[str, Any],
    collector: _Collector,
    rule: str,
) -> tuple[str, ...]:
    if raw is None:
        return ()
    names = _texts(raw)
    if names is None:
        collector.add(
            file, path, "requires takes a list of fact paths", None, rule, code="wrong-type"
        )
        return ()
    resolved = []
    for index, name in enumerate(names):
        if name in lists:  # a list is stated when its count is
            resolved.append(lists[name].count)
        elif name in vocabulary:
            resolved.append(name)
        else:
            collector.add(
                file,
                f"{path}[{index}]",
                f"{name!r} is not a fact",
                did_you_mean(name, [*vocabulary, *lists]),
                rule,
                code="unknown-fact",
            )
    return tuple(resolved)


def _begin(
    file: _File, raw: Any, path: str, keys: Mapping[str, bool], kind: str, collector: _Collector
) -> tuple[str | None, bool] | None:
    """The id of a rule or derivation entry, and whether its keys are right."""
    if not isinstance(raw, Mapping):
        collector.add(file, path, f"a {kind} must be a mapping", code="wrong-type")
        return None
    entry_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    ok = _check_keys(file, raw, keys, path, collector, entry_id)
    texts = ("id", "title", "remedy") if kind == "rule" else ("id", "description")
    return entry_id, _check_types(file, raw, path, collector, entry_id, texts) and ok


def _parse_rule(
    file: _File, raw: Any, path: str, scope: Scope, pack: str, collector: _Collector
) -> Rule | None:
    begun = _begin(file, raw, path, _RULE_KEYS, "rule", collector)
    if begun is None:
        return None
    rule_id, ok = begun
    if rule_id is not None and not _ID.match(rule_id):
        ok = False
        collector.add(
            file,
            f"{path}.id",
            f"id {rule_id!r} must be lower-case letters, digits, '.', '-' or '_'",
            "e.g. proportionate.data-minimised",
            rule_id,
            code="invalid-value",
        )
    test = raw.get("test")
    if "test" in raw and test not in TESTS:
        ok = False
        collector.add(
            file,
            f"{path}.test",
            f"unknown test {test!r}",
            did_you_mean(str(test), TESTS) or f"one of: {', '.join(TESTS)}",
            rule_id,
            code="not-allowed-value",
        )
    features = raw.get("features")
    if "features" in raw and not (
        isinstance(features, list)
        and features
        and all(type(f) is int and f in FEATURES for f in features)
    ):
        ok = False
        collector.add(
            file,
            f"{path}.features",
            f"features must list numbers 1 to 5, got {features!r}",
            None,
            rule_id,
            code="invalid-value",
        )
    severity = raw.get("severity")
    if "severity" in raw and severity not in ("blocking", "advisory"):
        ok = False
        collector.add(
            file,
            f"{path}.severity",
            f"unknown severity {severity!r}",
            did_you_mean(str(severity), ("blocking", "advisory")) or "blocking or advisory",
            rule_id,
            code="not-allowed-value",
        )
    sources = _texts(raw.get("sources"))
    if "sources" in raw and not sources:
        ok = False
        collector.add(
            file,
            f"{path}.sources",
            "sources must be a non-empty list of texts",
            None,
            rule_id,
            code="wrong-type",
        )
    found: list[Problem] = []
    condition = (
        parse_condition(raw["condition"], scope, f"{path}.condition", found)
        if "condition" in raw
        else None
    )
    when = (
        parse_condition(raw["when"], scope, f"{path}.when", found)
        if raw.get("when") is not None
        else None
    )
    collector.extend(file, found, rule_id)
    ok = ok and not found
    requires = _parse_requires(
        file,
        raw.get("requires"),
        f"{path}.requires",
        scope.facts,
        scope.lists,
        collector,
        rule_id or "?",
    )
    messages = _parse_messages(
        file, raw.get("messages"), f"{path}.messages", scope, condition, collector, rule_id
    )
    examples = _parse_examples(file, raw.get("examples"), f"{path}.examples", collector, rule_id)
    texts = {
        key: _with_params(file, raw[key], f"{path}.{key}", scope.params, collector, rule_id)
        for key in ("title", "remedy")
        if _is_text(raw.get(key))
    }
    if not ok or condition is None or messages is None or examples is None or rule_id is None:
        return None
    if None in texts.values():
        return None
    assert isinstance(test, str) and isinstance(features, list) and isinstance(severity, str)
    return Rule(
        id=rule_id,
        version=str(raw["version"]),
        title=str(texts["title"]).strip(),
        test=test,
        features=tuple(features),
        severity=RuleSeverity(severity),
        condition=condition,
        requires=requires,
        messages=messages,
        remedy=str(texts["remedy"]).strip(),
        sources=sources or (),
        when=when,
        examples=examples,
        pack=pack,
        file=file.name,
        line=line_for(file.lines, path),
        definition=raw,
        parameters=tuple(dict.fromkeys(_params_named(raw))),
    )


def _params_named(raw: Any) -> Iterator[str]:
    """The names of the parameters a rule's definition uses, in conditions and texts."""
    if isinstance(raw, Mapping):
        if set(raw) == {"param"} and isinstance(raw["param"], str):
            yield raw["param"]
        for key, value in raw.items():
            if key != "examples":
                yield from _params_named(value)
    elif isinstance(raw, list):
        for value in raw:
            yield from _params_named(value)
    elif isinstance(raw, str):
        yield from _PARAM_PLACEHOLDER.findall(raw)


def _show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(_show_value, value))
    return str(value)


def _with_params(
    file: _File,
    text: str,
    path: str,
    params: Mapping[str, Any],
    collector: _Collector,
    rule: str | None,
) -> str | None:
    """``text`` with each ``{param.NAME}`` replaced by the parameter's value in force."""
    ok = True
    for name in _PARAM_PLACEHOLDER.findall(text):
        if name not in params:
            ok = False
            collector.add(
                file,
                path,
                f"placeholder {{param.{name}}} names no parameter",
                did_you_mean(name, params) or "declare it under parameters: in pack.yaml",
                rule,
                code="unknown-placeholder",
            )
    if not ok:
        return None
    return _PARAM_PLACEHOLDER.sub(lambda m: _show_value(params[m.group(1)]), text)


def _parse_messages(
    file: _File,
    raw: Any,
    path: str,
    scope: Scope,
    condition: Condition | None,
    collector: _Collector,
    rule: str | None,
) -> Messages | None:
    if not isinstance(raw, Mapping):
        if raw is not None:
            collector.add(
                file,
                path,
                "messages must map met/not_met/unknown to texts",
                None,
                rule,
                code="wrong-type",
            )
        return None
    ok = _check_keys(
        file,
        raw,
        {"met": True, "not_met": True, "unknown": True, "not_applicable": False},
        path,
        collector,
        rule,
    )
    has_items = condition is not None and any("[]" in f for f in facts_named(condition))
    texts = {}
    for key, text in raw.items():
        if not _is_text(text):
            ok = False
            collector.add(
                file, f"{path}.{key}", "must be non-empty text", None, rule, code="wrong-type"
            )
            continue
        filled = _with_params(file, text, f"{path}.{key}", scope.params, collector, rule)
        if filled is None:
            ok = False
            continue
        texts[key] = filled
        for name in _PLACEHOLDER.findall(filled):
            if name == "items" and has_items:
                continue
            if name not in scope.facts:
                ok = False
                hint = did_you_mean(name, [*scope.facts, "items"]) or (
                    "{items} needs a list condition" if name == "items" else None
                )
                collector.add(
                    file,
                    f"{path}.{key}",
                    f"placeholder {{{name}}} names no fact",
                    hint,
                    rule,
                    code="unknown-placeholder",
                )
    return Messages(**texts) if ok else None


def _parse_examples(
    file: _File, raw: Any, path: str, collector: _Collector, rule: str | None
) -> tuple[Example, ...] | None:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        collector.add(file, path, "examples must be a list", None, rule, code="wrong-type")
        return None
    out = []
    for index, item in enumerate(raw):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping) or not _check_keys(
            file, item, {"expect": True, "proposal": True}, where, collector, rule
        ):
            if not isinstance(item, Mapping):
                collector.add(
                    file,
                    where,
                    "an example maps expect and proposal",
                    None,
                    rule,
                    code="wrong-type",
                )
            return None
        if item["expect"] not in STATUSES or not isinstance(item["proposal"], Mapping):
            collector.add(
                file,
                where,
                f"expect must be one of {', '.join(STATUSES)} and proposal a mapping",
                None,
                rule,
                code="invalid-value",
            )
            return None
        out.append(Example(item["expect"], item["proposal"]))
    return tuple(out)


def _parse_derivation(
    file: _File, raw: Any, path: str, scope: Scope, pack: str, collector: _Collector
) -> Derivation | None:
    begun = _begin(file, raw, path, _DERIVATION_KEYS, "derivation", collector)
    if begun is None:
        return None
    did, ok = begun
    sets = raw.get("sets")
    if "sets" in raw and (
        not isinstance(sets, str) or sets in scope.facts or sets.split(".")[0] in scope.lists
    ):
        ok = False
        collector.add(
            file,
            f"{path}.sets",
            f"{sets!r} must be a new fact path, not one of the vocabulary's",
            None,
            did,
            code="invalid-value",
        )
    found: list[Problem] = []
    condition = (
        parse_condition(raw["condition"], scope, f"{path}.condition", found)
        if "condition" in raw
        else None
    )
    collector.extend(file, found, did)
    if "sources" in raw and not _texts(raw["sources"]):
        ok = False
        collector.add(
            file,
            f"{path}.sources",
            "sources must be a non-empty list of texts",
            None,
            did,
            code="wrong-type",
        )
    requires = _parse_requires(
        file,
        raw.get("requires"),
        f"{path}.requires",
        scope.facts,
        scope.lists,
        collector,
        did or "?",
    )
    if not ok or found or condition is None or did is None:
        return None
    assert isinstance(sets, str)
    return Derivation(
        did,
        str(raw["version"]),
        sets,
        str(raw["description"]),
        condition,
        requires,
        _texts(raw["sources"]) or (),
        pack,
        raw,
        tuple(dict.fromkeys(_params_named(raw))),
    )


@attrs.define
class _Pack:
    manifest: Mapping[str, Any]
    file: _File
    rule_files: list[_File]


def _open_pack(source: str | Path | Traversable, collector: _Collector) -> _Pack | None:
    root: Traversable | Path = Path(source) if isinstance(source, str) else source
    label = str(source)

    def refuse(message: str, hint: str, code: str) -> None:
        collector.problems.append(Problem("$", message, hint, label, code=code))

    if isinstance(root, Path) and not root.exists():
        refuse("no such folder", "give the path of a rule pack folder", "not-found")
        return None
    if isinstance(root, Path) and not root.is_dir():
        refuse("a rule pack is a folder holding pack.yaml", "pass the folder", "not-a-pack")
        return None
    manifest_entry = root / "pack.yaml"
    if isinstance(manifest_entry, Path):  # a link or FIFO is there, and refused when read
        there = manifest_entry.is_symlink() or manifest_entry.exists()
    else:
        there = manifest_entry.is_file()
    if not there:
        refuse(
            "no pack.yaml in this folder", "a pack needs a manifest named pack.yaml", "not-a-pack"
        )
        return None
    manifest = _read(manifest_entry, f"{label}/pack.yaml", collector)
    if manifest is None:
        return None
    if not isinstance(manifest.data, Mapping):
        collector.add(manifest, "$", "the manifest must be a mapping", code="wrong-type")
        return None
    keys_ok = _check_keys(manifest, manifest.data, _MANIFEST_KEYS, "$", collector)
    texts = ("id", "title", "description")
    if not (_check_types(manifest, manifest.data, "$", collector, None, texts) and keys_ok):
        return None
    files = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")) and entry.name != "pack.yaml":
            read = _read(entry, f"{label}/{entry.name}", collector)
            if read is not None:
                files.append(read)
    return _Pack(manifest.data, manifest, files)


def framework_source() -> Traversable:
    """The shipped framework pack, found inside the installed package."""
    return resources.files("sharing_rules.rules") / "framework"


def _parse_framework(
    file: _File, raw: Any, collector: _Collector
) -> tuple[dict[str, TestInfo], dict[int, FeatureInfo]] | None:
    if not isinstance(raw, Mapping) or set(raw) != {"tests", "features"}:
        collector.add(
            file, "$.framework", "framework must map 'tests' and 'features'", code="invalid-value"
        )
        return None
    tests_raw, features_raw = raw["tests"], raw["features"]
    if not isinstance(tests_raw, Mapping) or set(tests_raw) != set(TESTS):
        collector.add(
            file,
            "$.framework.tests",
            f"tests must be exactly {', '.join(TESTS)}",
            code="invalid-value",
        )
        return None
    if not isinstance(features_raw, Mapping) or set(features_raw) != set(FEATURES):
        collector.add(
            file, "$.framework.features", "features must be numbered 1 to 5", code="invalid-value"
        )
        return None
    try:
        tests = {k: TestInfo(**v) for k, v in tests_raw.items()}
        features = {k: FeatureInfo(**v) for k, v in features_raw.items()}
    except TypeError as exc:
        collector.add(
            file,
            "$.framework",
            f"invalid test or feature entry: {exc}",
            "each has name and description (features may add note)",
            code="invalid-value",
        )
        return None
    return tests, features


def _in_file_order(problems: Iterable[Problem]) -> list[Problem]:
    """Problems sorted by file, then line (those without a line first in their file), the
    order found kept among equals: what a reader fixing them top to bottom expects."""
    return sorted(problems, key=lambda p: (p.source or "", p.line is not None, p.line or 0))


def load_rules(
    *sources: str | Path | Traversable,
    include_framework: bool = True,
    disable: Iterable[str] | str = (),
    severity: Mapping[str, str] | None = None,
) -> RulePack:
    """Load and validate rule packs into one effective :class:`RulePack`.

    With no ``sources``, the shipped framework pack. Each source is a pack directory
    (holding ``pack.yaml``); extra packs are added to the framework pack unless
    ``include_framework`` is false, in which case the first source must define the
    framework. ``disable`` removes rules by id (a string is one id); ``severity`` changes
    rules' severity.
    Raises :class:`RuleError` listing every problem in every file.
    """
    disable, severity = _check_arguments(sources, disable, severity)
    collector = _Collector()
    packs = [framework_source()] if include_framework else []
    opened = [_open_pack(source, collector) for source in [*packs, *sources]]
    if collector.problems or not opened:
        raise RuleError(
            _in_file_order(collector.problems)
            or [Problem("$", "no rule pack given", code="not-a-pack")]
        )
    valid = [p for p in opened if p is not None]
    base = valid[0]
    framework = _parse_framework(base.file, base.manifest.get("framework"), collector)

    parameters = _parse_parameters(valid, collector)
    values = {name: p.value for name, p in parameters.items()}
    origins = {name: str(p.file) for name, p in parameters.items()}
    derivations: list[Derivation] = []
    for pack in valid:
        scope = Scope({f.path: f for f in FACTS}, LISTS_BY_PATH, params=values, origins=origins)
        for file in pack.rule_files:
            for index, raw in enumerate(_section(file, "derivations", collector)):
                d = _parse_derivation(
                    file,
                    raw,
                    f"$.derivations[{index}]",
                    scope,
                    str(pack.manifest.get("id")),
                    collector,
                )
                if d is not None:
                    derivations.append(d)
    scope = Scope(_vocabulary(derivations), LISTS_BY_PATH, params=values, origins=origins)
    rules: dict[str, Rule] = {}
    overrides: dict[str, Any] = {
        "disable": {rule_id: (None, "disable") for rule_id in disable},
        "severity": {k: (v, None, "severity") for k, v in (severity or {}).items()},
    }
    for pack in valid:
        replace = _apply_manifest_overrides(pack, overrides, collector)
        for file in pack.rule_files:
            for index, raw in enumerate(_section(file, "rules", collector)):
                rule = _parse_rule(
                    file, raw, f"$.rules[{index}]", scope, str(pack.manifest.get("id")), collector
                )
                if rule is None:
                    continue
                if rule.id in rules and rule.id not in replace:
                    earlier = rules[rule.id]
                    collector.add(
                        file,
                        f"$.rules[{index}].id",
                        f"duplicate rule id {rule.id!r} (also in {earlier.file}:{earlier.line})",
                        "rename it, or list it under overrides.replace in pack.yaml",
                        rule.id,
                        code="duplicate-id",
                    )
                    continue
                rules[rule.id] = rule
    _check_derivation_ids(derivations, rules, collector)
    effective = _apply_overrides(rules, overrides, collector)
    if collector.problems or framework is None:
        raise RuleError(_in_file_order(collector.problems))
    tests, features = framework
    manifest = base.manifest
    components = tuple((str(p.manifest["id"]), str(p.manifest["version"])) for p in valid)
    digest = _digest(valid, effective, derivations, values)
    effective_pack = RulePack(
        id="+".join(c[0] for c in components),
        version=str(manifest["version"]),
        title=str(manifest["title"]),
        description=str(manifest["description"]).strip(),
        tests=tests,
        features=features,
        rules=tuple(sorted(effective, key=_rule_order)),
        derivations=tuple(derivations),
        digest=digest,
        components=components,
        parameters=parameters,
    )
    # "Valid" means "can be assessed on any proposal": compile the pack now, so that a limit
    # of the engine is a load error with rule id, file and line, not a failed assessment.
    from ._compile import compile_pack, target_for  # the compiler reads packs: import late

    compile_pack(effective_pack, target_for(effective_pack))
    return effective_pack


def _check_arguments(
    sources: Sequence[Any], disable: Iterable[str] | str, severity: Any
) -> tuple[tuple[str, ...], Mapping[str, str] | None]:
    """``disable`` as a tuple of ids (one id may be given as a string); refuse misuse."""
    for source in sources:
        if not isinstance(source, str | os.PathLike | Traversable):
            raise UsageError(
                f"load_rules() takes paths of pack folders, not {type(source).__name__}"
            )
    ids = (disable,) if isinstance(disable, str) else tuple(disable)
    if not all(isinstance(i, str) for i in ids):
        raise UsageError("disable takes rule ids (strings)")
    if severity is not None and not isinstance(severity, Mapping):
        raise UsageError("severity takes a mapping of rule id to 'blocking' or 'advisory'")
    return ids, severity


def is_base_pack(path: str | os.PathLike[str]) -> bool:
    """Whether the pack folder defines the framework itself, so it replaces the shipped one
    (read safely: a FIFO, link or huge file is never read here; load_rules reports it)."""
    folder = Path(path)
    if folder.resolve() == Path(str(framework_source())).resolve():
        return True
    try:
        text = read_text_file(folder / "pack.yaml", str(folder), follow_links=False)
        data, _ = parse_with_lines(text, "pack.yaml")
    except InputProblem:
        return False
    return isinstance(data, Mapping) and "framework" in data


def as_rule_pack(rules: Any) -> RulePack:
    """``rules`` as a :class:`RulePack`: a pack as is, a pack folder path loaded onto the
    framework pack; anything else is a :class:`UsageError`."""
    if isinstance(rules, RulePack):
        return rules
    if isinstance(rules, str | os.PathLike):
        base = is_base_pack(rules)
        return load_rules(Path(rules), include_framework=not base)
    raise UsageError(
        f"expected a RulePack (from load_rules()) or a pack folder path, not {type(rules).__name__}"
    )


_PARAM_KEYS = {"default": True, "description": True}
_KIND_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "text": "text",
    "list": "a list",
}


def _param_kind(value: Any) -> str | None:
    """The kind of a parameter value: boolean, integer, number, text or list; None if it
    cannot be one (a parameter is a plain value a rule can compare a fact with)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number" if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        return "text" if value.strip() else None
    if isinstance(value, list) and value:
        kinds = {_param_kind(v) for v in value}
        return "list" if len(kinds) == 1 and None not in kinds and "list" not in kinds else None
    return None


def _parse_parameters(packs: Sequence[_Pack], collector: _Collector) -> dict[str, Parameter]:
    """Parameters declared (``NAME: {default: V, description: T}``) and set (``NAME: V``)
    in the packs' manifests, in load order: a later pack changes an earlier one's value."""
    params: dict[str, Parameter] = {}
    for pack in packs:
        raw = pack.manifest.get("parameters")
        if raw is None:
            continue
        pack_id = str(pack.manifest.get("id"))
        if not isinstance(raw, Mapping):
            collector.add(
                pack.file,
                "$.parameters",
                "parameters must map names to values (or, to declare one, to default and "
                "description)",
                "e.g. parameters: {purpose_min_words: 20}",
                code="wrong-type",
            )
            continue
        for name, entry in raw.items():
            path = f"$.parameters.{name}"
            if isinstance(entry, Mapping):
                _declare(pack, pack_id, str(name), entry, path, params, collector)
            elif name not in params:
                collector.add(
                    pack.file,
                    path,
                    f"unknown parameter {name!r}",
                    did_you_mean(str(name), params)
                    or "declare it with default and description, or see docs/rules.md",
                    code="unknown-parameter",
                )
            else:
                declared = params[name]
                kind, want = _param_kind(entry), _param_kind(declared.default)
                numbers = {kind, want} <= {"integer", "number"}  # checked against the fact
                if kind != want and not numbers:
                    collector.add(
                        pack.file,
                        path,
                        f"parameter {name} takes {_KIND_WORDS.get(str(want), want)} "
                        f"(its default is {declared.default!r}), got {entry!r}",
                        code="wrong-type",
                    )
                    continue
                params[name] = attrs.evolve(
                    declared, value=entry, set_by=pack_id, file=pack.file.name
                )
    return params


def _declare(
    pack: _Pack,
    pack_id: str,
    name: str,
    entry: Mapping[str, Any],
    path: str,
    params: dict[str, Parameter],
    collector: _Collector,
) -> None:
    if not _check_keys(pack.file, entry, _PARAM_KEYS, path, collector):
        return
    if not _PARAM_NAME.match(name):
        collector.add(
            pack.file,
            path,
            f"parameter name {name!r} must be lower-case letters, digits, '_'",
            code="invalid-value",
        )
    elif name in params:
        collector.add(
            pack.file,
            path,
            f"parameter {name} is already declared by pack {params[name].pack}",
            f"to change its value write {name}: VALUE",
            code="duplicate-id",
        )
    elif _param_kind(entry["default"]) is None:
        collector.add(
            pack.file,
            f"{path}.default",
            f"a parameter's default must be a number, yes/no, text or a list of one kind, "
            f"got {entry['default']!r}",
            code="wrong-type",
        )
    elif not _is_text(entry["description"]):
        collector.add(
            pack.file, f"{path}.description", "must be non-empty text", code="invalid-value"
        )
    else:
        default = entry["default"]
        params[name] = Parameter(
            name,
            default,
            default,
            " ".join(entry["description"].split()),
            pack_id,
            None,
            pack.file.name,
        )


def _rule_order(rule: Rule) -> tuple[int, str]:
    return TESTS.index(rule.test), rule.id


def _section(file: _File, key: str, collector: _Collector) -> Sequence[Any]:
    data = file.data
    if not isinstance(data, Mapping):
        if key == "rules":
            collector.add(
                file, "$", "a rule file must be a mapping with 'rules:'", code="wrong-type"
            )
        return ()
    if key == "rules":
        for extra in set(data) - {"rules", "derivations"}:
            collector.add(
                file,
                f"$.{extra}",
                f"unknown key {extra!r}",
                did_you_mean(str(extra), ("rules", "derivations")),
                code="unknown-key",
            )
    value = data.get(key, [])
    if not isinstance(value, list):
        collector.add(file, f"$.{key}", f"{key} must be a list", code="wrong-type")
        return ()
    return value


_Origin = tuple[_File | None, str]  # where an override was written: file and path


def _apply_manifest_overrides(
    pack: _Pack, overrides: dict[str, Any], collector: _Collector
) -> set[str]:
    raw = pack.manifest.get("overrides") or {}
    file = pack.file
    if not isinstance(raw, Mapping):
        collector.add(file, "$.overrides", "overrides must be a mapping", code="wrong-type")
        return set()
    for key in raw:
        if key not in _OVERRIDE_KEYS:
            collector.add(
                file,
                f"$.overrides.{key}",
                f"unknown override {key!r}",
                did_you_mean(str(key), _OVERRIDE_KEYS),
                code="unknown-key",
            )
    replace: set[str] = set()
    for key, target in (("disable", overrides["disable"]), ("replace", None)):
        path = f"$.overrides.{key}"
        value = raw.get(key, [])
        if _texts(value) is None:
            collector.add(file, path, f"{key} must be a list of rule ids", code="wrong-type")
            continue
        for index, rule_id in enumerate(value):
            if target is None:
                replace.add(rule_id)
            else:
                target[rule_id] = (file, f"{path}[{index}]")
    severity = raw.get("severity", {})
    if not isinstance(severity, Mapping) or not all(isinstance(k, str) for k in severity):
        collector.add(
            file,
            "$.overrides.severity",
            "severity must map rule ids to blocking or advisory",
            code="wrong-type",
        )
    else:
        for rule_id, value in severity.items():
            overrides["severity"][rule_id] = (value, file, f"$.overrides.severity.{rule_id}")
    return replace


def _apply_overrides(
    rules: dict[str, Rule], overrides: Mapping[str, Any], collector: _Collector
) -> list[Rule]:
    disable: dict[str, _Origin] = overrides["disable"]
    for rule_id, (file, path) in sorted(disable.items(), key=lambda item: item[0]):
        if rule_id not in rules:
            collector.add(
                file,
                path,
                f"cannot disable {rule_id!r}: no such rule",
                did_you_mean(rule_id, rules),
                rule_id,
                code="unknown-rule",
            )
    out = []
    for rule in rules.values():
        if rule.id in disable:
            continue
        if rule.id in overrides["severity"]:
            new, file, path = overrides["severity"][rule.id]
            if new not in ("blocking", "advisory"):
                collector.add(
                    file,
                    path,
                    f"unknown severity {new!r}",
                    did_you_mean(str(new), ("blocking", "advisory")) or "blocking or advisory",
                    rule.id,
                    code="not-allowed-value",
                )
                continue
            rule = attrs.evolve(rule, severity=RuleSeverity(new))
        out.append(rule)
    for rule_id, (_, file, path) in overrides["severity"].items():
        if rule_id not in rules:
            collector.add(
                file,
                path,
                f"cannot change {rule_id!r}: no such rule",
                did_you_mean(rule_id, rules),
                rule_id,
                code="unknown-rule",
            )
    return out


def _check_derivation_ids(
    derivations: Sequence[Derivation], rules: Mapping[str, Rule], collector: _Collector
) -> None:
    seen: set[str] = set()
    for d in derivations:
        if d.id in seen or d.id in rules or d.sets in seen:
            collector.add(
                None,
                "derivations",
                f"duplicate derivation {d.id!r} or fact {d.sets!r}",
                None,
                d.id,
                code="duplicate-id",
            )
        seen.update((d.id, d.sets))


def _digest(
    packs: Sequence[_Pack],
    rules: Sequence[Rule],
    derivations: Sequence[Derivation],
    parameters: Mapping[str, Any],
) -> str:
    """A digest of the effective content: manifests, rules after overrides, derivations,
    and the parameters' values in force."""
    content = {
        "packs": [p.manifest for p in packs],
        "rules": [[r.severity.value, r.definition] for r in sorted(rules, key=lambda r: r.id)],
        "derivations": [d.definition for d in sorted(derivations, key=lambda d: d.id)],
        "parameters": dict(parameters),
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return sha256_text(text)
