"""Diagnostics: what every stage reports about the fact base, compiler style."""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from briefing.core.codes import CODES

# An editor breaks lines at LF, CRLF and CR only. PyYAML (YAML 1.1) and str.splitlines() also
# break at NEL, U+2028, U+2029 and form feeds, which would send a reader to the wrong line.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def editor_lines(text: str) -> list[str]:
    """The lines of `text` as an editor numbers them (without their line breaks)."""
    return _LINE_BREAK.split(text)


class LineIndex:
    """Maps a character index of a text to the 1-based line:col an editor shows for it."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    def line_col(self, index: int) -> tuple[int, int]:
        """The line and column of character `index` (1-based both)."""
        line = bisect.bisect_right(self.starts, max(index, 0))
        return line, index - self.starts[line - 1] + 1


# C0 and C1 control characters (tab aside: it is harmless, and the caret line needs it) and the
# Unicode line separators. A file name, a value or a line of a file shown in a diagnostic could
# otherwise colour or clear the terminal, or forge a line of the report.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """`text` with each control character shown as its Python escape ('\\x1b', '\\n')."""
    return _UNPRINTABLE.sub(lambda found: repr(found.group())[1:-1], text)


Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column are 1-based, 0 means "the whole file"."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col or 1}"
        return self.file


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the fact base, with where it is and how to fix it."""

    location: Location
    message: str
    hint: str = ""
    severity: Severity = "error"
    related: tuple[str, ...] = field(default=())
    code: str = field(kw_only=True)  # a key of CODES; see briefing/core/codes.py

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"diagnostic code {self.code!r} is not in briefing/core/codes.py")

    def format(self) -> str:
        return _header(self) + _tail(self)

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.col, self.message)


class BriefingError(Exception):
    """A problem the user can fix (facts, templates, the disk, the environment): the command
    line prints its diagnostics and exits with `exit_status`, never a traceback."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__("; ".join(d.format() for d in diagnostics))
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)

    @property
    def exit_status(self) -> int:
        """1 for a mistake in the facts or inputs, 2 if any error is a usage error or a
        refusal (as the registry says of its code)."""
        return exit_status(self.diagnostics)


def exit_status(diagnostics: Iterable[Diagnostic]) -> int:
    """The exit status a command reports for `diagnostics`: the highest of their errors'."""
    return max((CODES[d.code].exit for d in errors(diagnostics)), default=0)


class MessageError(BriefingError):
    """A problem told in one sentence about no place in a file (a command's argument, a
    key, the disk); subclasses name the default code of their family."""

    default_code: ClassVar[str]
    where: ClassVar[str] = ""

    def __init__(self, message: str, code: str | None = None) -> None:
        self.code = code or self.default_code
        super().__init__([Diagnostic(Location(self.where), message, code=self.code)])
        self.message = message

    def __str__(self) -> str:
        return self.message


class FactBaseError(BriefingError):
    """The fact base has errors; carries every diagnostic found, warnings included."""


class TemplateError(BriefingError):
    """A template could not be loaded or rendered; located at templates/FILE:LINE."""


class PublishError(MessageError):
    """The output could not be written (lock, disk full, permissions ...)."""

    default_code = "P001"
    where = "build"


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Only the diagnostics that stop a build."""
    return [d for d in diagnostics if d.severity == "error"]


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest allowed spelling of `word`, if any is close enough."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the nearest choice, or listing the allowed ones."""
    options = sorted(set(choices))
    best = suggest(word, options)
    if best:
        return f"did you mean '{best}'?"
    if len(options) <= 12:
        return "allowed: " + ", ".join(options)
    return ""


# --- Compiler-style presentation: the offending line with a caret, and JSON for tools ---------


def _caret_prefix(line: str, col: int) -> str:
    """Blanks that put a caret under column `col`, keeping tabs so it lines up in a terminal."""
    return "".join("\t" if char == "\t" else " " for char in line[: max(col - 1, 0)])


def _header(diagnostic: Diagnostic) -> str:
    """'file:line:col: error: message [CODE]', as mypy puts its codes; no file, no prefix."""
    place = printable(str(diagnostic.location))
    text = f"{diagnostic.severity}: {printable(diagnostic.message)} [{diagnostic.code}]"
    return f"{place}: {text}" if place else text


def _tail(diagnostic: Diagnostic) -> str:
    """The hint and related lines of a diagnostic, each on a line of its own."""
    text = f"\n    hint: {printable(diagnostic.hint)}" if diagnostic.hint else ""
    for line in diagnostic.related:
        text += f"\n    {printable(line)}"
    return text


def render(diagnostic: Diagnostic, line_text: str | None = None) -> str:
    """A diagnostic as gcc/rustc print it: header, the source line, a caret, then hints.

    What comes from files (names, values, the line itself) is shown with its control
    characters escaped, so the report is the only thing that reaches the terminal."""
    loc = diagnostic.location
    text = _header(diagnostic)
    if line_text is not None and loc.line:
        number = str(loc.line)
        gutter = " " * len(number)
        raw = line_text.rstrip("\r\n")
        # The caret goes under the escaped text, which is wider than the raw one.
        before = printable(raw[: max((loc.col or 1) - 1, 0)])
        text += f"\n {number} | {printable(raw)}"
        text += f"\n {gutter} | {_caret_prefix(before, len(before) + 1)}^"
    return text + _tail(diagnostic)


def as_json(diagnostic: Diagnostic) -> dict[str, object]:
    """A diagnostic as plain data for CI annotations and editor plugins."""
    loc = diagnostic.location
    return {
        "file": loc.file,
        "line": loc.line,
        "col": loc.col,
        "severity": diagnostic.severity,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
        "related": list(diagnostic.related),
    }
