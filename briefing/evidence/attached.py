"""Attached names: what a reader sees in a PDF's attachment panel for each source it carries.

A source travels as a file of its own, named by its label and title ("S1 Poland proposed …
(passages cited).json"), so that an official opening the panel knows what each file is; the
project's name for it (facts/sources/FILE) is kept in the manifest, inside the one bundle that
holds what `briefing verify` needs besides (briefing.render.attachments, briefing.pdf.embed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from briefing.factbase.model import FactBase, Source

# A title is cut at a word boundary past this many characters: a viewer's panel is narrow.
TITLE_CHARACTERS = 60
# What may not stand in a file name on some reader's disk, nor in a name verify accepts: each
# as near as a file name can say it ("Tracker: who" is "Tracker - who"), the rest left out.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_NEAREST = str.maketrans({":": " -", "/": "-", "\\": "-", "|": "-", '"': "'"})


def source_labels(facts: FactBase) -> dict[str, str]:
    """Each source's short reference by its id (S1, S2 …, in the order of sources.yaml): the
    notes cite 'S4, ¶3', Appendix A and the attachment panel resolve it."""
    return {s.id: f"S{i}" for i, s in enumerate(facts.sources, 1)}


@dataclass(frozen=True)
class AttachedNames:
    """The names a source's files are attached under: its text (or its excerpts, for a source
    that may not travel whole) and, for a source that travels whole, its original."""

    text: str
    original: str | None


def _title(title: str) -> str:
    words = " ".join(_UNSAFE.sub(" ", title.translate(_NEAREST)).split()).rstrip(" .")
    if len(words) <= TITLE_CHARACTERS:
        return words
    cut = words[:TITLE_CHARACTERS].rsplit(" ", 1)[0].rstrip(" ,;.-–")
    return cut + "…"


def _suffix(file: str) -> str:
    suffix = _UNSAFE.sub("", PurePosixPath(file).suffix)
    return suffix if len(suffix) <= 16 else ""  # an extension, not the rest of a long name


def attached_names(source: Source, label: str) -> AttachedNames:
    """The names `source` (labelled `label`) is attached under in a PDF."""
    lead = f"{label} {_title(source.title)}".strip()
    if source.redistribute == "excerpts":
        return AttachedNames(f"{lead} (passages cited).json", None)
    text = f"{lead}{_suffix(source.file)}"
    original = f"{lead} (original){_suffix(source.original)}" if source.original else None
    return AttachedNames(text, original)


def all_attached_names(facts: FactBase) -> dict[str, AttachedNames]:
    """The attached names of every source of the fact base, by its id."""
    labels = source_labels(facts)
    return {s.id: attached_names(s, labels[s.id]) for s in facts.sources}
