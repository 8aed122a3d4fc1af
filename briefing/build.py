"""Build: the one pipeline every command runs, in named stages.

    load + validate   briefing.validate.load_fact_base   (the vocabulary narrows the model)
    check             briefing.check.check_project       (ids, references, quotes, warnings)
    plan              briefing.plan.plan_outputs         (every output path, collisions refused)
    render            render_site, here                  (each brief rendered once; data.export)
    publish           briefing.publish.publish           (HTML, PDF, data, swapped in atomically)

`build`, `serve`, `coverage` and the tests all go through these functions, in this order.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jinja2

from briefing import schema
from briefing.book import evidence, render_book
from briefing.check import Checked, check_project
from briefing.data import export
from briefing.diagnostics import FactBaseError, TemplateError, errors
from briefing.model import FactBase
from briefing.plan import INDEX, Plan
from briefing.project import Project
from briefing.publish import BuildResult, Site, publish
from briefing.quotes import NormalText
from briefing.render import Renderer, template_problem


def checked_facts(project: Project, *, pdf: bool = True) -> tuple[Checked, FactBase, Plan]:
    """The check stage's result, or FactBaseError carrying every diagnostic when it failed."""
    checked = check_project(project, pdf=pdf)
    if errors(checked.problems) or checked.base is None or checked.plan is None:
        raise FactBaseError(checked.problems)
    return checked, checked.base.facts, checked.plan


def render_site(
    facts: FactBase,
    project: Project,
    plan: Plan,
    *,
    texts: Mapping[str, NormalText] | None = None,
) -> Site:
    """Every page of the build as HTML, each brief rendered once; the book too with PDFs; and
    with the checked source `texts`, the data files (the live preview goes without them).

    A template mistake becomes a TemplateError located at templates/FILE:LINE.
    """
    data = export(facts, texts) if texts is not None else {}
    try:
        renderer = Renderer(facts, project)
        briefs = [b for b in renderer.briefs() if b.slug in plan.slugs]
        pages = {INDEX: renderer.index(briefs, book=plan.pdf)}
        pages.update({plan.html(b.slug): renderer.page(b) for b in briefs})
        if not plan.pdf:
            return Site(facts, plan, briefs, pages, data=data)
        attached = evidence(facts, project.facts)
        book = render_book(renderer, briefs, attached)
    except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as exc:
        # Only errors raised while a template runs are the template's; anything else is ours.
        problem = template_problem(exc, project)
        if isinstance(exc, jinja2.TemplateError) or problem.location.line:
            raise TemplateError([problem]) from None
        raise
    return Site(facts, plan, briefs, pages, book, tuple(attached), data)


def refresh_schema(project: Project, checked: Checked) -> list[Path]:
    """Bring the editors' schema/ in line with the vocabulary, where the project keeps one:
    a word added to facts/vocabulary.yaml is offered by the editor after the next build."""
    directory = project.root / "schema"
    if checked.base is None or not directory.is_dir():
        return []
    return schema.write(directory, checked.base.models)


def build(project: Project, *, pdf: bool = True) -> tuple[BuildResult, Checked]:
    """Check, plan, render and publish the project into build/; raises a BriefingError
    (facts, templates, disk) and leaves build/ as it was when anything fails."""
    checked, facts, plan = checked_facts(project, pdf=pdf)
    site = render_site(facts, project, plan, texts=checked.texts)
    result = publish(project, site)
    refresh_schema(project, checked)
    return result, checked
