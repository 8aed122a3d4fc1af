"""`briefing serve`: a live preview that rebuilds on edits and shows errors, not stale pages."""

from __future__ import annotations

import html
import http.client
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from briefing.cli import main
from briefing.render.pages import PACKAGE_TEMPLATES
from briefing.site.serve import LONG_POLL_S, VERSION_PATH, error_page, inject
from tests.editing_fixture import edit, make_project


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


class Preview:
    """A running `briefing serve` subprocess."""

    def __init__(self, root: Path, port: int, process: subprocess.Popen[str]) -> None:
        self.root, self.port, self.process = root, port, process
        self.base = f"http://127.0.0.1:{port}"

    def page(self, path: str) -> str:
        status, _, body = fetch(self.base + path)
        assert status == 200, (path, status)
        return body.decode("utf-8")

    def version(self) -> int:
        return int(self.page(VERSION_PATH))

    def wait_for_change(self, since: int, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            version = self.version()
            if version != since:
                return version
            time.sleep(0.1)
        raise AssertionError(f"no rebuild within {timeout}s (still version {since})")


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    project = make_project(tmp_path)
    # Port 0: the system picks a free port, and the server says which.
    process = subprocess.Popen(
        [sys.executable, "-m", "briefing", "--root", str(project.root), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        announced = re.match(r"serving http://127\.0\.0\.1:(\d+)/ \(ok\)", first)
        assert announced, first
        yield Preview(project.root, int(announced.group(1)), process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serves_edits_errors_and_recovers(preview: Preview) -> None:
    index = preview.page("/")
    assert 'href="html/ee.html"' in index and 'href="pdf/ee-ed1.pdf"' in index
    page = preview.page("/html/ee.html")
    assert "Ten-year partnership" in page
    assert VERSION_PATH in page, "the reload script is injected in serve mode"
    assert 'href="/pdf/ee-ed1.pdf"' in page, "the PDF is one click away"

    # Edit a fact: the page changes without restarting the server.
    version = preview.version()
    ee = preview.root / "facts" / "actors" / "ee.yaml"
    edit(ee, "title: Ten-year partnership", "title: Decade-long partnership")
    version = preview.wait_for_change(version)
    page = preview.page("/html/ee.html")
    assert "Decade-long partnership" in page and "Ten-year partnership" not in page

    # Break a fact: every page shows the error with file:line instead of stale content.
    edit(ee, "stance: supports with conditions", "stance: suports")
    version = preview.wait_for_change(version)
    for path in ("/", "/html/ee.html", "/html/north.html"):
        page = preview.page(path)
        assert "facts/actors/ee.yaml:10:13: error:" in page
        assert "Decade-long partnership" not in page
        assert VERSION_PATH in page, "the error page reloads itself too"

    # Fix it: the brief comes back.
    edit(ee, "stance: suports", "stance: supports")
    preview.wait_for_change(version)
    assert "Decade-long partnership" in preview.page("/html/ee.html")


def test_a_waiting_page_hears_of_an_edit_as_soon_as_it_is_rendered(preview: Preview) -> None:
    """The page's version request waits for a change instead of polling on a timer: it is
    answered when the edit is rendered, well before the long poll would time out."""
    version = preview.version()
    answer: list[int] = []
    waiting = threading.Thread(
        target=lambda: answer.append(int(preview.page(f"{VERSION_PATH}?seen={version}")))
    )
    waiting.start()
    time.sleep(0.5)
    assert waiting.is_alive() and not answer, "with nothing changed, the request waits"
    edit(preview.root / "facts" / "actors" / "ee.yaml", "title: Ten-year", "title: Twelve-year")
    waiting.join(timeout=LONG_POLL_S / 2)
    assert answer == [version + 1]
    assert "Twelve-year partnership" in preview.page("/html/ee.html")


def test_template_edits_rebuild_too(preview: Preview) -> None:
    version = preview.version()
    # A project overrides a packaged template by putting its own copy in templates/.
    packaged = (PACKAGE_TEMPLATES / "index.html").read_text(encoding="utf-8")
    (preview.root / "templates" / "index.html").write_text(
        packaged.replace('<main id="content">', '<main id="content"><p>TEMPLATE-MARK</p>')
    )
    preview.wait_for_change(version)
    assert "TEMPLATE-MARK" in preview.page("/")


def test_pdf_on_demand_and_unknown_paths(preview: Preview) -> None:
    status, kind, body = fetch(preview.base + "/pdf/north-ed1.pdf")
    assert status == 200 and kind == "application/pdf"
    assert body.startswith(b"%PDF-")
    # The book too, laid out on request, with its evidence attached.
    status, kind, body = fetch(preview.base + "/pdf/book-ed1.pdf")
    assert status == 200 and kind == "application/pdf" and body.startswith(b"%PDF-")
    assert b"/EmbeddedFile" in body
    status, _, _ = fetch(preview.base + "/html/nobody.html")
    assert status == 404
    status, _, _ = fetch(preview.base + "/pdf/nobody-ed1.pdf")
    assert status == 404
    status, _, _ = fetch(preview.base + "/../facts/sources.yaml")
    assert status == 404
    assert not (preview.root / "build").exists(), "serve writes nothing to build/"


def get_with_host(port: int, host: str | None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.putrequest("GET", "/", skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_only_local_host_names_are_answered(preview: Preview) -> None:
    # DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends its
    # own host name; answering it would hand the facts to that page.
    port = preview.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, body = get_with_host(port, host)
        assert status == 200 and b'href="html/ee.html"' in body, host
    refused: tuple[str | None, ...] = (
        f"evil.example:{port}",
        "127.0.0.1",
        f"127.0.0.1:{port + 1}",
        "",
        None,
    )
    for other in refused:
        status, body = get_with_host(port, other)
        assert status == 403, other
        assert b"ee.html" not in body and b"Forbidden" in body, other


def test_inject_adds_script_before_body_end() -> None:
    page = inject("<html><body><p>x</p></body></html>", 7, "/pdf/x.pdf")
    assert page.index("var seen = 7;") < page.index("</body>")
    assert page.endswith("</body></html>")
    assert "<pre>a &lt;b&gt;</pre>" in error_page("t", ["a <b>"])


def test_built_files_have_no_reload_script(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert main(["--root", str(project.root), "build", "--no-pdf"]) == 0
    pages = list((project.root / "build").rglob("*.html"))
    assert pages
    for page in pages:
        assert VERSION_PATH not in page.read_text(encoding="utf-8")


def test_port_in_use_is_a_clear_error(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["--root", str(project.root), "serve", "--port", str(port)]) == 1
    assert f"cannot serve on 127.0.0.1:{port}" in capsys.readouterr().err


def test_after_an_edit_only_the_open_page_is_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit costs the page the browser shows, not every brief: another page is rendered
    when asked for, once per version."""
    from briefing.render.pages import Brief, Renderer
    from briefing.site.serve import Preview as Live

    bodies: list[str] = []  # the slug of each brief body rendered
    pages: list[str] = []  # the slug of each brief page rendered
    brief, page = Renderer.brief, Renderer.page

    def counted_brief(self: Renderer, template: str, slug: str, *args: Any, **kw: Any) -> Brief:
        bodies.append(slug)
        return brief(self, template, slug, *args, **kw)

    def counted_page(self: Renderer, shown: Brief) -> str:
        pages.append(shown.slug)
        return page(self, shown)

    monkeypatch.setattr(Renderer, "brief", counted_brief)
    monkeypatch.setattr(Renderer, "page", counted_page)
    project = make_project(tmp_path)
    live = Live(project)
    first = live.rebuild()
    shown = live.page("/html/ee.html")
    assert shown is not None and "Ten-year partnership" in shown
    # The browser polls from that page: it is the open one.
    assert live.version_after(first, timeout=0, page="/html/ee.html") == first
    bodies.clear()
    pages.clear()

    edit(project.facts / "actors" / "ee.yaml", "title: Ten-year", "title: Twelve-year")
    second = live.rebuild()
    assert second == first + 1
    assert (bodies, pages) == (["ee"], ["ee"]), "only the open page is rendered"
    shown = live.page("/html/ee.html")
    assert shown is not None and "Twelve-year partnership" in shown
    assert pages == ["ee"], "and kept for its version"

    north = live.page("/html/north.html")
    assert north is not None and VERSION_PATH not in north  # the handler adds the script
    assert (bodies, pages) == (["ee", "north"], ["ee", "north"]), "another page on request"
    live.page("/html/north.html")
    assert pages == ["ee", "north"]
    assert live.page("/html/nobody.html") is None

    # Saving a file unchanged is no new version: nothing is checked or rendered again.
    (project.facts / "actors" / "ee.yaml").touch()
    assert live.rebuild() == second and pages == ["ee", "north"]


def test_after_an_edit_the_preview_checks_only_the_edited_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview keeps what its last check made (briefing.core.memo): an edit to one actor
    checks that file again, and a mistake in it shows as a check from scratch shows it."""
    from briefing.check import facts as check_module
    from briefing.check.facts import check_project
    from briefing.site.serve import Preview as Live

    checked: list[str] = []
    real = check_module._check_file

    def counted(shared: Any, entry: Any, loaded: Any) -> Any:
        checked.append(loaded.name)
        return real(shared, entry, loaded)

    monkeypatch.setattr(check_module, "_check_file", counted)
    project = make_project(tmp_path)
    for path in project.facts.rglob("*.*"):  # saved long ago: their stamps can be trusted
        os.utime(path, ns=(path.stat().st_mtime_ns - 10**11,) * 2)
    live = Live(project)
    live.rebuild()
    assert sorted(checked) == [
        "facts/actors/ee.yaml",
        "facts/actors/north.yaml",
        "facts/overview.yaml",
    ]
    checked.clear()
    ee = project.facts / "actors" / "ee.yaml"
    edit(ee, "quote: it would include training", "quote: it would include cooking")
    before = live._inputs
    live.rebuild()
    assert checked == ["facts/actors/ee.yaml"]
    # Nor were the other files read again: their bytes are the last snapshot's.
    assert before is not None and live._inputs is not None
    assert live._inputs.files["facts/people.yaml"] is before.files["facts/people.yaml"]
    failure = live.rendering.failure
    assert failure is not None and "quote not found in source &#x27;alpha&#x27;" in failure
    expected = [p for p in check_project(project).problems if p.code == "Q101"]
    assert len(expected) == 1 and html.escape(expected[0].message) in failure


def test_the_preview_parses_only_the_files_that_changed(tmp_path: Path) -> None:
    from briefing.core.memo import Memo
    from briefing.factbase import load

    facts = tmp_path / "facts"
    facts.mkdir()
    one = facts / "one.yaml"
    one.write_text("id: a\nname: A\n", encoding="utf-8")
    assert load.load_file(one, "facts/one.yaml")[0] is not load.load_file(one, "facts/one.yaml")[0]
    memo = Memo(tmp_path)
    first, _ = load.load_file(one, "facts/one.yaml", memo=memo)
    assert load.load_file(one, "facts/one.yaml", memo=memo)[0] is first  # unchanged: not parsed
    assert load.load_file(one, "facts/one.yaml")[0] is not first  # without the memo: parsed
    one.write_text("id: a\nname: B\n", encoding="utf-8")
    second, _ = load.load_file(one, "facts/one.yaml", memo=memo)
    assert second is not None and second.data == {"id": "a", "name": "B"}
    assert second.locate(("name",)).line == 2


@pytest.mark.parametrize("sends_request", [False, True])
def test_a_browser_dropping_its_connection_leaves_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sends_request: bool
) -> None:
    """A reload during an edit resets the page's open requests; the log stays quiet."""
    from briefing.site.serve import Preview as Live
    from briefing.site.serve import PreviewServer, _handler

    server = PreviewServer(("127.0.0.1", 0), _handler(Live(make_project(tmp_path))))
    try:
        port = server.server_address[1]
        client = socket.create_connection(("127.0.0.1", port))
        request, address = server.get_request()
        if sends_request:
            client.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        # Linger 0: close() sends a reset, as a browser tab that goes away does.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        # The server's own per-request path, run here rather than in a thread of its own.
        server.process_request_thread(request, address)
    finally:
        server.server_close()
    assert capsys.readouterr().err == ""


def test_a_dropped_connection_is_quiet_but_a_bug_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefing.site.serve import Preview as Live
    from briefing.site.serve import PreviewServer, _handler

    server = PreviewServer(("127.0.0.1", 0), _handler(Live(make_project(tmp_path))))
    try:
        for dropped in (BrokenPipeError(32, "Broken pipe"), ConnectionAbortedError()):
            try:
                raise dropped
            except OSError:
                server.handle_error(None, ("127.0.0.1", 1))
        assert capsys.readouterr().err == ""
        try:
            raise ValueError("a bug of ours")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "ValueError: a bug of ours" in capsys.readouterr().err
    finally:
        server.server_close()
