"""Errors in the fact base name file:line:col, say how to fix them, and come all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.check.facts import run_check
from briefing.cli import main
from briefing.core.diagnostics import errors
from briefing.core.project import Project


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_fixture_checks_clean(mini: Project) -> None:
    base, problems = run_check(mini)
    assert base is not None
    assert problems == []


def test_misquote_names_file_line_and_closest_passage(
    mini: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    actor = mini.actors / "south.yaml"
    _replace(actor, "said on Tuesday", "said on Friday")
    line = _line_of(actor, "said on Friday")
    assert main(["--root", str(mini.root), "check"]) == 1
    err = capsys.readouterr().err
    assert f"facts/actors/south.yaml:{line}:" in err
    assert "quote not found in source 'harbour'" in err
    assert "facts/sources/harbour.txt:3:" in err  # the closest passage, with its place
    assert "said on Tuesday" in err
    assert "Traceback" not in err


def test_unknown_key_suggests_the_nearest_allowed_key(mini: Project) -> None:
    actor = mini.actors / "council.yaml"
    _replace(actor, "    stance: opposes", "    stanse: opposes")
    _, problems = run_check(mini)
    unknown = [p for p in problems if "unknown key 'stanse'" in p.message]
    assert len(unknown) == 1
    assert str(unknown[0].location) == f"facts/actors/council.yaml:{_line_of(actor, 'stanse')}:5"
    assert "did you mean 'stance'?" in unknown[0].hint


def test_wrong_vocabulary_value_lists_the_allowed_ones(mini: Project) -> None:
    actor = mini.actors / "council.yaml"
    _replace(actor, "stance: opposes", "stance: oposes")
    _, problems = run_check(mini)
    [problem] = problems
    assert problem.location.line == _line_of(actor, "oposes")
    assert problem.location.col == 13
    assert "did you mean 'opposes'?" in problem.hint


def test_all_errors_in_all_files_are_reported_in_one_run(mini: Project) -> None:
    _replace(mini.actors / "council.yaml", "speaker: kalyna", "speaker: kalina")
    _replace(mini.actors / "south.yaml", "said on Tuesday", "said on Monday")
    _replace(mini.facts / "people.yaml", "actor: council", "actor: counsil")
    _replace(mini.facts / "edition.yaml", "number: 3", "number: three")
    _, problems = run_check(mini)
    text = "\n".join(p.format() for p in problems)
    assert "facts/edition.yaml:" in text and "number" in text
    # The edition is broken, so cross-file checks cannot run; fix it and see the rest at once.
    _replace(mini.facts / "edition.yaml", "number: three", "number: 3")
    _, problems = run_check(mini)
    problems = errors(problems)
    messages = sorted(p.message for p in problems)
    assert messages == [
        "quote not found in source 'harbour'",
        "unknown actor 'counsil'",
        "unknown person 'kalina'",
    ]
    hints = {p.message: p.hint for p in problems}
    assert hints["unknown person 'kalina'"] == "did you mean 'kalyna'?"
    assert all(p.location.line > 0 for p in problems)


def test_duplicate_ids_point_at_the_second_one(mini: Project) -> None:
    actor = mini.actors / "south.yaml"
    first = _line_of(actor, "id: south-pact")
    second = _line_of(actor, "id: south-quill-pact")
    _replace(actor, "id: south-quill-pact", "id: south-pact")
    _, problems = run_check(mini)
    [problem] = problems
    assert "duplicate fact id 'south-pact'" in problem.message
    assert problem.location.line == second
    assert f"first defined at facts/actors/south.yaml:{first}:" in problem.message


def test_missing_key_names_the_mapping_and_the_key(mini: Project) -> None:
    actor = mini.actors / "council.yaml"
    _replace(actor, "    question: membership\n", "")
    _, problems = run_check(mini)
    [problem] = problems
    assert problem.message == "missing required key 'question'"
    assert problem.location.file == "facts/actors/council.yaml"
    assert problem.location.line == _line_of(actor, "id: council-membership")


def test_build_writes_nothing_when_the_check_fails(mini: Project) -> None:
    _replace(mini.actors / "south.yaml", "said on Tuesday", "said on Sunday")
    assert main(["--root", str(mini.root), "build"]) == 1
    assert not mini.build.exists()


def test_a_misspelt_required_key_is_one_error_not_two(mini: Project) -> None:
    actor = mini.actors / "council.yaml"
    _replace(actor, "    question: membership", "    questoin: membership")
    _, problems = run_check(mini)
    [problem] = problems
    assert problem.message == "unknown key 'questoin'"
    assert problem.hint == "did you mean 'question'?"


def test_a_number_where_text_belongs_suggests_quotes(mini: Project) -> None:
    _replace(mini.facts / "edition.yaml", 'value: "2031-05"', "value: 2031")
    _, problems = run_check(mini)
    [problem] = problems
    assert problem.message.endswith("got 2031")
    assert problem.hint == "put it in quotes to make it text: '2031'"


@pytest.mark.parametrize("number", ["12345678901234567890123456", "1000000000", "0"])
def test_an_edition_number_out_of_range_is_located_with_a_hint(mini: Project, number: str) -> None:
    edition = mini.facts / "edition.yaml"
    _replace(edition, "number: 3", f"number: {number}")
    _, problems = run_check(mini)
    [problem] = problems
    assert str(problem.location) == f"facts/edition.yaml:{_line_of(edition, 'number:')}:9"
    assert problem.message.startswith("number: Input should be")
    assert problem.message.endswith(f"got {number}")
    assert "last released edition's number plus one" in problem.hint


def test_the_largest_edition_number_is_accepted(mini: Project) -> None:
    _replace(mini.facts / "edition.yaml", "number: 3", "number: 999999999")
    base, problems = run_check(mini)
    assert problems == []
    assert base is not None and base.facts.edition.number == 999_999_999
