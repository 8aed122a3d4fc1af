"""Hostile text in facts: nothing a fact says can add a script, a handler, a style or a request.

Payloads go into every free-text field of a valid fact base (and into a source text, so that
a quote can carry one too); the built HTML is then inspected element by element, and the PDF
is rendered next to a local web server that must never be contacted.
"""

from __future__ import annotations

import base64
import http.server
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefing.core.project import Project
from briefing.factbase.load import load_file
from briefing.factbase.plan import PATHS as DATA_PATHS
from briefing.pdf.document import pdf_url_fetcher, write_pdf
from briefing.render.pages import _markdown, template_file
from tests.hostile_support import make_project, run_cli

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '" onmouseover="alert(3)" x="',
    "' onfocus='alert(4)' x='",
    "[click](javascript:alert(5))",
    "[click](JaVaScRiPt:alert(6))",
    "[click](&#106;avascript:alert(7))",
    "[v](vbscript:msgbox(8))",
    "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==)",
    "[f](file:///etc/passwd)",
    "[rel](../../etc/passwd)",
    "[proto](//tracker.invalid/x)",
    "![pixel](https://tracker.invalid/pixel.png)",
    "<style>body{background:url(https://tracker.invalid/s.png)}</style>",
    "<link rel=stylesheet href=https://tracker.invalid/s.css>",
    "<iframe src=https://tracker.invalid/></iframe>",
    "</title></style></textarea><svg onload=alert(10)>",
    "{{ 7*7 }}{% raw %}",
    "<!-- comment --><meta http-equiv=refresh content='0;url=https://tracker.invalid'>",
]
HOSTILE = " ".join(PAYLOADS)

# Keys whose values are free text (ids, enumerations, dates and file names are constrained).
FREE_TEXT = {
    "title",
    "subtitle",
    "marking",
    "publisher",
    "name",
    "place",
    "label",
    "text",
    "outlet",
    "reliability_note",
    "notes",
    "note",
    "role",
    "summary",
    "duration",
    "audience",
    "reported_by",
    "language",
}


def poison(data: Any) -> Any:
    """The same data with every free-text value replaced by the hostile payloads."""
    if isinstance(data, dict):
        return {
            k: (f"{v} {HOSTILE}" if k in FREE_TEXT and isinstance(v, str) else poison(v))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [poison(v) for v in data]
    return data


def parse(path: Path) -> Any:
    """Plain data from a fact file, read as the tool reads it (no YAML 1.1 booleans)."""
    loaded, problems = load_file(path, path.name)
    assert loaded is not None and not problems
    return loaded.data


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = make_project(tmp_path_factory.mktemp("hostile") / "project")
    for path in sorted((root / "facts").rglob("*.yaml")):
        data = parse(path)
        path.write_text(yaml.safe_dump(poison(data), allow_unicode=True), encoding="utf-8")
    # A quote carrying payloads must be in its source to pass the check: add it there too.
    with open(root / "facts/sources/alpha.txt", "a", encoding="utf-8") as handle:
        handle.write(f"\n{HOSTILE}\n")
    aa = root / "facts/actors/aa.yaml"
    data = parse(aa)
    data["statements"][0]["citations"].append({"source": "alpha", "quote": HOSTILE})
    aa.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Project.at(root)


@pytest.fixture(scope="module")
def built(hostile_project: Project) -> Project:
    result = run_cli("--root", str(hostile_project.root), "build", "--no-pdf")
    assert result.code == 0, result.err
    return hostile_project


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def html_files(project: Project) -> Iterator[Path]:
    yield project.build / "index.html"
    yield from sorted((project.build / "html").glob("*.html"))


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "nav",
    "article", "section", "h1", "h2", "h3", "p", "span", "a", "sup", "ol", "ul", "li", "dl",
    "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "q", "cite", "strong", "em",
    "code", "br", "div", "abbr", "small", "time", "blockquote", "figure", "figcaption",
    "caption", "colgroup", "col", "aside", "details", "summary", "b", "i", "hr",
    "button",  # footnote popovers: type=button, no form, no script
}  # fmt: skip


def test_payloads_reach_the_html_as_text(built: Project) -> None:
    html = (built.build / "html/aa.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}{% raw %}" in html  # shown, never evaluated as a template
    assert "[click](javascript:alert(5))" in html  # a refused link stays visible as text


@pytest.mark.parametrize("name", ["index.html", "overview.html", "aa.html", "bb.html"])
def test_no_active_content_or_requests(built: Project, name: str) -> None:
    path = built.build / name if name == "index.html" else built.build / "html" / name
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    assert parser.tags, "nothing parsed"
    css = template_file(built, "brief.css").read_text(encoding="utf-8")
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> in {name}"
        for attr, value in attrs.items():
            assert not attr.startswith("on"), f"event handler {attr} on <{tag}>"
            assert attr not in {"src", "srcset", "style", "action", "formaction", "poster"}
            if tag == "meta":
                assert attr != "http-equiv"
            if attr == "href":
                assert value is not None
                page, _, fragment = value.partition("#")
                safe = (
                    value.startswith(("#", "https://", "http://", "mailto:"))
                    or (
                        # Links between the build's own pages: html/x.html, ../pdf/x.pdf, x.html#id
                        "/"
                        not in page.removeprefix("../").removeprefix("html/").removeprefix("pdf/")
                        and page.endswith((".html", ".pdf"))
                        and ":" not in value
                        and re.fullmatch(r"[a-z0-9_-]*", fragment) is not None
                    )
                    or value in DATA_PATHS
                )  # the index links the files of build/data/ by name
                assert safe, f"href {value!r} in {name}"
    # The only style is the project's own stylesheet, untouched by facts.
    assert len(parser.styles) == 1
    assert parser.styles[0].strip() == css.strip()
    # ... and that stylesheet loads nothing from outside the page.
    assert "@import" not in css
    for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
        assert url.startswith(("data:", "#")), f"brief.css requests {url}"


def test_markdown_keeps_only_safe_links() -> None:
    md = _markdown()
    assert str(md("see [the text](https://example.org/a)")) == (
        'see <a href="https://example.org/a">the text</a>'
    )
    assert str(md("[m](mailto:desk@example.org)")).startswith('<a href="mailto:')
    for text in PAYLOADS:
        out = str(md(text))
        assert "<script" not in out and "<img" not in out and "<style" not in out
        assert "<iframe" not in out and "<svg" not in out and "<meta" not in out
        for href in re.findall(r'<a href="([^"]*)"', out):
            assert href.startswith("https://"), (text, out)
    assert str(md("*fine* and **bold**")) == "<em>fine</em> and <strong>bold</strong>"


def test_attribute_breakout_is_escaped(built: Project) -> None:
    """Free text placed inside an attribute (title=, lang=, content=) cannot end it."""
    overview = (built.build / "html/overview.html").read_text(encoding="utf-8")
    assert 'title="' in overview
    parser = Elements()
    parser.feed(overview)
    titled = [attrs for _, attrs in parser.tags if "title" in attrs]
    assert any(HOSTILE in (attrs["title"] or "") for attrs in titled)
    html_tag = next(attrs for tag, attrs in parser.tags if tag == "html")
    assert set(html_tag) == {"lang"}


# --- the PDF renderer's sandbox -------------------------------------------------------------


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 (shared by the server's handler instances)

    def do_GET(self) -> None:
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body{color:red}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[str]:
    """A local web server; the tests assert it is never contacted."""
    Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100e5272ede0000000049454e44ae426082"
    )
).decode()


def test_fetcher_serves_templates_only(tmp_path: Path, web_server: str) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "print.css").write_text("@page { size: A4 }", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (templates / "link.css").symlink_to(tmp_path / "secret.txt")
    fetcher = pdf_url_fetcher([templates])

    response = fetcher.fetch((templates / "print.css").as_uri())
    assert b"@page" in response.read()
    assert fetcher.fetch(f"data:image/png;base64,{PNG_1PX}").read().startswith(b"\x89PNG")

    refused = [
        f"{web_server}/x.css",
        web_server.replace("http://", "https://") + "/x.css",
        "ftp://127.0.0.1/x",
        (tmp_path / "secret.txt").as_uri(),
        (templates / "link.css").as_uri(),  # a symlink leading out
        (templates / ".." / "secret.txt").as_uri(),
        "file://otherhost" + str(templates / "print.css"),
        "file:///etc/passwd",
        "data:text/html;base64,PHNjcmlwdD48L3NjcmlwdD4=",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "data:image/png;base64," + "A" * (70 * 1024),
        "javascript:alert(1)",
    ]
    for url in refused:
        with pytest.raises(ValueError, match="refused to fetch"):
            fetcher.fetch(url)
    assert Recorder.hits == []


def test_pdf_makes_no_requests(tmp_path: Path, web_server: str) -> None:
    """Even HTML that asks for remote and local files yields a PDF without fetching them."""
    project = Project.at(make_project(tmp_path / "project"))
    html = f"""<!DOCTYPE html><html><head>
      <link rel="stylesheet" href="{web_server}/remote.css">
      <style>@import url("{web_server}/import.css");
        body {{ background: url("{web_server}/bg.png") }}
        @font-face {{ font-family: x; src: url("{web_server}/font.woff") }}
        p {{ background: url("file:///etc/passwd") }}</style>
      </head><body><p>text</p><img src="{web_server}/img.png">
      <img src="data:image/png;base64,{PNG_1PX}"><img src="../facts/people.yaml">
      </body></html>"""
    target = tmp_path / "out.pdf"
    write_pdf(html, target, project)
    assert target.read_bytes().startswith(b"%PDF")
    assert Recorder.hits == []
