"""One gate for every file the tool reads: nothing outside its project folder, even by symlink."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from briefing.authoring.findquote import load_sources
from briefing.check.facts import check_placeholders
from briefing.cli import main
from briefing.core.gate import MAX_FILE_BYTES, SourceLines
from briefing.core.project import Project
from briefing.factbase.validate import load_fact_base

SECRET = "root:x:0:0:secret-outside-words:/root:/bin/bash"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file beside the project, never to be read: it stands for /etc/passwd."""
    path = tmp_path / "passwd"
    path.write_text(f"{SECRET}\nThe Harbour Council meets in May.\n", encoding="utf-8")
    return path


def test_gate_reads_inside_and_refuses_what_leads_out(mini: Project, outside: Path) -> None:
    from briefing.core.gate import read_project_file

    inside = mini.sources / "harbour.txt"
    text, problems = read_project_file(inside, mini.sources, "facts/sources/harbour.txt")
    assert text is not None and problems == []
    (mini.sources / "leak.txt").symlink_to(outside)
    text, problems = read_project_file(
        mini.sources / "leak.txt", mini.sources, "facts/sources/leak.txt"
    )
    assert text is None
    [problem] = problems
    assert problem.format().startswith(
        "facts/sources/leak.txt: error: file is a symlink that leads outside "
        "facts/sources/ [F007]\n"
        "    hint: copy the file into the project"
    )
    # '..' is no way out either, and neither is a symlinked folder on the way.
    dotdot = mini.sources / ".." / ".." / ".." / outside.name
    assert read_project_file(dotdot, mini.sources, "x")[0] is None
    (mini.sources / "folder").symlink_to(outside.parent)
    assert read_project_file(mini.sources / "folder" / outside.name, mini.sources, "y")[0] is None


def test_gate_keeps_the_size_cap(mini: Project) -> None:
    from briefing.core.gate import read_project_file

    big = mini.root / "big.txt"
    big.write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    text, problems = read_project_file(big, mini.root, "big.txt")
    assert text is None and "the limit is" in problems[0].message
    assert read_project_file(big, mini.root, "big.txt", limit=MAX_FILE_BYTES + 1)[0] is not None


def test_find_quote_skips_a_source_symlinked_outside(mini: Project, outside: Path, capsys) -> None:
    (mini.sources / "leak.txt").symlink_to(outside)
    assert [s.name for s in load_sources(mini)] == ["facts/sources/harbour.txt"]
    assert main(["--root", str(mini.root), "find-quote", "secret-outside-words"]) == 1
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert "leak.txt" not in captured.out + captured.err


def test_find_quote_skips_a_sources_folder_symlinked_outside(
    mini: Project, outside: Path, tmp_path: Path, capsys
) -> None:
    elsewhere = tmp_path / "elsewhere"
    os.rename(mini.sources, elsewhere)
    os.rename(outside, elsewhere / "passwd.txt")
    mini.sources.symlink_to(elsewhere)
    assert load_sources(mini) == []
    assert main(["--root", str(mini.root), "find-quote", "secret-outside-words"]) == 2
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert "error: no source texts in facts/sources/" in captured.err


def test_placeholders_are_not_read_through_a_symlink_outside_facts(
    mini: Project, tmp_path: Path, capsys
) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(f"id: zz\nname: 'FILL IN: {SECRET}'\n", encoding="utf-8")
    (mini.actors / "zz.yaml").symlink_to(elsewhere)
    _, _, files = load_fact_base(mini)
    assert check_placeholders(files) == []
    assert main(["--root", str(mini.root), "check"]) == 1
    err = capsys.readouterr().err
    assert "secret-outside-words" not in err
    assert "facts/actors/zz.yaml: error: file is a symlink that leads outside facts/" in err


def test_caret_printer_reads_only_inside_the_project(mini: Project, outside: Path) -> None:
    lines = SourceLines(mini.root)
    assert lines.get("facts/actors/south.yaml", 1) == "id: south"
    (mini.facts / "linked.yaml").symlink_to(outside)
    assert lines.get("facts/linked.yaml", 1) is None
    assert lines.get(f"../{outside.name}", 1) is None
    assert lines.get(str(outside), 1) is None
    (mini.facts / "huge.yaml").write_bytes(b"a: b\n" * (MAX_FILE_BYTES // 5 + 1))
    assert lines.get("facts/huge.yaml", 1) is None


def test_caret_printer_shows_no_outside_line_under_a_diagnostic(
    mini: Project, outside: Path, capsys
) -> None:
    # The file a diagnostic names is swapped for a symlink before the report is printed.
    from briefing.cli import report
    from briefing.core.diagnostics import Diagnostic, Location

    (mini.facts / "swapped.yaml").symlink_to(outside)
    report(
        [Diagnostic(Location("facts/swapped.yaml", 1, 1), "something is wrong", code="F002")],
        None,
        mini,
    )
    err = capsys.readouterr().err
    assert "facts/swapped.yaml:1:1: error: something is wrong" in err
    assert SECRET not in err


COMMITMENT = ["--id", "x-pkg", "--instrument", "declaration", "--status", "proposed"]


@pytest.mark.parametrize("actor", ["../../../elsewhere", "/tmp/elsewhere", "South", "pl\n"])
def test_new_fact_refuses_an_actor_id_that_is_not_an_id(
    mini: Project, tmp_path: Path, actor: str, capsys
) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("id: elsewhere\ncommitments: []\n", encoding="utf-8")
    before = elsewhere.read_text(encoding="utf-8")
    args = ["--root", str(mini.root), "new", "commitment", "--actor", actor, *COMMITMENT]
    assert main([*args, "--mutual-defence", "no"]) == 1
    err = capsys.readouterr().err
    assert f"error: actor id {actor!r} is not valid" in err
    assert "Traceback" not in err
    assert elsewhere.read_text(encoding="utf-8") == before


def test_new_fact_refuses_an_actor_file_symlinked_outside(
    mini: Project, tmp_path: Path, capsys
) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(f"id: ghost\nname: '{SECRET}'\ncommitments: []\n", encoding="utf-8")
    before = elsewhere.read_text(encoding="utf-8")
    (mini.actors / "ghost.yaml").symlink_to(elsewhere)
    args = ["--root", str(mini.root), "new", "commitment", "--actor", "ghost", *COMMITMENT]
    assert main([*args, "--mutual-defence", "no"]) == 2
    err = capsys.readouterr().err
    assert "error: facts/actors/ghost.yaml is a symlink that leads outside facts/actors/" in err
    assert SECRET not in err
    assert elsewhere.read_text(encoding="utf-8") == before
    assert (mini.actors / "ghost.yaml").is_symlink(), "the link is left as it was"


def test_new_actor_refuses_a_dangling_symlink_outside(
    mini: Project, tmp_path: Path, capsys
) -> None:
    (mini.actors / "lv.yaml").symlink_to(tmp_path / "planted.yaml")
    args = ["--root", str(mini.root), "new", "actor", "lv", "--name", "Latvia"]
    assert main([*args, "--kind", "country", "--code", "LV"]) == 2
    assert "leads outside facts/actors/" in capsys.readouterr().err
    assert not (tmp_path / "planted.yaml").exists()


def test_scaffold_lookups_do_not_read_outside_facts(mini: Project, tmp_path: Path) -> None:
    from briefing.authoring.scaffold import _all_fact_ids, question_ids

    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(
        "id: zz\ncommitments: [{id: outside-fact}]\nquestions: [{id: outside-q}]\n",
        encoding="utf-8",
    )
    (mini.actors / "zz.yaml").symlink_to(elsewhere)
    assert "outside-fact" not in _all_fact_ids(mini)
    (mini.facts / "edition.yaml").unlink()
    (mini.facts / "edition.yaml").symlink_to(elsewhere)
    assert question_ids(mini) == []


def test_write_text_atomic_flushes_the_file_then_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.core.files import write_text_atomic

    events: list[tuple[str, int]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        events.append(("fsync dir" if stat.S_ISDIR(info.st_mode) else "fsync file", info.st_ino))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append(("replace", os.stat(src).st_ino))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    target = tmp_path / "facts" / "people.yaml"
    target.parent.mkdir()
    target.write_text("people: []\n", encoding="utf-8")
    target.chmod(0o600)
    write_text_atomic(target, "people: [x]\n")
    assert target.read_text(encoding="utf-8") == "people: [x]\n"
    assert target.stat().st_mode & 0o777 == 0o600
    # The data is on disk before the rename makes it visible, and the rename before we return.
    written, folder = target.stat().st_ino, target.parent.stat().st_ino
    assert events == [("fsync file", written), ("replace", written), ("fsync dir", folder)]
