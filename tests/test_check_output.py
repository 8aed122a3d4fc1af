"""`briefing check` reports like a compiler: all problems, sorted, with the line and a caret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.core.diagnostics import Diagnostic, Location, render
from tests.editing_fixture import edit, make_project


def test_render_puts_caret_under_column() -> None:
    d = Diagnostic(
        Location("f.yaml", 12, 11), "bad stance", "did you mean 'cautious'?", code="S003"
    )
    text = render(d, "    stance: causious\n")
    assert text.splitlines() == [
        "f.yaml:12:11: error: bad stance [S003]",
        " 12 |     stance: causious",
        "    |           ^",
        "    hint: did you mean 'cautious'?",
    ]


def test_render_keeps_tabs_so_caret_lines_up() -> None:
    d = Diagnostic(Location("f.txt", 1, 3), "here", severity="warning", code="Q101")
    assert render(d, "\tab").splitlines()[2] == "   | \t ^"


def test_render_without_source_line_is_one_header() -> None:
    d = Diagnostic(Location("facts/actors"), "no actor files found", code="F008")
    assert render(d, None) == "facts/actors: error: no actor files found [F008]"


def broken(tmp_path: Path) -> Path:
    """The fixture with errors in two files and things that deserve warnings."""
    project = make_project(tmp_path)
    facts = project.facts
    edit(facts / "actors" / "ee.yaml", "stance: supports with conditions", "stance: suports")
    edit(
        facts / "actors" / "north.yaml", "was a question for later", "was a question for much later"
    )
    # A text dropped into sources/ but not registered: a warning, not an error.
    (project.sources / "gamma.txt").write_text("A text nobody registered.\n")
    return project.root


def test_all_problems_in_one_run_sorted_with_carets(tmp_path: Path, capsys) -> None:
    root = broken(tmp_path)
    assert main(["--root", str(root), "check"]) == 1
    err = capsys.readouterr().err
    headers = [line for line in err.splitlines() if ": error: " in line or ": warning: " in line]
    # ee.yaml fails validation, yet north.yaml's quote is still verified; people who speak for
    # 'ee' are not reported as naming an unknown actor (no cascade of follow-on errors).
    assert headers == [
        "facts/actors/ee.yaml:10:13: error: positions.0.stance: 'suports' is not allowed "
        "here [S003]",
        "facts/actors/north.yaml:12:46: error: quote not found in source 'alpha' [Q101]",
        "facts/sources/gamma.txt: warning: source text is not registered in "
        "facts/sources.yaml [Q205]",
    ]
    assert (
        " 10 |     stance: suports\n    |             ^\n    hint: did you mean 'supports'?" in err
    )
    assert "closest passage, facts/sources/alpha.txt:7:19:\n      membership was" in err
    assert err.rstrip().endswith("2 error(s), 1 warning(s)")


def test_unknown_id_gets_a_suggestion(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    edit(project.facts / "actors" / "ee.yaml", "speaker: minister", "speaker: minster")
    assert main(["--root", str(project.root), "check"]) == 1
    err = capsys.readouterr().err
    assert "facts/actors/ee.yaml:29:14: error: unknown person 'minster'" in err
    assert "hint: did you mean 'minister'?" in err
    assert "speaker: minster\n    |              ^" in err


def test_warnings_for_unused_sources_people_and_actors_without_position(
    tmp_path: Path, capsys
) -> None:
    project = make_project(tmp_path)
    north = project.facts / "actors" / "north.yaml"
    north.write_text(north.read_text().split("positions:")[0])
    (project.sources / "gamma.txt").write_text("A text nobody registered.\n")
    assert main(["--root", str(project.root), "check"]) == 0
    err = capsys.readouterr().err
    assert "facts/actors/north.yaml:2:1: warning: actor 'north' has no position" in err
    assert "facts/sources/gamma.txt: warning: source text is not registered" in err
    assert "hint: run: briefing new source gamma.txt" in err
    assert main(["--root", str(project.root), "check", "--strict"]) == 1
    err = capsys.readouterr().err
    assert "north.yaml:2:1: error: actor 'north' has no position" in err
    assert "warning:" not in err


def test_uncited_source_and_unquoted_person_warn(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    ee = project.facts / "actors" / "ee.yaml"
    ee.write_text(ee.read_text().split("statements:")[0])
    edit(ee, "    speaker: president\n", "")
    edit(ee, "source: beta", "source: alpha")
    edit(ee, 'the alliance should offer "clear security guarantees"', "membership was a question")
    assert main(["--root", str(project.root), "check"]) == 0
    err = capsys.readouterr().err
    assert "facts/sources.yaml:10:9: warning: source 'beta' is not cited by any fact" in err
    assert "people.yaml:3:9: warning: person 'minister' is not the speaker" in err
    assert "people.yaml:7:9: warning: person 'president' is not the speaker" in err


@pytest.mark.parametrize("strict", [False, True])
def test_json_format(tmp_path: Path, capsys, strict: bool) -> None:
    root = broken(tmp_path)
    args = ["--root", str(root), "check", "--format", "json"] + (["--strict"] if strict else [])
    assert main(args) == 1
    out = capsys.readouterr().out
    items = json.loads(out)
    assert [(i["file"], i["line"], i["col"], i["severity"], i["code"]) for i in items] == [
        ("facts/actors/ee.yaml", 10, 13, "error", "S003"),
        ("facts/actors/north.yaml", 12, 46, "error", "Q101"),
        ("facts/sources/gamma.txt", 0, 0, "error" if strict else "warning", "Q205"),
    ]
    assert items[0]["hint"].startswith("did you mean 'supports'?")
    keys = {"file", "line", "col", "severity", "code", "message", "hint", "related"}
    assert set(items[0]) == keys


def test_json_format_clean_is_empty_list(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    assert main(["--root", str(project.root), "check", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
