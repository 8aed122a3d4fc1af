"""Attachment is held to its source: whole words, the right source, a close lead, pinned texts."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from briefing.check.facts import run_check
from briefing.cli import main
from briefing.core.project import Project
from briefing.evidence.quotes import closest, find, normalise


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _quote_errors(project: Project) -> list[str]:
    _, problems = run_check(project)
    return [p.message for p in problems if p.message.startswith("quote not found")]


# --- 1. A quote is whole words -----------------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    [
        "outhland's premier, Ada Quill",  # starts inside "Southland's"
        "Southland's premier, Ada Qui",  # ends inside "Quill"
        "the council “cannot offer membership while the dispute last",  # ends inside "lasts"
        "Nause",  # ends before the combining mark of a decomposed "ė"
    ],
)
def test_a_quote_cut_inside_a_word_does_not_match(quote: str) -> None:
    source = normalise(
        "Southland's premier, Ada Quill, said that the council “cannot offer "
        "membership while the dispute lasts”. Nause\u0307da Street."
    )
    assert find(quote, source) is None


def test_a_later_whole_word_occurrence_is_found() -> None:
    # The first occurrence of "pact" is inside "impact"; the second stands alone.
    match = find("pact", normalise("the impact of the pact"))
    assert match is not None and match.col == 19


def test_typography_at_the_edges_is_still_forgiven() -> None:
    source = normalise("Quill said Southland “will sign a ten\u2011year pact”.")
    assert find('"will sign a ten-year pact"', source) is not None


def test_check_rejects_a_quote_that_starts_inside_a_word(mini: Project) -> None:
    actor = mini.actors / "south.yaml"
    _replace(actor, "quote: Southland's premier, Ada Quill", "quote: outhland's premier, Ada Quill")
    assert _quote_errors(mini) == ["quote not found in source 'harbour'"]


# --- 2. The right words, the wrong source ------------------------------------------------------

QUAY = "Quay Notes\n\nThe harbour master said the quay will reopen after the storm season.\n"


def _add_quay_source(project: Project) -> None:
    (project.sources / "quay.txt").write_text(QUAY, encoding="utf-8")
    with (project.facts / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "  - id: quay\n"
            "    file: quay.txt\n"
            "    title: Quay Notes\n"
            "    outlet: The Quay Bulletin\n"
            "    reliability: B\n"
            "    reliability_note: Second fixture source.\n"
        )


def test_a_quote_from_another_source_names_that_source(mini: Project) -> None:
    _add_quay_source(mini)
    actor = mini.actors / "south.yaml"
    _replace(
        actor,
        "quote: Southland's premier, Ada Quill, said on Tuesday",
        "quote: the quay will reopen after the storm season",
    )
    _, problems = run_check(mini)
    wrong = [p for p in problems if p.message.startswith("quote not found")]
    assert len(wrong) == 1
    assert wrong[0].message == (
        "quote not found in source 'harbour'; it is in source 'quay' "
        "(facts/sources/quay.txt:3:25): cite 'quay'"
    )
    assert wrong[0].related == ()  # no near-miss lead: the fix is the source id
    assert "source: quay" in wrong[0].hint


def test_a_quote_in_no_source_still_gets_the_near_miss(mini: Project) -> None:
    _add_quay_source(mini)
    actor = mini.actors / "south.yaml"
    _replace(actor, "said on Tuesday", "said on Friday")
    _, problems = run_check(mini)
    wrong = [p for p in problems if p.message.startswith("quote not found")]
    assert [p.message for p in wrong] == ["quote not found in source 'harbour'"]
    assert "closest passage" in wrong[0].related[0]


# --- 3. The near-miss points at the first word that differs ------------------------------------


def test_the_caret_points_at_the_first_differing_word(mini: Project) -> None:
    actor = mini.actors / "south.yaml"
    _replace(actor, "said on Tuesday", "said on Friday")
    _, problems = run_check(mini)
    (miss,) = [p for p in problems if p.message.startswith("quote not found")]
    line = next(
        n for n, text in enumerate(actor.read_text().splitlines(), 1) if "said on Friday" in text
    )
    written = actor.read_text().splitlines()[line - 1]
    assert (miss.location.line, miss.location.col) == (line, written.index("Friday") + 1)
    assert "the quote has 'Friday' where the source has 'Tuesday'" in miss.related
    assert "said on Tuesday" in miss.related[1]


def test_the_caret_finds_the_word_in_a_folded_quote(mini: Project) -> None:
    actor = mini.actors / "south.yaml"
    _replace(actor, "joint training", "joint exercises")
    _, problems = run_check(mini)
    (miss,) = [p for p in problems if p.message.startswith("quote not found")]
    lines = actor.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "joint exercises" in text)
    assert (miss.location.line, miss.location.col) == (line, lines[line - 1].index("exercises") + 1)
    assert miss.message == "quote not found in source 'harbour'"
    assert "the quote has 'exercises' where the source has 'training'" in miss.related


def test_an_unmappable_quote_names_the_differing_word_in_the_message(mini: Project) -> None:
    # A blank line inside a block is a line break in the value: no column to point at.
    actor = mini.actors / "south.yaml"
    _replace(
        actor,
        "joint training and shared intelligence, but it does\n",
        "joint exercises and shared intelligence, but it does\n\n",
    )
    _, problems = run_check(mini)
    (miss,) = [p for p in problems if p.message.startswith("quote not found")]
    assert miss.message == "quote not found in source 'harbour' (it differs at 'exercises')"
    block = next(
        n for n, text in enumerate(actor.read_text().splitlines(), 1) if "quote: >-" in text
    )
    assert miss.location.line == block


def test_the_near_miss_in_a_long_source_is_found_fast() -> None:
    from tests.bench_nearmiss import long_source, missed_quote

    source = normalise(long_source())
    quote = missed_quote()
    started = time.perf_counter()
    near = closest(quote, source)
    elapsed = time.perf_counter() - started
    assert near is not None and near.similarity > 0.9
    assert near.quote_word == "NOTATALL"
    assert elapsed < 0.5, f"closest() took {elapsed:.2f} s on a 50 KiB source"


# --- 4. Pinned sources -------------------------------------------------------------------------


def test_an_edited_pinned_source_fails_until_pinned_again(
    mini: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = mini.facts / "sources.yaml"
    registry.write_text(
        "# Sources of the fixture desk.\n" + registry.read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert main(["--root", str(mini.root), "pin"]) == 0
    pinned = registry.read_text(encoding="utf-8")
    assert pinned.startswith("# Sources of the fixture desk.\n")  # comments are kept
    lines = pinned.splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip().startswith("sha256:"))
    assert lines[at - 1].strip() == "file: harbour.txt"  # inserted after the file line
    assert run_check(mini)[1] == []
    capsys.readouterr()

    # One word of the text edited: the quotes may all still hold, the pin does not.
    _replace(mini.sources / "harbour.txt", "a detail of no consequence", "a detail of consequence")
    _, problems = run_check(mini)
    assert [(p.location.file, p.location.line, p.message, p.hint) for p in problems] == [
        (
            "facts/sources.yaml",
            at + 1,
            "source 'harbour' changed since it was pinned: facts/sources/harbour.txt no longer "
            "matches its sha256 (3 facts cite it)",
            "look at the change (e.g. git diff facts/sources/harbour.txt); if the facts still "
            "hold, run: briefing pin harbour",
        )
    ]
    assert main(["--root", str(mini.root), "check"]) == 1

    assert main(["--root", str(mini.root), "pin", "harbour"]) == 0
    assert "pinned 'harbour'" in capsys.readouterr().out
    assert registry.read_text(encoding="utf-8").count("sha256:") == 1  # rewritten, not added
    assert run_check(mini)[1] == []


def test_pin_refuses_an_unknown_source_without_writing(
    mini: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = mini.facts / "sources.yaml"
    before = registry.read_text(encoding="utf-8")
    assert main(["--root", str(mini.root), "pin", "harbor"]) == 1  # a mistake in the input
    assert "unknown source 'harbor'; did you mean 'harbour'?" in capsys.readouterr().err
    assert registry.read_text(encoding="utf-8") == before


def test_a_new_source_is_registered_pinned(mini: Project) -> None:
    (mini.sources / "quay.txt").write_text(QUAY, encoding="utf-8")
    assert main(["--root", str(mini.root), "new", "source", "quay.txt"]) == 0
    digest = hashlib.sha256(QUAY.encode("utf-8")).hexdigest()
    assert f"sha256: {digest}" in (mini.facts / "sources.yaml").read_text(encoding="utf-8")


def test_a_malformed_pin_is_a_located_error(mini: Project) -> None:
    _replace(
        mini.facts / "sources.yaml",
        "    file: harbour.txt\n",
        "    file: harbour.txt\n    sha256: abc\n",
    )
    _, problems = run_check(mini)
    assert [(p.location.line, p.message, p.hint) for p in problems] == [
        (
            4,
            "sources.0.sha256: 'abc' is not a SHA-256 (64 lower-case hex digits)",
            "let 'briefing pin' write it",
        )
    ]


def test_no_page_of_the_book_prints_a_pinned_digest(mini: Project) -> None:
    """A digest is for software, not an official: the manifest keeps it and `verify` prints
    it (test_verify); the method appendix and the sources print none."""
    from briefing.site.build import checked_facts, render_site

    assert main(["--root", str(mini.root), "pin"]) == 0
    checked, facts, plan = checked_facts(mini)
    site = render_site(facts, mini, plan, checked.texts, with_data=False)
    digest = hashlib.sha256((mini.sources / "harbour.txt").read_bytes()).hexdigest()
    assert site.book is not None
    assert digest not in site.book.method and digest not in site.book.sources
