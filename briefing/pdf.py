"""PDF: turn a rendered HTML brief into a PDF with WeasyPrint, reading only project files."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from briefing.project import Project


def pdf_url_fetcher(allowed_roots: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves only files under `allowed_roots`, nothing else."""
    import weasyprint

    roots = [root.resolve() for root in allowed_roots]

    class SandboxFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in roots) and path.is_file():
                    return super().fetch(url, headers)
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
