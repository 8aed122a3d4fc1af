"""The fact base that ships with the project passes every check."""

from __future__ import annotations

from briefing.check import run_check
from briefing.diagnostics import errors
from briefing.project import Project


def test_shipped_facts_check_clean(repo_project: Project) -> None:
    base, problems = run_check(repo_project)
    assert base is not None
    assert [p.format() for p in errors(problems)] == []
    assert len(base.facts.actors) >= 5
