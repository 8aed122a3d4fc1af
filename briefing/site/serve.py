"""Live preview: serve the briefs from memory on 127.0.0.1, rebuild on every edit, reload the page.

Nothing is written to build/. Pages get a small script (in serve mode only) that polls a version
number and reloads when it changes; when the facts do not check, every page shows the errors
instead of stale content. A brief's PDF is rendered when asked for.
"""

from __future__ import annotations

import dataclasses
import html
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from briefing.core.diagnostics import (
    Diagnostic,
    FactBaseError,
    PublishError,
    TemplateError,
    errors,
    render,
)
from briefing.core.gate import SourceLines
from briefing.core.memo import Memo
from briefing.core.project import Project
from briefing.core.store import Store
from briefing.editions.released import Snapshots, past
from briefing.factbase.plan import INDEX
from briefing.factbase.snapshot import Snapshot as InputFiles
from briefing.factbase.snapshot import take
from briefing.site.build import Pages, checked_facts
from briefing.site.publish import lay_out_site

# watchfiles is imported inside `watch`: only a running preview watches the project.

VERSION_PATH = "/__briefing/version"
# A page asks for the version with the one it shows; the server answers at once if it differs,
# else when it changes, or after LONG_POLL_S with the same number (then the page asks again).
# So an edit reaches the browser as soon as it is rendered, without polling every few ms.
LONG_POLL_S = 20.0
RETRY_MS = 1000  # after a failed request (the server stopped or restarted)

_RELOAD = """
<div id="briefing-live" style="position:fixed;right:.6rem;bottom:.6rem;z-index:9999;
 font:12px/1.4 system-ui,sans-serif;background:#222;color:#fff;padding:.3rem .6rem;
 border-radius:.3rem;opacity:.85">live preview{pdf}</div>
<script>
(function () {{
  var seen = {version};
  function poll() {{
    fetch("{path}?seen=" + seen + "&page=" + encodeURIComponent(location.pathname),
          {{cache: "no-store"}})
      .then(function (r) {{ return r.text(); }})
      .then(function (v) {{
        if (Number(v) !== seen) {{ location.reload(); }} else {{ poll(); }}
      }})
      .catch(function () {{ setTimeout(poll, {retry}); }});
  }}
  poll();
}})();
</script>
"""


def inject(
    page: str, version: int, pdf_href: str | None = None, book_href: str | None = None
) -> str:
    """The page with the live-reload script (and links to its PDF and the book's) added
    before </body>."""
    links = [("PDF", pdf_href), ("Book PDF", book_href)]
    pdf = "".join(
        f' · <a style="color:#9cf" href="{html.escape(href)}">{label}</a>'
        for label, href in links
        if href
    )
    snippet = _RELOAD.format(version=version, path=VERSION_PATH, retry=RETRY_MS, pdf=pdf)
    marker = page.rfind("</body>")
    if marker < 0:
        return page + snippet
    return page[:marker] + snippet + page[marker:]


def error_page(title: str, problems: list[str]) -> str:
    """A page listing what stops the build, compiler style."""
    items = "\n".join(f"<pre>{html.escape(p)}</pre>" for p in problems)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
        padding: 0 1rem; }}
h1 {{ color: #a00; font-size: 1.4rem; }}
pre {{ background: #fff4f4; border-left: 4px solid #c33; padding: .6rem .8rem;
       overflow-x: auto; white-space: pre; }}
</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>Fix these in your editor; this page reloads by itself when the facts check again.</p>
{items}
</body></html>
"""


@dataclass
class Rendering:
    """One version of the project as the preview shows it: the build's render stage for its
    checked facts (each page rendered when first asked for), or the page of problems that
    stops it."""

    version: int
    digest: str = ""  # the inputs' (Snapshot.digest): a new version when, and only when, it moves
    failure: str | None = None  # an error page, when the facts do not check
    pages: Pages | None = None
    # Pages whose template failed, as error pages: the same failure is not rendered again.
    failed: dict[str, str] = field(default_factory=dict)


class Preview:
    """The latest version of a project, rendered page by page on demand; safe to use from any
    thread."""

    def __init__(self, project: Project):
        self.project = project
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._rebuild_lock = threading.Lock()
        # One page at a time: a rendering's pages are kept in plain dicts.
        self._render_lock = threading.Lock()
        self._pdf_lock = threading.Lock()
        self._pdf_cache: dict[tuple[int, str], bytes] = {}
        self._snapshots: Snapshots = {}  # released editions, loaded once per session
        # What the last check made (parses, source texts, each file's checks, each quote's
        # find), by content: after an edit, only what the edit touched is done again.
        self._memo = Memo(project.root)
        # The page the browser shows (the one polling the version, or else the last asked
        # for): the only one rendered before an edit is announced.
        self.open_page = "/" + INDEX
        self.rendering = Rendering(version=0)
        self._inputs: InputFiles | None = None  # the last snapshot taken

    def _line(self, file: str, line: int) -> str | None:
        return SourceLines(self.project.root).get(file, line)

    def _shown(self, problems: list[Diagnostic]) -> list[str]:
        return [render(p, self._line(p.location.file, p.location.line)) for p in problems]

    def _check(self, inputs: InputFiles) -> Rendering:
        try:
            checked, facts, plan = checked_facts(
                self.project, pdf=False, inputs=inputs, memo=self._memo
            )
            # As the build: the overview opens with what changed since the last edition.
            history = past(self.project, facts, self._snapshots)
            pages = Pages(facts, self.project, plan, inputs, checked.texts, checked.proofs, history)
        except FactBaseError as exc:
            title = f"{len(errors(exc.diagnostics))} error(s) in the facts"
            shown = self._shown(exc.diagnostics) or ["the fact base could not be loaded"]
            return Rendering(0, inputs.digest, error_page(title, shown))
        except PublishError as exc:
            shown = self._shown(exc.diagnostics)
            return Rendering(0, inputs.digest, error_page("Build error", shown))
        return Rendering(0, inputs.digest, pages=pages)

    def rebuild(self) -> int:
        """Check again when the input files changed and render the open page; the version
        changes only when the inputs do."""
        with self._rebuild_lock:
            # Files whose stamp has not moved since the last snapshot are not read again.
            inputs = take(self.project, self._inputs)
            self._inputs = inputs
            if inputs.digest == self.rendering.digest:
                return self.rendering.version
            fresh = self._check(inputs)
            # Rendered before the browser hears of it, so that its reload is answered at once.
            self.page(self.open_page, fresh)
            with self._lock:
                fresh.version = self.rendering.version + 1
                self.rendering = fresh
                self._pdf_cache.clear()
                self._changed.notify_all()
            return fresh.version

    def version_after(
        self, seen: int, timeout: float = LONG_POLL_S, page: str | None = None
    ) -> int:
        """The current version, once it differs from `seen` or `timeout` seconds have passed;
        `page`, the path of the page asking, becomes the open page."""
        if page is not None:
            self._opened(page, self.rendering)
        with self._changed:
            self._changed.wait_for(lambda: self.rendering.version != seen, timeout)
            return self.rendering.version

    def _opened(self, path: str, rendering: Rendering) -> None:
        relative = path.removeprefix("/") or INDEX
        if relative == INDEX or (rendering.pages is not None and relative in rendering.pages.slugs):
            self.open_page = "/" + relative

    def page(self, path: str, rendering: Rendering | None = None) -> str | None:
        """The page at URL `path` of `rendering` (the current one by default), rendered on
        first request and kept; an error page when the facts or its template fail; None when
        there is no such page. It becomes the open page."""
        rendering = rendering if rendering is not None else self.rendering
        path = "/" + INDEX if path == "/" else path
        if rendering.failure is not None:
            return rendering.failure
        if rendering.pages is None:
            return None
        self._opened(path, rendering)
        with self._render_lock:
            if path in rendering.failed:
                return rendering.failed[path]
            try:
                return rendering.pages.page(path.removeprefix("/"))
            except (TemplateError, PublishError) as exc:
                title = "Template error" if isinstance(exc, TemplateError) else "Build error"
                failed = error_page(title, self._shown(exc.diagnostics))
                rendering.failed[path] = failed
                return failed

    def pdf(self, name: str) -> bytes | None:
        """A PDF of the current version by its name under build/ (a brief's or the book's),
        rendered on first request, as the build writes it; None if there is no such PDF."""
        rendering = self.rendering
        pages = rendering.pages
        if pages is None:
            return None
        plan = dataclasses.replace(pages.plan, pdf=True)  # the preview's plan has no PDFs
        if name not in plan.paths() or not name.endswith(".pdf"):
            return None
        with self._pdf_lock:
            cached = self._pdf_cache.get((rendering.version, name))
            if cached is not None:
                return cached
            # The build's own render stage: every page of this version and the book, from the
            # files its pages were rendered from, so that a PDF agrees with its own pages.
            with self._render_lock:
                site = pages.site(pdf=True)
            # The build's own cache: what the last build (or preview) laid out is not laid
            # out again, and what is laid out here serves the next build.
            store = Store.for_project(self.project.root)
            laid = lay_out_site(self.project, site, store, 1, lambda path: path == name)
            data = laid.pdfs[name]
            self._pdf_cache[(rendering.version, name)] = data
            return data


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "briefing-serve"

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal is for rebuild news, not for every poll

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _html(self, status: int, page: str) -> None:
            self._send(status, page.encode("utf-8"), "text/html; charset=utf-8")

        def _port(self) -> int:
            address = self.server.server_address
            return int(address[1]) if isinstance(address, tuple) else 0

        def _local_host(self) -> bool:
            # DNS rebinding: a web page whose name has been pointed at 127.0.0.1 reaches this
            # port from the browser, but its requests carry its own name in Host.
            port = self._port()
            hosts = self.headers.get_all("Host") or []
            allowed = {f"127.0.0.1:{port}", f"localhost:{port}"}
            return len(hosts) == 1 and hosts[0].strip().lower() in allowed

        def do_GET(self) -> None:
            if not self._local_host():
                port = self._port()
                message = f"Forbidden: open http://127.0.0.1:{port}/ or http://localhost:{port}/\n"
                self._send(HTTPStatus.FORBIDDEN, message.encode(), "text/plain; charset=utf-8")
                return
            path = unquote(urlsplit(self.path).path)
            rendering = preview.rendering
            if path == VERSION_PATH:
                query = parse_qs(urlsplit(self.path).query)
                seen = query.get("seen", [""])[0]
                # Only a plain number of a few digits: '²' passes isdigit() but not int().
                plain = re.fullmatch(r"[0-9]{1,18}", seen) is not None
                page = query.get("page", [None])[0]
                waited = preview.version_after(int(seen), page=page) if plain else None
                version = rendering.version if waited is None else waited
                self._send(HTTPStatus.OK, str(version).encode(), "text/plain")
                return
            if path == "/":
                path = "/" + INDEX
            is_pdf = path.startswith("/pdf/") and path.endswith(".pdf")
            if rendering.failure is not None and (
                path == "/" + INDEX or path.startswith(("/html/", "/pdf/"))
            ):
                self._html(HTTPStatus.OK, inject(rendering.failure, rendering.version))
                return
            if is_pdf:
                try:
                    data = preview.pdf(path[1:])
                except Exception as exc:  # show the renderer's complaint, keep serving
                    failed = error_page("PDF rendering failed", [str(exc)])
                    self._html(HTTPStatus.INTERNAL_SERVER_ERROR, failed)
                    return
                if data is not None:
                    self._send(HTTPStatus.OK, data, "application/pdf")
                    return
            page = preview.page(path, rendering)
            if page is None or rendering.pages is None:
                self._html(HTTPStatus.NOT_FOUND, error_page("Not found", [path]))
                return
            plan = rendering.pages.plan
            pdf_href = None
            if path.startswith("/html/"):
                pdf_href = "/" + plan.pdf_path(path.removeprefix("/html/").removesuffix(".html"))
            book_href = "/" + plan.book
            self._html(HTTPStatus.OK, inject(page, rendering.version, pdf_href, book_href))

    return Handler


class PreviewServer(ThreadingHTTPServer):
    """The preview's HTTP server: a browser that drops a connection is no error of ours."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A reload during an edit drops the page's requests mid-answer (BrokenPipe,
        # ConnectionReset): hundreds of tracebacks a session that would bury real news.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def watch(
    preview: Preview,
    stop: threading.Event,
    ready: threading.Event,
    announce: Callable[[str], None],
) -> None:
    """Rebuild whenever anything under facts/ or templates/ changes, until `stop` is set.

    `ready` is set once the file watcher is live (its first idle timeout), so that the server
    announces itself only when no edit can slip by unseen.
    """
    import watchfiles

    project = preview.project
    paths = [p for p in (project.facts, project.templates) if p.is_dir()]
    for changes in watchfiles.watch(
        *paths, stop_event=stop, debounce=50, step=25, rust_timeout=300, yield_on_timeout=True
    ):
        if not ready.is_set():
            ready.set()
        if not changes:
            continue
        names = sorted({project.name(Path(p)) for _, p in changes})
        version = preview.rebuild()
        state = "errors" if preview.rendering.failure else "ok"
        more = " …" if len(names) > 3 else ""
        announce(f"changed: {', '.join(names[:3])}{more} → {state} (version {version})")


def serve(project: Project, port: int, announce: Callable[[str], None] = print) -> None:
    """Serve the live preview on 127.0.0.1:port until interrupted."""
    preview = Preview(project)
    preview.rebuild()
    server = PreviewServer(("127.0.0.1", port), _handler(preview))
    stop, ready = threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, stop, ready, announce), daemon=True)
    watcher.start()
    ready.wait(timeout=10)
    preview.rebuild()  # catch edits made while the watcher was starting
    actual = server.server_address[1]
    state = "errors, see the page" if preview.rendering.failure else "ok"
    announce(f"serving http://127.0.0.1:{actual}/ ({state}); Ctrl-C stops")
    try:
        server.serve_forever(poll_interval=0.25)
    finally:
        stop.set()
        server.server_close()
