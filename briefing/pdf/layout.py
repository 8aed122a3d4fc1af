"""Layout: lay out the parts of a build's PDFs once each, from the cache where nothing changed
and otherwise on every core, and bind them into the briefs and the book.

Laying out is nearly all of a build's time. Each brief is laid out alone, as its own PDF's
chapter, and the book's chapters once more, as one flowing part; the PDFs are bound from these
layouts (briefing.pdf.bind). The parts are independent of each other: each is laid out in a
worker process (as many as `jobs`), the longest first. What depends on where a part falls
(the book's contents, the page numbers) is laid out after them, and is small. A bound PDF
whose key is in the cache is taken whole: a build with nothing changed lays out nothing and
binds nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import datetime as dt
import functools
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

from briefing.core.diagnostics import BriefingError, Diagnostic, PublishError
from briefing.core.project import Project
from briefing.core.store import Store
from briefing.pdf.cache import Environment, attachments_digest, bound_key, pdf_key
from briefing.pdf.document import PdfJob, render_pdf
from briefing.pdf.measure import Misfits, diagnostics
from briefing.render.attachments import Attachment
from briefing.render.book import fill_pages, holes


def default_jobs() -> int:
    """The number of cores this process may run on (BRIEFING_JOBS overrides it)."""
    configured = os.environ.get("BRIEFING_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class Binding:
    """One PDF of a build as the parts it is bound from (see briefing.pdf.bind), as plain data.

    `parts` name laid-out parts, in order. A `cover` goes first (the principal's note, then the
    cover page, which alone is unnumbered); its HTML has holes for the page each chapter and
    appendix starts on, named by its anchor (book.fill_pages), so it is laid out after the
    parts. Links to
    the PDFs named in `inside` (PDF name → the anchor of its chapter) stay inside this one;
    links to anchors it lacks go to the same anchor in the PDF `elsewhere` (the book).
    """

    parts: tuple[str, ...]
    when: dt.datetime
    cover: PdfJob | None = None
    evidence: tuple[Attachment, ...] = ()
    inside: tuple[tuple[str, str], ...] = ()
    elsewhere: str | None = None


@dataclass(frozen=True)
class Laid:
    """The PDFs of a build by their path under build/: which were bound now (`rendered`) and
    which were taken whole from the cache (`reused`); and the parts laid out now."""

    pdfs: dict[str, bytes]
    rendered: tuple[str, ...]
    reused: tuple[str, ...]
    laid_out: tuple[str, ...] = ()


def _die_with_parent() -> None:
    """In a worker: be killed when the build that started it dies (SIGKILL included), so a
    killed build never leaves workers behind. Linux only; elsewhere workers exit when they
    next find the pool's pipe closed."""
    libc_name = ctypes.util.find_library("c")
    prctl = getattr(ctypes.CDLL(libc_name), "prctl", None) if libc_name else None
    if prctl is not None:
        pr_set_pdeathsig = 1
        prctl(pr_set_pdeathsig, signal.SIGKILL)
    # Ctrl-C goes to the whole process group: the parent handles it and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    # Forking is the cheapest start, and the children share WeasyPrint already imported; but a
    # process with other threads (the live preview) must not fork: it starts fresh ones.
    single = threading.active_count() == 1
    method = "fork" if single and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":
        import weasyprint  # noqa: F401  (imported once here, inherited by every worker)
    context = multiprocessing.get_context(method)
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_die_with_parent)
    try:
        yield executor
    except BaseException:
        # Ctrl-C or a failure: the workers ignore SIGINT and would finish their layouts (the
        # book last) before the build could exit. Stop them now; the staging folder is thrown
        # away anyway. `_processes` is the executor's own table of its workers.
        for process in list((executor._processes or {}).values()):
            # One may have ended, and been reaped by the executor's thread, since it was
            # listed: gone already is what terminating it wants.
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def lay_out(
    project: Project,
    parts: Mapping[str, PdfJob],
    outputs: Sequence[tuple[str, Binding]],
    numbers: Callable[[int], PdfJob],
    environment: Environment,
    cache: Store | None,
    workers: int,
) -> Laid:
    """The bytes of every PDF in `outputs` (path under build/ → how it is bound from `parts`):
    from `cache` when its key is there; else its parts are laid out (each from the cache or in
    one of `workers` processes), then its cover and page numbers (`numbers(n)`: a document of
    n pages with nothing but their numbers), and it is bound."""
    keys = {name: pdf_key(job, environment) for name, job in parts.items()}
    probe = pdf_key(numbers(0), environment)  # the numbers' template, in the key
    finals: dict[str, str] = {}
    pdfs: dict[str, bytes] = {}
    for relative, binding in outputs:
        finals[relative] = _bound_key(binding, keys, probe, environment)
        found = cache.get(finals[relative]) if cache is not None else None
        if found is not None:
            pdfs[relative] = found
    reused = tuple(pdfs)
    todo = [(relative, binding) for relative, binding in outputs if relative not in pdfs]
    if not todo:
        return Laid({relative: pdfs[relative] for relative, _ in outputs}, (), reused)
    # Imported here: a build that finds every PDF in the cache need not load pikepdf.
    from briefing.pdf.bind import anchor_pages, bind, page_count

    needed = list(dict.fromkeys(name for _, binding in todo for name in binding.parts))
    with _Layouts(project, environment, cache, workers) as layouts:
        laid = layouts.run({name: parts[name] for name in needed})
        counts = {name: page_count(content) for name, content in laid.items()}
        # Where each anchor a cover gives the page of falls in the parts (a chapter's start,
        # inside the flow of chapters).
        covered = [(b.cover, b.parts) for _, b in todo if b.cover is not None]
        named = {hole for cover, _ in covered for hole in holes(cover.html)}
        anchors = {
            name: anchor_pages(laid[name], named)
            for name in dict.fromkeys(name for _, names in covered for name in names)
        }
        # Then what depends on where each part falls: covers and page numbers, in one round. A
        # cover is one page by design; one that runs longer is laid out again, with its PDF's
        # page numbers, once its length is known.
        cover_pages = {relative: 1 for relative, binding in todo if binding.cover is not None}
        tries = dict.fromkeys(cover_pages, 1)
        covers: dict[str, bytes] = {}
        numbered: dict[int, bytes] = {}
        while True:
            totals = {
                relative: sum(counts[name] for name in binding.parts) + cover_pages.get(relative, 0)
                for relative, binding in todo
            }
            jobs = {
                f"cover of {relative}": _cover(binding, counts, anchors, cover_pages[relative])
                for relative, binding in todo
                if relative in cover_pages and relative not in covers
            }
            wanted = {total for total in totals.values() if total not in numbered}
            more = layouts.run(
                {**jobs, **{f"{total} page numbers": numbers(total) for total in wanted}}
            )
            numbered |= {total: more[f"{total} page numbers"] for total in wanted}
            settled = True
            for name in jobs:
                relative = name.removeprefix("cover of ")
                pages = page_count(more[name])
                if pages == cover_pages[relative] or tries[relative] == MAX_COVER_TRIES:
                    # Its contents may be a page out, but its own length is known now.
                    covers[relative] = more[name]
                tries[relative] += 1
                settled = settled and pages == cover_pages[relative]
                cover_pages[relative] = pages
            if settled:
                break
        # Binding is pikepdf's work, in the same pool: the book first, being the largest.
        calls = {
            relative: functools.partial(
                bind,
                [
                    *([covers[relative]] if relative in covers else []),
                    *(laid[name] for name in binding.parts),
                ],
                numbered[totals[relative]],
                unnumbered=_cover_own_pages(covers.get(relative), cover_pages.get(relative, 0)),
                inside=dict(binding.inside),
                elsewhere=binding.elsewhere,
                evidence=binding.evidence,
                when=binding.when,
            )
            for relative, binding in sorted(todo, key=lambda item: -totals[item[0]])
        }
        for relative, content in layouts.call(calls).items():
            pdfs[relative] = content
            if cache is not None:
                cache.put(finals[relative], content)
    ordered = {relative: pdfs[relative] for relative, _ in outputs}
    return Laid(ordered, tuple(relative for relative, _ in todo), reused, layouts.laid_out)


# How often a cover that runs longer than it was counted is laid out again with the page numbers
# that follow from its length, before it is taken as it is.
MAX_COVER_TRIES = 3


def _bound_key(
    binding: Binding, keys: Mapping[str, str], probe: str, environment: Environment
) -> str:
    """The cache key of a bound PDF: its parts' keys and everything else it is bound with."""
    described = {
        "parts": [keys[name] for name in binding.parts],
        "cover": None if binding.cover is None else pdf_key(binding.cover, environment),
        "numbers": probe,
        "evidence": attachments_digest(binding.evidence),
        "when": binding.when.isoformat(),
        "inside": sorted(binding.inside),
        "elsewhere": binding.elsewhere,
    }
    return bound_key(described, environment)


# The id of the cover's own section (book/cover.html): the pages before it hold the
# principal's note, which carry their numbers like the rest of the book.
COVER_ANCHOR = "cover"


def _cover_own_pages(cover: bytes | None, pages: int) -> frozenset[int]:
    """The pages of a cover part that go unnumbered: those of the cover itself, from the page
    its section starts on (all of them, for a desk's cover that does not mark its start)."""
    from briefing.pdf.bind import page_of

    if cover is None:
        return frozenset()
    start = page_of(cover, COVER_ANCHOR)
    return frozenset(range(start if start is not None else 0, pages))


def _cover(
    binding: Binding,
    counts: Mapping[str, int],
    anchors: Mapping[str, Mapping[str, int]],
    cover_pages: int,
) -> PdfJob:
    """The cover of `binding`, each hole filled with the page (of the bound PDF) its anchor is
    on (`anchors`: each part's anchors by the index of their page in it), or where a hole names
    a part, the part's first page."""
    assert binding.cover is not None
    pages: dict[str, int] = {}
    page = cover_pages + 1
    for name in binding.parts:
        pages.setdefault(name, page)
        for anchor, index in anchors.get(name, {}).items():
            # The first part to hold an anchor is where a link to it leads (bind).
            pages.setdefault(anchor, page + index)
        page += counts[name]
    return replace(binding.cover, html=fill_pages(binding.cover.html, pages))


def lay_out_jobs(
    project: Project,
    jobs: Sequence[tuple[str, PdfJob]],
    environment: Environment,
    cache: Store | None,
    workers: int,
) -> dict[str, bytes]:
    """Every job's layout by its name: from `cache` when there, else laid out."""
    with _Layouts(project, environment, cache, workers) as layouts:
        return layouts.run(dict(jobs))


class _Layouts:
    """Lays out jobs, round after round, in one pool of worker processes started on the first
    round with more than one job to lay out (their fonts and stylesheets, once loaded, serve
    every later round); jobs whose key is in the cache are not laid out."""

    def __init__(
        self,
        project: Project,
        environment: Environment,
        cache: Store | None,
        workers: int,
    ) -> None:
        self.project = project
        self.environment = environment
        self.cache = cache
        self.workers = workers
        self.laid_out: tuple[str, ...] = ()
        self._stack = contextlib.ExitStack()
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Layouts:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)  # type: ignore[arg-type]

    def run(self, jobs: Mapping[str, PdfJob]) -> dict[str, bytes]:
        """The layout of every job, by name."""
        keys = {name: pdf_key(job, self.environment) for name, job in jobs.items()}
        laid: dict[str, bytes] = {}
        missing: list[tuple[str, PdfJob]] = []
        for name, job in jobs.items():
            found = self.cache.get(keys[name]) if self.cache is not None else None
            if found is not None:
                laid[name] = found
            else:
                missing.append((name, job))
        # Longest first: the longest part must not be left to the end.
        missing.sort(key=lambda item: len(item[1].html), reverse=True)
        if self._executor is None and self.workers > 1 and len(missing) > 1:
            self._executor = self._stack.enter_context(_pool(self.workers))
        # A layout whose words leave the page or cover others (briefing.pdf.measure) is
        # neither kept nor bound: every such layout of the round is reported, then the build
        # stops before it publishes anything.
        misfits: list[Diagnostic] = []
        if self._executor is None:
            for name, job in missing:
                try:
                    laid[name] = self._keep(keys[name], render_pdf(job, self.project))
                except Misfits as found:
                    misfits += diagnostics(self.project, name, found.misfits)
        else:
            futures = [
                (name, self._executor.submit(render_pdf, job, self.project))
                for name, job in missing
            ]
            for name, future in futures:
                try:
                    laid[name] = self._keep(keys[name], self._result(name, future))
                except Misfits as found:
                    misfits += diagnostics(self.project, name, found.misfits)
        self.laid_out += tuple(name for name, _ in missing)
        if misfits:
            raise BriefingError(misfits)
        return laid

    def call(self, calls: Mapping[str, Callable[[], bytes]]) -> dict[str, bytes]:
        """The result of every call, by name: in the pool when there is more than one."""
        if self._executor is None and self.workers > 1 and len(calls) > 1:
            self._executor = self._stack.enter_context(_pool(self.workers))
        if self._executor is None:
            return {name: call() for name, call in calls.items()}
        futures = [(name, self._executor.submit(call)) for name, call in calls.items()]
        return {name: self._result(name, future) for name, future in futures}

    @staticmethod
    def _result(name: str, future: Future[bytes]) -> bytes:
        try:
            return future.result()
        except BrokenProcessPool:
            raise PublishError(
                f"a process making {name} died (out of memory?); "
                "build again with fewer processes, e.g. --jobs 1",
                "P004",
            ) from None

    def _keep(self, key: str, content: bytes) -> bytes:
        if self.cache is not None:
            self.cache.put(key, content)
        return content
