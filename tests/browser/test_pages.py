"""Every built HTML page, in a real browser: offline, error-free, fits a phone, accessible."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.harness import SCHEMES, VNU, WIDTHS, Scheme, close, open_page, pages


def test_build_has_the_pages_under_test(built: Path) -> None:
    names = [p.relative_to(built).as_posix() for p in pages(built)]
    assert names[0] == "index.html"
    assert "html/overview.html" in names
    assert len(names) >= 3


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_load_offline_without_errors_and_fit(
    built: Path, browser: Browser, width: int
) -> None:
    problems: list[str] = []
    for path in pages(built):
        visit = open_page(browser, path, width=width)
        name = path.relative_to(built)
        problems += [f"{name}: console error: {e}" for e in visit.console_errors]
        problems += [f"{name}: request left the file: {u}" for u in visit.blocked]
        if width < 600 and (overflow := visit.horizontal_overflow()):
            problems.append(f"{name}: {overflow}px wider than a {width}px screen")
        close(visit)
    assert problems == []


def test_pages_fit_the_narrowest_phone(built: Path, browser: Browser) -> None:
    wide = {}
    for path in pages(built):
        visit = open_page(browser, path, width=360)
        wide[path.name] = visit.horizontal_overflow()
        close(visit)
    assert set(wide.values()) == {0}, wide


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_pages_have_no_serious_axe_violations(
    built: Path, browser: Browser, width: int, scheme: Scheme
) -> None:
    problems: list[str] = []
    for path in pages(built):
        visit = open_page(browser, path, width=width, scheme=scheme)
        problems += [f"{path.relative_to(built)}: {v}" for v in visit.axe_violations()]
        close(visit)
    assert problems == []


def test_pages_pass_the_nu_html_checker(built: Path) -> None:
    files = [str(p) for p in pages(built)]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_phone_tables_reflow_instead_of_scrolling(built: Path, browser: Browser) -> None:
    visit = open_page(browser, built / "html" / "overview.html", width=390)
    scrolling = visit.page.evaluate(
        """[...document.querySelectorAll('.table-wrap')]
             .filter(w => w.scrollWidth > w.clientWidth + 1)
             .map(w => w.querySelector('table').className)"""
    )
    labels = visit.page.evaluate(
        """getComputedStyle(document.querySelector('table.reflow td[data-label]:not(:first-child)'),
             '::before').content"""
    )
    close(visit)
    assert scrolling == []
    assert labels.startswith('"') and labels != '"none"'


def test_dark_scheme_follows_the_reader(built: Path, browser: Browser) -> None:
    colours = {}
    for scheme in SCHEMES:
        visit = open_page(browser, built / "html" / "overview.html", width=1280, scheme=scheme)
        colours[scheme] = visit.page.evaluate(
            "getComputedStyle(document.documentElement).backgroundColor"
        )
        close(visit)
    assert colours["light"] == "rgb(255, 255, 255)"
    assert colours["dark"] != colours["light"]


def test_the_fence_catches_what_a_page_would_fetch(tmp_path: Path, browser: Browser) -> None:
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="style.css"></head><body>'
        '<img src="https://example.invalid/x.png" alt="">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""></body></html>',
        encoding="utf-8",
    )
    visit = open_page(browser, page, width=390)
    close(visit)
    assert sorted(visit.blocked) == [
        (tmp_path / "style.css").as_uri(),
        "https://example.invalid/x.png",
    ]
    assert visit.console_errors  # the refused loads surface as errors too
