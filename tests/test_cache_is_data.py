"""The cache is data, never code, and names no path; the project's own folders stay inside it.

Whoever can write .cache/ (a shared checkout, an unpacked archive, a synced folder) must not be
able to run code or choose where a build writes; a symlinked .cache/, build/, facts/ or
templates/ must not carry the build out of the project.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import jinja2
import pytest

from briefing.cli import main
from briefing.core.project import Project
from briefing.core.store import Store
from briefing.factbase.plan import PATHS
from briefing.pdf.cache import inputs_key
from briefing.render.pages import PACKAGE_TEMPLATES
from briefing.site.build import build
from briefing.site.data import export


class _Touch:
    """Unpickling this creates `marker`: proof that a planted file was run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (str(self.marker), "w")


def _hostile(marker: Path) -> bytes:
    """What Jinja's bytecode cache would read (its magic, then a pickle): a payload that runs."""
    return jinja2.bccache.bc_magic + pickle.dumps(_Touch(marker), 2)


def _plant_everywhere(project: Project, payload: bytes) -> int:
    """Overwrite every file the build left under .cache/, and plant one where Jinja's bytecode
    cache in .cache/briefing/templates/ would look for each template."""
    cache = project.root / ".cache"
    planted = 0
    for path in cache.rglob("*"):
        if path.is_file():
            path.write_bytes(payload)
            planted += 1
    folder = cache / "briefing" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    for template in PACKAGE_TEMPLATES.rglob("*"):
        name = template.relative_to(PACKAGE_TEMPLATES).as_posix()
        key = hashlib.sha1(f"{name}|{template}".encode()).hexdigest()
        (folder / f"__jinja2_{key}.cache").write_bytes(payload)
        planted += 1
    return planted


def test_a_planted_pickle_in_the_cache_runs_nothing(mini: Project, tmp_path: Path) -> None:
    build(mini, pdf=False)
    marker = tmp_path / "ran"
    assert _plant_everywhere(mini, _hostile(marker)) > 0
    # The payload does run when unpickled: the test would see it.
    pickle.loads(_hostile(marker)[len(jinja2.bccache.bc_magic) :])
    assert marker.exists()
    marker.unlink()
    (mini.facts / "overview.yaml").touch()  # the pages are made again, not kept
    build(mini, pdf=False)
    assert not marker.exists()


def _data_entry(project: Project) -> tuple[Store, str]:
    return Store(project.root / ".cache" / "briefing-data"), inputs_key("data", project.facts)


@pytest.mark.parametrize(
    "files",
    [
        {"../../escape.txt": "planted"},
        {**dict.fromkeys(PATHS, "x"), "../../escape.txt": "planted"},
        {"ABSOLUTE": "planted"},
        ["planted", "../../escape.txt"],
    ],
    ids=["dotdot", "extra-name", "absolute", "list"],
)
def test_a_data_cache_entry_chooses_no_path(mini: Project, tmp_path: Path, files: object) -> None:
    absolute = tmp_path / "absolute-escape.txt"
    if isinstance(files, dict) and "ABSOLUTE" in files:
        files = {str(absolute): files.pop("ABSOLUTE")}
    build(mini, pdf=False)
    expected = {p: (mini.build / p).read_bytes() for p in PATHS}
    store, key = _data_entry(mini)
    # A well-formed entry (its digest is right), whatever it names.
    store.put(key, json.dumps(files).encode())
    assert store.get(key) is not None
    (mini.build / "index.html").unlink()  # so that the build writes build/ again
    build(mini, pdf=False)
    assert not (mini.root.parent / "escape.txt").exists()
    assert not (mini.root / "escape.txt").exists()
    assert not absolute.exists()
    assert {p: (mini.build / p).read_bytes() for p in PATHS} == expected
    assert sorted(p.relative_to(mini.build).as_posix() for p in mini.build.rglob("*.csv")) == [
        p for p in sorted(PATHS) if p.endswith(".csv")
    ]


def test_the_data_cache_gives_back_what_the_build_would_make(mini: Project) -> None:
    from briefing.site.build import checked_facts, exported

    checked, facts, _ = checked_facts(mini, pdf=False)
    store, _ = _data_entry(mini)
    first = exported(mini, facts, checked.texts, store)
    again = exported(mini, facts, checked.texts, store)
    assert first == again == export(facts, checked.texts)
    assert set(first) == set(PATHS)


def test_a_cache_folder_linked_outside_is_not_followed(
    mini: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (mini.root / ".cache").symlink_to(elsewhere)
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    assert list(elsewhere.iterdir()) == []
    out = capsys.readouterr()
    said = out.out + out.err
    assert said.count("without the cache") == 1 and ".cache/ is a symlink" in said
    assert (mini.build / "index.html").is_file()


def test_a_cache_subfolder_linked_outside_is_not_followed(mini: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    store, key = _data_entry(mini)
    store.folder.mkdir(parents=True)
    (store.folder / key[:2]).symlink_to(elsewhere)
    build(mini, pdf=False)
    assert list(elsewhere.iterdir()) == []


def test_a_build_folder_that_is_a_symlink_is_refused(
    mini: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine", encoding="utf-8")
    mini.build.symlink_to(elsewhere)
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "build/ is a symlink" in err and "Traceback" not in err
    assert mini.build.is_symlink()
    assert [p.name for p in elsewhere.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("folder", ["facts", "templates"])
def test_a_project_folder_linked_outside_is_refused(
    mini: Project, tmp_path: Path, folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    if folder == "facts":
        mini.facts.rename(elsewhere)
    else:
        elsewhere.mkdir()
        (elsewhere / "brief.html").write_text("outside words", encoding="utf-8")
    (mini.root / folder).symlink_to(elsewhere)
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert f"{folder}/: error: " in err and "symlink that leads outside the project" in err
    assert "Traceback" not in err
    assert not mini.build.exists()


def test_a_project_folder_linked_inside_the_project_is_fine(mini: Project) -> None:
    mini.facts.rename(mini.root / "kept-facts")
    mini.facts.symlink_to(mini.root / "kept-facts")
    build(mini, pdf=False)
    assert (mini.build / "index.html").is_file()
