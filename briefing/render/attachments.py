"""Attachments: the files a PDF carries beside its pages (source texts, the fact base, the
manifest), and how they are chosen for a brief or the book (briefing.pdf.embed writes them)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from briefing.factbase.clock import compiled_day
from briefing.factbase.model import FactBase

Relationship = Literal["Source", "Data", "Supplement", "Alternative", "Unspecified"]


@dataclass(frozen=True)
class Attachment:
    """A project file to embed in a PDF, named by its path in the project; or, with
    `content`, bytes made by the build (the manifest of briefing.verify), named `name`."""

    path: Path
    name: str
    description: str
    relationship: Relationship = "Source"
    content: bytes | None = None

    def digest(self) -> str:
        """The SHA-256 of its bytes (a file's, read once per process while it is unchanged:
        every brief carries the whole fact base, and its manifest and cache key name each
        file's digest)."""
        if self.content is not None:
            return hashlib.sha256(self.content).hexdigest()
        info = self.path.stat()
        key = (str(self.path), info.st_mtime_ns, info.st_size)
        if key not in _DIGESTS:
            _DIGESTS[key] = hashlib.sha256(self.path.read_bytes()).hexdigest()
        return _DIGESTS[key]


_DIGESTS: dict[tuple[str, int, int], str] = {}


def source_attachments(facts: FactBase, facts_dir: Path, ids: Iterable[str]) -> list[Attachment]:
    """The source texts with the given ids, in the order of the fact base, to embed, and the
    originals some were extracted from."""
    wanted = set(ids)
    files = [
        Attachment(
            path=facts_dir / "sources" / source.file,
            name=f"facts/sources/{source.file}",
            description=f"Source text: {source.title} ({source.outlet})",
            relationship="Source",
        )
        for source in facts.sources
        if source.id in wanted
    ]
    # After the texts, the pages and PDFs they were extracted from: a reader can hold the
    # cited text against the original.
    files += [
        Attachment(
            path=facts_dir / "originals" / source.original,
            name=f"facts/originals/{source.original}",
            description=f"Original of the source text: {source.title}",
            relationship="Source",
        )
        for source in facts.sources
        if source.id in wanted and source.original
    ]
    return files


def fact_attachments(facts_dir: Path) -> list[Attachment]:
    """The YAML files of the fact base, to embed: with them a reader's `briefing verify`
    re-validates the facts and re-finds every quote (briefing.verify)."""
    yaml_files = (
        p
        for p in facts_dir.rglob("*.yaml")
        if not any(part.startswith(".") for part in p.relative_to(facts_dir).parts)
    )
    return [
        Attachment(
            path=path,
            name=f"facts/{path.relative_to(facts_dir).as_posix()}",
            description=f"Fact base the briefs are built from: "
            f"{path.relative_to(facts_dir).as_posix()}",
            relationship="Data",
        )
        for path in sorted(yaml_files, key=lambda p: p.relative_to(facts_dir).as_posix())
    ]


def for_pdfs(facts: FactBase, facts_dir: Path) -> list[Attachment]:
    """The files a reader needs to check the book: every source text and the fact base."""
    files = source_attachments(facts, facts_dir, (s.id for s in facts.sources))
    return files + fact_attachments(facts_dir)


MANIFEST = "briefing.json"


MANIFEST_FORMAT = "briefing-evidence/1"


def manifest_attachment(
    facts: FactBase,
    attached: Sequence[Attachment],
    document: Literal["book", "brief"],
    slug: str | None = None,
) -> Attachment:
    """The manifest to attach beside `attached`: with it a reader's `briefing verify` knows
    the PDF for a Briefing one and tells a missing, changed or added attachment."""
    files = {item.name: item.digest() for item in attached}
    manifest = {
        "format": MANIFEST_FORMAT,
        "document": document,
        "slug": slug,
        "edition": facts.edition.number,
        "compiled": compiled_day(facts.edition),
        "files": dict(sorted(files.items())),
    }
    content = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    return Attachment(
        path=Path(MANIFEST),
        name=MANIFEST,
        description="The files attached to this PDF, with their SHA-256: "
        "'briefing verify' checks them and every quote",
        relationship="Supplement",
        content=content,
    )
