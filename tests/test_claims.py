"""The desk's prose held to its sources: quoted words and claimed confidence."""

from __future__ import annotations

from briefing.cli import main
from briefing.core.project import Project
from tests.editing_fixture import edit, messages


def test_quoted_words_must_be_in_the_cited_source(mini: Project) -> None:
    south = mini.actors / "south.yaml"
    edit(south, "summary: A ten-year pact covering", 'summary: A "decade-long" pact covering')
    [problem] = messages(mini)
    assert problem.startswith("facts/actors/south.yaml:19:14: error:")
    assert '"decade-long" is in quotation marks but not in the sources it cites' in problem


def test_quoted_words_may_take_the_capitals_of_their_sentence(mini: Project) -> None:
    south = mini.actors / "south.yaml"
    edit(
        south,
        "summary: A ten-year pact covering",
        'summary: Its parts, "Joint training" among them,',
    )
    assert messages(mini) == []


def test_a_speaker_is_not_quoted_with_the_writers_words(mini: Project) -> None:
    south = mini.actors / "south.yaml"
    said = "summary: Said Southland will sign the pact before the council meets."
    # 'joint training' is the writer's wording in the source, not Quill's.
    edit(south, said, 'summary: Said the pact brings "joint training".')
    [problem] = messages(mini)
    assert '"joint training" reads as the words of Ada Quill' in problem
    assert ": warning:" in problem
    # Said to be the source's words, it is fine; and Quill's own quoted words are fine.
    edit(south, '"joint training".', 'what the source calls "joint training".')
    assert messages(mini) == []
    edit(
        south,
        'what the source calls "joint training".',
        'Southland "will sign a ten-year defence pact".',
    )
    assert messages(mini) == []


def test_a_judgment_claims_no_more_confidence_than_its_sources_allow(mini: Project) -> None:
    edit(
        mini.facts / "vocabulary.yaml",
        "          Several independent sources agree, at least one of them graded C or better.\n",
        "          Two sources graded C or better.\n        needs: [{sources: 2, grade: C}]\n",
    )
    [problem] = messages(mini)
    # South's judgment is 'high' and cites one source graded B.
    assert problem.startswith("facts/actors/south.yaml:7:17: warning: 'high' confidence needs")
    assert "2 sources graded C or better; this judgment cites harbour (B)" in problem
    assert "lower it to 'moderate' or 'low'" in problem
    edit(mini.actors / "south.yaml", "confidence: high", "confidence: moderate")
    assert messages(mini) == []


def test_a_rule_names_grades_the_desk_has(mini: Project) -> None:
    edit(
        mini.facts / "vocabulary.yaml",
        "          Several independent sources agree, at least one of them graded C or better.\n",
        "          Two good sources.\n        needs: [{sources: 2, grade: G}]\n",
    )
    [problem] = messages(mini)
    assert "facts/vocabulary.yaml:" in problem and "unknown grade 'G'" in problem


def test_an_entry_with_a_long_run_of_markers_is_flagged(mini: Project) -> None:
    cuts = [
        "Southland's premier",
        "Ada Quill, said on Tuesday",
        "ten-year defence pact",
        "The pact covers arms",
        "mutual-defence clause",
        "arms deliveries",
    ]
    more = "".join(f"      - source: harbour\n        quote: {cut}\n" for cut in cuts)
    edit(
        mini.actors / "south.yaml",
        "        quote: Southland's premier, Ada Quill, said on Tuesday\n",
        "        quote: Southland's premier, Ada Quill, said on Tuesday\n" + more,
    )
    [problem] = messages(mini)
    assert "this entry cites 7 passages" in problem and ": warning:" in problem


_SCALE = """lists:
  likelihood:
    title: Likelihood
    terms:
      - id: unlikely
        definition: 20 to 45 per cent.
      - id: likely
        definition: 55 to 80 per cent.
"""


def test_a_forecast_without_a_likelihood_is_flagged(mini: Project) -> None:
    overview = mini.facts / "overview.yaml"
    edit(overview, "Southland intends a ten-year pact", "Southland will sign a ten-year pact")
    # A desk with no scale of its own words is not asked for one.
    assert messages(mini) == []
    edit(mini.facts / "vocabulary.yaml", "lists:\n", _SCALE)
    # The fixture's actors forecast too ('will sign', 'will not offer'): all three are flagged.
    found = messages(mini)
    assert [p.split(":")[0] for p in found] == [
        "facts/actors/council.yaml",
        "facts/actors/south.yaml",
        "facts/overview.yaml",
    ]
    problem = found[-1]
    assert problem.startswith("facts/overview.yaml:2:")
    assert "this judgment says what will happen but gives no likelihood [Q404]" in problem
    assert "'unlikely', 'likely'" in problem
    edit(
        overview, "    confidence: moderate\n", "    likelihood: likely\n    confidence: moderate\n"
    )
    assert len(messages(mini)) == 2


def test_the_note_says_what_its_likelihood_words_mean(mini: Project) -> None:
    edit(mini.facts / "vocabulary.yaml", "lists:\n", _SCALE)
    edit(
        mini.facts / "overview.yaml",
        "    confidence: moderate\n",
        "    likelihood: likely\n    confidence: moderate\n",
    )
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    note = (mini.build / "html" / "note.html").read_text(encoding="utf-8")
    key = note.split('<p class="kj-key">')[1].split("</p>")[0]
    # The word the judgments use, with its band from the desk's scale; not the unused one.
    assert key.startswith("Likely: 55 to 80 per cent;") and "Unlikely" not in key


def test_a_likelihood_word_outside_the_scale_is_an_error(mini: Project) -> None:
    edit(mini.facts / "vocabulary.yaml", "lists:\n", _SCALE)
    edit(
        mini.facts / "overview.yaml",
        "    confidence: moderate\n",
        "    likelihood: probable\n    confidence: moderate\n",
    )
    [problem] = messages(mini)
    assert problem.startswith("facts/overview.yaml:3:") and "probable" in problem


def test_likelihood_and_confidence_in_one_sentence_are_flagged(mini: Project) -> None:
    edit(mini.facts / "vocabulary.yaml", "lists:\n", _SCALE)
    edit(
        mini.facts / "overview.yaml",
        "    confidence: moderate\n",
        "    confidence: moderate\n    basis: we are confident a pact is likely.\n",
    )
    [problem] = [p for p in messages(mini) if "[Q404]" not in p]
    assert "one sentence gives both how likely and how confident" in problem
    assert "[Q405]" in problem and problem.startswith("facts/overview.yaml:4:")


def test_a_label_on_a_statement_about_the_record_is_flagged(mini: Project) -> None:
    edit(mini.facts / "vocabulary.yaml", "lists:\n", _SCALE)
    overview = mini.facts / "overview.yaml"
    edit(
        overview,
        "Southland intends a ten-year pact without a *mutual-defence* clause.",
        "Southland's terms are not stated. No source gives the pact's length.",
    )
    found = [p for p in messages(mini) if "[Q408]" in p]
    assert len(found) == 1 and found[0].startswith("facts/overview.yaml:2:")
    assert "only says what the record holds" in found[0]
    # One sentence that judges the world is enough: the judgment is not about the record.
    edit(overview, "No source gives the pact's length.", "Southland intends a ten-year pact.")
    assert not [p for p in messages(mini) if "[Q408]" in p]


def test_a_cut_off_before_a_dated_source_is_flagged(mini: Project) -> None:
    sources = mini.facts / "sources.yaml"
    edit(
        sources,
        "    reliability: B\n    reliability_note: Fixture source for tests.\n",
        "    reliability: B\n    reliability_note: Fixture source for tests.\n"
        '    date: {value: "2031-06-02", basis: stated}\n',
    )
    [problem] = messages(mini)
    assert problem.startswith("facts/edition.yaml:6:")
    assert "the information cut-off 2031-04-01 is earlier than source 'harbour'" in problem
    assert "[Q406]" in problem
    edit(mini.facts / "edition.yaml", "as_of: 2031-04-01", "as_of: 2031-06-02")
    assert messages(mini) == []


def test_a_reference_to_a_source_names_a_registered_one(mini: Project) -> None:
    overview = mini.facts / "overview.yaml"
    edit(
        overview,
        "Southland intends a ten-year pact",
        "As [S:harbor] says, Southland intends a pact",
    )
    [problem] = messages(mini)
    assert "'[S:harbor]' names no source registered" in problem and "[Q407]" in problem
    edit(overview, "[S:harbor]", "[S:harbour]")
    assert messages(mini) == []
