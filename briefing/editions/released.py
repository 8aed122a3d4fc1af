"""Editions: a released edition is frozen in editions/N/, and the next one says what changed.

    editions/N/index.html, html/, pdf/   the build's outputs, as the build wrote them
    editions/N/facts/                    the fact base and source texts the build read
    editions/N/edition.json              number, title, cut-off, compiled and released days
    editions/N/SHA256SUMS                every other file's digest, as `sha256sum -c` reads it

An edition is written into a staging folder beside editions/ and renamed into place in one
step, and never overwritten. The build compares itself with the latest edition released before
it (briefing.editions.diff) and the index lists every released edition; a snapshot that does
not load is a warning, never a reason to stop a build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefing.core.diagnostics import BriefingError, Diagnostic, Location, errors
from briefing.core.gate import read_project_file
from briefing.core.project import Project
from briefing.editions.diff import Changes, diff
from briefing.factbase.clock import build_date, compiled_day
from briefing.factbase.load import iter_yaml
from briefing.factbase.model import CUT_OFF_PATTERN, DAY_PATTERN, FactBase, cut_off_span
from briefing.factbase.plan import OVERVIEW, Plan
from briefing.factbase.validate import FIXED_FILES, LoadedFactBase, load_fact_base

EDITION_FILE = "edition.json"
SUMS_FILE = "SHA256SUMS"

# A link kept in edition.json: a plain relative path, nothing a URL would read as a scheme.
_INSIDE = r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$"


class EditionError(BriefingError):
    """An edition cannot be released (already released, or it could not be written), or a
    released one asked for cannot be read."""


class Released(BaseModel):
    """editions/N/edition.json: what the index needs to list a released edition."""

    model_config = ConfigDict(extra="ignore", frozen=True)  # newer releases may say more

    number: int = Field(ge=1)
    title: str
    as_of: str = Field(pattern=CUT_OFF_PATTERN)  # a day, or a month or year as the facts give it
    compiled: str = Field(pattern=DAY_PATTERN)
    released: str = Field(pattern=DAY_PATTERN)
    book: str = Field(pattern=_INSIDE, description="The book's PDF, relative to editions/N/.")
    overview: str = Field(pattern=_INSIDE, description="The overview page, relative to it.")

    @field_validator("compiled", "released")
    @classmethod
    def _real_day(cls, value: str) -> str:
        dt.date.fromisoformat(value)  # the pattern lets 2031-02-30 through; the index prints it
        return value

    @field_validator("as_of")
    @classmethod
    def _real_cut_off(cls, value: str) -> str:
        cut_off_span(value)
        return value

    @field_validator("book", "overview")
    @classmethod
    def _inside(cls, value: str) -> str:
        # The index links it: it must stay inside editions/N/.
        if any(part in ("", ".", "..") for part in value.split("/")):
            raise ValueError("must be a path inside the edition's folder")
        return value

    def as_json(self) -> str:
        return json.dumps(self.model_dump(), indent=2, ensure_ascii=False) + "\n"


def record(facts: FactBase, plan: Plan) -> Released:
    """The edition.json of the edition being built. Its days come from the edition and
    SOURCE_DATE_EPOCH, never the clock, so that releasing the same facts gives the same files."""
    edition = facts.edition
    return Released(
        number=edition.number,
        title=edition.title,
        as_of=edition.as_of,
        compiled=compiled_day(edition),
        released=build_date(edition).date().isoformat(),
        book=plan.book,
        overview=plan.html(OVERVIEW),
    )


def numbers(project: Project) -> list[int]:
    """The editions released in editions/, by their folders' names (N), in order."""
    if not project.editions.is_dir() or project.editions.is_symlink():
        return []
    return sorted(
        int(p.name)
        for p in project.editions.iterdir()
        if re.fullmatch(r"[1-9][0-9]{0,8}", p.name) and p.is_dir() and not p.is_symlink()
    )


def _warning(where: str, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(Location(where), message, hint, severity="warning", code="E006")


def released_editions(project: Project) -> tuple[list[Released], list[Diagnostic]]:
    """Every released edition whose edition.json reads, newest first; a warning for each that
    does not (it is left out of the index)."""
    found: list[Released] = []
    problems: list[Diagnostic] = []
    for n in reversed(numbers(project)):
        path = project.editions / str(n) / EDITION_FILE
        name = project.name(path)
        text, read_problems = read_project_file(path, project.editions, name)
        if text is None:
            message = read_problems[0].message if read_problems else "cannot be read"
            problems.append(_warning(name, f"{message}; edition {n} is left out of the index"))
            continue
        try:
            released = Released.model_validate(json.loads(text))
        except (ValueError, ValidationError) as exc:
            first = str(exc).splitlines()[0]
            problems.append(
                _warning(name, f"not a valid {EDITION_FILE} ({first}); edition {n} is left out")
            )
            continue
        if released.number != n:
            problems.append(
                _warning(name, f"says edition {released.number} in folder {n}; it is left out")
            )
            continue
        missing = [p for p in (released.book, released.overview) if not (path.parent / p).is_file()]
        if missing:
            shown = ", ".join(project.name(path.parent / p) for p in missing)
            problems.append(_warning(name, f"{shown} is missing; edition {n} is left out"))
            continue
        found.append(released)
    return found, problems


def load_edition(project: Project, number: int) -> tuple[FactBase | None, list[Diagnostic]]:
    """The fact base frozen in editions/N/facts/, loaded as a build loads its own; None and the
    problems (named inside editions/N/) when it does not load."""
    folder = project.editions / str(number)
    if not (folder / "facts").is_dir():
        where = Location(project.name(folder))
        return None, [Diagnostic(where, f"edition {number} has no facts/ snapshot", code="E005")]
    base, problems, _ = load_fact_base(Project.at(folder))
    prefix = project.name(folder)
    located = [
        Diagnostic(
            Location(f"{prefix}/{p.location.file}", p.location.line, p.location.col),
            p.message,
            p.hint,
            p.severity,
            code=p.code,
        )
        for p in problems
    ]
    if base is None or errors(located):
        return None, located or [
            Diagnostic(Location(prefix), "the snapshot does not load", code="E005")
        ]
    return base.facts, located


@dataclass(frozen=True)
class Past:
    """What a build knows of earlier editions: those released, and what changed since the last
    one before it (None when there is none, or it does not load)."""

    released: tuple[Released, ...] = ()
    changes: Changes | None = None
    problems: tuple[Diagnostic, ...] = ()  # warnings


# A released edition's fact base, loaded once: editions are never rewritten, so a process that
# builds again and again (serve) keeps what it loaded, keyed by the edition's manifest.
Snapshots = dict[tuple[int, int], tuple[FactBase | None, list[Diagnostic]]]


def compared_with(project: Project, facts: FactBase) -> int | None:
    """The released edition a build of `facts` says what changed since: the latest before it."""
    earlier = [n for n in numbers(project) if n < facts.edition.number]
    return earlier[-1] if earlier else None


def compared_files(project: Project, facts: FactBase) -> list[tuple[str, Path]]:
    """The YAML files of the edition `compared_with` names (editions/N/facts/...), by their
    names in the project: a PDF that says what changed since it carries them, so that a reader's
    `briefing verify` derives its pages again."""
    since = compared_with(project, facts)
    if since is None:
        return []
    folder = project.editions / str(since) / "facts"
    if not folder.is_dir() or folder.is_symlink():
        return []
    return [(path.relative_to(project.root).as_posix(), path) for path in iter_yaml(folder)]


def past(project: Project, facts: FactBase, snapshots: Snapshots | None = None) -> Past:
    """The released editions and the changes since the latest one before this edition;
    `snapshots` keeps the loaded editions between calls."""
    released, problems = released_editions(project)
    since = compared_with(project, facts)
    changes = None
    if since is not None:
        manifest = project.editions / str(since) / SUMS_FILE
        try:
            key = (since, manifest.stat().st_mtime_ns)
        except OSError:
            key = (since, 0)
        memo = snapshots if snapshots is not None else {}
        if key not in memo:
            memo[key] = load_edition(project, since)
        old, found = memo[key]
        if old is None:
            first = errors(found)[0] if errors(found) else None
            detail = f": {first.location}: {first.message}" if first is not None else ""
            problems.append(
                _warning(
                    project.name(project.editions / str(since)),
                    f"the snapshot of edition {since} does not load{detail}",
                    f"the overview cannot say what changed since edition {since}; "
                    "'briefing diff --since N' shows every problem",
                )
            )
        else:
            changes = diff(old, facts)
    return Past(tuple(released), changes, tuple(problems))


# --- Releasing ----------------------------------------------------------------------------------


def already_released(project: Project, base: LoadedFactBase) -> EditionError | None:
    """The error for releasing an edition whose folder exists, at the edition's 'number'."""
    n = base.facts.edition.number
    folder = project.editions / str(n)
    if project.editions.is_symlink():
        # Editions are the project's own record: nothing is released through a link.
        where = Location(project.name(project.editions))
        return EditionError(
            [
                Diagnostic(
                    where, "editions/ is a symlink; it must be a folder of the project", code="E002"
                )
            ]
        )
    if not (folder.exists() or folder.is_symlink()):
        return None
    return EditionError(
        [
            Diagnostic(
                base.edition_file.locate(("number",)),
                f"edition {n} is already released in {project.name(folder)}/; "
                "raise 'number' in facts/edition.yaml to start the next",
                "a released edition is never overwritten",
                code="E001",
            )
        ]
    )


def fact_files(project: Project, facts: FactBase) -> list[tuple[Path, Path]]:
    """Every file under facts/ a build reads, with the folder it must stay inside: the YAML
    files the loader parses, and the source texts sources.yaml registers."""
    yaml_files = [project.facts / name for name in FIXED_FILES]
    if project.actors.is_dir():
        yaml_files += iter_yaml(project.actors)
    files = {path: project.facts for path in yaml_files}
    files.update({project.sources / s.file: project.sources for s in facts.sources})
    return sorted(files.items())


def manifest_line(relative: str, digest: str) -> str:
    """One line of SHA256SUMS. As GNU sha256sum writes it, a name holding a backslash or a line
    break is escaped, and its line starts with a backslash."""
    if not any(c in relative for c in "\\\n\r"):
        return f"{digest}  {relative}"
    name = relative.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    return f"\\{digest}  {name}"


def sha256sums(root: Path) -> str:
    """The manifest of every file under `root`, as `sha256sum -c` reads it: '<digest>  <path>',
    two spaces, paths relative to `root`, sorted by path."""
    files = sorted((p.relative_to(root).as_posix(), p) for p in root.rglob("*") if p.is_file())
    return "".join(
        manifest_line(relative, hashlib.sha256(path.read_bytes()).hexdigest()) + "\n"
        for relative, path in files
    )


def listed(released: Iterable[Released], also: Released | None) -> list[Released]:
    """The editions an index lists, newest first: those released, and the one being released."""
    out = {r.number: r for r in released}
    if also is not None:
        out[also.number] = also
    return [out[n] for n in sorted(out, reverse=True)]
