"""The PDF cache: laid-out PDFs kept by a digest of everything they are made from.

A build asks for each PDF by its key (`pdf_key`); a PDF whose HTML, stylesheets, templates,
evidence, metadata, fonts and tool versions are all unchanged is taken from `.cache/briefing/`
instead of being laid out again, which is where nearly all of a build's time goes.

An entry is the PDF's bytes followed by their SHA-256, written to a temporary file and renamed
into place: a killed build leaves at most a stray temporary file, and an entry whose bytes do
not match their digest (a disk error, a hand edit) is dropped and rendered afresh. Never a
half-written PDF. The folder is bounded: the entries used longest ago are removed first.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from briefing.core.gate import folder_leaves
from briefing.pdf.document import PDF_VARIANT, PdfJob
from briefing.render.attachments import Attachment

_DIGEST = hashlib.sha256().digest_size
SUFFIX = ".pdf-entry"
TEMPORARY = ".partial-"
DEFAULT_LIMIT_MB = 256
CACHE = ".cache"
PDF_FOLDER = "briefing"  # laid-out PDFs
DATA_FOLDER = "briefing-data"  # the data files of build/data/
STALE_S = 600  # a temporary file this old was left by a build or preview that died
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
    """What a PDF's attachments add to its key: their names, descriptions and bytes."""
    return [[item.name, item.description, item.relationship, item.digest()] for item in evidence]


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


def pack(files: dict[str, bytes], names: Sequence[str]) -> bytes:
    """The contents of `files` named `names`, in that order, as one cache entry (see `unpack`).
    The entry holds no name: where each content goes is the build's to say."""
    return json.dumps([files[name].decode("latin-1") for name in names]).encode()


def unpack(entry: bytes, names: Sequence[str]) -> dict[str, bytes] | None:
    """The files `pack` made one entry of, by the `names` the caller expects (the same list it
    packed them by); None for anything else: an entry is data, never a say in the output's
    paths, so one of another shape or length is a miss."""
    try:
        contents = json.loads(entry)
    except (ValueError, UnicodeError, RecursionError):
        return None
    if not isinstance(contents, list) or len(contents) != len(names):
        return None
    if not all(isinstance(content, str) for content in contents):
        return None
    try:
        return {
            name: content.encode("latin-1") for name, content in zip(names, contents, strict=True)
        }
    except UnicodeError:
        return None


def cache_refusal(root: Path) -> str | None:
    """Why the project's .cache/ is not used, or None when it is.

    A .cache/ that is a symlink, or whose real location leaves the project, is ignored rather
    than refused: a cache only saves time, so the build goes on without it (and says so), while
    following the link would let whoever can write where it points (a shared or synced folder)
    feed this build and receive its writes. The curator who made the link on purpose is told,
    and loses speed, never output."""
    top = root / CACHE
    why = folder_leaves(top, root, link=False)
    if why is not None:
        return why
    for name in (PDF_FOLDER, DATA_FOLDER):
        why = folder_leaves(top / name, top, link=False)
        if why is not None:
            return f"{CACHE}/{why}"
    return None


def project_store(root: Path, name: str, limit: int) -> PdfCache | None:
    """The project's cache folder .cache/`name`/, bounded to `limit` bytes; None when .cache/
    is not to be used (see `cache_refusal`)."""
    if cache_refusal(root) is not None:
        return None
    return PdfCache(root / CACHE / name, limit)


class PdfCache:
    """Laid-out PDFs by key, in one folder, bounded to `limit` bytes."""

    def __init__(self, folder: Path, limit: int = DEFAULT_LIMIT_MB * 1024 * 1024) -> None:
        self.folder = folder
        self.limit = limit
        # The entries this build read or wrote: `prune` keeps them whatever the limit, or a
        # build larger than the limit would lose its own entries and lay everything out again.
        self.used: set[str] = set()

    @classmethod
    def for_project(cls, root: Path, environ: dict[str, str] | None = None) -> PdfCache | None:
        """The project's cache in `.cache/briefing/`, limited by BRIEFING_CACHE_MB (default
        256; 0 keeps nothing); None when .cache/ is not to be used (see `cache_refusal`)."""
        env = os.environ if environ is None else environ
        try:
            megabytes = max(0, int(env.get("BRIEFING_CACHE_MB", DEFAULT_LIMIT_MB)))
        except ValueError:
            megabytes = DEFAULT_LIMIT_MB
        return project_store(root, PDF_FOLDER, megabytes * 1024 * 1024)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{SUFFIX}"

    def _inside(self, key: str) -> Path | None:
        """Where the entry `key` lives, or None when its subfolder is a symlink or leads out of
        the cache: an entry is read and written in the cache's own folder or not at all."""
        path = self._path(key)
        return path if folder_leaves(path.parent, self.folder, link=False) is None else None

    def get(self, key: str) -> bytes | None:
        """The PDF stored under `key`, or None; a damaged entry is removed and is a miss."""
        path = self._inside(key)
        if path is None:
            return None
        try:
            # Not through a symlink, and a regular file only: a FIFO planted as an entry would
            # make the build wait for ever.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return None
                stored = handle.read()
        except OSError:
            return None
        content, digest = stored[:-_DIGEST], stored[-_DIGEST:]
        if len(stored) <= _DIGEST or hashlib.sha256(content).digest() != digest:
            with contextlib.suppress(OSError):  # a read-only cache: a miss all the same
                path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: the last to be pruned
        self.used.add(key)
        return content

    def put(self, key: str, content: bytes) -> None:
        """Store `content` under `key`, all at once or not at all. A cache that cannot be
        written (read-only, disk full) costs speed only, so errors are ignored."""
        if self.limit == 0:
            return
        self.used.add(key)
        path = self._inside(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=TEMPORARY, dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(content + hashlib.sha256(content).digest())
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return

    def prune(self) -> int:
        """Remove stray temporary files and the entries used longest ago until the folder is
        within its limit, never one this build used; returns how many files were removed. A
        cache that cannot be changed is left as it is. Temporary files are removed only once
        they are old: the live preview may be writing one without the build lock."""
        if not self.folder.is_dir():
            return 0
        removed = 0
        entries: list[tuple[float, int, Path]] = []
        for path in self.folder.glob("*/*"):
            if path.parent.is_symlink():
                continue  # not the cache's: nothing there is removed
            try:
                info = path.stat()
            except OSError:
                continue
            if path.name.startswith(TEMPORARY) or not path.name.endswith(SUFFIX):
                if path.name.startswith(TEMPORARY) and time.time() - info.st_mtime > STALE_S:
                    with contextlib.suppress(OSError):
                        path.unlink(missing_ok=True)
                        removed += 1
                continue
            if path.name.removesuffix(SUFFIX) in self.used:
                continue  # this build's own: kept, and not counted against the others
            entries.append((info.st_mtime, info.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries, key=lambda entry: entry[0]):
            if total <= self.limit:
                break
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
                removed += 1
            total -= size
        return removed
