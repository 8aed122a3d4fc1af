"""Where a project keeps its things: the one place that knows the directory layout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    """The directories of one briefing project."""

    root: Path

    @classmethod
    def at(cls, root: Path | str = ".") -> Project:
        return cls(Path(root).resolve())

    @property
    def facts(self) -> Path:
        return self.root / "facts"

    @property
    def sources(self) -> Path:
        return self.facts / "sources"

    @property
    def originals(self) -> Path:
        """Saved web pages and PDFs that source texts were extracted from."""
        return self.facts / "originals"

    @property
    def actors(self) -> Path:
        return self.facts / "actors"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def editions(self) -> Path:
        """Released editions, one folder each: editions/N/ (committed, never overwritten)."""
        return self.root / "editions"

    def name(self, path: Path) -> str:
        """A path as shown in messages: relative to the project root."""
        try:
            return path.absolute().relative_to(self.root).as_posix()
        except ValueError:
            pass
        try:  # resolved only when needed: the check names hundreds of files
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
