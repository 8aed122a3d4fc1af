"""How long `briefing verify` takes, and how much memory, on hostile files a reader may be sent.

Each file is made from a book Briefing built (give its path), then verified in a fresh process
with a wall-clock limit; the figures are the wall time, the peak resident memory of that
process and its exit code (0 ok, 1 failed, 2 refused; 'killed' past the limit):

  book        the book as built
  pages       its pages repeated to 4,900
  yaml        250 extra fact files of 510 KB each in its bundle (and listed in the manifest)
  zip-bomb    its bundle given 400 files that each inflate to 512 KiB from 500 bytes
  deep-json   a manifest nested 100,000 deep
  fifo        a named pipe given as the file

Usage: python scripts/bench_verify.py BOOK.pdf [--limit 60] [--python PYTHON]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pikepdf

MANIFEST = "briefing.json"
BUNDLE = "verification-data.zip"  # the fact base, templates and manifest (render.attachments)


def _pages(book: Path, target: Path) -> Path:
    with pikepdf.open(book) as pdf:
        originals = list(pdf.pages)
        while len(pdf.pages) < 4_900:
            pdf.pages.append(originals[len(pdf.pages) % len(originals)])
        pdf.save(target)
    return target


def _rebundled(pdf: pikepdf.Pdf, extra: dict[str, bytes], *, listed: bool) -> None:
    """Put `extra` in the PDF's bundle; with `listed`, list each file in the manifest, as a
    careful forger would (a file named MANIFEST replaces it, unlisted)."""
    files = pdf.attachments
    with zipfile.ZipFile(io.BytesIO(files[BUNDLE].get_file().read_bytes())) as archive:
        inside = {name: archive.read(name) for name in archive.namelist()}
    listing = json.loads(inside[MANIFEST])
    for name, content in extra.items():
        inside[name] = content
        if listed:
            listing["files"][name] = hashlib.sha256(content).hexdigest()
    if listed:
        inside[MANIFEST] = json.dumps(listing).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in inside.items():
            archive.writestr(name, content)
    del files[BUNDLE]
    files[BUNDLE] = pikepdf.AttachedFileSpec(pdf, out.getvalue(), filename=BUNDLE)


def _yaml(book: Path, target: Path) -> Path:
    line = "  - " + "padding " * 8 + "\n"
    body = b"id: x\nname: X\nnotes:\n" + (line * (510 * 1024 // len(line))).encode()
    with pikepdf.open(book) as pdf:
        _rebundled(pdf, {f"facts/actors/x{n:03}.yaml": body for n in range(250)}, listed=True)
        pdf.save(target)
    return target


def _zip_bomb(book: Path, target: Path) -> Path:
    body = b"a" * (512 * 1024)
    with pikepdf.open(book) as pdf:
        _rebundled(pdf, {f"facts/notes/x{n:03}.txt": body for n in range(400)}, listed=False)
        pdf.save(target)
    return target


def _deep_json(book: Path, target: Path) -> Path:
    deep = b"[" * 100_000 + b"]" * 100_000
    with pikepdf.open(book) as pdf:
        _rebundled(pdf, {MANIFEST: deep}, listed=False)
        pdf.save(target)
    return target


def _fifo(_: Path, target: Path) -> Path:
    os.mkfifo(target)
    return target


CASES: dict[str, Callable[[Path, Path], Path]] = {
    "book": lambda book, _: book,
    "pages": _pages,
    "yaml": _yaml,
    "zip-bomb": _zip_bomb,
    "deep-json": _deep_json,
    "fifo": _fifo,
}


def measure(python: str, pdf: Path, limit: float) -> tuple[float, float, str]:
    """Wall seconds, peak MB and exit code of one `briefing verify` in a fresh process."""
    script = (
        "import sys\n"
        "from briefing.cli import main\n"
        "code = main(['verify', sys.argv[1]])\n"
        # VmHWM, not ru_maxrss: Linux carries the latter over from the forking parent.
        "status = open('/proc/self/status').read()\n"
        "peak = [l for l in status.splitlines() if l.startswith('VmHWM')][0].split()[1]\n"
        "print(f'PEAK {peak}', file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [python, "-c", script, str(pdf)], capture_output=True, text=True, timeout=limit
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, float("nan"), "killed"
    elapsed = time.perf_counter() - started
    peaks = [line for line in done.stderr.splitlines() if line.startswith("PEAK ")]
    peak = int(peaks[-1].split()[1]) / 1024 if peaks else float("nan")
    if "Traceback" in done.stderr:
        return elapsed, peak, f"{done.returncode} (traceback)"
    return elapsed, peak, str(done.returncode)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("--limit", type=float, default=60.0, help="seconds before a run is killed")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs briefing")
    args = parser.parse_args()
    print(f"{'file':<10} {'seconds':>8} {'peak MB':>8}  exit")
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as folder:
        for name, make in CASES.items():
            pdf = make(args.book, Path(folder) / f"{name}.pdf")
            seconds, peak, code = measure(args.python, pdf, args.limit)
            print(f"{name:<10} {seconds:>8.1f} {peak:>8.0f}  {code}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
