"""Shared fixtures: the repository root, and throwaway copies of fact bases to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing.core.project import Project
from briefing.factbase.load import load_file
from briefing.factbase.model import Vocabulary
from briefing.factbase.vocabulary import Models, specialise

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def repo_project() -> Project:
    """The shipped project, read-only."""
    return Project.at(REPO)


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One full build (HTML, PDFs, the book) of a copy of the shipped project, shared by every
    test that needs it: the shipped facts are tested for invariants, built once."""
    from briefing.site.build import build

    root = tmp_path_factory.mktemp("shipped") / "project"
    shutil.copytree(REPO / "facts", root / "facts")
    if (REPO / "templates").is_dir():
        shutil.copytree(REPO / "templates", root / "templates")
    project = Project.at(root)
    build(project)
    return project


@pytest.fixture
def mini(tmp_path: Path) -> Project:
    """A writable copy of the small fixture project (its own facts, the real templates)."""
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    return Project.at(root)


def fixture_models(name: str = "mini") -> Models:
    """The model narrowed to a fixture desk's vocabulary, for tests that build facts in code."""
    loaded, problems = load_file(FIXTURES / name / "facts" / "vocabulary.yaml", "vocabulary.yaml")
    assert loaded is not None and not problems
    return specialise(Vocabulary.model_validate(loaded.data))
