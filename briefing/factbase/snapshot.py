"""Snapshot: the project's input files, read once through the file gate at the start of a build.

Everything a build checks, renders, attaches and freezes comes from these bytes, never from a
second read of the disk: a file saved halfway through a build cannot give pages that disagree
with their attachments. Before anything is published, `changes` tells whether the disk still
holds what was read.

A process that takes snapshots again and again (the live preview) gives `take` the last one: a
file whose stamp (size, modification time, inode) has not moved since is not read again, its
bytes and digest are taken from it. Everything made from the bytes is keyed by their digest,
never by the stamp (see briefing.core.memo).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from briefing.core.diagnostics import BriefingError, Diagnostic, Location
from briefing.core.gate import MAX_ORIGINAL_BYTES, read_project_bytes, reading_from
from briefing.core.project import Project

# The folders a build reads, relative to the project root.
INPUT_FOLDERS = ("facts", "templates")

# What a file looked like when it was read: its size, modification time in ns and inode.
Stamp = tuple[int, int, int]

# A file modified this close to the moment a snapshot was taken may be written again within
# the same tick of a coarse file-system clock (2 s on FAT) without its stamp moving: its stamp
# is not trusted, and the next snapshot reads it again.
RACY_NS = 2_000_000_000


class InputsChanged(BriefingError):
    """Input files changed while a build read or rendered them; nothing was published."""


@dataclass(frozen=True)
class Snapshot:
    """The input files of one build by their path relative to the project root ("facts/...",
    "templates/..."), with the stamp each had when read and one digest of them all."""

    root: Path
    files: Mapping[str, bytes]
    stamps: Mapping[str, Stamp]
    digests: Mapping[str, str]  # the SHA-256 of each file
    digest: str
    # The same bytes by their real location, for the file gate (see load.reading_from).
    _by_path: Mapping[Path, bytes] = field(repr=False, compare=False)
    # The real location of each file, and when the stamps were taken (time.time_ns()): what
    # the next `take` needs to trust a stamp and reuse the bytes.
    _paths: Mapping[str, Path] = field(repr=False, compare=False)
    taken_ns: int = field(repr=False, compare=False)

    def under(self, folder: str) -> dict[str, bytes]:
        """The files under `folder` ("facts"), by their path relative to it, in name order."""
        prefix = folder.rstrip("/") + "/"
        return {
            name.removeprefix(prefix): data
            for name, data in sorted(self.files.items())
            if name.startswith(prefix)
        }

    def sha256(self, name: str) -> str:
        """The SHA-256 of the file `name` holds."""
        return self.digests[name]

    def read(self, path: Path) -> bytes:
        """The bytes of `path` as this snapshot holds them, else as the disk does now."""
        held = self._by_path.get(path.resolve())
        return held if held is not None else path.read_bytes()

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """Have the file gate answer from this snapshot while the block runs."""
        with reading_from(self._by_path):
            yield

    def changes(self) -> list[Diagnostic]:
        """An error for each input file that differs on disk from what was read (changed,
        added or removed); cheap when nothing changed: a stat per file, a read only for one
        whose stamp moved."""
        now = _stamps(self.root)
        problems: list[Diagnostic] = []
        for name in sorted(set(now) | set(self.stamps)):
            if name not in now:
                how = "was removed"
            elif name not in self.stamps:
                how = "was added"
            elif now[name] == self.stamps[name]:
                continue
            elif _same(self.root / name, self.files.get(name)):
                continue  # touched, not changed
            else:
                how = "changed"
            problems.append(
                Diagnostic(
                    Location(name),
                    f"{how} while building",
                    "build again: nothing was published from the inputs as they were",
                    code="P007",
                )
            )
        return problems

    def refuse_changes(self) -> None:
        """Raise InputsChanged when `changes` finds any."""
        problems = self.changes()
        if problems:
            raise InputsChanged(problems)


def _same(path: Path, held: bytes | None) -> bool:
    try:
        return held is not None and path.read_bytes() == held
    except OSError:
        return False


def _hidden(name: str) -> bool:
    # Editors and version control keep their own files under dot names; they are not inputs.
    return any(part.startswith(".") for part in name.split("/"))


def _stamps(root: Path) -> dict[str, Stamp]:
    """The stamp of every regular file under the input folders (symlinked folders are not
    entered: the gate refuses what they hold)."""
    found: dict[str, Stamp] = {}
    for folder in INPUT_FOLDERS:
        top = root / folder
        if not top.is_dir():
            continue
        for here, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for file in files:
                path = Path(here) / file
                name = path.relative_to(root).as_posix()
                if _hidden(name):
                    continue
                try:
                    info = path.stat()
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    found[name] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return found


def take(project: Project, previous: Snapshot | None = None) -> Snapshot:
    """Read every input file of `project` once, through the project's file gate. A file the
    gate refuses is left out: the check reads it again and reports why.

    With `previous`, a snapshot of the same project taken earlier, a file whose stamp is the
    one it had then (and was not racy then, see RACY_NS) is not read again: its bytes, digest
    and real location are the previous snapshot's. Those bytes passed the gate when they were
    read, and the file is still the same one (same inode, size and time), so nothing new is
    read from outside the project."""
    root = project.root
    taken_ns = time.time_ns()
    stamps = _stamps(root)
    reuse = previous is not None and previous.root == root
    files: dict[str, bytes] = {}
    by_path: dict[Path, bytes] = {}
    paths: dict[str, Path] = {}
    digests: dict[str, str] = {}
    digest = hashlib.sha256()
    for name in sorted(stamps):
        held = _unchanged(previous, name, stamps[name]) if reuse else None
        if held is not None:
            data, real, digests[name] = held
        else:
            path = root / name
            area = root / name.split("/", 1)[0]
            read, _ = read_project_bytes(
                path, area, name, limit=MAX_ORIGINAL_BYTES, too_big="left to the check to report"
            )
            if read is None:
                continue
            data, real = read, path.resolve()
            digests[name] = hashlib.sha256(data).hexdigest()
        files[name] = data
        by_path[real] = data
        paths[name] = real
        digest.update(f"{name}\0{digests[name]}\n".encode())
    return Snapshot(
        root,
        MappingProxyType(files),
        MappingProxyType(stamps),
        MappingProxyType(digests),
        digest.hexdigest(),
        MappingProxyType(by_path),
        MappingProxyType(paths),
        taken_ns,
    )


def _unchanged(
    previous: Snapshot | None, name: str, stamp: Stamp
) -> tuple[bytes, Path, str] | None:
    """The bytes, real location and digest `previous` holds for `name`, if the file's stamp is
    the one it had then and was old enough then to be trusted."""
    if previous is None or previous.stamps.get(name) != stamp:
        return None
    if stamp[1] > previous.taken_ns - RACY_NS:
        return None
    data, real = previous.files.get(name), previous._paths.get(name)
    if data is None or real is None:
        return None
    return data, real, previous.digests[name]
