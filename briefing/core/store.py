"""The store: bytes kept under a key in a bounded folder of .cache/, each entry checked by its
digest before use; what a build makes from unchanged inputs is taken from it.

An entry is its bytes followed by their SHA-256, written to a temporary file and renamed into
place: a killed build leaves at most a stray temporary file, and an entry whose bytes do not
match their digest (a disk error, a hand edit) is dropped and made afresh. An entry is data,
never code, and names no path. The folder is bounded: entries used longest ago go first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from briefing.core.gate import folder_leaves

_DIGEST = hashlib.sha256().digest_size


SUFFIX = ".pdf-entry"  # the name entries have always had (a store of PDFs first)


TEMPORARY = ".partial-"


DEFAULT_LIMIT_MB = 256


CACHE = ".cache"


PDF_FOLDER = "briefing"  # laid-out PDFs


DATA_FOLDER = "briefing-data"  # the data files of build/data/


STALE_S = 600  # a temporary file this old was left by a build or preview that died


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


def project_store(root: Path, name: str, limit: int) -> Store | None:
    """The project's cache folder .cache/`name`/, bounded to `limit` bytes; None when .cache/
    is not to be used (see `cache_refusal`)."""
    if cache_refusal(root) is not None:
        return None
    return Store(root / CACHE / name, limit)


class Store:
    """Entries by key (laid-out PDFs, the data export's files), in one folder, bounded to
    `limit` bytes."""

    def __init__(self, folder: Path, limit: int = DEFAULT_LIMIT_MB * 1024 * 1024) -> None:
        self.folder = folder
        self.limit = limit
        # The entries this build read or wrote: `prune` keeps them whatever the limit, or a
        # build larger than the limit would lose its own entries and lay everything out again.
        self.used: set[str] = set()

    @classmethod
    def for_project(cls, root: Path, environ: dict[str, str] | None = None) -> Store | None:
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
        """The entry stored under `key`, or None; a damaged entry is removed and is a miss."""
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
