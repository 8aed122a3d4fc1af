"""How long `briefing verify` takes, and how much memory, on hostile files a reader may be sent.

Each file is made from a book Briefing built (give its path), then verified in a fresh process
with a wall-clock limit; the figures are the wall time, the peak resident memory of that
process and its exit code (0 ok, 1 failed, 2 refused; 'killed' past the limit):

  book        the book as built
  pages       its pages repeated to 4,900
  yaml        250 extra fact files of 510 KB each attached (and listed in the manifest)
  deep-json   a manifest nested 100,000 deep
  fifo        a named pipe given as the file

Usage: python scripts/bench_verify.py BOOK.pdf [--limit 60] [--python PYTHON]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf

MANIFEST = "briefing.json"


def _pages(book: Path, target: Path) -> Path:
    with pikepdf.open(book) as pdf:
        originals = list(pdf.pages)
        while len(pdf.pages) < 4_900:
            pdf.pages.append(originals[len(pdf.pages) % len(originals)])
        pdf.save(target)
    return target


def _listed(pdf: pikepdf.Pdf, extra: dict[str, bytes]) -> None:
    """Attach `extra`, and list each file in the manifest, as a careful forger would."""
    files = pdf.attachments
    listing = json.loads(files[MANIFEST].get_file().read_bytes())
    for name, content in extra.items():
        files[name] = pikepdf.AttachedFileSpec(pdf, content, filename=name)
        listing["files"][name] = hashlib.sha256(content).hexdigest()
    del files[MANIFEST]
    data = json.dumps(listing).encode()
    files[MANIFEST] = pikepdf.AttachedFileSpec(pdf, data, filename=MANIFEST)


def _yaml(book: Path, target: Path) -> Path:
    line = "  - " + "padding " * 8 + "\n"
    body = b"id: x\nname: X\nnotes:\n" + (line * (510 * 1024 // len(line))).encode()
    with pikepdf.open(book) as pdf:
        _listed(pdf, {f"facts/actors/x{n:03}.yaml": body for n in range(250)})
        pdf.save(target)
    return target


def _deep_json(book: Path, target: Path) -> Path:
    with pikepdf.open(book) as pdf:
        del pdf.attachments[MANIFEST]
        deep = b"[" * 100_000 + b"]" * 100_000
        pdf.attachments[MANIFEST] = pikepdf.AttachedFileSpec(pdf, deep, filename=MANIFEST)
        pdf.save(target)
    return target


def _fifo(_: Path, target: Path) -> Path:
    os.mkfifo(target)
    return target


CASES: dict[str, Callable[[Path, Path], Path]] = {
    "book": lambda book, _: book,
    "pages": _pages,
    "yaml": _yaml,
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
