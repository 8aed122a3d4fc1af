"""How notes cite a source: one note per passage a reader sees (source, paragraphs, relay), and
¶ numbers that count only the body of the text, not its headline or the page's furniture.

The mini fixture's source (tests/fixtures/mini/facts/sources/harbour.txt) has one paragraph a
line: its headline (the source's title), then ¶1 Quill, ¶2 the pact, ¶3 Kalyna, ¶4 a street.
"""

from __future__ import annotations

import json
import re

import pytest

from briefing.check.facts import check_project
from briefing.core.project import Project
from briefing.evidence.excerpts import ExcerptsError, make_excerpts, read_excerpts
from briefing.evidence.quotes import counted, normalise
from briefing.factbase.model import Citation
from briefing.pdf.verify import verify
from briefing.render.book import render_book
from briefing.render.pages import Notes, Renderer
from briefing.site.build import build, checked_facts
from tests.editing_fixture import edit

PACT = "The pact covers arms deliveries, joint training and shared intelligence"
CLAUSE = "it does not include a mutual-defence clause."
QUILL = "Ada Quill, said on Tuesday"


def _notes(project: Project) -> Notes:
    checked = check_project(project, pdf=False)
    assert checked.base is not None, checked.problems
    return Notes(checked.base.facts, "t", texts=checked.texts)  # finds quotes no fact cites


# --- One note per passage ---------------------------------------------------------------------


def test_two_quotes_from_one_paragraph_share_one_note(mini: Project) -> None:
    notes = _notes(mini)
    marks = notes.cite(
        [Citation(source="harbour", quote=PACT), Citation(source="harbour", quote=CLAUSE)]
    )
    [note] = notes.notes
    assert str(note.place) == "¶2"
    # Its passage is both cuts, cut from the source, the words between them left out.
    assert note.passage == f"{PACT} … {CLAUSE}"
    assert marks.count('role="doc-noteref"') == 1


def test_quotes_from_two_paragraphs_are_two_notes(mini: Project) -> None:
    notes = _notes(mini)
    notes.cite([Citation(source="harbour", quote=QUILL), Citation(source="harbour", quote=PACT)])
    assert [(n.number, str(n.place)) for n in notes.notes] == [(1, "¶1"), (2, "¶2")]


def test_one_paragraph_relayed_by_two_outlets_is_two_notes(mini: Project) -> None:
    notes = _notes(mini)
    notes.cite(
        [
            Citation(source="harbour", quote=PACT, via="The Northland Post"),
            Citation(source="harbour", quote=CLAUSE, via="Radio Harbour"),
            Citation(source="harbour", quote=CLAUSE, via="The Northland Post"),
        ]
    )
    assert [(n.number, n.via, str(n.place)) for n in notes.notes] == [
        (1, "The Northland Post", "¶2"),
        (2, "Radio Harbour", "¶2"),
    ]
    # The same words relayed by another outlet are the other outlet's note.
    assert notes.notes[0].passage == f"{PACT} … {CLAUSE}"
    assert notes.notes[1].passage == CLAUSE


def test_appendix_a_prints_a_paragraphs_cuts_once_merged(mini: Project) -> None:
    # The overview cites the clause; Southland, now, the start of the same sentence: two cuts
    # of one paragraph that do not overlap, in two chapters.
    edit(
        mini.facts / "actors/south.yaml",
        "quote: >-\n          The pact covers arms deliveries, joint training and shared "
        "intelligence, but it does\n          not include a mutual-defence clause.",
        f"quote: {PACT}",
    )
    checked, facts, _ = checked_facts(mini, pdf=False)
    renderer = Renderer(facts, mini, checked.texts, checked.proofs)
    parts = render_book(renderer, renderer.briefs())
    items = re.findall(r'<li id="source-harbour-passage-\d+">.*?</li>', parts.sources, re.S)
    words = [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]
    holding = [w for w in words if PACT in w or CLAUSE in w]
    assert len(holding) == 1, words
    # Under its ¶, with the notes of both chapters (the principal's note cites the clause).
    assert holding[0].startswith(f"¶2 {PACT} … {CLAUSE} Note , Southland"), holding


# --- ¶ counts the body ------------------------------------------------------------------------

TEXT = "Headline of the piece\n\nNo time to read?\nGet a summary\n\nFirst.\nSecond.\n"


def test_the_headline_and_furniture_are_not_counted() -> None:
    # Lines wrapped by hand (none is long): blank lines part paragraphs.
    furniture = ["No time to read?", "Get a summary"]
    text, missing = counted(normalise(TEXT), "Headline of the piece", furniture)
    assert (text.headline, sorted(text.furniture), missing) == (1, [2], [])
    assert [text.number(p) for p in (1, 2, 3)] == [None, None, 1]
    # A paragraph is furniture only when each of its lines is.
    some, _ = counted(normalise(TEXT), "Headline of the piece", furniture[1:])
    assert [some.number(p) for p in (1, 2, 3)] == [None, 1, 2]
    # "Headline ... First." as one paragraph is not the title: no headline.
    one, _ = counted(normalise(TEXT.replace("\n\n", "\n")), "Headline of the piece", [])
    assert one.headline == 0 and one.number(1) == 1


def test_a_line_text_counts_each_line_and_skips_declared_furniture() -> None:
    long = "x " * 60  # a line longer than WRAP_WIDTH: every line break parts paragraphs
    source = f"The Title\nNo time to read?\nGet a summary\n{long}\nBody two.\n"
    text, missing = counted(normalise(source), "The Title", ["No time to read?", "Get a summary"])
    assert (text.headline, sorted(text.furniture), missing) == (1, [2, 3], [])
    assert [text.number(p) for p in range(1, 6)] == [None, None, None, 1, 2]
    # Undeclared, the furniture is the body's first paragraphs.
    plain, _ = counted(normalise(source), "The Title", [])
    assert [plain.number(p) for p in range(1, 6)] == [None, 1, 2, 3, 4]


def test_the_headline_is_the_title_typography_aside() -> None:
    text, _ = counted(
        normalise("Quill’s “no” — and after\n\nBody.\n"), 'Quill\'s "no" - and after', []
    )
    assert text.headline == 1 and text.number(2) == 1
    other, _ = counted(normalise("Quill's no\n\nBody.\n"), "Quill's yes", [])
    assert other.headline == 0 and other.number(1) == 1


def test_a_supplied_title_is_no_headline() -> None:
    text, _ = counted(normalise(TEXT), None, [])
    assert text.headline == 0 and text.number(1) == 1


def test_a_cited_headline_is_cited_as_such(mini: Project) -> None:
    notes = _notes(mini)
    notes.cite([Citation(source="harbour", quote="Harbour Council Weighs a Shield")])
    assert str(notes.notes[0].place) == "headline"


def test_declared_furniture_before_the_body_moves_no_number(mini: Project) -> None:
    source = mini.sources / "harbour.txt"
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace("Northland\n\n", "Northland\n\nNo time to read?\nGet a summary\n", 1),
        encoding="utf-8",
    )
    notes = _notes(mini)
    notes.cite([Citation(source="harbour", quote=QUILL)])
    assert str(notes.notes[0].place) == "¶3"  # the two lines are counted until declared
    edit(
        mini.facts / "sources.yaml",
        "    reliability: B\n",
        "    reliability: B\n    furniture: ['No time to read?', Get a summary]\n",
    )
    notes = _notes(mini)
    notes.cite([Citation(source="harbour", quote=QUILL)])
    assert str(notes.notes[0].place) == "¶1"


def test_a_furniture_line_not_in_the_text_is_a_located_error(mini: Project) -> None:
    edit(
        mini.facts / "sources.yaml",
        "    reliability: B\n",
        "    reliability: B\n    furniture:\n      - Next Article\n",
    )
    checked = check_project(mini, pdf=False)
    [problem] = [p for p in checked.problems if p.code == "Q208"]
    assert str(problem.location) == "facts/sources.yaml:8:9"
    assert "'Next Article' is listed as furniture of source 'harbour'" in problem.message


# --- The excerpts carry how ¶ are counted ------------------------------------------------------


def _excerpts(mini: Project) -> tuple[bytes, Project]:
    checked = check_project(mini, pdf=False)
    assert checked.base is not None
    [source] = checked.base.facts.sources
    content = (mini.sources / source.file).read_bytes()
    made = make_excerpts(source, checked.texts[source.id], content, checked.proofs.spans(source.id))
    return made, mini


def test_excerpts_record_the_headline_and_furniture(mini: Project) -> None:
    made, _ = _excerpts(mini)
    data = json.loads(made)
    assert data["format"] == "briefing-excerpts/2"
    assert (data["headline"], data["furniture"]) == (1, [])
    checked = check_project(mini, pdf=False)
    assert checked.base is not None
    [source] = checked.base.facts.sources
    # The headline is not among the excerpts (no fact cites it), yet the numbering is read back.
    assert "Harbour Council Weighs" not in made.decode()
    partial = read_excerpts(made, source)
    assert partial.headline == 1 and partial.number(2) == 1


def test_excerpts_of_the_first_format_count_every_paragraph(mini: Project) -> None:
    made, _ = _excerpts(mini)
    data = json.loads(made)
    del data["headline"], data["furniture"]
    data["format"] = "briefing-excerpts/1"
    checked = check_project(mini, pdf=False)
    assert checked.base is not None
    [source] = checked.base.facts.sources
    partial = read_excerpts(json.dumps(data).encode(), source)
    assert partial.headline == 0 and partial.number(2) == 2


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"headline": 99}, "its headline, paragraph 99, is not one of its own"),
        ({"furniture": [3, 2]}, "its furniture are not paragraphs of the text, in order"),
        ({"headline": 2, "furniture": [2]}, "its headline, paragraph 2, is not one of its own"),
        ({"format": "briefing-excerpts/1"}, "records no headline or furniture"),
    ],
)
def test_excerpts_with_a_forged_numbering_are_refused(
    mini: Project, change: dict[str, object], reason: str
) -> None:
    made, _ = _excerpts(mini)
    data = {**json.loads(made), **change}
    checked = check_project(mini, pdf=False)
    assert checked.base is not None
    [source] = checked.base.facts.sources
    with pytest.raises(ExcerptsError, match=re.escape(reason)):
        read_excerpts(json.dumps(data).encode(), source)


def test_a_book_whose_paragraph_cuts_are_printed_as_one_run_verifies(mini: Project) -> None:
    # Southland cites the start of the pact's sentence, the overview its end: only ", but"
    # parts them, so Appendix A prints them as one run, which verify must place as one.
    edit(
        mini.facts / "actors/south.yaml",
        "quote: >-\n          The pact covers arms deliveries, joint training and shared "
        "intelligence, but it does\n          not include a mutual-defence clause.",
        f"quote: {PACT}",
    )
    edit(mini.facts / "overview.yaml", f"quote: {CLAUSE}", f"quote: but {CLAUSE}")
    checked, facts, _ = checked_facts(mini, pdf=False)
    renderer = Renderer(facts, mini, checked.texts, checked.proofs)
    appendix = render_book(renderer, renderer.briefs()).sources
    assert f"{PACT}, but {CLAUSE}" in " ".join(re.sub(r"<[^>]+>", " ", appendix).split())
    build(mini, cache=False)
    result = verify(mini.build / "pdf" / f"book-ed{facts.edition.number}.pdf")
    assert result.ok, result.problems
