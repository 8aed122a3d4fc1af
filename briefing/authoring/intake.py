"""Intake: the text of a saved web page or a PDF, and what it says about itself.

`briefing new source page.html` keeps only the article: trafilatura (a library made to tell an
article from navigation, cookie banners and links to other articles) extracts its text and
metadata. `briefing new source report.pdf` takes the PDF's text layer with pypdf. Either way
the text is written one paragraph a line, paragraphs apart by a blank line, which is how the
check and the notes count paragraphs. Nothing here reaches the network: the page is parsed from
the bytes given, and no URL in it is followed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PdfReader

from briefing.core.diagnostics import MessageError

# trafilatura and pypdf are imported inside the functions that read a saved page or a PDF:
# each takes long to load, and `briefing new source notes.txt` needs neither.

# A PDF source with more pages than this is refused before its pages are read: its text would
# be larger than a source may be (see core.gate.MAX_FILE_BYTES), and a 1 MB file can list a
# page 100,000 times, each extracted in turn.
MAX_PDF_PAGES = 2_000
# Fewer words than this outside the page's furniture is not an article (a page saved before
# it loaded, a login wall, an index of links).
MIN_ARTICLE_WORDS = 30
# What `briefing new source` extracts a text from, by file name ending.
ORIGINAL_KINDS = {".html": "html", ".htm": "html", ".pdf": "pdf"}


class IntakeError(MessageError):
    """A page or PDF that yields no text to cite; the message names the file and says why."""

    default_code = "I001"


@dataclass(frozen=True)
class Extracted:
    """The text to cite, one paragraph a line with a blank line between, and its metadata."""

    text: str
    title: str | None = None
    site: str | None = None  # the outlet as the page names itself
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    date_from: str = ""  # where the date was read, for its note


def extract(data: bytes, name: str) -> Extracted:
    """The text and metadata of an original, by its kind (see ORIGINAL_KINDS)."""
    kind = ORIGINAL_KINDS.get(_suffix(name))
    if kind is None:
        raise IntakeError(f"{name}: not a saved web page (.html, .htm) or a PDF")
    with _quiet("pypdf", "trafilatura", "htmldate", "courlan"):
        return extract_html(data, name) if kind == "html" else extract_pdf(data, name)


@contextlib.contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """The libraries' own warnings ('EOF marker not found') silenced: a file they cannot read
    gets one error of ours, naming it, instead."""
    saved = [(logging.getLogger(n), logging.getLogger(n).level) for n in loggers]
    for logger, _ in saved:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)


def _suffix(name: str) -> str:
    return name[name.rfind(".") :].lower() if "." in name else ""


def _paragraphs(lines: list[str]) -> str:
    """One paragraph a line, whitespace folded, blank lines between, a final newline."""
    kept = [" ".join(line.split()) for line in lines]
    return "\n\n".join(line for line in kept if line) + "\n"


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


# --- Web pages --------------------------------------------------------------------------------


def extract_html(data: bytes, name: str) -> Extracted:
    """The article of a saved web page, without its navigation, banners and links to other
    articles, and its title, site name, author and publication date."""
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            data,
            with_metadata=True,
            include_comments=False,  # readers' comments are not the article
            include_tables=True,
            favor_precision=True,  # rather leave out a doubtful block than let furniture in
            date_extraction_params={
                # The date the page says it was published, from its markup only: no guess from
                # the text, and no bound set by today's date (a rebuild must read the same).
                "original_date": True,
                "extensive_search": False,
                "max_date": "2999-12-31",
            },
        )
    except Exception as exc:  # lxml and its helpers raise many kinds on a broken page
        raise IntakeError(f"{name}: cannot be read as a web page ({exc})") from None
    text = (getattr(document, "text", None) or "") if document is not None else ""
    words = _words(text)
    if words < MIN_ARTICLE_WORDS:
        raise IntakeError(
            f"{name}: no article text found (only {words} words outside the page's "
            f"navigation and furniture; an article has at least {MIN_ARTICLE_WORDS}). Save the "
            "page once the article has loaded, or copy its text into a .txt file"
        )
    return Extracted(
        _paragraphs(text.splitlines()),
        title=_clean(getattr(document, "title", None)),
        site=_clean(getattr(document, "sitename", None)),
        author=_clean(getattr(document, "author", None)),
        date=_day(getattr(document, "date", None)),
        date_from="the page's metadata",
    )


def _clean(value: object) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    return text or None


def _day(value: object) -> str | None:
    """A YYYY-MM-DD day, or None if `value` is not one."""
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat() if value else None
    except ValueError:
        return None


# --- PDF ---------------------------------------------------------------------------------------


def extract_pdf(data: bytes, name: str) -> Extracted:
    """The text layer of a PDF, paragraphs kept, and its title, author and creation date.

    pypdf's layout mode keeps the blank space between paragraphs, which plain extraction
    loses; the lines of each paragraph are then joined into one.
    """
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IntakeError(
                f"{name}: the PDF is encrypted; save a copy without encryption (for example "
                "qpdf --decrypt, with its password if it has one) and add that"
            )
        _count_pages(reader, name)
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
        info = reader.metadata
    except IntakeError:
        raise
    except RecursionError:
        # pypdf parses nested arrays and dictionaries by recursion: a file can nest them
        # deeper than Python's stack allows, which no document needs.
        raise IntakeError(
            f"{name}: cannot be read as a PDF (its objects are nested deeper than any "
            "document's); print it to a new PDF, or copy its text into a .txt file"
        ) from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise IntakeError(f"{name}: cannot be read as a PDF ({exc})") from None
    paragraphs = _join_pages([_pdf_paragraphs(page) for page in pages])
    if not any(p.strip() for p in paragraphs):
        raise IntakeError(
            f"{name}: the PDF has no text layer (a scan?); run OCR on it first (for example "
            "ocrmypdf) and add the result"
        )
    title = _clean(info.title) if info is not None else None
    author = _clean(info.author) if info is not None else None
    created = None
    if info is not None:
        try:
            stamp = info.creation_date
            created = stamp.date().isoformat() if stamp is not None else None
        except (ValueError, TypeError):
            created = None  # a malformed date in the metadata is no date
    return Extracted(
        _paragraphs(paragraphs),
        title=title,
        author=author,
        date=created,
        date_from="the PDF's metadata (its creation date)",
    )


def _count_pages(reader: PdfReader, name: str) -> None:
    """Refuse a PDF whose page tree holds more than MAX_PDF_PAGES pages, walking the tree
    without recursion and stopping as soon as the count passes the cap (pypdf would list every
    page first, and recurse once per level of the tree)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    too_many = IntakeError(
        f"{name}: the PDF has more than {MAX_PDF_PAGES:,} pages, more than a source may have; "
        "add the part of it that is cited (for example qpdf --pages) as a source of its own"
    )
    root = reader.trailer["/Root"].get_object()
    pending = [root.get("/Pages")] if isinstance(root, DictionaryObject) else []
    pages = visited = 0
    while pending:
        node = pending.pop()
        node = node.get_object() if node is not None else None
        visited += 1
        if visited > 2 * MAX_PDF_PAGES:
            raise too_many  # a tree of so many nodes, or one that loops
        kids = node.get("/Kids") if isinstance(node, DictionaryObject) else None
        kids = kids.get_object() if kids is not None else None
        if isinstance(kids, ArrayObject):
            if len(kids) > MAX_PDF_PAGES:
                raise too_many
            pending.extend(kids)
        else:
            pages += 1
            if pages > MAX_PDF_PAGES:
                raise too_many


# A line that ends in a hyphen after a letter goes on with the next one without a space: the
# hyphen is kept, since a line break cannot tell 'ten-year' from a word split by the layout.
_HYPHENATED = re.compile(r"\w-$")


def _pdf_paragraphs(page: str) -> list[str]:
    """The paragraphs of one page of layout-mode text: blocks between blank lines, each block's
    lines joined."""
    paragraphs: list[str] = []
    for block in re.split(r"\n[ \t]*\n", page):
        lines = [" ".join(line.split()) for line in block.splitlines()]
        joined = ""
        for line in (ln for ln in lines if ln):
            if joined and not _HYPHENATED.search(joined):
                joined += " "
            joined += line
        if joined:
            paragraphs.append(joined)
    return paragraphs


def _join_pages(pages: list[list[str]]) -> list[str]:
    """The paragraphs of every page in order; a paragraph that a page break cuts (no full stop
    at the foot of a page, lower case at the head of the next) is made whole again."""
    paragraphs: list[str] = []
    for page in pages:
        for index, paragraph in enumerate(page):
            if (
                index == 0
                and paragraphs
                and not re.search(r"[.!?:;\"”’)]$", paragraphs[-1])
                and paragraph[:1].islower()
            ):
                paragraphs[-1] += " " + paragraph
            else:
                paragraphs.append(paragraph)
    return paragraphs
