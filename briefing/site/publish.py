"""Publish: write the rendered briefs to build/ as HTML and PDF, atomically, under a lock.

Everything is written into a fresh staging directory beside build/; only when every file is
complete is the staging directory swapped with build/ in one atomic step. A build that fails or
is killed leaves the previous build/ untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefing.core.diagnostics import PublishError
from briefing.core.files import STAGING_PREFIX, fsync, fsync_tree, write_bytes_atomic
from briefing.core.gate import folder_leaves
from briefing.core.project import Project
from briefing.core.store import Store
from briefing.factbase.clock import build_date
from briefing.factbase.model import FactBase
from briefing.factbase.plan import BOOK, INDEX, Plan
from briefing.factbase.snapshot import Snapshot, take
from briefing.pdf.cache import Environment, made_with
from briefing.pdf.document import STYLESHEETS, PdfJob, brief_meta
from briefing.pdf.layout import COVER_ANCHOR, Binding, Laid, default_jobs, lay_out
from briefing.pdf.weasy import font_subsetter, system_libraries
from briefing.render.attachments import (
    Attachment,
    carried_sources,
    earlier_attachments,
    fact_attachments,
    manifest_attachment,
    template_attachments,
)
from briefing.render.book import CHAPTERS, METHOD, SOURCES, BookParts, fill_numbers
from briefing.render.pages import Brief, template_dirs

__all__ = ["BuildResult", "PublishError", "Site", "publish"]


@dataclass(frozen=True)
class Site:
    """Everything a build writes, rendered in memory: the HTML pages by their path under
    build/, the briefs they came from, the book's HTML with the files it carries, and the
    data files (build/data/, and build/docx/ when asked for) by their path."""

    facts: FactBase
    plan: Plan
    briefs: list[Brief]
    pages: dict[str, str]
    book: BookParts | None = None
    book_evidence: tuple[Attachment, ...] = ()
    # When releasing: the index as the frozen copy in editions/N/ shows it (its links to the
    # other editions start from there).
    edition_index: str | None = None
    data: dict[str, bytes] = field(default_factory=dict)
    # The input files everything above was made from: the PDFs attach these bytes, and
    # nothing is published once the disk no longer holds them (see Snapshot.changes).
    inputs: Snapshot | None = None


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    briefs: list[Brief]
    html: list[Path]
    pdf: list[Path]
    # The PDFs (paths under build/) made by this build, those taken whole from the cache, and
    # the parts it laid out (see layout.lay_out).
    rendered: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    laid_out: tuple[str, ...] = ()
    # Nothing was done: the inputs were those build/ was made from (see build.build).
    unchanged: bool = False


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, bytes(a), at_fdcwd, bytes(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def swap_into_place(staging: Path, target: Path) -> None:
    """Replace `target` with `staging` in one step; the old tree is removed afterwards."""
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)
        return
    # Fallback without RENAME_EXCHANGE: two renames, with a brief window between them.
    old = target.with_name(f"{STAGING_PREFIX}old-{os.getpid()}")
    os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def build_lock(project: Project) -> Iterator[None]:
    """Hold an exclusive lock for the project's build; a second build waits for the first.

    The kernel drops a flock when its holder dies, so a killed build never leaves it stuck.
    """
    lock_path = project.root / ".build.lock"
    with open(lock_path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                f"waiting for another build of {project.root} to finish ...",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _clean_stale_staging(project: Project) -> None:
    """Remove what killed builds left behind; only ever called under the build lock."""
    for stale in project.root.glob(f"{STAGING_PREFIX}*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


class _Writer:
    """Writes files under the staging directory, refusing to write one path twice (as
    Pelican's writer does): two outputs with one name would silently lose one of them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: set[str] = set()

    def claim(self, relative: str) -> Path:
        parts = Path(relative).parts
        if not parts or Path(relative).is_absolute() or ".." in parts or "\\" in relative:
            # Every output's path comes from the plan; one that would leave the staged build
            # is a bug of ours, and stopping is better than writing outside the project.
            raise PublishError(f"an output path leaves build/: {relative!r}", "P002")
        if relative in self.written:
            raise PublishError(f"two outputs would be written to build/{relative}", "P002")
        self.written.add(relative)
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def text(self, relative: str, text: str) -> None:
        self.claim(relative).write_text(text, encoding="utf-8")

    def binary(self, relative: str, content: bytes) -> None:
        self.claim(relative).write_bytes(content)


def pdf_parts(project: Project, site: Site) -> tuple[dict[str, PdfJob], list[tuple[str, Binding]]]:
    """Every part the site's PDFs are bound from, by name, and every PDF (by its path under
    build/) as it is bound from them: a brief's PDF is its chapter, laid out alone, and the
    sources it cites; the book is its cover, its chapters laid out as one flow (CHAPTERS) and
    its appendices."""
    facts, plan, book = site.facts, site.plan, site.book
    if not plan.pdf or book is None:
        return {}, []
    names = _pdf_names(plan)
    when = build_date(facts.edition)
    book_name = plan.pdf_name(BOOK)
    parts: dict[str, PdfJob] = {}
    outputs: list[tuple[str, Binding]] = []
    inputs = site.inputs if site.inputs is not None else take(project)
    fact_base = fact_attachments(inputs) + earlier_attachments(project, facts)
    templates = template_attachments(inputs)
    tools = made_with()
    for brief in site.briefs:
        keywords = [brief.title] if brief.kind == "actor" else []
        # The chapter comes first in the brief's PDF, so its metadata are the brief's.
        meta = brief_meta(facts.edition, brief.title, keywords)
        sources = f"{brief.slug}/sources"
        html = book.note if brief.kind == "note" and book.note else book.chapters[brief.slug]
        parts[brief.slug] = PdfJob(html, meta, STYLESHEETS, names)
        parts[sources] = PdfJob(book.brief_sources[brief.slug], None, STYLESHEETS, names)
        # The texts it cites, and the fact base with them: `briefing verify` checks a brief
        # alone. All are attached once it is bound, so an edit elsewhere in the fact base
        # costs no new layout of it.
        texts = carried_sources(site.book_evidence, facts, brief.sources)
        carried = [*texts, *fact_base, *templates]
        carried.append(manifest_attachment(facts, carried, "brief", brief.slug, made_with=tools))
        # The note is two pages at most: its references lead to the book's Appendix A.
        own = (brief.slug,) if brief.kind == "note" else (brief.slug, sources)
        binding = Binding(own, when, evidence=tuple(carried), elsewhere=book_name)
        outputs.append((plan.pdf_path(brief.slug), binding))
    # The book's chapters flow one into the next, so that short ones share pages: laid out
    # once more, together, rather than bound from the briefs' own layouts.
    parts[CHAPTERS] = PdfJob(book.flow, None, STYLESHEETS, names)
    parts[SOURCES] = PdfJob(book.sources, None, STYLESHEETS, names)
    parts[METHOD] = PdfJob(book.method, None, STYLESHEETS, names)
    titles = [b.title for b in site.briefs if b.kind == "actor"]
    meta = brief_meta(facts.edition, "Briefing book", titles)
    cover = PdfJob(book.cover, meta, STYLESHEETS, names)
    # The note is the book's first pages (in its cover part, as the section 'note'); a link to
    # a brief's PDF leads to its chapter in the flow.
    inside = tuple((plan.pdf_name(b.slug), b.slug) for b in site.briefs)
    binding = Binding((CHAPTERS, SOURCES, METHOD), when, cover, site.book_evidence, inside=inside)
    outputs.append((plan.book, binding))
    return parts, outputs


def part_anchors(site: Site) -> tuple[str, ...]:
    """The ids the book's parts open with, after its first page: the cover (after the
    principal's note), the chapters' flow (its first chapter), Appendix A and Appendix B; by
    them a reader of the bound book finds where each part starts (pdf.measure.part_ends)."""
    first = next((b.slug for b in site.briefs if b.kind != "note"), None)
    return (COVER_ANCHOR, *([first] if first is not None else []), SOURCES, METHOD)


def numbers_job(site: Site) -> Callable[[int], PdfJob]:
    """The page numbers of a PDF of n pages, laid out alone (see briefing.pdf.bind)."""
    numbers = site.book.numbers if site.book is not None else ""
    return lambda pages: PdfJob(fill_numbers(numbers, pages), None, ("book.css",), tagged=False)


def _pdf_names(plan: Plan) -> tuple[tuple[str, str], ...]:
    return tuple((slug, plan.pdf_name(slug)) for slug in plan.slugs)


def pdf_environment(project: Project, inputs: Snapshot | None = None) -> Environment:
    """What the PDFs of a build depend on beyond their own jobs (see cache.Environment), with
    the project's templates as `inputs` holds them."""
    read = inputs.read if inputs is not None else Path.read_bytes
    return Environment.of(template_dirs(project), font_subsetter(), system_libraries(), read)


def lay_out_site(
    project: Project,
    site: Site,
    cache: Store | None,
    workers: int,
    only: Callable[[str], bool] = lambda relative: True,
) -> Laid:
    """The site's PDFs (those whose path under build/ passes `only`), from the cache or laid
    out and bound."""
    parts, outputs = pdf_parts(project, site)
    chosen = [(relative, binding) for relative, binding in outputs if only(relative)]
    environment = pdf_environment(project, site.inputs)
    return lay_out(project, parts, chosen, numbers_job(site), environment, cache, workers)


def publish(
    project: Project,
    site: Site,
    before_swap: Callable[[Path], None] | None = None,
    *,
    jobs: int | None = None,
    cache: bool = True,
    started: int | None = None,
    key: str = "",
) -> BuildResult:
    """Write the site to build/ (html/, pdf/, data/, index.html) in one atomic swap.

    PDFs come from the project's cache when unchanged (unless `cache` is False) and are laid
    out in `jobs` processes (default: one per core). `before_swap` is given the complete staged
    build, under the lock, before it replaces build/ (a release freezes it); if it raises,
    build/ is left as it was.

    Nothing is published when the site's input files changed on disk since they were read
    (InputsChanged), nor over the output of a build `started` later (PublishError). The
    stamp beside build/ records `started` and `key`, the build's inputs digest (see Stamp).
    """
    facts = site.facts
    try:
        build_date(facts.edition)  # a bad SOURCE_DATE_EPOCH stops the build before it starts
    except ValueError as exc:
        raise PublishError(str(exc), "P005") from None
    refused = build_folder_refusal(project)
    if refused is not None:
        raise PublishError(refused, "P003")
    try:
        with build_lock(project):
            _clean_stale_staging(project)
            store = Store.for_project(project.root) if cache else None
            laid = lay_out_site(project, site, store, jobs or default_jobs())
            if store is not None:
                store.prune()
            if before_swap is None and _holds(project.build, site, laid):
                # Nothing to write: build/ is byte for byte what this build would write, even
                # if a build started later put it there (the later one wins by content).
                if site.inputs is not None:
                    site.inputs.refuse_changes()
                last = Stamp.read(project)
                newest = max(started or 0, last.started if last is not None else 0)
                Stamp.of(project, newest, key).write(project)
                return _result(project, site, laid)
            _refuse_older(project, started)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=project.root))
            staging.chmod(0o755)
            try:
                writer = _Writer(staging)
                for relative, page in site.pages.items():
                    writer.text(relative, page)
                for relative, content in site.data.items():
                    writer.binary(relative, content)
                for relative, content in laid.pdfs.items():
                    writer.binary(relative, content)
                fsync_tree(staging)
                if site.inputs is not None:
                    site.inputs.refuse_changes()
                if before_swap is not None:
                    before_swap(staging)
                swap_into_place(staging, project.build)
                fsync(project.root)  # make the rename itself durable
                Stamp.of(project, started, key).write(project)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except OSError as exc:
        # Disk full, permissions, a vanished directory: the user's problem, not a crash.
        raise PublishError(
            f"could not write {project.name(project.build)}/: {exc}; "
            "the previous build was left as it was"
        ) from exc
    return _result(project, site, laid)


STAMP = ".build.stamp"


@dataclass(frozen=True)
class Stamp:
    """What build/ was made by: when that build started (ns since the epoch), the digest of
    its inputs (empty when it kept none), and the size and mtime of each file it wrote, by
    which a later build tells whether build/ is still as it was left."""

    started: int
    key: str
    files: dict[str, tuple[int, int]]

    @classmethod
    def of(cls, project: Project, started: int | None, key: str) -> Stamp:
        """The stamp of build/ as it is now, made by a build `started` with inputs `key`."""
        return cls(started or 0, key, _file_stamps(project.build))

    @classmethod
    def read(cls, project: Project) -> Stamp | None:
        """The stamp the last build left, or None (none, or not one of ours)."""
        try:
            raw = json.loads((project.root / STAMP).read_bytes())
            files = {str(k): (int(v[0]), int(v[1])) for k, v in raw["files"].items()}
            return cls(int(raw["started"]), str(raw["key"]), files)
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    def write(self, project: Project) -> None:
        record = {"started": self.started, "key": self.key, "files": self.files}
        write_bytes_atomic(project.root / STAMP, json.dumps(record, sort_keys=True).encode())

    def intact(self, project: Project) -> bool:
        """Whether build/ holds the files this stamp lists, none touched since."""
        return bool(self.files) and _file_stamps(project.build) == self.files


def _file_stamps(build: Path) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    if not build.is_dir() or build.is_symlink():
        return found
    for here, _, files in os.walk(build):
        for file in files:
            path = Path(here) / file
            try:
                info = path.lstat()
            except OSError:
                continue
            found[path.relative_to(build).as_posix()] = (info.st_size, info.st_mtime_ns)
    return found


def _refuse_older(project: Project, started: int | None) -> None:
    """Refuse to replace build/ when a build that started after this one published it: two
    builds run side by side, and the older one must not have the last word."""
    last = Stamp.read(project)
    if started is None or last is None or last.started <= started:
        return
    raise PublishError(
        f"{project.name(project.build)}/ holds the output of a build started after this one; "
        "this build's output was not published (the newer one stands)",
        code="P008",
    )


def build_folder_refusal(project: Project) -> str | None:
    """Why build/ cannot be written, or None. A build/ that is a symlink is refused, wherever
    it points: the build swaps a whole new folder in for build/, so the link would be replaced
    rather than written through, and a link leading out would have the build read (and compare
    against) files outside the project. What a curator wants from such a link, the output
    somewhere else, is a copy or a link the other way round."""
    linked = folder_leaves(project.build, project.root, link=False)
    if linked is None:
        return None
    return (
        f"{linked}; the build replaces build/ as a whole and writes only inside the project: "
        "delete the link (the next build makes build/ afresh) and copy build/ where you need it"
    )


def _result(project: Project, site: Site, laid: Laid) -> BuildResult:
    html_paths = [project.build / p for p in site.pages if p != INDEX]
    pdf_paths = [project.build / p for p in laid.pdfs]
    return BuildResult(
        site.briefs, html_paths, pdf_paths, laid.rendered, laid.reused, laid.laid_out
    )


def _holds(build: Path, site: Site, laid: Laid) -> bool:
    """Whether `build` holds exactly the files of this build, byte for byte (and no other),
    so that a build with nothing changed need not write and flush them all again."""
    files: dict[str, bytes] = {p: page.encode("utf-8") for p, page in site.pages.items()}
    for more in (site.data, laid.pdfs):
        if files.keys() & more.keys():
            return False  # two outputs with one name: the writer says so
        files |= more
    try:
        found = {
            p.relative_to(build).as_posix()
            for p in build.rglob("*")
            if p.is_file() or p.is_symlink()
        }
        if found != set(files):
            return False
        return all(
            (build / relative).read_bytes() == content for relative, content in files.items()
        )
    except OSError:
        return False
