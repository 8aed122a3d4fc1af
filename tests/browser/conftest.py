"""Browser-test fixtures: one build of the shipped fact base and one Chromium per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from briefing.core.project import Project
from tests.browser.harness import AXE, REPO, VNU, launch


@pytest.fixture(scope="session")
def built(shipped: Project) -> Path:
    """build/ of the suite's one build of the shipped project, PDFs included."""
    return shipped.build


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
