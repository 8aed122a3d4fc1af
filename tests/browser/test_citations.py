"""Footnote markers reveal their note in place (tap, hover, keyboard) and link to it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page
from pypdf import PdfReader

from tests.browser.harness import close, open_page


def _note_text(page: Page, number: str) -> str:
    # Note ids carry the brief's slug (overview-note-3): unique in the book as in the page.
    return page.locator(f"li[id$='-note-{number}'] q").inner_text()


def _inside_viewport(page: Page, element: Locator) -> bool:
    box = element.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


def test_tap_opens_the_note_in_place_without_javascript(built: Path, browser: Browser) -> None:
    visit = open_page(
        browser, built / "html" / "overview.html", width=390, javascript=False, height=800
    )
    page = visit.page
    marker = page.locator("button.fn").nth(2)
    number = marker.inner_text()
    popover = page.locator(f"#{marker.get_attribute('popovertarget')}")
    assert not popover.is_visible()
    marker.scroll_into_view_if_needed()
    marker.click()
    assert popover.is_visible()
    assert _inside_viewport(page, popover)
    assert _note_text(page, number) in popover.inner_text()
    assert re.search(r"reliability [A-F]", popover.inner_text())
    popover.get_by_role("button", name="Close").click()
    assert not popover.is_visible()
    marker.click()
    popover.get_by_role("link", name=f"Go to note {number}").click()
    assert page.url.endswith(f"#overview-note-{number}")
    assert _inside_viewport(page, page.locator(f"#overview-note-{number}"))
    close(visit)


def test_hover_and_keyboard_focus_preview_the_note(built: Path, browser: Browser) -> None:
    # An actor's brief, whichever the desk has: which actors get one is data.
    slug = next(
        p.stem
        for p in sorted((built / "html").glob("*.html"))
        if p.stem not in {"note", "overview"}
    )
    visit = open_page(browser, built / "html" / f"{slug}.html", width=1280)
    page = visit.page
    marker = page.locator("button.fn").first
    popover = page.locator(f"#{marker.get_attribute('popovertarget')}")
    marker.hover()
    assert popover.is_visible()
    assert _note_text(page, marker.inner_text()) in popover.inner_text()
    page.mouse.move(0, 0)
    assert not popover.is_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('fn')"):
            break
    assert page.evaluate("document.activeElement.getAttribute('popovertarget')") == (
        marker.get_attribute("popovertarget")
    )
    assert popover.is_visible()
    page.keyboard.press("Enter")  # pins the note; its link is the next stop
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == (
        f"#{slug}-note-{marker.inner_text()}"
    )
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # a preview holds no stops: on to the next marker
    assert page.evaluate("document.activeElement.getAttribute('popovertarget')") == (
        page.locator("button.fn").nth(1).get_attribute("popovertarget")
    )
    close(visit)


def test_every_marker_and_note_link_both_ways(built: Path, browser: Browser) -> None:
    visit = open_page(browser, built / "html" / "overview.html", width=1280)
    broken = visit.page.evaluate(
        """[...document.querySelectorAll('a[href^="#"]')]
             .map(a => a.getAttribute('href'))
             .filter(h => !document.getElementById(h.slice(1)))"""
    )
    markers = visit.page.locator("a.fn-print").count()
    backs = visit.page.locator(".notes a.back").count()
    close(visit)
    assert broken == []
    assert markers > 0 and backs == markers


def test_print_shows_plain_links_not_popovers(built: Path, browser: Browser) -> None:
    visit = open_page(browser, built / "html" / "overview.html", width=1280)
    visit.page.emulate_media(media="print")
    assert visit.page.locator("a.fn-print").first.is_visible()
    assert not visit.page.locator("button.fn").first.is_visible()
    assert visit.page.locator(".masthead .marking").is_visible()  # a browser prints the marking
    close(visit)
    # WeasyPrint reads the same HTML with print media: the PDF has no popover text in it.
    text = "".join(
        page.extract_text()
        for page in PdfReader(next((built / "pdf").glob("overview-ed*.pdf"))).pages
    )
    assert "Notes" in text
    assert "Go to note" not in text and "Close" not in text
