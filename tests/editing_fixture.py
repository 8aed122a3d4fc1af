"""A small fact base of our own (tests/fixtures/editing) for the editing commands' tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from briefing.check.facts import run_check
from briefing.core.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "editing"


def make_project(tmp_path: Path) -> Project:
    """A writable copy of the editing fixture, with an empty templates/ for overrides (the
    packaged templates serve everything else)."""
    root = tmp_path / "proj"
    shutil.copytree(FIXTURE, root)
    (root / "templates").mkdir()
    return Project.at(root)


def edit(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of `old` in a file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def messages(project: Project) -> list[str]:
    """Every diagnostic the check gives on a project, as the curator reads it."""
    _, problems = run_check(project)
    return [p.format() for p in problems]
