"""The fact base that ships with the project: invariants only, so that a curator adding a
source or a new edition never turns the suite red. It checks strictly, it builds, and what it
builds verifies."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from pypdf import PdfReader

from briefing.check.facts import run_check
from briefing.cli import main
from briefing.core.project import Project
from briefing.factbase.plan import chapter_order, on_record_order
from briefing.pdf.verify import verify
from tests.conftest import REPO


def test_shipped_facts_check_strictly(repo_project: Project) -> None:
    base, problems = run_check(repo_project)
    assert base is not None
    assert [p.format() for p in problems] == []  # no errors and no warnings: --strict passes


def test_shipped_facts_build_every_brief(shipped: Project) -> None:
    base, _ = run_check(shipped)
    assert base is not None
    slugs = ["overview", *(a.id for a in chapter_order(base.facts))]
    index = (shipped.build / "index.html").read_text(encoding="utf-8")
    number = base.facts.edition.number
    for slug in [*slugs, "book"]:
        pdf = shipped.build / "pdf" / f"{slug}-ed{number}.pdf"
        assert len(PdfReader(pdf).pages) >= 1, slug
        assert f"pdf/{slug}-ed{number}.pdf" in index
    for slug in slugs:
        assert (shipped.build / "html" / f"{slug}.html").is_file()
    for actor in on_record_order(base.facts):  # named in the overview, no brief of its own
        assert not (shipped.build / "html" / f"{actor.id}.html").exists()
        assert f"{actor.id}-ed{number}.pdf" not in index


def test_what_the_shipped_facts_build_verifies(shipped: Project) -> None:
    """The book and the principal's note prove offline what they print: a facts edit that
    leaves a cited quote off every page (a set-aside line citing less than its title says)
    fails here, not in an official's hands."""
    for name in ("book", "note"):
        [pdf] = (shipped.build / "pdf").glob(f"{name}-ed*.pdf")
        result = verify(pdf)
        assert result.ok, (name, [p.message for p in result.problems])


NEW_SOURCE = """\
A communique for the suite

{name} told the meeting they would extend an invitation when all members agree and
conditions are met, a test note written for the suite.
"""


def test_a_curators_next_edition_keeps_the_suite_green(tmp_path: Path) -> None:
    """Edition N released, then a new source, a fact citing it and edition N+1: the shipped
    facts' invariants still hold, and the overview says what changed. Whatever edition number,
    actors and people the desk has."""
    root = tmp_path / "desk"
    shutil.copytree(REPO / "facts", root / "facts")
    project = Project.at(root)
    base, _ = run_check(project)
    assert base is not None
    number = base.facts.edition.number
    person = base.facts.people[0]
    actor, speaker = person.actor, person.id
    assert main(["--root", str(root), "release"]) == 0
    assert (root / "editions" / str(number) / "SHA256SUMS").is_file()
    (project.sources / "900_communique.txt").write_text(
        NEW_SOURCE.format(name=person.name), encoding="utf-8"
    )
    assert (
        main(
            [
                "--root",
                str(root),
                "new",
                "source",
                "900_communique.txt",
                "--id",
                "communique",
                "--reliability",
                "B",
            ]
        )
        == 0
    )
    sources = project.facts / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    text = text.replace(
        "'FILL IN: the headline, or a short description of the text'",
        "A communique for the suite",
    )
    text = text.replace("'FILL IN: the outlet exactly as the text names it'", "Test wire")
    text = text.replace("'FILL IN: one line on why this grade'", "A test text.")
    sources.write_text(text, encoding="utf-8")
    edition = project.facts / "edition.yaml"
    raised, count = re.subn(
        rf"^number:[ \t]*{number}\b",
        f"number: {number + 1}",
        edition.read_text(encoding="utf-8"),
        flags=re.M,
    )
    assert count == 1
    edition.write_text(raised, encoding="utf-8")
    new = ["--root", str(root), "new", "statement", "--actor", actor, "--id", "suite-x"]
    new += ["--speaker", speaker, "--source", "communique"]
    new += ["--quote", "they would extend an invitation when all members agree"]
    new += ["--summary", "Members would extend an invitation when all agree."]
    assert main(new) == 0
    base, problems = run_check(project)
    assert base is not None
    assert [p.format() for p in problems] == []
    assert main(["--root", str(root), "build", "--no-pdf"]) == 0
    overview = (project.build / "html" / "overview.html").read_text(encoding="utf-8")
    assert f"Since edition {number}" in overview
