"""Every file in tests/bad_inputs/ is refused with exit code 1 and a located message.

A case is one file. Its first line names where it goes and what the check must say:

    # facts/actors/cc.yaml:12:18: mapping values are not allowed

i.e. the file the case is dropped into (replacing or adding it in a copy of the valid
fixture), the line:col the diagnostic must point at (omitted for whole-file problems), and a
substring of the message. Further comment lines may add `# hint: TEXT` (must appear in the
hint) and `# absent: TEXT` (must not appear anywhere in the output).
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile_support import make_project, run_cli

CASES = Path(__file__).resolve().parent / "bad_inputs"
_HEADER = re.compile(r"^# (?P<file>facts/\S+?\.ya?ml)(?P<pos>:\d+:\d+)?: (?P<message>.+)$")


@dataclass(frozen=True)
class Case:
    name: str
    target: str
    location: str
    message: str
    hints: tuple[str, ...]
    absent: tuple[str, ...]
    content: bytes


def read_case(path: Path) -> Case:
    content = path.read_bytes()
    lines = content.split(b"\n")
    header = _HEADER.match(lines[0].decode("utf-8"))
    assert header, f"{path.name}: first line must be '# facts/FILE.yaml[:LINE:COL]: MESSAGE'"
    hints: list[str] = []
    absent: list[str] = []
    for raw in lines[1:]:
        line = raw.decode("utf-8", errors="replace")
        if line.startswith("# hint: "):
            hints.append(line.removeprefix("# hint: "))
        elif line.startswith("# absent: "):
            absent.append(line.removeprefix("# absent: "))
        else:
            break
    return Case(
        name=path.stem,
        target=header["file"],
        location=header["file"] + (header["pos"] or ""),
        message=header["message"],
        hints=tuple(hints),
        absent=tuple(absent),
        content=content,
    )


ALL_CASES = [read_case(p) for p in sorted(CASES.glob("*.yaml"))]


def test_enough_cases() -> None:
    assert len(ALL_CASES) >= 40


def diagnostic_blocks(stderr: str) -> list[str]:
    """The diagnostics of a run, each with its source excerpt, hint and related lines."""
    blocks: list[str] = []
    for line in stderr.splitlines():
        if line[:1].isspace() and blocks:  # hint, source line, caret
            blocks[-1] += "\n" + line
        else:
            blocks.append(line)
    return blocks


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_bad_input_is_refused_with_location(case: Case, tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    (root / case.target).write_bytes(case.content)

    result = run_cli("--root", str(root), "check")

    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    prefix = f"{case.location}: error: "
    matching = [
        block
        for block in diagnostic_blocks(result.err)
        if block.startswith(prefix) and case.message in block.splitlines()[0]
    ]
    assert matching, f"expected '{prefix}...{case.message}...' in:\n{result.err}"
    for hint in case.hints:
        assert any(f"hint: {''}" in b and hint in b for b in matching), (hint, matching)
    for text in case.absent:
        assert text not in result.err, result.err
    # Every diagnostic names a file of the fact base, never an internal path.
    for block in diagnostic_blocks(result.err)[:-1]:
        assert block.startswith("facts/"), block


@pytest.mark.parametrize("name", ["tag_python_object", "alias_bomb", "binary_file"])
def test_real_command_refuses_without_traceback(name: str, tmp_path: Path) -> None:
    """The installed entry point, in its own process: exit 1, no traceback, nothing run."""
    case = read_case(CASES / f"{name}.yaml")
    root = make_project(tmp_path / "project")
    (root / case.target).write_bytes(case.content)
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "--root", str(root), "build", "--no-pdf"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{case.location}: error: " in result.stderr
    assert not (root / "build").exists()
