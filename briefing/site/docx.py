"""Word: the principal's note, the overview and each actor's brief as .docx for colleagues who
draft and comment (`briefing build --docx` writes them to build/docx/).

Built from the checked fact base and the check's proofs, not converted from HTML: headings
are Word headings, the stance matrix and the commitments Word tables, and every citation a
Word footnote quoting the passage its proof places (the Notes of briefing.render.pages number
and merge them, as the HTML and PDF do). A Word file is a working copy; the PDF is the proved
edition, and the first page says so. The same inputs give the same bytes: zip entries and core
properties carry the build's date (factbase.clock.build_date), never the wall clock.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from typing import Any

import docx
from docx.document import Document
from docx.shared import Cm, Pt
from markupsafe import Markup

from briefing.core.project import Project
from briefing.evidence.proofs import Proofs
from briefing.factbase.clock import build_date
from briefing.factbase.model import Actor, Citation, Commitment, FactBase, Judgment
from briefing.factbase.plan import NOTE, OVERVIEW, Plan
from briefing.render.pages import Note, Notes, Renderer, format_date, format_day
from briefing.render.timeline import Entry, chronology
from briefing.site.wordnotes import Footnotes

FOLDER = "docx"
Cell = tuple[str, list[Citation]]  # a table cell's words, and the citations its footnotes quote


def docx_path(slug: str) -> str:
    """Where a brief's Word file goes under build/."""
    return f"{FOLDER}/{slug}.docx"


def documents(facts: FactBase, project: Project, plan: Plan, proofs: Proofs) -> dict[str, bytes]:
    """Every brief of the plan as a Word file, by its path under build/."""
    renderer = Renderer(facts, project, proofs=proofs)
    when = build_date(facts.edition)
    actors = {a.id: a for a in facts.actors}
    out: dict[str, bytes] = {}
    for slug in plan.slugs:
        writer = _Writer(facts, renderer, slug, when)
        if slug == NOTE:
            writer.note()
        elif slug == OVERVIEW:
            writer.overview()
        else:
            writer.actor(actors[slug])
        out[docx_path(slug)] = writer.finish(plan)
    return out


def _text(markup: Markup | str) -> str:
    """What a reader sees of a piece of rendered HTML: its words, tags and entities gone."""
    return Markup(markup).striptags() if isinstance(markup, Markup) else markup


class _Runs(HTMLParser):
    """The words of rendered HTML as runs, each with whether it is bold and italic: emphasis the
    desk wrote in Markdown keeps its meaning in Word."""

    BOLD, ITALIC = {"strong", "b"}, {"em", "i"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[tuple[str, bool, bool]] = []
        self.bold = self.italic = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.bold += tag in self.BOLD
        self.italic += tag in self.ITALIC

    def handle_endtag(self, tag: str) -> None:
        self.bold -= tag in self.BOLD and self.bold > 0
        self.italic -= tag in self.ITALIC and self.italic > 0

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split("\n"))
        if text:
            self.runs.append((text, self.bold > 0, self.italic > 0))


def runs_of(markup: Markup | str) -> list[tuple[str, bool, bool]]:
    """The runs of a piece of rendered HTML (see _Runs), outer spaces trimmed."""
    parser = _Runs()
    parser.feed(str(markup))
    parser.close()
    runs = parser.runs
    if runs:
        runs[0] = (runs[0][0].lstrip(), *runs[0][1:])
        runs[-1] = (runs[-1][0].rstrip(), *runs[-1][1:])
    return [run for run in runs if run[0]]


class _Writer:
    """One brief as a Word document: headings, paragraphs and tables, each citation a footnote."""

    def __init__(self, facts: FactBase, renderer: Renderer, slug: str, when: dt.datetime) -> None:
        self.facts, self.slug, self.when = facts, slug, when
        self.context: dict[str, Any] = renderer.context
        self.md = renderer.env.filters["md"]
        self.notes = Notes(facts, slug, proofs=renderer.proofs)
        self.footnotes = Footnotes()
        self.cited: list[tuple[int, Note]] = []  # footnote id, the note it quotes
        self.doc: Document = docx.Document()
        style = self.doc.styles["Normal"]
        style.font.size = Pt(11)
        edition = facts.edition
        # The marking on every page, as the PDF prints it in its running head.
        header = self.doc.sections[0].header.paragraphs[0]
        header.text = f"{edition.marking} · {edition.title} · Edition {edition.number}"

    # --- building blocks ------------------------------------------------------------------

    def heading(self, text: str, level: int) -> None:
        self.doc.add_heading(text, level)

    def para(self, text: str, citations: Iterable[Citation] = (), style: str | None = None) -> None:
        paragraph = self.doc.add_paragraph(text, style)
        self.cite(paragraph, citations)

    def para_md(
        self,
        text: str,
        citations: Iterable[Citation] = (),
        style: str | None = None,
        before: str = "",
        after: str = "",
    ) -> None:
        """A paragraph of the desk's Markdown, its bold and italic kept, between plain words."""
        paragraph = self.doc.add_paragraph(style=style)
        if before:
            paragraph.add_run(before)
        for words, bold, italic in runs_of(self.md(text)):
            run = paragraph.add_run(words)
            run.bold, run.italic = bold or None, italic or None
        if after:
            paragraph.add_run(after)
        self.cite(paragraph, citations)

    def cite(self, paragraph: Any, citations: Iterable[Citation]) -> None:
        for index, citation in enumerate(citations):
            if index:
                # Markers side by side would read as one number: 1,2 not 12.
                paragraph.add_run(",").font.superscript = True
            note = self.notes.add(citation)
            self.cited.append((self.footnotes.mark(paragraph), note))

    def table(
        self, head: Sequence[str], rows: Sequence[Sequence[Cell]], widths: Sequence[float] = ()
    ) -> None:
        """A Word table, its header row bold; `widths` in centimetres (LibreOffice otherwise
        gives every column the same width, and a long text column wraps a word a line)."""
        table = self.doc.add_table(rows=1, cols=len(head))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, head, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, (text, citations) in zip(cells, row, strict=True):
                cell.text = text
                self.cite(cell.paragraphs[0], citations)
        if widths:
            # LibreOffice reads the table's grid, Word the cells': both are set.
            table.autofit = False
            grid = table._tbl.tblGrid.gridCol_lst
            for column, width in zip(grid, widths, strict=True):
                column.w = Cm(width)
            for column, width in zip(table.columns, widths, strict=True):
                for cell in column.cells:
                    cell.width = Cm(width)

    def md_text(self, text: str) -> str:
        return _text(self.md(text)).strip()

    # --- the parts of the briefs ------------------------------------------------------------

    def opening(self, title: str, kicker: str) -> None:
        edition = self.facts.edition
        self.doc.add_heading(title, 1)
        self.para(kicker)
        working = self.doc.add_paragraph()
        run = working.add_run(
            "Working copy for drafting and comment. The PDF of this edition is the proved "
            "edition: its quotes and pages are checked against the sources; this file is not."
        )
        run.italic = True
        self.para(
            f"{edition.publisher} · Edition {edition.number} · Information cut-off "
            f"{edition.cut_off_words()} · "
            f"compiled {format_day(self.context['compiled'])}"
        )

    def judgments(self, items: Sequence[Judgment]) -> None:
        label = self.context["label"]
        if not items:
            self.para("No key judgments recorded.")
        for j in items:
            estimate = f"{label('confidence', j.confidence)} confidence"
            if j.likelihood:
                estimate = f"{label('likelihood', j.likelihood)} · {estimate}"
            if j.basis:
                estimate += f": {self.md_text(j.basis)}"
            self.para_md(j.text, j.citations, "List Number")
            self.para(estimate)

    def matrix(self) -> None:
        edition, show, answer = self.facts.edition, self.context["show"], self.context["answer"]
        self.heading(self.context["words"].matrix, 2)
        rows = []
        for actor in self.context["actor_list"]:
            row: list[Cell] = [(actor.name, [])]
            for q in edition.questions:
                current = self.context["answer_of"](actor, q.id)
                if current is None or answer is None:
                    row.append(("no position recorded", []))
                    continue
                shown = _text(show(current.latest, answer))
                cited = list(current.latest.citations)
                for rival in current.rivals:
                    shown += f"; sources differ: {_text(show(rival, answer))}"
                    cited += rival.citations
                if current.previous is not None:
                    shown += f" (was {_text(show(current.previous, answer))})"
                row.append((shown, cited))
            rows.append(row)
        self.table(["Actor", *(q.label for q in edition.questions)], rows)
        self.para(" ".join(f"{q.label}: {q.text}" for q in edition.questions))

    def commitments(self, items: Sequence[tuple[Actor, Commitment]]) -> None:
        self.heading(self.context["words"].commitments, 2)
        if not items:
            self.para("None recorded in the sources.")
            return
        show = self.context["show"]

        def details(c: Commitment) -> str:
            # The declared fields folded into one cell, as the note's cards fold them: a desk
            # may declare any number, and a table of one column each would not fit the page.
            # A field no source gives is left out, as the book leaves it out.
            shown = [
                f"{spec.label}: {_text(show(c, spec))}"
                for spec in self.context["fields"].commitment
                if c.value(spec.key) not in (None, [], "not stated")
            ]
            return " · ".join([*shown, _text(format_date(c.date))])

        rows = [
            [
                (actor.name, []),
                (c.title, []),
                (details(c), []),
                (self.md_text(c.summary), list(c.citations)),
            ]
            for actor, c in items
        ]
        self.table(["Actor", "Commitment", "Details", "What"], rows, (2.4, 3.6, 4.2, 6.2))

    def points(self, title: str, items: Sequence[Any]) -> None:
        if items:
            self.heading(title, 2)
            for p in items:
                self.para_md(p.text, p.citations, "List Bullet")

    def note(self) -> None:
        edition, overview = self.facts.edition, self.facts.overview
        kicker = f"Principal's note · {edition.event.name}, {edition.event.place}"
        if edition.prepared_for:
            kicker += f" · Prepared for: {edition.prepared_for}"
        self.opening(edition.title, kicker)
        if overview.bottom_line:
            self.para_md(overview.bottom_line, before="Bottom line. ")
        self.heading("Key judgments", 2)
        self.judgments(overview.bluf)
        self.heading("What this rests on", 2)
        scope = self.context["scope"]
        cut_off = edition.cut_off_words(mark=not edition.as_of_note)
        if edition.as_of_note:
            cut_off += f" ({edition.as_of_note})"
        self.para(f"Rests on {scope.sources} sources. Information cut-off {cut_off}.")
        for p in overview.limits:
            self.para_md(p.text, p.citations, "List Bullet")
        self.points("What it means for us: the desk's judgment", overview.implications)
        self.points("What to watch", overview.watch)
        self.matrix()
        rows = [(a, c) for a in self.context["actor_list"] for c in a.commitments]
        self.commitments(rows)

    def overview(self) -> None:
        edition, overview = self.facts.edition, self.facts.overview
        self.opening("Overview", f"{edition.event.name}, {edition.event.place} · overview")
        self.heading("Bottom line up front", 2)
        self.judgments(overview.bluf)
        self.matrix()
        rows = [(a, c) for a in self.context["actor_list"] for c in a.commitments]
        self.commitments(rows)
        self.timeline()
        self.points("Open questions", overview.open_questions)
        self.on_record()

    def on_record(self) -> None:
        """The actors on record only (plan.on_record_only), as the overview ends: what the
        record holds of each; their commitments are in the table above."""
        actors = self.context["on_record"]
        if not actors:
            return
        self.heading(self.context["words"].others, 2)
        for actor in actors:
            self.heading(actor.name, 3)
            # Not its no_position: the matrix above gives every actor's row, silent ones too.
            self.para_md(actor.no_judgment or "")
            # An actor printed here rather than in a chapter (`chapter: false`) keeps its record.
            self.positions(actor, headed=False)
            self.statements(actor)
            for q in self.context["open_questions_of"](actor):
                self.para_md(q.text, q.citations, "List Bullet")

    def timeline(self) -> None:
        """The chronology the overview prints (render.timeline), as a table of three columns,
        its bands (day and month only; order only) as rows of their own."""
        timeline = chronology(self.facts)
        words = self.context["words"]
        left_out = timeline.left_out_line()
        if not timeline and not left_out:
            return
        self.heading("Timeline", 2)

        def who(e: Entry) -> str:
            return e.actor.name if e.actor is not None else words.event

        rows: list[Sequence[Cell]] = [
            ((_text(format_date(e.date)) if e.date else "", []), (who(e), []), (e.label, []))
            for e in timeline.dated
        ]
        if timeline.day_only:
            rows.append((("Day and month known, no year given", []), ("", []), ("", [])))
            rows += [
                ((_text(format_date(e.date)) if e.date else "", []), (who(e), []), (e.label, []))
                for e in timeline.day_only
            ]
        if timeline.ordered:
            rows.append((("Order known, no date", []), ("", []), ("", [])))
            rows += [
                (
                    (f"{'before' if e.order and e.order.before else 'after'} {e.against}", []),
                    (who(e), []),
                    (e.label, []),
                )
                for e in timeline.ordered
            ]
        if rows:
            self.table(("When", "Who", "What"), rows, (3.5, 3.5, 9.0))
        if left_out:
            self.para(left_out)

    def actor(self, actor: Actor) -> None:
        edition = self.facts.edition
        self.opening(actor.name, f"{edition.event.name}, {edition.event.place} · actor brief")
        self.heading("Bottom line up front", 2)
        if actor.no_judgment and not actor.bluf:
            self.para(f"No judgment. {self.md_text(actor.no_judgment)}")
        else:
            self.judgments(actor.bluf)
        self.heading(self.context["words"].positions, 2)
        if not actor.positions:
            self.para(self.md_text(actor.no_position or "No position recorded in the sources."))
        self.positions(actor, headed=True)
        self.commitments(self.context["commitments_of"](actor))
        if actor.statements:
            self.heading(self.context["words"].statements, 2)
            self.statements(actor)
        self.points("Open questions", self.context["open_questions_of"](actor))

    def positions(self, actor: Actor, headed: bool) -> None:
        """An actor's positions, question by question (under a heading each if `headed`, else
        the question leads the paragraph, as in the overview's section of others on record)."""
        answer, show = self.context["answer"], self.context["show"]
        people = self.context["people"]
        for q in self.facts.edition.questions:
            observed = self.context["history"](actor, q.id)
            if observed and headed:
                self.heading(q.label, 3)
            for p in observed:
                said = _text(show(p, answer)) if answer is not None else ""
                lead = f"{said}: " if headed else f"{q.label}: {said}. "
                byline = [people[p.speaker].name] if p.speaker else []
                if p.date is not None:
                    byline.append(_text(format_date(p.date)))
                self.para_md(
                    p.summary,
                    p.citations,
                    before=lead if said or not headed else "",
                    after=f" ({', '.join(byline)})" if byline else "",
                )

    def statements(self, actor: Actor) -> None:
        """An actor's key statements, a paragraph each, its speaker and date leading."""
        people = self.context["people"]
        for s in actor.statements:
            who = people[s.speaker]
            # As the pages do: a date where the sources give one, no "undated" where not.
            when = f" ({_text(format_date(s.date))})" if s.date else ""
            self.para_md(s.summary, s.citations, before=f"{who.name}, {who.role}{when}: ")

    # --- the end: sources, footnotes, bytes -----------------------------------------------

    def finish(self, plan: Plan) -> bytes:
        """The document's bytes, footnotes written and dates fixed."""
        refs, label = self.context["source_ref"], self.context["label"]
        sources = self.notes.sources()
        if sources:
            self.heading("Sources", 2)
            for source in sources:
                grade = label("reliability", source.reliability)
                self.para(
                    f"{refs[source.id]}: {source.title}. {source.outlet}"
                    f"{', ' + _text(format_date(source.date)) if source.date else ''}. "
                    f"Reliability {source.reliability} ({grade})."
                )
        first: dict[int, int] = {}  # note number -> the footnote that quotes it in full
        for number, note in self.cited:
            where = refs[note.source.id] + (f", {note.place}" if note.place else "")
            if note.number in first:
                text = f"{where}; the passage of note {first[note.number]}."
            else:
                first[note.number] = number
                text = f"“{note.passage or note.citation.quote}” {where}, {note.source.title}."
            self.footnotes.fill(number, text)
        self.footnotes.attach(self.doc)
        core = self.doc.core_properties
        naive = self.when.astimezone(dt.UTC).replace(tzinfo=None)
        core.created = core.modified = naive
        core.last_printed = naive
        core.author = core.last_modified_by = self.facts.edition.publisher
        core.revision = self.facts.edition.number
        core.title = self.facts.edition.title
        held = io.BytesIO()
        self.doc.save(held)
        return _fixed_dates(held.getvalue(), self.when)


def _fixed_dates(packed: bytes, when: dt.datetime) -> bytes:
    """The zip again, every entry dated `when`: python-docx dates them by the wall clock."""
    stamp = when.astimezone(dt.UTC)
    # A zip entry's date has two-second steps and starts in 1980.
    date_time = (
        max(stamp.year, 1980),
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(packed)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry))
    return out.getvalue()
