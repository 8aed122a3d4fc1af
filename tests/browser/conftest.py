"""Browser-test fixtures: one build of the shipped fact base and one Chromium per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from briefing.check import run_check
from briefing.diagnostics import errors
from briefing.project import Project
from briefing.publish import publish
from tests.browser.harness import AXE, REPO, VNU, launch


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """build/ of a copy of the shipped project (facts and templates), PDFs included."""
    root = tmp_path_factory.mktemp("browser") / "project"
    shutil.copytree(REPO / "facts", root / "facts")
    project = Project.at(root)
    base, problems = run_check(project)
    assert base is not None and not errors(problems), [p.format() for p in problems]
    publish(project, base.facts)
    return project.build


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The system Chromium, shared by every browser test."""
    for tool in (AXE, VNU):
        if not tool.exists():
            pytest.fail(f"{tool} missing: run `npm ci` (scripts/sysdeps.sh does) in {REPO}")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
