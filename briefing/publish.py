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
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from briefing.book import source_evidence, write_book
from briefing.model import FactBase
from briefing.pdf import brief_meta, build_date, write_pdf
from briefing.project import Project
from briefing.render import Brief, render_all


class PublishError(Exception):
    """A build that could not be written (lock held, disk full ...)."""


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    briefs: list[Brief]
    html: list[Path]
    pdf: list[Path]


# Every staging folder (and the old tree being removed) starts with this, and nothing else
# is ever removed as a leftover: a user's own '.build-cache/' beside build/ is not ours.
STAGING_PREFIX = ".briefing-staging-"

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


def _fsync_tree(root: Path) -> None:
    """Flush every file and directory under `root` to disk before it is swapped in."""
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() or path.is_dir():
            _fsync(path)
    _fsync(root)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def publish(project: Project, facts: FactBase, *, pdf: bool = True) -> BuildResult:
    """Render every brief and write build/ (html/, pdf/, index.html) in one atomic swap."""
    briefs, index = render_all(facts, project.templates, book=pdf)
    try:
        build_date(facts.edition)  # a bad SOURCE_DATE_EPOCH stops the build before it starts
    except ValueError as exc:
        raise PublishError(str(exc)) from None
    try:
        with build_lock(project):
            _clean_stale_staging(project)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=project.root))
            staging.chmod(0o755)
            try:
                html_paths: list[Path] = []
                pdf_paths: list[Path] = []
                for brief in briefs:
                    path = staging / "html" / f"{brief.slug}.html"
                    _write_text(path, brief.html)
                    html_paths.append(project.build / "html" / path.name)
                _write_text(staging / "index.html", index)
                if pdf:
                    (staging / "pdf").mkdir()
                    for brief in briefs:
                        target = staging / "pdf" / f"{brief.slug}.pdf"
                        keywords = [brief.title] if brief.kind == "actor" else []
                        evidence = source_evidence(facts, project.facts, brief.sources)
                        meta = replace(
                            brief_meta(facts.edition, brief.title, keywords),
                            attachments=tuple(evidence),
                        )
                        write_pdf(brief.html, target, project, meta)
                        pdf_paths.append(project.build / "pdf" / target.name)
                    # The briefing book: every brief in one PDF/A-3, the evidence attached.
                    write_book(facts, project, staging / "pdf" / "book.pdf")
                    pdf_paths.append(project.build / "pdf" / "book.pdf")
                _fsync_tree(staging)
                swap_into_place(staging, project.build)
                _fsync(project.root)  # make the rename itself durable
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except OSError as exc:
        # Disk full, permissions, a vanished directory: the user's problem, not a crash.
        raise PublishError(
            f"could not write {project.name(project.build)}/: {exc}; "
            "the previous build was left as it was"
        ) from exc
    return BuildResult(briefs, html_paths, pdf_paths)
