"""Benchmark: how fast hostile inputs are refused or answered. Run by hand, it prints times:
.venv/bin/python -m tests.bench_hostile [part of a case's label]"""

from __future__ import annotations

import functools
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from briefing.core.gate import MAX_FILE_BYTES
from briefing.factbase.load import parse_yaml


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["lol0: &l0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def fanout() -> str:
    big = "[" + ", ".join(["x"] * 2000) + "]"
    return f"big: &big {big}\nall: [{', '.join(['*big'] * 100)}]\n"


def largest_allowed() -> str:
    line = "key{}: a plain value of some length, as a curator would write it\n"
    lines, size, n = [], 0, 0
    while size + len(line) + 8 < MAX_FILE_BYTES:
        text = line.format(n)
        lines.append(text)
        size += len(text)
        n += 1
    return "".join(lines)


def best_of(text: str, runs: int = 5) -> tuple[float, str]:
    best = float("inf")
    outcome = ""
    for _ in range(runs):
        started = time.perf_counter()
        _, problems = parse_yaml(text, Path("x.yaml"), "x.yaml")
        best = min(best, time.perf_counter() - started)
        outcome = problems[0].message if problems else "loaded"
    return best, outcome


# --- Inputs that once hung: long quotes, many failing quotes, hostile PDFs --------------------


def prose(size: int, seed: int) -> str:
    """`size` characters of word salad over a fixed vocabulary, in wrapped paragraphs: no run
    of it is in another seed's text, and every word is in all of them (the worst case for a
    search that aligns words)."""
    rng = random.Random(seed)
    vocabulary = _vocabulary()
    lines: list[str] = []
    length = 0
    while length < size:
        line = " ".join(rng.choices(vocabulary, k=10))
        if rng.random() < 0.1:
            line += "\n"  # a blank line after: a paragraph ends
        lines.append(line)
        length += len(line) + 1
    return "\n".join(lines)[:size].rsplit(" ", 1)[0] + "\n"


@functools.cache
def _vocabulary() -> list[str]:
    letters = "etaoinshrdlucmfwypvbgk"
    return ["".join(random.Random(n).choices(letters, k=2 + n % 8)) for n in range(3000)]


def page_tree_pdf(pages: int) -> bytes:
    """A PDF whose page tree lists one page `pages` times (about 6 bytes a page)."""
    kids = " ".join(["3 0 R"] * pages)
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Count {pages} /Kids [{kids}] >>".encode(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(b"BT /F1 12 Tf 72 720 Td (Page text.) Tj ET"),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def nested_pdf(depth: int, where: str = "page") -> bytes:
    """A one-page PDF with arrays nested `depth` deep in its page object, or in its content
    stream (where="content")."""
    nest = b"[" * depth + b"]" * depth
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
    if where == "page":
        page += b" /Nest " + nest
    content = b"BT /F1 12 Tf 72 720 Td (Page text.) Tj ET"
    if where == "content":
        content = nest + b" pop\n" + content
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
            page + b" /Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF file of `objects` (numbered from 1, the first the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def quote_project(root: Path, quotes: list[str], source: str) -> Path:
    """The hostile-input fact base with a source text `source` (as 'big') and an actor file
    with one entry citing it once for each of `quotes`."""
    from tests.hostile_support import make_project

    make_project(root)
    facts = root / "facts"
    (facts / "sources" / "big.txt").write_text(source, encoding="utf-8")
    with (facts / "sources.yaml").open("a", encoding="utf-8") as registry:
        registry.write(
            "  - id: big\n    file: big.txt\n    title: A long report\n    outlet: Nobody\n"
            "    reliability: C\n    reliability_note: Made up for a benchmark.\n"
        )
    lines = ["id: cc", "name: Southland", "kind: country", "code: SO", "bluf:"]
    lines += ["  - text: Something is said.", "    confidence: low", "    citations:"]
    for quote in quotes:
        lines += ["      - source: big", f"        quote: {quote}"]
    (facts / "actors" / "cc.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


# Only the cases whose label has this in it (the first argument, if given).
ONLY = sys.argv[1] if len(sys.argv) > 1 else ""


def timed(label: str, work: Callable[[], str]) -> None:
    """Run `work`, print its time, how far it raised the process's peak memory (a high-water
    mark: a case that stays below an earlier peak shows 0) and what it answered."""
    if ONLY not in label:
        return
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        outcome = work()
    except Exception as exc:  # a benchmark reports what the user would have seen
        outcome = f"{type(exc).__name__}: {str(exc)[:80]}"
    seconds = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
    print(f"{label:40} {seconds * 1000:9.1f} ms {grown:+7.0f} MiB  {outcome[:90]}", flush=True)


def _check(root: Path) -> str:
    from tests.hostile_support import run_cli

    run = run_cli("--root", str(root), "check")
    errors = run.err.count(": error: ")
    first = next((line for line in run.err.splitlines() if ": error: " in line), "")
    return f"exit {run.code}, {errors} errors; {first.split(': error: ')[-1]}"


def hostile_quotes() -> None:
    from briefing.authoring.findquote import SourceText, search
    from briefing.authoring.intake import IntakeError, extract
    from briefing.evidence.quotes import closest, find, normalise

    source = prose(400_000, seed=1)
    big = normalise(source)

    def near(quote: str) -> str:
        miss = closest(quote, big)
        return f"similarity {miss.similarity}" if miss else "none"

    timed("near miss, 20 KB quote, 400 KB source", lambda: near(prose(20_000, seed=2)))
    repeated = normalise("a " * 256_000)
    timed(
        "near miss, a word repeated, 512 KB",
        lambda: f"similarity {getattr(closest('a ' * 1499 + 'zz', repeated), 'similarity', None)}",
    )
    timed(
        "find-quote, 25 KB query",
        lambda: f"{len(search(prose(25_000, 3), [SourceText('big', 'big.txt', big)]))} hits",
    )

    page = big.text[10_000:35_000].upper()
    page = page[page.index(" ") + 1 : page.rindex(" ")]  # whole words, in capitals
    sources = [SourceText("big", "big.txt", big)]
    timed("find-quote, 25 KB found loosely", lambda: f"{len(search(page, sources))} hits")
    paragraphs = normalise("a b c\n\n" * 70_000 + "a b c then b c a b c a b x\n")
    timed(
        "quote in parts, 70,000 paragraphs",
        lambda: f"found: {find('a b c … b c a b c a b x', paragraphs) is not None}",
    )

    def pdf(data: bytes) -> str:
        try:
            return f"{len(extract(data, 'x.pdf').text)} characters"
        except IntakeError as exc:
            return str(exc)

    timed("PDF, 100,000 pages (0.6 MB)", lambda: pdf(page_tree_pdf(100_000)))
    timed("PDF, arrays nested 50,000 deep", lambda: pdf(nested_pdf(50_000)))
    timed("PDF, content nested 50,000 deep", lambda: pdf(nested_pdf(50_000, "content")))
    with tempfile.TemporaryDirectory() as tmp:
        root = quote_project(
            Path(tmp) / "long", [prose(300_000, seed=4).replace("\n", " ")], source
        )
        timed("check, a 300 KB quote", lambda: _check(root))
    with tempfile.TemporaryDirectory() as tmp:
        quotes = [prose(80, seed=10 + n).replace("\n", " ").strip() for n in range(3000)]
        root = quote_project(Path(tmp) / "many", quotes, source)
        timed("check, 3,000 failing quotes in a file", lambda: _check(root))


def main() -> None:
    cases = {
        "billion laughs (10^9 values)": billion_laughs(),
        "alias fan-out (100 x 2,001 values)": fanout(),
        f"largest allowed file ({MAX_FILE_BYTES // 1024} KiB)": largest_allowed(),
    }
    for label, text in cases.items():
        seconds, outcome = best_of(text, runs=5 if len(text) < 100_000 else 1)
        print(f"{label:40} {seconds * 1000:9.1f} ms  {outcome}")
    hostile_quotes()


if __name__ == "__main__":
    main()
