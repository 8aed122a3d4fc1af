"""Attachments: the files a PDF carries (source texts, the fact base, the manifest), how they
are chosen for a brief or the book, and how they are written into the PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from briefing.factbase.clock import compiled_day
from briefing.factbase.model import FactBase

Relationship = Literal["Source", "Data", "Supplement", "Alternative", "Unspecified"]


@dataclass(frozen=True)
class Evidence:
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


# Files compressed for attaching, by their MD5: every brief carries the whole fact base, and a
# process binding many briefs compresses each file of it once.
_DEFLATED: dict[bytes, bytes] = {}


_DEFLATED_LIMIT = 64 * 1024 * 1024


def _deflated(checksum: bytes, data: bytes) -> bytes:
    if checksum not in _DEFLATED:
        if sum(map(len, _DEFLATED.values())) > _DEFLATED_LIMIT:
            _DEFLATED.clear()
        _DEFLATED[checksum] = zlib.compress(data, 6)
    return _DEFLATED[checksum]


def add_evidence(pdf: Any, evidence: Sequence[Evidence], when: dt.datetime) -> None:
    """Attach `evidence` to the open pikepdf.Pdf `pdf` as PDF/A-3 associated files, written as
    WeasyPrint writes its own (MIME type, MD5 checksum, size and dates; listed in the names
    tree and the catalog's /AF).

    Attached after layout, the fact base, which changes with every edit, does not make every
    brief's layout new: the layout of a brief whose page did not change comes from the cache.
    """
    import mimetypes

    import pikepdf

    if not evidence:
        return
    stamp = pikepdf.String(when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ"))
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pdf.make_indirect(pikepdf.Dictionary())
    if "/EmbeddedFiles" not in pdf.Root.Names:
        pdf.Root.Names.EmbeddedFiles = pikepdf.NameTree.new(pdf).obj
    files = pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles)
    if "/AF" not in pdf.Root:
        pdf.Root.AF = pikepdf.Array()  # direct in the catalog, as WeasyPrint writes it
    associated = pdf.Root.AF
    for item in evidence:
        data = item.content if item.content is not None else item.path.read_bytes()
        mime = mimetypes.guess_type(item.name, strict=False)[0] or "application/octet-stream"
        checksum = hashlib.md5(data, usedforsecurity=False).digest()
        stream = pikepdf.Stream(pdf, b"")
        stream.write(_deflated(checksum, data), filter=pikepdf.Name.FlateDecode)
        stream.Type = pikepdf.Name.EmbeddedFile
        stream.Subtype = pikepdf.Name("/" + mime)
        stream.Params = pikepdf.Dictionary(
            CheckSum=pikepdf.String(checksum),
            Size=len(data),
            CreationDate=stamp,
            ModDate=stamp,
        )
        spec = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Filespec,
                F=pikepdf.String(item.name),
                UF=pikepdf.String(item.name),
                EF=pikepdf.Dictionary(F=pdf.make_indirect(stream)),
                Desc=pikepdf.String(item.description),
                AFRelationship=pikepdf.Name("/" + item.relationship),
            )
        )
        files[item.name] = spec
        associated.append(spec)


def source_evidence(facts: FactBase, facts_dir: Path, ids: Iterable[str]) -> list[Evidence]:
    """The source texts with the given ids, in the order of the fact base, to embed, and the
    originals some were extracted from."""
    wanted = set(ids)
    files = [
        Evidence(
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
        Evidence(
            path=facts_dir / "originals" / source.original,
            name=f"facts/originals/{source.original}",
            description=f"Original of the source text: {source.title}",
            relationship="Source",
        )
        for source in facts.sources
        if source.id in wanted and source.original
    ]
    return files


def fact_evidence(facts_dir: Path) -> list[Evidence]:
    """The YAML files of the fact base, to embed: with them a reader's `briefing verify`
    re-validates the facts and re-finds every quote (briefing.verify)."""
    yaml_files = (
        p
        for p in facts_dir.rglob("*.yaml")
        if not any(part.startswith(".") for part in p.relative_to(facts_dir).parts)
    )
    return [
        Evidence(
            path=path,
            name=f"facts/{path.relative_to(facts_dir).as_posix()}",
            description=f"Fact base the briefs are built from: "
            f"{path.relative_to(facts_dir).as_posix()}",
            relationship="Data",
        )
        for path in sorted(yaml_files, key=lambda p: p.relative_to(facts_dir).as_posix())
    ]


def evidence(facts: FactBase, facts_dir: Path) -> list[Evidence]:
    """The files a reader needs to check the book: every source text and the fact base."""
    files = source_evidence(facts, facts_dir, (s.id for s in facts.sources))
    return files + fact_evidence(facts_dir)


MANIFEST = "briefing.json"


MANIFEST_FORMAT = "briefing-evidence/1"


def manifest_evidence(
    facts: FactBase,
    attached: Sequence[Evidence],
    document: Literal["book", "brief"],
    slug: str | None = None,
) -> Evidence:
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
    return Evidence(
        path=Path(MANIFEST),
        name=MANIFEST,
        description="The files attached to this PDF, with their SHA-256: "
        "'briefing verify' checks them and every quote",
        relationship="Supplement",
        content=content,
    )
