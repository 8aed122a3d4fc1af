"""Drive Debian's Chromium (never a downloaded browser) over the built HTML briefs.

Shared by the browser tests and `make screenshots`: launching, fencing every page off the
network, and the checks that run inside a page (overflow, axe-core).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Route, sync_playwright

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("BRIEFING_CHROMIUM", "/usr/bin/chromium"))
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WIDTHS = (1280, 390)
Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")
# Chromium must not phone home while a test watches for requests leaving the page.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright: Playwright) -> Browser:
    """Start the system Chromium; fail with a clear message when it is missing."""
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} not found: run scripts/sysdeps.sh (Debian package 'chromium') "
            "or set BRIEFING_CHROMIUM to a Chromium binary"
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@dataclass
class Visit:
    """One page opened in the browser, and what it tried to do."""

    page: Page
    url: str
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def horizontal_overflow(self) -> int:
        """Pixels by which the page is wider than the viewport (0 when it fits)."""
        width: int = self.page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
        return max(0, width)

    def axe_violations(self, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
        """axe-core's violations of the given impacts, one line per rule and element."""
        self.page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result: dict[str, Any] = self.page.evaluate(
            "axe.run(document, {resultTypes: ['violations']})"
        )
        found = []
        for violation in result["violations"]:
            if violation["impact"] in impacts:
                for node in violation["nodes"]:
                    found.append(f"{violation['id']} ({violation['impact']}): {node['target']}")
        return found


def open_page(
    browser: Browser,
    path: Path,
    *,
    width: int,
    scheme: Scheme = "light",
    javascript: bool = True,
    height: int = 900,
) -> Visit:
    """Open a built HTML file with every request other than the file itself refused."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,
        java_script_enabled=javascript,
    )
    page = context.new_page()
    visit = Visit(page, path.resolve().as_uri())

    def fence(route: Route) -> None:
        if route.request.url.split("#")[0] == visit.url:
            route.continue_()
        else:
            visit.blocked.append(route.request.url)
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            visit.console_errors.append(message.text)

    context.route("**/*", fence)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: visit.console_errors.append(str(exc)))
    page.goto(visit.url, wait_until="load")
    return visit


def close(visit: Visit) -> None:
    """Close a visit's browser context."""
    visit.page.context.close()


def pages(build: Path) -> list[Path]:
    """Every HTML page of a build: the index, then the briefs."""
    return [build / "index.html", *sorted((build / "html").glob("*.html"))]


def screenshots(build: Path, out: Path) -> Iterator[Path]:
    """Full-page screenshots of every page, each width and colour scheme, plus an open note."""
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for path in pages(build):
                for width in WIDTHS:
                    for scheme in SCHEMES:
                        visit = open_page(browser, path, width=width, scheme=scheme)
                        target = out / f"{path.stem}-{width}-{scheme}.png"
                        visit.page.screenshot(path=str(target), full_page=True)
                        yield target
                        markers = visit.page.locator("button.fn")
                        if markers.count():
                            markers.first.click()
                            target = out / f"{path.stem}-{width}-{scheme}-note.png"
                            visit.page.screenshot(path=str(target))
                            yield target
                        close(visit)
        finally:
            browser.close()


def main(argv: list[str]) -> int:
    """`python -m tests.browser.harness BUILD_DIR [OUT_DIR]`: write screenshots."""
    build = Path(argv[0]) if argv else REPO / "build"
    out = Path(argv[1]) if len(argv) > 1 else build / "screenshots"
    if not (build / "index.html").exists():
        print(f"{build}/index.html not found: run `make brief` first", file=sys.stderr)
        return 1
    count = sum(1 for _ in screenshots(build, out))
    print(f"wrote {count} screenshots to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
