"""Live preview: serve the briefs from memory on 127.0.0.1, rebuild on every edit, reload the page.

Nothing is written to build/. Pages get a small script (in serve mode only) that polls a version
number and reloads when it changes; when the facts do not check, every page shows the errors
instead of stale content. A brief's PDF is rendered when asked for.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from briefing.core.diagnostics import errors, render
from briefing.core.gate import SourceLines
from briefing.core.project import Project
from briefing.editions.released import Snapshots, past
from briefing.evidence.proofs import Proofs
from briefing.evidence.quotes import NormalText
from briefing.factbase.plan import Plan
from briefing.factbase.snapshot import take
from briefing.site.publish import Site as BuiltSite

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
    fetch("{path}?seen=" + seen, {{cache: "no-store"}})
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
class Snapshot:
    """One rendering of the project: pages by URL path, or the problems that stop it."""

    version: int
    pages: dict[str, str] = field(default_factory=dict)
    failure: str | None = None  # an error page, when the facts or templates are broken
    plan: Plan | None = None  # the names of the outputs, PDFs included
    site: BuiltSite | None = None  # what the pages were rendered from, for PDFs on request
    texts: Mapping[str, NormalText] | None = None  # the checked sources, for the book
    proofs: Proofs | None = None  # where the check found each quote, for the book


class Site:
    """The latest rendering of a project, rebuilt on demand and safe to read from any thread."""

    def __init__(self, project: Project):
        self.project = project
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._pdf_lock = threading.Lock()
        self._digest = ""
        self._pdf_cache: dict[tuple[int, str], bytes] = {}
        self._snapshots: Snapshots = {}  # released editions, loaded once per session
        self.snapshot = Snapshot(version=0)

    def _line(self, file: str, line: int) -> str | None:
        return SourceLines(self.project.root).get(file, line)

    def _render(self) -> Snapshot:
        from briefing.core.diagnostics import FactBaseError, PublishError, TemplateError
        from briefing.site.build import checked_facts, render_site

        try:
            # One read of the inputs for the pages and, later, the PDFs' attachments.
            inputs = take(self.project)
            checked, facts, plan = checked_facts(self.project, pdf=False, inputs=inputs)
            # As the build: the overview opens with what changed since the last edition.
            history = past(self.project, facts, self._snapshots)
            site = render_site(
                facts,
                self.project,
                plan,
                checked.texts,
                history,
                with_data=False,
                inputs=inputs,
                proofs=checked.proofs,
            )
        except FactBaseError as exc:
            problems = exc.diagnostics
            shown = [render(p, self._line(p.location.file, p.location.line)) for p in problems]
            title = f"{len(errors(problems))} error(s) in the facts"
            return Snapshot(
                0, {}, error_page(title, shown or ["the fact base could not be loaded"])
            )
        except (TemplateError, PublishError) as exc:
            shown = [
                render(p, self._line(p.location.file, p.location.line)) for p in exc.diagnostics
            ]
            title = "Template error" if isinstance(exc, TemplateError) else "Build error"
            return Snapshot(0, {}, error_page(title, shown))
        pages = {f"/{path}": page for path, page in site.pages.items()}
        return Snapshot(0, pages, None, plan, site, checked.texts, checked.proofs)

    def rebuild(self) -> int:
        """Check and render again; the version changes only when the output does."""
        fresh = self._render()
        # The inputs' digest too: a PDF attaches the fact base, which an edit may change
        # without changing a page.
        inputs = fresh.site.inputs if fresh.site is not None else None
        held = inputs.digest if inputs is not None else None
        shown = (sorted(fresh.pages.items()), fresh.failure, fresh.plan, held)
        digest = hashlib.sha256(repr(shown).encode()).hexdigest()
        with self._lock:
            if digest != self._digest:
                self._digest = digest
                self.snapshot = dataclasses.replace(fresh, version=self.snapshot.version + 1)
                self._pdf_cache.clear()
                self._changed.notify_all()
            return self.snapshot.version

    def version_after(self, seen: int, timeout: float = LONG_POLL_S) -> int:
        """The current version, once it differs from `seen` or `timeout` seconds have passed."""
        with self._changed:
            self._changed.wait_for(lambda: self.snapshot.version != seen, timeout)
            return self.snapshot.version

    def pdf(self, name: str) -> bytes | None:
        """A PDF of the current version by its name under build/ (a brief's or the book's),
        rendered on first request, as the build writes it; None if there is no such PDF."""
        from briefing.core.store import Store
        from briefing.render.attachments import for_pdfs, manifest_attachment
        from briefing.render.book import render_book
        from briefing.render.pages import Renderer
        from briefing.site.publish import lay_out_site

        snap = self.snapshot
        if snap.plan is None or snap.site is None:
            return None
        built = snap.site
        plan = dataclasses.replace(snap.plan, pdf=True)  # the preview's plan has no PDFs
        if name not in plan.paths() or not name.endswith(".pdf"):
            return None
        with self._pdf_lock:
            cached = self._pdf_cache.get((snap.version, name))
            if cached is not None:
                return cached
            # The preview renders pages only; the book's parts (which the briefs' PDFs are
            # bound from too) are rendered on the first request for a PDF.
            # The files the pages were rendered from, not the disk's: an edit since then is a
            # new version, and this PDF must agree with its own pages.
            inputs = built.inputs if built.inputs is not None else take(self.project)
            attached = for_pdfs(built.facts, inputs)
            attached.append(manifest_attachment(built.facts, attached, "book"))
            with inputs.serving():
                renderer = Renderer(built.facts, self.project, snap.texts, snap.proofs)
                book = render_book(renderer, built.briefs, attached)
            site = dataclasses.replace(built, plan=plan, book=book, book_evidence=tuple(attached))
            # The build's own cache: what the last build (or preview) laid out is not laid
            # out again, and what is laid out here serves the next build.
            store = Store.for_project(self.project.root)
            laid = lay_out_site(self.project, site, store, 1, lambda path: path == name)
            data = laid.pdfs[name]
            self._pdf_cache[(snap.version, name)] = data
            return data


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
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
            snap = site.snapshot
            if path == VERSION_PATH:
                seen = parse_qs(urlsplit(self.path).query).get("seen", [""])[0]
                # Only a plain number of a few digits: '²' passes isdigit() but not int().
                plain = re.fullmatch(r"[0-9]{1,18}", seen) is not None
                version = site.version_after(int(seen)) if plain else snap.version
                self._send(HTTPStatus.OK, str(version).encode(), "text/plain")
                return
            if path == "/":
                path = "/index.html"
            is_pdf = path.startswith("/pdf/") and path.endswith(".pdf")
            if snap.failure is not None and (
                path in ("/index.html",) or path.startswith(("/html/", "/pdf/"))
            ):
                self._html(HTTPStatus.OK, inject(snap.failure, snap.version))
                return
            if is_pdf:
                try:
                    data = site.pdf(path[1:])
                except Exception as exc:  # show the renderer's complaint, keep serving
                    failed = error_page("PDF rendering failed", [str(exc)])
                    self._html(HTTPStatus.INTERNAL_SERVER_ERROR, failed)
                    return
                if data is not None:
                    self._send(HTTPStatus.OK, data, "application/pdf")
                    return
            page = snap.pages.get(path)
            if page is None:
                self._html(HTTPStatus.NOT_FOUND, error_page("Not found", [path]))
                return
            pdf_href = None
            if path.startswith("/html/") and snap.plan is not None:
                pdf_href = "/" + snap.plan.pdf_path(
                    path.removeprefix("/html/").removesuffix(".html")
                )
            book_href = "/" + snap.plan.book if snap.plan is not None else None
            self._html(HTTPStatus.OK, inject(page, snap.version, pdf_href, book_href))

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
    site: Site, stop: threading.Event, ready: threading.Event, announce: Callable[[str], None]
) -> None:
    """Rebuild whenever anything under facts/ or templates/ changes, until `stop` is set.

    `ready` is set once the file watcher is live (its first idle timeout), so that the server
    announces itself only when no edit can slip by unseen.
    """
    import watchfiles

    paths = [p for p in (site.project.facts, site.project.templates) if p.is_dir()]
    for changes in watchfiles.watch(
        *paths, stop_event=stop, debounce=50, step=25, rust_timeout=300, yield_on_timeout=True
    ):
        if not ready.is_set():
            ready.set()
        if not changes:
            continue
        names = sorted({site.project.name(Path(p)) for _, p in changes})
        version = site.rebuild()
        state = "errors" if site.snapshot.failure else "ok"
        more = " …" if len(names) > 3 else ""
        announce(f"changed: {', '.join(names[:3])}{more} → {state} (version {version})")


def serve(project: Project, port: int, announce: Callable[[str], None] = print) -> None:
    """Serve the live preview on 127.0.0.1:port until interrupted."""
    site = Site(project)
    site.rebuild()
    server = PreviewServer(("127.0.0.1", port), _handler(site))
    stop, ready = threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch, args=(site, stop, ready, announce), daemon=True)
    watcher.start()
    ready.wait(timeout=10)
    site.rebuild()  # catch edits made while the watcher was starting
    actual = server.server_address[1]
    state = "errors, see the page" if site.snapshot.failure else "ok"
    announce(f"serving http://127.0.0.1:{actual}/ ({state}); Ctrl-C stops")
    try:
        server.serve_forever(poll_interval=0.25)
    finally:
        stop.set()
        server.server_close()
