"""Build: the one pipeline every command runs, in named stages.

    snapshot   briefing.factbase.snapshot.take   (every input read once, through the gate)
    check      briefing.check.facts.check_project (load and validate the YAML, the vocabulary,
                                                   ids, references, quotes with their proofs,
                                                   warnings; and the plan of every output path)
    editions   briefing.editions.released.past   (released editions, what changed since)
    render     render_site, here                 (each brief rendered once; the book's parts;
                                                   the data export)
    publish    briefing.site.publish.publish     (PDFs laid out and bound, everything swapped
                                                   into build/ at once, unless an input changed)

`build`, `release`, `serve` and the tests go through these functions, in this order; a build
whose inputs and settings are those of the last one stops after the snapshot (nothing changed),
and `release` freezes the build into editions/N/ before it replaces build/.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import jinja2

from briefing.check.facts import Checked, check_project
from briefing.core.diagnostics import (
    Diagnostic,
    FactBaseError,
    Location,
    PublishError,
    TemplateError,
    errors,
)
from briefing.core.memo import Memo
from briefing.core.project import Project
from briefing.core.store import (
    CACHE,
    DATA_FOLDER,
    Store,
    cache_refusal,
    pack,
    project_store,
    unpack,
)
from briefing.editions.released import (
    SUMS_FILE,
    Past,
    already_released,
    listed,
    numbers,
    past,
    record,
)
from briefing.evidence.proofs import Proofs
from briefing.evidence.quotes import NormalText
from briefing.factbase import schema
from briefing.factbase.clock import compiled_day
from briefing.factbase.model import FactBase
from briefing.factbase.plan import INDEX, NOTE, PATHS, Plan
from briefing.factbase.snapshot import Snapshot, take
from briefing.pdf.cache import inputs_key, made_with, tool_versions
from briefing.render.attachments import (
    Attachment,
    earlier_attachments,
    for_pdfs,
    is_template,
    manifest_attachment,
)
from briefing.render.book import BookParts, render_book
from briefing.render.pages import Brief, Renderer, template_problem
from briefing.site.data import export
from briefing.site.docx import FOLDER as WORD_FOLDER
from briefing.site.docx import documents
from briefing.site.publish import BuildResult, Site, Stamp, pdf_environment, publish
from briefing.site.release import Frozen, freeze


def checked_facts(
    project: Project,
    *,
    pdf: bool = True,
    inputs: Snapshot | None = None,
    memo: Memo | None = None,
) -> tuple[Checked, FactBase, Plan]:
    """The check stage's result, or FactBaseError carrying every diagnostic when it failed;
    with `inputs`, the files are read from that snapshot, not from the disk. `memo` is the
    live preview's: what the last check made from files unchanged since is used again."""
    if inputs is None:
        checked = check_project(project, pdf=pdf, memo=memo)
    else:
        with inputs.serving():
            checked = check_project(project, pdf=pdf, memo=memo)
    if errors(checked.problems) or checked.base is None or checked.plan is None:
        raise FactBaseError(checked.problems)
    return checked, checked.base.facts, checked.plan


def render_site(
    facts: FactBase,
    project: Project,
    plan: Plan,
    texts: Mapping[str, NormalText] | None = None,
    history: Past | None = None,
    *,
    releasing: bool = False,
    with_data: bool = True,
    cache: Store | None = None,
    inputs: Snapshot | None = None,
    proofs: Proofs | None = None,
) -> Site:
    """Every page of the build as HTML, each brief rendered once; the book too with PDFs; and
    with the checked source `texts`, the data files (the live preview goes without them).

    `history` holds the released editions (the index lists them) and what changed since the
    last (the overview opens with it). `releasing` lists this edition among the released
    ones and renders the index for its frozen copy too (Site.edition_index).

    A template mistake becomes a TemplateError located at templates/FILE:LINE. The data files
    come from `cache` when the fact base and the code are as they were. Templates and the
    files the PDFs attach come from `inputs`, the snapshot the facts were checked from (taken
    afresh when not given). `proofs` are where the check found each quote (Checked.proofs);
    without them, quotes are found in `texts`.
    """
    inputs = inputs if inputs is not None else take(project)
    with inputs.serving():
        data = (
            exported(project, facts, texts, cache, inputs, proofs)
            if texts is not None and with_data
            else {}
        )
    pages = Pages(facts, project, plan, inputs, texts, proofs, history, releasing=releasing)
    return pages.site(data)


class Pages:
    """The render stage of one checked fact base: its pages by their path under build/, each
    brief rendered once, when first needed, and kept. The build asks for every page at once
    (render_site); the live preview for the one the browser shows.

    Raises PublishError when SOURCE_DATE_EPOCH is no date; a template mistake, whenever it
    shows, becomes a TemplateError located at templates/FILE:LINE."""

    def __init__(
        self,
        facts: FactBase,
        project: Project,
        plan: Plan,
        inputs: Snapshot,
        texts: Mapping[str, NormalText] | None = None,
        proofs: Proofs | None = None,
        history: Past | None = None,
        *,
        releasing: bool = False,
    ) -> None:
        try:
            compiled_day(facts.edition)  # the pages print it: a bad SOURCE_DATE_EPOCH stops here
        except ValueError as exc:
            raise PublishError(str(exc), "P005") from None
        self.facts, self.project, self.plan, self.inputs = facts, project, plan, inputs
        self.texts, self.proofs = texts, proofs
        self.history = history or Past()
        self.releasing = releasing
        self.editions = listed(self.history.released, record(facts, plan) if releasing else None)
        self.slugs = {plan.html(slug): slug for slug in plan.slugs}
        self._renderer: Renderer | None = None
        self._briefs: dict[str, Brief] = {}
        self._pages: dict[str, str] = {}

    def paths(self) -> list[str]:
        """Every page's path under build/, the index first."""
        return [INDEX, *self.slugs]

    def page(self, path: str) -> str | None:
        """The page at `path` under build/ ("html/ee.html"), rendered on first request; None
        when the plan has no such page. The index needs every brief, a brief's page its own."""
        held = self._pages.get(path)
        if held is not None:
            return held
        if path == INDEX:
            briefs = self.briefs()
            with self._rendering() as renderer:
                page = renderer.index(briefs, self.plan, self.editions)
        elif path in self.slugs:
            (brief,) = self._briefs_of([self.slugs[path]])
            with self._rendering() as renderer:
                page = renderer.page(brief)
        else:
            return None
        self._pages[path] = page
        return page

    def briefs(self) -> list[Brief]:
        """Every brief of the plan, in its order."""
        return self._briefs_of(self.plan.slugs)

    def book(self) -> tuple[BookParts, tuple[Attachment, ...]]:
        """The book's parts, and the files it carries: the evidence of the fact base (as
        `inputs` holds it) and their manifest."""
        briefs = self.briefs()
        earlier = earlier_attachments(self.project, self.facts)
        attached = for_pdfs(self.facts, self.inputs, earlier, self.proofs)
        attached.append(manifest_attachment(self.facts, attached, "book", made_with=made_with()))
        # The method appendix tells how the sources travel; it reads what the book carries
        # but the templates and the earlier edition.
        named = [item for item in attached if not is_template(item) and item not in earlier]
        with self._rendering() as renderer:
            return render_book(renderer, briefs, named), tuple(attached)

    def site(self, data: dict[str, bytes] | None = None, *, pdf: bool | None = None) -> Site:
        """Every page and, when the plan (or `pdf`) has PDFs, the book: what publish writes,
        with the `data` files."""
        pages = {path: self.page(path) or "" for path in self.paths()}
        edition_index = None
        if self.releasing:
            # Inside editions/N/, the other editions are siblings: ../M/.
            briefs = self.briefs()
            with self._rendering() as renderer:
                edition_index = renderer.index(briefs, self.plan, self.editions, "../")
        plan = self.plan if pdf is None else dataclasses.replace(self.plan, pdf=pdf)
        book, evidence = self.book() if plan.pdf else (None, ())
        return Site(
            self.facts,
            plan,
            self.briefs(),
            pages,
            book,
            evidence,
            edition_index,
            data or {},
            self.inputs,
        )

    def _briefs_of(self, slugs: Sequence[str]) -> list[Brief]:
        missing = [s for s in slugs if s not in self._briefs]
        if missing:
            with self._rendering() as renderer:
                rendered = renderer.briefs(self.history.changes, set(missing))
            self._briefs.update((b.slug, b) for b in rendered)
        return [self._briefs[s] for s in slugs]

    @contextlib.contextmanager
    def _rendering(self) -> Iterator[Renderer]:
        """The renderer, reading templates from `inputs`; a template's mistake as a
        TemplateError."""
        try:
            with self.inputs.serving():
                if self._renderer is None:
                    self._renderer = Renderer(self.facts, self.project, self.texts, self.proofs)
                yield self._renderer
        except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as exc:
            # Only errors raised while a template runs are the template's; anything else is ours.
            problem = template_problem(exc, self.project)
            if isinstance(exc, jinja2.TemplateError) or problem.location.line:
                raise TemplateError([problem]) from None
            raise


DATA_CACHE_MB = 64


def exported(
    project: Project,
    facts: FactBase,
    texts: Mapping[str, NormalText],
    cache: Store | None,
    inputs: Snapshot | None = None,
    proofs: Proofs | None = None,
) -> dict[str, bytes]:
    """The data files of build/data/ (data.export), from `cache` when facts/ and our code are
    byte for byte as they were: a build with nothing changed need not write the database.

    The entry holds contents only, for the names of data.PATHS: which files there are and where
    they go is this build's to say, whatever the cache holds."""
    if cache is None:
        return export(facts, texts, proofs)
    held = inputs.under("facts") if inputs is not None else None
    key = inputs_key("data", project.facts, held)
    entry = cache.get(key)
    files = unpack(entry, PATHS) if entry is not None else None
    if files is None:
        files = export(facts, texts, proofs)
        if set(files) == set(PATHS):
            cache.put(key, pack(files, PATHS))
            cache.prune()
    return files


def refresh_schema(project: Project, checked: Checked) -> list[Path]:
    """Bring the editors' schema/ in line with the vocabulary, where the project keeps one:
    a word added to facts/vocabulary.yaml is offered by the editor after the next build."""
    directory = project.root / "schema"
    if checked.base is None or not directory.is_dir():
        return []
    return schema.write(directory, checked.base.models)


def build_key(inputs: Snapshot, settings: Mapping[str, object]) -> str:
    """The digest of everything a build's output is made from: its input files (`inputs`)
    and its `settings` (see build_settings)."""
    encoded = json.dumps({"inputs": inputs.digest, **settings}, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def build_settings(project: Project, *, pdf: bool, docx: bool = False) -> dict[str, object]:
    """What a build's output depends on besides its input files: the templates, our code, the
    libraries and fonts (pdf_environment), every installed distribution's version, the released
    editions (the index lists them), the environment variables that reach the output, and
    the options that change it.

    Taken before the snapshot: a template saved between the two then makes the next build
    differ from this one, never wrongly equal to it."""
    editions = [
        (n, hashlib.sha256(_read_or_empty(project.editions / str(n) / SUMS_FILE)).hexdigest())
        for n in numbers(project)
    ]
    return {
        "environment": pdf_environment(project).fingerprint,
        "tools": tool_versions(),
        "editions": editions,
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
        "pdf": pdf,
        "docx": docx,
    }


def _read_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def build(
    project: Project,
    *,
    pdf: bool = True,
    jobs: int | None = None,
    cache: bool = True,
    docx: bool = False,
) -> tuple[BuildResult, Checked]:
    """Check, plan, render and publish the project into build/; raises a BriefingError
    (facts, templates, disk) and leaves build/ as it was when anything fails. PDFs are laid
    out in `jobs` processes, and taken from the cache when unchanged (see publish).

    With `cache`, a build whose inputs and settings are those of the build that made build/,
    and build/ untouched since, does nothing (BuildResult.unchanged). With `docx`, the briefs
    as Word files too (build/docx/, see briefing.site.docx)."""
    started = time.time_ns()
    settings = build_settings(project, pdf=pdf, docx=docx)
    inputs = take(project)
    key = build_key(inputs, settings)
    if cache:
        last = Stamp.read(project)
        if last is not None and last.key == key and last.intact(project):
            return BuildResult([], [], [], unchanged=True), Checked(None, [], {}, None)
    checked, facts, plan = checked_facts(project, pdf=pdf, inputs=inputs)
    history = past(project, facts)
    # The data files have a cache of their own: the PDF cache holds PDFs only.
    store = project_store(project.root, DATA_FOLDER, DATA_CACHE_MB << 20) if cache else None
    site = render_site(
        facts,
        project,
        plan,
        checked.texts,
        history,
        cache=store,
        inputs=inputs,
        proofs=checked.proofs,
    )
    if docx:
        site = _with_word(site, project, checked, inputs)
    result = publish(project, site, jobs=jobs, cache=cache, started=started, key=key)
    refresh_schema(project, checked)
    long_note = _note_length(project, plan)
    checked = dataclasses.replace(checked, problems=[*checked.problems, *long_note])
    return result, _with_warnings(checked, history, project if cache else None)


# The principal's note is at most this many pages (see render.fit.note_fits, which chooses its
# layout from an estimate; this measures what was laid out).
NOTE_PAGES = 2


def _note_length(project: Project, plan: Plan) -> list[Diagnostic]:
    """A warning when the principal's note as laid out runs past its two pages: the estimate
    that chose its layout was wrong, or page 1's text is too long for any layout."""
    if not plan.pdf or NOTE not in plan.slugs:
        return []
    path = project.build / plan.pdf_path(NOTE)
    if not path.is_file():
        return []
    from briefing.pdf.bind import page_count  # pikepdf, only for a build that made PDFs

    # Our own output, written by this build a moment ago: not a desk's input, so not gated.
    content = path.read_bytes()
    pages = page_count(content)
    if pages <= NOTE_PAGES:
        return _page_one(content)
    return [
        Diagnostic(
            Location("facts/overview.yaml"),
            f"the principal's note runs to {pages} pages; it is at most {NOTE_PAGES}",
            "shorten what page 1 prints (bottom_line, bluf, limits, implications, watch): "
            "what does not fit pushes the stance matrix and the commitments on",
            severity="warning",
            code="L004",
        )
    ]


# The headings of what the note says it means for us and what to watch (note.html): page 1's
# last sections, which the 30-second reader must find there.
PAGE_ONE = (f"{NOTE}-action-1", f"{NOTE}-action-2")


def _page_one(content: bytes) -> list[Diagnostic]:
    """A warning when the note as laid out has pushed what it means for us, or what to watch,
    off its first page: within two pages, but not where a principal reads in thirty seconds."""
    from briefing.pdf.bind import anchor_pages

    later = [a for a, page in anchor_pages(content, PAGE_ONE).items() if page > 0]
    if not later:
        return []
    return [
        Diagnostic(
            Location("facts/overview.yaml"),
            "the principal's note prints what it means for us or what to watch on page 2; "
            "page 1 is what a principal reads",
            "shorten what page 1 prints before them (bottom_line, bluf and their basis, "
            "limits) or the points themselves (implications, watch)",
            severity="warning",
            code="L005",
        )
    ]


def _with_word(site: Site, project: Project, checked: Checked, inputs: Snapshot) -> Site:
    """`site` with the briefs as Word files among its data (build/docx/, site.docx): written
    with the data files, in the same atomic swap and the same no-op comparison."""
    with inputs.serving():
        word = documents(site.facts, project, site.plan, checked.proofs)
    return dataclasses.replace(site, data={**site.data, **word})


def _with_warnings(checked: Checked, history: Past, cached: Project | None = None) -> Checked:
    """The check's diagnostics and the warnings about earlier editions, reported together;
    and, for a build of `cached` that meant to use the cache, why it did not (once, however
    many caches the build would have used)."""
    problems = [*checked.problems, *history.problems]
    refused = cache_refusal(cached.root) if cached is not None else None
    if refused is not None:
        hint = f"make {CACHE}/ a folder of the project (or delete the link) to build faster"
        problems.append(
            Diagnostic(
                Location(f"{CACHE}/"),
                f"{refused}: built without the cache",
                hint,
                severity="warning",
                code="P006",
            )
        )
    return dataclasses.replace(checked, problems=problems)


def release(
    project: Project,
    sign: Callable[[Path], None] | None = None,
    *,
    jobs: int | None = None,
    cache: bool = True,
    docx: bool = False,
) -> tuple[Frozen, BuildResult, Checked]:
    """Build with PDFs and freeze the build into editions/N/ (N: the edition's number), with the
    fact base it read, edition.json and SHA256SUMS; then the build replaces build/.

    Raises EditionError, without building, when editions/N/ exists: a released edition is
    never overwritten. Any failure leaves editions/ and build/ as they were. `sign` is given
    the staged build to sign its PDFs in place (briefing.sign.signer_for) before it is frozen.
    With `docx`, the Word files are built and frozen too.
    """
    started = time.time_ns()
    inputs = take(project)
    checked, facts, plan = checked_facts(project, pdf=True, inputs=inputs)
    assert checked.base is not None  # checked_facts raises otherwise
    refused = already_released(project, checked.base)
    if refused is not None:
        raise refused
    history = past(project, facts)
    site = render_site(
        facts,
        project,
        plan,
        checked.texts,
        history,
        releasing=True,
        inputs=inputs,
        proofs=checked.proofs,
    )
    assert site.edition_index is not None
    index = site.edition_index
    if docx:
        site = _with_word(site, project, checked, inputs)
    word = tuple(sorted(name for name in site.data if name.startswith(f"{WORD_FOLDER}/")))
    frozen: list[Frozen] = []

    def freeze_staged(built: Path) -> None:
        if sign is not None:
            sign(built)
        frozen.append(freeze(project, facts, plan, index, built, inputs, word))

    result = publish(
        project, site, before_swap=freeze_staged, jobs=jobs, cache=cache, started=started
    )
    refresh_schema(project, checked)
    return frozen[0], result, _with_warnings(checked, history, project if cache else None)
