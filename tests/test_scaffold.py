"""`briefing new`: skeletons appended as text, comments kept, placeholders the check reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.authoring.scaffold import ScaffoldError, require
from briefing.check.facts import run_check
from briefing.cli import main
from briefing.core.diagnostics import errors
from briefing.core.project import Project
from briefing.factbase.load import load_file
from tests.editing_fixture import edit, make_project

INSTRUMENTS = ("bilateral agreement", "declaration")


def problems_of(project: Project) -> list[str]:
    _, problems = run_check(project)
    return [f"{p.location}: {p.severity}: {p.message}" for p in problems]


def test_new_source_appends_entry_and_keeps_comments(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    registry = project.facts / "sources.yaml"
    before = registry.read_text()
    (project.sources / "Gamma Report.txt").write_text("Gamma Daily\n\nThe council agreed.\n")
    new = ["--root", str(project.root), "new", "source", "Gamma Report.txt"]
    assert main([*new, "--reliability", "B"]) == 0
    assert "facts/sources.yaml:16: added source 'gamma-report'" in capsys.readouterr().out
    after = registry.read_text()
    assert after.startswith(before), "appended, nothing above it rewritten"
    assert "# Two small texts for tests." in after
    assert "# The text begins: Gamma Daily" in after
    assert problems_of(project) == [
        "facts/sources.yaml:16:9: warning: source 'gamma-report' is not cited by any fact",
        "facts/sources.yaml:20:12: error: 'title' still holds a placeholder",
        "facts/sources.yaml:21:13: error: 'outlet' still holds a placeholder",
        "facts/sources.yaml:23:23: error: 'reliability_note' still holds a placeholder",
    ]
    # Filling in the placeholders is all it takes.
    text = after.replace("'FILL IN: the headline, or a short description of the text'", "Gamma")
    text = text.replace("'FILL IN: the outlet exactly as the text names it'", "Gamma Daily")
    text = text.replace("'FILL IN: one line on why this grade'", "Unknown outlet.")
    registry.write_text(text)
    assert problems_of(project) == [
        "facts/sources.yaml:16:9: warning: source 'gamma-report' is not cited by any fact"
    ]


def test_new_source_refusals(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    root = str(project.root)
    assert main(["--root", root, "new", "source", "alpha.txt"]) == 1
    assert "alpha.txt is already registered in facts/sources.yaml" in capsys.readouterr().err
    assert main(["--root", root, "new", "source", "missing.txt"]) == 1
    assert "no such file in facts/sources/: missing.txt" in capsys.readouterr().err
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("text\n")
    assert main(["--root", root, "new", "source", str(outside)]) == 1
    assert "is not in facts/sources/; copy it there first" in capsys.readouterr().err
    (project.sources / "beta2.txt").write_text("x\n")
    assert main(["--root", root, "new", "source", "beta2.txt", "--id", "beta"]) == 1
    assert "source id 'beta' is taken" in capsys.readouterr().err


def test_new_source_into_empty_flow_list(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    registry = project.facts / "sources.yaml"
    registry.write_text("# my sources\nsources: []  # none yet\n")
    (project.sources / "gamma.txt").write_text("Hello.\n")
    assert main(["--root", str(project.root), "new", "source", "gamma.txt"]) == 0
    loaded, problems = load_file(registry, "sources.yaml")
    assert loaded is not None and problems == []
    assert [s["id"] for s in loaded.data["sources"]] == ["gamma"]
    assert registry.read_text().startswith("# my sources\nsources:\n  - id: gamma")


def test_new_commitment_needs_options_without_a_terminal(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    assert main(["--root", str(project.root), "new", "commitment", "--actor", "ee"]) == 2
    err = capsys.readouterr().err
    assert "missing required value(s): --id" in err
    assert "stdin is not a terminal, so pass them as options" in err


def test_new_commitment_leaves_declared_fields_to_fill_in(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    args = ["--root", str(project.root), "new", "commitment", "--actor", "ee", "--id", "ee-x"]
    assert main([*args, "--status", "agreed"]) == 0
    text = (project.facts / "actors" / "ee.yaml").read_text()
    assert "instrument: 'FILL IN: the instrument: bilateral agreement, declaration" in text
    assert "status: agreed" in text
    assert "mutual_defence: 'FILL IN: the mutual defence: yes, no, not stated'" in text
    problems = problems_of(project)
    assert any("'instrument' still holds a placeholder" in p for p in problems)


def test_new_commitment_lands_in_the_middle_of_the_file(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    ee = project.facts / "actors" / "ee.yaml"
    args = ["--root", str(project.root), "new", "commitment", "--actor", "ee", "--id", "ee-pkg"]
    args += ["--instrument", "support package", "--status", "agreed"]
    args += ["--mutual-defence", "not stated", "--source", "beta"]
    args += ["--quote", "talks would continue through the summer"]
    assert main(args) == 0
    assert "facts/actors/ee.yaml:27: added commitment 'ee-pkg'" in capsys.readouterr().out
    loaded, _ = load_file(ee, "ee.yaml")
    assert loaded is not None
    assert [c["id"] for c in loaded.data["commitments"]] == ["ee-partnership", "ee-pkg"]
    assert [s["id"] for s in loaded.data["statements"]] == ["ee-minister-partnership"]
    assert loaded.data["commitments"][1]["mutual_defence"] == "not stated"
    assert "# Estonia, as the test fact base records it." in ee.read_text()
    # Only what was not given is left to write; the given quote is verified and passes.
    assert problems_of(project) == [
        "facts/actors/ee.yaml:28:12: error: 'title' still holds a placeholder",
        "facts/actors/ee.yaml:29:14: error: 'parties' still holds a placeholder",
        "facts/actors/ee.yaml:36:14: error: 'summary' still holds a placeholder",
    ]
    edit(ee, "'FILL IN: short name of the commitment, in our words'", "Summer talks")
    edit(ee, "'FILL IN: ids of the other actors party to it, e.g. [ua, pl], or []'", "[north]")
    edit(ee, "'FILL IN: what the commitment does, in our words'", "Talks go on.")
    assert problems_of(project) == []


def test_new_commitment_takes_parties_date_and_summary(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    args = ["--root", str(project.root), "new", "commitment", "--actor", "ee", "--id", "ee-x"]
    args += ["--title", "Summer talks", "--parties", "north, ee", "--date", "2031-06/2031-08"]
    args += ["--summary", "Talks go on.", "--instrument", "plan", "--status", "agreed"]
    args += ["--mutual-defence", "no", "--source", "beta"]
    args += ["--quote", "talks would continue through the summer"]
    assert main(args) == 0
    loaded, _ = load_file(project.facts / "actors" / "ee.yaml", "ee.yaml")
    assert loaded is not None
    added = loaded.data["commitments"][-1]
    assert added["parties"] == ["north", "ee"]
    assert added["date"] == {"value": "2031-06/2031-08", "basis": "stated"}
    assert added["summary"] == "Talks go on."
    assert problems_of(project) == []
    bad = [*args[:7], "ee-y", "--date", "2031-13"]
    assert main(bad) == 1


def test_new_person_appends_and_checks_the_actor(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    base = ["--root", str(project.root), "new", "person"]
    assert main([*base, "kask", "--name", "Mari Kask", "--role", "Minister", "--actor", "e"]) == 1
    assert "no actor 'e' in facts/actors/" in capsys.readouterr().err
    assert main([*base, "kask", "--name", "Mari Kask", "--role", "Minister", "--actor", "ee"]) == 0
    loaded, _ = load_file(project.facts / "people.yaml", "people.yaml")
    assert loaded is not None
    assert loaded.data["people"][-1] == {
        "id": "kask",
        "name": "Mari Kask",
        "role": "Minister",
        "actor": "ee",
    }
    assert main([*base, "kask", "--name", "X", "--role", "Y", "--actor", "ee"]) == 1


def test_new_commitment_rejects_bad_choice_and_used_id(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    base = ["--root", str(project.root), "new", "commitment", "--actor", "ee"]
    rest = ["--status", "agreed", "--mutual-defence", "no"]
    assert main([*base, "--id", "x1", "--instrument", "treaty", *rest]) == 1
    assert "--instrument 'treaty' is not allowed" in capsys.readouterr().err
    assert main([*base, "--id", "x1", "--instrumnt", "plan", *rest]) == 2
    assert "--instrumnt is not a field of a commitment; did you mean 'instrument'" in (
        capsys.readouterr().err
    )
    assert main([*base, "--id", "ee-partnership", "--instrument", "plan", *rest]) == 1
    assert "fact id 'ee-partnership' is already used" in capsys.readouterr().err
    assert main([*base[:-1], "nowhere", "--id", "x2", "--instrument", "plan", *rest]) == 1
    assert "no actor file facts/actors/nowhere.yaml; known actors: ee, north" in (
        capsys.readouterr().err
    )


def test_new_statement_with_placeholders_reports_what_to_write(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    args = ["--root", str(project.root), "new", "statement", "--actor", "north"]
    assert main([*args, "--id", "north-says", "--speaker", "president"]) == 0
    found = problems_of(project)
    # The placeholder source id is not a valid id, and the placeholder quote is not in any
    # source; only the placeholder errors are shown, each saying what to write.
    assert found == [
        "facts/actors/north.yaml:26:14: error: 'summary' still holds a placeholder",
        "facts/actors/north.yaml:28:17: error: 'source' still holds a placeholder",
        "facts/actors/north.yaml:29:16: error: 'quote' still holds a placeholder",
    ]
    _, problems = run_check(project)
    hints = [p.hint for p in errors(problems)]
    assert hints[1] == "write id of the source in sources.yaml (and drop the 'FILL IN')"


def test_new_position_creates_the_list_and_default_id(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    north = project.facts / "actors" / "north.yaml"
    north.write_text(north.read_text().split("positions:")[0])
    args = ["--root", str(project.root), "new", "position", "--actor", "north"]
    assert main([*args, "--question", "nope", "--stance", "cautious"]) == 1
    assert "--question 'nope' is not allowed; choose one of: invitation" in (
        capsys.readouterr().err
    )
    assert main([*args, "--question", "invitation", "--stance", "cautious"]) == 0
    loaded, _ = load_file(north, "north.yaml")
    assert loaded is not None
    assert loaded.data["positions"][0]["id"] == "north-invitation"
    assert loaded.data["positions"][0]["stance"] == "cautious"


def test_unindented_lists_keep_their_style(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ee = project.facts / "actors" / "ee.yaml"
    text = ee.read_text()
    head, statements = text.split("statements:\n")
    flat = "\n".join(line[2:] for line in statements.splitlines())
    ee.write_text(f"{head}statements:\n{flat}\n")
    args = ["--root", str(project.root), "new", "statement", "--actor", "ee", "--id", "ee-2"]
    assert main([*args, "--speaker", "minister"]) == 0
    assert "\n- id: ee-2\n  speaker: minister" in ee.read_text()


def test_broken_file_is_left_alone(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    ee = project.facts / "actors" / "ee.yaml"
    ee.write_text(ee.read_text() + "  bad: [\n")
    before = ee.read_text()
    args = ["--root", str(project.root), "new", "statement", "--actor", "ee", "--id", "ee-2"]
    assert main([*args, "--speaker", "minister"]) == 1
    assert "fix this file first" in capsys.readouterr().err
    assert ee.read_text() == before


def test_new_actor(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    root = str(project.root)
    assert (
        main(["--root", root, "new", "actor", "lv", "--name", "Latvia", "--kind", "country"]) == 2
    )
    assert "missing required value(s): --code" in capsys.readouterr().err
    args = ["--root", root, "new", "actor", "lv", "--name", "Latvia", "--kind", "country"]
    assert main([*args, "--code", "lv"]) == 0
    text = (project.actors / "lv.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schema/actor.schema.json\n")
    assert "code: LV" in text
    assert problems_of(project) == [
        "facts/actors/lv.yaml: warning: actor 'lv' has 0 key judgments; a bottom line has 1 to 4",
        "facts/actors/lv.yaml:3:1: warning: actor 'lv' has no position",
    ]
    assert main([*args, "--code", "lv"]) == 2
    assert "facts/actors/lv.yaml already exists" in capsys.readouterr().err


def test_prompts_accept_numbers_or_values() -> None:
    answers = iter(["", "99", "2", "signed", "my-id"])
    asked: list[str] = []

    def ask(question: str) -> str:
        asked.append(question)
        return next(answers)

    values = require(
        {"instrument": None, "status": None, "id": None},
        {"instrument": INSTRUMENTS, "status": ("proposed", "signed")},
        ask,
    )
    assert values == {"instrument": INSTRUMENTS[1], "status": "signed", "id": "my-id"}
    assert "  1. bilateral agreement" in asked[0]
    with pytest.raises(ScaffoldError, match="missing required value"):
        require({"id": None}, {}, None)


# --- init never writes where it should not --------------------------------------------------


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def test_init_over_a_dangling_facts_symlink_is_refused(tmp_path: Path, capsys) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "facts").symlink_to(tmp_path / "gone")
    assert main(["init", str(desk)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "facts is a symlink" in err
    assert "Traceback" not in err
    assert files_under(desk) == [desk / "facts"] and not (tmp_path / "gone").exists()


def test_init_never_overwrites_a_file(tmp_path: Path, capsys) -> None:
    desk = tmp_path / "desk"
    (desk / "templates").mkdir(parents=True)
    (desk / "templates" / "README.md").write_text("our own notes\n", encoding="utf-8")
    (desk / ".gitignore").write_text("secret/\n", encoding="utf-8")
    assert main(["init", str(desk)]) == 0
    out = capsys.readouterr().out
    assert "skipped templates/README.md: it is there already" in out
    assert "skipped .gitignore:" in out
    assert (desk / "templates" / "README.md").read_text(encoding="utf-8") == "our own notes\n"
    assert (desk / ".gitignore").read_text(encoding="utf-8") == "secret/\n"
    assert (desk / "facts" / "vocabulary.yaml").is_file()
    assert (desk / "schema" / "actor.schema.json").is_file()


@pytest.mark.parametrize("folder", ["schema", "templates"])
def test_init_refuses_a_folder_that_leads_outside(tmp_path: Path, folder: str, capsys) -> None:
    desk, elsewhere = tmp_path / "desk", tmp_path / "elsewhere"
    desk.mkdir()
    elsewhere.mkdir()
    (desk / Path(folder).name).symlink_to(elsewhere, target_is_directory=True)
    assert main(["init", str(desk)]) == 2
    err = capsys.readouterr().err
    assert f"error: {Path(folder).name} is a symlink that leads outside {desk}" in err
    assert files_under(elsewhere) == []
    assert files_under(desk) == [desk / Path(folder).name]  # nothing written inside either


def test_init_refuses_a_file_where_a_folder_goes(tmp_path: Path, capsys) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "schema").write_text("not a folder\n", encoding="utf-8")
    assert main(["init", str(desk)]) == 2
    assert "schema is a file where init needs a folder" in capsys.readouterr().err
    assert files_under(desk) == [desk / "schema"]
