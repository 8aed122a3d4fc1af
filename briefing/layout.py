"""Layout: turn PDF jobs into PDF bytes, from the cache where nothing changed, and otherwise on
every core.

Laying out is nearly all of a build's time, and the PDFs of a build are independent of each
other: each is rendered in a worker process (as many as `jobs`), the longest first so that the
book does not start last. A PDF whose key is in the cache is not rendered at all.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from briefing.cache import Environment, PdfCache, finished_key, pdf_key
from briefing.diagnostics import PublishError
from briefing.pdf import PdfJob, finish, render_pdf
from briefing.project import Project


def default_jobs() -> int:
    """The number of cores this process may run on (BRIEFING_JOBS overrides it)."""
    configured = os.environ.get("BRIEFING_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class Laid:
    """The PDFs of a build by their path under build/, and which of them were rendered now
    (the others came from the cache)."""

    pdfs: dict[str, bytes]
    rendered: tuple[str, ...]
    reused: tuple[str, ...]


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
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def lay_out(
    project: Project,
    jobs: Sequence[tuple[str, PdfJob]],
    environment: Environment,
    cache: PdfCache | None,
    workers: int,
) -> Laid:
    """The bytes of every PDF in `jobs` (path under build/ → job): laid out from `cache` when
    its key is there, else rendered, in `workers` processes when more than one is to be
    rendered; then finished with its late attachments."""
    pdfs: dict[str, bytes] = {}
    keys: dict[str, str] = {}
    finished: dict[str, bytes] = {}  # briefs already finished with their late attachments
    missing: list[tuple[str, PdfJob]] = []
    for relative, job in jobs:
        if cache is not None:
            keys[relative] = pdf_key(job, environment)
            done = cache.get(finished_key(job, keys[relative])) if job.late else None
            found = done if done is not None else cache.get(keys[relative])
            if found is not None:
                (finished if done is not None else pdfs)[relative] = found
                continue
        missing.append((relative, job))
    reused = tuple(relative for relative, _ in jobs if relative in pdfs or relative in finished)
    # Longest first: the book is several times any brief, and must not be left to the end.
    missing.sort(key=lambda item: len(item[1].html), reverse=True)
    workers = min(workers, len(missing))
    if workers <= 1:
        for relative, job in missing:
            pdfs[relative] = render_pdf(job, project)
            if cache is not None:
                cache.put(keys[relative], pdfs[relative])
    else:
        with _pool(workers) as executor:
            futures: list[tuple[str, Future[bytes]]] = [
                (relative, executor.submit(render_pdf, job, project)) for relative, job in missing
            ]
            for relative, future in futures:
                try:
                    pdfs[relative] = future.result()
                except BrokenProcessPool:
                    raise PublishError(
                        f"a process laying out {relative} died (out of memory?); "
                        "build again with fewer processes, e.g. --jobs 1"
                    ) from None
                if cache is not None:
                    cache.put(keys[relative], pdfs[relative])
    rendered = tuple(relative for relative, _ in missing)
    ordered = {
        relative: finished[relative]
        if relative in finished
        else _finished(job, pdfs[relative], keys.get(relative), cache)
        for relative, job in jobs
    }
    return Laid(ordered, rendered, reused)


def _finished(job: PdfJob, laid_out: bytes, key: str | None, cache: PdfCache | None) -> bytes:
    """The final PDF of a job not found finished in the cache: its late attachments added
    (which opens and saves the PDF), and kept so that the next build need not add them."""
    final = finish(job, laid_out)
    if job.late and cache is not None and key is not None:
        cache.put(finished_key(job, key), final)
    return final
