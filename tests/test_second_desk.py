"""A second desk, built with no code change: a climate-pledges desk at a COP summit.

tests/fixtures/cop declares its own lists (pledge kinds, statuses, sectors, stances, channels,
reliability grades, confidence levels, actor kinds with their code rules), its own fields, its
own words and a user-assigned code (XK), and overrides one packaged template. Everything the
briefs print about it must come from its facts/vocabulary.yaml, nothing from the NATO desk.
The PDFs (briefs and book) are built once for the module: they take seconds.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest

from briefing.cli import main
from briefing.core.project import Project
from briefing.factbase.model import Vocabulary
from briefing.factbase.validate import load_vocabulary
from briefing.render.book import used_words
from briefing.render.pages import PACKAGE_TEMPLATES
from briefing.site.build import checked_facts
from tests.editing_fixture import edit

COP = Path(__file__).resolve().parent / "fixtures" / "cop"

# Briefs in the order the desk lists its actor kinds (country, subnational government, city
# network), then by name.
ACTORS = ["de", "ke", "xk", "california", "c40"]
OVERRIDE_LINE = "Climate desk — prepared for the COP delegation"
# The declared commitment fields' labels, in the order facts/vocabulary.yaml declares them.
PLEDGE_KEYS = ["kind", "status", "sectors", "finance_usd", "target_year", "baseline"]
# Words only the NATO desk uses: none may reach a climate brief (case-sensitive on purpose:
# the sources themselves speak of "the summit").
OTHER_DESK = (
    "NATO",
    "Summit",
    "Stance matrix",
    "Guarantee",
    "guarantee",
    "Instrument",
    "Mutual defence",
    "Admiralty",
    "Ukrain",
    "Telegram",
    "Weapons and ammunition",
)


def copy_desk(parent: Path) -> Path:
    """A writable copy of the COP desk: its facts and its own templates."""
    root = parent / "cop"
    shutil.copytree(COP, root)
    return root


def flat(text: str) -> str:
    """Whitespace folded, as a reader sees it."""
    return " ".join(text.split())


def text_of(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded, whitespace folded."""
    return flat(html.unescape(re.sub(r"<[^>]+>", "", fragment)))


def find(pattern: str, page: str) -> str:
    """The first group of a pattern that must match the page."""
    match = re.search(pattern, page, re.DOTALL)
    assert match is not None, f"{pattern!r} not found"
    return match.group(1)


def vocabulary(root: Path) -> Vocabulary:
    """The desk's vocabulary as the engine reads it."""
    _, models, problems = load_vocabulary(Project.at(root))
    assert models is not None, problems
    return models.vocabulary


def check_json(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    """`briefing check --format json`: its exit code and its diagnostics."""
    code = main(["--root", str(root), "check", "--format", "json"])
    diagnostics: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return code, diagnostics


def located(path: Path, needle: str) -> tuple[int, int]:
    """Line and column (1-based) where `needle` starts in a file; it must occur once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(needle) == 1, needle
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


@dataclass(frozen=True)
class Built:
    """The COP desk, built once into build/ with HTML, PDF and the book."""

    root: Path

    @property
    def build(self) -> Path:
        return self.root / "build"

    def page(self, slug: str) -> str:
        return (self.build / "html" / f"{slug}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = copy_desk(tmp_path_factory.mktemp("second-desk"))
    assert main(["--root", str(root), "build"]) == 0
    return Built(root)


@pytest.fixture(scope="module")
def book(built: Built) -> list[str]:
    """The text of each page of the briefing book, whitespace folded."""
    reader = pypdf.PdfReader(built.build / "pdf" / "book-ed1.pdf")
    return [flat(page.extract_text() or "") for page in reader.pages]


def pledge_fields(note: str, fact: str) -> list[str]:
    """The declared fields a pledge prints in the principal's note, in order."""
    card = find(rf'<div class="card" id="note-fact-{fact}">(.*?)</div>', note)
    return re.findall(r'<span class="field-([\w-]+)"[^>]*>', card)


def pledge_cell(note: str, fact: str, key: str) -> str | None:
    """A pledge's value as the note prints it (each pledge is printed in full there only);
    None where no source gives it."""
    card = find(rf'<div class="card" id="note-fact-{fact}">(.*?)</div>', note)
    match = re.search(rf'<span class="field-{key}"[^>]*>(.*?)</span>', card, re.DOTALL)
    return text_of(match.group(1)) if match else None


# --- The desk as shipped: checks clean, builds everything ------------------------------------


def test_check_strict_passes_without_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_desk(tmp_path)
    assert main(["--root", str(root), "check", "--strict"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("ok: 5 actors, 3 sources, ")
    assert check_json(root, capsys) == (0, [])


def test_build_writes_html_pdf_and_the_book(built: Built) -> None:
    slugs = ["note", "overview", *ACTORS]
    for slug in slugs:
        assert (built.build / "html" / f"{slug}.html").is_file()
        assert len(pypdf.PdfReader(built.build / "pdf" / f"{slug}-ed1.pdf").pages) >= 1
    assert len(pypdf.PdfReader(built.build / "pdf" / "book-ed1.pdf").pages) > len(slugs)
    index = (built.build / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="html/([\w-]+)\.html"', index) == slugs


# --- The desk's words in the briefs -----------------------------------------------------------


def test_briefs_print_the_desks_headings(built: Built) -> None:
    note = built.page("note")
    assert find(r'<h2 id="note-matrix-h">(.*?)</h2>', note) == "Positions on the COP questions"
    assert '<h2 id="note-commitments-h">Climate pledges</h2>' in note
    assert "COP 31, Antalya</span> Overview" in built.page("overview")
    for slug in ACTORS:
        page = built.page(slug)
        assert f'<h2 id="{slug}-positions-h">Negotiating position</h2>' in page
        # A chapter prints its commitments under the desk's heading; one with none, none.
        pledges = f'<h2 id="{slug}-commitments-h">Climate pledges</h2>' in page
        assert pledges == ('<ul class="refers">' in page), slug
    assert any(f'id="{slug}-commitments-h">Climate pledges' in built.page(slug) for slug in ACTORS)
    assert '<h2 id="c40-statements-h">Statements on the record</h2>' in built.page("c40")


def test_pledges_print_the_declared_fields_in_order_once(built: Built) -> None:
    # Seven declared fields do not fit a table's columns: the note folds them under the title.
    fields = pledge_fields(built.page("note"), "de-loss-damage")
    assert fields == [f for f in PLEDGE_KEYS if f in fields] and len(fields) >= 4
    # The party's brief refers to the pledge, printed in full in the note.
    assert 'href="note.html#note-fact-de-loss-damage"' in built.page("de")
    assert 'id="de-fact-de-loss-damage"' not in built.page("de")


def test_declared_fields_print_their_values(built: Built) -> None:
    note, de = built.page("note"), built.page("de")
    row = "de-loss-damage"
    assert pledge_cell(note, row, "kind") == "fund contribution"
    assert pledge_cell(note, row, "status") == "approved"
    assert pledge_cell(note, row, "sectors") == "finance"
    assert pledge_cell(note, row, "finance_usd") == "1,200,000,000 USD"
    assert pledge_cell(note, row, "baseline") is None  # not given: not printed
    assert pledge_cell(note, "ke-ndc-2035", "kind") == "NDC"
    assert pledge_cell(note, "ke-ndc-2035", "sectors") == "energy, transport, agriculture"
    assert pledge_cell(note, "ke-ndc-2035", "baseline") == "business as usual"
    assert pledge_cell(note, "xk-lignite-2040", "finance_usd") is None
    # A second, non-answer position field prints as a labelled line under the position.
    assert '<span class="byline">Condition: More countries contribute. · ' in de


def test_matrix_rows_follow_the_actor_kinds_and_show_the_answers(built: Built) -> None:
    note = built.page("note")
    matrix = find(r'<table class="matrix">(.*?)</table>', note)
    # Kosovo gives no position on any question: no row of empty cells, named once under it.
    rows = [a for a in ACTORS if a != "xk"]
    assert re.findall(r'<th scope="row"><a href="([\w-]+)\.html">', matrix) == rows
    key = find(r'</table>\s*<p class="key">(.*?)</p>', note)
    assert "Not in the table, with no position on any question: Kosovo." in text_of(key)
    kenya = find(r'<a href="ke\.html">Kenya</a></th>(.*?)</tr>', matrix)
    answers = re.findall(r'<span class="answer answer-([\w-]+)">(.*?)</span>', kenya)
    assert answers == [
        ("backs-with-conditions", "backs with conditions"),
        ("champions", "champions"),
    ]
    # Kosovo's no_position is printed in its brief instead.
    xk = built.page("xk")
    said = find(
        r'<h2 id="xk-positions-h">Negotiating position</h2>\s*<p class="empty">(.*?)</p>', xk
    )
    assert text_of(said).startswith("Kosovo is not a party to the UNFCCC; its minister said")


def test_statement_channels_print_their_labels(built: Built) -> None:
    def when(page: str, fact: str) -> str:
        item = find(rf'<li id="{fact}">(.*?)</li>', page)
        return text_of(find(r'<span class="when">(.*?)</span>\s*<p>', item))

    assert when(built.page("c40"), "c40-fact-c40-ferrer-x") == "5 November 2026 (inferred) · X"
    assert when(built.page("ke"), "ke-fact-ke-kamau-floor") == (
        "4 November 2026 (inferred) · Press conference"
    )
    assert when(built.page("xk"), "xk-fact-xk-krasniqi-no-position") == (
        "3 November 2026 (inferred) · Press conference · Journalists in Pristina"
    )


def test_no_wording_from_the_other_desk(built: Built, book: list[str]) -> None:
    pages = {p.name: p.read_text(encoding="utf-8") for p in (built.build / "html").glob("*.html")}
    pages["index.html"] = (built.build / "index.html").read_text(encoding="utf-8")
    pages["book.pdf"] = " ".join(book)
    found = {(name, word) for name, text in pages.items() for word in OTHER_DESK if word in text}
    assert found == set()


# --- The book: the desk's definitions, its own cover -----------------------------------------


def test_book_method_appendix_prints_the_desks_definitions(built: Built, book: list[str]) -> None:
    start = next(i for i, text in enumerate(book) if text.startswith("Appendix B Method"))
    method = " ".join(book[start:])
    vocab = vocabulary(built.root)
    facts = checked_facts(Project.at(built.root))[1]
    used = used_words(facts)
    unused = 0
    for list_id, terms in vocab.lists.items():
        # The two scales whole; of the other lists, the words a fact of the edition uses.
        whole = list_id in ("reliability", "likelihood", "confidence")
        for term in terms.terms:
            shown = whole or term.id in used[list_id]
            assert (flat(term.definition) in method) == shown, term.id
            unused += not shown
        assert (terms.title in method) == (whole or bool(used[list_id])), list_id
    assert "A post on X, the network formerly called Twitter." in method
    # 'resists' is declared, but no pledge of this desk uses it: not defined, and not counted
    # either (a reader has no use for the number of words the desk did not need).
    assert unused and "resists" not in used["stance"] and "Argues against it" not in method
    assert "further words" not in method


def test_project_template_overrides_the_packaged_default(book: list[str]) -> None:
    packaged = (PACKAGE_TEMPLATES / "book" / "cover.html").read_text(encoding="utf-8")
    own = (COP / "templates" / "book" / "cover.html").read_text(encoding="utf-8")
    assert OVERRIDE_LINE not in packaged
    assert OVERRIDE_LINE in own
    cover = book[0]
    assert OVERRIDE_LINE in cover
    assert "Briefing book" not in cover  # the packaged cover's line, replaced
    assert "Climate pledges at COP 31" in cover
    # The rest of the book still comes from the packaged templates.
    # A desk's own cover leaves the note out of its book (the note has its own PDF).
    assert "contents" in cover.lower() and "Overview" in book[1]


# --- Editing the desk: errors located, new words need nothing else ---------------------------


def test_word_not_in_a_list_is_a_located_error_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_desk(tmp_path)
    actor = root / "facts" / "actors" / "ke.yaml"
    edit(actor, "    kind: NDC\n", "    kind: NDCC\n")
    line, col = located(actor, "NDCC")
    assert main(["--root", str(root), "check"]) == 1
    err = capsys.readouterr().err
    header = (
        f"facts/actors/ke.yaml:{line}:{col}: error: commitments.0.kind: 'NDCC' is not allowed here"
        " [S003]"
    )
    assert header in err.splitlines()
    assert "    hint: did you mean 'NDC'?" in err
    code, diagnostics = check_json(root, capsys)
    assert code == 1
    assert [(d["file"], d["line"], d["col"]) for d in diagnostics] == [
        ("facts/actors/ke.yaml", line, col)
    ]
    assert diagnostics[0]["hint"].startswith("did you mean 'NDC'? (allowed: NDC, fund contribution")


def test_a_new_word_needs_no_other_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_desk(tmp_path)
    facts = root / "facts"
    edit(
        facts / "vocabulary.yaml",
        "        definition: A year after which only zero-emission vehicles may be sold.\n",
        "        definition: A year after which only zero-emission vehicles may be sold.\n"
        "      - id: energy transition plan\n"
        "        definition: A government plan to replace fossil power with clean power.\n",
    )
    edit(
        facts / "vocabulary.yaml",
        "      - id: X\n",
        "      - id: LinkedIn\n"
        "        definition: A post on the speaker's LinkedIn page.\n"
        "      - id: X\n",
    )
    edit(facts / "actors" / "xk.yaml", "kind: coal phase-out date", "kind: energy transition plan")
    edit(facts / "actors" / "xk.yaml", "channel: press conference", "channel: LinkedIn")
    assert main(["--root", str(root), "check", "--strict"]) == 0
    assert main(["--root", str(root), "build", "--no-pdf"]) == 0
    capsys.readouterr()
    page = (root / "build" / "html" / "xk.html").read_text(encoding="utf-8")
    note = (root / "build" / "html" / "note.html").read_text(encoding="utf-8")
    assert pledge_cell(note, "xk-lignite-2040", "kind") == "energy transition plan"
    assert "(inferred)</span> · LinkedIn · Journalists in Pristina" in page


def test_subdivision_and_user_assigned_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_desk(tmp_path)
    vocab = vocabulary(root)
    assert [c.code for c in vocab.codes] == ["XK"]
    rules = {t.id: t.code for t in vocab.lists["actor_kind"].terms}
    assert rules == {
        "country": "iso-3166-1",
        "subnational government": "iso-3166-2",
        "city network": "none",
    }
    assert check_json(root, capsys) == (0, [])  # US-CA (ISO 3166-2) and XK (declared) check

    actor = root / "facts" / "actors" / "california.yaml"
    edit(actor, "code: US-CA", "code: US-ZZ")
    line, col = located(actor, "US-ZZ")
    code, diagnostics = check_json(root, capsys)
    assert code == 1
    assert [(d["file"], d["line"], d["col"], d["severity"]) for d in diagnostics] == [
        ("facts/actors/california.yaml", line, col, "error")
    ]
    assert "'US-ZZ' is not an ISO 3166-2 code" in diagnostics[0]["message"]


def test_user_assigned_code_must_be_declared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_desk(tmp_path)
    vocabulary_file = root / "facts" / "vocabulary.yaml"
    text = vocabulary_file.read_text(encoding="utf-8")
    vocabulary_file.write_text(text[: text.index("\ncodes:\n")] + "\n", encoding="utf-8")
    line, col = located(root / "facts" / "actors" / "xk.yaml", "XK\n")
    code, diagnostics = check_json(root, capsys)
    assert code == 1
    assert [(d["file"], d["line"], d["col"]) for d in diagnostics] == [
        ("facts/actors/xk.yaml", line, col)
    ]
    assert "'XK' is not an ISO 3166-1 alpha-2 code" in diagnostics[0]["message"]


def test_city_network_carries_no_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_desk(tmp_path)
    actor = root / "facts" / "actors" / "c40.yaml"
    edit(actor, "kind: city network\n", "kind: city network\ncode: GB\n")
    code, diagnostics = check_json(root, capsys)
    assert code == 1
    assert [d["file"] for d in diagnostics] == ["facts/actors/c40.yaml"]
    assert "an actor of kind 'city network' has no 'code'" in diagnostics[0]["message"]


def test_editor_schema_offers_the_desks_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_desk(tmp_path)
    (root / "schema").mkdir()
    assert main(["--root", str(root), "schema"]) == 0
    capsys.readouterr()
    schema = (root / "schema" / "actor.schema.json").read_text(encoding="utf-8")
    for word in ("NDC", "coal phase-out date", "subnational government", "backs with conditions"):
        assert json.dumps(word) in schema
    assert "A post on X, the network formerly called Twitter." in schema
    assert '"finance_usd"' in schema and '"target_year"' in schema


# --- Engine problems this desk shows (strict: remove the marker once fixed) -------------------


def test_target_year_prints_as_a_year(built: Built) -> None:
    assert pledge_cell(built.page("note"), "de-loss-damage", "target_year") == "2030"


def test_a_finance_goal_in_the_hundreds_of_billions_prints_in_full(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_desk(tmp_path)
    edit(
        root / "facts" / "actors" / "de.yaml",
        "finance_usd: 1200000000",
        "finance_usd: 300000000000",
    )
    assert main(["--root", str(root), "build", "--no-pdf"]) == 0
    capsys.readouterr()
    page = (root / "build" / "html" / "note.html").read_text(encoding="utf-8")
    assert pledge_cell(page, "de-loss-damage", "finance_usd") == "300,000,000,000 USD"


def test_a_number_too_large_to_be_finite_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_desk(tmp_path)
    actor = root / "facts" / "actors" / "de.yaml"
    edit(actor, "finance_usd: 1200000000", "finance_usd: 1.0e400")
    line, col = located(actor, "1.0e400")
    assert main(["--root", str(root), "check"]) == 1
    err = capsys.readouterr().err
    assert f"facts/actors/de.yaml:{line}:{col}: error:" in err
    assert "finite number" in err


def test_timeline_names_the_event_as_the_desk_writes_it(built: Built) -> None:
    timeline = find(r'<table class="chronology(.*?)</table>', built.page("overview"))
    assert "<strong>COP</strong>" in timeline
