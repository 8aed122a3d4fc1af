"""The overview's case: a few cited paragraphs that argue what the note asserts, checked like
every other prose of the fact base and printed first in the overview."""

from __future__ import annotations

from briefing.core.project import Project
from briefing.site.build import checked_facts, render_site
from tests.editing_fixture import messages

CASE = """argument:
  - text: >-
      **The pact.** Southland offers arms and training but "does not include a mutual-defence
      clause".
    citations:
      - source: harbour
        quote: it does not include a mutual-defence clause.
"""


def _argue(desk: Project, case: str = CASE) -> None:
    overview = desk.facts / "overview.yaml"
    overview.write_text(overview.read_text(encoding="utf-8") + case, encoding="utf-8")


def test_the_overview_opens_with_the_case_and_its_notes(mini: Project) -> None:
    _argue(mini)
    assert messages(mini) == []
    checked, facts, plan = checked_facts(mini)
    overview = next(
        b for b in render_site(facts, mini, plan, checked.texts).briefs if b.slug == "overview"
    )
    section = overview.body.split('<section class="argument"')[1].split("</section>")[0]
    assert ">The case</h2>" in section and "<strong>The pact.</strong>" in section
    assert 'class="cite"' in section  # its quotation carries its note
    assert "the case they rest on" in overview.body  # and the lede says the chapter holds it


def test_a_misquotation_in_the_case_is_a_located_error(mini: Project) -> None:
    _argue(mini, CASE.replace('"does not include a mutual-defence', '"has no mutual-defence'))
    found = messages(mini)
    assert any("overview.yaml:" in m and "has no mutual-defence" in m for m in found), found


def test_without_a_case_the_overview_prints_none(mini: Project) -> None:
    checked, facts, plan = checked_facts(mini)
    overview = next(
        b for b in render_site(facts, mini, plan, checked.texts).briefs if b.slug == "overview"
    )
    assert 'class="argument"' not in overview.body
    assert "the case they rest on" not in overview.body
