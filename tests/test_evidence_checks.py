"""What a verbatim quote proves: quotes in parts, furniture, attribution and context.

Each check is shown to fail on a mistake planted in the mini fixture (tests/fixtures/mini),
whose source has one paragraph a line: its headline (not a ¶, being the source's title), ¶1 Quill,
¶2 the pact, ¶3 Kalyna.
"""

from __future__ import annotations

import pytest

from briefing.check.facts import check_project, run_check
from briefing.core.project import Project
from briefing.evidence.context import ties
from briefing.evidence.quotes import find, normalise, quote_parts
from briefing.factbase.model import MIN_PART_WORDS, Citation, Person
from briefing.render.pages import Notes
from tests.editing_fixture import edit

QUILL_QUOTE = "        quote: Southland's premier, Ada Quill, said on Tuesday\n"


def _problems(project: Project) -> list[str]:
    _, problems = run_check(project)
    return [f"{p.location}: {p.severity}: {p.message}" for p in problems]


def _quote_quill(project: Project, quote: str, extra: str = "") -> None:
    """Make Quill's statement cite `quote` (on line 33 of south.yaml), with `extra` lines."""
    edit(project.actors / "south.yaml", QUILL_QUOTE, f"        quote: {quote}\n{extra}")


# --- Quotes in parts ------------------------------------------------------------------------

PAGE = normalise(
    "Headline\n\n"
    "The pact covers arms deliveries, joint training and shared intelligence, but it does not "
    "include a mutual-defence clause.\n\n"
    "The council will meet in May.\n"
)


def test_each_part_is_found_in_order_within_a_paragraph() -> None:
    match = find("The pact covers … joint training and … it does not include", PAGE)
    assert match is not None and len(match.parts) == 3
    assert match.passage == "The pact covers … joint training and … it does not include"
    # Three dots are an ellipsis too, bracketed or not.
    assert find("The pact covers [...] joint training and", PAGE) is not None
    # An ellipsis at either end only says the quote starts or ends mid-sentence.
    assert find("… it does not include a mutual-defence clause", PAGE) is not None


def test_parts_out_of_order_across_paragraphs_or_inside_words_are_not_found() -> None:
    assert find("joint training and … The pact covers", PAGE) is None
    assert find("a mutual-defence clause … The council will meet", PAGE) is None
    assert find("The pact covers … oint training and", PAGE) is None


def test_a_part_under_the_minimum_is_never_found() -> None:
    assert MIN_PART_WORDS == 3
    assert find("The pact covers … training", PAGE) is None
    assert [p.words for p in quote_parts("The pact covers … training")] == [3, 1]


def test_a_quote_verbatim_with_its_ellipsis_is_one_passage() -> None:
    text = normalise("He said: wait… and see what the summit brings.")
    match = find("wait… and see", text)
    assert match is not None and match.parts == ()


def test_check_refuses_a_short_part_with_a_caret_at_it(mini: Project) -> None:
    _quote_quill(mini, "Southland's premier, Ada Quill … on Tuesday")
    assert _problems(mini) == [
        "facts/actors/south.yaml:33:49: error: 'on Tuesday' is a part of this quote of only "
        "2 words; each part between ellipses needs at least 3",
    ]


def test_check_points_at_the_part_not_found(mini: Project) -> None:
    _quote_quill(mini, "The pact covers arms deliveries … joint exercises and shared intelligence")
    _, problems = run_check(mini)
    [problem] = problems
    assert str(problem.location) == "facts/actors/south.yaml:33:56"  # at 'exercises'
    assert problem.message.startswith("part 2 of this quote in parts ('joint exercises")
    assert "the quote has 'exercises' where the source has 'training'" in problem.related


@pytest.mark.parametrize(
    ("quote", "why"),
    [
        (
            "The pact covers arms deliveries … the council “cannot offer membership",
            "but not within one paragraph",
        ),
        (
            "it does not include a mutual-defence clause … The pact covers arms deliveries",
            "but not in this order",
        ),
    ],
)
def test_check_says_why_parts_found_apart_do_not_go_together(
    mini: Project, quote: str, why: str
) -> None:
    _quote_quill(mini, quote)
    [problem] = _problems(mini)
    assert problem.endswith(f"the parts of this quote are in source 'harbour', {why}")


def test_a_quote_in_parts_passes_and_its_note_prints_the_ellipsis(mini: Project) -> None:
    edit(
        mini.actors / "south.yaml",
        "          The pact covers arms deliveries, joint training and shared intelligence, "
        "but it does\n          not include a mutual-defence clause.\n",
        "          The pact covers arms deliveries … it does not include a mutual-defence "
        "clause.\n",
    )
    checked = check_project(mini)
    assert checked.base is not None and checked.problems == []
    notes = Notes(checked.base.facts, "south", texts=checked.texts)
    pact = checked.base.facts.actors[1].commitments[0].citations[0]
    # A later cut of the first part joins the same note: the note keeps its ellipsis.
    notes.cite([pact, Citation(source="harbour", quote="covers arms deliveries")])
    [note] = notes.notes
    assert (
        note.passage
        == "The pact covers arms deliveries … it does not include a mutual-defence clause."
    )
    # The text's second paragraph, its first being its headline (the source's title).
    assert note.paragraph == 2 and str(note.place) == "¶2"
    # A cut that bridges the gap makes the passage whole again.
    notes.cite(
        [Citation(source="harbour", quote="joint training and shared intelligence, but it does")]
    )
    assert "…" not in notes.notes[0].passage


# --- Furniture --------------------------------------------------------------------------------

FURNITURE = (
    "    furniture:\n"
    "      - Nausėda Street in Україна-town was renamed — a detail of no consequence.\n"
)


def test_a_quote_from_page_furniture_is_an_error(mini: Project) -> None:
    with (mini.facts / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(FURNITURE)
    assert _problems(mini) == []
    edit(
        mini.actors / "council.yaml",
        '        quote: the council "cannot offer membership while the dispute lasts"\n\n',
        '        quote: the council "cannot offer membership while the dispute lasts"\n'
        "      - source: harbour\n"
        "        quote: Nausėda Street in Україна-town was renamed\n\n",
    )
    [problem] = _problems(mini)
    assert problem == (
        "facts/actors/council.yaml:14:16: error: quote is in the page furniture of source "
        "'harbour' (line 6, listed under 'furniture:'), not in its text"
    )


# --- Attribution ------------------------------------------------------------------------------


def test_a_statement_quoted_where_the_source_does_not_name_its_speaker_warns(
    mini: Project,
) -> None:
    _quote_quill(mini, "the council “cannot offer membership while the dispute lasts”")
    assert _problems(mini) == [
        "facts/actors/south.yaml:33:16: warning: the source does not name Ada Quill near this "
        "quote (¶2–3 of 'harbour' has neither 'Quill' nor a title it gives them): the words "
        "may be someone else's (the sentence has 'According to')"
    ]


def test_the_paragraph_before_the_quote_may_name_the_speaker(mini: Project) -> None:
    # ¶2 does not name Quill, ¶1 does.
    _quote_quill(mini, "The pact covers arms deliveries, joint training")
    assert _problems(mini) == []


def test_speaker_in_source_false_needs_a_note_and_then_silences_the_warning(
    mini: Project,
) -> None:
    quote = "the council “cannot offer membership while the dispute lasts”"
    _quote_quill(mini, quote, "        speaker_in_source: false\n")
    [problem] = _problems(mini)
    assert "'speaker_in_source: false' needs a 'note'" in problem and ": error:" in problem
    edit(
        mini.actors / "south.yaml",
        "        speaker_in_source: false\n",
        "        speaker_in_source: false\n"
        "        note: Quill repeated the chair's words, as the source's caption says.\n",
    )
    checked = check_project(mini)
    assert checked.base is not None and checked.problems == []
    notes = Notes(checked.base.facts, "south", texts=checked.texts)
    notes.cite(checked.base.facts.actors[1].statements[0].citations)
    assert notes.notes[0].remarks == [
        "Quill repeated the chair's words, as the source's caption says."
    ]


def test_a_title_the_source_ties_to_the_speaker_names_them(mini: Project) -> None:
    source = mini.sources / "harbour.txt"
    source.write_text(
        source.read_text(encoding="utf-8")
        + "The chair added that the council “will meet again in June”.\n",
        encoding="utf-8",
    )
    edit(
        mini.actors / "council.yaml",
        '    citations:\n      - source: harbour\n        quote: the council "cannot offer '
        'membership while the dispute lasts"\n\nbluf:',
        "    citations:\n      - source: harbour\n        quote: the council “will meet again "
        "in June”\n\nbluf:",
    )
    # ¶4 and ¶5 do not name Kalyna; 'the chair' is his title: ¶3 calls him "the Harbour
    # Council's chair, Borys Kalyna".
    assert _problems(mini) == []
    source.write_text(
        source.read_text(encoding="utf-8").replace("The chair added", "The treasurer added"),
        encoding="utf-8",
    )
    [problem] = _problems(mini)
    assert "does not name Borys Kalyna near this quote (¶4–5" in problem


@pytest.mark.parametrize(
    ("name", "text", "titles"),
    [
        ("Andrzej Duda", "Polish President Andrzej Duda stated that", {"president"}),
        (
            "Gabrielius Landsbergis",
            "Earlier The Gaze reported, that Gabrielius Landsbergis, the Lithuanian Foreign "
            "Minister, believes",
            {"minister"},
        ),
        (
            "Yuriy Sak",
            "Yuriy Sak, an advisor to Ukraine's Minister of Defense, stated",
            {"advisor"},
        ),
        ("Volodymyr Zelensky", "The Ukrainian president, Volodymyr Zelensky, has", {"president"}),
        (
            "Oleksiy Danilov",
            "for Ukraine. Secretary of the National Security and Defense Council of Ukraine "
            "Oleksiy Danilov expects",
            {"secretary"},
        ),
        ("Gitanas Nausėda", "According to Nauseda, the talks", set()),
    ],
)
def test_titles_tied_to_a_name(name: str, text: str, titles: set[str]) -> None:
    person = Person(id="p", name=name, role="r", actor="a")
    assert ties(person, text) == titles


# --- Context ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "message", "hint"),
    [
        (
            "The pact covers arms deliveries, joint training and shared intelligence",
            "quote ends right before 'but' in the source, which may turn what it says",
            "quote on to take in the turn, e.g. 'The pact covers arms deliveries, joint "
            "training and shared intelligence, but it does not include a mutual-defence "
            "clause.'",
        ),
        (
            "include a mutual-defence clause",
            "quote starts right after 'not' in the source, which turns what it says",
            "start the quote at 'not'",
        ),
        (
            "The pact covers arms deliveries … include a mutual-defence clause",
            "the ellipsis of this quote leaves out 'not', which turns the words it joins",
            "quote the passage whole, or cut it where no negation is left out",
        ),
    ],
)
def test_a_quote_cut_where_the_source_turns_warns(
    mini: Project, quote: str, message: str, hint: str
) -> None:
    _quote_quill(mini, quote)
    _, problems = run_check(mini)
    [problem] = problems
    assert (problem.severity, problem.message, problem.hint) == ("warning", message, hint)
    assert str(problem.location) == "facts/actors/south.yaml:33:16"
