"""Hostile and awkward inputs: every one gives a ProposalError/RuleError with a Problem (or a
UsageError for API misuse), quickly, and never another exception or a hang."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

import sharing_rules as sr
from sharing_rules import strategies as srs

ROOT = Path(__file__).parent.parent
COUNCIL = ROOT / "examples" / "council-pack"
MINIMAL = "id: DSP-1\ntitle: A proposal\n"

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9 if prev else ['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def problem(text: str, source: str | None = "p.yaml") -> sr.Problem:
    """The single problem reading ``text`` gives."""
    with pytest.raises(sr.ProposalError) as info:
        sr.parse_proposal(text, source)
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


def cli(*args: str | Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess, so that a hang fails the test instead of stopping the suite."""
    command = [sys.executable, "-m", "sharing_rules", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


# ------------------------------------------------------------------ 1. reading files safely


def test_assess_dev_zero_is_refused_quickly() -> None:
    started = time.perf_counter()
    result = cli("assess", "/dev/zero")
    assert result.returncode == 2
    assert "not a regular file" in result.stderr
    assert time.perf_counter() - started < 20


def test_a_fifo_proposal_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    result = cli("assess", fifo)
    assert result.returncode == 2
    assert "not a regular file" in result.stderr
    with pytest.raises(sr.ProposalError) as info:
        sr.load_proposal(fifo)
    assert info.value.problems[0].code == "not-a-regular-file"


def test_a_folder_is_not_a_proposal(tmp_path: Path) -> None:
    with pytest.raises(sr.ProposalError) as info:
        sr.load_proposal(tmp_path)
    assert info.value.problems[0].code == "not-a-regular-file"
    assert "folder" in info.value.problems[0].message


def test_a_proposal_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(MINIMAL + "# padding\n" * 500_000)  # 5 MB of comments: valid YAML
    with pytest.raises(sr.ProposalError) as info:
        sr.load_proposal(big)
    found = info.value.problems[0]
    assert (found.code, found.source) == ("file-too-large", str(big))
    assert "4 MiB" in found.message


def _pack_copy(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(COUNCIL, pack)
    return pack


def test_a_pack_does_not_follow_symlinks_out_of_its_folder(tmp_path: Path) -> None:
    pack = _pack_copy(tmp_path)
    outside = tmp_path / "outside.yaml"
    outside.write_text("rules: []\n")
    (pack / "linked.yaml").symlink_to(outside)
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(pack)
    [found] = info.value.problems
    assert found.code == "not-a-regular-file"
    assert found.source == f"{pack}/linked.yaml"
    assert "symbolic link" in found.message


def test_a_pack_with_a_dev_zero_link_and_a_fifo_is_refused_quickly(tmp_path: Path) -> None:
    pack = _pack_copy(tmp_path)
    (pack / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(pack / "x.yaml")
    started = time.perf_counter()
    result = cli("rules", "validate", "--rules", pack)
    assert time.perf_counter() - started < 20
    assert result.returncode == 2
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(pack)
    sources = {p.source: p.code for p in info.value.problems}
    assert sources == {
        f"{pack}/x.yaml": "not-a-regular-file",
        f"{pack}/zero.yaml": "not-a-regular-file",
    }


def test_a_symlinked_manifest_is_refused(tmp_path: Path) -> None:
    pack = _pack_copy(tmp_path)
    real = tmp_path / "real-pack.yaml"
    (pack / "pack.yaml").rename(real)
    (pack / "pack.yaml").symlink_to(real)
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(pack)
    assert [p.code for p in info.value.problems] == ["not-a-regular-file"]


def test_a_missing_pack_folder_says_it_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(tmp_path / "nosuchdir")
    [found] = info.value.problems
    assert (found.code, found.message) == ("not-found", "no such folder")
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(tmp_path)
    assert info.value.problems[0].code == "not-a-pack"


# ------------------------------------------------------------------------- 2. alias bombs


def test_the_billion_laughs_is_refused_in_milliseconds(tmp_path: Path) -> None:
    assert len(BOMB) < 600
    started = time.perf_counter()
    found = problem(MINIMAL + BOMB)
    assert time.perf_counter() - started < 0.5
    assert found.code == "alias-refused"
    assert "100,000" in found.message
    assert found.line is not None and found.line > 2
    pack = _pack_copy(tmp_path)
    (pack / "bomb.yaml").write_text(BOMB)
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(pack)
    assert [p.code for p in info.value.problems] == ["alias-refused"]


def test_an_alias_that_contains_itself_is_refused() -> None:
    found = problem(MINIMAL + "parties: &a [*a]\n")
    assert (found.code, found.line) == ("alias-refused", 3)


def test_small_aliases_still_work() -> None:
    text = MINIMAL + "purpose:\n  objectives: &o [Fewer missed visits]\n  intended_outcomes: *o\n"
    proposal = sr.parse_proposal(text, "p.yaml")
    assert proposal.purpose is not None
    assert proposal.purpose.intended_outcomes == ("Fewer missed visits",)


# ------------------------------------------------------------------------ 3. JSON as JSON


def test_json_dumps_output_is_read_as_json() -> None:
    data = {"id": "DSP-1", "title": "Sharing \U0001f600 \x85 \x9b data", "version": "2.5e4"}
    proposal = sr.parse_proposal(json.dumps(data), "p.json")
    assert proposal.title == data["title"]
    assert proposal.version == "2.5e4"


@pytest.mark.parametrize("source", ["p.json", None, "<stdin>"])
def test_json_numbers_are_numbers(source: str | None) -> None:
    found = problem('{"id": "DSP-1", "title": 1e5}', source)
    assert (found.path, found.code) == ("$.title", "wrong-type")
    assert "a number" in found.message
    text = '{"id": "x", "title": "t", "resources": {"cost_gbp": 2.5e4}}'
    proposal = sr.parse_proposal(text, source)
    assert proposal.resources is not None and proposal.resources.cost_gbp == 25000


def test_a_trailing_comma_is_a_json_error_with_its_line() -> None:
    found = problem('{\n  "id": "DSP-1",\n  "title": "t",\n}\n', "p.json")
    assert (found.code, found.line) == ("invalid-json", 4)
    assert found.message.startswith("invalid JSON")


def test_a_broken_json_file_is_not_called_yaml() -> None:
    found = problem('{"id": "DSP-1" "title": "t"}', "p.json")
    assert found.code == "invalid-json"
    assert "YAML" not in found.message


def test_json_duplicate_keys_are_reported_with_their_line() -> None:
    found = problem('{"id": "a",\n "title": "t",\n "id": "b"}', "p.json")
    assert (found.code, found.path, found.line) == ("duplicate-key", "$.id", 3)


def test_json_problems_carry_the_line_of_their_key() -> None:
    text = (
        '{\n  "id": "x",\n  "title": "t",\n  "data_items": [\n'
        '    {"name": "n",\n     "category": "emial"}\n  ]\n}'
    )
    found = problem(text, "p.json")
    assert (found.path, found.line, found.code) == (
        "$.data_items[0].category",
        6,
        "not-allowed-value",
    )


@given(srs.proposals())
def test_a_generated_proposal_written_as_json_loads_back_equal(proposal: sr.Proposal) -> None:
    text = json.dumps(sr.proposal_to_dict(proposal))
    assert sr.parse_proposal(text, "p.json") == proposal
    assert sr.parse_proposal(text, "<stdin>") == proposal


# ------------------------------------------------- 4. exceptions outside the hierarchy


@pytest.mark.parametrize(
    ("text", "path", "line"),
    [
        (MINIMAL + "purpose:\n  2: x\n", "$.purpose.2", 4),
        (MINIMAL + "purpose:\n  no: x\n", "$.purpose.False", 4),
        (MINIMAL + "purpose:\n  statement: s\n  3: x\n  b: y\n", "$.purpose.3", 5),
    ],
)
def test_keys_that_are_not_text_are_problems(text: str, path: str, line: int) -> None:
    found = problem(text)
    assert (found.path, found.code) == (path, "key-not-text")
    assert found.line == line
    assert "quotes" in (found.hint or "")


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (MINIMAL + "? [a, b]\n: 1\n", "invalid-yaml", 3),
        (MINIMAL + "created: 2026-02-30\n", "invalid-yaml", 3),
        (MINIMAL + "version: !!float x\n", "invalid-yaml", 3),
        (MINIMAL + "version: !!timestamp x\n", "invalid-yaml", 3),
        (
            MINIMAL + "purpose:\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(1, 496)),
            "too-deep",
            None,
        ),
        (MINIMAL + "title2: " + "[" * 100_000, "too-deep", 3),
        ('{"id": "x", "title": "\\ud800"}', "encoding", 1),
        (MINIMAL + 'version: "\\ud800"\n', "invalid-yaml", 3),  # libyaml refuses it
    ],
)
def test_malformed_values_are_problems_with_a_line(text: str, code: str, line: int | None) -> None:
    found = problem(text, "p.yaml" if text.startswith("id") else "p.json")
    assert found.code == code
    if line is not None:
        assert found.line == line


def test_an_impossible_date_says_it_is_not_a_real_date() -> None:
    found = problem(MINIMAL + "created: 2026-02-30\n")
    assert "'2026-02-30' is not a real date" in found.message


def test_a_mapping_given_with_a_lone_surrogate_is_a_problem() -> None:
    with pytest.raises(sr.ProposalError) as info:
        sr.proposal_from_dict({"id": "x", "title": json.loads('"\\ud800"')})
    assert [(p.path, p.code) for p in info.value.problems] == [("$.title", "encoding")]


class _Str(str):
    """Like numpy.str_: a str subclass."""


class _Float(float):
    """Like numpy.float64: a float subclass."""


def test_str_and_float_subclasses_become_builtins_and_assess() -> None:
    data = {"id": _Str("DSP-1"), "title": _Str("t"), "resources": {"cost_gbp": _Float(2.5)}}
    proposal = sr.proposal_from_dict(data)
    assert type(proposal.title) is str
    assert proposal.resources is not None and type(proposal.resources.cost_gbp) is float
    direct = sr.Proposal(id=_Str("DSP-1"), title=_Str("t"))
    assert type(direct.id) is str
    assert sr.assess(direct).outcome == sr.assess(sr.Proposal(id="DSP-1", title="t")).outcome


def test_the_model_raises_a_proposal_error() -> None:
    with pytest.raises(sr.ProposalError) as info:
        sr.Proposal(id="", title="x")
    assert isinstance(info.value, sr.SharingRulesError)
    assert [(p.path, p.code) for p in info.value.problems] == [("$.id", "invalid-value")]


def test_the_model_accepts_lists_and_vocabulary_strings() -> None:
    party = sr.Party(name="Council", roles=["provider"], sector="local_government")
    assert party.roles == (sr.PartyRole.PROVIDER,)
    assert party.sector is sr.Sector.LOCAL_GOVERNMENT
    sharing = sr.Sharing(method="email")
    assert sharing.method is sr.SharingMethod.EMAIL
    with pytest.raises(sr.ProposalError) as info:
        sr.Sharing(method="emial")
    [found] = info.value.problems
    assert (found.path, found.code) == ("$.method", "not-allowed-value")
    assert "'emial' is not one of the allowed values" in found.message


def test_load_proposal_of_a_list_is_a_usage_error() -> None:
    with pytest.raises(sr.UsageError) as info:
        sr.load_proposal([1, 2])  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, sr.SharingRulesError)


def test_an_assessor_accepts_a_pack_folder() -> None:
    by_path = sr.Assessor(str(COUNCIL))
    assert by_path.rules.digest == sr.load_rules(COUNCIL).digest
    with pytest.raises(sr.UsageError, match="RulePack"):
        sr.Assessor(42)  # type: ignore[arg-type]
    proposal = ROOT / "examples" / "vague-title-only.yaml"
    by_pack = sr.assess(proposal, rules=sr.load_rules(COUNCIL))
    assert sr.assess(proposal, rules=COUNCIL) == by_pack
    with pytest.raises(sr.UsageError):
        sr.assess(proposal, rules=["x"])  # type: ignore[arg-type]


def test_disable_takes_one_id_as_a_string() -> None:
    rule_id = sr.load_rules().rules[0].id
    pack = sr.load_rules(disable=rule_id)
    assert rule_id not in {r.id for r in pack.rules}
    assert len(pack.rules) == len(sr.load_rules().rules) - 1


def test_load_rules_misuse_is_a_usage_error() -> None:
    with pytest.raises(sr.UsageError):
        sr.load_rules(42)  # type: ignore[arg-type]
    with pytest.raises(sr.UsageError):
        sr.load_rules(severity=["x"])  # type: ignore[arg-type]


# ------------------------------------------------------- 6. manifest and rule field types


def _edit(pack: Path, name: str, old: str, new: str) -> None:
    path = pack / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("name", "old", "new", "path"),
    [
        ("pack.yaml", "version: 2026.1", "version: !!set {a, b, c}", "$.version"),
        ("children.yaml", "version: 1", "version: !!set {a, b}", "$.rules[0].version"),
        ("children.yaml", "version: 1", "version: [1, 2]", "$.rules[0].version"),
        ("pack.yaml", "version: 2026.1", "version: {major: 1}", "$.version"),
    ],
)
def test_wrong_types_in_a_pack_are_refused(
    tmp_path: Path, name: str, old: str, new: str, path: str
) -> None:
    pack = _pack_copy(tmp_path)
    _edit(pack, name, old, new)
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(pack)
    found = [(p.path, p.code, p.source) for p in info.value.problems]
    assert (path, "wrong-type", f"{pack}/{name}") in found


def test_a_rule_id_that_is_not_text_is_reported_not_dropped(tmp_path: Path) -> None:
    pack = _pack_copy(tmp_path)
    text = (pack / "children.yaml").read_text()
    rule_id = text.split("- id: ", 1)[1].split("\n", 1)[0]
    _edit(pack, "children.yaml", f"- id: {rule_id}", "- id: 12")
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(pack)
    assert ("$.rules[0].id", "wrong-type") in [(p.path, p.code) for p in info.value.problems]


def test_override_typos_name_their_file_and_line(tmp_path: Path) -> None:
    pack = _pack_copy(tmp_path)
    manifest = pack / "pack.yaml"
    data = manifest.read_text()
    assert data.endswith("severity: {proportionate.secure-transfer: blocking}\n")
    manifest.write_text(data + "  disable: [no.such-rule]\n")
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(pack)
    [found] = info.value.problems
    assert (found.code, found.source) == ("unknown-rule", f"{pack}/pack.yaml")
    assert found.line == len(data.splitlines()) + 1
    assert found.path == "$.overrides.disable[0]"


def test_an_override_list_of_the_wrong_type_is_not_ignored(tmp_path: Path) -> None:
    pack = _pack_copy(tmp_path)
    manifest = pack / "pack.yaml"
    manifest.write_text(manifest.read_text() + "  disable: some.rule\n")
    with pytest.raises(sr.RuleError) as info:
        sr.load_rules(pack)
    assert [(p.path, p.code) for p in info.value.problems] == [
        ("$.overrides.disable", "wrong-type")
    ]


# --------------------------------------------------------------- 5. help where people go wrong


@pytest.mark.parametrize("value", ["yes", "no", "on", "1.0", "2026-01-01"])
def test_unquoted_scalars_where_text_is_expected_say_quote_it(value: str) -> None:
    found = problem(MINIMAL + f"version: {value}\n")
    assert (found.path, found.code) == ("$.version", "wrong-type")
    assert "put it in quotes" in (found.hint or "")


def test_a_hash_that_cuts_text_short_warns_with_its_path_and_line() -> None:
    text = MINIMAL + "purpose:\n  statement: Visit homes #2 first\n  objectives: [a]  # fine\n"
    with pytest.warns(sr.InputWarning) as caught:
        proposal = sr.parse_proposal(text, "p.yaml")
    assert proposal.purpose is not None and proposal.purpose.statement == "Visit homes"
    [warning] = [w.message for w in caught]
    assert isinstance(warning, sr.InputWarning)
    found = warning.problem
    assert (found.code, found.path, found.line) == ("text-cut-by-comment", "$.purpose.statement", 4)


@pytest.mark.filterwarnings("error")
def test_comments_urls_and_block_text_do_not_warn() -> None:
    text = MINIMAL + (
        "version: '1'  # a comment\n"
        "transparency:\n  privacy_notice: https://example.org/p#fire\n"
        "purpose:\n  statement: |\n    Visit #2 homes\n"
    )
    proposal = sr.parse_proposal(text, "p.yaml")
    assert proposal.purpose is not None and proposal.purpose.statement == "Visit #2 homes\n"


def test_curly_quotes_in_a_key_say_use_straight_quotes() -> None:
    found = problem(MINIMAL + "\u201cversion\u201d: '1'\n")
    assert found.code == "unknown-key"
    assert "straight quotes" in (found.hint or "")


def test_a_windows_1252_file_names_the_byte_and_says_resave(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(MINIMAL.encode() + b"version: \x93draft\x94\n")
    with pytest.raises(sr.ProposalError) as info:
        sr.load_proposal(path)
    [found] = info.value.problems
    assert found.code == "encoding"
    assert found.line == 3
    assert f"byte offset {len(MINIMAL) + 9}" in found.message
    assert "0x93" in found.message
    assert "UTF-8" in (found.hint or "")


def test_enum_values_get_did_you_mean() -> None:
    found = problem(MINIMAL + "sharing:\n  method: emial\n")
    assert found.code == "not-allowed-value"
    assert found.hint == "did you mean 'email'?"


def test_problems_are_sorted_in_line_order() -> None:
    text = MINIMAL + "sharing:\n  method: x\nzzz: 1\naaa: 2\npurpose:\n  statement: ''\n"
    with pytest.raises(sr.ProposalError) as info:
        sr.parse_proposal(text, "p.yaml")
    lines = [p.line for p in info.value.problems]
    assert len(lines) == 4
    assert lines == sorted(lines)  # type: ignore[type-var]


def test_every_problem_is_a_problem_with_a_code(tmp_path: Path) -> None:
    cases: list[Any] = [MINIMAL + BOMB, "{", MINIMAL + "x: 1\n", "- a\n"]
    for text in cases:
        with pytest.raises(sr.ProposalError) as info:
            sr.parse_proposal(text, "p.yaml")
        assert all(p.code != "invalid" for p in info.value.problems), info.value.problems
