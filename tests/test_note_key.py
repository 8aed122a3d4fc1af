"""The principal's note says what the labels it cites stand for: its own PDF has no appendix,
so the note read alone can be checked."""

from __future__ import annotations

from briefing.core.project import Project
from briefing.site.build import checked_facts, render_site
from tests.editing_fixture import edit


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
