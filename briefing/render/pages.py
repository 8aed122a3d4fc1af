"""Render: briefs as HTML strings, each a pure function of the fact base and the templates."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any, NamedTuple

import jinja2
import jinja2.sandbox
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from briefing.core.diagnostics import Diagnostic, Location, TemplateError
from briefing.core.gate import folder_leaves, read_project_file
from briefing.core.project import Project
from briefing.evidence.attached import source_labels
from briefing.evidence.claims import SOURCE_REF
from briefing.evidence.proofs import Proofs, one_passage, printed
from briefing.evidence.quotes import NormalText, Place, places
from briefing.factbase import history
from briefing.factbase.clock import compiled_day
from briefing.factbase.model import (
    FACT_GROUPS,
    Actor,
    Citation,
    Commitment,
    Disputed,
    Fact,
    FactBase,
    FieldSpec,
    FuzzyDate,
    MoneyRules,
    Source,
    Sourced,
    Vocabulary,
    show_date,
)
from briefing.factbase.plan import NOTE, OVERVIEW, Plan, actor_order, chapter_order, on_record_order
from briefing.factbase.values import (
    format_one,
    format_rate,
    format_total,
    given_parts,
    short_figure,
    totals,
)
from briefing.render.charts import chart_of, svg
from briefing.render.fit import columns_fit, note_fits
from briefing.render.timeline import chronology

if TYPE_CHECKING:
    from briefing.editions.diff import Changes
    from briefing.editions.released import Released


@dataclass
class Note:
    """A numbered footnote: one passage of one source, which one or more citations quote.

    Citations of one source, relayed by the same outlet (`via`), whose cuts stand in the same
    paragraph (or paragraphs) share one note, which prints the passage they cover between
    them once: their words, an ellipsis where words between them are left out.
    """

    number: int
    citation: Citation  # the first citation of the passage
    source: Source
    refs: list[int] = field(default_factory=list)  # serials of the markers citing this note
    span: tuple[int, int] | None = None  # where the passage lies in the normalised source
    passage: str = ""  # the words printed: the union of the citations' cuts
    # The runs of source text the passage is made of: one, or the parts of a quote in parts
    # (printed with an ellipsis between them).
    spans: list[tuple[int, int]] = field(default_factory=list)
    place: Place | None = None  # the ¶ it stands in, as a reader counts the source's body
    citations: list[Citation] = field(default_factory=list)

    @property
    def paragraph(self) -> int | None:
        """The first ¶ of the passage (None for the headline, or a passage not placed)."""
        return self.place.paragraphs[0] if self.place and self.place.paragraphs else None

    @property
    def via(self) -> str | None:
        """Who the source attributes the passage to, as the curator recorded it."""
        return next((c.via for c in self.citations if c.via), None)

    @property
    def remarks(self) -> list[str]:
        """The curator's notes on the citations of this passage."""
        return list(dict.fromkeys(c.note for c in self.citations if c.note))


def _key(citation: Citation) -> tuple[str, str, str | None]:
    """What a note is looked up by: the citation's source, its words and who relays them."""
    return citation.source, " ".join(citation.quote.split()), citation.via


@dataclass
class Notes:
    """Numbers passages in reading order; a passage cited again keeps its number, and cuts of
    a source in one paragraph, relayed by the same outlet, become one note (see Note).

    Every id a brief's notes and markers carry starts with the brief's `slug`, so that briefs
    stay unique when the book puts them side by side. `proofs` are where the check found each
    quote (without them, quotes are found in `texts`); a quote neither places (a fragment
    rendered on its own) is printed as written and not merged.
    """

    facts: FactBase
    slug: str = "brief"
    texts: Mapping[str, NormalText] = field(default_factory=dict)
    proofs: Proofs | None = None
    notes: list[Note] = field(default_factory=list)
    _index: dict[tuple[str, str, str | None], Note] = field(default_factory=dict)
    _serial: int = 0  # markers so far: makes every marker's id unique in the page

    def __post_init__(self) -> None:
        if self.proofs is None:
            self.proofs = Proofs(self.texts, find_missing=True)

    def add(self, citation: Citation) -> Note:
        key = _key(citation)
        if key in self._index:
            note = self._index[key]
            note.citations.append(citation)
            return note
        assert self.proofs is not None  # see __post_init__
        found = self.proofs.of(citation)
        text = self.proofs.texts.get(citation.source)
        if text is not None and found is not None:
            for note in self.notes:
                if (
                    note.source.id == citation.source
                    and note.citation.via == citation.via
                    and note.spans
                    and one_passage(text, note.spans, found.spans)
                ):
                    merged = printed(text, [*note.spans, *found.spans])
                    note.spans = list(merged.runs)
                    note.span = merged.span
                    note.passage = merged.text
                    note.place = merged.place
                    note.citations.append(citation)
                    self._index[key] = note
                    return note
        note = Note(
            len(self.notes) + 1,
            citation,
            self.facts.source(citation.source),
            span=(found.start, found.end) if found is not None else None,
            passage=found.passage if found is not None else citation.quote,
            spans=list(found.spans) if found is not None else [],
            place=text.place(found.spans) if found is not None and text is not None else None,
            citations=[citation],
        )
        self._index[key] = note
        self.notes.append(note)
        return note

    def cite(self, citations: Iterable[Citation], besides: Iterable[Citation] = ()) -> Markup:
        """Footnote markers for citations, as HTML, registering each as a note: one marker per
        passage, in the order of the notes, never broken across lines. A passage of the notes
        of `besides` (cited just before, e.g. by a value in the same line) gets no second
        marker: "(S2) 5 5" reads as a misprint.

        On screen each marker is a button whose popover shows the passage, the source and its
        grade in place, without script; in print (and the PDF) it is a plain link to the note.
        """
        shown = {note.number for c in besides if (note := self._index.get(_key(c))) is not None}
        passages: dict[int, tuple[Note, Citation]] = {}
        for citation in citations:
            note = self.add(citation)
            if note.number not in shown:
                passages.setdefault(note.number, (note, citation))
        numbers = sorted(passages)
        marks: list[Markup] = []
        for number in numbers:
            note, citation = passages[number]
            self._serial += 1
            note.refs.append(self._serial)
            marks.append(self._marker(note, citation, self._serial))
        if not marks:
            return Markup("")
        return Markup('<sup class="cite">') + _joined(numbers, marks) + Markup("</sup>")

    def fill(self, html: str) -> str:
        """The brief's HTML with every popover showing its note's whole passage."""

        def passage(match: re.Match[str]) -> str:
            return str(escape(quote_text(self.notes[int(match.group(1)) - 1].passage)))

        return _PASSAGE_RE.sub(passage, html)

    def sources(self) -> list[Source]:
        """The sources cited so far, in the order of the fact base."""
        cited = {note.source.id for note in self.notes}
        return [s for s in self.facts.sources if s.id in cited]

    def _marker(self, note: Note, citation: Citation, serial: int) -> Markup:
        """One footnote marker: a print link to the note and an in-place popover for screens."""
        lang = citation.lang
        grade = note.source.reliability
        # Each value escaped, then one str.format: what Markup.format does, several times
        # faster (a large desk has thousands of markers).
        values = dict(
            slug=self.slug,
            serial=serial,
            n=note.number,
            grade=grade,
            meaning=self.facts.vocabulary.label("reliability", grade),
            date=format_date(note.source.date),
            lang=Markup(' lang="{}"').format(lang) if lang else "",
            # The passage may still grow (a later cut of it merges in): a placeholder, filled in
            # when the brief is complete (Notes.fill).
            quote=Markup(f"<!--passage {note.number}-->"),
            outlet=note.via or note.source.outlet,
            title=note.source.title,
        )
        return Markup(_MARKER.format(**{key: escape(value) for key, value in values.items()}))


def _joined(numbers: Sequence[int], marks: Sequence[Markup]) -> Markup:
    """The markers, comma-separated; a run of three or more numbers in a row prints on paper as
    its ends ("1–5", as printed notes are cited), while the screen keeps every marker, each
    with its popover. The inner markers stay in the PDF's HTML, hidden, so that each note
    still counts its citations."""
    out: list[Markup] = []
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        if start:
            out.append(Markup(","))
        if end - start >= 2:
            inner = Markup(",") + Markup(",").join(marks[start + 1 : end]) + Markup(",")
            out += [
                marks[start],
                Markup('<span class="cite-run">') + inner + Markup("</span>"),
                Markup('<span class="cite-dash">–</span>'),
                marks[end],
            ]
        else:
            out.append(Markup(",").join(marks[start : end + 1]))
        start = end + 1
    return Markup("").join(out)


# Marks where a popover's passage goes until the brief is complete: an HTML comment, which
# no fact can produce (every text from the facts is escaped, so '<' never reaches the page).
_PASSAGE_RE = re.compile(r"<!--passage (\d+)-->")

_MARKER = (
    '<span class="ref" id="{slug}-ref-{serial}">'
    '<a class="fn-print" href="#{slug}-note-{n}" role="doc-noteref">{n}</a>'
    '<button type="button" class="fn" popovertarget="{slug}-pop-{serial}" aria-label="Note {n}">'
    "{n}</button>"
    '<span class="pop" id="{slug}-pop-{serial}" popover>'
    '<span class="pop-head">Note {n} · source reliability <strong>{grade}</strong>, {meaning}'
    "</span>"
    '<q class="pop-quote"{lang}>{quote}</q>'
    '<span class="pop-source">{outlet}, <cite>{title}</cite>, {date}</span>'
    '<span class="pop-actions"><a href="#{slug}-note-{n}">Go to note {n}</a>'
    '<button type="button" popovertarget="{slug}-pop-{serial}" popovertargetaction="hide">'
    "Close</button>"
    "</span></span></span>"
)


_SAFE_LINK = re.compile(r"^(?:https?://[^/\\\s]|mailto:[^\s])", re.IGNORECASE)


class _FactMarkdown(MarkdownIt):
    """Inline Markdown for text written by curators and read outside the team.

    Raw HTML is shown as text, images are not parsed (no requests), and links may only lead to
    web pages or mail addresses: no javascript:, data:, file:, relative or protocol-less URLs.
    A refused link stays visible as the text the curator wrote.
    """

    def __init__(self) -> None:
        # Typographic quotation marks, nested alternately (“ ‘ ’ ”); none of the other
        # typographer replacements, which would change what the curator wrote.
        super().__init__(
            "commonmark",
            {"html": False, "linkify": False, "typographer": True, "quotes": "“”‘’"},
        )
        self.enable(["smartquotes"])
        self.disable(["image", "replacements"])

    def validateLink(self, url: str) -> bool:
        return bool(_SAFE_LINK.match(url))


# A reference to a source in the desk's prose, '[S:source-id]', is printed as the label the
# notes and Appendix A give the source (S2), linked to its entry, never as its file's number.


# The link `_with_source_refs` prints for a source the prose names.
_SOURCE_LINK = '<a class="sref" href="#source-{}">'
_NAMED_SOURCE = re.compile(re.escape(_SOURCE_LINK).replace(r"\{\}", '([^"]+)'))


def _with_source_refs(
    markdown: Callable[[str], Markup], labels: Mapping[str, str]
) -> Callable[[str], Markup]:
    """The Markdown filter with '[S:source-id]' printed as the source's label and a link."""

    def inline(text: str) -> Markup:
        def label(match: re.Match[str]) -> str:
            source = match.group(1)
            if source not in labels:
                return match.group(0)  # an unknown id stays as written: the check names it
            return _SOURCE_LINK.format(source) + f"{labels[source]}</a>"

        return Markup(SOURCE_REF.sub(label, str(markdown(text))))

    return inline


def _markdown() -> Callable[[str], Markup]:
    md = _FactMarkdown()

    def inline(text: str) -> Markup:
        return Markup(md.renderInline(text))

    return inline


_OPENING = "\"'“‘«"
_CLOSING = "\"'”’»"


# A range of figures ("55–80 %", "5-20%"): broken at its dash, "55–" ends one line and "80 %"
# starts the next, and the reader loses the range.
_RANGE = re.compile(r"\d[\d.,]*\s?[–-]\s?\d[\d.,]*(?:\s?%)?")


def keep_ranges(text: str) -> Markup:
    """`text`, escaped, with each range of figures kept on one line."""
    out, last = [], 0
    for match in _RANGE.finditer(text):
        out += [escape(text[last : match.start()]), Markup('<span class="nobr">')]
        out += [escape(match.group()), Markup("</span>")]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def quote_text(quote: str) -> str:
    """A quote as printed inside <q>: whitespace folded, and without a pair of quotation marks
    that encloses all of it (the <q> element draws its own; two pairs would read as a nested
    quotation). The words are untouched.
    """
    text = " ".join(quote.split())
    body = text.rstrip(".,;:")
    trail = text[len(body) :]
    if len(body) >= 2 and body[0] in _OPENING and body[-1] in _CLOSING:
        inner = body[1:-1]
        if not any(mark in inner for mark in '"“”'):
            return inner + trail
    return text


def format_date(value: FuzzyDate | None) -> Markup:
    """A date as a reader sees it: no more precise than known, inferred dates marked."""
    if value is None:
        return Markup('<span class="nodate">undated</span>')
    text = escape(value.display())
    if value.basis == "inferred":
        title = escape(value.note or "inferred")
        return Markup('<span class="inferred" title="{t}">{d} (inferred)</span>').format(
            t=title, d=text
        )
    return text


PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Where the defaults are read from: the installed package's, except while `briefing verify`
# derives a PDF's pages again from the defaults the PDF carries (packaged_templates_at).
_PACKAGED: ContextVar[Path] = ContextVar("packaged_templates", default=PACKAGE_TEMPLATES)


def packaged_templates() -> Path:
    """The folder the default templates are read from."""
    return _PACKAGED.get()


@contextlib.contextmanager
def packaged_templates_at(folder: Path) -> Iterator[None]:
    """Read the default templates from `folder` while the block runs, in this thread."""
    token = _PACKAGED.set(folder)
    try:
        yield
    finally:
        _PACKAGED.reset(token)


def template_dirs(project: Project) -> list[Path]:
    """Where templates are looked up: the project's own templates/ first, then the defaults.

    A project's templates/ holds only what it changes, as MkDocs' `custom_dir` does.
    """
    return [project.templates, packaged_templates()]


def _lookup(project: Project, name: str) -> tuple[Path, Path]:
    """The file a template name resolves to and the folder it belongs to."""
    if name.startswith(("/", "\\")) or ".." in Path(name).parts:
        raise jinja2.TemplateNotFound(name)
    outside = folder_leaves(project.templates, project.root)
    if outside is not None:
        # Each file would pass the gate, being inside templates/: the folder is judged first.
        hint = "keep the desk's templates inside the project; copy them in instead of linking"
        raise TemplateError([Diagnostic(Location("templates/"), outside, hint, code="T001")])
    for directory in template_dirs(project):
        candidate = directory / name
        if candidate.is_file() or candidate.is_symlink():
            return candidate, directory
    raise jinja2.TemplateNotFound(name)


def template_file(project: Project, name: str) -> Path:
    """The file that a template name resolves to (the project's, else the packaged default)."""
    return _lookup(project, name)[0]


def shown_template(project: Project, name: str) -> str:
    """A template as messages name it: the project's own by its path, a packaged one as
    templates/NAME."""
    path, directory = _lookup(project, name)
    return project.name(path) if directory == project.templates else f"templates/{name}"


def read_template(project: Project, name: str) -> str:
    """A template's text, read through the project's one gate: a template that leads out of
    its folder (a symlink to anywhere) is a located error, never read."""
    path, directory = _lookup(project, name)
    shown = shown_template(project, name)
    text, problems = read_project_file(path, directory, shown)
    if text is None:
        raise TemplateError(problems)
    return text


class _GatedLoader(jinja2.BaseLoader):
    """Templates from the project's templates/, else the packaged ones, through the gate."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path, _ = _lookup(self.project, template)
        text = read_template(self.project, template)
        mtime = path.stat().st_mtime

        def uptodate() -> bool:
            try:
                return path.stat().st_mtime == mtime
            except OSError:
                return False

        return text, str(path), uptodate


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in this process's memory, by a digest of each template's name
    and text (Jinja's bucket key and checksum): the live preview and the tests compile each
    template once. Never on disk: Jinja's file cache unpickles and unmarshals what it finds,
    so whoever could write .cache/ could run code in every later build. A one-off build pays
    the compile: about 0.1 s of CPU in `build --no-pdf` of the shipped facts (0.52 -> 0.63 s).

    Code objects are shared between environments, which is sound only because `environment`
    makes every one of them with the same options; the bound keeps a long preview session
    that edits templates from growing without end."""

    LIMIT = 256

    def __init__(self) -> None:
        self._code: dict[tuple[str, str], CodeType] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is None:
            return
        if len(self._code) >= self.LIMIT:
            del self._code[next(iter(self._code))]  # the oldest compiled: least likely wanted
        self._code[(bucket.key, bucket.checksum)] = bucket.code


_COMPILED = _CompiledTemplates()


def environment(project: Project) -> jinja2.Environment:
    """A Jinja environment over the project's templates and the defaults: autoescaping,
    strict about undefined names."""
    # Sandboxed: `briefing verify` renders the templates a PDF from anyone carries, and a
    # template must not reach Python's internals (object.__subclasses__ and the like) there.
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=_GatedLoader(project),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
        bytecode_cache=_COMPILED,
    )
    env.filters["md"] = _markdown()
    env.filters["date"] = format_date
    env.filters["quote"] = quote_text
    env.filters["day"] = format_day
    env.filters["ranges"] = keep_ranges
    return env


def format_day(value: str) -> str:
    """An ISO day as a reader sees it (22 November 2026), or a month or year no more precise
    than written (a cut-off of 'July 2023')."""
    return show_date(value)


def stylesheet(project: Project, name: str) -> Markup:
    """A stylesheet's text, to inline into a page (pages load nothing)."""
    return Markup(read_template(project, name))


@dataclass(frozen=True)
class Brief:
    """One brief, rendered once: its body serves its HTML page, its PDF and its book chapter."""

    slug: str
    title: str
    kind: str  # "note", "overview" or "actor"
    body: Markup  # the brief and its notes, every id starting with `slug-`
    notes: Notes

    @property
    def sources(self) -> tuple[str, ...]:
        """Ids of the sources it cites, for its PDF to carry."""
        return tuple(s.id for s in self.notes.sources())


class Shown:
    """How the templates print a declared field's value: words by their labels, numbers with
    their unit, dates as dates, and 'not stated' for what a fact leaves out.

    A value with citations of its own prints each figure with its source's label and then
    `cite`'s markers for its citations: a brief's notes, like any other citation, so its
    sources table and its PDF carry the sources a value names."""

    def __init__(
        self,
        vocab: Vocabulary,
        refs: dict[str, str],
        cite: Callable[[Iterable[Citation]], Markup] | None = None,
        owners: Mapping[str, str] | None = None,
    ) -> None:
        self.vocab = vocab
        self.refs = refs
        self.cite = cite
        # Fact id to its actor's name: a collective figure says whose figures it includes.
        self.owners = owners or {}

    def __call__(self, fact: Fact, spec: FieldSpec) -> Markup:
        value = fact.value(spec.key)
        if value is None or value == []:
            return Markup('<span class="nodate">not stated</span>')
        given = fact.given(spec.key)
        if isinstance(given, Sourced | Disputed) and spec.type not in ("choice", "choices"):
            # A value with sources of its own names them, and a disputed one shows each figure.
            shown = Markup("")
            for text, citations in given_parts(given, spec, lambda s: self.refs.get(s, s)):
                shown += escape(text)
                if citations and self.cite is not None:
                    shown += self.cite(citations)
            members = [self.owners.get(m, m) for m in given.includes]
            if members:
                whose = " and ".join(f"{member}'s" for member in members)
                shown += escape(f", including {whose}")
            return shown
        if spec.type == "choice":
            return escape(self.vocab.label(spec.list or "", value))
        if spec.type == "choices":
            return escape(", ".join(self.vocab.label(spec.list or "", v) for v in value))
        if spec.type == "date":
            return format_date(value)
        return escape(format_one(value, spec))


@dataclass(frozen=True)
class Scope:
    """What the record rests on, for the line under the key judgments: how many sources, of
    which grades (best first), how many name who published them, and how many of them the
    desk sets aside (on record, weighed in no judgment)."""

    sources: int
    grades: list[tuple[str, int]]
    publisher_named: int
    set_aside: int = 0


def scope(facts: FactBase) -> Scope:
    """The scope of the fact base, computed, never written by hand."""
    order = [t.id for t in facts.vocabulary.lists["reliability"].terms]
    counts = {g: sum(1 for s in facts.sources if s.reliability == g) for g in order}
    return Scope(
        len(facts.sources),
        [(g, n) for g, n in counts.items() if n],
        sum(1 for s in facts.sources if s.publisher_named),
        sum(1 for s in facts.sources if s.set_aside),
    )


def owners(facts: FactBase) -> dict[str, str]:
    """Each fact's id, with the name of the actor that holds it."""
    return {
        fact.id: actor.name
        for actor in facts.actors
        for group in FACT_GROUPS
        for fact in getattr(actor, group)
    }


def total_line(
    items: Sequence[tuple[Actor, Fact]],
    spec: FieldSpec,
    money: MoneyRules | None = None,
    refs: Mapping[str, str] | None = None,
) -> str:
    """The line under a table that sums a field (`total: true`): each total with whose facts
    it adds, the rates it converted with (and their sources' labels), the figures counted
    within a collective one, and what it leaves out and why; '' when nothing adds up."""
    owner = {fact.id: actor.name for actor, fact in items}
    summed = totals([fact for _, fact in items], spec, money)
    if not summed.found:
        return ""
    each = [
        f"{format_total(t, spec)} ({', '.join(owner[f] for f in t.facts)})" for t in summed.found
    ]
    line = f"{spec.label}, total: {' and '.join(each)}"
    if len(summed.found) > 1:
        line += "; each currency or unit added apart, none converted"
    rates = list(dict.fromkeys(r for t in summed.found for r in t.rates))
    if rates:
        label = (refs or {}).get
        shown = ", ".join(f"{format_rate(r)} ({label(r.source, r.source)})" for r in rates)
        line += f"; converted at the desk's declared {'rates' if len(rates) > 1 else 'rate'} "
        line += shown
    for member, holder in summed.included:
        line += f"; {owner[member]}'s figure is counted within {owner[holder]}'s"
    for out in summed.left_out:
        line += f"; excluding {owner[out.fact]}'s {out.given}: {out.reason}"
    return line + "."


class CardGroup(NamedTuple):
    """Commitments printed under one heading; `said` names the grouping field when the heading
    stands for one word of it, so that the cards need not print that word again."""

    heading: str
    members: list[tuple[Actor, Commitment]]
    said: str | None = None
    # Every word under the heading is `listed`: one line per commitment, not a card.
    listed: bool = False
    # The words the heading stands for, as the desk prints them: what the note's one line for
    # a listed group calls it, leaving the heading's reasons to the overview.
    words: str = ""


def card_groups(rows: Sequence[tuple[Actor, Commitment]], vocab: Vocabulary) -> list[CardGroup]:
    """Commitments in the groups the desk prints them in: by the words of its commitment field
    with `group: true`, each group under its words' heading, in the list's order; one group
    with no heading when no field groups. Those that leave the field out come last."""
    spec = vocab.grouping()
    if spec is None or spec.list is None:
        return [CardGroup("", list(rows))]
    terms = vocab.lists[spec.list].terms
    heading = {t.id: t.group or t.text for t in terms}
    listed = {h for h in heading.values() if all(t.listed for t in terms if heading[t.id] == h)}
    groups: dict[str, list[tuple[Actor, Commitment]]] = {h: [] for h in heading.values()}
    missing = f"{spec.label} not given"
    for actor, commitment in rows:
        value = commitment.value(spec.key)
        groups.setdefault(heading.get(str(value), missing), []).append((actor, commitment))
    # A heading that stands for one word says it for every card under it.
    alone = {h for h in heading.values() if list(heading.values()).count(h) == 1}
    named = {h: " or ".join(t.text for t in terms if heading[t.id] == h) for h in groups}
    return [
        CardGroup(h, members, spec.key if h in alone else None, h in listed, named.get(h, h))
        for h, members in groups.items()
        if members
    ]


def matrix_fits(facts: FactBase) -> bool:
    """Whether the stance matrix fits the page with one column per question: judged from the
    questions' labels and every word the answer may take (render.fit)."""
    vocab = facts.vocabulary
    spec = vocab.answer()
    words = [t.text for t in vocab.lists[spec.list].terms] if spec and spec.list else []
    return columns_fit([[q.label, *words] for q in facts.edition.questions])


def note_holds_all(facts: FactBase, columns: bool) -> bool:
    """Whether the principal's note holds the stance matrix (a column per question when
    `columns`, else folded) and every commitment in full within its two pages (render.fit);
    if not, both are printed in full in the overview, and the note counts them and leads
    there. Its rows and cards are those the note prints: the briefed actors'."""
    vocab, overview = facts.vocabulary, facts.overview
    key = answer.key if (answer := vocab.answer()) is not None else ""
    questions = facts.edition.questions
    briefed = actor_order(facts)
    spoken = [
        a for a in briefed if any(history.answer(a, q.id, key) is not None for q in questions)
    ]
    # A row of columns takes a line, or two where references wrap; a folded row a line and
    # a bit for each question's label and answer.
    rows = [1.5 if columns else len(questions) * 1.5 for _ in spoken]
    cards = [
        (
            f"{actor.name} {c.title}",
            " · ".join(
                f"{spec.label}: {c.value(spec.key)}"
                for spec in vocab.fields.commitment
                if c.value(spec.key) not in (None, [], "not stated")
            ),
            c.summary,
        )
        for actor in briefed
        for c in actor.commitments
    ]
    held = [(actor, c) for actor in briefed for c in actor.commitments]
    return note_fits(
        page_one=[overview.bottom_line or "", *(p.text for p in overview.limits)],
        judgments=[(j.text, f"{j.confidence} confidence: {j.basis or ''}") for j in overview.bluf],
        actions=[[p.text for p in overview.implications], [p.text for p in overview.watch]],
        matrix_rows=rows,
        cards=cards,
        key=" ".join(f"{q.label}: {q.text}" for q in questions),
        groups=len(card_groups(held, vocab)),
    )


def brief_context(facts: FactBase, project: Project) -> dict[str, Any]:
    """What every template sees: the edition, the vocabulary, the facts and lookups by id."""
    vocab = facts.vocabulary
    key = answer.key if (answer := vocab.answer()) is not None else ""

    def answer_of(actor: Actor, question: str) -> history.Answer | None:
        return history.answer(actor, question, key)

    def commitments_of(actor: Actor) -> list[tuple[Actor, Commitment]]:
        """The commitments an actor holds, then those of others it is a party to."""
        held = [(actor, c) for c in actor.commitments]
        made_to = [
            (other, c)
            for other in facts.actors
            if other.id != actor.id
            for c in other.commitments
            if actor.id in c.parties
        ]
        return held + made_to

    # Sources by short reference (S1, S2 ...), in the order of facts/sources.yaml: notes
    # cite "S4, ¶3"; the sources table and the book's appendix resolve it.
    refs = source_labels(facts)
    on_record = on_record_order(facts)
    folded = {a.id for a in on_record}

    def actor_href(actor_id: str, fragment: str = "") -> str:
        """Where an actor is read: its brief (at `fragment` there, an anchor of that brief), or
        for one on record only, its entry in the overview's last section."""
        if actor_id in folded:
            return f"{OVERVIEW}.html#{OVERVIEW}-actor-{actor_id}"
        return f"{actor_id}.html" + (f"#{actor_id}-{fragment}" if fragment else "")

    columns = matrix_fits(facts)
    holds_all = note_holds_all(facts, columns)
    # The note counts a `listed` group in a line; its commitments are listed in the overview.
    held = [(actor, c) for actor in actor_order(facts) for c in actor.commitments]
    listed_groups = [g for g in card_groups(held, vocab) if g.listed]
    listed = {c.id for g in listed_groups for _, c in g.members}
    return {
        "source_ref": refs,
        "scope": scope(facts),
        "answer_of": answer_of,
        "commitments_of": commitments_of,
        "history": lambda actor, question: history.history(actor.positions, question),
        # An actor's open questions, then those its sources' disagreements raise.
        "open_questions_of": lambda actor: [
            *actor.open_questions,
            *history.disagreement_questions(actor, facts),
        ],
        "raised_questions": lambda actor: history.disagreement_questions(actor, facts),
        "disagreements": lambda actor: [
            p.id for d in history.disagreements(actor) for p in d.positions
        ],
        "when": history.when,
        "edition": facts.edition,
        "compiled": compiled_day(facts.edition),
        "facts": facts,
        "vocab": vocab,
        "words": vocab.words,
        "fields": vocab.fields,
        "answer": vocab.answer(),
        "show": Shown(vocab, refs, owners=owners(facts)),
        "total_line": lambda items, spec: total_line(items, spec, vocab.money, refs),
        "card_groups": lambda rows: card_groups(rows, vocab),
        "chart": lambda spec: chart_of(actor_order(facts), spec, vocab.money),
        "rate_text": lambda rate: f"{format_rate(rate)} ({refs.get(rate.source, rate.source)})",
        "chart_svg": lambda drawn, anchor: svg(
            drawn, anchor, lambda a: short_figure(a, drawn.unit, drawn.spec.type == "money")
        ),
        "label": vocab.label,
        "people": {p.id: p for p in facts.people},
        "actors": {a.id: a for a in facts.actors},
        "questions": {q.id: q for q in facts.edition.questions},
        "actor_list": actor_order(facts),
        # Actors on record only (plan.on_record_only): no brief, the overview's last section.
        "on_record": on_record,
        "actor_href": actor_href,
        "matrix_fits": columns,
        "note_holds_all": holds_all,
        "listed_groups": listed_groups,
        # Where a commitment is printed in full, for every link to it.
        "commitment_href": lambda fact: (
            f"note.html#note-fact-{fact}"
            if holds_all and fact not in listed
            else f"overview.html#overview-fact-{fact}"
        ),
        "css": stylesheet(project, "brief.css"),
    }


class Renderer:
    """Renders a fact base with one Jinja environment and one template context."""

    def __init__(
        self,
        facts: FactBase,
        project: Project,
        texts: Mapping[str, NormalText] | None = None,
        proofs: Proofs | None = None,
    ) -> None:
        self.facts = facts
        self.project = project
        # Where the check found each quote; a caller with the texts alone has them found here.
        self.proofs = proofs if proofs is not None else Proofs(texts, find_missing=True)
        self.env = environment(project)
        self.context = brief_context(facts, project)
        self.env.filters["md"] = _with_source_refs(
            self.env.filters["md"], self.context["source_ref"]
        )

    def brief(self, template: str, slug: str, title: str, kind: str, **extra: Any) -> Brief:
        """One brief's body from its template, with ids prefixed by its slug by construction."""
        notes = Notes(self.facts, slug, proofs=self.proofs)
        labels = self.context["source_ref"]

        def anchor(name: str) -> str:
            return f"{slug}-{name}"

        def ref(citations: Iterable[Citation]) -> Markup:
            """Short references (S2 ¶4, 7) that lead to the source's entry: the note has no
            room for notes; each citation is still a note of the brief, so its PDF carries
            the text."""
            found: dict[str, list[Place]] = {}
            for citation in citations:
                note = notes.add(citation)
                at = found.setdefault(citation.source, [])
                if note.place:
                    at.append(note.place)
            shown = [
                f'<a class="sref" href="#source-{escape(source)}">{escape(labels[source])}'
                + (f" {escape(places(at))}" if at else "")
                + "</a>"
                for source, at in found.items()
            ]
            if not shown:
                return Markup("")
            return Markup('<span class="refs">[') + Markup("; ".join(shown)) + Markup("]</span>")

        def registered(citations: Iterable[Citation]) -> Markup:
            """Notes of the brief without markers, where the value's label (S2) is the
            reference (the principal's note has no room for markers)."""
            for citation in citations:
                notes.add(citation)
            return Markup("")

        vocab = self.facts.vocabulary
        body = self.env.get_template(template).render(
            **{
                **self.context,
                **extra,
                "notes": notes,
                "cite": notes.cite,
                "ref": ref,
                "anchor": anchor,
                "slug": slug,
                # A value's citations are this brief's notes: markers, or in the principal's
                # note (which cites by reference) notes whose label the value already prints.
                "show": Shown(vocab, labels, notes.cite, owners(self.facts)),
                "show_ref": Shown(vocab, labels, registered, owners(self.facts)),
            }
        )
        return Brief(slug, title, kind, Markup(notes.fill(body)), notes)

    def briefs(
        self, changes: Changes | None = None, only: Container[str] | None = None
    ) -> list[Brief]:
        """The overview and one brief per principal actor but those on record only (those whose
        slug is in `only`, when given), each rendered once. The overview opens with `changes`,
        what changed since the last edition, when there was one."""
        actors = actor_order(self.facts)
        chaptered = chapter_order(self.facts)
        briefs = []
        if only is None or NOTE in only:
            briefs.append(self.brief("note.html", NOTE, "Principal's note", "note"))
        if only is None or OVERVIEW in only:
            timeline = chronology(self.facts, actors)
            briefs.append(
                self.brief(
                    "overview.html",
                    OVERVIEW,
                    "Overview",
                    "overview",
                    timeline=timeline,
                    changes=changes,
                )
            )
        for actor in chaptered:
            if only is None or actor.id in only:
                briefs.append(self.brief("actor.html", actor.id, actor.name, "actor", actor=actor))
        return briefs

    def page(self, brief: Brief) -> str:
        """A brief as a stand-alone HTML page: its body inside the page furniture."""
        # The sources its notes cite, and those its prose names ([S:id]) without citing: each
        # reference leads to a row of the page's sources table.
        named = set(_NAMED_SOURCE.findall(str(brief.body)))
        cited = {s.id for s in brief.notes.sources()}
        listed = [s for s in self.facts.sources if s.id in cited or s.id in named]
        return self.env.get_template("page.html").render(
            **self.context, brief=brief, notes=brief.notes, listed_sources=listed
        )

    def index(
        self,
        briefs: list[Brief],
        plan: Plan,
        editions: Sequence[Released] = (),
        editions_base: str = "../editions/",
    ) -> str:
        """The index page linking every brief in HTML and PDF (and the book, with PDFs), by the
        names the plan gives them, and every released edition: `editions_base` leads from the
        page to the folder that holds editions/N/."""
        return self.env.get_template("index.html").render(
            **self.context,
            briefs=briefs,
            plan=plan,
            book=plan.pdf,
            editions=list(editions),
            editions_base=editions_base,
        )

    def render(self, template: str, **extra: Any) -> str:
        """Any other template, with the common context."""
        return self.env.get_template(template).render(**self.context, **extra)


def template_problem(exc: Exception, project: Project) -> Diagnostic:
    """A Jinja error as a diagnostic at the template line where it happened.

    Jinja compiles templates to Python and maps their frames back to template lines, so the
    innermost frame that belongs to a template file names the file and line to fix.
    """
    dirs = [d.resolve() for d in template_dirs(project)]

    def shown(filename: str) -> str:
        path = Path(filename).resolve()
        for directory in dirs:
            if path.is_relative_to(directory):
                prefix = project.name(project.templates) if directory == dirs[0] else "templates"
                return f"{prefix}/{path.relative_to(directory).as_posix()}"
        return filename

    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = Location(shown(exc.filename or exc.name or "?"), exc.lineno or 0, 1)
        return Diagnostic(where, f"template syntax: {exc.message}", "fix the template", code="T002")
    if isinstance(exc, jinja2.TemplateNotFound):
        return Diagnostic(
            Location(project.name(project.templates)),
            f"template not found: {exc.name}",
            "a template names another that exists neither in templates/ nor in the defaults",
            code="T003",
        )
    file, line = "", 0
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".css", ".xml", ".txt")):
            file, line = shown(filename), trace.tb_lineno
        trace = trace.tb_next
    # Jinja names the Python class ('briefing.factbase.vocabulary.Actor object'): the curator
    # knows an actor, not our module path.
    message = re.sub(r"'(?:[\w]+\.)+(\w+) object'", r"'\1'", str(exc)) or type(exc).__name__
    if isinstance(exc, jinja2.UndefinedError):
        hint = "the template uses a name or attribute the facts do not have"
    else:
        hint = "the template failed while rendering"
    return Diagnostic(
        Location(file or project.name(project.templates), line, 1 if line else 0),
        f"template error: {message}",
        hint,
        code="T004",
    )
