"""Distribute: one numbered copy of the book per recipient of facts/distribution.yaml, logged.

Each copy is bound like the book (pdf.layout, pdf.bind): Appendix B as the build laid it out
(from the cache), and the parts that differ from copy to copy, laid out afresh: its cover (its
contents, and whom it was issued to), the chapters the recipient receives, flowing one into
the next as in the book, and Appendix A (the passages its own chapters cite). Every page after
the cover carries "Copy K of M — issued to NAME" with its page number, outside the tagged
content; the manifest the copy carries (briefing.json) says the same, for `briefing verify`.

Everything goes to distribution/edN/ (beside build/, which every build replaces whole), in one
atomic swap, with copies.csv: copy number, recipient, chapters, file and SHA-256. Distributing
again with nothing changed finds every copy in the cache and the folder as it is: nothing is
rewritten.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from briefing.check.facts import Checked
from briefing.core.diagnostics import PublishError
from briefing.core.files import STAGING_PREFIX, fsync, fsync_tree
from briefing.core.gate import folder_leaves
from briefing.core.project import Project
from briefing.core.store import Store
from briefing.editions.released import manifest_line, past
from briefing.factbase.distribution import chapters_of
from briefing.factbase.plan import BOOK
from briefing.factbase.snapshot import Snapshot, take
from briefing.factbase.validate import DISTRIBUTION_FILE
from briefing.pdf.cache import Environment, made_with
from briefing.pdf.document import STYLESHEETS, PdfJob, brief_meta
from briefing.pdf.layout import Binding, default_jobs, lay_out
from briefing.render.attachments import (
    Attachment,
    carried_sources,
    earlier_attachments,
    fact_attachments,
    manifest_attachment,
    template_attachments,
)
from briefing.render.book import CHAPTERS, SOURCES, Issued, copy_parts, fill_numbers
from briefing.render.pages import Renderer
from briefing.site.build import checked_facts, render_site
from briefing.site.publish import (
    Site,
    build_lock,
    pdf_environment,
    pdf_parts,
    swap_into_place,
)

FOLDER = "distribution"
LOG = "copies.csv"
SUMS = "SHA256SUMS"
LOG_COLUMNS = ("copy", "of", "recipient", "name", "role", "marking", "chapters", "file", "sha256")


@dataclass(frozen=True)
class Distributed:
    """What `distribute` did: the folder, the copies by file name, the parts it laid out, and
    whether the folder already held exactly these files (nothing written)."""

    folder: Path
    copies: dict[str, bytes]
    laid_out: tuple[str, ...]
    unchanged: bool


def copy_name(book: str, issued: Issued) -> str:
    """A copy's file name: the book's, with its number and recipient (book-ed3-copy2-pl.pdf)."""
    return f"{book.removesuffix('.pdf')}-copy{issued.number}-{issued.recipient}.pdf"


@dataclass(frozen=True)
class Copies:
    """What every numbered copy of one edition is bound from: the site's parts and the book's
    binding, laid out once; `bind` makes one copy of them. `briefing verify` derives a copy
    again with the same class (site.derive), so a copy is proved like the book."""

    project: Project
    site: Site
    parts: dict[str, PdfJob]
    book: Binding
    renderer: Renderer
    environment: Environment
    carried: tuple[Attachment, ...]  # the fact base and templates every copy carries

    @classmethod
    def of(cls, project: Project, site: Site, checked: Checked, inputs: Snapshot) -> Copies:
        """The binder of `site`'s copies (a site rendered with its PDFs)."""
        parts, outputs = pdf_parts(project, site)
        book = dict(outputs)[site.plan.book]
        carried = (
            fact_attachments(inputs)
            + earlier_attachments(project, site.facts)
            + template_attachments(inputs)
        )
        return cls(
            project,
            site,
            parts,
            book,
            Renderer(site.facts, project, checked.texts, checked.proofs),
            pdf_environment(project, inputs),
            tuple(carried),
        )

    def bind(
        self, issued: Issued, chosen: tuple[str, ...], store: Store | None, workers: int
    ) -> tuple[str, bytes, tuple[str, ...]]:
        """One copy: its file name, its bytes, and the parts laid out for it now."""
        site, book, facts, plan = self.site, self.book, self.site.facts, self.site.plan
        inputs = site.inputs if site.inputs is not None else take(self.project)
        with inputs.serving():
            own = copy_parts(self.renderer, site.briefs, chosen, issued)
        titles = [b.title for b in site.briefs if b.kind == "actor" and b.slug in chosen]
        meta = brief_meta(facts.edition, f"Briefing book, {issued.line}", titles)
        names = self.parts[chosen[0]].pdf_names
        # The book's parts, but its chapters and Appendix A are the copy's own: those it holds.
        jobs = {name: self.parts[name] for name in book.parts}
        jobs[CHAPTERS] = PdfJob(own.flow, None, STYLESHEETS, names)
        jobs[SOURCES] = PdfJob(own.sources, None, STYLESHEETS, names)
        cited = {s for b in site.briefs if b.slug in chosen for s in b.sources}
        carried = [*carried_sources(site.book_evidence, facts, cited), *self.carried]
        record = {
            "number": issued.number,
            "of": issued.of,
            "recipient": issued.recipient,
            "name": issued.name,
            "role": issued.role,
            "marking": issued.marking,
            "chapters": list(chosen),
        }
        carried.append(
            manifest_attachment(facts, carried, "copy", copy=record, made_with=made_with())
        )
        book_name = plan.pdf_name(BOOK)
        binding = Binding(
            book.parts,
            book.when,
            PdfJob(own.cover, meta, STYLESHEETS, names),
            tuple(carried),
            inside=tuple(pair for pair in book.inside if pair[1] in chosen),
            elsewhere=book_name,
        )
        file = copy_name(book_name, issued)
        numbers = site.book.numbers if site.book is not None else ""

        def stamped(pages: int) -> PdfJob:
            html = fill_numbers(numbers, pages, issued.line)
            return PdfJob(html, None, ("book.css",), tagged=False)

        laid = lay_out(
            self.project, jobs, [(file, binding)], stamped, self.environment, store, workers
        )
        return file, laid.pdfs[file], laid.laid_out


def distribute(
    project: Project, *, jobs: int | None = None, cache: bool = True
) -> tuple[Distributed, Checked]:
    """Write one numbered copy per recipient, the copies log and their SHA256SUMS, to
    distribution/edN/.

    Raises FactBaseError when the facts do not check, PublishError (P009) without a
    facts/distribution.yaml, and PublishError when the folder cannot be written; then
    distribution/edN/ is left as it was."""
    inputs = take(project)
    checked, facts, plan = checked_facts(project, pdf=True, inputs=inputs)
    assert checked.base is not None  # checked_facts raises otherwise
    distribution = checked.base.distribution
    if distribution is None:
        raise PublishError(
            f"nothing to distribute: {project.name(project.facts / DISTRIBUTION_FILE)} is "
            "missing; list the recipients there ('recipients:', each with id, name, chapters)",
            "P009",
        )
    site = render_site(
        facts,
        project,
        plan,
        checked.texts,
        past(project, facts),
        with_data=False,
        inputs=inputs,
        proofs=checked.proofs,
    )
    assert site.book is not None  # plan.pdf is set
    folder = project.root / FOLDER / f"ed{facts.edition.number}"
    refused = folder_leaves(folder, project.root, link=False)
    if refused is not None:
        raise PublishError(f"{refused}; copies are written only inside the project", "P003")
    binder = Copies.of(project, site, checked, inputs)
    workers = jobs or default_jobs()
    copies: dict[str, bytes] = {}
    rows: list[dict[str, object]] = []
    laid_out: list[str] = []
    with build_lock(project):
        store = Store.for_project(project.root) if cache else None
        for number, recipient in enumerate(distribution.recipients, start=1):
            chosen = chapters_of(recipient, plan.slugs, plan.on_record)
            issued = Issued(
                number,
                len(distribution.recipients),
                recipient.id,
                recipient.name,
                recipient.role,
                recipient.marking,
            )
            file, content, parts = binder.bind(issued, chosen, store, workers)
            laid_out += parts
            copies[file] = content
            rows.append(
                {
                    "copy": issued.number,
                    "of": issued.of,
                    "recipient": issued.recipient,
                    "name": issued.name,
                    "role": issued.role or "",
                    "marking": issued.marking or "",
                    "chapters": " ".join(chosen),
                    "file": file,
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            )
        if store is not None:
            store.prune()
        files = {**copies, LOG: _log(rows), SUMS: _sums(copies)}
        unchanged = _holds(folder, files)
        if not unchanged:
            _write(project, site, folder, files)
    return Distributed(folder, copies, tuple(laid_out), unchanged), checked


def _log(rows: list[dict[str, object]]) -> bytes:
    """The copies log as CSV, one row per copy, in copy order."""
    out = io.StringIO()
    writer = csv.DictWriter(out, LOG_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _sums(copies: dict[str, bytes]) -> bytes:
    """A line per copy, as the edition's SHA256SUMS writes them (`sha256sum -c` checks them)."""
    lines = [
        manifest_line(name, hashlib.sha256(content).hexdigest()) + "\n"
        for name, content in sorted(copies.items())
    ]
    return "".join(lines).encode("utf-8")


def _holds(folder: Path, files: dict[str, bytes]) -> bool:
    """Whether `folder` holds exactly `files`, byte for byte (and nothing else)."""
    try:
        if not folder.is_dir() or folder.is_symlink():
            return False
        if {p.name for p in folder.iterdir()} != set(files):
            return False
        return all((folder / name).read_bytes() == content for name, content in files.items())
    except OSError:
        return False


def _write(project: Project, site: Site, folder: Path, files: dict[str, bytes]) -> None:
    """Swap a folder of `files` in for `folder`, in one step; on failure it is left as it was."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=project.root))
        try:
            staging.chmod(0o755)
            for name, content in files.items():
                (staging / name).write_bytes(content)
            fsync_tree(staging)
            if site.inputs is not None:
                site.inputs.refuse_changes()
            swap_into_place(staging, folder)
            fsync(folder.parent)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except OSError as exc:
        raise PublishError(
            f"could not write {project.name(folder)}/: {exc}; "
            "the copies there were left as they were"
        ) from exc
