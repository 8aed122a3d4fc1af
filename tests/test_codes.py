"""Every diagnostic has a registered code, every code is used, and the README lists them."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.core.codes import CODES
from briefing.core.diagnostics import Diagnostic, Location, exit_status
from tests.editing_fixture import edit, make_project

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"[A-Z][0-9]{3}")


def codes_in_source() -> dict[str, list[str]]:
    """Each code-shaped string constant in briefing/ (outside the registry), with where."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "briefing").rglob("*.py")):
        if path.name == "codes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            if CODE.fullmatch(node.value):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.setdefault(node.value, []).append(where)
    return found


def test_every_code_used_is_registered_and_every_registered_code_used() -> None:
    used = codes_in_source()
    assert {code: where for code, where in used.items() if code not in CODES} == {}
    assert sorted(set(CODES) - set(used)) == []


def test_every_diagnostic_made_in_briefing_names_its_code() -> None:
    # mypy also insists, but a call through **kwargs would slip past it.
    missing = []
    for path in sorted((ROOT / "briefing").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or getattr(node.func, "id", None) != "Diagnostic":
                continue
            if "code" not in {k.arg for k in node.keywords}:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []


def test_registry_entries_say_what_and_how_to_fix() -> None:
    for code, entry in CODES.items():
        assert CODE.fullmatch(code), code
        assert entry.summary and entry.fix, code


def test_readme_table_lists_every_code_with_its_summary() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n## Diagnostic codes", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and CODE.fullmatch(cells[0].strip("`")):
            rows[cells[0].strip("`")] = cells[1]
    assert rows == {code: entry.summary for code, entry in CODES.items()}


def test_an_unregistered_code_is_refused() -> None:
    with pytest.raises(ValueError, match="Z999"):
        Diagnostic(Location("f.yaml"), "x", code="Z999")


def test_exit_status_is_two_only_for_a_refusal() -> None:
    mistake = Diagnostic(Location("f.yaml"), "x", code="S001")
    refusal = Diagnostic(Location("f.yaml"), "y", code="N002")
    warning = Diagnostic(Location("f.yaml"), "z", code="N002", severity="warning")
    assert exit_status([]) == 0
    assert exit_status([warning]) == 0
    assert exit_status([mistake]) == 1
    assert exit_status([mistake, refusal]) == 2


def test_check_prints_the_code_and_json_carries_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path)
    edit(project.facts / "actors" / "ee.yaml", "stance: supports with conditions", "stance: x")
    root = str(project.root)
    assert main(["--root", root, "check"]) == 1
    assert "error: positions.0.stance: 'x' is not allowed here [S003]" in capsys.readouterr().err
    assert main(["--root", root, "check", "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in found if d["severity"] == "error"] == ["S003"]


def test_a_curator_mistake_exits_1_in_new_as_in_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(make_project(tmp_path).root)
    assert main(["--root", root, "new", "source", "missing.txt"]) == 1
    assert "[N001]" in capsys.readouterr().err


def test_a_refusal_to_overwrite_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(make_project(tmp_path).root)
    args = ["--root", root, "new", "actor", "ee", "--name", "Estonia", "--kind", "country"]
    assert main([*args, "--code", "EE"]) == 2
    assert "already exists [N002]" in capsys.readouterr().err
