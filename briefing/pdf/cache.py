"""The PDF cache's keys: a digest of everything a laid-out PDF is made from.

A build asks the store (briefing.core.store, folder `.cache/briefing/`) for each PDF by its key
(`pdf_key`, `bound_key`); a PDF whose HTML, stylesheets, templates, attachments, metadata,
fonts and tool versions are all unchanged is taken from it instead of being laid out again,
which is where nearly all of a build's time goes. `inputs_key` keys what is made from a folder
of inputs by our code alone (the data export, in `.cache/briefing-data/`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from briefing.pdf.document import PDF_VARIANT, PdfJob
from briefing.pdf.weasy import font_subsetter, system_libraries
from briefing.render.attachments import Attachment

# Where fontconfig finds the fonts on a Debian-like system; installing or removing a font
# package changes the modification time of a folder under one of these.
FONT_FOLDERS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path.home() / ".local/share/fonts",
)


# The Python libraries whose versions a laid-out PDF's bytes depend on; pikepdf, which binds the
# laid-out parts, is in the key of a bound PDF (see bound_key).
LAYOUT_LIBRARIES = (
    "weasyprint",
    "pydyf",
    "fonttools",
    "tinycss2",
    "cssselect2",
    "tinyhtml5",
    "pyphen",
    "pillow",
)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def _digest_files(
    paths: Iterable[tuple[str, Path]], read: Callable[[Path], bytes] = Path.read_bytes
) -> str:
    return _digest_contents((name, read(path)) for name, path in paths)


def _digest_contents(files: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, content in sorted(files):
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


@functools.cache
def _code_digest() -> str:
    """A digest of our own code, read once per process: what it makes changes with it."""
    package = Path(__file__).resolve().parent.parent
    return _digest_files(
        (p.relative_to(package).as_posix(), p) for p in sorted(package.rglob("*.py"))
    )


def _folder_stamps(roots: Iterable[Path]) -> list[tuple[str, int]]:
    """The modification times of the folders under `roots` (folders only: cheap to walk)."""
    stamps: list[tuple[str, int]] = []
    for root in roots:
        if not root.is_dir():
            continue
        for folder, _, _ in os.walk(root):
            stamps.append((folder, os.stat(folder).st_mtime_ns))
    return sorted(stamps)


@dataclass(frozen=True)
class Environment:
    """What every PDF of a build depends on besides its own job: the template files, our own
    code, the versions of the libraries that lay it out (Python's and the system's, as
    `system`), the font subsetter and the fonts."""

    fingerprint: str

    @classmethod
    def of(
        cls,
        template_dirs: Iterable[Path],
        subsetter: str,
        system: dict[str, str] | None = None,
        read: Callable[[Path], bytes] = Path.read_bytes,
    ) -> Environment:
        """The environment of a build that reads templates from `template_dirs` (with `read`:
        the build's snapshot, so that the key names the templates the build rendered)."""
        templates = [
            (f"{index}/{path.relative_to(folder).as_posix()}", path)
            for index, folder in enumerate(template_dirs)
            if folder.is_dir()
            for path in folder.rglob("*")
            if path.is_file()
        ]
        versions = {name: _version(name) for name in LAYOUT_LIBRARIES}
        parts = {
            "code": _code_digest(),
            "templates": _digest_files(templates, read),
            "versions": versions,
            "variant": PDF_VARIANT,
            "subsetter": subsetter,
            "system": system or {},
            "fonts": _folder_stamps(FONT_FOLDERS),
        }
        encoded = json.dumps(parts, sort_keys=True).encode()
        return cls(hashlib.sha256(encoded).hexdigest())


def pdf_key(job: PdfJob, environment: Environment) -> str:
    """The cache key of one PDF: a digest of its job, its evidence's bytes and the build's
    environment. Two jobs with one key give the same bytes."""
    digest = hashlib.sha256()
    digest.update(environment.fingerprint.encode())
    digest.update(hashlib.sha256(job.html.encode()).digest())
    meta = job.meta
    described = {
        "stylesheets": job.stylesheets,
        "tagged": job.tagged,
        "pdf_names": sorted(job.pdf_names),
        "meta": None
        if meta is None
        else {
            "title": meta.title,
            "author": meta.author,
            "subject": meta.subject,
            "keywords": meta.keywords,
            "language": meta.language,
            "date": meta.date.isoformat(),
            "attachments": attachments_digest(meta.attachments),
        },
    }
    digest.update(json.dumps(described, sort_keys=True).encode())
    return digest.hexdigest()


def attachments_digest(evidence: Iterable[Attachment]) -> list[list[str]]:
    """What a PDF's attachments add to its key: their names (and the names a reader sees),
    descriptions and bytes."""
    return [
        [item.name, item.shown, item.description, item.relationship, item.digest()]
        for item in evidence
    ]


def bound_key(described: object, environment: Environment) -> str:
    """The cache key of a bound PDF (see layout.Binding): a digest of the keys of its parts and
    of how they are bound, as `described` by the caller, with the versions that bind them."""
    digest = hashlib.sha256(environment.fingerprint.encode() + _version("pikepdf").encode())
    digest.update(json.dumps(described, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def inputs_key(kind: str, folder: Path, held: Mapping[str, bytes] | None = None) -> str:
    """A key for what is made from the files under `folder` by our code alone (the data files
    of build/data/ from facts/): a digest of those files, their names, and the code. With
    `held` (the build's snapshot of the folder, by path relative to it), from those bytes."""
    if held is None:
        on_disk = (p for p in folder.rglob("*") if p.is_file())
        held = {p.relative_to(folder).as_posix(): p.read_bytes() for p in on_disk}
    digest = hashlib.sha256(kind.encode() + b"\0")
    digest.update(_code_digest().encode())
    digest.update(_digest_contents(held.items()).encode())
    return digest.hexdigest()


# Besides those that lay out and bind the PDFs: the libraries the pages are made with.
OUTPUT_LIBRARIES = ("pikepdf", "jinja2", "markupsafe", "pyyaml", "pydantic", "pydantic-core")


def tool_versions() -> dict[str, str]:
    """Our code's digest and the versions of the libraries the output is made with: what a
    build's output depends on besides its inputs and the system (see Environment)."""
    names = (*LAYOUT_LIBRARIES, *OUTPUT_LIBRARIES)
    return {"code": _code_digest(), **{name: _version(name) for name in names}}


def made_with() -> dict[str, str]:
    """What a PDF's bytes are made with besides its inputs: our code, the libraries, the
    system's text libraries and the font subsetter. Recorded in each PDF's manifest: a reader
    with the same derives the same bytes again (briefing.pdf.verify)."""
    system = {f"system:{name}": version for name, version in system_libraries().items()}
    return {**tool_versions(), **system, "subsetter": font_subsetter()}
