"""A source's language as data: the abbreviations and attribution words it is read with.

The engine ships a table per language (briefing/languages/*.yaml); a desk's vocabulary adds to
a table or replaces it. Which table a source takes: its own 'language', else the edition's.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml

from briefing.factbase.model import FactBase, LanguageTable, Source, Vocabulary

DEFAULT_LANGUAGE = "en"


def primary(tag: str) -> str:
    """The language of a BCP 47 tag without its region or script: 'fr' for 'fr-CA'."""
    return tag.split("-", 1)[0].lower()


@functools.cache
def shipped(tag: str) -> LanguageTable:
    """The engine's table for a language; an empty one for a language it has none for."""
    resource = resources.files("briefing").joinpath("languages", f"{primary(tag)}.yaml")
    if not resource.is_file():
        return LanguageTable()
    # Every word is text: the base loader keeps 'no' (number) from becoming false.
    data = yaml.load(resource.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return LanguageTable.model_validate(data)


def table(vocabulary: Vocabulary, tag: str) -> LanguageTable:
    """The table a desk reads a language with: the engine's, with the vocabulary's entry for
    the tag (or else for its primary language) added or put in its place."""
    entries = {key.lower(): entry for key, entry in vocabulary.languages.items()}
    entry = entries.get(tag.lower()) or entries.get(primary(tag))
    base = shipped(tag)
    if entry is None:
        return base
    if entry.replace:
        return LanguageTable(abbreviations=entry.abbreviations, attribution=entry.attribution)
    return LanguageTable(
        abbreviations=[*base.abbreviations, *entry.abbreviations],
        attribution=[*base.attribution, *entry.attribution],
    )


def source_language(facts: FactBase, source: Source) -> str:
    """The language tag a source's text is in: its own, else the edition's."""
    return source.language or facts.edition.language or DEFAULT_LANGUAGE


def source_table(facts: FactBase, source: Source) -> LanguageTable:
    """The table a source's text is read with."""
    return table(facts.vocabulary, source_language(facts, source))
