"""Derive: one PDF made again, by the build's own stages, in a project rebuilt from a PDF's
attachments; `briefing verify` compares it with the PDF received (briefing.pdf.verify)."""

from __future__ import annotations

import dataclasses

from briefing.check.facts import Checked
from briefing.core.diagnostics import FactBaseError
from briefing.core.project import Project
from briefing.editions.released import past
from briefing.factbase.snapshot import take
from briefing.site.build import Pages
from briefing.site.publish import Site, lay_out_site


def derive_pdf(project: Project, checked: Checked, document: str, slug: str | None) -> bytes:
    """The bytes of the book (`document` 'book') or of the brief `slug`, as a build of
    `project` checked as `checked` makes them: every page's HTML, but only this PDF laid out,
    in this process, with no cache."""
    if checked.base is None or checked.plan is None:
        raise FactBaseError(checked.problems)
    facts = checked.base.facts
    plan = dataclasses.replace(checked.plan, pdf=True)
    inputs = take(project)
    # As the build: the overview says what changed since the edition the PDF carries (if any).
    history = past(project, facts)
    pages = Pages(facts, project, plan, inputs, checked.texts, checked.proofs, history=history)
    book, evidence = pages.book()
    site = Site(facts, plan, pages.briefs(), {}, book, evidence, None, {}, inputs)
    target = plan.book if document == "book" else plan.pdf_path(slug or "")
    laid = lay_out_site(project, site, None, 1, only=lambda relative: relative == target)
    return laid.pdfs[target]
