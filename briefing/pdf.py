"""PDF: turn a rendered HTML brief into an archival PDF with WeasyPrint, reading only project files.

Every PDF is PDF/A-3 (tagged), carries its metadata, and is reproducible: its dates come from
SOURCE_DATE_EPOCH or the edition's as-of date, and its identifier is a digest of its content.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import io
import os
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from briefing.model import Edition
from briefing.project import Project
from briefing.weasy import associate_once, guarded_fetcher, rewrite_links

PDF_VARIANT = "pdf/a-3a"
# The styles of every PDF, given to WeasyPrint as stylesheets rather than inlined in each
# document, so that a process parses them once for all it lays out (see `_stylesheet`); book.css
# after brief.css, so that its rules win.
STYLESHEETS = ("brief.css", "book.css")

Relationship = Literal["Source", "Data", "Supplement", "Alternative", "Unspecified"]


@dataclass(frozen=True)
class Evidence:
    """A project file to embed in a PDF, named by its path in the project; or, with
    `content`, bytes made by the build (the manifest of briefing.verify), named `name`."""

    path: Path
    name: str
    description: str
    relationship: Relationship = "Source"
    content: bytes | None = None

    def digest(self) -> str:
        """The SHA-256 of its bytes (a file's, read once per process while it is unchanged:
        every brief carries the whole fact base, and its manifest and cache key name each
        file's digest)."""
        if self.content is not None:
            return hashlib.sha256(self.content).hexdigest()
        info = self.path.stat()
        key = (str(self.path), info.st_mtime_ns, info.st_size)
        if key not in _DIGESTS:
            _DIGESTS[key] = hashlib.sha256(self.path.read_bytes()).hexdigest()
        return _DIGESTS[key]


_DIGESTS: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class PdfMeta:
    """Document information written to the PDF's Info dictionary and XMP metadata."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    language: str
    date: dt.datetime
    attachments: tuple[Evidence, ...] = field(default=())


def source_date_epoch(environ: Mapping[str, str] | None = None) -> dt.datetime | None:
    """The time SOURCE_DATE_EPOCH gives, or None when it is unset; ValueError when it is not a
    Unix time in seconds."""
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ValueError(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in seconds; unset it or fix it"
        ) from None


def build_date(edition: Edition, environ: dict[str, str] | None = None) -> dt.datetime:
    """The date stamped on a build: SOURCE_DATE_EPOCH if set, else the day the edition was
    compiled (`compiled`), else its information cut-off (`as_of`)."""
    epoch = source_date_epoch(environ)
    if epoch is not None:
        return epoch
    day = dt.date.fromisoformat(edition.compiled or edition.as_of)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def compiled_day(edition: Edition, environ: dict[str, str] | None = None) -> str:
    """The day the edition was compiled (YYYY-MM-DD): `compiled` in edition.yaml, else the
    build's date. Never the wall clock, so that a rebuild prints the same day."""
    return edition.compiled or build_date(edition, environ).date().isoformat()


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
    fragment, which binding resolves (briefing.bind)."""
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
    # page numbers of briefing.bind, which mark it as an artifact as a whole.
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
    """
    import weasyprint

    from briefing.render import template_dirs, template_file

    # The document may read only the templates (styles, fonts, images); the evidence attached
    # to it only facts/. Nothing a brief's HTML says can reach the fact files or anything else.
    roots = template_dirs(project)
    fetcher = pdf_url_fetcher(roots)
    evidence_fetcher = pdf_url_fetcher([project.facts])
    document = weasyprint.HTML(
        string=job.html,
        base_url=str(project.templates) + "/",
        url_fetcher=fetcher,
        media_type="print",
    )
    css = [_stylesheet(template_file(project, name), fetcher, roots) for name in job.stylesheets]
    variant = PDF_VARIANT if job.tagged else None
    rendered = document.render(stylesheets=css, pdf_variant=variant, font_config=_FONTS)
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
            source: dict[str, Any] = (
                {"file_obj": io.BytesIO(item.content)}
                if item.content is not None
                else {"url": item.path.resolve().as_uri(), "url_fetcher": evidence_fetcher}
            )
            attachments.append(
                weasyprint.Attachment(
                    **source,
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


# Files compressed for attaching, by their MD5: every brief carries the whole fact base, and a
# process binding many briefs compresses each file of it once.
_DEFLATED: dict[bytes, bytes] = {}
_DEFLATED_LIMIT = 64 * 1024 * 1024


def _deflated(checksum: bytes, data: bytes) -> bytes:
    if checksum not in _DEFLATED:
        if sum(map(len, _DEFLATED.values())) > _DEFLATED_LIMIT:
            _DEFLATED.clear()
        _DEFLATED[checksum] = zlib.compress(data, 6)
    return _DEFLATED[checksum]


def add_evidence(pdf: Any, evidence: Sequence[Evidence], when: dt.datetime) -> None:
    """Attach `evidence` to the open pikepdf.Pdf `pdf` as PDF/A-3 associated files, written as
    WeasyPrint writes its own (MIME type, MD5 checksum, size and dates; listed in the names
    tree and the catalog's /AF).

    Attached after layout, the fact base, which changes with every edit, does not make every
    brief's layout new: the layout of a brief whose page did not change comes from the cache.
    """
    import mimetypes

    import pikepdf

    if not evidence:
        return
    stamp = pikepdf.String(when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ"))
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pdf.make_indirect(pikepdf.Dictionary())
    if "/EmbeddedFiles" not in pdf.Root.Names:
        pdf.Root.Names.EmbeddedFiles = pikepdf.NameTree.new(pdf).obj
    files = pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles)
    if "/AF" not in pdf.Root:
        pdf.Root.AF = pikepdf.Array()  # direct in the catalog, as WeasyPrint writes it
    associated = pdf.Root.AF
    for item in evidence:
        data = item.content if item.content is not None else item.path.read_bytes()
        mime = mimetypes.guess_type(item.name, strict=False)[0] or "application/octet-stream"
        checksum = hashlib.md5(data, usedforsecurity=False).digest()
        stream = pikepdf.Stream(pdf, b"")
        stream.write(_deflated(checksum, data), filter=pikepdf.Name.FlateDecode)
        stream.Type = pikepdf.Name.EmbeddedFile
        stream.Subtype = pikepdf.Name("/" + mime)
        stream.Params = pikepdf.Dictionary(
            CheckSum=pikepdf.String(checksum),
            Size=len(data),
            CreationDate=stamp,
            ModDate=stamp,
        )
        spec = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Filespec,
                F=pikepdf.String(item.name),
                UF=pikepdf.String(item.name),
                EF=pikepdf.Dictionary(F=pdf.make_indirect(stream)),
                Desc=pikepdf.String(item.description),
                AFRelationship=pikepdf.Name("/" + item.relationship),
            )
        )
        files[item.name] = spec
        associated.append(spec)
