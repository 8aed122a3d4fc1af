"""PDF: turn a rendered HTML brief into a PDF with WeasyPrint, reading only project files."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from briefing.project import Project


def pdf_url_fetcher(allowed_roots: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves only regular files under `allowed_roots`.

    Small inline raster images (data:) are allowed too. Everything else is refused: http(s),
    ftp, file: outside the roots (also through symlinks or a host name), and other data: URLs.
    A refusal raises ValueError, which WeasyPrint logs before going on without the resource.
    """
    import re

    import weasyprint

    roots = [root.resolve() for root in allowed_roots]
    # Raster images small enough to be a logo or an icon; SVG is left out because it can
    # itself refer to other resources.
    data_image = re.compile(r"^data:image/(?:png|jpeg|gif|webp)(?:;base64)?,", re.IGNORECASE)
    max_data_url = 64 * 1024

    class SandboxFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data" and len(url) <= max_data_url and data_image.match(url):
                return super().fetch(url, headers)
            if scheme == "file" and parts.netloc in ("", "localhost"):
                try:
                    path = Path(unquote(parts.path)).resolve()
                    inside = any(path.is_relative_to(root) for root in roots)
                    regular = inside and path.is_file()
                except (OSError, RuntimeError, ValueError):
                    regular = False
                if regular:
                    # Open the resolved path, so what is read is exactly what was checked.
                    return super().fetch(path.as_uri(), headers)
            raise ValueError(f"refused to fetch {url[:80]}: briefs may use only project files")

    return SandboxFetcher()


def write_pdf(html: str, target: Path, project: Project) -> None:
    """Render one HTML brief to a PDF file; print.css adds the paged-media rules."""
    import weasyprint

    fetcher = pdf_url_fetcher([project.templates, project.facts])
    document = weasyprint.HTML(
        string=html,
        base_url=str(project.templates) + "/",
        url_fetcher=fetcher,
        media_type="print",
    )
    print_css = weasyprint.CSS(filename=str(project.templates / "print.css"), url_fetcher=fetcher)
    document.write_pdf(str(target), stylesheets=[print_css])
