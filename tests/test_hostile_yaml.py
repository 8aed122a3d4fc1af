"""Hostile YAML: tags are never constructed, aliases and nesting are bounded, sizes limited."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing.core.gate import MAX_FILE_BYTES, read_text
from briefing.factbase import load
from briefing.factbase.load import MAX_ALIASES, MAX_DEPTH, MAX_NODES, load_file, parse_yaml
from tests.hostile_support import make_project, run_cli


def parse(text: str) -> tuple[object, list[str]]:
    loaded, problems = parse_yaml(text, Path("x.yaml"), "facts/x.yaml")
    return (loaded.data if loaded else None), [p.format() for p in problems]


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:subprocess.Popen",
        "!!python/object/apply:builtins.exec",
    ],
)
def test_python_tags_are_refused_and_never_run(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    command = f"open({str(marker)!r}, 'w')" if "exec" in tag else f"touch {marker}"
    _, problems = parse(f"name: {tag} [{command!r}]\n")
    assert problems and "is not allowed" in problems[0]
    assert problems[0].startswith("facts/x.yaml:1:7: error: YAML tag '!!python/object")
    assert not marker.exists()


@pytest.mark.parametrize(
    "value", ["!!int abc", "!!float x", "!!bool maybe", "!!null foo", "!!map [a]", "!!seq {a: 1}"]
)
def test_explicit_tag_must_fit_the_value(value: str) -> None:
    """A standard tag may not force a conversion that would fail or silently guess."""
    _, problems = parse(f"a: {value}\n")
    assert len(problems) == 1
    assert problems[0].startswith("facts/x.yaml:1:4: error: the tag '!!")
    assert "does not fit this value" in problems[0]


def test_explicit_tag_that_fits_is_harmless() -> None:
    assert parse("a: !!int 12\nb: !!str 12\nc: !!bool true\n") == (
        {"a": 12, "b": "12", "c": True},
        [],
    )


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["lol0: &l0 " + "[" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_while_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused at the alias that tips the budget, before a single value is built."""

    def no_building(*args: object, **kwargs: object) -> object:
        raise AssertionError("the bomb reached the builder")

    monkeypatch.setattr(load._Builder, "build", no_building)
    data, problems = parse(billion_laughs())
    assert data is None
    assert len(problems) == 1
    # 10**5 values are reached on line 5 (lol4 = 10 x lol3 = 10 x 1,111 values).
    assert problems[0].startswith("facts/x.yaml:5:")
    assert f"more than {MAX_NODES:,} values" in problems[0]


def test_wide_alias_fanout_is_refused() -> None:
    """Few aliases, each to a large list: bounded by expanded size, not by alias count."""
    big = "[" + ", ".join(["x"] * 2000) + "]"
    aliases = ", ".join(["*big"] * 60)  # 60 x 2,001 values: over the budget, under MAX_ALIASES
    _, problems = parse(f"big: &big {big}\nall: [{aliases}]\n")
    assert problems and "alias bomb" in problems[0]
    assert problems[0].startswith("facts/x.yaml:2:")


def test_a_few_aliases_are_fine() -> None:
    data, problems = parse("a: &q some words\nb: *q\nc: [*q, *q]\n")
    assert problems == []
    assert data == {"a": "some words", "b": "some words", "c": ["some words", "some words"]}


def test_alias_count_is_bounded() -> None:
    ok = ", ".join(["*a"] * MAX_ALIASES)
    assert parse(f"a: &a x\nb: [{ok}]\n")[1] == []
    _, problems = parse(f"a: &a x\nb: [{ok}, *a]\n")
    assert f"more than {MAX_ALIASES} aliases" in problems[0]


def test_recursive_alias_is_refused() -> None:
    _, problems = parse("a: &a\n  b: *a\n")
    assert problems[0].startswith("facts/x.yaml:2:6: error: alias '*a' refers to a value")


def test_nesting_limit() -> None:
    fine = "a: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2) + "\n"
    assert parse(fine)[1] == []
    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    _, problems = parse(deep)
    assert problems[0].startswith("facts/x.yaml:1:")
    assert f"nesting deeper than {MAX_DEPTH} levels" in problems[0]


def test_depth_hidden_behind_an_alias_is_refused() -> None:
    """Each part is shallow enough, but the alias puts a deep value deep inside another."""
    half = MAX_DEPTH // 2 + 5
    text = f"a: &deep {'[' * half}{']' * half}\nb: {'[' * half}*deep{']' * half}\n"
    _, problems = parse(text)
    assert problems and "once aliases are expanded" in problems[0]


def test_plain_scalars_are_not_converted() -> None:
    """NO stays a country code and 2023-07 a string: no YAML 1.1 surprises."""
    data, problems = parse("code: NO\nanswer: yes\ndate: 2023-07-11\nn: 3\nok: true\nz: ~\n")
    assert problems == []
    assert data == {
        "code": "NO",
        "answer": "yes",
        "date": "2023-07-11",
        "n": 3,
        "ok": True,
        "z": None,
    }


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_lines_are_numbered_as_an_editor_numbers_them(separator: str) -> None:
    """PyYAML breaks lines at NEL and the Unicode separators; an editor does not, and the
    line:col of an error must be the one the curator's editor shows."""
    _, problems = parse(f"a: '{separator}x{separator}'\nb: 'x\n")
    assert problems and problems[0].startswith("facts/x.yaml:2:4:"), problems
    loaded, _ = parse_yaml(f"a: '{separator}'\nb: {{c: 1}}\n", Path("x.yaml"), "facts/x.yaml")
    assert loaded is not None and loaded.values[("b", "c")] == (2, 8)
    assert parse(f"a: 1\r{separator}b:\r\t- 2\r")[1][0].startswith("facts/x.yaml:3:")


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: aa\n")
    loaded, problems = load_file(path, "facts/a.yaml")
    assert problems == [] and loaded is not None and loaded.data == {"id": "aa"}


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (MAX_FILE_BYTES - 3) + b"\n")
    assert read_text(path, "facts/big.yaml")[0] is not None  # exactly at the limit: read
    path.write_bytes(b"# " + b"x" * (MAX_FILE_BYTES - 2) + b"\n")
    text, problems = read_text(path, "facts/big.yaml")
    assert text is None
    assert (
        problems[0]
        .format()
        .startswith(
            f"facts/big.yaml: error: file is {MAX_FILE_BYTES + 1:,} bytes; the limit is "
            f"{MAX_FILE_BYTES:,} (512 KiB)"
        )
    )


def test_oversized_actor_file_via_cli(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    target = root / "facts/actors/aa.yaml"
    padding = "# padding\n" * (MAX_FILE_BYTES // 10 + 1)
    target.write_text(target.read_text(encoding="utf-8") + padding, encoding="utf-8")
    result = run_cli("--root", str(root), "check")
    assert result.code == 1
    assert "facts/actors/aa.yaml: error: file is " in result.err
    assert "the limit is 524,288" in result.err


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """A named pipe would block a naive reader forever; it is refused as not a regular file."""
    root = make_project(tmp_path / "project")
    os.mkfifo(root / "facts/actors/cc.yaml")
    result = run_cli("--root", str(root), "check")
    assert result.code == 1
    assert "facts/actors/cc.yaml: error: not a regular file" in result.err


def test_directory_named_yaml_is_not_an_actor(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    (root / "facts/actors/notes.yaml").mkdir()
    assert run_cli("--root", str(root), "check").code == 0


@pytest.mark.parametrize(
    ("written", "code"),
    [('"\\e[31mred"', "U+001B"), ('"bell\\x07"', "U+0007"), ('"\\u009b2J"', "U+009B")],
)
def test_control_characters_written_as_escapes_are_refused(written: str, code: str) -> None:
    """An escape in double quotes makes the control character the reader refuses raw."""
    _, problems = parse(f"id: aa\nname: {written}\n")
    assert len(problems) == 1
    assert problems[0].startswith(f"facts/x.yaml:2:7: error: control character {code}")
    _, problems = parse(f'id: aa\n"key{written[1:]}: 1\n')
    assert problems and problems[0].startswith(f"facts/x.yaml:2:1: error: control character {code}")


def test_escaped_tab_and_newline_are_still_text() -> None:
    assert parse('a: "one\\ttwo\\nthree"\n') == ({"a": "one\ttwo\nthree"}, [])


def test_escaped_control_character_stops_the_check(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    actor = root / "facts" / "actors" / "aa.yaml"
    text = actor.read_text(encoding="utf-8")
    actor.write_text(text.replace("name: Norland", 'name: "Nor\\e[31mland"'), encoding="utf-8")
    result = run_cli("--root", str(root), "check")
    assert result.code == 1
    assert "facts/actors/aa.yaml:3:7: error: control character U+001B" in result.err
    assert "\x1b" not in result.err + result.out


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_line_separators_inside_comments_are_comment_text(separator: str) -> None:
    """PyYAML ends a comment at these as at a line break; an editor shows one comment line."""
    assert parse(f"# pasted{separator}from a page\nid: aa\n") == ({"id": "aa"}, [])
    assert parse(f"id: aa  # note{separator}name: hidden\n") == ({"id": "aa"}, [])
    assert parse(f"a: >-  # folded{separator}x: 1\n  text\n") == ({"a": "text"}, [])
    assert parse(f"a:\n  - 1  # one{separator}\n  - 2\n") == ({"a": [1, 2]}, [])
