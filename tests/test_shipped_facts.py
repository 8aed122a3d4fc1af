"""The fact base that ships with the project: invariants only, so that a curator adding a
source or a new edition never turns the suite red. It checks strictly and it builds."""

from __future__ import annotations

from pypdf import PdfReader

from briefing.check import run_check
from briefing.plan import actor_order
from briefing.project import Project


def test_shipped_facts_check_strictly(repo_project: Project) -> None:
    base, problems = run_check(repo_project)
    assert base is not None
    assert [p.format() for p in problems] == []  # no errors and no warnings: --strict passes


def test_shipped_facts_build_every_brief(shipped: Project) -> None:
    base, _ = run_check(shipped)
    assert base is not None
    slugs = ["overview", *(a.id for a in actor_order(base.facts))]
    index = (shipped.build / "index.html").read_text(encoding="utf-8")
    number = base.facts.edition.number
    for slug in [*slugs, "book"]:
        pdf = shipped.build / "pdf" / f"{slug}-ed{number}.pdf"
        assert len(PdfReader(pdf).pages) >= 1, slug
        assert f"pdf/{slug}-ed{number}.pdf" in index
    for slug in slugs:
        assert (shipped.build / "html" / f"{slug}.html").is_file()
