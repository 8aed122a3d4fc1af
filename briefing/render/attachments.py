"""Attachments: the files a PDF carries beside its pages (source texts, the fact base, the
manifest), and how they are chosen for a brief or the book (briefing.pdf.embed writes them)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from briefing.factbase.clock import compiled_day
from briefing.factbase.model import FactBase
from briefing.factbase.snapshot import Snapshot
from briefing.factbase.validate import DISTRIBUTION_FILE

Relationship = Literal["Source", "Data", "Supplement", "Alternative", "Unspecified"]


@dataclass(frozen=True)
class Attachment:
    """Bytes to embed in a PDF under `name`: a project file as the build's snapshot holds it
    (never read again from the disk, which may have changed since the check read it), or a
    file made by the build (the manifest of briefing.pdf.verify)."""

    name: str
    description: str
    content: bytes
    relationship: Relationship = "Source"
    # The SHA-256 of `content` when the snapshot already knows it: every brief carries the
    # whole fact base, and its manifest and cache key name each file's digest.
    sha256: str = ""

    def digest(self) -> str:
        """The SHA-256 of its bytes."""
        return self.sha256 or hashlib.sha256(self.content).hexdigest()


def _held(inputs: Snapshot, name: str, description: str, relationship: Relationship) -> Attachment:
    content = inputs.files[name]
    return Attachment(name, description, content, relationship, inputs.sha256(name))


def source_attachments(facts: FactBase, inputs: Snapshot, ids: Iterable[str]) -> list[Attachment]:
    """The source texts with the given ids, in the order of the fact base, to embed, and the
    originals some were extracted from (those the snapshot holds: the check refuses the rest)."""
    named = set(ids)  # once: `ids` may be an iterator
    wanted = [source for source in facts.sources if source.id in named]
    files = [
        _held(
            inputs,
            f"facts/sources/{source.file}",
            f"Source text: {source.title} ({source.outlet})",
            "Source",
        )
        for source in wanted
        if f"facts/sources/{source.file}" in inputs.files
    ]
    # After the texts, the pages and PDFs they were extracted from: a reader can hold the
    # cited text against the original.
    files += [
        _held(
            inputs,
            f"facts/originals/{source.original}",
            f"Original of the source text: {source.title}",
            "Source",
        )
        for source in wanted
        if source.original and f"facts/originals/{source.original}" in inputs.files
    ]
    return files


def fact_attachments(inputs: Snapshot) -> list[Attachment]:
    """The YAML files of the fact base, to embed: with them a reader's `briefing verify`
    re-validates the facts and re-finds every quote (briefing.pdf.verify)."""
    return [
        _held(
            inputs,
            f"facts/{relative}",
            f"Fact base the briefs are built from: {relative}",
            "Data",
        )
        for relative in inputs.under("facts")
        # The recipients list stays at the desk: a copy must not tell who else got one.
        if relative.endswith(".yaml") and relative != DISTRIBUTION_FILE
    ]


def for_pdfs(facts: FactBase, inputs: Snapshot) -> list[Attachment]:
    """The files a reader needs to check the book: every source text and the fact base."""
    files = source_attachments(facts, inputs, (s.id for s in facts.sources))
    return files + fact_attachments(inputs)


MANIFEST = "briefing.json"


MANIFEST_FORMAT = "briefing-evidence/1"


def manifest_attachment(
    facts: FactBase,
    attached: Sequence[Attachment],
    document: Literal["book", "brief", "copy"],
    slug: str | None = None,
    copy: Mapping[str, object] | None = None,
) -> Attachment:
    """The manifest to attach beside `attached`: with it a reader's `briefing verify` knows
    the PDF for a Briefing one and tells a missing, changed or added attachment; a numbered
    copy's says which copy it is and to whom it was issued (site.distribute)."""
    files = {item.name: item.digest() for item in attached}
    manifest: dict[str, object] = {
        "format": MANIFEST_FORMAT,
        "document": document,
        "slug": slug,
        "edition": facts.edition.number,
        "compiled": compiled_day(facts.edition),
        "files": dict(sorted(files.items())),
    }
    if copy is not None:
        manifest["copy"] = dict(copy)
    content = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    return Attachment(
        name=MANIFEST,
        description="The files attached to this PDF, with their SHA-256: "
        "'briefing verify' checks them and every quote",
        relationship="Supplement",
        content=content,
    )
