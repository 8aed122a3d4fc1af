"""One snapshot per build: what is checked is what is rendered, attached, frozen and published;
an input saved during a build stops it; an older build never has the last word; and a build
with nothing changed answers from one digest."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefing.core.diagnostics import PublishError
from briefing.core.project import Project
from briefing.editions.released import past as released_past
from briefing.factbase.snapshot import InputsChanged, take
from briefing.site import build as build_module
from briefing.site.build import build, release

EDITED = "facts/actors/south.yaml"


def manifest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the SHA-256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def edit(project: Project) -> None:
    """Save the actor file with a change the pages would show (a comment would do as well:
    the fact base is attached to the PDFs)."""
    path = project.root / EDITED
    path.write_text(path.read_text(encoding="utf-8") + "\n# saved mid-build\n", encoding="utf-8")


def edit_after_the_check(monkeypatch: pytest.MonkeyPatch, project: Project) -> None:
    """Save EDITED once the check has read the facts, before anything is rendered."""
    original: Callable[..., Any] = released_past

    def past_then_edit(*args: Any, **kwargs: Any) -> Any:
        edit(project)
        return original(*args, **kwargs)

    monkeypatch.setattr(build_module, "past", past_then_edit)


def test_a_file_saved_during_a_build_stops_it_and_build_is_left_as_it_was(
    mini: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(mini, pdf=False)
    before = manifest(mini.build)
    edit_after_the_check(monkeypatch, mini)
    with pytest.raises(InputsChanged) as raised:
        build(mini, pdf=False, cache=False)  # without the cache: no answer from the digest
    [problem] = raised.value.diagnostics
    assert problem.location.file == EDITED
    assert "changed while building" in problem.message
    assert manifest(mini.build) == before


def test_a_file_saved_during_a_release_freezes_no_edition(
    mini: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_after_the_check(monkeypatch, mini)
    with pytest.raises(InputsChanged):
        release(mini, jobs=1)
    assert not (mini.editions / "3").exists()
    assert not mini.build.exists()


def test_a_release_freezes_the_bytes_it_checked(mini: Project) -> None:
    snapshot = take(mini)
    frozen, _, _ = release(mini, jobs=1)
    for name in ("facts/actors/south.yaml", "facts/edition.yaml"):
        assert (frozen.folder / name).read_bytes() == snapshot.files[name]


def test_an_older_build_finishing_last_does_not_replace_a_newer_one(
    mini: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The older build is held up after its check; meanwhile a newer one, of edited facts,
    runs to the end. The older one must then not publish its stale output over it."""
    original: Callable[..., Any] = build_module.render_site
    state = {"nested": False}

    def newer_build_runs_meanwhile(*args: Any, **kwargs: Any) -> Any:
        if not state["nested"]:
            state["nested"] = True
            shutil.copy(mini.root / EDITED, mini.root / "older.yaml")
            # An edit the pages show: a build whose output is the same as build/ holds (a
            # comment's) may finish last, since it would write nothing new.
            path = mini.root / EDITED
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("A ten-year pact", "A ten-year treaty"), encoding="utf-8")
            build(mini, pdf=False)
            # The older build's inputs are back as it read them, so only the order can tell.
            shutil.copy(mini.root / "older.yaml", mini.root / EDITED)
        return original(*args, **kwargs)

    monkeypatch.setattr(build_module, "render_site", newer_build_runs_meanwhile)
    with pytest.raises(PublishError, match="started after this one"):
        build(mini, pdf=False, cache=False)
    assert state["nested"]


def test_a_build_with_nothing_changed_does_nothing(
    mini: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = build(mini, pdf=False)
    assert not first.unchanged
    before = manifest(mini.build)

    def no_check(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a build with nothing changed checked the facts")

    with monkeypatch.context() as patched:
        patched.setattr(build_module, "check_project", no_check)
        again, _ = build(mini, pdf=False)
    assert again.unchanged
    assert manifest(mini.build) == before


@pytest.mark.parametrize("change", ["fact", "template", "epoch", "option", "output"])
def test_a_build_after_a_change_builds(
    mini: Project, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    build(mini, pdf=False)
    pdf = False
    if change == "fact":
        edit(mini)
    elif change == "template":
        (mini.templates).mkdir()
        page = Path(build_module.__file__).parent.parent / "templates" / "page.html"
        (mini.templates / "page.html").write_text(
            page.read_text(encoding="utf-8") + "{# the desk's own #}\n", encoding="utf-8"
        )
    elif change == "epoch":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    elif change == "option":
        pdf = True
    else:
        (mini.build / "index.html").write_text("edited by hand", encoding="utf-8")
    result, _ = build(mini, pdf=pdf, jobs=1)
    assert not result.unchanged
    assert (mini.build / "index.html").read_text(encoding="utf-8") != "edited by hand"


def _age(path: Path, seconds: int = 60) -> None:
    """Date the file's modification `seconds` back: its stamp is then old enough to trust."""
    past = path.stat().st_mtime_ns - seconds * 1_000_000_000
    os.utime(path, ns=(past, past))


def test_a_snapshot_reads_again_only_the_files_whose_stamp_moved(mini: Project) -> None:
    for path in (mini.root / "facts").rglob("*"):
        if path.is_file():
            _age(path)
    first = take(mini)
    unchanged = take(mini, first)
    # Not read again: the very bytes of the last snapshot, and the same digest.
    assert all(unchanged.files[name] is first.files[name] for name in first.files)
    assert unchanged.digest == first.digest
    edited = mini.root / EDITED
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    after = take(mini, unchanged)
    assert after.files[EDITED] == edited.read_bytes() and after.digest != first.digest
    assert after.sha256(EDITED) == hashlib.sha256(edited.read_bytes()).hexdigest()
    others = [name for name in first.files if name != EDITED]
    assert all(after.files[name] is first.files[name] for name in others)
    # Without a snapshot to go by, every file is read.
    assert take(mini).files[others[0]] is not first.files[others[0]]


def test_a_file_rewritten_within_its_clock_tick_is_read_again(mini: Project) -> None:
    """Same size, same time, same inode: a stamp taken right after a write proves nothing,
    since the file system's clock may not have moved (see RACY_NS)."""
    edited = mini.root / EDITED
    text = edited.read_text(encoding="utf-8") + "# saved\n"
    edited.write_text(text, encoding="utf-8")  # saved just now
    first = take(mini)
    stamp = edited.stat()
    edited.write_text(text.replace("South", "Sowth", 1), encoding="utf-8")
    os.utime(edited, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert edited.stat().st_size == stamp.st_size and edited.stat().st_ino == stamp.st_ino
    assert take(mini, first).files[EDITED] == edited.read_bytes() != first.files[EDITED]
