"""Shared fixtures: the repository root, and throwaway copies of fact bases to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def repo_project() -> Project:
    """The shipped project, read-only."""
    return Project.at(REPO)


@pytest.fixture
def mini(tmp_path: Path) -> Project:
    """A writable copy of the small fixture project (its own facts, the real templates)."""
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    return Project.at(root)
