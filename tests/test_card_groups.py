"""Commitments in the desk's groups: a commitment field with `group: true` prints the note's
(or the overview's) cards under its words' headings, in the order of the list."""

from __future__ import annotations

import re

import pytest

from briefing.core.project import Project
from briefing.factbase.model import FieldSets, FieldSpec
from briefing.render.pages import card_groups
from briefing.site.build import checked_facts, render_site
from tests.editing_fixture import edit, messages

GROUPED = """      required: true
      group: true
      description: Where the instrument stands, as the source reports it."""


def _group_status(desk: Project) -> None:
    vocab = desk.facts / "vocabulary.yaml"
    edit(
        vocab,
        "      required: true\n      description: Where the instrument stands, as the source "
        "reports it.",
        GROUPED,
    )
    edit(
        vocab,
        "definition: Put forward by one party.",
        "definition: Put forward by one party.\n        group: On the table",
    )
    edit(
        vocab,
        "definition: Signed by the parties.",
        "definition: Signed by the parties.\n        group: Concluded",
    )
    edit(
        vocab,
        "definition: Signed and in effect.",
        "definition: Signed and in effect.\n        group: Concluded",
    )


def test_cards_fall_in_the_groups_of_their_words_in_the_list_s_order(mini: Project) -> None:
    _group_status(mini)
    _, facts, _ = checked_facts(mini)
    actor = next(a for a in facts.actors if a.commitments)
    pact = actor.commitments[0]
    signed = pact.model_copy(update={"id": "signed-pact", "status": "signed"})
    in_force = pact.model_copy(update={"id": "in-force-pact", "status": "in force"})
    reported = pact.model_copy(update={"id": "reported-pact", "status": "reported"})
    rows = [(actor, c) for c in (in_force, reported, pact, signed)]
    groups = card_groups(rows, facts.vocabulary)
    assert [(g.heading, [c.id for _, c in g.members], g.said) for g in groups] == [
        # A heading that stands for one word says it: the cards need not print the status.
        ("On the table", [pact.id], "status"),
        ("Concluded", ["in-force-pact", "signed-pact"], None),
        # A word with no heading of its own is its own group, under the word.
        ("reported", ["reported-pact"], "status"),
    ]


def test_without_a_grouping_field_the_cards_are_one_group_with_no_heading(mini: Project) -> None:
    _, facts, _ = checked_facts(mini)
    rows = [(a, c) for a in facts.actors for c in a.commitments]
    assert card_groups(rows, facts.vocabulary) == [("", rows, None, False, "")]


def test_the_note_prints_each_group_under_its_heading(mini: Project) -> None:
    _group_status(mini)
    checked, facts, plan = checked_facts(mini)
    site = render_site(facts, mini, plan, checked.texts)
    note = next(b for b in site.briefs if b.kind == "note")
    assert '<h3 class="card-group">On the table</h3>' in note.body
    # The heading stands for one word ('proposed'): its cards do not print it again.
    table = note.body.split('<h3 class="card-group">On the table</h3>')[1].split("<h3")[0]
    assert 'class="card"' in table and 'data-field="status"' not in table
    # That a card leaves out the fields no source gives is the method appendix's to say, once.
    assert "left out" not in note.body


def test_grouping_by_a_field_that_is_not_a_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="'group: true' needs a field of type choice"):
        FieldSpec(key="duration", label="Duration", type="quantity", group=True)


def test_commitments_are_grouped_by_one_field_at_most() -> None:
    specs = [
        FieldSpec(key=k, label=k, type="choice", list=k, group=True) for k in ("status", "kind")
    ]
    with pytest.raises(ValueError, match="grouped by one field only"):
        FieldSets(commitment=specs)


def test_a_second_grouping_field_is_a_located_error(mini: Project) -> None:
    _group_status(mini)
    edit(
        mini.facts / "vocabulary.yaml",
        "      list: instrument\n",
        "      list: instrument\n      group: true\n",
    )
    found = messages(mini)
    assert any("vocabulary.yaml:" in m and "grouped by one field only" in m for m in found), found


def test_a_list_kept_out_of_the_glossary_is_not_defined_in_the_method(mini: Project) -> None:
    def method() -> str:
        checked, facts, plan = checked_facts(mini)
        book = render_site(facts, mini, plan, checked.texts).book
        assert book is not None
        return book.method

    assert "Status of a commitment" in method()
    edit(
        mini.facts / "vocabulary.yaml",
        "    title: Status of a commitment\n",
        "    title: Status of a commitment\n    glossary: false\n",
    )
    assert "Status of a commitment" not in method()


def test_the_timeline_gives_a_commitment_s_word_of_the_grouping_field(mini: Project) -> None:
    from briefing.render.timeline import chronology

    def labels() -> list[str]:
        _, facts, _ = checked_facts(mini)
        found = chronology(facts)
        entries = [*found.dated, *found.day_only, *found.ordered]
        return [e.label for e in entries if e.kind == "commitment"]

    # The pact placed before the council meets, so that the timeline lists it.
    edit(
        mini.actors / "south.yaml",
        "    status: proposed\n",
        "    status: proposed\n    order: {before: event, note: before the council meets}\n",
    )
    # Without a grouping field a commitment is its title alone; with one, its word follows.
    assert labels() and all("(" not in label for label in labels())
    _group_status(mini)
    assert labels() and all(label.endswith("(proposed)") for label in labels())


def test_a_listed_word_prints_its_commitments_one_line_each(mini: Project) -> None:
    """A word with `listed: true`: what the desk keeps on record but weighs in no judgment is
    a line each (holder, title, notes) under its heading, not a card."""
    _group_status(mini)
    edit(
        mini.facts / "vocabulary.yaml",
        "        group: On the table",
        "        group: On the table\n        listed: true",
    )
    checked, facts, plan = checked_facts(mini)
    assert [
        g.listed
        for g in card_groups(
            [(a, c) for a in facts.actors for c in a.commitments], facts.vocabulary
        )
    ] == [True]
    site = render_site(facts, mini, plan, checked.texts)
    actor, pact = next((a, c) for a in facts.actors for c in a.commitments)
    # The note gives the group one line: its word, how many, held by whom, and where each is.
    note = next(b for b in site.briefs if b.kind == "note")
    assert '<h3 class="card-group">On the table</h3>' not in note.body
    summary = note.body.split('<p class="commitment-summary">')[1].split("</p>")[0]
    noun = facts.vocabulary.words.commitment.lower()
    assert f"<strong>Proposed:</strong> 1 more {noun} ({actor.name} 1)" in summary
    assert f'href="overview.html#overview-fact-{pact.id}"' in summary and "S1" in summary
    assert 'class="card"' not in note.body and pact.title not in note.body
    # The overview lists each under the heading that says why.
    overview = next(b for b in site.briefs if b.kind == "overview")
    table = overview.body.split("On the table</h2>")[1].split("</ul>")[0]
    assert '<ul class="commitment-lines">' in table and 'class="card"' not in table
    line = table.split(f'id="overview-fact-{pact.id}"')[1].split("</li>")[0]
    assert actor.name in line and pact.title in line and "<sup" in line
    assert pact.summary not in line  # the line carries no summary
    # Every link to it (the holder's chapter here) leads to that line.
    chapter = next(b for b in site.briefs if b.slug == actor.id)
    assert f'href="overview.html#overview-fact-{pact.id}"' in chapter.body


def test_a_listed_line_cites_what_its_values_rest_on(mini: Project) -> None:
    """A listed commitment's title may say what a value proves ("ten-year"): its line cites
    the value's passage too, so the book prints every quote its facts cite (verify, V203)."""
    _group_status(mini)
    edit(
        mini.facts / "vocabulary.yaml",
        "        group: On the table",
        "        group: On the table\n        listed: true",
    )
    edit(
        mini.actors / "south.yaml",
        "    duration: 10 years\n",
        "    duration:\n      value: 10 years\n      citations:\n        - source: harbour\n"
        "          quote: will sign a ten-year defence pact\n",
    )
    assert [m for m in messages(mini) if "error" in m] == []
    checked, facts, plan = checked_facts(mini)
    site = render_site(facts, mini, plan, checked.texts)
    overview = next(b for b in site.briefs if b.kind == "overview")
    line = overview.body.split('id="overview-fact-south-pact"')[1].split("</li>")[0]
    # Two passages: the pact's terms (its citation) and its ten years (its duration's).
    assert len(set(re.findall(r'class="fn-print" href="#overview-note-(\d+)"', line))) == 2
    note = next(b for b in site.briefs if b.kind == "note")
    summary = note.body.split('<p class="commitment-summary">')[1].split("</p>")[0]
    assert summary.count('class="sref"') == 1 and "¶1, 2" in summary
