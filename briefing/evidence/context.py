"""Attachment: what a verbatim quote proves, beyond being verbatim.

A quote can be in its source word for word and still mislead. The check holds every citation
to three more rules, each about the words around the quote in the source:
- furniture: a quote from the page's furniture (navigation, other articles' headlines, as the
  source's entry lists them) is not the source's word (an error);
- attribution: a statement or position is its speaker's, so the quote's paragraph or the one
  before it should name them, by surname or by a title the source ties to them (a warning,
  which 'speaker_in_source: false' with a note silences);
- context: a quote that stops right before 'but', 'however', 'unless' or 'not', starts right
  after a negation, or leaves a negation out in an ellipsis, may say the opposite of its
  source (a warning).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from briefing.core.diagnostics import Diagnostic, editor_lines
from briefing.evidence.citations import Cited, actor_citations, file_citations
from briefing.evidence.quotes import Finds, Match, NormalText, Span, normalise
from briefing.factbase.languages import DEFAULT_LANGUAGE, shipped, source_table
from briefing.factbase.load import LoadedFile
from briefing.factbase.model import Actor, FactBase, LanguageTable, Overview, Person, Source
from briefing.factbase.validate import LoadedFactBase

# --- Furniture -------------------------------------------------------------------------------


def furniture_spans(source: Source, text: NormalText) -> list[tuple[int, Span]]:
    """(line, normalised span) of every line of the text that the entry lists as furniture."""
    marked = {normalise(line).text for line in source.furniture}
    if not marked:
        return []
    spans: list[tuple[int, Span]] = []
    position = 0
    for number, line in enumerate(editor_lines(text.original), 1):
        start, end = position, position + len(line)
        # Past the line and its break (CRLF is two characters; editor_lines drops both).
        position = end + (2 if text.original.startswith("\r\n", end) else 1)
        if not line.strip() or normalise(line).text not in marked:
            continue
        first = bisect.bisect_left(text.offsets, start)
        last = bisect.bisect_left(text.offsets, end)
        if first < last:
            spans.append((number, (first, last)))
    return spans


def _overlaps(spans: Sequence[Span], other: Span) -> bool:
    return any(start < other[1] and other[0] < end for start, end in spans)


class Found:
    """Where each citation's quote stands in its source, looked for once per citation (the
    check before these, and the three below, share one `Finds`)."""

    def __init__(self, texts: dict[str, NormalText], finds: Finds | None = None) -> None:
        self.texts = texts
        self.finds = finds or Finds()

    def __call__(self, item: Cited) -> Match | None:
        text = self.texts.get(item.citation.source)
        if text is None:
            return None
        return self.finds.find((item.file, tuple(item.path)), item.citation.quote, text)


def check_furniture(
    cited: Sequence[Cited], read: SourcesRead, found: Found | None = None
) -> list[Diagnostic]:
    """Errors for quotes found in lines that their source's entry lists as page furniture."""
    found = found or Found(read.texts)
    problems: list[Diagnostic] = []
    for item in cited:
        source_id = item.citation.source
        source, text = read.sources.get(source_id), read.texts.get(source_id)
        if source is None or text is None or not source.furniture:
            continue
        match = found(item)
        if match is None:
            continue  # reported as not found
        for line, span in read.furniture(source_id):
            if _overlaps(match.spans, span):
                problems.append(
                    Diagnostic(
                        item.file.locate((*item.path, "quote")),
                        f"quote is in the page furniture of source '{source_id}' (line {line}, "
                        "listed under 'furniture:'), not in its text",
                        "cite the article's own words; if the line is the article's, remove it "
                        "from the entry's 'furniture:'",
                        code="Q301",
                    )
                )
                break
    return problems


# --- Attribution -----------------------------------------------------------------------------


def fold(text: str) -> str:
    """Text without accents, so that 'Nauseda' finds 'Nausėda' (case is kept: titles need it)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def names(person: Person) -> list[str]:
    """What names a person in a source: the full name, and each word after the first (the
    surname is enough; a two-word surname, either word)."""
    words = person.name.split()
    return [person.name, *(w for w in words[1:] if len(w) > 1 and not w.endswith("."))]


def _name_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """Any of the words, whole, case and accents aside; a pattern that never matches if there
    is none (an empty name must not match everywhere)."""
    kept = sorted({fold(w).strip() for w in words} - {""}, key=len, reverse=True)
    if not kept:
        return re.compile(r"(?!)")
    alternatives = "|".join(re.escape(w) for w in kept)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


# Small words inside a title ('Secretary of the National Security and Defense Council').
_TITLE_LINKS = frozenset({"of", "for", "and", "the", "on", "at"})
# An apposition that says who someone is, set off by a comma after or before the name:
# 'Landsbergis, the Lithuanian Foreign Minister,' or 'The Ukrainian president, Zelensky'.
_APPOSITION_AFTER = re.compile(
    r",\s+((?:the|an?|former)\s+[^,.;:!?\"]{2,100}?|[^\W\d_][\w-]*['’]s\s+[^,.;:!?\"]{2,100}?)[,.;]"
)
_APPOSITION_BEFORE = re.compile(
    r"(?:^|[\s(])(?:the|an?)\s+((?:[\w'’-]+\s+){0,3}[\w'’-]+),\s+$", re.IGNORECASE
)
# Where the head of a title ends: 'Minister' in 'Deputy Prime Minister for European ...',
# 'advisor' in 'an advisor to Ukraine's Minister of Defense'.
_TITLE_TAIL = re.compile(r"\s+(?:of|for|to|at|on|in|with|from|and)\s.*$", re.DOTALL)
_LEAD = re.compile(r"^(?:the|an?|former)\s+", re.IGNORECASE)
# Words that can stand before a name without being a title of it; the words of the language
# table's attribution ('said', 'according to') are added to them.
_NOT_TITLES = frozenset(
    {
        *("after", "also", "and", "as", "at", "before", "but", "by", "during"),
        *("earlier", "for", "from", "however", "in", "later", "meanwhile", "nevertheless"),
        *("on", "since", "than", "that", "the", "then", "to", "when", "while"),
        "with",
    }
)


def _table(language: LanguageTable | None) -> LanguageTable:
    return shipped(DEFAULT_LANGUAGE) if language is None else language


def _not_titles(language: LanguageTable) -> frozenset[str]:
    words = {word.lower() for phrase in language.attribution for word in phrase.split()}
    return _NOT_TITLES | words


def _title_before(before: str) -> str | None:
    """The capitalised words right before a name, read backwards ('Polish President' in
    'Polish President Andrzej Duda'), with the small words of a title between them."""
    if not before[-1:].isspace():
        return None
    words = before.split()
    taken: list[str] = []
    for word in reversed(words[-12:]):
        # A full stop ends a sentence unless it ends an abbreviation ('U.S.', 'Gen.').
        sentence_end = word.endswith(".") and word.count(".") == 1 and len(word) > 4
        capital = word[:1].isupper() and word[-1:] not in ',;:!?"' and not sentence_end
        if not (capital or (word in _TITLE_LINKS and taken)):
            break
        taken.append(word)
    while taken and taken[-1] in _TITLE_LINKS:
        taken.pop()
    return " ".join(reversed(taken)) or None


def _head(phrase: str, not_titles: frozenset[str] = _NOT_TITLES) -> str | None:
    """The word that names the office in a title ('Minister' in 'the Lithuanian Foreign
    Minister'), lower-cased; None if there is none worth looking for."""
    words = _TITLE_TAIL.sub("", _LEAD.sub("", phrase.strip())).split()
    if not words:
        return None
    head = words[-1].strip("'’.,").lower()
    if len(head) < 3 or head in not_titles or head.endswith(("'s", "’s")):
        return None
    return head


def ties(person: Person, text: str, language: LanguageTable | None = None) -> frozenset[str]:
    """The titles a source ties to a person by setting them next to the name: the heads of
    titles right before it and of appositions right after or before it."""
    not_titles = _not_titles(_table(language))
    found: set[str] = set()
    given = [fold(w) for w in person.name.split()[:-1]]
    for match in _name_pattern(names(person)).finditer(text):
        before = text[max(0, match.start() - 160) : match.start()]
        for name in reversed(given):  # 'Polish President Andrzej Duda': step over 'Andrzej'
            if before.rstrip().endswith(name):
                before = before.rstrip()[: -len(name)]
        title = _title_before(before)
        apposition = _APPOSITION_BEFORE.search(before)
        after = _APPOSITION_AFTER.match(text, match.end(), match.end() + 160)
        for phrase in (title, apposition and apposition.group(1), after and after.group(1)):
            head = _head(phrase, not_titles) if phrase else None
            if head:
                found.add(head)
    return frozenset(found)


def _reference_pattern(heads: frozenset[str]) -> re.Pattern[str] | None:
    """'the minister', 'The Lithuanian minister', 'this official': a title used as a name."""
    if not heads:
        return None
    alternatives = "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True))
    return re.compile(
        rf"(?<!\w)(?:the|this|that)\s+(?:[\w'’-]+\s+){{0,2}}?(?:{alternatives})(?!\w)",
        re.IGNORECASE,
    )


@dataclass(frozen=True)
class _Speaker:
    """A person's name and the titles a given source ties to them, ready to search."""

    names: re.Pattern[str]
    references: re.Pattern[str] | None


def _speaker(person: Person, folded_source: str, language: LanguageTable) -> _Speaker:
    references = _reference_pattern(ties(person, folded_source, language))
    return _Speaker(_name_pattern(names(person)), references)


def _attribution_pattern(language: LanguageTable) -> re.Pattern[str] | None:
    phrases = sorted({fold(p).lower() for p in language.attribution}, key=len, reverse=True)
    if not phrases:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    return re.compile(rf"(?<![\w'’-])(?:{alternatives})(?![\w'’-])", re.IGNORECASE)


def attribution(
    text: str, start: int, end: int, language: LanguageTable | None = None
) -> str | None:
    """The words of the sentence around text[start:end] that give it to someone ('said', 'a
    déclaré', 'selon Le Monde', with the capitalised name that follows), or None."""
    pattern = _attribution_pattern(_table(language))
    if pattern is None:
        return None
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    first = ends[-1] if ends else 0
    stop = _SENTENCE_END.search(text, end)
    last = stop.end() if stop else len(text)
    folded = _fold_same_length(text)
    found = pattern.search(folded, first, last)
    if found is None:
        return None
    # The name it gives the words to, when one follows: capitalised words up to a comma or a
    # stop ('according to Duda,'); not the subject of the words ('said Poland will sign').
    taken: list[str] = []
    for word in text[found.end() : last].split()[:4]:
        if not word[:1].isupper():
            taken = []
            break
        taken.append(word.rstrip(",;:.!?"))
        if word[-1] in ",;:.!?":
            break
    else:
        taken = []
    return " ".join([text[found.start() : found.end()], *taken])


def _named_near(speaker: _Speaker, text: NormalText, folded: str, match: Match) -> bool:
    """Whether the quote's paragraph or the one before names the person or a title the
    source ties to them."""
    number = text.paragraph(match.start)
    start = text.paragraph_span(max(number - 1, 1))[0]
    end = text.paragraph_span(number)[1]
    region = folded[start:end]
    if speaker.names.search(region):
        return True
    return speaker.references is not None and speaker.references.search(region) is not None


def _spoken(actor: Actor, loaded: LoadedFile) -> Iterator[tuple[str, Cited]]:
    """(speaker id, citation) of every citation of a statement or a position with a speaker."""
    for cited in actor_citations(actor, loaded):
        group, index = cited.path[0], cited.path[1]
        if group not in ("statements", "positions"):
            continue
        assert isinstance(index, int)
        speaker = getattr(actor, str(group))[index].speaker
        if speaker:
            yield speaker, cited


def check_attribution(
    actors: Iterable[tuple[Actor, LoadedFile]], read: SourcesRead, found: Found | None = None
) -> list[Diagnostic]:
    """Warnings for statements and positions (of `actors`, with their files) whose quote
    stands where the source does not name their speaker: the words may be someone else's."""
    found = found or Found(read.texts)
    problems: list[Diagnostic] = []
    spoken = (pair for actor, loaded in actors for pair in _spoken(actor, loaded))
    for speaker, cited in spoken:
        citation = cited.citation
        person, text = read.people.get(speaker), read.texts.get(citation.source)
        if person is None or text is None or not citation.speaker_in_source:
            continue
        match = found(cited)
        if match is None:
            continue
        folded = read.folded(citation.source)
        if _named_near(read.speaker(person, citation.source), text, folded, match):
            continue
        # The paragraphs looked in, as the notes count them (the headline is not a ¶).
        paragraph = text.paragraph(match.start)
        where = str(text.place_of(max(paragraph - 1, 1), paragraph))
        surname = person.name.split()[-1]
        # Whom the source does give the words to, when its sentence says, is the curator's lead.
        given = attribution(text.text, match.start, match.end, read.tables[citation.source])
        lead = f" (the sentence has '{given}')" if given else ""
        problems.append(
            Diagnostic(
                cited.file.locate((*cited.path, "quote")),
                f"the source does not name {person.name} near this quote ({where} of "
                f"'{citation.source}' has neither '{surname}' nor a title it gives them): "
                f"the words may be someone else's{lead}",
                "cite a passage that names the speaker; if you checked that the source gives "
                "these words to them, add 'speaker_in_source: false' and a 'note:' saying how",
                severity="warning",
                code="Q302",
            )
        )
    return problems


def _fold_same_length(text: str) -> str:
    """`fold` one character at a time, so that offsets into the text still hold."""
    return "".join(fold(c)[:1] or c for c in text)


# --- Context ---------------------------------------------------------------------------------

# Words that turn the clause before them: a quote that stops right before one of them may say
# the opposite of the source ("will join NATO" | "but not before the war ends").
TURNING_WORDS = ("but", "however", "unless", "not")
# Words that turn what follows them: a quote that starts right after one, or whose ellipsis
# leaves one out, may say the opposite of the source.
NEGATIONS = ("not", "never", "no")
# The longer cut a warning suggests: up to the end of the sentence, at most this many
# characters past the quote.
SUGGEST_CHARS = 160

_AFTER = re.compile(r"[\s,;:.—–\-)\]\"']*([^\W\d_]+)")
_BEFORE = re.compile(r"(?<![\w'])([^\W\d_]+)[\s,\"']*$")
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)")


def _turn_after(text: NormalText, end: int) -> str | None:
    found = _AFTER.match(text.text, end)
    if found and found.group(1).lower() in TURNING_WORDS:
        return found.group(1)
    return None


def _negation_before(text: NormalText, start: int) -> str | None:
    found = _BEFORE.search(text.text, max(0, start - 20), start)
    if found and found.group(1).lower() in NEGATIONS:
        return found.group(1)
    return None


def _longer_cut(text: NormalText, match: Match) -> str:
    """The quote's last part run on to the end of its sentence (or SUGGEST_CHARS further)."""
    start, end = match.spans[-1]
    stop = _SENTENCE_END.search(text.text, end, end + SUGGEST_CHARS)
    if stop is not None:
        new_end = stop.start() + (0 if text.text[stop.start()] == ";" else 1)
    else:
        cut = text.text.rfind(" ", end, end + SUGGEST_CHARS)
        new_end = cut if cut > end else min(len(text.text), end + SUGGEST_CHARS)
    return " ".join(text.original_span(start, new_end).split())


def check_context(
    cited: Sequence[Cited], texts: dict[str, NormalText], found: Found | None = None
) -> list[Diagnostic]:
    """Warnings for quotes cut where the source turns: right before 'but', 'however',
    'unless' or 'not', right after a negation, or around a negation left out."""
    found = found or Found(texts)
    problems: list[Diagnostic] = []
    for item in cited:
        text = texts.get(item.citation.source)
        match = found(item)
        if text is None or match is None:
            continue
        where = item.file.locate((*item.path, "quote"))
        turn = _turn_after(text, match.end)
        if turn is not None:
            problems.append(
                Diagnostic(
                    where,
                    f"quote ends right before '{turn}' in the source, which may turn what it says",
                    f"quote on to take in the turn, e.g. '{_longer_cut(text, match)}'",
                    severity="warning",
                    code="Q303",
                )
            )
        negation = _negation_before(text, match.start)
        if negation is not None:
            problems.append(
                Diagnostic(
                    where,
                    f"quote starts right after '{negation}' in the source, which turns what it "
                    "says",
                    f"start the quote at '{negation}'",
                    severity="warning",
                    code="Q304",
                )
            )
        for (_, gap_start), (gap_end, _) in zip(match.spans, match.spans[1:], strict=False):
            left_out = re.findall(r"[^\W\d_]+", text.text[gap_start:gap_end])
            dropped = next((w for w in left_out if w.lower() in NEGATIONS), None)
            if dropped is not None:
                problems.append(
                    Diagnostic(
                        where,
                        f"the ellipsis of this quote leaves out '{dropped}', which turns the "
                        "words it joins",
                        "quote the passage whole, or cut it where no negation is left out",
                        severity="warning",
                        code="Q305",
                    )
                )
                break
    return problems


class SourcesRead:
    """What the evidence checks read besides the file they check: the registered sources and
    the people by id, each source's text and language table, and what is worked out of a
    source's text (its folded form, its furniture lines, the titles it gives each speaker),
    each when first asked for, then kept. The checks of every file share one; the live preview
    keeps it for as long as the files it was made from are unchanged (briefing.core.memo)."""

    def __init__(self, facts: FactBase, texts: dict[str, NormalText]) -> None:
        self.texts = texts
        self.sources = {s.id: s for s in facts.sources}
        self.people = {p.id: p for p in facts.people}
        self.tables = {s.id: source_table(facts, s) for s in facts.sources}
        self._folded: dict[str, str] = {}
        self._furniture: dict[str, list[tuple[int, Span]]] = {}
        self._speakers: dict[tuple[str, str], _Speaker] = {}

    def folded(self, source_id: str) -> str:
        """The source's normalised text without accents, one character for one."""
        if source_id not in self._folded:
            # Folding keeps one character for one: combining marks go, and NormalText's
            # NFKC has already composed every letter that had them.
            self._folded[source_id] = _fold_same_length(self.texts[source_id].text)
        return self._folded[source_id]

    def furniture(self, source_id: str) -> list[tuple[int, Span]]:
        """The furniture lines of the source (see furniture_spans)."""
        if source_id not in self._furniture:
            spans = furniture_spans(self.sources[source_id], self.texts[source_id])
            self._furniture[source_id] = spans
        return self._furniture[source_id]

    def speaker(self, person: Person, source_id: str) -> _Speaker:
        """The person's names and the titles this source ties to them, ready to search."""
        key = (person.id, source_id)
        if key not in self._speakers:
            table = self.tables[source_id]
            self._speakers[key] = _speaker(person, self.folded(source_id), table)
        return self._speakers[key]


def check_evidence(
    base: LoadedFactBase,
    texts: dict[str, NormalText],
    finds: Finds | None = None,
    *,
    entries: Sequence[tuple[Overview | Actor, LoadedFile]] | None = None,
    read: SourcesRead | None = None,
) -> list[Diagnostic]:
    """Furniture errors, and attribution and context warnings, for every citation whose quote
    is found in its source (a quote not found is reported already): of `entries` (validated
    facts files: the overview, actors), else of the whole fact base. `read` is what the
    checks of other files have worked out of the sources already (made of `base` if not
    given)."""
    read = read if read is not None else SourcesRead(base.facts, texts)
    if entries is None:
        entries = [(base.facts.overview, base.overview_file)]
        entries += list(zip(base.facts.actors, base.actor_files, strict=True))
    cited = [c for entry, loaded in entries for c in file_citations(entry, loaded)]
    actors = [(entry, loaded) for entry, loaded in entries if isinstance(entry, Actor)]
    found = Found(texts, finds)
    return (
        check_furniture(cited, read, found)
        + check_attribution(actors, read, found)
        + check_context(cited, texts, found)
    )
