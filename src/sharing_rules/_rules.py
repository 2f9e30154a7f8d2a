"""Rule packs: the YAML format, validation at load, overrides, and the content digest."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import attrs

from ._conditions import Condition, Scope, facts_named, parse_condition
from ._errors import Problem, RuleError, did_you_mean
from ._facts import FACTS, LISTS_BY_PATH, Fact
from ._yaml import YamlProblem, line_for, parse_with_lines

__all__ = [
    "Derivation",
    "Example",
    "FeatureInfo",
    "Messages",
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
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


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
    ) -> None:
        line = line_for(file.lines, path) if file else None
        self.problems.append(Problem(path, message, hint, file.name if file else None, line, rule))

    def extend(self, file: _File, found: Iterable[Problem], rule: str | None) -> None:
        for p in found:
            self.add(file, p.path, p.message, p.hint, rule)


def _read(entry: Traversable | Path, label: str, collector: _Collector) -> _File | None:
    try:
        text = entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        collector.problems.append(Problem("$", f"cannot read: {exc}", None, label))
        return None
    try:
        data, lines = parse_with_lines(text, label)
    except YamlProblem as exc:
        collector.problems.append(exc.problem)
        return None
    return _File(label, data, lines)


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
            )
    for key, required in spec.items():
        if required and key not in raw:
            ok = False
            collector.add(file, f"{path}.{key}", "required but missing", None, rule)
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
        collector.add(file, path, "requires takes a list of fact paths", None, rule)
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
            )
    return tuple(resolved)


def _begin(
    file: _File, raw: Any, path: str, keys: Mapping[str, bool], kind: str, collector: _Collector
) -> tuple[str | None, bool] | None:
    """The id of a rule or derivation entry, and whether its keys are right."""
    if not isinstance(raw, Mapping):
        collector.add(file, path, f"a {kind} must be a mapping")
        return None
    entry_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    return entry_id, _check_keys(file, raw, keys, path, collector, entry_id)


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
        )
    for key in ("title", "remedy"):
        if key in raw and not _is_text(raw[key]):
            ok = False
            collector.add(file, f"{path}.{key}", "must be non-empty text", None, rule_id)
    test = raw.get("test")
    if "test" in raw and test not in TESTS:
        ok = False
        collector.add(
            file,
            f"{path}.test",
            f"unknown test {test!r}",
            did_you_mean(str(test), TESTS) or f"one of: {', '.join(TESTS)}",
            rule_id,
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
        )
    sources = _texts(raw.get("sources"))
    if "sources" in raw and not sources:
        ok = False
        collector.add(
            file, f"{path}.sources", "sources must be a non-empty list of texts", None, rule_id
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
    if not ok or condition is None or messages is None or examples is None or rule_id is None:
        return None
    assert isinstance(test, str) and isinstance(features, list) and isinstance(severity, str)
    return Rule(
        id=rule_id,
        version=str(raw["version"]),
        title=raw["title"].strip(),
        test=test,
        features=tuple(features),
        severity=RuleSeverity(severity),
        condition=condition,
        requires=requires,
        messages=messages,
        remedy=raw["remedy"].strip(),
        sources=sources or (),
        when=when,
        examples=examples,
        pack=pack,
        file=file.name,
        line=line_for(file.lines, path),
        definition=raw,
    )


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
            collector.add(file, path, "messages must map met/not_met/unknown to texts", None, rule)
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
    for key, text in raw.items():
        if not _is_text(text):
            ok = False
            collector.add(file, f"{path}.{key}", "must be non-empty text", None, rule)
            continue
        for name in _PLACEHOLDER.findall(text):
            if name == "items" and has_items:
                continue
            if name not in scope.facts:
                ok = False
                hint = did_you_mean(name, [*scope.facts, "items"]) or (
                    "{items} needs a list condition" if name == "items" else None
                )
                collector.add(
                    file, f"{path}.{key}", f"placeholder {{{name}}} names no fact", hint, rule
                )
    return Messages(**raw) if ok else None


def _parse_examples(
    file: _File, raw: Any, path: str, collector: _Collector, rule: str | None
) -> tuple[Example, ...] | None:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        collector.add(file, path, "examples must be a list", None, rule)
        return None
    out = []
    for index, item in enumerate(raw):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping) or not _check_keys(
            file, item, {"expect": True, "proposal": True}, where, collector, rule
        ):
            if not isinstance(item, Mapping):
                collector.add(file, where, "an example maps expect and proposal", None, rule)
            return None
        if item["expect"] not in STATUSES or not isinstance(item["proposal"], Mapping):
            collector.add(
                file,
                where,
                f"expect must be one of {', '.join(STATUSES)} and proposal a mapping",
                None,
                rule,
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
        )
    found: list[Problem] = []
    condition = (
        parse_condition(raw["condition"], scope, f"{path}.condition", found)
        if "condition" in raw
        else None
    )
    collector.extend(file, found, did)
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
    )


@attrs.define
class _Pack:
    manifest: Mapping[str, Any]
    file: _File
    rule_files: list[_File]


def _open_pack(source: str | Path | Traversable, collector: _Collector) -> _Pack | None:
    root: Traversable | Path = Path(source) if isinstance(source, str) else source
    label = str(source)
    if isinstance(root, Path) and root.is_file():
        collector.problems.append(
            Problem(
                "$", "a rule pack is a directory holding pack.yaml", "pass the directory", label
            )
        )
        return None
    manifest_entry = root / "pack.yaml"
    if not manifest_entry.is_file():
        collector.problems.append(
            Problem(
                "$",
                "no pack.yaml in this directory",
                "a pack needs a manifest named pack.yaml",
                label,
            )
        )
        return None
    manifest = _read(manifest_entry, f"{label}/pack.yaml", collector)
    if manifest is None:
        return None
    if not isinstance(manifest.data, Mapping):
        collector.add(manifest, "$", "the manifest must be a mapping")
        return None
    if not _check_keys(manifest, manifest.data, _MANIFEST_KEYS, "$", collector):
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
        collector.add(file, "$.framework", "framework must map 'tests' and 'features'")
        return None
    tests_raw, features_raw = raw["tests"], raw["features"]
    if not isinstance(tests_raw, Mapping) or set(tests_raw) != set(TESTS):
        collector.add(file, "$.framework.tests", f"tests must be exactly {', '.join(TESTS)}")
        return None
    if not isinstance(features_raw, Mapping) or set(features_raw) != set(FEATURES):
        collector.add(file, "$.framework.features", "features must be numbered 1 to 5")
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
        )
        return None
    return tests, features


def load_rules(
    *sources: str | Path | Traversable,
    include_framework: bool = True,
    disable: Iterable[str] = (),
    severity: Mapping[str, str] | None = None,
) -> RulePack:
    """Load and validate rule packs into one effective :class:`RulePack`.

    With no ``sources``, the shipped framework pack. Each source is a pack directory
    (holding ``pack.yaml``); extra packs are added to the framework pack unless
    ``include_framework`` is false, in which case the first source must define the
    framework. ``disable`` removes rules by id; ``severity`` changes rules' severity.
    Raises :class:`RuleError` listing every problem in every file.
    """
    collector = _Collector()
    packs = [framework_source()] if include_framework else []
    opened = [_open_pack(source, collector) for source in [*packs, *sources]]
    if collector.problems or not opened:
        raise RuleError(collector.problems or [Problem("$", "no rule pack given")])
    valid = [p for p in opened if p is not None]
    base = valid[0]
    framework = _parse_framework(base.file, base.manifest.get("framework"), collector)

    derivations: list[Derivation] = []
    for pack in valid:
        scope = Scope({f.path: f for f in FACTS}, LISTS_BY_PATH)
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
    scope = Scope(_vocabulary(derivations), LISTS_BY_PATH)
    rules: dict[str, Rule] = {}
    overrides: dict[str, Any] = {"disable": set(disable), "severity": dict(severity or {})}
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
                    )
                    continue
                rules[rule.id] = rule
    _check_derivation_ids(derivations, rules, collector)
    effective = _apply_overrides(rules, overrides, collector)
    if collector.problems or framework is None:
        raise RuleError(collector.problems)
    tests, features = framework
    manifest = base.manifest
    components = tuple((str(p.manifest["id"]), str(p.manifest["version"])) for p in valid)
    digest = _digest(valid, effective, derivations)
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
    )
    # "Valid" means "can be assessed on any proposal": compile the pack now, so that a limit
    # of the engine is a load error with rule id, file and line, not a failed assessment.
    from ._compile import compile_pack, target_for  # the compiler reads packs: import late

    compile_pack(effective_pack, target_for(effective_pack))
    return effective_pack


def _rule_order(rule: Rule) -> tuple[int, str]:
    return TESTS.index(rule.test), rule.id


def _section(file: _File, key: str, collector: _Collector) -> Sequence[Any]:
    data = file.data
    if not isinstance(data, Mapping):
        if key == "rules":
            collector.add(file, "$", "a rule file must be a mapping with 'rules:'")
        return ()
    if key == "rules":
        for extra in set(data) - {"rules", "derivations"}:
            collector.add(
                file,
                f"$.{extra}",
                f"unknown key {extra!r}",
                did_you_mean(str(extra), ("rules", "derivations")),
            )
    value = data.get(key, [])
    if not isinstance(value, list):
        collector.add(file, f"$.{key}", f"{key} must be a list")
        return ()
    return value


def _apply_manifest_overrides(
    pack: _Pack, overrides: dict[str, Any], collector: _Collector
) -> set[str]:
    raw = pack.manifest.get("overrides") or {}
    if not isinstance(raw, Mapping):
        collector.add(pack.file, "$.overrides", "overrides must be a mapping")
        return set()
    for key in raw:
        if key not in _OVERRIDE_KEYS:
            collector.add(
                pack.file,
                f"$.overrides.{key}",
                f"unknown override {key!r}",
                did_you_mean(str(key), _OVERRIDE_KEYS),
            )
    overrides["disable"].update(_texts(raw.get("disable", [])) or ())
    severity = raw.get("severity", {})
    if isinstance(severity, Mapping):
        overrides["severity"].update(severity)
    return set(_texts(raw.get("replace", [])) or ())


def _apply_overrides(
    rules: dict[str, Rule], overrides: Mapping[str, Any], collector: _Collector
) -> list[Rule]:
    for rule_id in sorted(overrides["disable"]):
        if rule_id not in rules:
            collector.add(
                None,
                "disable",
                f"cannot disable {rule_id!r}: no such rule",
                did_you_mean(rule_id, rules),
                rule_id,
            )
    out = []
    for rule in rules.values():
        if rule.id in overrides["disable"]:
            continue
        new = overrides["severity"].get(rule.id)
        if new is not None:
            if new not in ("blocking", "advisory"):
                collector.add(
                    None, "severity", f"unknown severity {new!r}", "blocking or advisory", rule.id
                )
                continue
            rule = attrs.evolve(rule, severity=RuleSeverity(new))
        out.append(rule)
    for rule_id in overrides["severity"]:
        if rule_id not in rules:
            collector.add(
                None,
                "severity",
                f"cannot change {rule_id!r}: no such rule",
                did_you_mean(rule_id, rules),
                rule_id,
            )
    return out


def _check_derivation_ids(
    derivations: Sequence[Derivation], rules: Mapping[str, Rule], collector: _Collector
) -> None:
    seen: set[str] = set()
    for d in derivations:
        if d.id in seen or d.id in rules or d.sets in seen:
            collector.add(
                None, "derivations", f"duplicate derivation {d.id!r} or fact {d.sets!r}", None, d.id
            )
        seen.update((d.id, d.sets))


def _digest(
    packs: Sequence[_Pack], rules: Sequence[Rule], derivations: Sequence[Derivation]
) -> str:
    """A digest of the effective content: manifests, rules after overrides, derivations."""
    content = {
        "packs": [p.manifest for p in packs],
        "rules": [[r.severity.value, r.definition] for r in sorted(rules, key=lambda r: r.id)],
        "derivations": [d.definition for d in sorted(derivations, key=lambda d: d.id)],
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
