"""How much of the briefing book is apparatus: words in notes and appendices against all words,
which sentences of eight words or more it prints twice (render.book.repeated_sentences), and
how much of each page is left blank below its last line (pdf.measure.blank_space).

Usage: .venv/bin/python scripts/book_words.py [PROJECT]   (prints pages, words, the share, the
repeated sentences, and each page's blank share, flagging a page more than a third blank that
does not end a part; exits 1 if there is one)
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser

from pypdf import PdfReader

from briefing.core.project import Project
from briefing.pdf.measure import LOOSE_SHARE, blank_space, loose_pages, part_ends
from briefing.render.book import repeated_sentences
from briefing.site.build import checked_facts, render_site
from briefing.site.publish import part_anchors


class _Words(HTMLParser):
    """Counts words inside and outside the apparatus (notes sections, appendices)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # >0 while inside an apparatus element
        self.stack: list[bool] = []
        self.body = 0
        self.apparatus = 0
        self.skip = 0  # inside <style>, <title>, popovers (screen only, not printed)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "meta", "img", "hr", "col", "link"}:
            return
        classes = (dict(attrs).get("class") or "").split()
        is_apparatus = tag == "section" and ("notes" in classes or "appendix" in classes)
        # Screen-only popovers, and the strings of the running header that each part of the
        # book sets (page furniture, not text a reader reads through).
        hidden = tag in {"style", "title", "head"} or bool(
            {"pop", "fn", "running-strings"} & set(classes)
        )
        self.stack.append(is_apparatus or hidden)
        if is_apparatus:
            self.depth += 1
        if hidden:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "meta", "img", "hr", "col", "link"} or not self.stack:
            return
        flagged = self.stack.pop()
        if flagged and self.skip:
            self.skip -= 1
        elif flagged and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        # A word has a letter or a digit: the separators between notes and fields ("·", "—")
        # are punctuation, not words a reader reads.
        words = sum(1 for token in data.split() if any(c.isalnum() for c in token))
        if self.depth:
            self.apparatus += words
        else:
            self.body += words


def main(root: str = ".") -> None:
    project = Project.at(root)
    checked, facts, plan = checked_facts(project)
    site = render_site(facts, project, plan, checked.texts)
    assert site.book is not None
    counter = _Words()
    book = site.book  # the parts the book is bound from (briefing.bind)
    for part in (book.cover, book.flow, book.sources, book.method):
        counter.feed(part)
    total = counter.body + counter.apparatus
    books = sorted((project.build / "pdf").glob("book*.pdf"))
    pages = len(PdfReader(books[0]).pages) if books else 0
    print(f"book: {pages} pages (build/pdf), {total} words")
    print(
        f"apparatus (notes and appendices): {counter.apparatus} words, "
        f"{100 * counter.apparatus / total:.1f}% of the book"
    )
    parts = {"cover": book.cover, **book.chapters, "sources": book.sources, "method": book.method}
    repeated = repeated_sentences(parts)
    print(f"sentences of 8+ words printed twice: {len(repeated)}")
    for sentence, names in repeated.items():
        print(f"  {', '.join(names)}: {sentence}")
    loose = blank_pages(books[0].read_bytes(), part_anchors(site)) if books else []
    if loose:
        sys.exit(1)


def blank_pages(content: bytes, starts: tuple[str, ...]) -> list[int]:
    """Print each page's blank share below its last line; the pages more than a third blank
    that end no part (the note, the cover, the chapters, an appendix), which it returns."""
    spaces = blank_space(content)
    ends = part_ends(content, starts)
    loose = {space.page for space in loose_pages(spaces, ends)}
    print(
        f"blank below the last line (more than {LOOSE_SHARE:.0%} is flagged but on a part's end):"
    )
    for space in spaces:
        mark = (
            "  TOO BLANK"
            if space.page in loose
            else ("  (ends a part)" if space.page in ends else "")
        )
        print(f"  page {space.page:>3}: {space.blank:4.0%}{mark}")
    print(f"pages too blank: {len(loose)}")
    return sorted(loose)


if __name__ == "__main__":
    main(*sys.argv[1:2])
