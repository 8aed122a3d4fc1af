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
- `weasyprint.text.ffi.harfbuzz_subset` (None when the library is missing) and
  `weasyprint.text.fonts.FontConfiguration`, shared by the documents a process renders.

After upgrading WeasyPrint, check these against its changelog; tests/test_pdf_meta.py,
tests/test_book.py and tests/test_hostile_text.py exercise each of them.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

# WeasyPrint is imported inside the functions that use it (about a second to load): see
# briefing.pdf.document.


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


def _load(names: tuple[str, ...]) -> ctypes.CDLL | None:
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def font_subsetter() -> str:
    """Which library WeasyPrint subsets embedded fonts with: 'harfbuzz' or 'fonttools'.

    WeasyPrint picks HarfBuzz when libharfbuzz-subset loads and HarfBuzz is 4.1 or later, else
    fontTools, and the two write different bytes: a PDF is reproducible only with the same
    subsetter. This applies the test of `weasyprint.pdf.fonts.Font.subset` with ctypes, so
    that a build with nothing to lay out need not import WeasyPrint (0.4 s) to know it.
    """
    subset = _load(("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib"))
    harfbuzz = _load(("libharfbuzz.so.0", "libharfbuzz.0.dylib"))
    if subset is None or harfbuzz is None:
        return "fonttools"
    at_least = harfbuzz.hb_version_atleast
    at_least.argtypes = [ctypes.c_uint, ctypes.c_uint, ctypes.c_uint]
    at_least.restype = ctypes.c_int
    return "harfbuzz" if at_least(4, 1, 0) else "fonttools"


def system_libraries() -> dict[str, str]:
    """The versions of the system libraries WeasyPrint lays text out with (Pango, HarfBuzz,
    fontconfig): another version may break lines or place glyphs otherwise, so they are part
    of a layout's cache key. Read with ctypes, as `font_subsetter` is."""
    versions: dict[str, str] = {}
    pango = _load(("libpango-1.0.so.0", "libpango-1.0.0.dylib"))
    if pango is not None:
        pango.pango_version_string.restype = ctypes.c_char_p
        versions["pango"] = pango.pango_version_string().decode()
    harfbuzz = _load(("libharfbuzz.so.0", "libharfbuzz.0.dylib"))
    if harfbuzz is not None:
        harfbuzz.hb_version_string.restype = ctypes.c_char_p
        versions["harfbuzz"] = harfbuzz.hb_version_string().decode()
    fontconfig = _load(("libfontconfig.so.1", "libfontconfig.1.dylib"))
    if fontconfig is not None:
        fontconfig.FcGetVersion.restype = ctypes.c_int
        versions["fontconfig"] = str(fontconfig.FcGetVersion())
    return versions
