"""Attachments: the files a PDF carries beside its pages (source texts, the fact base, the
manifest), and how they are chosen for a brief or the book (briefing.pdf.embed writes them).

A reader's attachment panel shows each source on its own, named by its label (evidence.attached),
and one bundle, BUNDLE, holding the rest: the fact base, the templates, the earlier edition and
the manifest, which names every file by its project name with its SHA-256."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Literal

from briefing.core.gate import MAX_FILE_BYTES, read_project_bytes
from briefing.core.project import Project
from briefing.editions.released import compared_files
from briefing.evidence.attached import all_attached_names
from briefing.evidence.excerpts import PartialText, excerpts_name, make_excerpts
from briefing.evidence.proofs import Proofs
from briefing.factbase.clock import build_date, compiled_day
from briefing.factbase.model import FactBase, Source
from briefing.factbase.snapshot import Snapshot
from briefing.factbase.validate import DISTRIBUTION_FILE
from briefing.render.pages import packaged_templates

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
    # The name a reader sees it under, attached on its own (a source's file: "S1 Title.txt");
    # empty for a file that travels inside the bundle under `name`.
    shown: str = ""

    def digest(self) -> str:
        """The SHA-256 of its bytes."""
        return self.sha256 or hashlib.sha256(self.content).hexdigest()


def _held(
    inputs: Snapshot, name: str, description: str, relationship: Relationship, shown: str = ""
) -> Attachment:
    content = inputs.files[name]
    return Attachment(name, description, content, relationship, inputs.sha256(name), shown)


def source_attachments(
    facts: FactBase, inputs: Snapshot, ids: Iterable[str], proofs: Proofs | None = None
) -> list[Attachment]:
    """The source texts with the given ids, in the order of the fact base, to embed, and the
    originals some were extracted from (those the snapshot holds: the check refuses the rest).

    A source that may not travel whole (`redistribute: excerpts`) gives its excerpts in place
    of its text, and never its original (evidence.excerpts): made from the check's `proofs`
    where the snapshot holds its text, else as the snapshot holds them (a fact base rebuilt
    from a PDF by `briefing verify`). Without either, nothing of it is attached."""
    named = set(ids)  # once: `ids` may be an iterator
    wanted = [source for source in facts.sources if source.id in named]
    shown = all_attached_names(facts)
    files: list[Attachment] = []
    for source in wanted:
        if source.redistribute == "excerpts":
            excerpts = _excerpts(source, inputs, proofs, shown[source.id].text)
            files += [excerpts] if excerpts is not None else []
        elif f"facts/sources/{source.file}" in inputs.files:
            description = f"Source text: {source.title} ({source.outlet})"
            name = f"facts/sources/{source.file}"
            files.append(_held(inputs, name, description, "Source", shown[source.id].text))
    # After the texts, the pages and PDFs they were extracted from: a reader can hold the
    # cited text against the original.
    files += [
        _held(
            inputs,
            f"facts/originals/{source.original}",
            f"Original of the source text: {source.title}",
            "Source",
            shown[source.id].original or "",
        )
        for source in wanted
        if source.redistribute == "whole"
        and source.original
        and f"facts/originals/{source.original}" in inputs.files
    ]
    return files


def _excerpts(
    source: Source, inputs: Snapshot, proofs: Proofs | None, shown: str
) -> Attachment | None:
    """The excerpts of `source` to attach (see source_attachments), or None."""
    text_name = f"facts/sources/{source.file}"
    name = f"facts/sources/{excerpts_name(source.file)}"
    description = (
        f"Excerpts of the source text: {source.title} ({source.outlet}); the passages the "
        "facts cite, not the full text, which may not be redistributed"
    )
    text = proofs.texts.get(source.id) if proofs is not None else None
    # A text read whole (never one rebuilt from excerpts) is cut again; else they go as held.
    full = text is not None and not isinstance(text, PartialText)
    if proofs is not None and text is not None and full and text_name in inputs.files:
        content = make_excerpts(source, text, inputs.files[text_name], proofs.spans(source.id))
        return Attachment(name, description, content, "Source", shown=shown)
    if name in inputs.files:
        return _held(inputs, name, description, "Source", shown)
    return None


def carried_sources(
    evidence: Sequence[Attachment], facts: FactBase, ids: Iterable[str]
) -> list[Attachment]:
    """Of the files the book carries (`evidence`), those of the sources with the given ids, in
    the book's order: a brief or a numbered copy carries each of its sources as the book does
    (its text, or its excerpts), and the excerpts are made once."""
    named = set(ids)
    names = set()
    for source in facts.sources:
        if source.id in named:
            names |= {f"facts/sources/{source.file}", f"facts/sources/{excerpts_name(source.file)}"}
            if source.original and source.redistribute == "whole":
                names.add(f"facts/originals/{source.original}")
    return [item for item in evidence if item.name in names]


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


# The earlier edition a PDF says what changed since is attached under its own folder's name.
EARLIER_EDITION = "editions/"


def earlier_attachments(project: Project, facts: FactBase) -> list[Attachment]:
    """The fact base of the edition this one is compared with (editions/N/facts/*.yaml), read
    through the gate: the overview's "Since edition N" is made from it, so a reader's
    `briefing verify` needs it to derive that page again."""
    files = []
    for name, path in compared_files(project, facts):
        content, _ = read_project_bytes(
            path, project.editions, name, limit=MAX_FILE_BYTES, too_big="left out"
        )
        if content is not None:
            files.append(
                Attachment(
                    name,
                    f"The released edition this one is compared with: {name}",
                    content,
                    "Supplement",
                )
            )
    return files


# The names the templates a PDF was made with are attached under: the desk's own overrides as
# the project names them, the defaults of the installed package apart from them.
DESK_TEMPLATES = "templates/"
PACKAGED_TEMPLATES = "briefing/templates/"


def template_attachments(inputs: Snapshot) -> list[Attachment]:
    """Every template and stylesheet a build may read, to embed: with them a reader's `briefing
    verify` derives the pages again (the packaged ones add about 100 KB, 25 KB compressed)."""
    files = [
        _held(inputs, f"{DESK_TEMPLATES}{relative}", "Template of the desk", "Supplement")
        for relative in inputs.under("templates")
    ]
    folder = packaged_templates()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        content, _ = read_project_bytes(
            path, folder, relative, limit=MAX_FILE_BYTES, too_big="not attached"
        )
        if content is not None:
            files.append(
                Attachment(
                    f"{PACKAGED_TEMPLATES}{relative}",
                    "Template of Briefing",
                    content,
                    "Supplement",
                )
            )
    return files


def is_template(attachment: Attachment) -> bool:
    """Whether the attachment is a template (see template_attachments)."""
    return attachment.name.startswith((DESK_TEMPLATES, PACKAGED_TEMPLATES))


def for_pdfs(
    facts: FactBase,
    inputs: Snapshot,
    earlier: Sequence[Attachment] = (),
    proofs: Proofs | None = None,
) -> list[Attachment]:
    """The files a reader needs to check the book: every source text (or its excerpts, made
    from the check's `proofs`), the fact base, the templates the pages are made with, and the
    `earlier` edition it is compared with."""
    files = source_attachments(facts, inputs, (s.id for s in facts.sources), proofs)
    return files + fact_attachments(inputs) + list(earlier) + template_attachments(inputs)


def briefing_version() -> str:
    """The version of Briefing installed."""
    try:
        return metadata.version("briefing")
    except metadata.PackageNotFoundError:
        return "unknown"


MANIFEST = "briefing.json"

# The format of the manifest: /2 since the files other than the sources travel in BUNDLE and
# the manifest says which name each source is attached under ("shown"); a PDF of /1 carries
# every file flat, under its project name (briefing.pdf.verify reads both).
MANIFEST_FORMAT = "briefing-evidence/2"

# The one attachment that holds every file but the sources, the manifest among them: a zip
# with its members sorted and dated by the PDF, so that the same files give the same bytes.
BUNDLE = "verification-data.zip"
BUNDLE_DESCRIPTION = (
    "The fact base, templates and manifest (briefing.json, the SHA-256 of every attached file) "
    "with which 'briefing verify' checks this file and every quote"
)


def manifest_attachment(
    facts: FactBase,
    attached: Sequence[Attachment],
    document: Literal["book", "brief", "copy"],
    slug: str | None = None,
    copy: Mapping[str, object] | None = None,
    made_with: Mapping[str, str] | None = None,
) -> Attachment:
    """The manifest to attach beside `attached`: with it a reader's `briefing verify` knows
        the PDF for a Briefing one and tells a missing, changed or added attachment; a numbered
        copy's says which copy it is and to whom it was issued (site.distribute). `made_with` names
    the versions of Briefing and the libraries that laid the PDF out: where a reader's are the
    same, the pages they derive again are the same bytes."""
    files = {item.name: item.digest() for item in attached}
    shown = {item.name: item.shown for item in attached if item.shown}
    manifest: dict[str, object] = {
        "format": MANIFEST_FORMAT,
        "document": document,
        "slug": slug,
        "edition": facts.edition.number,
        "compiled": compiled_day(facts.edition),
        # The instant the PDF's dates print, to the second: a reader derives them again.
        "date": build_date(facts.edition).isoformat(),
        "briefing": briefing_version(),
        "files": dict(sorted(files.items())),
        "shown": dict(sorted(shown.items())),
    }
    if made_with is not None:
        manifest["made_with"] = dict(sorted(made_with.items()))
    if copy is not None:
        manifest["copy"] = dict(copy)
    content = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    return Attachment(
        name=MANIFEST,
        description="The files this PDF carries, with their SHA-256 and the names the sources "
        "are attached under: 'briefing verify' checks them and every quote",
        relationship="Supplement",
        content=content,
    )
