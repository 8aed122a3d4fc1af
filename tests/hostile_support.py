"""Helpers shared by the hostile-input tests: a throwaway copy of a small valid project."""

from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from briefing.cli import main

REPO = Path(__file__).resolve().parent.parent
HOSTILE_BASE = Path(__file__).resolve().parent / "fixtures" / "hostile_base"


def make_project(root: Path) -> Path:
    """Copy the small valid fact base and the real templates to `root`; return `root`."""
    shutil.copytree(HOSTILE_BASE, root)
    return root


@dataclass(frozen=True)
class Run:
    """The outcome of one in-process CLI run."""

    code: int
    out: str
    err: str


def run_cli(*args: str) -> Run:
    """Run `briefing ARGS` in this process, capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Run(code, out.getvalue(), err.getvalue())
