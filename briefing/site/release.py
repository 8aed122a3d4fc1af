"""Release: freeze a complete build into editions/N/ with its fact base and SHA256SUMS."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from briefing.core.diagnostics import Diagnostic, Location
from briefing.core.files import STAGING_PREFIX, fsync, fsync_tree
from briefing.core.gate import read_project_file
from briefing.core.project import Project
from briefing.editions.released import (
    EDITION_FILE,
    SUMS_FILE,
    EditionError,
    fact_files,
    record,
    sha256sums,
)
from briefing.factbase.model import FactBase
from briefing.factbase.plan import INDEX, Plan
from briefing.factbase.snapshot import Snapshot


@dataclass(frozen=True)
class Frozen:
    """A released edition on disk."""

    number: int
    folder: Path
    files: tuple[str, ...]  # relative to the folder, SHA256SUMS included


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def freeze(
    project: Project,
    facts: FactBase,
    plan: Plan,
    index: str,
    built: Path,
    inputs: Snapshot | None = None,
    extra: tuple[str, ...] = (),
) -> Frozen:
    """Write editions/N/ from a complete build in `built`: its outputs (with `index`, the
    index as seen from inside editions/N/), the fact base it read (`inputs`, the build's
    snapshot, when given), edition.json and SHA256SUMS; refused when `inputs` changed on disk.
    `extra` names more outputs of the build to freeze with it (the Word files of --docx).

    Staged beside editions/ and renamed into place; an existing editions/N/ is never touched.
    Runs under the build lock (briefing.site.publish), so two releases cannot race.
    """
    n = facts.edition.number
    files: list[str] = []
    target = project.editions / str(n)
    staging: Path | None = None
    try:
        project.editions.mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}edition-{n}-", dir=project.root))
        staging.chmod(0o755)
        for relative in (*plan.paths(), *extra):
            if relative == INDEX:
                _write(staging / relative, index.encode("utf-8"))
            else:
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(built / relative, staging / relative)
        with inputs.serving() if inputs is not None else contextlib.nullcontext():
            for path, area in fact_files(project, facts):
                # Through the project's one gate, from the bytes the build read.
                text, problems = read_project_file(path, area, project.name(path))
                if text is None:
                    raise EditionError(problems)
                _write(staging / "facts" / path.relative_to(project.facts), text.encode("utf-8"))
        _write(staging / EDITION_FILE, record(facts, plan).as_json().encode("utf-8"))
        _write(staging / SUMS_FILE, sha256sums(staging).encode("utf-8"))
        files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        fsync_tree(staging)
        if target.exists() or target.is_symlink():
            # Released by another command since this one checked: it wins, this one stops.
            raise EditionError(
                [
                    Diagnostic(
                        Location(project.name(target)),
                        f"edition {n} was released while this release ran; nothing was changed",
                        code="E003",
                    )
                ]
            )
        if inputs is not None:
            # The edition must be what was checked and rendered: an input saved since then
            # would freeze a fact base its own PDFs disagree with.
            inputs.refuse_changes()
        os.rename(staging, target)
        staging = None
        fsync(project.editions)
    except OSError as exc:
        raise EditionError(
            [
                Diagnostic(
                    Location(project.name(project.editions)),
                    f"could not write edition {n}: {exc}; nothing was released",
                    code="E004",
                )
            ]
        ) from exc
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return Frozen(n, target, tuple(files))
