"""Files at the edge: replacing a file's content in one step, so a reader never sees half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from briefing.diagnostics import editor_lines
from briefing.load import read_project_file


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


class SourceLines:
    """Lines of project files, read once each, for showing under diagnostics."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, list[str] | None] = {}

    def get(self, file: str, line: int) -> str | None:
        """Line `line` (1-based) of `file`, relative to the root; None if there is none."""
        if line < 1:
            return None
        if file not in self._files:
            # A diagnostic may name any file; only what stays inside the project is shown.
            text, _ = read_project_file(self.root / file, self.root, file)
            self._files[file] = editor_lines(text) if text is not None else None
        lines = self._files[file]
        return lines[line - 1] if lines is not None and line <= len(lines) else None
