"""Benchmark: how fast hostile YAML is refused. Run: .venv/bin/python -m tests.bench_hostile"""

from __future__ import annotations

import time
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


def main() -> None:
    cases = {
        "billion laughs (10^9 values)": billion_laughs(),
        "alias fan-out (100 x 2,001 values)": fanout(),
        f"largest allowed file ({MAX_FILE_BYTES // 1024} KiB)": largest_allowed(),
    }
    for label, text in cases.items():
        seconds, outcome = best_of(text, runs=5 if len(text) < 100_000 else 1)
        print(f"{label:40} {seconds * 1000:9.1f} ms  {outcome}")


if __name__ == "__main__":
    main()
