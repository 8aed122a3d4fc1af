"""Files at the edge: replacing a file's content in one step, so a reader never sees half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename, keeping the file's mode."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename, keeping the file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            # On disk before the rename: after a crash the name holds the old text or the new,
            # never an empty file.
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # The rename itself lives in the folder: flush it, or a crash may undo the write.
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


# Every staging folder (and the old tree being removed) starts with this, and nothing else
# is ever removed as a leftover: a user's own '.build-cache/' beside build/ is not ours.
STAGING_PREFIX = ".briefing-staging-"


def fsync_tree(root: Path) -> None:
    """Flush every file and directory under `root` to disk before it is swapped in."""
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() or path.is_dir():
            fsync(path)
    fsync(root)


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
