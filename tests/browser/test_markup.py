"""The HTML the templates write: self-contained, one h1, ordered headings, scoped headers."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

from briefing.core.project import Project
from briefing.factbase.model import Citation, FactBase
from briefing.factbase.validate import load_fact_base
from briefing.render.pages import Notes
from tests.browser.harness import pages


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.external: list[str] = []
        self.unscoped_th = 0
        self.links: list[str] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag == "th" and a.get("scope") not in ("col", "row"):
            self.unscoped_th += 1
        if tag in ("script", "link", "iframe", "object", "embed"):
            self.external.append(tag)
        if tag in ("img", "source", "video", "audio") and not (a.get("src") or "").startswith(
            "data:"
        ):
            self.external.append(f"{tag} {a.get('src')}")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")


def _outline(path: Path) -> _Outline:
    parser = _Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_pages_are_self_contained(built: Path) -> None:
    for path in pages(built):
        outline = _outline(path)
        assert outline.external == [], path
        assert "<style>" in path.read_text(encoding="utf-8")


def test_one_h1_and_no_skipped_heading_level(built: Path) -> None:
    for path in pages(built):
        levels = _outline(path).headings
        assert levels.count(1) == 1 and levels[0] == 1, (path, levels)
        assert all(b <= a + 1 for a, b in pairwise(levels)), (path, levels)


def test_table_headers_are_scoped_and_pages_have_a_language(built: Path) -> None:
    for path in pages(built):
        outline = _outline(path)
        assert outline.unscoped_th == 0, path
        assert outline.html_lang, path


def test_relative_links_resolve_to_built_files(built: Path) -> None:
    targets = []
    for path in pages(built):
        for href in _outline(path).links:
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc, (path, href)
            if parts.path:
                target = (path.parent / parts.path).resolve()
                assert target.is_file(), (path, href)
                targets.append(target.relative_to(built.resolve()).as_posix())
    for brief in (built / "html").glob("*.html"):
        assert f"html/{brief.name}" in targets
        assert any(re.fullmatch(rf"pdf/{brief.stem}-ed\d+\.pdf", t) for t in targets), brief


def _facts() -> FactBase:
    base, _, _ = load_fact_base(Project.at(Path(__file__).resolve().parents[2]))
    assert base is not None
    return base.facts


def test_quotes_in_another_language_carry_lang_and_markers_have_unique_ids() -> None:
    facts = _facts()
    source = facts.sources[0].id
    notes = Notes(facts, "ua")
    quote = Citation(source=source, quote="Україна потребує гарантій безпеки", lang="uk")
    first = str(notes.cite([quote]))
    again = str(notes.cite([quote]))
    assert '<q class="pop-quote" lang="uk">' in first
    assert 'id="ua-ref-1"' in first and 'id="ua-ref-2"' in again
    assert 'href="#ua-note-1"' in again  # the same quote keeps its number
    assert notes.notes[0].refs == [1, 2]
