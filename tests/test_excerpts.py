"""Sources that may not travel whole (`redistribute: excerpts`): every PDF carries the passages
the facts cite in place of the text, `briefing verify` proves the quotes and derives the pages
from them, and refuses excerpts that were tampered with, naming the source."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from briefing.check.facts import check_project
from briefing.core.diagnostics import Diagnostic
from briefing.core.project import Project
from briefing.evidence.citations import all_citations
from briefing.evidence.excerpts import (
    FORMAT,
    ExcerptsError,
    excerpts_name,
    make_excerpts,
    read_excerpts,
)
from briefing.evidence.quotes import find, normalise
from briefing.factbase.model import Source
from briefing.pdf.verify import verify
from briefing.render.attachments import MANIFEST
from briefing.site.build import build
from briefing.site.distribute import distribute
from tests.carried import carried, manifest_of, tampered
from tests.conftest import FIXTURES
from tests.test_verify import attached, run

EXCERPTS = f"facts/sources/{excerpts_name('harbour.txt')}"
# A paragraph of the excerpted text that no fact cites: no PDF may carry it.
UNCITED = "The lighthouse keeper of Port Meridian retired after forty years and grows apples."
NOTICE = "Port Meridian, 2031. The harbour authority says the council session opens on 12 May.\n"
DISTRIBUTION = """\
recipients:
  - id: minister
    name: The Minister
    chapters: all
  - id: partner
    name: Partner ministry
    chapters: [council]
"""


def excerpts_desk(root: Path) -> Project:
    """The mini desk with its news text marked 'excerpts' (pinned, and with a paragraph no
    fact cites), and a second source, the desk's own notice, that travels whole."""
    shutil.copytree(FIXTURES / "mini", root)
    facts = root / "facts"
    harbour = facts / "sources" / "harbour.txt"
    text = harbour.read_text(encoding="utf-8") + f"\n{UNCITED}\n"
    harbour.write_text(text, encoding="utf-8")
    (facts / "sources" / "notice.txt").write_text(NOTICE, encoding="utf-8")
    # The page it was extracted from may not travel either.
    (facts / "originals").mkdir()
    page = f"<html><body><p>{text.replace(chr(10), '</p><p>')}</p></body></html>"
    (facts / "originals" / "harbour.html").write_text(page, encoding="utf-8")
    digest = hashlib.sha256(harbour.read_bytes()).hexdigest()
    registry = (facts / "sources.yaml").read_text(encoding="utf-8")
    registry += f"""    original: harbour.html
    redistribute: excerpts
    sha256: {digest}
  - id: notice
    file: notice.txt
    title: Notice of the harbour authority
    outlet: Port Meridian Harbour Authority
    reliability: B
    reliability_note: The authority's own notice, passed on by the desk.
    redistribute: whole
"""
    (facts / "sources.yaml").write_text(registry, encoding="utf-8")
    council = facts / "actors" / "council.yaml"
    cited = council.read_text(encoding="utf-8").replace(
        """        quote: the council "cannot offer membership while the dispute lasts"

bluf:""",
        """        quote: the council "cannot offer membership while the dispute lasts"
      - source: notice
        quote: the council session opens on 12 May

bluf:""",
    )
    council.write_text(cited, encoding="utf-8")
    (facts / "distribution.yaml").write_text(DISTRIBUTION, encoding="utf-8")
    return Project.at(root)


@dataclass(frozen=True)
class Desk:
    project: Project
    book: Path
    pdfs: list[Path]  # every PDF: the book, the briefs, the numbered copies


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The desk built, with PDFs, and distributed (the slow part, once)."""
    project = excerpts_desk(tmp_path_factory.mktemp("excerpts") / "mini")
    build(project, jobs=1)
    copies, checked = distribute(project, jobs=1)
    assert not [p for p in checked.problems if p.severity == "error"]
    pdfs = sorted((project.build / "pdf").glob("*.pdf")) + sorted(copies.folder.glob("*.pdf"))
    return Desk(project, project.build / "pdf" / "book-ed3.pdf", pdfs)


def _attachments(pdf: Path) -> dict[str, bytes]:
    """What the PDF carries, by project name (the bundle's files and the sources)."""
    return carried(pdf)


# --- What travels --------------------------------------------------------------------------------


def test_no_pdf_carries_the_full_text_of_an_excerpted_source(desk: Desk) -> None:
    assert len(desk.pdfs) >= 6  # the book, the note, three briefs, two copies
    full = (desk.project.sources / "harbour.txt").read_bytes()
    for pdf in desk.pdfs:
        files = _attachments(pdf)
        assert "facts/sources/harbour.txt" not in files, pdf.name
        assert "facts/originals/harbour.html" not in files, pdf.name
        for name, content in files.items():
            assert UNCITED.encode() not in content, f"{pdf.name}: {name}"
            assert full not in content, f"{pdf.name}: {name}"
    # The book and every PDF that cites it carry its excerpts instead, the same bytes in each.
    carried = {_attachments(p).get(EXCERPTS) for p in desk.pdfs} - {None}
    assert len(carried) == 1


def test_the_excerpts_are_the_cited_passages_at_their_place_in_the_full_text(desk: Desk) -> None:
    given = json.loads(attached(desk.book, EXCERPTS))
    raw = (desk.project.sources / "harbour.txt").read_bytes()
    full = raw.decode("utf-8")
    assert given["format"] == FORMAT and given["source"] == "harbour"
    assert given["sha256"] == hashlib.sha256(raw).hexdigest()
    assert (given["bytes"], given["characters"]) == (len(raw), len(full))
    for excerpt in given["excerpts"]:
        assert full[excerpt["start"] : excerpt["end"]] == excerpt["text"]
    carried = "".join(e["text"] for e in given["excerpts"])
    checked = check_project(desk.project)
    assert checked.base is not None
    for cited in all_citations(checked.base):
        if cited.citation.source == "harbour":
            found = checked.proofs.of(cited.citation)
            assert found is not None and found.passage in carried
    assert len(carried) < len(full) - len(UNCITED)


def test_a_source_marked_whole_still_travels_in_full(desk: Desk) -> None:
    files = _attachments(desk.book)
    assert files["facts/sources/notice.txt"] == NOTICE.encode()
    assert f"facts/sources/{excerpts_name('notice.txt')}" not in files
    listing = json.loads(files[MANIFEST])
    assert listing["files"][EXCERPTS] == hashlib.sha256(files[EXCERPTS]).hexdigest()


# --- Verified from the excerpts ----------------------------------------------------------------


def test_the_book_verifies_and_says_the_source_travels_as_excerpts(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(desk.book))
    assert code == 0, out
    # Named as the reader's attachment panel shows it.
    shown = manifest_of(desk.book)["shown"][EXCERPTS]
    assert shown.endswith("Harbour Council Weighs a Shield for Northland (passages cited).json")
    assert f"source 'harbour' travels as excerpts, not whole ({shown}:" in out
    digest = hashlib.sha256((desk.project.sources / "harbour.txt").read_bytes()).hexdigest()
    assert f"check it is the one cited: SHA-256 {digest}" in out
    assert "source 'notice' travels" not in out
    # The pages are derived again from the excerpts: Appendix A prints their passages and
    # their paragraphs as the full text gives them.
    assert "pages: identical to a fresh build, byte for byte" in out
    assert "ok: 7 quotes verified in 2 sources" in out


def test_every_brief_and_copy_verifies(desk: Desk) -> None:
    for pdf in desk.pdfs:
        result = verify(pdf)
        assert result.ok, (pdf.name, result.problems)
        cites_harbour = EXCERPTS in _attachments(pdf)
        assert [e.source for e in result.excerpted] == (["harbour"] if cites_harbour else [])


# --- Forged excerpts are refused, naming the source ---------------------------------------------


def _forged(
    desk: Desk, tmp_path: Path, change: Callable[[dict[str, Any]], None], *, manifest: bool = True
) -> Path:
    """The book with its excerpts of 'harbour' changed by `change` (a function of the parsed
    file), the manifest rewritten to match when `manifest`, as a careful forger would."""
    given = json.loads(attached(desk.book, EXCERPTS))
    change(given)
    content = json.dumps(given, ensure_ascii=False).encode("utf-8")
    return tampered(desk.book, tmp_path / "book.pdf", {EXCERPTS: content}, manifest=manifest)


def _holding(given: dict[str, Any], words: str) -> dict[str, Any]:
    excerpts = given["excerpts"]
    assert isinstance(excerpts, list)
    found = next(e for e in excerpts if words in e["text"])
    assert isinstance(found, dict)
    return found


def test_a_word_changed_in_an_excerpt_is_refused(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(given: dict[str, Any]) -> None:
        excerpt = _holding(given, "joint training")
        # As long as the word it replaces: the offsets still add up.
        excerpt["text"] = excerpt["text"].replace("joint training", "joint drilling")

    code, out, _ = run(capsys, str(_forged(desk, tmp_path, change)))
    assert code == 1, out
    assert "quote not found in source 'harbour' (in the excerpts of it" in out
    assert "quote:   The pact covers arms deliveries, joint training" in out


def test_a_changed_excerpt_without_its_manifest_names_the_source(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(given: dict[str, Any]) -> None:
        # Context only: every quote still holds; the manifest does not.
        excerpt = _holding(given, "said on Tuesday that")
        excerpt["text"] = excerpt["text"].replace("said on Tuesday that", "said on Tuesday what")

    code, out, _ = run(capsys, str(_forged(desk, tmp_path, change, manifest=False)))
    assert code == 1, out
    shown = manifest_of(desk.book)["shown"][EXCERPTS]
    assert f"'{shown}' ({EXCERPTS}) (the excerpts of source 'harbour') is not the file" in out


def test_an_excerpt_moved_from_its_offset_is_refused(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(given: dict[str, Any]) -> None:
        # The same text, one character further on: the line break it ends with no longer
        # falls where the text has one.
        excerpt = _holding(given, "joint training")
        assert excerpt["text"].endswith("\n")
        excerpt["start"] += 1
        excerpt["end"] += 1

    code, out, _ = run(capsys, str(_forged(desk, tmp_path, change)))
    assert code == 1, out
    assert "the excerpts of source 'harbour' (facts/sources/harbour.txt.excerpts.json)" in out
    assert "does not break its lines where the text does" in out


def test_an_excerpt_whose_start_alone_moved_is_refused(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(given: dict[str, Any]) -> None:
        _holding(given, "joint training")["start"] -= 3

    code, out, _ = run(capsys, str(_forged(desk, tmp_path, change)))
    assert code == 1, out
    assert "the excerpts of source 'harbour'" in out and "where its offsets" in out


def test_excerpts_without_the_quote_are_refused(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(given: dict[str, Any]) -> None:
        excerpts = given["excerpts"]
        assert isinstance(excerpts, list)
        excerpts.remove(_holding(given, "joint training"))

    code, out, _ = run(capsys, str(_forged(desk, tmp_path, change)))
    assert code == 1, out
    assert "quote not found in source 'harbour'" in out


def test_excerpts_of_another_text_than_the_pinned_one_are_refused(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(given: dict[str, Any]) -> None:
        given["sha256"] = "0" * 64

    code, out, _ = run(capsys, str(_forged(desk, tmp_path, change)))
    assert code == 1, out
    assert "the excerpts of source 'harbour'" in out
    assert "are of a text whose SHA-256 is 0000000000000000..." in out


def test_a_text_that_travels_whole_swapped_for_excerpts_is_refused(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The forger withholds the text of a source the facts say travels whole, giving excerpts
    # that prove every quote, and rewrites the manifest.
    project = Project.at(desk.project.root)
    checked = check_project(project)
    assert checked.base is not None
    notice = next(s for s in checked.base.facts.sources if s.id == "notice")
    made = make_excerpts(
        notice, checked.texts["notice"], NOTICE.encode(), checked.proofs.spans("notice")
    )
    changes: dict[str, bytes | None] = {
        "facts/sources/notice.txt": None,
        f"facts/sources/{excerpts_name('notice.txt')}": made,
    }
    code, out, _ = run(capsys, str(tampered(desk.book, tmp_path / "b.pdf", changes, manifest=True)))
    assert code == 1, out
    assert "source 'notice' travels whole" in out and "carries only excerpts of it [V106]" in out


# --- Reading excerpts back gives what the full text gives ---------------------------------------


@pytest.mark.parametrize("name", ["mini", "cop", "pledges"])
def test_every_quote_is_found_in_the_excerpts_as_in_the_full_text(name: str) -> None:
    # Where it stands (line, column), the passage a note prints and its paragraph (¶): what
    # the notes, Appendix A and verify's messages take from a text.
    project = Project.at(FIXTURES / name)
    checked = check_project(project, pdf=False)
    assert checked.base is not None
    quotes = 0
    for source in checked.base.facts.sources:
        text = checked.texts[source.id]
        content = (project.sources / source.file).read_bytes()
        partial = read_excerpts(
            make_excerpts(source, text, content, checked.proofs.spans(source.id)), source
        )
        for cited in all_citations(checked.base):
            if cited.citation.source != source.id:
                continue
            whole, part = find(cited.citation.quote, text), find(cited.citation.quote, partial)
            if whole is None:
                continue
            assert part is not None, cited.citation.quote
            assert (part.passage, part.line, part.col) == (whole.passage, whole.line, whole.col)
            assert partial.paragraph(part.start) == text.paragraph(whole.start)
            assert partial.place(part.spans) == text.place(whole.spans)  # the ¶ a note prints
            assert partial.carries(part.spans)
            quotes += 1
    assert quotes > 0


def test_excerpts_of_another_source_are_refused() -> None:
    project = Project.at(FIXTURES / "mini")
    checked = check_project(project, pdf=False)
    assert checked.base is not None
    (source,) = checked.base.facts.sources
    content = (project.sources / source.file).read_bytes()
    made = make_excerpts(source, checked.texts[source.id], content, [])
    other = source.model_copy(update={"id": "elsewhere"})
    with pytest.raises(ExcerptsError, match="excerpts of source 'harbour'"):
        read_excerpts(made, other)
    with pytest.raises(ExcerptsError, match="not an excerpts file"):
        read_excerpts(b'{"format": 1}', source)


def test_many_excerpts_of_a_long_text_are_read_in_a_moment() -> None:
    # 100 K characters over 2,000 lines, a cut on each: what any desk's source and a hostile
    # file can ask of a reader is bounded by the attachment's size, not multiplied by it.
    line = "The council met again and said nothing new about the pact today.\n"
    full = line * 1500
    text = normalise(full)
    spans = [(at, at + 9) for at in range(0, len(text.text) - 10, len(line))]
    source = Source.model_validate(
        {
            "id": "long",
            "file": "long.txt",
            "title": "Long",
            "outlet": "Test",
            "reliability": "B",
            "reliability_note": "Test.",
        }
    )
    made = make_excerpts(source, text, full.encode(), spans)
    started = time.perf_counter()
    partial = read_excerpts(made, source)
    assert time.perf_counter() - started < 2.0
    assert len(partial.excerpts.excerpts) == len(spans)
    assert partial.carries([spans[-1]]) and not partial.carries([(spans[0][1] + 40, spans[1][0])])


# --- The field ---------------------------------------------------------------------------------


def test_an_unknown_redistribute_value_is_a_located_error(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    registry = root / "facts" / "sources.yaml"
    written = registry.read_text(encoding="utf-8") + "    redistribute: excerpt\n"
    registry.write_text(written, encoding="utf-8")
    problems: list[Diagnostic] = check_project(Project.at(root)).problems
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.code == "S003"
    where = problem.location
    assert (where.file, where.line, where.col) == ("facts/sources.yaml", written.count("\n"), 19)
    assert "did you mean 'excerpts'?" in problem.format()
