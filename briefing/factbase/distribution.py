"""Distribution: who receives which chapters (facts/distribution.yaml), checked against the plan.

The model (model.Distribution) says what a recipient entry looks like; this module says whether
the entries fit this edition: every chapter a recipient is given is a brief the edition has,
no two recipients share an id (the copies log is keyed by it), and no copy is empty. An actor on
record only (plan.on_record_only) has no chapter: naming it gives the overview, where it is.
"""

from __future__ import annotations

from briefing.core.diagnostics import Diagnostic, Location, did_you_mean
from briefing.factbase.load import LoadedFile
from briefing.factbase.model import ALL_CHAPTERS, Distribution, Recipient
from briefing.factbase.plan import NOTE, OVERVIEW


def chapters_of(
    recipient: Recipient, slugs: tuple[str, ...], on_record: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The briefs in `recipient`'s copy, in the book's order (whatever order the YAML gives);
    the principal's note opens every copy, named or not. An actor in `on_record` (Plan.on_record)
    brings the overview, whose last section is where it is printed."""
    if recipient.chapters == ALL_CHAPTERS:
        return slugs
    wanted = {NOTE, *recipient.chapters}
    if wanted & set(on_record):
        wanted.add(OVERVIEW)
    return tuple(slug for slug in slugs if slug in wanted)


def check_distribution(
    distribution: Distribution,
    loaded: LoadedFile,
    slugs: tuple[str, ...],
    on_record: tuple[str, ...] = (),
) -> list[Diagnostic]:
    """Located errors for recipients that name a brief the edition lacks, share an id, or
    receive nothing; `slugs` are the edition's briefs (Plan.slugs), `on_record` the actors
    named in the overview instead (Plan.on_record), which a recipient may name too."""
    problems: list[Diagnostic] = []
    if not distribution.recipients:
        problems.append(
            Diagnostic(
                loaded.locate(("recipients",)),
                "no recipients: nothing would be distributed",
                "list one entry per copy: '- id: minister', 'name: ...', 'chapters: all'",
                code="R103",
            )
        )
    seen: dict[str, Location] = {}
    for index, recipient in enumerate(distribution.recipients):
        where = loaded.locate(("recipients", index, "id"))
        first = seen.setdefault(recipient.id, where)
        if first is not where:
            problems.append(
                Diagnostic(
                    where,
                    f"duplicate recipient id '{recipient.id}' (first defined at {first})",
                    "give each recipient its own id: the copies log names copies by it",
                    code="R102",
                )
            )
        if recipient.chapters == ALL_CHAPTERS:
            continue
        if not recipient.chapters:
            problems.append(
                Diagnostic(
                    loaded.locate(("recipients", index, "chapters")),
                    f"recipient '{recipient.id}' receives no chapters",
                    "name the briefs they need ('overview', actor ids) or write 'chapters: all'",
                    code="R103",
                )
            )
        for position, chapter in enumerate(recipient.chapters):
            if chapter not in slugs and chapter not in on_record:
                problems.append(
                    Diagnostic(
                        loaded.locate(("recipients", index, "chapters", position)),
                        f"recipient '{recipient.id}': '{chapter}' is not a brief of this edition",
                        did_you_mean(chapter, [ALL_CHAPTERS, *slugs]),
                        code="R101",
                    )
                )
    return problems
