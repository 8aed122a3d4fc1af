"""Find a quote in the sources: where some remembered words are, and the exact passage to cite.

Matching here is looser than the check (case and punctuation are ignored as well as typography),
because the curator is searching; the passage printed is the source's own text, which the check
will then accept verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from rapidfuzz import fuzz

from briefing.core.gate import read_project_file, source_path
from briefing.core.project import Project
from briefing.evidence.quotes import NormalText, closest, normalise
from briefing.factbase.load import load_file

Kind = Literal["exact", "loose", "near"]

# Places of a match listed per source at most: a word searched in a text of that word repeated
# matches at every word, and each match is scored (the command line shows the first five).
MAX_HITS_PER_SOURCE = 100
# Below this similarity a "closest passage" is noise rather than a lead.
NEAR_ENOUGH = 0.6


@dataclass(frozen=True)
class SourceText:
    """A text to search: its id in sources.yaml (None if not registered) and its contents."""

    source_id: str | None
    name: str  # as shown, e.g. facts/sources/alpha.txt
    text: NormalText


@dataclass(frozen=True)
class Hit:
    """One place where the searched words are, or nearly are."""

    source_id: str | None
    name: str
    line: int
    col: int
    passage: str  # the source's own words, whitespace collapsed: paste this as the quote
    before: str
    after: str
    score: float  # 1.0 for an exact match (up to typography), lower for looser ones
    kind: Kind


@dataclass(frozen=True)
class FoldedText:
    """Normalised text folded further for searching: lower case, letters and digits only."""

    text: str
    to_normal: tuple[int, ...]  # index in the folded text → index in the normalised text


def fold(normal: str) -> FoldedText:
    """Lower-case, drop punctuation and marks, one space between words; keep an offset map."""
    chars: list[str] = []
    offsets: list[int] = []
    pending_space = False
    for index, char in enumerate(normal):
        if char == "'":
            continue  # "don't" and "dont" are the same word to a searcher
        if char.isalnum():
            if pending_space and chars:
                chars.append(" ")
                offsets.append(index)
            pending_space = False
            for piece in unicodedata.normalize("NFKD", char.lower()):
                if not unicodedata.combining(piece):
                    chars.append(piece)
                    offsets.append(index)
        else:
            pending_space = True
    return FoldedText("".join(chars), tuple(offsets))


def load_sources(project: Project) -> list[SourceText]:
    """Every source text: those registered in facts/sources.yaml first, then any other file in
    facts/sources/ (so that a text dropped in a moment ago can be searched too)."""
    found: list[SourceText] = []
    seen: set[Path] = set()
    registry = project.facts / "sources.yaml"
    if registry.is_file():
        loaded, _ = load_file(registry, project.name(registry), within=project.facts)
        entries = loaded.data.get("sources") if loaded and isinstance(loaded.data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            source_id, file = entry.get("id"), entry.get("file")
            if not isinstance(source_id, str) or not isinstance(file, str):
                continue
            path, _ = source_path(project, file)
            if path is None or path in seen:
                continue
            text, _ = read_project_file(path, project.sources, project.name(path))
            if text is not None:
                seen.add(path)
                found.append(SourceText(source_id, project.name(path), normalise(text)))
    if project.sources.is_dir():
        for path in sorted(project.sources.iterdir()):
            if path.name.startswith("."):
                continue
            # The same refusals as for a registered file: no symlink out of facts/sources/.
            resolved, _ = source_path(project, path.name)
            if resolved is None or resolved in seen:
                continue
            text, _ = read_project_file(resolved, project.sources, project.name(path))
            if text is not None:
                seen.add(resolved)
                found.append(SourceText(None, project.name(path), normalise(text)))
    return found


_SPACES = re.compile(r"\s+")


def _oneline(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _context(source: NormalText, start: int, end: int, width: int) -> tuple[str, str]:
    """Up to `width` characters of the original text either side of a normalised span."""
    original = source.original
    first = source.offsets[start]
    last = source.offsets[end - 1] + 1
    before = _oneline(original[max(0, first - width) : first])
    after = _oneline(original[last : last + width])
    if first - width > 0:
        before = "…" + before
    if last + width < len(original):
        after += "…"
    # Keep the space that separates the passage from its neighbours visible.
    if first > 0 and original[first - 1].isspace():
        before += " "
    if last < len(original) and original[last].isspace():
        after = " " + after
    return before, after


# Past this length a loose match is scored by rapidfuzz (a bit-parallel longest common
# subsequence) instead of difflib, whose cost grows with the product of the lengths: a pasted
# page of 3,000 characters took seconds, one of 25,000 minutes.
_DIFFLIB_CHARS = 500


def _similarity(a: str, b: str) -> float:
    import difflib

    if max(len(a), len(b)) > _DIFFLIB_CHARS:
        return round(fuzz.ratio(a, b) / 100, 3)
    return round(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), 3)


def _take_edges(text: str, start: int, end: int, wanted: str) -> tuple[int, int]:
    """Widen a span over the punctuation the query starts or ends with, where the source has it
    too (folding dropped it): a search for '"ten years"' should yield the quotation marks."""
    body = fold(wanted).text
    if not body:
        return start, end
    lead = len(wanted) - len(wanted.lstrip("\"'([-.,;:!? "))
    trail = len(wanted) - len(wanted.rstrip("\"')].,;:!? "))
    prefix, suffix = wanted[:lead], wanted[len(wanted) - trail :] if trail else ""
    if prefix and text[max(0, start - len(prefix)) : start] == prefix:
        start -= len(prefix)
    if suffix and text[end : end + len(suffix)] == suffix:
        end += len(suffix)
    return start, end


def search(query: str, sources: list[SourceText], *, width: int = 50, near: int = 3) -> list[Hit]:
    """Matches of `query` in every source, best first; the closest passages if none match."""
    wanted = normalise(query).text
    needle = fold(wanted).text
    if not needle:
        return []
    hits: list[Hit] = []
    for source in sources:
        folded = fold(source.text.text)
        position = folded.text.find(needle)
        found_here = 0
        while position >= 0 and found_here < MAX_HITS_PER_SOURCE:
            stop = position + len(needle)
            # Only whole words: 'war' must not match inside 'toward'.
            if (position == 0 or folded.text[position - 1] == " ") and (
                stop == len(folded.text) or folded.text[stop] == " "
            ):
                start = folded.to_normal[position]
                end = folded.to_normal[stop - 1] + 1
                start, end = _take_edges(source.text.text, start, end, wanted)
                found = source.text.text[start:end]
                exact = found == wanted
                line, col = source.text.line_col(start)
                before, after = _context(source.text, start, end, width)
                hits.append(
                    Hit(
                        source.source_id,
                        source.name,
                        line,
                        col,
                        _oneline(source.text.original_span(start, end)),
                        before,
                        after,
                        1.0 if exact else _similarity(found, wanted),
                        "exact" if exact else "loose",
                    )
                )
                found_here += 1
            position = folded.text.find(needle, position + 1)
    if hits:
        # Sorting is stable: equal scores keep the order of sources.yaml and of the text.
        return sorted(hits, key=lambda h: -h.score)
    misses: list[Hit] = []
    for source in sources:
        miss = closest(query, source.text)
        if miss is None or miss.similarity < NEAR_ENOUGH:
            continue
        needle_start = source.text.text.find(normalise(miss.passage).text)
        start = max(needle_start, 0)
        end = start + len(normalise(miss.passage).text)
        before, after = _context(source.text, start, end, width)
        misses.append(
            Hit(
                source.source_id,
                source.name,
                miss.line,
                miss.col,
                _oneline(miss.passage),
                before,
                after,
                miss.similarity,
                "near",
            )
        )
    return sorted(misses, key=lambda h: -h.score)[:near]


def yaml_scalar(text: str) -> str:
    """`text` as a YAML value on one line, quoted only when YAML needs it."""
    dumped = yaml.safe_dump(text, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def citation_yaml(hit: Hit) -> str:
    """The citation to paste under 'citations:'."""
    source_id = hit.source_id or "FILL IN: register this file first (briefing new source)"
    return f"- source: {yaml_scalar(source_id)}\n  quote: {yaml_scalar(hit.passage)}"
