"""`briefing verify` derives the document again from what it carries and compares its pages."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from briefing.cli import main
from briefing.core.project import Project
from briefing.pdf import layout
from briefing.pdf.document import PdfJob, render_pdf
from briefing.pdf.verify import verify
from briefing.render.attachments import MANIFEST
from briefing.render.pages import PACKAGE_TEMPLATES
from briefing.site.build import build
from briefing.site.derive import derive_pdf
from tests.carried import carried, tampered
from tests.conftest import FIXTURES


@dataclass(frozen=True)
class Built:
    project: Project
    book: Path
    south: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture desk built once, with PDFs."""
    root = tmp_path_factory.mktemp("pages") / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    project = Project.at(root)
    build(project)
    pdf = project.build / "pdf"
    return Built(project, pdf / "book-ed3.pdf", pdf / "south-ed3.pdf")


def run(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    code = main(["verify", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def rewritten(original: Path, target: Path, change: object) -> Path:
    """A copy of `original` with `change(pdf)` applied to its pages, attachments untouched."""
    with pikepdf.open(original) as pdf:
        change(pdf)  # type: ignore[operator]
        pdf.save(target)
    return target


# --- Untouched files -----------------------------------------------------------------------------


def test_the_book_and_a_brief_are_identical_to_a_fresh_build(
    built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (built.book, built.south):
        code, out = run(capsys, path)
        assert code == 0, out
        assert "pages: identical to a fresh build, byte for byte" in out
        assert "Briefing's own are identical to this installation's" in out


def test_the_same_pages_saved_otherwise_match_word_for_word(
    built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Saved again by another program: other bytes, the same words.
    resaved = rewritten(built.book, tmp_path / "book.pdf", lambda pdf: None)
    assert resaved.read_bytes() != built.book.read_bytes()
    code, out = run(capsys, resaved)
    assert code == 0, out
    with pikepdf.open(built.book) as pdf:
        count = len(pdf.pages)
    assert f"pages: text matches a fresh build, word for word on each of {count} pages" in out


def test_a_brief_made_with_other_library_versions_verifies_in_text_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another machine: its manifest names another pydyf (the bytes it carries differ from
    # this machine's derivation by that record alone: the pages' words are the same).
    from briefing.pdf import cache
    from briefing.site import publish

    theirs = {**cache.made_with(), "pydyf": "0.1.0"}
    monkeypatch.setattr(publish, "made_with", lambda: theirs)
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    build(Project.at(root))
    monkeypatch.undo()
    code, out = run(capsys, root / "build" / "pdf" / "south-ed3.pdf")
    assert code == 0, out
    assert "pages: text matches a fresh build, word for word" in out
    assert "made with other versions: pydyf 0.1.0 there, " in out


def test_the_book_carries_its_templates_and_what_made_it(built: Built) -> None:
    files = carried(built.book)
    names = set(files)
    manifest = json.loads(files[MANIFEST])
    packaged = {
        f"briefing/templates/{p.relative_to(PACKAGE_TEMPLATES).as_posix()}"
        for p in PACKAGE_TEMPLATES.rglob("*")
        if p.is_file()
    }
    assert packaged <= names
    assert packaged <= set(manifest["files"])
    assert manifest["briefing"]
    assert manifest["date"].startswith("2031-04-01")
    assert "weasyprint" in manifest["made_with"]


# --- Changed pages --------------------------------------------------------------------------------


def _swap_two_glyphs(pdf: pikepdf.Pdf, index: int) -> None:
    """Swap the first two glyphs of a word of three glyphs or more drawn on page `index`
    (0-based): WeasyPrint draws each glyph as a string of its own in a TJ array."""
    page = pdf.pages[index]
    commands = pikepdf.parse_content_stream(page)
    arrays = [
        (number, list(command.operands[0]))
        for number, command in enumerate(commands)
        if isinstance(command, pikepdf.ContentStreamInstruction) and str(command.operator) == "TJ"
    ]
    drawn = [bytes(i) for _, items in arrays for i in items if isinstance(i, pikepdf.String)]
    space = max(set(drawn), key=drawn.count)  # the glyph drawn most often: the space
    for number, items in arrays:
        operator = pikepdf.Operator("TJ")
        glyphs = [at for at, item in enumerate(items) if isinstance(item, pikepdf.String)]
        for first, second, third in zip(glyphs, glyphs[1:], glyphs[2:], strict=False):
            word = [bytes(items[at]) for at in (first, second, third)]
            if space not in word and word[0] != word[1]:
                items[first], items[second] = items[second], items[first]
                commands[number] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Array(items)], operator
                )
                page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(commands))
                return
    raise AssertionError("no word of three glyphs or more on the page")


def test_two_glyphs_swapped_in_a_word(
    built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    forged = rewritten(built.book, tmp_path / "book.pdf", lambda pdf: _swap_two_glyphs(pdf, 4))
    code, out = run(capsys, forged)
    assert code == 1, out
    assert "pages: differ from a fresh build" in out
    assert "they were changed [V302]" in out
    assert "page 5: prints '" in out and "where its facts give '" in out
    assert "page 4:" not in out and "page 6:" not in out


def test_a_page_replaced_by_another(
    built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def replace(pdf: pikepdf.Pdf) -> None:
        pdf.pages[2] = pdf.pages[3]  # the chapters' first page given their second

    code, out = run(capsys, rewritten(built.book, tmp_path / "book.pdf", replace))
    assert code == 1, out
    # What the forged page prints is the fourth page's start, wherever the flow puts it.
    assert "page 3: not the page its facts give: it prints '" in out
    assert "where its facts give 'Chapter 1 Overview" in out


def test_a_page_removed(built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    def remove(pdf: pikepdf.Pdf) -> None:
        del pdf.pages[2]  # the chapters' first page

    code, out = run(capsys, rewritten(built.book, tmp_path / "book.pdf", remove))
    assert code == 1, out
    with pikepdf.open(built.book) as pdf:
        count = len(pdf.pages)
    assert f"it has {count - 1} pages; its facts give {count} pages" in out
    assert "page 3 of a fresh build is missing (it prints 'Chapter 1" in out


def test_a_table_value_changed(
    built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The forger builds from facts with another figure, and attaches the true ones.
    root = tmp_path / "forged"
    shutil.copytree(FIXTURES / "mini", root)
    south = root / "facts" / "actors" / "south.yaml"
    south.write_text(
        south.read_text(encoding="utf-8").replace("duration: 10 years", "duration: 90 years"),
        encoding="utf-8",
    )
    build(Project.at(root))
    forged = tmp_path / "book.pdf"
    with (
        pikepdf.open(root / "build" / "pdf" / "book-ed3.pdf") as pdf,
        pikepdf.open(built.book) as true,
    ):
        for name in list(pdf.attachments):
            del pdf.attachments[name]
        for name, spec in true.attachments.items():
            content = spec.get_file().read_bytes()
            pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, content, filename=name)
        pdf.save(forged)
    code, out = run(capsys, forged)
    assert code == 1, out
    # The commitments are printed in full once, in the principal's note on page 1.
    assert "page 1: prints '90' where its facts give '10'" in out


# --- The templates it carries ---------------------------------------------------------------------


def _with_template(
    original: Path, target: Path, name: str, content: bytes, *, manifest: bool
) -> Path:
    return tampered(original, target, {name: content}, manifest=manifest)


def test_a_template_attachment_altered(
    built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = "briefing/templates/brief.css"
    css = (PACKAGE_TEMPLATES / "brief.css").read_bytes() + b"\nh1 { color: red }\n"
    forged = _with_template(built.book, tmp_path / "book.pdf", name, css, manifest=False)
    code, out = run(capsys, forged)
    assert code == 1, out
    assert f"attachment {name} (in verification-data.zip) is not the file the PDF was" in out


def test_a_template_that_reads_a_local_file_is_refused(
    built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = "briefing/templates/brief.css"
    css = (PACKAGE_TEMPLATES / "brief.css").read_bytes()
    css += b'\nhtml { background-image: url("file:///etc/passwd") !important }\n'
    forged = _with_template(built.book, tmp_path / "book.pdf", name, css, manifest=True)
    code, out = run(capsys, forged)
    assert code == 1, out
    assert (
        "a template it carries asks for file:///etc/passwd, which is not one of the PDF's own "
        "files: refused, and nothing was read from it"
    ) in out
    assert "root:" not in out


def test_a_template_that_reaches_for_python_internals_is_refused(
    built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = "briefing/templates/book/chapter.html"
    hostile = b"{{ ''.__class__.__mro__[1].__subclasses__() }}\n"
    html = (PACKAGE_TEMPLATES / "book" / "chapter.html").read_bytes() + hostile
    forged = _with_template(built.book, tmp_path / "book.pdf", name, html, manifest=True)
    code, out = run(capsys, forged)
    assert code == 1, out
    assert "its pages cannot be derived again from what it carries" in out
    assert "<class 'object'>" not in out


# --- Only the document verified is laid out -------------------------------------------------------


def test_a_brief_is_derived_alone(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    laid: list[str] = []
    render = render_pdf

    def counting(job: PdfJob, project: Project) -> bytes:
        laid.append(job.html[:40])
        return render(job, project)

    monkeypatch.setattr(layout, "render_pdf", counting)
    assert verify(built.south, derive=derive_pdf).pages.startswith("identical")
    brief = len(laid)
    laid.clear()
    assert verify(built.book, derive=derive_pdf).pages.startswith("identical")
    # The brief: its chapter, its sources and its page numbers; the book: every part.
    assert brief == 3
    assert len(laid) > 2 * brief


def test_the_next_editions_pages_verify_with_what_changed_since_the_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A book after a release says what changed since the last edition: it carries that
    edition's fact base, from which a reader derives the page again."""
    root = tmp_path / "desk"
    shutil.copytree(FIXTURES / "mini", root)
    assert main(["--root", str(root), "release"]) == 0
    edition = root / "facts/edition.yaml"
    edition.write_text(
        edition.read_text(encoding="utf-8").replace("number: 3", "number: 4"), encoding="utf-8"
    )
    south = root / "facts/actors/south.yaml"
    south.write_text(
        south.read_text(encoding="utf-8").replace("A ten-year pact", "A ten-year treaty"),
        encoding="utf-8",
    )
    assert main(["--root", str(root), "build"]) == 0
    assert "Since edition 3" in (root / "build/html/overview.html").read_text(encoding="utf-8")
    for name in ("book-ed4.pdf", "overview-ed4.pdf"):
        code, out = run(capsys, root / "build/pdf" / name)
        assert code == 0, out
        assert "pages: identical to a fresh build" in out or "text matches" in out, out
