"""The book says each thing once: no sentence of eight words or more is printed twice
(render.book.repeated_sentences), measured on the fixture desk's book."""

from __future__ import annotations

import re

from briefing.core.project import Project
from briefing.render.book import REPEAT_WORDS, repeated_sentences
from briefing.site.build import checked_facts, render_site

SENTENCE = "The agreement was signed by both leaders on the same day."


def test_a_sentence_printed_twice_is_found_with_the_parts_that_print_it() -> None:
    parts = {
        "note": f"<section><p>{SENTENCE} Something else follows.</p></section>",
        "chapter": f"<ul><li>{SENTENCE.upper().replace(',', '')}</li></ul>",
        "appendix": "<p>Nothing repeated here, only other words in a row.</p>",
    }
    found = repeated_sentences(parts)
    assert list(found.values()) == [["note", "chapter"]]


def test_furniture_short_sentences_and_lines_of_fields_are_not_repeats() -> None:
    fields = "bilateral agreement · Status: reported · 16 February, no year given · with Ukraine"
    short = " ".join(["word"] * (REPEAT_WORDS - 1)) + "."
    parts = {
        "a": f"<h2>{SENTENCE}</h2><p class='running-strings'>{SENTENCE}</p><p>{fields}</p>"
        f"<p>{short}</p>",
        "b": f"<h1>{SENTENCE}</h1><p>{fields}</p><p>{short}</p><p>{SENTENCE}</p>",
    }
    assert repeated_sentences(parts) == {}


def test_the_fixture_book_prints_no_sentence_twice(mini: Project) -> None:
    checked, facts, plan = checked_facts(mini)
    book = render_site(facts, mini, plan, checked.texts).book
    assert book is not None
    parts = {"cover": book.cover, **book.chapters, "sources": book.sources, "method": book.method}
    assert repeated_sentences(parts) == {}


def test_appendix_a_names_the_note_once_with_no_dangling_comma(mini: Project) -> None:
    # Two notes of the principal's note, and nothing else, cite one paragraph (their relays
    # differ, so they are two notes): Appendix A names the note once.
    judgment = """  - text: A street was renamed{by}.
    confidence: low
    citations:
      - source: harbour{via}
        quote: Nausėda Street in Україна-town was renamed
"""
    overview = mini.facts / "overview.yaml"
    overview.write_text(
        overview.read_text(encoding="utf-8")
        + judgment.format(by="", via="")
        + judgment.format(by=", a relay says", via="\n        via: a relay"),
        encoding="utf-8",
    )
    checked, facts, plan = checked_facts(mini)
    book = render_site(facts, mini, plan, checked.texts).book
    assert book is not None
    places = re.findall(r'<span class="places">(.*?)</span>', book.sources, re.DOTALL)
    street = [p for p in places if ">Note</a>" in p and "Harbour" not in p and "Southland" not in p]
    assert street, places
    for p in places:
        assert not p.rstrip().endswith(","), p
        assert p.count(">Note</a>") <= 1, p
