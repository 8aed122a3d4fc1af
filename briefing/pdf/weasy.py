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

- The laid-out boxes, `Page._page_box` and its children (`TextBox`, `MarginBox`, their
  `position_x`, `position_y`, `width`, `baseline`, `style`, `element`), which
  briefing.pdf.measure walks to find words that leave the page or cover others. Private.
- `weasyprint.document.layout_document(html, root_box, context)`, wrapped by
  `before_layout` to see the box tree before layout, and `Document._html`. Private.
- A defect of its line breaking, worked around by `hold_spaces` below; when a release fixes
  it, the work-around can go (tests/test_layout.py reproduces it).

After upgrading WeasyPrint, check these against its changelog; tests/test_pdf_meta.py,
tests/test_book.py and tests/test_hostile_text.py exercise each of them.
"""

from __future__ import annotations

import ctypes
import re
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


# A space in running text just before an inline element ("from <a>S2</a>", "stated. <span>").
_SPACE_BEFORE_INLINE = re.compile(
    r"(?<=[^\s>]) (?=<(?:a|abbr|b|cite|code|em|i|mark|q|small|span|strong|sub|sup)[\s>])"
)


# Spaces that end a block's text ("alone. </li>"): white space the line drops anyway. The
# tags are blocks in every stylesheet of ours; one made inline would lose a word space here.
_SPACE_ENDING_BLOCK = re.compile(
    r"(?<=[^\s>])[ \t\n]+(?=</(?:p|li|dd|dt|td|th|div|h[1-6]|blockquote|figcaption|caption)>)"
)


def hold_spaces(html: str) -> str:
    """`html` with each space of running text that comes just before an inline element put in
    an element of its own: the same characters, the same page, but lines broken right.

    WeasyPrint (up to 70 at least) breaks a line too early when a run of text ends with a
    space before an inline element and only that space passes the line's end: its
    `split_first_line` finds the run too wide, takes it for one that cannot be split, and
    keeps its first word alone on the line ("The / year of the 16 February signing ... S2").
    A run that ends without the space is measured right. No CSS of the element or of the list
    it sits in avoids it (tests/test_layout.py shows the defect at any list construction).
    A space that ends a block's text ("alone. </li>") trips the same measure; it is dropped,
    as the line would drop it.
    """
    return _SPACE_BEFORE_INLINE.sub("<span> </span>", _SPACE_ENDING_BLOCK.sub("", html))


def before_layout(hook: Callable[[Any], Any]) -> None:
    """Call `hook` with the box tree of every document this process lays out, before it is laid
    out, and keep what it returns on the document's HTML as `briefing_unlaid` (read back by
    `unlaid`). Installed once per process; a second call replaces the hook.

    WeasyPrint keeps no trace of what layout leaves out: a block with a fixed height whose
    content runs past the page loses the rest, on no page at all. What the tree held before
    layout is the measure of what the pages must hold (briefing.pdf.measure). The hook wraps
    `weasyprint.document.layout_document`, which `Document._render` calls with the tree.
    """
    import weasyprint.document

    original = getattr(weasyprint.document.layout_document, "briefing_original", None)
    original = original or weasyprint.document.layout_document

    def layout_document(html: Any, root_box: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        html.briefing_unlaid = hook(root_box)
        return original(html, root_box, context, *args, **kwargs)

    layout_document.briefing_original = original  # type: ignore[attr-defined]
    weasyprint.document.layout_document = layout_document


def unlaid(document: Any) -> Any:
    """What the `before_layout` hook returned for a rendered document; None without it."""
    return getattr(getattr(document, "_html", None), "briefing_unlaid", None)


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
