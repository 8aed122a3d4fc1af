"""The build benchmark (`make bench`): how long builds take and how much memory they use, on
the shipped facts and on synthetic fact bases ×10 and ×50 as large.

A synthetic base repeats every actor of the shipped facts under new ids (`pl` → `pl-x2`, its
facts' ids likewise); every copy quotes the real sources, so it checks strictly like the
original. Each figure is the median of `--runs` runs, each run a fresh process:

  cold       a build with an empty cache (every PDF laid out), jobs=N
  cold-1     the same on one core (jobs=1)
  no-op      a build right after a build, nothing changed
  one-edit   a build after one position's summary changed (it shows in one chapter)
  shared     a build after one commitment's summary changed (it shows in the chapter of each
             of its parties and in the overview)
  check      `briefing check`
  bare       WeasyPrint alone, laying out the same final documents once each, on one core
  preview    from saving an edit to the live preview telling the open page, that page
             rendered (HTML only; the other pages are rendered when asked for)
  peak MB    the largest resident memory of the build on one core (all of it in one process)
  proc MB    the largest resident memory of any one process of the parallel cold build

Usage: python scripts/bench.py [--scales 1,10,50] [--runs 3] [--jobs N] [--only preview]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def synthetic(target: Path, scale: int) -> Path:
    """A copy of the shipped project in `target` with every actor `scale` times."""
    shutil.copytree(ROOT / "facts", target / "facts")
    if (ROOT / "templates").is_dir():
        shutil.copytree(ROOT / "templates", target / "templates")
    actors = sorted((target / "facts/actors").glob("*.yaml"))
    for copy in range(2, scale + 1):
        for actor in actors:
            text = actor.read_text(encoding="utf-8")
            ids = re.findall(r"^\s*(?:- )?id: ([\w-]+)\s*$", text, flags=re.MULTILINE)
            for old in sorted(set(ids), key=len, reverse=True):
                text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", f"{old}-x{copy}", text)
            text = re.sub(r"^name: (.+)$", rf"name: \1 {copy}", text, count=1, flags=re.M)
            (actor.parent / f"{actor.stem}-x{copy}.yaml").write_text(text, encoding="utf-8")
    return target


def run(
    root: Path, *args: str, env: dict[str, str] | None = None, noop: bool = False
) -> tuple[float, float]:
    """Seconds and peak resident MB (of the process and its children) of `briefing ARGS`;
    with `noop`, it must say that nothing changed since the last build."""
    command = [PYTHON, "-m", "briefing", "--root", str(root), *args]
    # The peak of the children is the largest reached by any one of them so far; a fresh
    # interpreter per run keeps that figure for this run alone.
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "elapsed = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "said = done.stdout + done.stderr\n"
        "print(elapsed, peak, done.returncode, int('nothing changed since' in said))\n"
    )
    out = subprocess.run(
        [PYTHON, "-c", probe, *command],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    ).stdout.split()
    if out[2] != "0":
        raise SystemExit(f"bench: briefing {' '.join(args)} failed in {root}")
    if noop and out[3] != "1":
        raise SystemExit(f"bench: briefing {' '.join(args)} was no no-op in {root}")
    return float(out[0]), float(out[1])


def bare_weasyprint(root: Path) -> float:
    """Seconds WeasyPrint alone takes to lay out the documents the build lays out, once each:
    every part the PDFs are bound from (briefing.layout), then the book's cover and the page
    numbers of every PDF; each with its stylesheets parsed anew, as WeasyPrint does alone."""
    probe = f"""
import collections, time, sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
import weasyprint
from briefing.render.book import fill_pages
from briefing.site.build import checked_facts, render_site
from briefing.editions.released import past
from briefing.core.project import Project
from briefing.site.publish import numbers_job, pdf_parts
from briefing.render.pages import template_file
project = Project.at(Path({str(root)!r}))
checked, facts, plan = checked_facts(project)
site = render_site(facts, project, plan, checked.texts, past(project, facts))
parts, outputs = pdf_parts(project, site)
numbers = numbers_job(site)

def lay_out(job):
    css = [weasyprint.CSS(filename=str(template_file(project, n))) for n in job.stylesheets]
    variant = "pdf/a-3a" if job.tagged else None
    document = weasyprint.HTML(string=job.html, base_url=str(project.templates) + "/").render(
        stylesheets=css, pdf_variant=variant)
    document.write_pdf(pdf_variant=variant)
    return len(document.pages)

t = time.perf_counter()
counts = {{name: lay_out(job) for name, job in parts.items()}}
totals = set()
for _, binding in outputs:
    total = sum(counts[name] for name in binding.parts)
    if binding.cover is not None:
        # A chapter's page is an anchor's inside the flow of chapters: any number lays out alike.
        first, page = collections.defaultdict(int), 2
        for name in binding.parts:
            first[name] = page
            page += counts[name]
        cover = binding.cover
        total += lay_out(type(cover)(fill_pages(cover.html, first), cover.meta, cover.stylesheets))
    totals.add(total)
for total in totals:
    lay_out(numbers(total))
print(time.perf_counter() - t)
"""
    out = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def edit_one_fact(root: Path, n: int, kind: str = "positions") -> None:
    """Change one fact's summary, differently each time: the first position of the first actor
    file that has one (a position shows in its actor's chapter), or with kind "commitments" the
    first commitment (which shows in the chapter of each party and in the overview)."""
    for actor in sorted((root / "facts/actors").glob("*.yaml")):
        text = actor.read_text(encoding="utf-8")
        start = text.find(f"\n{kind}:")
        if start < 0:
            continue
        pattern = r"(\n    summary: (?:>-\n\s+)?)(?:Edit \d+: )?(?=[^'\"\[{>|])"
        head, tail = text[:start], text[start:]
        tail, changed = re.subn(pattern, rf"\1Edit {n}: ", tail, count=1)
        if changed:
            actor.write_text(head + tail, encoding="utf-8")
            return
    raise SystemExit(f"bench: no {kind} with a summary to edit in {root}")


def preview_latency(root: Path, edits: int) -> float:
    """Median seconds from saving an edit to the live preview telling the page it changed,
    that page (the edited actor's brief) rendered: the page polls as a browser's does."""
    import re as re_
    import threading
    import urllib.request

    command = [PYTHON, "-m", "briefing", "--root", str(root), "serve", "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = re_.search(r":(\d+)/", server.stdout.readline())
        assert port, "serve did not announce its port"
        base = f"http://127.0.0.1:{port.group(1)}"
        page = f"/html/{edited_actor(root)}.html"
        version = f"{base}/__briefing/version"
        seconds = []
        for n in range(edits):
            with urllib.request.urlopen(base + page) as response:
                response.read()
            with urllib.request.urlopen(version) as response:
                seen = int(response.read())
            answered: list[float] = []

            def wait(seen: int = seen, answered: list[float] = answered) -> None:
                with urllib.request.urlopen(f"{version}?seen={seen}&page={page}") as response:
                    response.read()
                answered.append(time.perf_counter())

            waiting = threading.Thread(target=wait)
            waiting.start()
            time.sleep(0.3)
            saved = time.perf_counter()
            edit_one_fact(root, 1000 + n)
            waiting.join()
            seconds.append(answered[0] - saved)
        return median(seconds)
    finally:
        server.terminate()
        server.wait()


def edited_actor(root: Path, kind: str = "positions") -> str:
    """The id of the actor whose fact edit_one_fact changes."""
    for actor in sorted((root / "facts/actors").glob("*.yaml")):
        if f"\n{kind}:" in actor.read_text(encoding="utf-8"):
            return actor.stem
    raise SystemExit(f"bench: no {kind} to edit in {root}")


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench(scale: int, runs: int, jobs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"bench-x{scale}-") as tmp:
        root = synthetic(Path(tmp) / "project", scale)
        actors = len(list((root / "facts/actors").glob("*.yaml")))
        figures: dict[str, list[float]] = {
            k: [] for k in ("cold", "cold-1", "no-op", "one-edit", "shared-edit")
        }
        figures |= {"check": [], "peak MB": [], "proc MB": []}
        for n in range(runs):
            shutil.rmtree(root / ".cache", ignore_errors=True)
            seconds, peak = run(root, "build", "--jobs", str(jobs))
            figures["cold"].append(seconds)
            figures["proc MB"].append(peak)
            figures["no-op"].append(run(root, "build", "--jobs", str(jobs), noop=True)[0])
            edit_one_fact(root, n)
            figures["one-edit"].append(run(root, "build", "--jobs", str(jobs))[0])
            edit_one_fact(root, n, "commitments")
            figures["shared-edit"].append(run(root, "build", "--jobs", str(jobs))[0])
            figures["check"].append(run(root, "check")[0])
            seconds, peak = run(root, "build", "--jobs", "1", "--no-cache")
            figures["cold-1"].append(seconds)
            figures["peak MB"].append(peak)
        bare = [bare_weasyprint(root) for _ in range(max(1, runs // 2))]
        result = {k: median(v) for k, v in figures.items() if v}
        result["bare"] = median(bare)
        result["preview"] = preview_latency(root, 5)
        result["actors"] = actors
        return result


def preview_only(scale: int) -> tuple[int, float]:
    """The number of actors and the preview's latency at `scale`, without the builds."""
    with tempfile.TemporaryDirectory(prefix=f"bench-x{scale}-") as tmp:
        root = synthetic(Path(tmp) / "project", scale)
        return len(list((root / "facts/actors").glob("*.yaml"))), preview_latency(root, 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,50")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--only", choices=["preview"], help="measure this figure alone")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    if args.only == "preview":
        print("briefing bench: the preview alone, medians of 5 edits, seconds")
        print(f"{'scale':>5} {'actors':>6} {'preview':>7}")
        for scale in scales:
            actors, seconds = preview_only(scale)
            print(f"{'x' + str(scale):>5} {actors:>6} {seconds:>7.2f}", flush=True)
        return
    print(f"briefing bench: medians of {args.runs} runs, jobs={args.jobs}, seconds unless said")
    header = (
        f"{'scale':>5} {'actors':>6} {'cold':>7} {'cold-1':>7} {'no-op':>6} {'one-edit':>8} "
        f"{'shared':>7} "
        f"{'check':>6} {'bare':>7} {'preview':>7} {'peak MB':>8} {'proc MB':>8} | "
        f"{'no-op/cold':>10} {'edit/cold':>9} {'shared/cold':>11} "
        f"{'cold-1/bare':>11} {'cold-1/cold':>11}"
    )
    print(header)
    for scale in scales:
        r = bench(scale, args.runs if scale < 50 else 1, args.jobs)
        cold_1 = r["cold-1"]
        print(
            f"{'x' + str(scale):>5} {int(r['actors']):>6} {r['cold']:>7.2f} {cold_1:>7.2f} "
            f"{r['no-op']:>6.2f} {r['one-edit']:>8.2f} {r['shared-edit']:>7.2f} "
            f"{r['check']:>6.2f} {r['bare']:>7.2f} "
            f"{r['preview']:>7.2f} "
            f"{r['peak MB']:>8.0f} {r['proc MB']:>8.0f} | {r['no-op'] / r['cold']:>10.1%} "
            f"{r['one-edit'] / r['cold']:>9.1%} {r['shared-edit'] / r['cold']:>11.1%} "
            f"{cold_1 / r['bare']:>11.2f} "
            f"{cold_1 / r['cold']:>11.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
