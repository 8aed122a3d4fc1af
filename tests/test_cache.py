"""Fast builds: unchanged PDFs come from the cache, the rest are laid out on every core, and
neither changes a byte of what a clean build writes."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from briefing.core.project import Project
from briefing.core.store import SUFFIX, TEMPORARY, Store
from briefing.pdf.cache import Environment
from briefing.pdf.weasy import font_subsetter
from briefing.render.book import CHAPTERS, BookParts
from briefing.site.build import build
from briefing.site.publish import STAMP
from tests.hostile_support import make_project


def pdf_bytes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root / "build").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "build/pdf").glob("*.pdf"))
    }


def data_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root / "build").as_posix(): p.read_bytes()
        for p in sorted((root / "build/data").glob("*"))
    }


def entries(root: Path) -> list[Path]:
    return sorted((root / ".cache/briefing").glob(f"*/*{SUFFIX}"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built once, with its cache filled."""
    root = make_project(tmp_path_factory.mktemp("cache") / "project")
    build(Project.at(root), jobs=1)
    return root


def test_a_build_with_nothing_changed_lays_out_nothing(built: Path) -> None:
    before, data = pdf_bytes(built), data_bytes(built)
    assert build(Project.at(built), jobs=1)[0].unchanged  # the no-op, from one digest
    # Without the last build's stamp the build runs whole, and every layout is the cache's.
    (built / STAMP).unlink()
    result, _ = build(Project.at(built), jobs=1)
    assert not result.unchanged
    assert result.rendered == () and result.laid_out == ()
    assert data_bytes(built) == data  # from the data files' own cache
    assert sorted(result.reused) == sorted(before)
    assert pdf_bytes(built) == before


def test_one_edit_lays_out_only_the_pdfs_that_show_it(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    project = Project.at(root)
    build(project, jobs=1)
    actor = root / "facts/actors/aa.yaml"
    text = actor.read_text(encoding="utf-8")
    actor.write_text(text.replace("Backs a clear invitation.", "Backs an invitation."), "utf-8")
    result, _ = build(project, jobs=1)
    # Norland's chapter shows the summary, and is laid out again, alone and in the book's flow
    # of chapters; the Baltic Council's does not, and is not (its PDF is bound again all the
    # same: it carries the edited fact base).
    assert {"aa", CHAPTERS} <= set(result.laid_out) and "pdf/book-ed1.pdf" in result.rendered
    assert "bb" not in result.laid_out and "bb/sources" not in result.laid_out
    assert "pdf/bb-ed1.pdf" in result.rendered
    incremental = pdf_bytes(root)
    data = data_bytes(root)
    # Byte for byte what a build from nothing writes, data files included (they have a cache
    # of their own, keyed by the fact base).
    build(project, jobs=1, cache=False)
    assert pdf_bytes(root) == incremental
    assert data_bytes(root) == data and "data/facts.sqlite" in data


def test_parallel_layout_writes_the_same_bytes(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    project = Project.at(root)
    result, _ = build(project, jobs=2, cache=False)
    assert len(result.rendered) == len(result.pdf) > 2
    parallel = pdf_bytes(root)
    build(project, jobs=1, cache=False)
    assert pdf_bytes(root) == parallel
    assert entries(root) == [], "--no-cache neither reads nor fills the PDF cache"


def test_a_damaged_entry_is_laid_out_again(built: Path) -> None:
    before = pdf_bytes(built)
    for victim in entries(built):  # layouts, and briefs finished with their fact base
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    (built / STAMP).unlink(missing_ok=True)  # not the no-op: the build runs whole
    result, _ = build(Project.at(built), jobs=1)
    assert sorted(result.rendered) == sorted(before), "no damaged entry is served"
    assert pdf_bytes(built) == before
    cache = Store(built / ".cache/briefing")
    assert all(cache.get(e.name.removesuffix(SUFFIX)) for e in entries(built))


def test_the_cache_is_bounded_and_drops_the_least_recently_used(tmp_path: Path) -> None:
    earlier = Store(tmp_path, limit=1500)  # the builds before
    for n in range(4):
        earlier.put(f"{n:064x}", bytes(1000))
        stamp = time.time() - 100 + n
        os.utime(earlier._path(f"{n:064x}"), (stamp, stamp))
    cache = Store(tmp_path, limit=1500)  # this build's
    assert cache.get(f"{0:064x}") is not None  # used now: kept, whatever the limit
    killed = tmp_path / "00" / f"{TEMPORARY}killed"
    killed.write_bytes(b"half an entry")
    old = time.time() - 3600
    os.utime(killed, (old, old))
    writing = tmp_path / "00" / f"{TEMPORARY}writing"  # the live preview's, being written now
    writing.write_bytes(b"half an entry")
    cache.prune()
    kept = {p.name[:64] for p in tmp_path.glob(f"*/*{SUFFIX}")}
    assert kept == {f"{0:064x}", f"{3:064x}"}
    assert sorted(tmp_path.glob(f"*/{TEMPORARY}*")) == [writing]


def test_a_killed_build_leaves_the_cache_sound(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    for n in range(4):  # enough PDFs for the kill to land while workers are laying out
        text = (root / "facts/actors/bb.yaml").read_text(encoding="utf-8")
        text = text.replace("id: bb", f"id: b{n}").replace("bb-", f"b{n}-")
        (root / f"facts/actors/b{n}.yaml").write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "briefing", "--root", str(root), "build", "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not entries(root):
        time.sleep(0.01)
    assert entries(root), "the build never stored a PDF"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    # Its workers die with it: none is left laying out for nobody.
    time.sleep(0.5)
    leftover = subprocess.run(["pgrep", "-f", str(root)], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", leftover.stdout
    # Every entry it left is whole: each reads back, with its digest intact.
    cache = Store(root / ".cache/briefing")
    for entry in entries(root):
        content = cache.get(entry.name.removesuffix(SUFFIX))
        assert content is not None and content.startswith(b"%PDF-"), entry
    # The next build uses them, and writes what a clean build writes.
    result, _ = build(Project.at(root), jobs=1)
    cached = pdf_bytes(root)
    clean, _ = build(Project.at(root), jobs=1, cache=False)
    assert len(result.laid_out) < len(clean.laid_out), "the layouts it left were used"
    assert pdf_bytes(root) == cached


def test_fonts_are_subset_with_harfbuzz() -> None:
    """The build's system packages include libharfbuzz-subset0, so every machine subsets fonts
    the same way (fontTools would write other bytes); and our test agrees with WeasyPrint's."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert font_subsetter() == "harfbuzz"
    assert harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0)


def _die(job: object, project: object) -> bytes:
    os._exit(1)  # a worker killed mid-layout, as the kernel's OOM killer would


def test_a_worker_that_dies_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.core.diagnostics import PublishError
    from briefing.pdf import layout
    from briefing.pdf.document import PdfJob

    monkeypatch.setattr(layout, "render_pdf", _die)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # fork: the child has _die
    jobs = [(f"pdf/{n}.pdf", PdfJob(f"<p>{n}</p>")) for n in range(2)]
    project = Project.at(make_project(tmp_path / "project"))
    environment = Environment("test")
    with pytest.raises(PublishError, match=r"died \(out of memory\?\).*--jobs 1"):
        layout.lay_out_jobs(project, jobs, environment, None, workers=2)


def test_a_build_larger_than_the_limit_keeps_its_own_entries(tmp_path: Path) -> None:
    cache = Store(tmp_path, limit=1000)
    for n in range(3):
        cache.put(f"{n:064x}", bytes(1000))
    assert cache.prune() == 0
    assert all(cache.get(f"{n:064x}") for n in range(3))
    # The next build, which needs none of them, keeps no more than the limit.
    assert Store(tmp_path, limit=1000).prune() == 3


def test_a_cache_that_cannot_be_changed_costs_only_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Store(tmp_path, limit=10)
    cache.put(f"{1:064x}", b"%PDF-1.7 a layout")
    cache.put(f"{2:064x}", b"%PDF-1.7 another")
    entry = cache._path(f"{1:064x}")
    entry.write_bytes(b"damaged")

    def read_only(self: Path, missing_ok: bool = False) -> None:
        raise OSError(30, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "unlink", read_only)
    assert cache.get(f"{1:064x}") is None  # a miss, not an error
    assert cache.prune() == 0  # over its limit, but nothing can be removed: left as it is


def test_ctrl_c_stops_the_workers_at_once() -> None:
    """Workers ignore SIGINT (the build handles it): on Ctrl-C the build stops them, rather
    than wait for every layout under way, the book's last of all."""
    from briefing.pdf import layout

    with pytest.raises(KeyboardInterrupt), layout._pool(2) as executor:
        for _ in range(2):
            executor.submit(time.sleep, 120)
        workers = list(executor._processes.values())
        time.sleep(0.5)
        raise KeyboardInterrupt
    assert workers
    for worker in workers:
        assert _ends(worker.pid), f"worker {worker.pid} is still laying out"


def test_ctrl_c_is_still_ctrl_c_when_a_worker_has_just_ended() -> None:
    """A worker gone between being listed and being stopped (reaped by the executor's own
    thread) must not turn Ctrl-C into a ProcessLookupError traceback."""
    from briefing.pdf import layout

    with pytest.raises(KeyboardInterrupt), layout._pool(1) as executor:
        executor.submit(time.sleep, 0).result()
        [worker] = executor._processes.values()
        stop = worker.terminate

        def already_gone() -> None:  # the race, made certain: it ends, then cannot be found
            stop()
            raise ProcessLookupError(3, "No such process")

        worker.terminate = already_gone  # type: ignore[method-assign]
        raise KeyboardInterrupt
    assert _ends(worker.pid)


def _ends(pid: int | None, within: float = 10.0) -> bool:
    """Whether process `pid` has ended (gone, or a zombie) within `within` seconds. Read from
    /proc, since the executor's own thread may be the one that reaps it."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status")
        try:
            if "\nState:\tZ" in status.read_text():
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_a_stylesheet_is_parsed_again_when_a_file_it_imports_changes(tmp_path: Path) -> None:
    """A process keeps parsed stylesheets (the live preview's lives on while the templates are
    edited): a change to a file one imports is seen, not only a change to the sheet itself."""
    import pypdf

    from briefing.pdf.document import PdfJob, render_pdf

    project = Project.at(make_project(tmp_path / "project"))
    project.templates.mkdir(exist_ok=True)
    (project.templates / "outer.css").write_text('@import "inner.css";\n', encoding="utf-8")
    job = PdfJob('<html lang="en"><p>x</p></html>', stylesheets=("outer.css",))

    def width_mm(size: str) -> float:
        (project.templates / "inner.css").write_text(f"@page {{ size: {size} }}", "utf-8")
        reader = pypdf.PdfReader(io.BytesIO(render_pdf(job, project)))
        return round(float(reader.pages[0].mediabox.width) * 25.4 / 72)

    assert width_mm("A5") == 148
    assert width_mm("A4 landscape") == 297


def test_the_key_holds_the_system_libraries_that_lay_text_out(tmp_path: Path) -> None:
    from weasyprint.text.ffi import pango

    from briefing.pdf.weasy import system_libraries

    found = system_libraries()
    assert set(found) == {"pango", "harfbuzz", "fontconfig"}
    number = pango.pango_version()  # WeasyPrint's own view: major * 10000 + minor * 100 + micro
    assert found["pango"] == f"{number // 10000}.{number // 100 % 100}.{number % 100}"
    here = Environment.of([tmp_path], "harfbuzz", found)
    assert here == Environment.of([tmp_path], "harfbuzz", dict(found))
    assert here != Environment.of([tmp_path], "harfbuzz", {**found, "pango": "0.0.1"})


def test_a_new_citation_changes_no_other_chapter(tmp_path: Path) -> None:
    """A note leads to its passage by an anchor of its own chapter, not by the passage's place
    in the book: citing a new passage in one chapter leaves the others' layouts as they were."""
    from briefing.site.build import checked_facts, render_site

    project = Project.at(make_project(tmp_path / "project"))

    def book() -> BookParts:
        checked, facts, plan = checked_facts(project)
        parts = render_site(facts, project, plan, checked.texts).book
        assert parts is not None
        return parts

    before = book()
    actor = project.facts / "actors/aa.yaml"
    text = actor.read_text(encoding="utf-8")
    cited = "        quote: Norland also backs a clear invitation to join the alliance.\n"
    more = "      - source: alpha\n        quote: told reporters in the capital\n"
    actor.write_text(text.replace(cited, cited + more), encoding="utf-8")
    after = book()
    assert after.chapters["aa"] != before.chapters["aa"] and after.sources != before.sources
    assert "told reporters in the capital" in after.sources
    assert after.chapters["bb"] == before.chapters["bb"]
    assert after.brief_sources["bb"] == before.brief_sources["bb"]
