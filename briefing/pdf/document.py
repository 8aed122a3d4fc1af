"""PDF: turn a rendered HTML brief into an archival PDF with WeasyPrint, reading only project files.

Every PDF is PDF/A-3 (tagged), carries its metadata, and is reproducible: its dates come from
SOURCE_DATE_EPOCH or the edition's as-of date, and its identifier is a digest of its content.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from briefing.core.project import Project
from briefing.factbase.clock import build_date
from briefing.factbase.model import Edition
from briefing.pdf.measure import Misfits, measure, tally
from briefing.pdf.weasy import (
    associate_once,
    before_layout,
    guarded_fetcher,
    hold_spaces,
    rewrite_links,
)
from briefing.render.attachments import Attachment
from briefing.render.pages import template_dirs, template_file

# WeasyPrint is imported inside the functions that lay out: it takes about a second to load,
# and a build with --no-pdf, a check or a preview of HTML pages never needs it.

PDF_VARIANT = "pdf/a-3a"
# The styles of every PDF, given to WeasyPrint as stylesheets rather than inlined in each
# document, so that a process parses them once for all it lays out (see `_stylesheet`); book.css
# after brief.css, so that its rules win.
STYLESHEETS = ("brief.css", "book.css")


@dataclass(frozen=True)
class PdfMeta:
    """Document information written to the PDF's Info dictionary and XMP metadata."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    language: str
    date: dt.datetime
    attachments: tuple[Attachment, ...] = field(default=())


def brief_meta(edition: Edition, title: str, keywords: Sequence[str] = ()) -> PdfMeta:
    """Metadata for one brief of `edition`."""
    event = edition.event
    return PdfMeta(
        title=f"{title} — {edition.title}, edition {edition.number}",
        author=edition.publisher,
        subject=edition.subtitle or edition.title,
        keywords=(event.name, event.place, *keywords, edition.marking),
        language=edition.language,
        date=build_date(edition),
    )


def pdf_url_fetcher(allowed_roots: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves only regular files under `allowed_roots`.

    Small inline raster images (data:) are allowed too. Everything else is refused: http(s),
    ftp, file: outside the roots (also through symlinks or a host name), and other data: URLs.
    A refusal raises ValueError, which WeasyPrint logs before going on without the resource.
    """
    import re

    roots = [root.resolve() for root in allowed_roots]
    # Raster images small enough to be a logo or an icon; SVG is left out because it can
    # itself refer to other resources.
    data_image = re.compile(r"^data:image/(?:png|jpeg|gif|webp)(?:;base64)?,", re.IGNORECASE)
    max_data_url = 64 * 1024

    def vet(url: str) -> str:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data" and len(url) <= max_data_url and data_image.match(url):
            return url
        if scheme == "file" and parts.netloc in ("", "localhost"):
            try:
                path = Path(unquote(parts.path)).resolve()
                inside = any(path.is_relative_to(root) for root in roots)
                regular = inside and path.is_file()
            except (OSError, RuntimeError, ValueError):
                regular = False
            if regular:
                # Open the resolved path, so what is read is exactly what was checked.
                return path.as_uri()
        raise ValueError(f"refused to fetch {url[:80]}: briefs may use only project files")

    return guarded_fetcher(vet)


PdfName = Callable[[str], str]


def _plain_pdf_name(slug: str) -> str:
    return f"{slug}.pdf"


def portable_link(target: str, base: str, pdf_name: PdfName = _plain_pdf_name) -> str:
    """A link as a PDF should carry it: one to a sibling brief (`pl.html`) becomes the name of
    that brief's PDF, `pdf_name('pl')` (a build passes its Plan's, which carries the edition).

    WeasyPrint makes relative links absolute against the templates directory; left so, they
    would point into the builder's file system and make the bytes depend on where it ran.
    """
    if not target.startswith(base):
        return target
    relative = target[len(base) :]
    path, hash_, fragment = relative.partition("#")
    if path.endswith(".html"):
        path = pdf_name(path[: -len(".html")])
    return path + hash_ + fragment


def _resolve_link(
    kind: str, target: str, base: str, anchors: set[str], pdf_name: PdfName
) -> tuple[str, str]:
    """Where a link in a laid-out document goes: a sibling brief is its PDF beside this one,
    and an anchor the document lacks (it is in another part of the book) is kept as a bare
    fragment, which binding resolves (briefing.pdf.bind)."""
    if kind == "internal":
        return (kind, target) if target in anchors else ("external", "#" + target)
    if kind != "external":
        return kind, target
    return kind, portable_link(target, base, pdf_name)


@dataclass(frozen=True)
class PdfJob:
    """Everything one PDF is made from, as plain data: a worker process renders it alone.

    `pdf_names` names the PDF of every other brief it may link to.
    """

    html: str
    meta: PdfMeta | None = None
    stylesheets: tuple[str, ...] = STYLESHEETS
    pdf_names: tuple[tuple[str, str], ...] = ()
    # An untagged layout (no PDF/A) is only ever drawn inside another, tagged, document: the
    # page numbers of briefing.pdf.bind, which mark it as an artifact as a whole.
    tagged: bool = True

    def pdf_name(self, slug: str) -> str:
        return dict(self.pdf_names).get(slug, _plain_pdf_name(slug))


def write_pdf(
    html: str,
    target: Path,
    project: Project,
    meta: PdfMeta | None = None,
    stylesheets: Sequence[str] = STYLESHEETS,
    pdf_name: PdfName = _plain_pdf_name,
) -> None:
    """Render one HTML document to a PDF/A-3 file at `target` (see `render_pdf`)."""
    job = PdfJob(html, meta, tuple(stylesheets))
    content = render_pdf(job, project, pdf_name)
    target.write_bytes(content)


# One per process: WeasyPrint's font configuration and the parsed stylesheets are reused by
# every document the process renders (a build renders one per brief, and the book).
_FONTS: Any = None
_STYLESHEETS: dict[tuple[str, tuple[tuple[str, int, int], ...]], Any] = {}
MAX_STYLESHEETS = 16


def _release_fonts() -> None:
    global _FONTS
    _STYLESHEETS.clear()
    _FONTS = None


def _stamp(roots: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """The name, modification time and size of every file under `roots`: what a parsed
    stylesheet may have read, itself or through @import (fonts, images) from the templates."""
    stamps = []
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else ():
            with contextlib.suppress(OSError):
                info = path.stat()
                stamps.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(stamps)


def _stylesheet(path: Path, fetcher: Any, roots: list[Path]) -> Any:
    """The parsed stylesheet at `path`, parsed once per process while no template file has
    changed (the live preview's process lives on while the templates are edited)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    global _FONTS
    if _FONTS is None:
        _FONTS = FontConfiguration()
        # Released while WeasyPrint's libraries are still loaded: at interpreter exit they may
        # be gone before the configuration's finaliser runs, which then complains.
        atexit.register(_release_fonts)
    key = (str(path.resolve()), _stamp(roots))
    if key not in _STYLESHEETS:
        if len(_STYLESHEETS) > MAX_STYLESHEETS:  # templates edited many times over: start anew
            _STYLESHEETS.clear()
        _STYLESHEETS[key] = weasyprint.CSS(
            filename=str(path), url_fetcher=fetcher, font_config=_FONTS
        )
    return _STYLESHEETS[key]


def render_pdf(job: PdfJob, project: Project, pdf_name: PdfName | None = None) -> bytes:
    """Render one HTML document to the bytes of a PDF/A-3 file with its evidence attached.

    `pdf_name` overrides the job's names for the PDFs of other briefs (a Plan's, in tests).
    Raises `Misfits` where words leave the page or print over others (briefing.pdf.measure):
    measured here, on the layout just made, so that it costs no second layout.
    """
    import weasyprint

    # What the document holds before layout, to be found on its pages after (measure).
    before_layout(tally)
    # The document may read only the templates (styles, fonts, images); the evidence attached
    # to it only facts/. Nothing a brief's HTML says can reach the fact files or anything else.
    roots = template_dirs(project)
    fetcher = pdf_url_fetcher(roots)
    document = weasyprint.HTML(
        string=hold_spaces(job.html),
        base_url=str(project.templates) + "/",
        url_fetcher=fetcher,
        media_type="print",
    )
    css = [_stylesheet(template_file(project, name), fetcher, roots) for name in job.stylesheets]
    variant = PDF_VARIANT if job.tagged else None
    rendered = document.render(stylesheets=css, pdf_variant=variant, font_config=_FONTS)
    misfits = measure(rendered)
    if misfits:
        raise Misfits(tuple(misfits))
    base = project.templates.resolve().as_uri() + "/"
    names = pdf_name or job.pdf_name
    anchors = {name for page in rendered.pages for name in page.anchors}
    rewrite_links(rendered, lambda kind, target: _resolve_link(kind, target, base, anchors, names))
    attachments: list[Any] = []
    meta = job.meta
    if meta is not None:
        stamp = meta.date.astimezone(dt.UTC).replace(tzinfo=None)
        w3c = meta.date.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        info = rendered.metadata
        info.title = meta.title
        info.authors = [meta.author]
        info.description = meta.subject
        info.keywords = list(meta.keywords)
        info.lang = meta.language
        info.generator = "Briefing"
        info.created = info.modified = w3c
        for item in meta.attachments:
            attachments.append(
                weasyprint.Attachment(
                    file_obj=io.BytesIO(item.content),
                    name=item.name,
                    description=item.description,
                    created=stamp,
                    modified=stamp,
                    relationship=item.relationship,
                )
            )
    content = rendered.write_pdf(
        pdf_variant=variant,
        attachments=attachments,
        # A digest of the content as identifier: the same document gets the same /ID.
        pdf_identifier=True,
        finisher=associate_once,
    )
    assert isinstance(content, bytes)
    return content
