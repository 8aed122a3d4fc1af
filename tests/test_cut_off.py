"""The information cut-off as precisely as the sources give it (a day, a month, a year); who
the edition is prepared for; an actor on which the desk makes no judgment, and says why."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import docx
import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from briefing.cli import main
from briefing.core.project import Project
from briefing.editions.released import Released
from briefing.factbase.clock import build_date, compiled_day
from briefing.factbase.model import Edition, Question
from briefing.render.fit import contents_fit_cover
from briefing.render.pages import format_day
from briefing.site.build import checked_facts, render_site
from tests.conftest import FIXTURES
from tests.editing_fixture import edit, messages

QUESTION = Question(id="q", label="Q", text="Question?")


def edition(as_of: str, compiled: str | None = None) -> Edition:
    return Edition(
        title="T",
        event={"name": "Summit", "place": "Capital"},
        as_of=as_of,
        compiled=compiled,
        number=1,
        marking="M",
        publisher="P",
        questions=[QUESTION],
    )


# --- The model -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "precision", "first", "last", "shown"),
    [
        ("2023-07-10", "day", "2023-07-10", "2023-07-10", "10 July 2023"),
        ("2023-07", "month", "2023-07-01", "2023-07-31", "July 2023"),
        ("2024-02", "month", "2024-02-01", "2024-02-29", "February 2024"),
        ("2023-12", "month", "2023-12-01", "2023-12-31", "December 2023"),
        ("2023", "year", "2023-01-01", "2023-12-31", "2023"),
    ],
)
def test_a_cut_off_is_a_day_a_month_or_a_year(
    as_of: str, precision: str, first: str, last: str, shown: str
) -> None:
    given = edition(as_of)
    assert given.as_of_precision == precision
    assert given.cut_off() == (dt.date.fromisoformat(first), dt.date.fromisoformat(last))
    assert format_day(as_of) == shown


@pytest.mark.parametrize(
    ("note", "inferred"),
    [
        (None, False),
        ("inferred: the texts look ahead to 'this July'", True),
        ("  Inferred from the datelines", True),
        ("set by the desk; no source is inferred to be later", False),
    ],
)
def test_a_cut_off_is_inferred_when_its_note_says_so_first(
    note: str | None, inferred: bool
) -> None:
    given = edition("2023-07").model_copy(update={"as_of_note": note})
    assert given.as_of_inferred is inferred


@pytest.mark.parametrize("wrong", ["2023-13", "2023-02-30", "July 2023", "--07-01", "2023-7"])
def test_a_cut_off_that_is_no_date_is_refused(wrong: str) -> None:
    with pytest.raises(ValidationError, match="as_of must be a real day"):
        edition(wrong)


def test_compiled_may_fall_in_the_cut_off_month_but_not_before_it() -> None:
    # The month may be any of its days: only a day before its first is surely before it.
    assert edition("2031-04", compiled="2031-04-01").compiled == "2031-04-01"
    with pytest.raises(ValidationError, match="before the information cut-off"):
        edition("2031-04", compiled="2031-03-31")
    # A day keeps its own check.
    with pytest.raises(ValidationError, match="before the information cut-off"):
        edition("2031-04-10", compiled="2031-04-09")


def test_the_build_date_of_a_month_is_its_last_day_never_an_invented_first() -> None:
    no_epoch: dict[str, str] = {}
    assert build_date(edition("2031-04"), no_epoch).date() == dt.date(2031, 4, 30)
    assert build_date(edition("2031"), no_epoch).date() == dt.date(2031, 12, 31)
    assert build_date(edition("2031-04-10"), no_epoch).date() == dt.date(2031, 4, 10)
    assert compiled_day(edition("2031-04", compiled="2031-05-02"), no_epoch) == "2031-05-02"
    assert compiled_day(edition("2031-04"), {"SOURCE_DATE_EPOCH": "0"}) == "1970-01-01"


def test_a_released_edition_records_the_cut_off_as_written() -> None:
    def released(as_of: str) -> Released:
        return Released(
            number=1,
            title="T",
            as_of=as_of,
            compiled="2031-04-30",
            released="2031-04-30",
            book="pdf/book-ed1.pdf",
            overview="html/overview.html",
        )

    assert released("2031-04").as_of == "2031-04"
    assert released("2031-04-01").as_of == "2031-04-01"  # editions released before still read
    for wrong in ("2031-13", "2031-02-30", "April 2031"):
        with pytest.raises(ValidationError):
            released(wrong)


# --- The checks against dated sources ------------------------------------------------------------

DATED = (
    "    reliability: B\n    reliability_note: Fixture source for tests.\n",
    "    reliability: B\n    reliability_note: Fixture source for tests.\n"
    '    date: {{value: "{date}", basis: stated}}\n',
)


def date_the_source(project: Project, date: str) -> None:
    old, new = DATED
    edit(project.facts / "sources.yaml", old, new.format(date=date))


def test_a_month_cut_off_is_earlier_only_than_a_source_after_its_last_day(mini: Project) -> None:
    edit(mini.facts / "edition.yaml", "as_of: 2031-04-01", "as_of: 2031-04")
    assert messages(mini) == []
    date_the_source(mini, "2031-04-30")  # within the month: the cut-off may be that day
    assert messages(mini) == []
    edit(mini.facts / "sources.yaml", '"2031-04-30"', '"2031-05-01"')  # planted: after it
    [problem] = messages(mini)
    assert problem.startswith("facts/edition.yaml:6:")
    assert "the information cut-off 2031-04 is earlier than source 'harbour'" in problem
    assert "[Q406]" in problem


def test_a_source_set_aside_may_postdate_the_cut_off_but_no_judgment_may_cite_it(
    mini: Project,
) -> None:
    """A text the desk keeps on record but weighs in no key judgment (`set_aside:`) does not
    bound the cut-off; a key judgment that cites it is warned of, at the citation."""
    date_the_source(mini, "2031-05-01")  # after the cut-off: Q406 without a word why
    assert any("[Q406]" in m for m in messages(mini))
    edit(
        mini.facts / "sources.yaml",
        "    reliability_note: Fixture source for tests.\n",
        "    reliability_note: Fixture source for tests.\n"
        "    set_aside: it reports the pact as signed after the council met.\n",
    )
    found = messages(mini)
    assert not any("[Q406]" in m for m in found), found
    # Planted by the fixture itself: its judgments cite the harbour report, Southland's too.
    [problem] = [m for m in found if "[Q409]" in m and m.startswith("facts/actors/south.yaml")]
    assert problem.startswith("facts/actors/south.yaml:9:")
    assert "cites 'harbour', which the desk sets aside" in problem
    # The book says why, with the source.
    checked, facts, plan = checked_facts(mini)
    book = render_site(facts, mini, plan, checked.texts).book
    assert book is not None
    assert "<strong>Set aside:</strong> it reports the pact as signed" in book.sources


def test_a_cut_off_the_sources_can_only_be_bounded_by_says_so_everywhere(mini: Project) -> None:
    """Undated texts that look ahead to an event speak to its eve at the latest: with
    `as_of_latest`, every page, the method and the Word file print 'no later than'."""
    edit(
        mini.facts / "edition.yaml",
        "as_of: 2031-04-01\n",
        "as_of: 2031-04-01\nas_of_latest: true\n"
        "as_of_note: 'inferred: the texts look ahead to the council meeting'\n",
    )
    assert messages(mini) == []
    assert main(["--root", str(mini.root), "build", "--no-pdf", "--docx"]) == 0
    for page in ("note.html", "south.html", "overview.html"):
        text = (mini.build / "html" / page).read_text(encoding="utf-8")
        assert "Information cut-off no later than 1 April 2031 (inferred)" in text, page
    checked, facts, plan = checked_facts(mini)
    book = render_site(facts, mini, plan, checked.texts).book
    assert book is not None
    assert "The information cut-off is no later than 1 April 2031 (inferred: the texts" in (
        " ".join(book.method.split())
    )
    assert "no later than 1 April 2031" in book.cover
    word = docx.Document(str(mini.build / "docx" / "note.docx"))
    assert any("no later than 1 April 2031" in p.text for p in word.paragraphs)


def test_a_day_cut_off_is_earlier_than_a_source_of_the_next_day(mini: Project) -> None:
    date_the_source(mini, "2031-04-01")
    assert messages(mini) == []
    edit(mini.facts / "sources.yaml", '"2031-04-01"', '"2031-04-02"')  # planted
    [problem] = messages(mini)
    assert "the information cut-off 2031-04-01 is earlier than source 'harbour'" in problem


def test_a_source_dated_by_its_month_is_not_later_than_a_cut_off_in_it(mini: Project) -> None:
    # The source's first day is what counts: 'April 2031' may be the cut-off's own day.
    date_the_source(mini, "2031-04")
    assert messages(mini) == []


def test_compiled_before_a_month_cut_off_is_located(
    mini: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    edition_file = mini.facts / "edition.yaml"
    edit(edition_file, "as_of: 2031-04-01\n", "as_of: 2031-04\ncompiled: 2031-04-01\n")
    assert messages(mini) == []
    edit(edition_file, "compiled: 2031-04-01", "compiled: 2031-03-31")  # planted
    capsys.readouterr()
    assert main(["--root", str(mini.root), "check"]) == 1
    err = capsys.readouterr().err
    assert (
        "facts/edition.yaml:7:11: error: compiled: 2031-03-31 is before the information "
        "cut-off (as_of: 2031-04)"
    ) in err


def test_an_impossible_month_is_located(mini: Project) -> None:
    edit(mini.facts / "edition.yaml", "as_of: 2031-04-01", "as_of: 2031-13")
    [problem] = messages(mini)
    assert problem.startswith("facts/edition.yaml:6:")
    assert "as_of must be a real day (YYYY-MM-DD), month (YYYY-MM) or year" in problem


# --- Printed -------------------------------------------------------------------------------------


def test_every_html_page_prints_the_month_and_no_day(mini: Project) -> None:
    edit(
        mini.facts / "edition.yaml",
        "as_of: 2031-04-01",
        "as_of: 2031-04\nas_of_note: 'inferred: the texts speak of \"this April\"'",
    )
    assert main(["--root", str(mini.root), "build", "--no-pdf", "--docx"]) == 0
    note = (mini.build / "html" / "note.html").read_text(encoding="utf-8")
    # The note's head gives the cut-off as every page does; how it was set is the method
    # appendix's, said once.
    assert "Information cut-off April 2031 (inferred)" in note
    assert "the texts speak of" not in note
    checked, facts, plan = checked_facts(mini)
    book = render_site(facts, mini, plan, checked.texts, with_data=False).book
    assert book is not None
    assert "The information cut-off is April 2031 (inferred: the texts speak of" in book.method
    for page in ("note.html", "south.html", "overview.html"):
        text = (mini.build / "html" / page).read_text(encoding="utf-8")
        assert "Information cut-off April 2031 (inferred" in text
        assert "1 April 2031" not in text  # the day the month once stood for
        # compiled defaults to the cut-off's last day, not to an invented first.
        assert "compiled 30 April 2031" in text or page == "note.html"
    index = (mini.build / "index.html").read_text(encoding="utf-8")
    assert "Information cut-off April 2031 (inferred)" in index
    word = docx.Document(str(mini.build / "docx" / "note.docx"))
    paragraphs = [p.text for p in word.paragraphs]
    # An inferred cut-off says so wherever it is printed without its note.
    assert any(
        "Information cut-off April 2031 (inferred) · compiled 30 April 2031" in p
        for p in paragraphs
    )
    assert any("Information cut-off April 2031 (inferred: the texts" in p for p in paragraphs)
    assert not any("2031-04" in p for p in paragraphs)


@pytest.fixture(scope="module")
def month_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture desk with a cut-off of a month and whom it is prepared for, built with PDFs."""
    root = tmp_path_factory.mktemp("cut-off") / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    edit(
        root / "facts" / "edition.yaml",
        "as_of: 2031-04-01\n",
        "as_of: 2031-04\nas_of_note: 'inferred: the texts speak of \"this April\"'\n"
        "prepared_for: the Northland delegation\n",
    )
    assert main(["--root", str(root), "build"]) == 0
    return root / "build" / "pdf" / "book-ed3.pdf"


def test_the_book_prints_the_month_on_the_cover_and_every_page(month_book: Path) -> None:
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(month_book).pages]
    cover = next(p for p in pages if "Contents" in p)
    assert "Information cut-off April 2031" in cover
    # Whom the book is for is said once, in the note's header line, not again after it.
    assert "Prepared for: the Northland delegation" in pages[0]
    assert "Northland delegation" not in cover
    for page in pages:
        assert "1 April 2031" not in page
    # The running line of every page after the cover names the cut-off.
    after = pages[pages.index(cover) + 1 :]
    assert after and all("Information cut-off April 2031" in p for p in after)
    # The note says the cut-off is inferred: the cover and every running line say so.
    assert "Information cut-off April 2031 (inferred)" in cover
    assert all("Information cut-off April 2031 (inferred)" in p for p in after)


def test_verify_reports_the_month_and_proves_the_pages(
    month_book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["verify", str(month_book)]) == 0
    out = capsys.readouterr().out
    assert "information cut-off April 2031, compiled 30 April 2031" in out


# --- Who the brief is for ------------------------------------------------------------------------


def test_prepared_for_is_optional_and_printed_where_us_is_read(mini: Project) -> None:
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    note = (mini.build / "html" / "note.html").read_text(encoding="utf-8")
    assert "Prepared for" not in note
    edit(
        mini.facts / "edition.yaml",
        "publisher: Test desk\n",
        "publisher: Test desk\nprepared_for: the Northland delegation\n",
    )
    assert main(["--root", str(mini.root), "build", "--no-pdf", "--docx"]) == 0
    note = (mini.build / "html" / "note.html").read_text(encoding="utf-8")
    head = note.split('class="note-head"')[1].split("</header>")[0]
    assert "Prepared for: the Northland delegation" in head
    word = docx.Document(str(mini.build / "docx" / "note.docx"))
    assert any("Prepared for: the Northland delegation" in p.text for p in word.paragraphs)


def test_an_empty_prepared_for_is_refused(mini: Project) -> None:
    edit(
        mini.facts / "edition.yaml",
        "publisher: Test desk\n",
        "publisher: Test desk\nprepared_for: ''\n",
    )
    [problem] = messages(mini)
    assert problem.startswith("facts/edition.yaml:10:")


# --- An actor on which the desk makes no judgment ------------------------------------------------

COUNCIL_BLUF = """bluf:
  - text: The council will not offer membership while the dispute lasts.
    confidence: low
    citations:
      - source: harbour
        quote: the council "cannot offer membership while the dispute lasts"
"""
NO_JUDGMENT = (
    "no_judgment: The record holds one remark of the council's, from a [S:harbour] report; "
    "it bears no forecast.\n"
)


def test_no_judgment_stands_for_the_key_judgments(mini: Project) -> None:
    council = mini.actors / "council.yaml"
    edit(council, COUNCIL_BLUF, "")
    [problem] = messages(mini)  # planted: no judgment and no word why
    assert "actor 'council' has 0 key judgments" in problem and "[C007]" in problem
    assert "no_judgment" in problem  # the hint names the way out
    text = council.read_text(encoding="utf-8")
    council.write_text(text + NO_JUDGMENT, encoding="utf-8")
    assert messages(mini) == []
    assert main(["--root", str(mini.root), "build", "--no-pdf", "--docx"]) == 0
    page = (mini.build / "html" / "council.html").read_text(encoding="utf-8")
    bluf = page.split("Bottom line up front")[1].split("<section")[0]
    assert "No judgment." in bluf and "one remark of the council" in bluf
    assert "No key judgments recorded" not in bluf
    assert "[S:harbour]" not in bluf  # the reference is printed as the source's label
    word = docx.Document(str(mini.build / "docx" / "council.docx"))
    assert any(p.text.startswith("No judgment. The record holds") for p in word.paragraphs)
    actors = (mini.build / "data" / "actors.csv").read_text(encoding="utf-8")
    assert "no_judgment" in actors.splitlines()[0]
    assert "it bears no forecast." in actors


def test_an_actor_with_no_judgment_and_no_position_is_on_record_only(mini: Project) -> None:
    council = mini.actors / "council.yaml"
    text = council.read_text(encoding="utf-8")
    positions = text[text.index("positions:") : text.index("bluf:")]
    edit(council, positions, "no_position: No source gives the council's stance.\n")
    edit(council, COUNCIL_BLUF, "")
    council.write_text(council.read_text(encoding="utf-8") + NO_JUDGMENT, encoding="utf-8")
    # Kalyna spoke only in the removed position: a warning, nothing worse.
    assert [m for m in messages(mini) if "[C004]" not in m] == []
    assert main(["--root", str(mini.root), "build", "--no-pdf", "--docx"]) == 0
    # No brief that could only say it cannot judge: an entry in the overview's last section
    # (tests/test_on_record.py) gives the reason; the matrix's key says, once, that no source
    # gives its stance.
    assert not (mini.build / "html" / "council.html").exists()
    page = (mini.build / "html" / "overview.html").read_text(encoding="utf-8")
    entry = page.split('id="overview-actor-council"')[1].split("</div>")[0]
    assert "one remark of the council" in entry
    assert "stance" not in entry
    # With nothing on record but the reason, a line with its name run in, not an entry with
    # a heading.
    assert "<h3>Harbour Council</h3>" not in page
    assert '<div class="on-record-lines">' in page and "<strong>Harbour Council.</strong>" in entry
    note = (mini.build / "html" / "note.html").read_text(encoding="utf-8")
    assert "Not in the table, with no position on the question: Harbour Council, Southland." in note
    word = docx.Document(str(mini.build / "docx" / "overview.docx"))
    texts = [p.text for p in word.paragraphs]
    assert "Others on record" in texts and "Harbour Council" in texts
    assert any("one remark of the council" in t for t in texts)
    assert not any("council’s stance" in t for t in texts)
    assert not (mini.build / "docx" / "council.docx").exists()
    # An actor with a position keeps every section.
    south = (mini.build / "html" / "south.html").read_text(encoding="utf-8")
    assert "Bottom line up front" in south and "Summit position" in south


def test_judgments_and_no_judgment_together_are_an_error(mini: Project) -> None:
    council = mini.actors / "council.yaml"
    council.write_text(council.read_text(encoding="utf-8") + NO_JUDGMENT, encoding="utf-8")
    [problem] = messages(mini)  # planted: both
    line = len(council.read_text(encoding="utf-8").splitlines())  # no_judgment, added last
    assert problem.startswith(f"facts/actors/council.yaml:{line}:1: error: actor 'council' has")
    assert "[C008]" in problem


def test_no_judgment_names_only_registered_sources(mini: Project) -> None:
    council = mini.actors / "council.yaml"
    edit(council, COUNCIL_BLUF, "")
    text = council.read_text(encoding="utf-8")
    council.write_text(text + NO_JUDGMENT.replace("[S:harbour]", "[S:nowhere]"), encoding="utf-8")
    [problem] = messages(mini)
    assert "[Q407]" in problem


def test_a_prepared_for_that_wraps_takes_room_from_the_contents() -> None:
    titles = ["Overview", "France", "Germany", "Lithuania", "Poland", "Ukraine"]
    titles += ["United Kingdom", "United States", "NATO", "Hesitant allies (unnamed)"]
    title, subtitle = "Security guarantees for Ukraine", "Ahead of the NATO summit in Vilnius"
    one_line = "Briefing desk · Prepared for the delegation of a NATO ally to the summit"
    assert contents_fit_cover(titles, title, subtitle, one_line)
    # Planted: a phrase of two lines leaves the contents no room on the cover.
    two_lines = one_line + ", its ministers and the officials who advise them on the summit"
    assert not contents_fit_cover(titles, title, subtitle, two_lines)


def test_one_quote_cited_with_two_relays_is_warned_of_where_it_differs(mini: Project) -> None:
    """The key judgment and the statement both cite Quill's words; said once to come through
    a news agency, they must say so both times, or their notes disagree (Q410)."""
    quote = '        quote: Southland "will sign a ten-year defence pact" with Northland\n'
    text = (mini.actors / "south.yaml").read_text(encoding="utf-8")
    statement_cite = "        quote: Southland's premier, Ada Quill, said on Tuesday\n"
    text = text.replace(
        statement_cite,
        statement_cite + "      - source: harbour\n        via: Harbour Wire\n" + quote,
    )
    (mini.actors / "south.yaml").write_text(text, encoding="utf-8")
    found = [m for m in messages(mini) if "Q410" in m]
    assert len(found) == 1, found
    assert "south.yaml:" in found[0] and "'Harbour Wire' here" in found[0], found
    assert "no one named" in found[0]
    # Said the same way in both places, the warning goes.
    edit(mini.actors / "south.yaml", "        via: Harbour Wire\n", "")
    assert not [m for m in messages(mini) if "Q410" in m]
