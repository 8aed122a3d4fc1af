"""The principal's note says what the labels it cites stand for: its own PDF has no appendix,
so the note read alone can be checked."""

from __future__ import annotations

from briefing.core.project import Project
from briefing.site.build import checked_facts, render_site
from tests.editing_fixture import edit, messages


def _note(desk: Project) -> str:
    checked, facts, plan = checked_facts(desk)
    site = render_site(facts, desk, plan, checked.texts)
    return str(next(b for b in site.briefs if b.kind == "note").body)


def test_the_note_keys_its_source_labels(mini: Project) -> None:
    key = _note(mini).split('<p class="key sources-key">')[1].split("</p>")[0]
    # One source, graded B: the grade is said once, and the label leads to the outlet.
    assert "Sources, all graded B." in key
    assert "S1: The Harbour Gazette" in key and "set aside" not in key


def test_a_source_set_aside_is_keyed_as_such(mini: Project) -> None:
    edit(
        mini.facts / "sources.yaml",
        "    reliability_note: Fixture source for tests.\n",
        "    reliability_note: Fixture source for tests.\n"
        "    set_aside: it postdates the meeting.\n",
    )
    key = _note(mini).split('<p class="key sources-key">')[1].split("</p>")[0]
    assert "S1: The Harbour Gazette" in key and ", set aside." in key


CREDIBILITY = """lists:
  credibility:
    title: Credibility of the information
    terms:
      - {id: "2", label: probably true, definition: consistent with other information.}
      - {id: "3", label: possibly true, definition: agrees with some other information.}
"""


def test_a_desk_rates_the_information_too(mini: Project) -> None:
    """Beside the channel's grade, a desk that declares a 'credibility' list rates what a
    text says: Appendix A and the note's key print it, the method defines the scale, and a
    word the list does not hold is a located error."""
    edit(mini.facts / "vocabulary.yaml", "lists:\n", CREDIBILITY)
    edit(
        mini.facts / "sources.yaml",
        "    reliability_note: Fixture source for tests.\n",
        "    reliability_note: Fixture source for tests.\n"
        '    credibility: "2"\n    credibility_note: the council minutes agree\n',
    )
    checked, facts, plan = checked_facts(mini)
    book = render_site(facts, mini, plan, checked.texts).book
    assert book is not None
    assert "probably true: the council minutes agree." in " ".join(book.sources.split())
    assert "Credibility of the information" in book.method
    assert "information 2 (probably true)" in _note(mini)
    edit(mini.facts / "sources.yaml", 'credibility: "2"', 'credibility: "9"')  # planted
    found = [m for m in messages(mini) if m.startswith("facts/sources.yaml:")]
    assert found and "9" in found[0], found


def test_an_outlet_is_set_as_the_prose_is(mini: Project) -> None:
    """Curators type straight apostrophes; the outlet, like the prose, prints typographic
    ones, so one page does not mix the two."""
    edit(
        mini.facts / "sources.yaml",
        "    outlet: The Harbour Gazette",
        "    outlet: The Harbour's Gazette",
    )
    key = _note(mini).split('<p class="key sources-key">')[1].split("</p>")[0]
    assert "S1: The Harbour’s Gazette" in key and "Harbour's" not in key
    checked, facts, plan = checked_facts(mini)
    book = render_site(facts, mini, plan, checked.texts).book
    assert book is not None
    assert "The Harbour’s Gazette" in book.sources and "Harbour's" not in book.sources


def test_a_matrix_cell_says_who_relayed_its_words(mini: Project) -> None:
    """A cell is read without its notes: when every citation of an answer came through one
    outlet, the cell names it, so that an outlet's account does not read as the actor's word;
    the source's own reporting ('via: no one') is not marked."""

    def cell() -> str:
        note = _note(mini)
        matrix = note.split('class="matrix')[1].split("</table>")[0]
        return matrix.split('<td data-field="membership">')[1].split("</td>")[0]

    assert "opposes" in cell() and "relay" not in cell()
    council = mini.actors / "council.yaml"
    old = """    speaker: kalyna
    summary: No membership offer while the dispute lasts.
    citations:
      - source: harbour
"""
    edit(council, old, old + "        via: Harbour Wire\n")
    assert '<span class="relay">via Harbour Wire</span>' in cell()
    edit(council, "        via: Harbour Wire\n", "        via: no one\n")
    assert "relay" not in cell()


def test_the_scope_line_counts_a_source_set_aside_apart(mini: Project) -> None:
    edit(
        mini.facts / "sources.yaml",
        "    reliability_note: Fixture source for tests.\n",
        "    reliability_note: Fixture source for tests.\n"
        "    set_aside: it postdates the meeting.\n",
    )
    assert "Rests only on 1 source set aside" in " ".join(_note(mini).split())
