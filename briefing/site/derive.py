"""Derive: one PDF made again, by the build's own stages, in a project rebuilt from a PDF's
attachments; `briefing verify` compares it with the PDF received (briefing.pdf.verify)."""

from __future__ import annotations

import dataclasses

from briefing.check.facts import Checked
from briefing.core.diagnostics import FactBaseError
from briefing.core.project import Project
from briefing.editions.released import past
from briefing.factbase.snapshot import take
from briefing.pdf.verify import Manifest
from briefing.render.book import Issued
from briefing.site.build import Pages
from briefing.site.distribute import Copies
from briefing.site.publish import Site, lay_out_site


def derive_pdf(project: Project, checked: Checked, manifest: Manifest) -> bytes:
    """The bytes of the PDF `manifest` names (the book, a brief, or a numbered copy), as a
    build (or `briefing distribute`) of `project` checked as `checked` makes them: every
    page's HTML, but only this PDF laid out, in this process, with no cache."""
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
    copy = manifest.copy_
    if manifest.document == "copy" and copy is not None:
        issued = Issued(copy.number, copy.of, copy.recipient, copy.name, copy.role, copy.marking)
        binder = Copies.of(project, site, checked, inputs)
        _, content, _ = binder.bind(issued, tuple(copy.chapters), None, 1)
        return content
    target = plan.book if manifest.document == "book" else plan.pdf_path(manifest.slug or "")
    laid = lay_out_site(project, site, None, 1, only=lambda relative: relative == target)
    return laid.pdfs[target]
