"""Nothing is lost: failed, killed and concurrent builds leave a complete, valid build/.

These run the real command in subprocesses and kill them with SIGKILL mid-PDF.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from briefing.cli import main
from briefing.core.diagnostics import PublishError
from briefing.core.files import STAGING_PREFIX
from briefing.core.project import Project
from briefing.site import publish as publish_module
from briefing.site.build import checked_facts, render_site
from briefing.site.publish import Site, publish
from tests.hostile_support import make_project, run_cli

EXTRA_ACTORS = 5  # more briefs, so that the PDF stage lasts long enough to be interrupted


def grow(root: Path, extra: int = EXTRA_ACTORS) -> None:
    """Add copies of the organisation actor (new ids), so a build writes more PDFs."""
    template = (root / "facts/actors/bb.yaml").read_text(encoding="utf-8")
    for n in range(extra):
        new_id = f"b{n}"
        text = template.replace("id: bb", f"id: {new_id}").replace("bb-", f"{new_id}-")
        text = text.replace("name: Baltic Council", f"name: Council {n}")
        (root / f"facts/actors/{new_id}.yaml").write_text(text, encoding="utf-8")


def manifest(build: Path) -> dict[str, str]:
    """Every file under build/ with the SHA-256 of its bytes."""
    return {
        p.relative_to(build).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(build.rglob("*"))
        if p.is_file()
    }


def expected_files(n_actors: int) -> set[str]:
    slugs = ["overview", "aa", "bb"] + [f"b{n}" for n in range(n_actors - 2)]
    return {"index.html"} | {f"html/{s}.html" for s in slugs} | {f"pdf/{s}-ed1.pdf" for s in slugs}


def assert_complete(root: Path, n_actors: int) -> None:
    """build/ holds every expected file, and every PDF parses."""
    build = root / "build"
    files = set(manifest(build))
    assert expected_files(n_actors) <= files, expected_files(n_actors) - files
    for pdf in (build / "pdf").glob("*.pdf"):
        assert len(PdfReader(pdf).pages) >= 1, pdf
    for html in (build / "html").glob("*.html"):
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>"), html


def _as_a_terminal_would() -> None:
    """In the child: Ctrl-C delivered and handled as from a shell, whatever the test runner
    (or a library it loaded) did to SIGINT in its own process."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_build(root: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "briefing", "--root", str(root), "build", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_a_terminal_would,
    )


def staging_dirs(root: Path) -> list[Path]:
    return [p for p in root.glob(f"{STAGING_PREFIX}*") if p.is_dir()]


def wait_for(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.005)
    return False


@pytest.fixture
def big_project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    grow(root)
    return root


N_ACTORS = 2 + EXTRA_ACTORS


def test_killed_mid_pdf_leaves_previous_build(big_project: Path) -> None:
    root = big_project
    first = run_cli("--root", str(root), "build")
    assert first.code == 0, first.err
    assert_complete(root, N_ACTORS)
    before = manifest(root / "build")

    # Change a fact, so that a finished second build would differ from the first.
    actor = root / "facts/actors/aa.yaml"
    actor.write_text(
        actor.read_text(encoding="utf-8").replace("name: Norland", "name: Norland Changed"),
        encoding="utf-8",
    )
    process = start_build(root)
    try:
        mid_pdf = wait_for(
            lambda: any(any((s / "pdf").glob("*.pdf")) for s in staging_dirs(root)), 120
        )
        assert mid_pdf, "the build never reached the PDF stage"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    # The killed build left its staging directory, but build/ is the first build, intact.
    assert staging_dirs(root), "expected the killed build's staging directory to remain"
    assert manifest(root / "build") == before
    assert_complete(root, N_ACTORS)

    # The next build succeeds, cleans up, and publishes the change.
    again = run_cli("--root", str(root), "build")
    assert again.code == 0, again.err
    assert staging_dirs(root) == []
    assert_complete(root, N_ACTORS)
    assert "Norland Changed" in (root / "build/html/aa.html").read_text(encoding="utf-8")


def test_killed_at_random_points_never_breaks_build(tmp_path: Path) -> None:
    """Kill HTML-only builds at a spread of moments: build/ is always old-complete or new."""
    root = make_project(tmp_path / "project")
    assert run_cli("--root", str(root), "build", "--no-pdf").code == 0
    before = manifest(root / "build")
    for delay in (0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.5):
        process = start_build(root, "--no-pdf")
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        # Killed or finished: either way build/ is one complete build (they are identical).
        assert manifest(root / "build") == before, f"after a kill at {delay}s"
    assert run_cli("--root", str(root), "build", "--no-pdf").code == 0
    assert staging_dirs(root) == []


def test_concurrent_builds_do_not_corrupt_each_other(big_project: Path) -> None:
    root = big_project
    processes = [start_build(root) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err
    assert_complete(root, N_ACTORS)
    assert staging_dirs(root) == []


def test_second_build_waits_for_the_lock(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    with open(root / ".build.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        process = start_build(root, "--no-pdf")
        assert process.stderr is not None
        line = process.stderr.readline()  # blocks until the build reports the busy lock
        assert "waiting for another build" in line
        time.sleep(0.5)
        assert process.poll() is None
        assert not (root / "build").exists()
        fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert (root / "build/index.html").is_file()


def test_failing_check_leaves_build_untouched(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    assert run_cli("--root", str(root), "build", "--no-pdf").code == 0
    before = manifest(root / "build")
    (root / "facts/actors/aa.yaml").write_text("id: aa\nname: [unclosed\n", encoding="utf-8")
    result = run_cli("--root", str(root), "build", "--no-pdf")
    assert result.code == 1
    assert "build/ was left as it was" in result.err
    assert manifest(root / "build") == before


def site_of(project: Project, pdf: bool = True) -> Site:
    """The rendered site of a project that checks."""
    _, facts, plan = checked_facts(project, pdf=pdf)
    return render_site(facts, project, plan)


def test_failure_while_writing_pdfs_leaves_build_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "project")
    project = Project.at(root)
    assert run_cli("--root", str(root), "build").code == 0
    before = manifest(root / "build")
    # An edit, so that there is something to write (a build that would write what build/
    # holds writes nothing).
    actor = root / "facts/actors/aa.yaml"
    text = actor.read_text(encoding="utf-8")
    actor.write_text(text.replace("Backs a clear invitation.", "Backs an invitation."), "utf-8")
    site = site_of(project)
    written: list[str] = []
    real_binary = publish_module._Writer.binary

    def failing_binary(self: Any, relative: str, content: bytes) -> None:
        if relative.endswith(".pdf") and written:
            raise OSError(28, "No space left on device")
        real_binary(self, relative, content)
        if relative.endswith(".pdf"):
            written.append(relative)

    monkeypatch.setattr(publish_module._Writer, "binary", failing_binary)
    with pytest.raises(PublishError, match="No space left on device"):
        publish(project, site, cache=False, jobs=1)
    assert written, "the first PDF should have been written to staging"
    assert manifest(root / "build") == before
    assert staging_dirs(root) == []


def test_swap_without_rename_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where renameat2 is missing, the two-rename fallback still replaces build/ whole."""
    root = make_project(tmp_path / "project")
    project = Project.at(root)
    site = site_of(project, pdf=False)
    publish(project, site)
    (root / "build/stale.txt").write_text("from an older build", encoding="utf-8")
    monkeypatch.setattr(publish_module, "_exchange", lambda a, b: False)
    publish(project, site)
    assert not (root / "build/stale.txt").exists()
    assert (root / "build/index.html").is_file()
    assert staging_dirs(root) == []


def test_stale_staging_from_a_killed_build_is_cleaned(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    stale = root / f"{STAGING_PREFIX}killed123"
    (stale / "pdf").mkdir(parents=True)
    (stale / "pdf/half.pdf").write_bytes(b"%PDF-1.7\n")
    assert run_cli("--root", str(root), "build", "--no-pdf").code == 0
    assert not stale.exists()


def test_a_users_own_dot_build_folder_survives_a_build(mini: Project) -> None:
    # Only the build's own staging folders are stale leftovers; a '.build-cache/' is not.
    cache = mini.root / ".build-cache"
    cache.mkdir()
    (cache / "keep.txt").write_text("the user's own", encoding="utf-8")
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    assert (cache / "keep.txt").read_text(encoding="utf-8") == "the user's own"
    assert (mini.root / "build/index.html").is_file()


def test_interrupted_build_cleans_up_and_keeps_build(big_project: Path) -> None:
    """Ctrl-C mid-PDF: exit 130, the staging directory is removed, build/ is untouched.

    On a loaded machine the signal can come after the last PDF: such a build finishes and
    proves nothing, so it is tried again (and build/ is then the new complete build).
    """
    root = big_project
    assert run_cli("--root", str(root), "build", "--no-pdf").code == 0
    for _ in range(3):
        before = manifest(root / "build")
        process = start_build(root)
        try:
            mid_pdf = wait_for(
                lambda: any(any((s / "pdf").glob("*.pdf")) for s in staging_dirs(root)), 120
            )
            assert mid_pdf, "the build never reached the PDF stage"
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
        if process.returncode == 0:
            continue  # finished before the signal came: nothing was interrupted
        assert process.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        assert staging_dirs(root) == []
        assert manifest(root / "build") == before
        return
    pytest.fail("three builds finished before Ctrl-C reached them")


def test_a_build_that_would_write_what_build_holds_writes_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    assert run_cli("--root", str(root), "build").code == 0
    before = {p: p.stat().st_ino for p in (root / "build").rglob("*")}
    assert run_cli("--root", str(root), "build").code == 0
    # The same files, not copies swapped in: nothing was written.
    assert {p: p.stat().st_ino for p in (root / "build").rglob("*")} == before
    # A file that is not the build's own, or a changed byte, and build/ is written whole.
    (root / "build/html/extra.html").write_text("not ours", encoding="utf-8")
    assert run_cli("--root", str(root), "build").code == 0
    assert not (root / "build/html/extra.html").exists()
    index = root / "build/index.html"
    index.write_text(index.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert run_cli("--root", str(root), "build").code == 0
    assert not index.read_text(encoding="utf-8").endswith(" ")
