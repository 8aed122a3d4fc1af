"""Coverage: sentence splitting, how citations cover sentences, and the shipped figures."""

from __future__ import annotations

import time

import pydantic
import pytest

from briefing.cli import main
from briefing.core.project import Project
from briefing.evidence.coverage import MIN_OVERLAP, source_coverage, split_sentences
from briefing.evidence.quotes import normalise
from briefing.factbase.languages import shipped
from briefing.factbase.model import Citation, FuzzyDate, Source


def _texts(raw: str, language: str = "en") -> list[str]:
    return [s.text for s in split_sentences(normalise(raw), shipped(language))]


def test_splits_on_terminal_punctuation_and_keeps_lines() -> None:
    raw = "First one. Second one? Third!\n\nHeadline without stop\nBody starts here."
    sentences = split_sentences(normalise(raw))
    assert [s.text for s in sentences] == [
        "First one.",
        "Second one?",
        "Third!",
        "Headline without stop",
        "Body starts here.",
    ]
    assert [s.line for s in sentences] == [1, 1, 1, 3, 4]


def test_initials_and_titles_do_not_end_a_sentence() -> None:
    assert _texts("He called on U.S. President Joe Biden. Dr. Who agreed.") == [
        "He called on U.S. President Joe Biden.",
        "Dr. Who agreed.",
    ]


def test_hard_wrapped_sentence_is_one_sentence() -> None:
    raw = "The minister said that the\nsummit would decide. Next sentence."
    assert _texts(raw) == ["The minister said that the summit would decide.", "Next sentence."]


def test_closing_quote_after_stop_ends_sentence_with_it() -> None:
    assert _texts('He said "it is done." Then he left.') == [
        'He said "it is done."',
        "Then he left.",
    ]


def test_cyrillic_and_polish_capitals_start_sentences() -> None:
    raw = (
        "Poland agreed. Президент В. В. Зеленський заявив, що Україна готова. Далі текст. "
        "Prezydent Duda powiedział. Żaden kraj nie podpisał. Łódź też nie."
    )
    assert _texts(raw) == [
        "Poland agreed.",
        "Президент В. В. Зеленський заявив, що Україна готова.",
        "Далі текст.",
        "Prezydent Duda powiedział.",
        "Żaden kraj nie podpisał.",
        "Łódź też nie.",
    ]


@pytest.mark.parametrize(
    ("language", "raw"),
    [
        ("en", "Pres. Duda said that Poland will sign."),
        ("pl", "Gen. Kowalski i prof. Nowak przyjechali, tzw. formuła izraelska."),
        ("ru", "Он сказал, т.е. ничего не решено, напр. о сроках."),
        ("uk", "Він прибув на вул. Хрещатик о 10 год., див. фото."),
        ("en", "Talks ended at 5 p.m. Monday with approx. 40 delegates."),
    ],
)
def test_abbreviations_do_not_end_a_sentence(language: str, raw: str) -> None:
    assert _texts(raw, language) == [raw]


def test_a_sentence_does_not_start_in_lower_case() -> None:
    assert _texts("He went home. and then he left.") == ["He went home. and then he left."]


def test_a_long_paragraph_is_split_in_linear_time() -> None:
    # 300 KiB in one paragraph, sentences with abbreviations and initials: the regex splitter
    # this replaced took 18 s on it (tests/bench_sentences.py), sentencex a few hundredths.
    sentence = "Pres. Duda told the U.S. envoy that Poland will sign. Президент заявив. "
    raw = sentence * (300 * 1024 // len(sentence))
    text = normalise(raw)
    started = time.perf_counter()
    sentences = split_sentences(text)
    assert time.perf_counter() - started < 3
    assert len(sentences) == 2 * (300 * 1024 // len(sentence))


def test_a_quote_in_parts_covers_its_parts_only() -> None:
    quote = "Officials said the partnership … late on Tuesday evening."
    result = source_coverage(_source(), normalise(TINY), [Citation(source="tiny", quote=quote)])
    assert result.sentences[2].covered == len("Officials said the partnership") + len(
        "late on Tuesday evening."
    )


def test_offsets_point_into_normalised_text() -> None:
    text = normalise("Alpha  beta.\n\n  Gamma’s delta.")
    for sentence in split_sentences(text):
        assert text.text[sentence.start : sentence.end] == sentence.text


TINY = (
    "Ruritania proposed a ten-year partnership to its neighbour on Monday. "
    "The weather was fine. "
    "Officials said the partnership would include training and intelligence sharing, "
    "according to a statement issued late on Tuesday evening.\n"
    "\n"
    "Next Article\n"
)


def _source(**extra: object) -> Source:
    return Source.model_validate(
        {
            "id": "tiny",
            "file": "tiny.txt",
            "title": "Tiny",
            "outlet": "Made-up Wire",
            "reliability": "F",
            "reliability_note": "Test text.",
            **extra,
        }
    )


def test_overlap_marks_cited_and_uncited_sentences() -> None:
    citations = [
        # the key clause of sentence 1, well over half of it
        Citation(source="tiny", quote="Ruritania proposed a ten-year partnership to its neighbour"),
        # a quote spilling one word into sentence 3 does not cite it
        Citation(source="tiny", quote="The weather was fine. Officials"),
        # a citation of another source is ignored
        Citation(source="other", quote="Officials said the partnership would include training"),
    ]
    result = source_coverage(_source(), normalise(TINY), citations)
    cited = {s.sentence.text: s.cited for s in result.sentences}
    assert cited == {
        "Ruritania proposed a ten-year partnership to its neighbour on Monday.": True,
        "The weather was fine.": True,
        "Officials said the partnership would include training and intelligence sharing, "
        "according to a statement issued late on Tuesday evening.": False,
        "Next Article": False,
    }
    assert [s.sentence.line for s in result.uncited] == [1, 3]
    assert result.percent == 50.0


def test_long_quote_inside_long_sentence_cites_it() -> None:
    sentence = (
        "Officials said the partnership would include training and intelligence sharing, "
        "according to a statement issued late on Tuesday evening."
    )
    quote = "the partnership would include training and intelligence"
    # under half the sentence, but long enough to count
    assert len(quote) >= MIN_OVERLAP and len(quote) * 2 < len(sentence)
    result = source_coverage(_source(), normalise(TINY), [Citation(source="tiny", quote=quote)])
    assert [s.sentence.text for s in result.cited] == [sentence]


def test_overlapping_citations_are_not_counted_twice() -> None:
    quote = "Ruritania proposed a ten-year"
    result = source_coverage(_source(), normalise(TINY), [Citation(source="tiny", quote=quote)] * 3)
    assert result.sentences[0].covered == len(quote)
    assert not result.sentences[0].cited


def test_furniture_lines_are_listed_apart() -> None:
    result = source_coverage(_source(furniture=["Next Article"]), normalise(TINY), [])
    assert [s.sentence.text for s in result.furniture] == ["Next Article"]
    assert len(result.counted) == 3
    assert result.percent == 0.0


def test_year_less_date_is_shown_without_a_year() -> None:
    date = FuzzyDate(value="--02-16", basis="stated")
    assert date.display() == "16 February, no year given"
    assert date.precision == "day" and not date.has_year
    assert FuzzyDate(value="2023-07", basis="stated").has_year


# The shipped fact base: every source at least this well covered (uncited sentences are
# generic commentary that bears on no guarantee, commitment or position).


def test_coverage_command_reports_every_source(
    mini: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(mini.root), "coverage", "--fail-under", "10"]) == 0
    out = capsys.readouterr().out
    assert "facts/sources/harbour.txt:" in out and "uncited:" in out
    assert "total:" in out
    assert main(["--root", str(mini.root), "coverage", "--fail-under", "100"]) == 1


def test_no_year_date_rejects_impossible_day() -> None:
    with pytest.raises(pydantic.ValidationError):
        FuzzyDate(value="--02-30", basis="stated")
    # 29 February exists in some year, so the year-less form allows it
    assert FuzzyDate(value="--02-29", basis="stated").display().startswith("29 February")
