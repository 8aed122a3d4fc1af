"""Every citation of a fact base, with the file and the path where it is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from briefing.factbase.load import LoadedFile, Path_
from briefing.factbase.model import (
    ACTOR_GROUPS,
    OVERVIEW_GROUPS,
    Actor,
    Citation,
    Disputed,
    Fact,
    Overview,
    Sourced,
)
from briefing.factbase.validate import LoadedFactBase


@dataclass(frozen=True)
class Cited:
    """A citation and where it is written."""

    citation: Citation
    file: LoadedFile
    path: Path_


def actor_citations(actor: Actor, loaded: LoadedFile) -> Iterator[Cited]:
    """Every citation in one actor file, with its YAML path."""
    for group in ACTOR_GROUPS:
        for i, item in enumerate(getattr(actor, group)):
            for k, citation in enumerate(getattr(item, "citations", [])):
                yield Cited(citation, loaded, (group, i, "citations", k))
            if isinstance(item, Fact):
                yield from value_citations(item, loaded, (group, i))


def value_citations(fact: Fact, loaded: LoadedFile, path: Path_) -> Iterator[Cited]:
    """The citations a fact's declared fields carry of their own: a sourced value's, and each
    figure a disputed value reports (a `Reported` is a citation with its value)."""
    for key in type(fact).model_fields:
        given = fact.given(key)
        if isinstance(given, Sourced):
            for k, citation in enumerate(given.citations):
                yield Cited(citation, loaded, (*path, key, "citations", k))
        elif isinstance(given, Disputed):
            for k, reported in enumerate(given.reported):
                yield Cited(reported, loaded, (*path, key, "reported", k))


def overview_citations(overview: Overview, loaded: LoadedFile) -> Iterator[Cited]:
    """Every citation in the overview file, with its YAML path."""
    for group in OVERVIEW_GROUPS:
        for i, item in enumerate(getattr(overview, group)):
            for k, citation in enumerate(item.citations):
                yield Cited(citation, loaded, (group, i, "citations", k))


def file_citations(entry: Overview | Actor, loaded: LoadedFile) -> Iterator[Cited]:
    """Every citation in one validated facts file: the overview, or an actor's."""
    if isinstance(entry, Actor):
        return actor_citations(entry, loaded)
    return overview_citations(entry, loaded)


def all_citations(base: LoadedFactBase) -> Iterator[Cited]:
    """Every citation in the fact base, in file order."""
    yield from overview_citations(base.facts.overview, base.overview_file)
    for actor, loaded in zip(base.facts.actors, base.actor_files, strict=True):
        yield from actor_citations(actor, loaded)
    yield from rate_citations(base)


def rate_citations(base: LoadedFactBase) -> Iterator[Cited]:
    """The exchange rates the desk declares: each cites the words that give it, proved like
    any quote."""
    money = base.facts.vocabulary.money
    for i, rate in enumerate(money.rates if money is not None else []):
        yield Cited(rate, base.vocabulary_file, ("money", "rates", i))


def citations_in(value: object) -> Iterator[Citation]:
    """Every citation anywhere inside a model, found by walking its fields."""
    if isinstance(value, Citation):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from citations_in(getattr(value, name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from citations_in(item)
