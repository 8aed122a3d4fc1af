"""The parts of WeasyPrint that Briefing relies on beyond its basic API, in one place.

Besides `HTML`, `CSS`, `Attachment`, `Document.metadata` and `write_pdf`, Briefing depends on:

- `weasyprint.URLFetcher` (new in WeasyPrint 68; pyproject.toml asks for 70, the first whose
  tagged PDFs are byte for byte reproducible): subclassed so that every resource is vetted
  before it is fetched. Its constructor takes `allowed_protocols` and `allow_redirects`;
  WeasyPrint calls `fetch(url, headers)` for every stylesheet, image, font and attachment.
- `Page.links` of a rendered `Document`: a list of `(kind, target, rectangle, box)` tuples that
  `write_pdf` turns into link annotations. Targets are rewritten in place before writing.
- `write_pdf(finisher=...)`: called with the document and the pydyf `PDF` just before it is
  serialised. The catalog's `/AF` array (the associated files of PDF/A-3) is edited there.

After upgrading WeasyPrint, check these against its changelog; tests/test_pdf_meta.py,
tests/test_book.py and tests/test_hostile_text.py exercise each of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def guarded_fetcher(vet: Callable[[str], str]) -> Any:
    """A WeasyPrint URL fetcher that fetches `vet(url)`, for file: and data: URLs only.

    `vet` returns the URL to fetch in place of the one asked for, or raises ValueError to
    refuse it (WeasyPrint logs the refusal and goes on without the resource).
    """
    import weasyprint

    class GuardedFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            # No redirects: a vetted URL must not lead on to one that was not vetted.
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            return super().fetch(vet(url), headers)

    return GuardedFetcher()


def rewrite_links(document: Any, rewrite: Callable[[str, str], tuple[str, str]]) -> None:
    """Pass every link of a rendered document through `rewrite(kind, target)`, which returns
    the new kind ('external' or 'internal') and target (a URL, or an anchor's name)."""
    for page in document.pages:
        page.links = [(*rewrite(kind, target), *rest) for kind, target, *rest in page.links]


def associate_once(document: Any, pdf: Any) -> None:
    """A `write_pdf` finisher: drop repeated entries from the catalog's /AF.

    WeasyPrint lists each attachment there twice.
    """
    associated = pdf.catalog.get("AF")
    if associated:
        unique = list(dict.fromkeys(associated))
        associated.clear()
        associated.extend(unique)
