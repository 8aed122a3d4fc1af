"""`briefing new source` on a saved web page or a PDF: the article's text and metadata taken
in, the original kept and attached, and files without text refused with nothing written."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from briefing.check.facts import run_check
from briefing.cli import main
from briefing.core.project import Project
from briefing.factbase.load import load_file
from tests.carried import carried
from tests.editing_fixture import make_project

ARTICLE = (
    "Southland's premier, Ada Quill, said on Tuesday that Southland “will sign a ten-year "
    "defence pact” with Northland before the Harbour Council meets in May.",
    "The pact covers arms deliveries, joint training and shared intelligence, but it does not "
    "include a mutual-defence clause.",
    "According to the Harbour Council's chair, Borys Kalyna, the council “cannot offer "
    "membership while the dispute lasts”.",
)

# A news page as a browser saves it: a cookie banner, navigation, a byline, the article,
# related articles and a footer.
PAGE = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Harbour Council Weighs a Shield for Northland | The Harbour Gazette</title>
<meta property="og:title" content="Harbour Council Weighs a Shield for Northland">
<meta property="og:site_name" content="The Harbour Gazette">
<meta name="author" content="Mira Stone">
<meta property="article:published_time" content="2031-03-04T09:30:00+00:00">
</head><body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience.
By continuing to browse you accept our cookie policy.</p><button>Accept all cookies</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>
<h1>Harbour Council Weighs a Shield for Northland</h1>
<p class="byline">By Mira Stone</p>
{"".join(f"<p>{p}</p>" for p in ARTICLE)}
</article>
<aside class="related"><h2>Related articles</h2><ul>
<li><a href="/a">Fishing quotas cut again in the northern bays</a></li>
<li><a href="/b">Storm season closes the quay for a week</a></li></ul></aside>
</main>
<footer><p>© 2031 The Harbour Gazette. All rights reserved.</p>
<a href="/privacy">Privacy</a></footer>
</body></html>
"""


def _pdf(path: Path, body: str, title: str = "Harbour Council report") -> Path:
    """A PDF made with WeasyPrint, with a title, an author and a creation date."""
    import weasyprint

    html = (
        f"<html><head><title>{title}</title><meta name=author content='Ada Writer'>"
        "<meta name=dcterms.created content=2031-03-05T10:00:00Z></head>"
        f"<body style='font-size: 11pt'>{body}</body></html>"
    )
    weasyprint.HTML(string=html).write_pdf(str(path))
    return path


# One long sentence in lower case: wherever the page breaks it, the next page goes on in lower
# case, so the paragraph must be put together again.
RUN_ON = "and " + ", ".join(["the council talked about the harbour"] * 200) + "."


def _text_pdf(path: Path) -> Path:
    # Paragraphs wrap over several lines of the page, and the last runs onto the next page.
    body = "".join(f"<p>{p}</p>" for p in (*ARTICLE, RUN_ON))
    return _pdf(path, f"<h1>Harbour report</h1>{body}")


def _image_pdf(path: Path) -> Path:
    """A 'scan': a page with an image and no text layer."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(buffer, "PNG")
    image = base64.b64encode(buffer.getvalue()).decode()
    return _pdf(path, f"<img src='data:image/png;base64,{image}' style='width: 12cm'>")


def _encrypted_pdf(path: Path, tmp_path: Path) -> Path:
    writer = PdfWriter(clone_from=_text_pdf(tmp_path / "plain.pdf"))
    writer.encrypt("secret", algorithm="RC4-128")
    writer.write(str(path))
    return path


def _entry(project: Project, source_id: str) -> dict[str, object]:
    loaded, problems = load_file(project.facts / "sources.yaml", "sources.yaml")
    assert loaded is not None and not problems
    return next(s for s in loaded.data["sources"] if s["id"] == source_id)


def _new(project: Project, path: Path, *extra: str) -> int:
    return main(["--root", str(project.root), "new", "source", str(path), *extra])


def _state(project: Project) -> dict[str, bytes]:
    return {
        p.relative_to(project.root).as_posix(): p.read_bytes()
        for p in sorted(project.facts.rglob("*"))
        if p.is_file()
    }


def test_a_saved_news_page_registers_only_its_article(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    page = tmp_path / "harbour-shield.html"
    page.write_text(PAGE, encoding="utf-8")
    assert _new(project, page, "--reliability", "B") == 0
    assert "added source 'harbour-shield'" in capsys.readouterr().out
    text = (project.sources / "harbour-shield.txt").read_text(encoding="utf-8")
    assert text == "Harbour Council Weighs a Shield for Northland\n\n" + "\n\n".join(ARTICLE) + "\n"
    for furniture in ("cookie", "Politics", "Fishing quotas", "Related", "rights reserved"):
        assert furniture not in text
    assert (project.originals / "harbour-shield.html").read_text(encoding="utf-8") == PAGE
    entry = _entry(project, "harbour-shield")
    assert entry["title"] == "Harbour Council Weighs a Shield for Northland"
    assert entry["outlet"] == "The Harbour Gazette"
    assert entry["date"] == {
        "value": "2031-03-04",
        "basis": "stated",
        "note": "As given in the page's metadata.",
    }
    assert entry["original"] == "harbour-shield.html"
    assert entry["notes"] == "Byline: Mira Stone."
    # What only the curator can judge is left to fill in; the rest checks.
    problems = [p.message for p in run_check(project)[1]]
    assert problems == [
        # The page is dated after the desk's cut-off (Q406): the curator moves one of them.
        "the information cut-off 2024-01-31 is earlier than source 'harbour-shield', "
        "dated 2031-03-04",
        "source 'harbour-shield' is not cited by any fact",
        "'reliability_note' still holds a placeholder",
    ]


def test_a_text_pdf_registers_its_paragraphs(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert _new(project, _text_pdf(tmp_path / "report.pdf")) == 0
    text = (project.sources / "report.txt").read_text(encoding="utf-8")
    paragraphs = text.rstrip("\n").split("\n\n")
    # The lines of each paragraph joined; the paragraph cut by the page break whole again.
    assert paragraphs == ["Harbour report", *ARTICLE, RUN_ON]
    assert len(PdfReader(str(tmp_path / "report.pdf")).pages) >= 2
    entry = _entry(project, "report")
    assert entry["title"] == "Harbour Council report"
    assert entry["date"] == {
        "value": "2031-03-05",
        "basis": "stated",
        "note": "As given in the PDF's metadata (its creation date).",
    }
    assert str(entry["outlet"]).startswith("FILL IN")  # a PDF does not name its outlet
    assert (project.originals / "report.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: _image_pdf(tmp / "scan.pdf"), "scan.pdf: the PDF has no text layer"),
        (lambda tmp: _encrypted_pdf(tmp / "locked.pdf", tmp), "locked.pdf: the PDF is encrypted"),
        (
            lambda tmp: _write(
                tmp / "empty.html",
                "<html><body><nav><a href='/'>Home</a></nav>"
                "<div class='cookie'>Accept cookies</div></body></html>",
            ),
            "empty.html: no article text found",
        ),
        (lambda tmp: _write(tmp / "broken.pdf", "not a PDF at all"), "broken.pdf: cannot be read"),
    ],
)
def test_a_file_without_text_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys, make, reason: str
) -> None:
    project = make_project(tmp_path)
    before = _state(project)
    path = make(tmp_path)
    assert _new(project, path) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {reason}") and "nothing was written" in err
    assert _state(project) == before


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_an_original_is_read_through_the_gate(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    huge = tmp_path / "huge.html"
    with huge.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)
    assert _new(project, huge) == 1
    assert "the limit is 20,971,520" in capsys.readouterr().err
    project.originals.mkdir()
    (project.originals / "away.html").symlink_to(tmp_path / "elsewhere.html")
    (tmp_path / "elsewhere.html").write_text(PAGE, encoding="utf-8")
    assert _new(project, project.originals / "away.html") == 1
    assert "symlink that leads outside facts/originals/" in capsys.readouterr().err
    (project.sources / "page.html").write_text(PAGE, encoding="utf-8")
    assert _new(project, project.sources / "page.html") == 1
    assert "move it to facts/originals/" in capsys.readouterr().err


def test_a_page_already_in_originals_stays_where_it_is(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    project.originals.mkdir()
    (project.originals / "shield.htm").write_text(PAGE, encoding="utf-8")
    # Named by its name alone: found in facts/originals/.
    assert _new(project, Path("shield.htm"), "--id", "shield") == 0
    assert _entry(project, "shield")["original"] == "shield.htm"
    assert sorted(p.name for p in project.originals.iterdir()) == ["shield.htm"]


def test_the_check_holds_the_original_to_its_folder(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    page = tmp_path / "shield.html"
    page.write_text(PAGE, encoding="utf-8")
    assert _new(project, page, "--reliability", "B") == 0
    (project.originals / "shield.html").unlink()
    messages = [f"{p.location}: {p.message}" for p in run_check(project)[1]]
    assert (
        "facts/sources.yaml:18:15: original refused: no such file in facts/originals/: "
        "shield.html" in messages
    )


def test_the_original_is_attached_to_the_book(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    page = tmp_path / "shield.html"
    page.write_text(PAGE, encoding="utf-8")
    assert _new(project, page, "--reliability", "B") == 0
    registry = project.facts / "sources.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "'FILL IN: one line on why this grade'", "A named local paper."
        ),
        encoding="utf-8",
    )
    with (project.actors / "ee.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "open_questions:\n"
            "  - text: Will the pact hold?\n"
            "    citations:\n"
            "      - source: shield\n"
            "        quote: Southland's premier, Ada Quill, said on Tuesday\n"
        )
    assert main(["--root", str(project.root), "build"]) == 0
    book = next((project.build / "pdf").glob("book-*.pdf"))
    attached = carried(book)
    assert attached["facts/originals/shield.html"] == PAGE.encode("utf-8")
    assert "facts/sources/shield.txt" in attached
    # A reader finds both by the source's label: its text, and its original beside it.
    shown = json.loads(attached["briefing.json"])["shown"]
    text, original = shown["facts/sources/shield.txt"], shown["facts/originals/shield.html"]
    assert set(PdfReader(str(book)).attachments) >= {text, original}
    label = text.split(" ", 1)[0]
    assert original == text.removesuffix(".txt") + " (original).html" and label.startswith("S")


def test_nothing_is_fetched_from_the_network(tmp_path: Path, monkeypatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("intake opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    project = make_project(tmp_path)
    page = tmp_path / "shield.html"
    # Links, images and a canonical URL to follow, if the extractor ever tried.
    page.write_text(
        PAGE.replace(
            "<main>",
            '<main><link rel="canonical" href="https://example.org/shield">'
            '<img src="https://example.org/photo.jpg">',
        ),
        encoding="utf-8",
    )
    assert _new(project, page) == 0
    assert _new(project, _text_pdf(tmp_path / "report.pdf")) == 0


class Killed(BaseException):
    """Stands for SIGKILL: no handler of the command sees it, so none cleans up."""


@pytest.mark.parametrize("killed_at", ["harbour-shield.html", "sources.yaml"])
def test_a_retry_after_a_kill_in_the_middle_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, killed_at: str
) -> None:
    """Killed after the text (and maybe the original) is written but before the registry:
    the same command again must finish the job, not refuse the stray it left."""
    from briefing.authoring import scaffold
    from briefing.core import files

    page = _write(tmp_path / "harbour-shield.html", PAGE)
    clean = make_project(tmp_path / "clean")
    assert _new(clean, page) == 0
    project = make_project(tmp_path / "killed")
    real_text, real_bytes = files.write_text_atomic, files.write_bytes_atomic

    def dies_at(real: Callable[[Path, Any], None]) -> Callable[[Path, Any], None]:
        def write(path: Path, content: Any) -> None:
            if path.name == killed_at:
                raise Killed
            real(path, content)

        return write

    monkeypatch.setattr(scaffold, "write_text_atomic", dies_at(real_text))
    monkeypatch.setattr(scaffold, "write_bytes_atomic", dies_at(real_bytes))
    with pytest.raises(Killed):
        _new(project, page)
    assert (project.sources / "harbour-shield.txt").is_file()  # the stray of the old code
    monkeypatch.setattr(scaffold, "write_text_atomic", real_text)
    monkeypatch.setattr(scaffold, "write_bytes_atomic", real_bytes)
    capsys.readouterr()
    assert _new(project, page) == 0, capsys.readouterr().err
    assert _state(project) == _state(clean)
    assert _new(project, page) == 1  # done now: a third run is refused
    assert "already registered" in capsys.readouterr().err


def test_a_different_file_of_the_same_name_is_still_refused(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    (project.sources / "harbour-shield.txt").write_text("Another text.\n", encoding="utf-8")
    before = _state(project)
    assert _new(project, _write(tmp_path / "harbour-shield.html", PAGE)) == 2
    assert "facts/sources/harbour-shield.txt already exists" in capsys.readouterr().err
    assert _state(project) == before
