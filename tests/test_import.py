"""``import sharing_rules`` loads what it needs on first use, and every public name imports."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sharing_rules as sr

ROOT = Path(__file__).resolve().parent.parent
INIT = ROOT / "src" / "sharing_rules" / "__init__.py"
NOT_YET = ["click", "jsonschema", "hypothesis", "sharing_rules._render", "sharing_rules._schema"]


def _modules_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_import_loads_no_command_line_renderer_schema_generator_or_dialogue() -> None:
    loaded = _modules_after("import sharing_rules")
    assert "sharing_rules" in loaded
    later = [*NOT_YET, "sharing_rules._dialogue", "sharing_rules._voice", "sharing_rules._assess"]
    assert [name for name in later if name in loaded] == []


def test_assessing_loads_no_command_line_renderer_or_schema_generator() -> None:
    loaded = _modules_after(
        "import sharing_rules as sr\n"
        "assert sr.assess('examples/gang-list-schools.yaml').outcome\n"
        "assert sr.Verdict and sr.load_rules"
    )
    assert "sharing_rules._assess" in loaded  # the assessment did run
    assert [name for name in NOT_YET if name in loaded] == []


def test_using_a_name_loads_its_module() -> None:
    loaded = _modules_after("import sharing_rules as sr\nsr.render_text")
    assert {"sharing_rules._render", "click"} <= loaded


def test_every_public_name_imports_from_a_fresh_interpreter() -> None:
    script = textwrap.dedent(
        """
        import sharing_rules
        names = list(sharing_rules.__all__)
        for name in names:
            exec(f"from sharing_rules import {name}")
        from sharing_rules import *
        missing = [n for n in names if n not in globals()]
        assert not missing, missing
        print(len(names))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(sr.__all__)


@pytest.mark.parametrize("name", sorted(sr._LAZY))
def test_each_lazy_name_is_its_modules_object(name: str) -> None:
    module = sys.modules.get(f"sharing_rules{sr._LAZY[name]}") or __import__(
        f"sharing_rules{sr._LAZY[name]}", fromlist=["_"]
    )
    assert getattr(sr, name) is getattr(module, name)


def test_dir_lists_every_public_name() -> None:
    assert set(sr.__all__) <= set(dir(sr))
    assert len(sr.__all__) == len(set(sr.__all__))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'asess'"):
        sr.asess  # noqa: B018
    assert not hasattr(sr, "_render_text")


def test_type_checkers_see_every_lazy_name_from_its_module() -> None:
    """The TYPE_CHECKING block tells mypy and editors what each lazy name is: it must name
    the same module as the mapping, and re-export explicitly (``import X as X``)."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    seen = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            assert alias.asname == alias.name
            seen[alias.name] = "." * node.level + (node.module or "")
    assert seen == sr._LAZY


def test_all_is_a_literal_list_of_the_lazy_and_model_names() -> None:
    """Static tools (griffe for the API reference's cross-references, IDEs) read ``__all__``
    without running the module: it must list the names as strings."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    node = next(
        n for n in tree.body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "__all__"
    )
    assert isinstance(node.value, ast.List)
    listed = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
    starred = [ast.unparse(e) for e in node.value.elts if not isinstance(e, ast.Constant)]
    assert starred == ["*_model_all"]
    assert sorted(listed) == sorted(["__version__", *sr._LAZY])
    assert sr.__all__ == [*listed, *sr._model_all]
