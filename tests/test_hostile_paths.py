"""Files the fact base names or holds stay inside it: no "..", absolute paths, symlinks out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing.core.gate import source_path
from briefing.core.project import Project
from tests.hostile_support import make_project, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(make_project(tmp_path / "project"))


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        ("", "the file name is empty"),
        ("/etc/passwd", "an absolute path is not allowed"),
        ("\\\\server\\share.txt", "an absolute path is not allowed"),
        ("~/notes.txt", "an absolute path is not allowed"),
        ("C:\\notes.txt", "an absolute path is not allowed"),
        ("../sources.yaml", "'..' is not allowed"),
        ("sub/../../people.yaml", "'..' is not allowed"),
        ("..\\people.yaml", "'..' is not allowed"),
        ("alpha.txt\x00.png", "control character"),
        ("missing.txt", "no such file in facts/sources/: missing.txt"),
    ],
)
def test_source_path_refuses(project: Project, file: str, reason: str) -> None:
    path, why = source_path(project, file)
    assert path is None
    assert reason in why


def test_source_path_accepts_a_plain_file(project: Project) -> None:
    path, why = source_path(project, "alpha.txt")
    assert why == "" and path == (project.sources / "alpha.txt").resolve()


def test_source_symlink_inside_sources_is_fine(project: Project) -> None:
    (project.sources / "alias.txt").symlink_to("alpha.txt")
    path, why = source_path(project, "alias.txt")
    assert why == "" and path == (project.sources / "alpha.txt").resolve()


def test_source_symlink_leaving_sources_is_refused(project: Project, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret words that a quote could leak", encoding="utf-8")
    (project.sources / "leak.txt").symlink_to(outside)
    (project.sources / "sneaky").symlink_to(tmp_path)
    for file in ("leak.txt", "sneaky/secret.txt"):
        path, why = source_path(project, file)
        assert path is None
        assert "leads outside facts/sources/" in why


def test_source_symlink_to_other_fact_files_is_refused(project: Project) -> None:
    (project.sources / "people.txt").symlink_to(project.facts / "people.yaml")
    assert "leads outside facts/sources/" in source_path(project, "people.txt")[1]


def test_sources_folder_symlinked_outside_is_refused(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    os.rename(project.sources, elsewhere)
    project.sources.symlink_to(elsewhere)
    assert "leads outside facts/" in source_path(project, "alpha.txt")[1]


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_source_must_be_a_regular_file(project: Project, kind: str) -> None:
    target = project.sources / "odd.txt"
    if kind == "directory":
        target.mkdir()
    else:
        os.mkfifo(target)
    assert source_path(project, "odd.txt") == (None, "not a regular file")


def test_source_refusal_reported_at_the_file_key(project: Project, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("x" * 100, encoding="utf-8")
    (project.sources / "beta.txt").unlink()
    (project.sources / "beta.txt").symlink_to(tmp_path / "outside.txt")
    result = run_cli("--root", str(project.root), "check")
    assert result.code == 1
    assert "facts/sources.yaml:14:11: error: source file refused: the path leads outside" in (
        result.err
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"caf\xe9 au lait", "not valid UTF-8"), (b"\x89PNG\r\n\x1a\n\x00\x00", "binary")],
)
def test_unreadable_source_text(project: Project, content: bytes, message: str) -> None:
    (project.sources / "beta.txt").write_bytes(content)
    result = run_cli("--root", str(project.root), "check")
    assert result.code == 1
    assert "facts/sources.yaml:14:11: error: source file unreadable: " in result.err
    assert message in result.err


def test_actor_yaml_symlinked_outside_facts_is_refused(project: Project, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text((project.actors / "bb.yaml").read_text(encoding="utf-8"))
    (project.actors / "bb.yaml").unlink()
    (project.actors / "bb.yaml").symlink_to(outside)
    (project.actors / "zz.yaml").symlink_to("/dev/zero")
    result = run_cli("--root", str(project.root), "check")
    assert result.code == 1
    assert "facts/actors/bb.yaml: error: file is a symlink that leads outside facts/" in result.err
    assert "facts/actors/zz.yaml: error: file is a symlink that leads outside facts/" in result.err
    # bb failed, so the references to it from aa and people.yaml are not reported again.
    assert "unknown actor" not in result.err


def test_edition_symlinked_outside_facts_is_refused(project: Project, tmp_path: Path) -> None:
    outside = tmp_path / "edition.yaml"
    os.rename(project.facts / "edition.yaml", outside)
    (project.facts / "edition.yaml").symlink_to(outside)
    result = run_cli("--root", str(project.root), "check")
    assert result.code == 1
    assert "facts/edition.yaml: error: file is a symlink that leads outside facts/" in result.err


def test_yaml_symlink_inside_facts_is_fine(project: Project) -> None:
    os.rename(project.actors / "bb.yaml", project.facts / "bb-real.yaml.txt")
    (project.actors / "bb.yaml").symlink_to("../bb-real.yaml.txt")
    assert run_cli("--root", str(project.root), "check").code == 0


def test_symlinked_folder_of_actors_is_not_entered(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "more-actors"
    elsewhere.mkdir()
    (elsewhere / "cc.yaml").write_text("this: would fail\n", encoding="utf-8")
    (project.actors / "more").symlink_to(elsewhere)
    assert run_cli("--root", str(project.root), "check").code == 0


def test_control_characters_in_a_file_name_are_escaped_in_diagnostics(project: Project) -> None:
    """A name that would colour the terminal and forge a line of the report prints inert."""
    (project.sources / "evil\x1b[31m\nfacts:1:1: fine.txt").write_text("Text.\n")
    result = run_cli("--root", str(project.root), "check")
    assert "facts/sources/evil\\x1b[31m\\nfacts:1:1: fine.txt: warning:" in result.err
    assert "evil\\x1b[31m\\nfacts:1:1: fine.txt\n" in result.err  # the hint names it too
    assert "\x1b" not in result.err and "\nfacts:1:1" not in result.err


def test_a_line_shown_under_a_diagnostic_is_escaped(project: Project) -> None:
    """The reader refuses a raw ESC; the line shown with the caret must not carry it out."""
    actor = project.actors / "aa.yaml"
    actor.write_text("id: aa\nname: Nor\x1b[2Jland\n", encoding="utf-8")
    result = run_cli("--root", str(project.root), "check")
    assert "facts/actors/aa.yaml:2:10: error: control character U+001B" in result.err
    assert " 2 | name: Nor\\x1b[2Jland\n   |          ^" in result.err
    assert "\x1b" not in result.err
