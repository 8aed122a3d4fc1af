"""PDF metadata helpers: the build date, and links that do not leak the builder's paths."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdf
import pytest

from briefing.check.facts import run_check
from briefing.cli import main
from briefing.core.project import Project
from briefing.factbase.clock import build_date
from briefing.factbase.plan import Plan
from briefing.pdf.document import brief_meta, portable_link, write_pdf
from briefing.render.pages import Renderer
from tests.conftest import REPO


@pytest.fixture
def project(mini: Project) -> Project:
    return mini


def test_build_date_is_the_compiled_or_as_of_day_unless_source_date_epoch_is_set(
    project: Project,
) -> None:
    base, _ = run_check(project)
    assert base is not None
    edition = base.facts.edition
    as_of = dt.date.fromisoformat(edition.as_of)
    assert build_date(edition, {}) == dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC)
    assert build_date(edition, {"SOURCE_DATE_EPOCH": "1700000000"}) == dt.datetime(
        2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC
    )
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        build_date(edition, {"SOURCE_DATE_EPOCH": "yesterday"})
    # An edition compiled after its cut-off is dated the day it was compiled.
    compiled = edition.model_copy(update={"compiled": "2031-12-01"})
    assert build_date(compiled, {}) == dt.datetime(2031, 12, 1, tzinfo=dt.UTC)


def test_source_date_epoch_sets_the_pdf_dates(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, _ = run_check(project)
    assert base is not None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    renderer = Renderer(base.facts, project)
    brief = renderer.briefs()[-1]
    target = tmp_path / "brief.pdf"
    write_pdf(renderer.page(brief), target, project, brief_meta(base.facts.edition, brief.title))
    info = pypdf.PdfReader(target).metadata
    assert info is not None
    assert str(info["/CreationDate"]) == "D:20231114221320Z"


def test_bad_source_date_epoch_is_a_clear_error_and_keeps_build(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    assert main(["--root", str(project.root), "build"]) == 1
    assert "SOURCE_DATE_EPOCH='soon'" in capsys.readouterr().err
    assert not project.build.exists()


def test_links_to_sibling_briefs_point_at_their_pdfs() -> None:
    base = "file:///home/someone/project/templates/"
    assert portable_link(base + "pl.html", base) == "pl.pdf"
    assert portable_link(base + "pl.html#pl-x", base) == "pl.pdf#pl-x"
    assert portable_link(base + "notes.txt", base) == "notes.txt"
    assert portable_link("https://example.org/a.html", base) == "https://example.org/a.html"
    # In a build, the plan names the PDFs, with their edition.
    plan = Plan(("overview", "pl"), edition=4)
    assert portable_link(base + "pl.html#pl-x", base, plan.pdf_name) == "pl-ed4.pdf#pl-x"


def test_weasyprint_internals_are_used_only_in_the_adapter() -> None:
    # An upgrade of WeasyPrint is checked in briefing/weasy.py alone: nothing else may lean
    # on its undocumented parts.
    internals = ("URLFetcher", "page.links", "pdf.catalog")
    for path in sorted((REPO / "briefing").glob("*.py")):
        if path.name == "weasy.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not [word for word in internals if word in text], path.name
