"""The gate: every file the tool reads comes through here.

A file is read only if its real location is inside the project folder it belongs to (no '..',
no symlink leading out), only if it is a regular file (a FIFO would block), and only up to a
size limit; text must be UTF-8 without NUL bytes. While a build runs, the gate answers from the
build's snapshot (`reading_from`), so every stage sees the bytes the check saw.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path

from briefing.core.diagnostics import Diagnostic, Location, editor_lines
from briefing.core.project import Project

# Limits that keep a hostile or broken file from exhausting the machine. A real actor file is
# a few kilobytes, about six levels deep, and uses no aliases at all; each limit leaves a wide
# margin above that while keeping the worst case (a file just under every limit) fast to refuse.
MAX_FILE_BYTES = 512 * 1024  # PyYAML parses about 0.5 MB/s: the largest file loads in ~1 s


def read_bytes(
    path: Path,
    name: str,
    *,
    limit: int = MAX_FILE_BYTES,
    too_big: str = "split it into several files",
) -> tuple[bytes | None, list[Diagnostic]]:
    """Read a regular file's bytes, refusing anything larger than `limit` (`too_big` is the
    hint then)."""
    where = Location(name)
    held = _HELD.get()
    if held is not None and path in held:
        return _within_limit(held[path], len(held[path]), name, limit, too_big)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A FIFO or device would block or never end; a directory cannot be text.
            return None, [
                Diagnostic(where, "not a regular file", "facts are plain text files", code="F002")
            ]
        with open(path, "rb") as handle:
            # Read one byte past the limit rather than trust the size: the file may be growing.
            raw = handle.read(limit + 1)
    except OSError as exc:
        return None, [Diagnostic(where, f"cannot read file: {exc.strerror or exc}", code="F002")]
    return _within_limit(raw, max(info.st_size, len(raw)), name, limit, too_big)


def _within_limit(
    raw: bytes, size: int, name: str, limit: int, too_big: str
) -> tuple[bytes | None, list[Diagnostic]]:
    if len(raw) > limit:
        return None, [
            Diagnostic(
                Location(name),
                f"file is {size:,} bytes; the limit is {limit:,} ({limit // 1024} KiB)",
                too_big,
                code="F003",
            )
        ]
    return raw, []


# The bytes the gate answers with instead of the disk, by real location, while a build runs
# (see reading_from): each input file is read once, and every stage sees the same bytes.
_HELD: ContextVar[Mapping[Path, bytes] | None] = ContextVar("held", default=None)


@contextlib.contextmanager
def reading_from(held: Mapping[Path, bytes]) -> Iterator[None]:
    """Have `read_bytes` (and so the project's file gate) answer from `held`, by resolved
    path, while the block runs; a path not held is read from the disk."""
    token = _HELD.set(held)
    try:
        yield
    finally:
        _HELD.reset(token)


def read_text(
    path: Path, name: str, *, limit: int = MAX_FILE_BYTES
) -> tuple[str | None, list[Diagnostic]]:
    """Read a fact or source file as UTF-8 text, refusing binary, oversized or non-UTF-8 files."""
    where = Location(name)
    raw, problems = read_bytes(path, name, limit=limit)
    if raw is None:
        return None, problems
    if b"\x00" in raw:
        return None, [
            Diagnostic(
                where,
                "file is binary (it contains NUL bytes)",
                "facts and sources are UTF-8 text; did a binary file get the wrong name?",
                code="F004",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Diagnostic(
                Location(name, line, col),
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                "save the file as UTF-8",
                code="F005",
            )
        ]
    return text.removeprefix("\ufeff"), []


def _inside(path: Path, area: Path, real_area: Path | None = None) -> Path | None:
    """The real location of `path` if it is inside the real location of `area` (`real_area`,
    when the caller has resolved it already), else None."""
    try:
        resolved = path.resolve()
        return resolved if resolved.is_relative_to(real_area or area.resolve()) else None
    except (OSError, RuntimeError, ValueError):
        return None


def folder_leaves(folder: Path, root: Path, *, link: bool = True) -> str | None:
    """Why the project's own folder `folder` (facts/, templates/, build/, .cache/ ...) may not be
    used, or None when it may: the gate's rule for the folders themselves, which `_inside`
    cannot see (a file inside a linked facts/ is inside facts/, wherever facts/ is).

    Its real location must be inside the real location of `root`, the project; with `link`
    False it may not be a symlink at all. A folder that does not exist is for its user to
    report; a dangling link is judged by where it points."""
    shown = _shown_folder(folder, root)
    try:
        if folder.is_symlink() and not link:
            return f"{shown} is a symlink (to {os.readlink(folder)})"
        if not folder.resolve().is_relative_to(root.resolve()):
            return f"{shown} is a symlink that leads outside the project (to {folder.resolve()})"
    except (OSError, RuntimeError, ValueError) as exc:
        return f"cannot resolve {shown} ({exc})"
    return None


def _shown_folder(folder: Path, root: Path) -> str:
    try:
        return f"{folder.absolute().relative_to(root.absolute()).as_posix()}/"
    except ValueError:
        return f"{folder}/"


def _area_label(path: Path, area: Path, name: str) -> str:
    """`area` as the curator knows it: `name` without the part of `path` below `area`."""
    try:
        below = path.absolute().relative_to(area.absolute()).as_posix()
    except ValueError:
        return area.name
    label = name.removesuffix(below).rstrip("/")
    return label if label and label != name else area.name


def read_project_file(
    path: Path,
    area: Path,
    name: str,
    *,
    limit: int = MAX_FILE_BYTES,
    real_area: Path | None = None,
) -> tuple[str | None, list[Diagnostic]]:
    """Read a project file as UTF-8 text, only if its real location is inside `area`.

    The one gate for every file the tool reads: `area` is the project folder the file belongs
    to (facts/, facts/sources/, the project root ...). A path that leaves it, through '..' or a
    symlink of the file or of a folder on the way, is refused before a byte is read; then the
    checks of `read_text` apply (regular file, size cap, UTF-8, no NUL). `real_area` is
    `area` resolved, from a caller that reads many files of one folder (the fact base): the
    file itself is resolved each time.
    """
    resolved = _inside(path, area, real_area)
    if resolved is None:
        return None, [_leads_outside(path, area, name)]
    # Read the resolved path: the symlinks just checked are not followed a second time.
    return read_text(resolved, name, limit=limit)


def _leads_outside(path: Path, area: Path, name: str) -> Diagnostic:
    return Diagnostic(
        Location(name),
        f"file is a symlink that leads outside {_area_label(path, area, name)}/",
        "copy the file into the project instead of linking to it",
        code="F007",
    )


def read_project_bytes(
    path: Path, area: Path, name: str, *, limit: int, too_big: str
) -> tuple[bytes | None, list[Diagnostic]]:
    """The bytes of a file that is not text (a saved web page, a PDF), through the same gate
    as `read_project_file`: only inside `area`, a regular file, at most `limit` bytes."""
    resolved = _inside(path, area)
    if resolved is None:
        return None, [_leads_outside(path, area, name)]
    return read_bytes(resolved, name, limit=limit, too_big=too_big)


# A saved page with its inline scripts and styles, or a report with figures, is larger than any
# text: originals may be this large (they are read once, when the source is added).
MAX_ORIGINAL_BYTES = 20 * 1024 * 1024


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


def source_path(
    project: Project, file: str, folder: Path | None = None, example: str = "report.txt"
) -> tuple[Path | None, str]:
    """The safe path of a source file in facts/sources/ (or in `folder`, facts/originals/ for
    an original), or None and why it is refused.

    Only a regular file whose real location is inside the folder is accepted: no absolute
    paths, no '..', no symlink (of the file or of a folder on the way) that leads outside.
    """
    area = folder if folder is not None else project.sources
    where = f"{project.name(area)}/"
    inside = f"name a file inside {where}, e.g. '{example}'"
    if not file:
        return None, f"the file name is empty; {inside}"
    if any(ord(ch) < 32 for ch in file):
        return None, f"the file name contains a control character; {inside}"
    if file.startswith(("/", "\\", "~")) or Path(file).is_absolute() or file[1:2] == ":":
        return None, f"an absolute path is not allowed; {inside}"
    if ".." in Path(file).parts or ".." in file.split("\\"):
        return None, f"'..' is not allowed; {inside}"
    try:
        if not area.exists():
            return None, f"no such file in {where}: {file}"
        base = area.resolve(strict=True)
        outside = folder_leaves(project.facts, project.root)
        if outside is not None:
            return None, outside
        if not base.is_relative_to(project.facts.resolve()):
            return None, f"{where} is a symlink that leads outside facts/"
        candidate = area / file
        resolved = candidate.resolve()
        if not resolved.is_relative_to(base):
            return None, f"the path leads outside {where} through a symlink"
        if not candidate.exists():
            return None, f"no such file in {where}: {file}"
        if not resolved.is_file():
            return None, "not a regular file"
    except (OSError, RuntimeError, ValueError) as exc:
        return None, f"cannot resolve the path ({exc}); {inside}"
    return resolved, ""


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as 'briefing pin' writes it (the snapshot's bytes while a
    build runs, so the pin is checked against the text the quotes were found in)."""
    held = _HELD.get()
    resolved = path.resolve()
    if held is not None and resolved in held:
        return hashlib.sha256(held[resolved]).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()
