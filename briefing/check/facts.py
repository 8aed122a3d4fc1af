"""Check: ids are unique, references resolve, source files are safe, and every quote is verbatim."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefing.core.diagnostics import Diagnostic, Location, did_you_mean, editor_lines
from briefing.core.gate import (
    MAX_FILE_BYTES,
    MAX_ORIGINAL_BYTES,
    file_sha256,
    read_project_bytes,
    read_project_file,
    source_path,
)
from briefing.core.memo import Memo, digest
from briefing.core.project import Project
from briefing.evidence.citations import Cited, all_citations, file_citations, rate_citations
from briefing.evidence.claims import (
    check_confidence,
    check_cut_off,
    check_estimates,
    check_quoted_words,
    check_relays,
    check_set_aside,
    check_source_refs,
    file_judgments,
    file_prose,
)
from briefing.evidence.context import SourcesRead, check_evidence
from briefing.evidence.excerpts import (
    SUFFIX,
    ExcerptsError,
    PartialText,
    excerpts_name,
    read_excerpts,
)
from briefing.evidence.figures import check_figures, check_includes, check_rates
from briefing.evidence.proofs import Key, Proof, Proofs
from briefing.evidence.quotes import (
    MAX_QUOTE_CHARS,
    Finds,
    Match,
    NearMiss,
    NormalText,
    Part,
    Span,
    closest,
    counted,
    find,
    find_parts,
    in_parts,
    normalise,
    quote_parts,
    short_parts,
)
from briefing.factbase.distribution import check_distribution
from briefing.factbase.history import sources, when
from briefing.factbase.load import LoadedFile, Path_
from briefing.factbase.model import (
    FACT_GROUPS,
    MIN_PART_WORDS,
    Actor,
    Overview,
    Position,
    Source,
)
from briefing.factbase.plan import Plan, actor_order, plan_outputs
from briefing.factbase.validate import LoadedFactBase, load_fact_base


def _unique(items: list[tuple[str, LoadedFile, Path_]], what: str) -> Iterator[Diagnostic]:
    seen: dict[str, Location] = {}
    for item_id, loaded, path in items:
        where = loaded.locate((*path, "id"))
        if item_id in seen:
            yield Diagnostic(
                where,
                f"duplicate {what} id '{item_id}' (first defined at {seen[item_id]})",
                "give each one its own id",
                code="R001",
            )
        else:
            seen[item_id] = where


def check_ids(base: LoadedFactBase) -> list[Diagnostic]:
    """Ids are unique within sources, people, actors, and across all facts of all actors."""
    facts = base.facts
    problems: list[Diagnostic] = []
    problems += _unique(
        [(s.id, base.sources_file, ("sources", i)) for i, s in enumerate(facts.sources)], "source"
    )
    problems += _unique(
        [(p.id, base.people_file, ("people", i)) for i, p in enumerate(facts.people)], "person"
    )
    problems += _unique(
        [(a.id, f, ()) for a, f in zip(facts.actors, base.actor_files, strict=True)], "actor"
    )
    problems += _unique(
        [
            (q.id, base.edition_file, ("questions", i))
            for i, q in enumerate(facts.edition.questions)
        ],
        "question",
    )
    entries: list[tuple[str, LoadedFile, Path_]] = []
    for actor, loaded in zip(facts.actors, base.actor_files, strict=True):
        for group in FACT_GROUPS:
            for i, item in enumerate(getattr(actor, group)):
                entries.append((item.id, loaded, (group, i)))
    problems += _unique(entries, "fact")
    for actor, loaded in zip(facts.actors, base.actor_files, strict=True):
        stem = loaded.path.stem
        if stem != actor.id:
            problems.append(
                Diagnostic(
                    loaded.locate(("id",)),
                    f"actor id '{actor.id}' does not match its file name '{loaded.path.name}'",
                    f"rename the file to {actor.id}.yaml or set 'id: {stem}'",
                    code="R002",
                )
            )
    return problems


def _reference(
    value: str,
    known: set[str],
    what: str,
    loaded: LoadedFile,
    path: Path_,
    hint: str | None = None,
) -> list[Diagnostic]:
    if value in known:
        return []
    return [
        Diagnostic(
            loaded.locate(path),
            f"unknown {what} '{value}'",
            hint if hint is not None else did_you_mean(value, known),
            code="R003",
        )
    ]


def actor_hint(value: str, actors: Sequence[Actor], known: set[str]) -> str:
    """A did-you-mean for an actor id that also knows what curators type instead: the
    actor's code ('PL'), its initials ('uk' for the United Kingdom, whose id is 'gb') or the
    start of its name ('ja' for Japan, 'jp')."""
    wanted = value.lower()
    for actor in actors:
        words = re.findall(r"[^\W\d_]+", actor.name.lower())
        initials = "".join(w[0] for w in words if w not in {"of", "the", "and"})
        name = " ".join(words)
        code = (actor.code or "").lower()
        if wanted in {code, initials} or (len(wanted) >= 2 and name.startswith(wanted)):
            return f"did you mean '{actor.id}' ({actor.name})?"
    return did_you_mean(value, known)


def check_references(base: LoadedFactBase) -> list[Diagnostic]:
    """Speakers, actors, parties, questions and facts named by id all exist (the sources
    that citations name: check_cited_sources, a file at a time)."""
    facts = base.facts
    people = {p.id for p in facts.people}
    # An actor whose file failed validation still exists; its errors are reported already.
    actors = {a.id for a in facts.actors} | base.failed_actors
    questions = {q.id for q in facts.edition.questions}
    problems: list[Diagnostic] = []
    for i, person in enumerate(facts.people):
        where: Path_ = ("people", i, "actor")
        # The hint only for an unknown id: it looks at every actor, for every reference.
        hint = None if person.actor in actors else actor_hint(person.actor, facts.actors, actors)
        problems += _reference(person.actor, actors, "actor", base.people_file, where, hint)
    for actor, loaded in zip(facts.actors, base.actor_files, strict=True):
        for i, position in enumerate(actor.positions):
            path: Path_ = ("positions", i)
            problems += _reference(
                position.question, questions, "question", loaded, (*path, "question")
            )
            if position.speaker:
                problems += _reference(
                    position.speaker, people, "person", loaded, (*path, "speaker")
                )
        for i, statement in enumerate(actor.statements):
            path = ("statements", i, "speaker")
            problems += _reference(statement.speaker, people, "person", loaded, path)
        for i, commitment in enumerate(actor.commitments):
            for k, party in enumerate(commitment.parties):
                path = ("commitments", i, "parties", k)
                hint = None if party in actors else actor_hint(party, facts.actors, actors)
                problems += _reference(party, actors, "actor", loaded, path, hint)
    fact_ids = {f.id for a in facts.actors for g in FACT_GROUPS for f in getattr(a, g)}
    for actor, loaded in zip(facts.actors, base.actor_files, strict=True):
        for group in FACT_GROUPS:
            for i, fact in enumerate(getattr(actor, group)):
                order = getattr(fact, "order", None)
                if order is None or order.target == "event":
                    continue
                side = "before" if order.before else "after"
                problems += _reference(
                    order.target, fact_ids, "fact", loaded, (group, i, "order", side)
                )
    return problems


def check_cited_sources(citations: Iterable[Cited], sources: set[str]) -> list[Diagnostic]:
    """The source every citation names is registered (in `sources`, by id)."""
    problems: list[Diagnostic] = []
    for cited in citations:
        problems += _reference(
            cited.citation.source, sources, "source", cited.file, (*cited.path, "source")
        )
    return problems


def read_sources(
    project: Project,
    base: LoadedFactBase,
    only: Collection[str] | None = None,
    memo: Memo | None = None,
) -> tuple[dict[str, NormalText], list[Diagnostic]]:
    """Read every registered source file, normalised for matching; with `only`, just those
    whose file (as sources.yaml names it) is in it: the others are not there to be read.
    With `memo`, a text read before is not normalised again: the same NormalText is given,
    with what was worked out of it (paragraphs, lines) and found in it."""
    texts: dict[str, NormalText] = {}
    problems: list[Diagnostic] = []
    for i, source in enumerate(base.facts.sources):
        if source.id in texts:
            continue  # a duplicate id, reported by check_ids; the first one stands
        where = base.sources_file.locate(("sources", i, "file"))
        if only is not None and source.file not in only:
            if excerpts_name(source.file) in only:
                # A PDF's fact base (briefing verify) of a source that travels as excerpts.
                partial, found = _read_excerpts(project, base, i)
                problems += found
                if partial is not None:
                    texts[source.id] = partial
            continue
        path, reason = source_path(project, source.file)
        if path is None:
            problems.append(Diagnostic(where, f"source file refused: {reason}", code="Q201"))
            continue
        text, found = read_project_file(path, project.sources, project.name(path))
        if text is None:
            problems += [
                Diagnostic(where, f"source file unreadable: {d.message}", code="Q201")
                for d in found
            ]
            continue
        texts[source.id], missing = _counted(_normalised(text, memo), source, memo)
        problems += [
            Diagnostic(
                base.sources_file.locate(("sources", i, "furniture", k)),
                f"'{source.furniture[k]}' is listed as furniture of source '{source.id}', but "
                f"no line of facts/sources/{source.file} is that line",
                "copy the line exactly as the text has it (a whole line), or remove it",
                code="Q208",
            )
            for k in missing
        ]
        problems += _pin_problems(base, i, path)
        if source.original is not None:
            problems += _original_problems(project, base, i, source.original)
    return texts, problems


def _read_excerpts(
    project: Project, base: LoadedFactBase, index: int
) -> tuple[PartialText | None, list[Diagnostic]]:
    """The text the excerpts of source `index` give (evidence.excerpts), with an error when
    they cannot stand for it, or are of another text than the one its entry pins."""
    source = base.facts.sources[index]
    where = base.sources_file.locate(("sources", index, "file"))
    name = excerpts_name(source.file)
    what = f"the excerpts of source '{source.id}' (facts/sources/{name})"
    path, reason = source_path(project, name)
    content, found = (
        (None, [])
        if path is None
        else read_project_bytes(
            path, project.sources, project.name(path), limit=MAX_FILE_BYTES, too_big="refused"
        )
    )
    if content is None:
        reason = reason if path is None else "; ".join(d.message for d in found)
        return None, [Diagnostic(where, f"{what} cannot be read: {reason}", code="Q207")]
    try:
        partial = read_excerpts(content, source)
    except ExcerptsError as exc:
        return None, [
            Diagnostic(
                where,
                f"{what} do not stand for its text: {exc}",
                "they were changed after the PDF was made; ask the desk for the PDF again",
                code="Q207",
            )
        ]
    declared = partial.excerpts.sha256
    if source.sha256 is not None and declared != source.sha256:
        return partial, [
            Diagnostic(
                base.sources_file.locate(("sources", index, "sha256")),
                f"{what} are of a text whose SHA-256 is {declared[:16]}..., not the text "
                f"sources.yaml pins ({source.sha256[:16]}...)",
                "the excerpts or the pin were changed after the PDF was made",
                code="Q204",
            )
        ]
    return partial, []


def _normalised(text: str, memo: Memo | None) -> NormalText:
    if memo is None:
        return normalise(text)
    return memo.get(("source text", digest(text)), lambda: normalise(text))


def _counted(text: NormalText, source: Source, memo: Memo | None) -> tuple[NormalText, list[int]]:
    """The text with how its paragraphs are counted (evidence.quotes.counted: its headline and
    furniture are not), and the furniture lines of its entry that are not in it."""
    title = None if source.title_supplied else source.title
    if memo is None:
        return counted(text, title, source.furniture)
    key = ("counted text", text.digest, title, tuple(source.furniture))
    return memo.get(key, lambda: counted(text, title, source.furniture))


def _original_problems(
    project: Project, base: LoadedFactBase, index: int, file: str
) -> list[Diagnostic]:
    """An error when the original a source names (attached to the book beside its text) is
    missing, outside facts/originals/ or too large to attach. Its size is read from the file
    system: the original is attached as it is, never parsed here."""
    where = base.sources_file.locate(("sources", index, "original"))
    path, reason = source_path(project, file, project.originals, "page.html")
    if path is None:
        return [Diagnostic(where, f"original refused: {reason}", code="Q202")]
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [Diagnostic(where, f"original unreadable: {exc.strerror or exc}", code="Q202")]
    if size > MAX_ORIGINAL_BYTES:
        return [
            Diagnostic(
                where,
                f"original is {size:,} bytes; the limit is {MAX_ORIGINAL_BYTES:,} "
                f"({MAX_ORIGINAL_BYTES // 1024 // 1024} MiB)",
                "attach a smaller copy (the article alone), or drop 'original:'",
                code="Q203",
            )
        ]
    return []


def _pin_problems(base: LoadedFactBase, index: int, path: Path) -> list[Diagnostic]:
    """An error when a pinned source text is no longer the text its quotes were checked
    against: an edit that keeps every quote can still change what a passage means."""
    source = base.facts.sources[index]
    if source.sha256 is None:
        return []
    try:
        digest = file_sha256(path)
    except OSError:
        return []  # the text was just read; a file gone since is reported by the next run
    if digest == source.sha256:
        return []
    facts = {
        (c.file.name, c.path[:2])
        for c in all_citations(base)
        if c.citation.source == source.id and c.path[0] in FACT_GROUPS
    }
    count = (
        f"{len(facts)} fact{'' if len(facts) == 1 else 's'} cite{'s' if len(facts) == 1 else ''}"
    )
    return [
        Diagnostic(
            base.sources_file.locate(("sources", index, "sha256")),
            f"source '{source.id}' changed since it was pinned: facts/sources/{source.file} no "
            f"longer matches its sha256 ({count} it)",
            f"look at the change (e.g. git diff facts/sources/{source.file}); if the facts "
            f"still hold, run: briefing pin {source.id}",
            code="Q204",
        )
    ]


def raw_citations(loaded: LoadedFile) -> Iterator[tuple[str, str, Path_]]:
    """(source, quote, path) of every citation written in a file, read from the YAML itself:
    for files that failed validation, whose quotes are still worth checking."""

    def walk(node: Any, path: Path_) -> Iterator[tuple[str, str, Path_]]:
        if isinstance(node, dict):
            for key, value in node.items():
                # 'reported' holds a disputed value's figures, each a citation with its value.
                if key in ("citations", "reported") and isinstance(value, list):
                    for k, item in enumerate(value):
                        if isinstance(item, dict):
                            source, quote = item.get("source"), item.get("quote")
                            if isinstance(source, str) and isinstance(quote, str):
                                yield source.strip(), quote, (*path, key, k)
                else:
                    yield from walk(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, (*path, i))

    yield from walk(loaded.data, ())


def _cited_elsewhere(
    quote: str, cited: str, texts: dict[str, NormalText]
) -> tuple[str, Match] | None:
    """The first other registered source (in sources.yaml order) the quote is verbatim in."""
    for other, text in texts.items():
        if other != cited:
            match = find(quote, text)
            if match is not None:
                return other, match
    return None


def _word_location(loaded: LoadedFile, value: Location, quote: str, offset: int) -> Location | None:
    """Where in the YAML file the quote's character `offset` is: in a value written on its
    line as is (plain, or in quotes without escapes), or in a plain or block ('>-', '|') value
    whose lines hold the quote's words as written. None when the columns cannot be mapped
    (escapes, blank lines inside a block, comments): the caret then stays at the value."""
    if not value.line:
        return None
    # The text the loader read through the gate: the file is not read a second time.
    lines = editor_lines(loaded.text)
    if value.line > len(lines):
        return None
    written = lines[value.line - 1][value.col - 1 :]
    before = quote[:offset]
    skip = 1 if written[:1] in ("'", '"') else 0
    # In quotes, an escape ('' or a backslash) before the word makes the text differ from
    # the quote's, so this test also refuses the values whose columns do not map.
    if "\n" not in before and written[skip:].startswith(before):
        return Location(value.file, value.line, value.col + skip + offset)
    if skip:
        return None
    return _folded_location(lines, value, quote, offset)


def _folded_location(lines: list[str], value: Location, quote: str, offset: int) -> Location | None:
    """The place of `offset` in a value over several lines, each line's words a piece of the
    quote joined by one space or line break; every piece is compared, so a guess is never
    printed."""
    written = lines[value.line - 1][value.col - 1 :]
    # A block ('>-', '|') starts on the next line; a plain value on the key's own line.
    block = written[:1] in (">", "|")
    pieces: list[tuple[int, int, str]] = (
        [] if block else [(value.line, value.col, written.rstrip())]
    )
    number = value.line + 1
    while number <= len(lines) and sum(len(p[2]) + 1 for p in pieces) <= len(quote):
        text = lines[number - 1]
        if not text.strip():
            return None  # a blank line is a line break in the value: the pieces do not add up
        pieces.append((number, len(text) - len(text.lstrip()) + 1, text.strip()))
        number += 1
    position = 0
    for number, col, text in pieces:
        if quote[position : position + len(text)] != text:
            return None
        if position <= offset < position + len(text):
            return Location(value.file, number, col + offset - position)
        position += len(text) + 1
    return None


# A quote as the check finds it: the source id it cites, its words, and where it is written.
Quoted = tuple[str, str, LoadedFile, Path_]


def quotes_in(entry: Overview | Actor | None, loaded: LoadedFile) -> list[Quoted]:
    """Every quote of a facts file: from its validated `entry`, or, for a file that did not
    validate (None), as its YAML holds them (see raw_citations)."""
    if entry is None:
        return [(src, quote, loaded, path) for src, quote, path in raw_citations(loaded)]
    return [
        (c.citation.source, c.citation.quote, c.file, c.path) for c in file_citations(entry, loaded)
    ]


def check_quotes(
    base: LoadedFactBase,
    texts: dict[str, NormalText],
    quotes: Sequence[Quoted],
    finds: Finds | None = None,
    proofs: Proofs | None = None,
) -> list[Diagnostic]:
    """Every quote occurs verbatim (up to typography) in the file of the source it cites: in the
    files that validated, and in those that did not (every problem at once). What is found is
    kept in `proofs`, for every stage after the check. `base` gives the registered sources."""
    finds = finds if finds is not None else Finds()
    problems: list[Diagnostic] = []
    files = {s.id: s.file for s in base.facts.sources}
    # Files whose near-miss hints ran out (see NEAR_MISS_HINTS), and how many went without.
    hints = _NearMissHints()
    for source_id, quote, loaded, path in quotes:
        text = texts.get(source_id)
        if text is None or len(quote) < 8:
            continue  # unknown, unreadable or too short: reported elsewhere
        if len(quote) > MAX_QUOTE_CHARS:
            problems.append(_too_long(loaded, path, quote))
            continue
        short = short_parts(quote)
        if short:
            problems.append(_short_part(loaded, path, quote, short[0]))
            continue
        match = finds.find((loaded, tuple(path)), quote, text)
        if match is not None:
            if proofs is not None:
                proofs.record(source_id, quote, match, text)
            continue
        elsewhere = _cited_elsewhere(quote, source_id, texts)
        if elsewhere is not None:
            # The common slip: the right words, the wrong source id (copied from the entry
            # above). Naming the source that has them beats any near-miss lead.
            other, match = elsewhere
            place = f"facts/sources/{files[other]}:{match.line}:{match.col}"
            problems.append(
                Diagnostic(
                    loaded.locate((*path, "quote")),
                    f"quote not found in source '{source_id}'; it is in source '{other}' "
                    f"({place}): cite '{other}'",
                    f"write 'source: {other}' in this citation",
                    code="Q102",
                )
            )
            continue
        hinted = hints.take(loaded)
        if in_parts(quote):
            problem = _parts_not_found(loaded, path, quote, source_id, files, text, hinted)
            problems.append(problem if hinted else hints.without(loaded, problem))
            continue
        near = closest(quote, text) if hinted else None
        where = loaded.locate((*path, "quote"))
        message = f"quote not found in source '{source_id}'"
        if isinstance(text, PartialText):
            message += " (in the excerpts of it that stand for its text)"
        related: tuple[str, ...] = ()
        if near is not None:
            related = _near_miss(near, files[source_id])
            if near.differs_at is not None:
                at = _word_location(loaded, where, quote, near.differs_at)
                if at is None:
                    # A block or escaped value: the caret stays at its start, so the message
                    # names the word to look at.
                    message += f" (it differs at '{near.quote_word}')"
                else:
                    where = at
        problem = Diagnostic(
            where,
            message,
            "copy the words exactly from the source (briefing find-quote helps)",
            related=related,
            code="Q101",
        )
        problems.append(problem if hinted else hints.without(loaded, problem))
    return hints.counted(problems)


# Near-miss hints given per facts file: each costs an alignment with the whole source, and past
# a few dozen misses in one file the cause is one mistake (the wrong source file, a bad paste)
# that the first hints already show.
NEAR_MISS_HINTS = 20


class _NearMissHints:
    """Counts the quotes not found in each facts file, and marks the errors past the first
    NEAR_MISS_HINTS as given without a closest passage, saying how many there are."""

    def __init__(self) -> None:
        self.given: dict[int, int] = {}  # quotes not found so far, by id() of the facts file
        self.left: dict[int, int] = {}  # of them, those past the hints
        self.marked: dict[int, int] = {}  # id() of an error given without → id() of its file

    def take(self, loaded: LoadedFile) -> bool:
        """Whether the next quote not found in `loaded` gets a near-miss hint."""
        count = self.given.get(id(loaded), 0)
        self.given[id(loaded)] = count + 1
        return count < NEAR_MISS_HINTS

    def without(self, loaded: LoadedFile, problem: Diagnostic) -> Diagnostic:
        """`problem`, noted as given without a hint."""
        self.left[id(loaded)] = self.left.get(id(loaded), 0) + 1
        self.marked[id(problem)] = id(loaded)
        return problem

    def counted(self, problems: list[Diagnostic]) -> list[Diagnostic]:
        """`problems` with a line under each error given without a hint."""
        marked: list[Diagnostic] = []
        for problem in problems:
            file = self.marked.get(id(problem))
            if file is not None:
                line = (
                    f"no closest passage shown: the first {NEAR_MISS_HINTS} quotes not found "
                    f"in this file have one, the {self.left[file]:,} after them do not"
                )
                problem = replace(problem, related=(*problem.related, line))
            marked.append(problem)
        return marked


def _too_long(loaded: LoadedFile, path: Path_, quote: str) -> Diagnostic:
    """The error for a quote too long to be searched (see MAX_QUOTE_CHARS)."""
    return Diagnostic(
        loaded.locate((*path, "quote")),
        f"this quote is {len(quote):,} characters long; a quote may have at most "
        f"{MAX_QUOTE_CHARS:,}",
        "quote only the sentence or passage that supports the entry, and cite any other "
        "passage in a citation of its own",
        code="Q107",
    )


def _near_miss(near: NearMiss, file: str) -> tuple[str, ...]:
    """The lines under a quote-not-found error: the closest passage, and the word that differs."""
    lines: tuple[str, ...] = (
        f"closest passage, facts/sources/{file}:{near.line}:{near.col}:",
        f"  {near.passage}",
    )
    if near.differs_at is not None:
        lines += (f"the quote has '{near.quote_word}' where the source has '{near.source_words}'",)
    return lines


def _short_part(loaded: LoadedFile, path: Path_, quote: str, part: Part) -> Diagnostic:
    """The error for a part of a quote in parts that is too short to prove anything."""
    where = loaded.locate((*path, "quote"))
    words = f"{part.words} word{'' if part.words == 1 else 's'}"
    return Diagnostic(
        _word_location(loaded, where, quote, part.offset) or where,
        f"'{part.text}' is a part of this quote of only {words}; each part between "
        f"ellipses needs at least {MIN_PART_WORDS}",
        "a few words are found almost anywhere and prove nothing: lengthen the part, or "
        "quote the passage whole",
        code="Q103",
    )


def _parts_not_found(
    loaded: LoadedFile,
    path: Path_,
    quote: str,
    source_id: str,
    files: dict[str, str],
    text: NormalText,
    hinted: bool = True,
) -> Diagnostic:
    """The error for a quote in parts that is not in its source: the first part that is in
    it nowhere, with its closest passage (unless not `hinted`); or, if each part is, why they
    do not go together."""
    parts = quote_parts(quote)
    where = loaded.locate((*path, "quote"))
    for number, part in enumerate(parts, 1):
        if find_parts([part.text], text) is not None:
            continue
        related: tuple[str, ...] = ()
        at: Location | None = None
        near = closest(part.text, text) if hinted else None
        if near is not None:
            related = _near_miss(near, files[source_id])
            if near.differs_at is not None:
                at = _word_location(loaded, where, quote, part.at[near.differs_at])
        return Diagnostic(
            at or _word_location(loaded, where, quote, part.offset) or where,
            f"part {number} of this quote in parts ('{part.text}') not found in source "
            f"'{source_id}'",
            "copy each part exactly from the source (briefing find-quote helps)",
            related=related,
            code="Q104",
        )
    position = 0
    for part in parts:
        found = text.text.find(part.text, position)
        if found < 0:
            return Diagnostic(
                where,
                f"the parts of this quote are in source '{source_id}', but not in this order",
                "a quote in parts keeps the order of the source; cite the parts separately",
                code="Q105",
            )
        position = found + len(part.text)
    return Diagnostic(
        where,
        f"the parts of this quote are in source '{source_id}', but not within one paragraph",
        "a quote in parts stays within one paragraph (paragraphs are separated by blank "
        "lines); cite each paragraph's words in a citation of their own",
        code="Q106",
    )


def check_history(base: LoadedFactBase) -> list[Diagnostic]:
    """Positions are dated observations: one per question and date, and an actor that has
    positions does not also say it has none."""
    problems: list[Diagnostic] = []
    for actor, loaded in zip(base.facts.actors, base.actor_files, strict=True):
        if actor.no_position and actor.positions:
            problems.append(
                Diagnostic(
                    loaded.locate(("no_position",), key=True),
                    f"actor '{actor.id}' has positions and also 'no_position'",
                    "remove 'no_position:' (it is printed in place of positions), or the positions",
                    code="C002",
                )
            )
        seen: dict[tuple[str, str | None], list[Position]] = {}
        for i, position in enumerate(actor.positions):
            date = when(position)
            key = (position.question, date.value if date else None)
            # Positions from different sources on one day are a recorded disagreement (the
            # briefs show both); one source saying two things on one day is a slip.
            shared = [
                (p, sorted(sources(p) & sources(position)))
                for p in seen.get(key, [])
                if date is None or sources(p) & sources(position)
            ]
            if shared:
                first, common = shared[0]
                said = f"dated {date.value}" if date else "without a date"
                by = f" from the same source ('{', '.join(common)}')" if common else ""
                problems.append(
                    Diagnostic(
                        loaded.locate(("positions", i, "date" if position.date else "id")),
                        f"two positions on '{position.question}' {said}{by}: "
                        f"'{first.id}' and '{position.id}'",
                        "an actor's positions on one question are observations over time: give "
                        "each its own 'date' (or 'as_of'), or merge them; positions that "
                        "different sources give for one day are recorded as a disagreement",
                        code="C003",
                    )
                )
            seen.setdefault(key, []).append(position)
    return problems


# --- Warnings: things that are valid but probably unfinished ----------------------------------

PLACEHOLDER = "FILL IN"


def check_usage(
    project: Project, base: LoadedFactBase, cited: Collection[str] | None = None
) -> list[Diagnostic]:
    """Warnings: sources nobody cites, people nobody quotes, actors without a position, and
    text files in facts/sources/ that sources.yaml does not register. `cited`: the ids of
    the sources the fact base cites, when they are known already."""
    facts = base.facts
    problems: list[Diagnostic] = []
    # With an actor file that failed validation, its citations and speakers are unknown: who is
    # cited or quoted cannot be judged until it is fixed, so those warnings wait.
    judged = not base.failed_actors
    if cited is None:
        cited = {c.citation.source for c in all_citations(base)}
    for i, source in enumerate(facts.sources):
        if judged and source.id not in cited:
            problems.append(
                Diagnostic(
                    base.sources_file.locate(("sources", i, "id")),
                    f"source '{source.id}' is not cited by any fact",
                    "cite it in a commitment, position or statement, or remove the entry",
                    severity="warning",
                    code="Q206",
                )
            )
    speakers = {s.speaker for actor in facts.actors for s in actor.statements}
    speakers |= {p.speaker for actor in facts.actors for p in actor.positions if p.speaker}
    for i, person in enumerate(facts.people):
        if judged and person.id not in speakers:
            problems.append(
                Diagnostic(
                    base.people_file.locate(("people", i, "id")),
                    f"person '{person.id}' is not the speaker of any statement or position",
                    f"add a statement with 'speaker: {person.id}', or remove the entry",
                    severity="warning",
                    code="C004",
                )
            )
    question_ids = [q.id for q in facts.edition.questions]
    for actor, loaded in zip(facts.actors, base.actor_files, strict=True):
        # A curator who has looked and found no position says so in 'no_position'; actors the
        # sources only mention get no brief, so a missing position is expected of them.
        if not actor.positions and not actor.no_position and actor.role == "principal":
            where = loaded.locate(("positions",), key=True)
            problems.append(
                Diagnostic(
                    where,
                    f"actor '{actor.id}' has no position",
                    "add 'positions:' for question(s) "
                    + ", ".join(question_ids)
                    + ", or say why there is none in 'no_position:'",
                    severity="warning",
                    code="C005",
                )
            )
    problems += _judgment_counts(base)
    registered = {s.file for s in facts.sources}
    if project.sources.is_dir():
        for path in sorted(project.sources.iterdir()):
            # A PDF's fact base carries the excerpts of a registered text in place of it.
            excerpted = path.name.removesuffix(SUFFIX) if path.name.endswith(SUFFIX) else None
            if excerpted in registered:
                continue
            if path.is_file() and not path.name.startswith(".") and path.name not in registered:
                problems.append(
                    Diagnostic(
                        Location(project.name(path)),
                        "source text is not registered in facts/sources.yaml",
                        f"run: briefing new source {path.name}",
                        severity="warning",
                        code="Q205",
                    )
                )
    return problems


# A bottom line a principal reads in thirty seconds: at least one judgment, at most four.
MIN_JUDGMENTS, MAX_JUDGMENTS = 1, 4
# A run of more footnote markers than this on one entry buries the sentence it proves.
MAX_PASSAGES = 5


def marker_runs(citations: Iterable[Cited]) -> list[Diagnostic]:
    """Warnings for entries that cite more distinct passages than a reader can follow."""
    counts: dict[tuple[str, Path_], set[tuple[str, str]]] = {}
    places: dict[tuple[str, Path_], LoadedFile] = {}
    for cited in citations:
        entry = (cited.file.name, cited.path[:2])
        quote = " ".join(cited.citation.quote.split())
        counts.setdefault(entry, set()).add((cited.citation.source, quote))
        places[entry] = cited.file
    problems: list[Diagnostic] = []
    for (name, path), passages in counts.items():
        if len(passages) > MAX_PASSAGES:
            problems.append(
                Diagnostic(
                    places[(name, path)].locate((*path, "citations"), key=True),
                    f"this entry cites {len(passages)} passages; its footnote markers bury it",
                    f"cite the {MAX_PASSAGES} that prove it best, or split the entry",
                    severity="warning",
                    code="C006",
                )
            )
    return problems


def _judgment_counts(base: LoadedFactBase) -> list[Diagnostic]:
    """Warnings for a bottom line with no key judgment or more than a reader takes in; an
    actor that says why it has none ('no_judgment') has its bottom line, and may not have both."""
    add = "add 'bluf:' with a cited key judgment"
    places: list[tuple[str, int, LoadedFile, str]] = [
        ("the overview", len(base.facts.overview.bluf), base.overview_file, add)
    ]
    problems: list[Diagnostic] = []
    for actor, loaded in zip(base.facts.actors, base.actor_files, strict=True):
        if actor.no_judgment and actor.bluf:
            problems.append(
                Diagnostic(
                    loaded.locate(("no_judgment",), key=True),
                    f"actor '{actor.id}' has key judgments and also 'no_judgment'",
                    "remove 'no_judgment:' (it is printed in place of the key judgments), "
                    "or the judgments",
                    code="C008",
                )
            )
        elif not actor.chapter and not actor.no_judgment:
            # Without a chapter there is nowhere to print a judgment: the section of others on
            # record prints the reason there is none.
            problems.append(
                Diagnostic(
                    loaded.locate(("chapter",), key=True),
                    f"actor '{actor.id}' has 'chapter: false' but no 'no_judgment'",
                    "say in 'no_judgment:' why the desk judges nothing of it (and drop 'bluf:'),"
                    " or remove 'chapter: false'",
                    code="C009",
                )
            )
        elif actor.role == "principal" and not actor.no_judgment:
            # An actor on which the record bears no judgment may say so instead.
            none_hint = f"{add}, or say why there is none in 'no_judgment:'"
            places.append((f"actor '{actor.id}'", len(actor.bluf), loaded, none_hint))
    for what, count, loaded, none_hint in places:
        if MIN_JUDGMENTS <= count <= MAX_JUDGMENTS:
            continue
        where = loaded.locate(("bluf",), key=True) if count else Location(loaded.name)
        problems.append(
            Diagnostic(
                where,
                f"{what} has {count} key judgments; a bottom line has "
                f"{MIN_JUDGMENTS} to {MAX_JUDGMENTS}",
                "merge or drop judgments" if count else none_hint,
                severity="warning",
                code="C007",
            )
        )
    return problems


def _placeholders(data: Any, path: Path_) -> Iterator[tuple[Path_, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _placeholders(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _placeholders(value, (*path, i))
    elif isinstance(data, str) and PLACEHOLDER in data:
        yield path, data


def check_placeholders(files: list[LoadedFile]) -> list[Diagnostic]:
    """Errors for every 'FILL IN' placeholder that `briefing new` left in a facts file: in
    every file that parsed, whether or not it validated."""
    problems: list[Diagnostic] = []
    for loaded in files:
        for where, text in _placeholders(loaded.data, ()):
            key = next((str(p) for p in reversed(where) if isinstance(p, str)), "value")
            wanted = text.split(PLACEHOLDER, 1)[1].lstrip(" :").strip() or f"the {key}"
            problems.append(
                Diagnostic(
                    loaded.locate(where),
                    f"'{key}' still holds a placeholder",
                    f"write {wanted} (and drop the '{PLACEHOLDER}')",
                    code="C001",
                )
            )
    return problems


def without_shadowed(problems: list[Diagnostic]) -> list[Diagnostic]:
    """Drop diagnostics at the exact place of a placeholder: the placeholder explains them."""
    marked = {p.location for p in problems if p.code == "C001"}
    return [p for p in problems if p.location not in marked or p.code == "C001"]


@dataclass(frozen=True)
class Checked:
    """What the check stage hands on: the fact base (None if unusable), every diagnostic, the
    source texts read and normalised once (for coverage and find-quote), the build plan, and
    where each quote was found (what render, the data export and verify print and place)."""

    base: LoadedFactBase | None
    problems: list[Diagnostic]
    texts: dict[str, NormalText]
    plan: Plan | None
    proofs: Proofs = field(default_factory=Proofs)


def check_project(
    project: Project,
    *,
    pdf: bool = True,
    only_sources: Collection[str] | None = None,
    memo: Memo | None = None,
) -> Checked:
    """Load, validate and check the fact base, and plan the outputs: the gate every build
    passes. Diagnostics come sorted by file and line.

    `only_sources` (file names in facts/sources/) is for a fact base rebuilt from a brief's
    PDF (briefing verify), which carries only the texts that brief cites: the other texts are
    not read and their quotes not checked, instead of each being reported as missing.

    `memo` (the live preview's, made for this project) keeps what this check makes for the
    next one: files, source texts and quotes unchanged since are not parsed, read, checked or
    found again (see check_file); the diagnostics are those of a check without it.
    """
    if memo is not None and not memo.belongs_to(project.root):
        raise ValueError(f"the memo of {memo.root} cannot check {project.root}")
    with memo.run() if memo is not None else contextlib.nullcontext():
        return _check_project(project, pdf, only_sources, memo)


def _check_project(
    project: Project, pdf: bool, only_sources: Collection[str] | None, memo: Memo | None
) -> Checked:
    base, problems, files = load_fact_base(project, memo)
    texts: dict[str, NormalText] = {}
    plan: Plan | None = None
    proofs = Proofs()
    checked_files: set[Path] = set()
    if base is not None:
        problems += check_ids(base) + check_references(base) + check_history(base)
        texts, found = read_sources(project, base, only_sources, memo)
        proofs.texts = texts
        problems += found
        shared = Shared(base, texts, only_sources, memo)
        cited: set[str] = set()
        for entry, loaded in _facts_files(project, base, files):
            result = check_file(shared, entry, loaded)
            problems += result.problems
            proofs.extend(result.proofs, result.words)
            cited |= result.cited
            checked_files.add(loaded.path)
        problems += check_usage(project, base, cited)
        problems += check_confidence(base) + check_cut_off(base) + check_set_aside(base)
        problems += check_relays(base)
        # The desk's exchange rates (vocabulary.yaml) cite quotes too, and values across files
        # include each other: both are checked on the whole base.
        rates = [
            (c.citation.source, c.citation.quote, c.file, c.path) for c in rate_citations(base)
        ]
        problems += check_quotes(base, texts, rates, Finds(memo), proofs)
        problems += check_cited_sources(
            list(rate_citations(base)), {s.id for s in base.facts.sources}
        )
        problems += check_includes(base) + check_rates(base)
        by_actor = {a.id: f for a, f in zip(base.facts.actors, base.actor_files, strict=True)}
        plan, found = plan_outputs(base.facts, actor_order(base.facts), by_actor, pdf)
        problems += found
        if base.distribution is not None and base.distribution_file is not None:
            problems += check_distribution(
                base.distribution, base.distribution_file, plan.slugs, plan.on_record
            )
    rest = [f for f in files if f.path not in checked_files]
    problems = without_shadowed(problems + check_placeholders(rest))
    return Checked(base, sorted(problems, key=Diagnostic.sort_key), texts, plan, proofs)


def _facts_files(
    project: Project, base: LoadedFactBase, files: Sequence[LoadedFile]
) -> list[tuple[Overview | Actor | None, LoadedFile]]:
    """The files whose facts are checked one file at a time, each with what validated of it:
    the overview and every actor file, validated (their model) or not (None: their quotes
    are still checked)."""
    entries: list[tuple[Overview | Actor | None, LoadedFile]] = [
        (base.facts.overview, base.overview_file),
        *zip(base.facts.actors, base.actor_files, strict=True),
    ]
    validated = {loaded.path for _, loaded in entries}
    entries += [
        (None, f)
        for f in files
        if f.path not in validated
        and (f.path.is_relative_to(project.actors) or f.path == project.facts / "overview.yaml")
    ]
    return entries


class Shared:
    """What the checks of each facts file read besides the file itself: the fact base (its
    sources, people and vocabulary; never its other files), the source texts, and what the
    evidence checks work out of them (SourcesRead).

    `key` names all of that by content (the digests of vocabulary.yaml, edition.yaml,
    sources.yaml, people.yaml and of each text read): with a memo, a file's checks are done
    again only when the file or this key changed."""

    def __init__(
        self,
        base: LoadedFactBase,
        texts: dict[str, NormalText],
        only_sources: Collection[str] | None = None,
        memo: Memo | None = None,
    ) -> None:
        self.base, self.texts, self.memo = base, texts, memo
        read_from = (base.vocabulary_file, base.edition_file, base.sources_file, base.people_file)
        named = [(f.name, f.digest) for f in read_from]
        named += [(source_id, text.digest) for source_id, text in texts.items()]
        only = sorted(only_sources) if only_sources is not None else None
        self.key = digest(json.dumps([named, only]))
        if memo is None:
            self.read = SourcesRead(base.facts, texts)
        else:
            self.read = memo.get(("sources read", self.key), lambda: SourcesRead(base.facts, texts))


@dataclass(frozen=True)
class FileChecked:
    """What the checks of one facts file found: their diagnostics, and the proof of each quote
    of the file that was found in its source."""

    problems: tuple[Diagnostic, ...]
    proofs: tuple[tuple[Key, Proof], ...]
    cited: frozenset[str]  # the ids of the sources its validated facts cite
    words: tuple[tuple[str, Span], ...] = ()  # where the words its prose quotes were found


def check_file(shared: Shared, entry: Overview | Actor | None, loaded: LoadedFile) -> FileChecked:
    """Every check whose findings in a facts file depend on that file and `shared` alone: its
    quotes and the sources they name, what they prove and how they are cut (evidence), the
    words its prose quotes, its figures, estimative words, source references, footnote runs
    and placeholders. `entry` is what validated of the file (None: only its quotes and
    placeholders are checked).

    With the memo, the result is kept by the file's text and shared.key: an edit to one file
    checks that file again, and the others not at all."""
    if shared.memo is None:
        return _check_file(shared, entry, loaded)
    key = ("file checked", shared.key, loaded.name, loaded.digest, entry is not None)
    return shared.memo.get(key, lambda: _check_file(shared, entry, loaded))


def _check_file(shared: Shared, entry: Overview | Actor | None, loaded: LoadedFile) -> FileChecked:
    base, texts = shared.base, shared.texts
    finds, proofs = Finds(shared.memo), Proofs()
    problems = check_quotes(base, texts, quotes_in(entry, loaded), finds, proofs)
    citations = list(file_citations(entry, loaded)) if entry is not None else []
    if entry is not None:
        problems += check_cited_sources(citations, {s.id for s in base.facts.sources})
        problems += marker_runs(citations)
        problems += check_evidence(base, texts, finds, entries=[(entry, loaded)], read=shared.read)
        items = list(file_prose(entry, loaded))
        problems += check_quoted_words(base, texts, items, proofs)
        if isinstance(entry, Actor):
            problems += check_figures(base, [(entry, loaded)])
        problems += check_estimates(base, file_judgments(entry, loaded))
        problems += check_source_refs(base, items)
    problems += check_placeholders([loaded])
    cited = frozenset(c.citation.source for c in citations)
    return FileChecked(
        tuple(problems), tuple(proofs.recorded()), cited, tuple(proofs.recorded_words())
    )


def run_check(project: Project) -> tuple[LoadedFactBase | None, list[Diagnostic]]:
    """The fact base and every diagnostic (see check_project)."""
    checked = check_project(project)
    return checked.base, checked.problems
