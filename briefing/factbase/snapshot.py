"""Snapshot: the project's input files, read once through the file gate at the start of a build.

Everything a build checks, renders, attaches and freezes comes from these bytes, never from a
second read of the disk: a file saved halfway through a build cannot give pages that disagree
with their attachments. Before anything is published, `changes` tells whether the disk still
holds what was read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from briefing.core.diagnostics import BriefingError, Diagnostic, Location
from briefing.core.gate import MAX_ORIGINAL_BYTES, read_project_bytes, reading_from
from briefing.core.project import Project

# The folders a build reads, relative to the project root.
INPUT_FOLDERS = ("facts", "templates")

# What a file looked like when it was read: its size and modification time in ns.
Stamp = tuple[int, int]


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
                    found[name] = (info.st_size, info.st_mtime_ns)
    return found


def take(project: Project) -> Snapshot:
    """Read every input file of `project` once, through the project's file gate. A file the
    gate refuses is left out: the check reads it again and reports why."""
    root = project.root
    stamps = _stamps(root)
    files: dict[str, bytes] = {}
    by_path: dict[Path, bytes] = {}
    digests: dict[str, str] = {}
    digest = hashlib.sha256()
    for name in sorted(stamps):
        path = root / name
        area = root / name.split("/", 1)[0]
        data, _ = read_project_bytes(
            path, area, name, limit=MAX_ORIGINAL_BYTES, too_big="left to the check to report"
        )
        if data is None:
            continue
        files[name] = data
        by_path[path.resolve()] = data
        digests[name] = hashlib.sha256(data).hexdigest()
        digest.update(f"{name}\0{digests[name]}\n".encode())
    return Snapshot(
        root,
        MappingProxyType(files),
        MappingProxyType(stamps),
        MappingProxyType(digests),
        digest.hexdigest(),
        MappingProxyType(by_path),
    )
