"""A desk's languages are data: each source is split into sentences and read for attribution
with its language's table (briefing/languages/), which the vocabulary may extend or replace."""

from __future__ import annotations

import pytest

from briefing.check.facts import check_project
from briefing.core.project import Project
from briefing.evidence.context import attribution
from briefing.evidence.coverage import coverage, split_sentences
from briefing.evidence.quotes import normalise
from briefing.factbase.languages import shipped, source_table
from tests.editing_fixture import edit, messages

FRENCH = (
    "Le gén. Zaloujny a rappelé que l'art. 5 du traité ne s'applique qu'aux membres. "
    "M. Macron a déclaré que la France « ne fermera aucune porte ». "
    "Selon Le Monde, la décision est attendue en juill. prochain."
)
FRENCH_SENTENCES = [
    "Le gén. Zaloujny a rappelé que l'art. 5 du traité ne s'applique qu'aux membres.",
    'M. Macron a déclaré que la France " ne fermera aucune porte ".',
    "Selon Le Monde, la décision est attendue en juill. prochain.",
]


def _sentences(raw: str, language: str) -> list[str]:
    return [s.text for s in split_sentences(normalise(raw), shipped(language))]


def test_a_french_text_is_split_with_french_abbreviations() -> None:
    assert _sentences(FRENCH, "fr") == FRENCH_SENTENCES
    # English does not know 'gén.' or 'art.': the table is what makes the difference.
    assert len(_sentences(FRENCH, "en")) > len(FRENCH_SENTENCES)


def test_an_english_text_is_split_as_before() -> None:
    raw = "Gen. Smith met Mr. Jones on Jan. 5. They agreed, i.e. nothing changed. Pres. Duda left."
    assert _sentences(raw, "en") == [
        "Gen. Smith met Mr. Jones on Jan. 5.",
        "They agreed, i.e. nothing changed.",
        "Pres. Duda left.",
    ]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("ne fermera aucune porte", "a déclaré"),
        ("la décision est attendue", "Selon Le Monde"),
    ],
)
def test_french_attribution_is_recognised(words: str, expected: str) -> None:
    text = normalise(FRENCH).text
    start = text.index(words)
    assert attribution(text, start, start + len(words), shipped("fr")) == expected
    assert attribution(text, start, start + len(words), shipped("en")) is None


def test_english_attribution_gives_the_name_only_when_it_is_the_speaker() -> None:
    text = "Poland will sign, said Duda. According to Reuters, talks go on. Duda said Poland will."
    assert attribution(text, 0, 10) == "said Duda"
    assert attribution(text, 50, 60) == "According to Reuters"
    assert attribution(text, 75, 85) == "said"
    assert attribution("The pact was signed in May.", 0, 10) is None


def _french_source(mini: Project, language: str = "language: fr") -> None:
    """Add FRENCH as a paragraph of the mini source, and declare the source's language."""
    source = mini.sources / "harbour.txt"
    source.write_text(source.read_text(encoding="utf-8") + FRENCH + "\n", encoding="utf-8")
    entry = "    file: harbour.txt\n"
    edit(mini.facts / "sources.yaml", entry, f"{entry}    {language}\n")


def _coverage_texts(mini: Project) -> list[str]:
    checked = check_project(mini)
    assert checked.base is not None, checked.problems
    [report] = coverage(checked.base.facts, checked.texts)
    return [s.sentence.text for s in report.sentences]


def test_a_source_in_french_is_covered_sentence_by_sentence(mini: Project) -> None:
    _french_source(mini)
    assert _coverage_texts(mini)[-3:] == FRENCH_SENTENCES


def test_a_source_takes_the_editions_language_by_default(mini: Project) -> None:
    _french_source(mini, "# no language: the edition's")
    with (mini.facts / "edition.yaml").open("a", encoding="utf-8") as handle:
        handle.write("language: fr\n")
    assert _coverage_texts(mini)[-3:] == FRENCH_SENTENCES


def test_the_vocabulary_extends_a_languages_table(mini: Project) -> None:
    _french_source(mini)
    source = mini.sources / "harbour.txt"
    source.write_text(
        source.read_text(encoding="utf-8") + "Le sommet réunit 31 États mbres. Fin.\n",
        encoding="utf-8",
    )
    assert _coverage_texts(mini)[-2:] == ["Le sommet réunit 31 États mbres.", "Fin."]
    with (mini.facts / "vocabulary.yaml").open("a", encoding="utf-8") as handle:
        handle.write("languages:\n  fr:\n    abbreviations: [mbres]\n    attribution: [a tweeté]\n")
    assert _coverage_texts(mini)[-1] == "Le sommet réunit 31 États mbres. Fin."
    checked = check_project(mini)
    assert checked.base is not None
    table = source_table(checked.base.facts, checked.base.facts.sources[0])
    assert "gén" in table.abbreviations and "a tweeté" in table.attribution


def test_the_vocabulary_may_replace_a_languages_table(mini: Project) -> None:
    _french_source(mini)
    with (mini.facts / "vocabulary.yaml").open("a", encoding="utf-8") as handle:
        handle.write("languages:\n  fr:\n    replace: true\n    abbreviations: [gén]\n")
    # 'art.' is the engine's, now replaced: it ends a sentence again; 'gén.' does not.
    assert "Le gén. Zaloujny a rappelé que l'art." in _coverage_texts(mini)


@pytest.mark.parametrize(
    ("entry", "expected", "hint"),
    [
        (
            "  fr:\n    abbreviations: [gén.]\n",
            "facts/vocabulary.yaml:{line}:20: error: languages.fr.abbreviations: write the "
            "abbreviation 'gén.' without its final full stop: 'gén'",
            "",
        ),
        (
            "  fr:\n    attribution: ['selon:']\n",
            "facts/vocabulary.yaml:{line}:18: error: languages.fr.attribution: 'selon:' is not "
            "an attribution",
            "",
        ),
        (
            "  fr:\n    abbrevations: [gén]\n",
            "facts/vocabulary.yaml:{line}:5: error: unknown key 'abbrevations'",
            "did you mean 'abbreviations'?",
        ),
        (
            "  French:\n    abbreviations: [gén]\n",
            "facts/vocabulary.yaml:{key_line}:3: error: languages.French: 'French' is not a "
            "language tag",
            "use a BCP 47 tag, e.g. 'en', 'fr' or 'pt-BR'",
        ),
    ],
)
def test_a_bad_language_entry_is_a_located_error(
    mini: Project, entry: str, expected: str, hint: str
) -> None:
    vocabulary = mini.facts / "vocabulary.yaml"
    line = len(vocabulary.read_text(encoding="utf-8").splitlines()) + 3
    with vocabulary.open("a", encoding="utf-8") as handle:
        handle.write("languages:\n" + entry)
    [problem] = messages(mini)
    assert problem.startswith(expected.format(line=line, key_line=line - 1)), problem
    assert hint in problem


def test_the_attribution_warning_says_whom_a_french_source_gives_the_words(
    mini: Project,
) -> None:
    _french_source(mini)
    edit(
        mini.actors / "south.yaml",
        "        quote: Southland's premier, Ada Quill, said on Tuesday\n",
        "        quote: la décision est attendue en juill. prochain\n",
    )
    [problem] = [m for m in messages(mini) if "does not name" in m]
    assert "(the sentence has 'Selon Le Monde')" in problem, problem
