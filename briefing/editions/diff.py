"""What changed since the last edition: a pure function of two fact bases.

`diff(old, new)` compares the fact base of a released edition (its snapshot in editions/N/facts/)
with the one being built. Facts are matched by id, open questions by their text; answers are
compared as `briefing.factbase.history` reads them (the latest position on each question), so a
position re-stated with the same answer is no change. Values are described in the new edition's
vocabulary (its labels and units), so the overview, `briefing diff` and its JSON agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from briefing.factbase.history import answer, when
from briefing.factbase.model import (
    Actor,
    Commitment,
    Disputed,
    FactBase,
    FieldSpec,
    FuzzyDate,
    Vocabulary,
)
from briefing.factbase.values import format_given, format_one

Kind = Literal["actor", "commitment", "source", "answer", "open_question"]
Change = Literal["added", "removed", "changed"]

NOT_STATED = "not stated"
NO_POSITION = "no position"
NO_PARTIES = "none"


@dataclass(frozen=True)
class FieldChange:
    """One field of a commitment, before and after: raw values (for JSON) and as printed."""

    key: str  # a declared field's key, 'date' or 'parties'
    label: str
    before: Any
    after: Any
    before_text: str
    after_text: str

    @property
    def text(self) -> str:
        return f"{self.label} {self.before_text} → {self.after_text}"


@dataclass(frozen=True)
class Item:
    """One change, as one line in the desk's words, and the fact it is about.

    `actor` and `fact` say where the change can be read in the new edition (a commitment or
    position id); they are None for what no longer exists. `note` is the curator's own Markdown
    that follows the line (an open question's text): the overview links `text` and prints
    `note` after it, since a link cannot hold the links Markdown may make.
    """

    kind: Kind
    change: Change
    text: str
    actor: str | None = None
    fact: str | None = None
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def line(self) -> str:
        """The whole change as plain text."""
        return f"{self.text}: {self.note}" if self.note else self.text

    @property
    def ref(self) -> str:
        """The ids a curator looks for: the fact's, else the actor's or the source's."""
        return str(self.fact or self.data.get("id") or self.actor or "")


@dataclass(frozen=True)
class Changes:
    """Everything that changed from edition `since` to edition `edition`, grouped."""

    since: int
    edition: int
    actors: tuple[Item, ...] = ()
    commitments: tuple[Item, ...] = ()
    answers: tuple[Item, ...] = ()
    sources: tuple[Item, ...] = ()
    open_questions: tuple[Item, ...] = ()
    titles: dict[str, str] = field(default_factory=dict, compare=False)

    def groups(self) -> list[tuple[str, tuple[Item, ...]]]:
        """The non-empty groups, each with its heading, in the order the overview prints them."""
        named = [
            ("actors", self.actors),
            ("commitments", self.commitments),
            ("answers", self.answers),
            ("sources", self.sources),
            ("open_questions", self.open_questions),
        ]
        return [(self.titles.get(key, key), items) for key, items in named if items]

    def items(self) -> Iterator[Item]:
        for _, items in self.groups():
            yield from items

    def __len__(self) -> int:
        return sum(1 for _ in self.items())

    def as_json(self) -> dict[str, Any]:
        """A stable structure: every group always present, lists in the overview's order."""

        def pick(items: tuple[Item, ...], change: Change) -> list[dict[str, Any]]:
            return [item.data for item in items if item.change == change]

        return {
            "since": self.since,
            "edition": self.edition,
            "actors": {
                "added": pick(self.actors, "added"),
                "removed": pick(self.actors, "removed"),
            },
            "commitments": {
                "added": pick(self.commitments, "added"),
                "removed": pick(self.commitments, "removed"),
                "changed": pick(self.commitments, "changed"),
            },
            "answers": [item.data for item in self.answers],
            "sources": {
                "added": pick(self.sources, "added"),
                "removed": pick(self.sources, "removed"),
            },
            "open_questions": {"added": pick(self.open_questions, "added")},
        }

    def lines(self) -> list[str]:
        """Plain text, one line per change under its group's heading."""
        signs = {"added": "+", "removed": "-", "changed": "~"}
        out: list[str] = []
        for title, items in self.groups():
            out.append(f"{title}:")
            out += [f"  {signs[i.change]} {i.line}  [{i.ref}]" for i in items]
        return out


# --- Values as printed --------------------------------------------------------------------------


def _date_text(date: FuzzyDate | None) -> str:
    if date is None:
        return NOT_STATED
    return date.display() + (" (inferred)" if date.basis == "inferred" else "")


def _date_json(date: FuzzyDate | None) -> dict[str, str] | None:
    return None if date is None else {"value": date.value, "basis": date.basis}


def _raw(value: Any) -> Any:
    """A field value as JSON can carry it."""
    if isinstance(value, FuzzyDate):
        return _date_json(value)
    if isinstance(value, list | tuple):
        return [_raw(v) for v in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    return value


def _same(spec: FieldSpec, a: Any, b: Any) -> bool:
    """Equal values; the order of several words of a list is no change."""
    if spec.type == "choices":
        return sorted(a or []) == sorted(b or [])
    if isinstance(a, FuzzyDate) or isinstance(b, FuzzyDate):
        return _date_json(a) == _date_json(b)
    return bool(a == b)


def shown(value: Any, spec: FieldSpec, vocab: Vocabulary) -> str:
    """A declared field's value as the briefs print it, as plain text."""
    if value is None or value == []:
        return NOT_STATED
    if isinstance(value, Disputed):
        return format_given(value, spec, str)
    if spec.type == "choice":
        return vocab.label(spec.list or "", value)
    if spec.type == "choices":
        return ", ".join(vocab.label(spec.list or "", v) for v in value)
    if spec.type == "date":
        return _date_text(value)
    return format_one(value, spec)


# --- The comparison -----------------------------------------------------------------------------


def _name(facts: FactBase, actor_id: str) -> str:
    return next((a.name for a in facts.actors if a.id == actor_id), actor_id)


def _parties(facts: FactBase, ids: list[str]) -> str:
    return ", ".join(_name(facts, p) for p in ids) if ids else NO_PARTIES


def _commitments(facts: FactBase) -> dict[str, tuple[Actor, Commitment]]:
    return {c.id: (a, c) for a in facts.actors for c in a.commitments}


def _commitment_data(actor: Actor, commitment: Commitment) -> dict[str, Any]:
    return {"id": commitment.id, "actor": actor.id, "title": commitment.title}


def _actor_items(old: FactBase, new: FactBase) -> list[Item]:
    before = {a.id for a in old.actors}
    after = {a.id for a in new.actors}
    items = [
        Item("actor", "added", f"New: {a.name}", a.id, data={"id": a.id, "name": a.name})
        for a in new.actors
        if a.id not in before
    ]
    items += [
        Item("actor", "removed", f"Removed: {a.name}", data={"id": a.id, "name": a.name})
        for a in old.actors
        if a.id not in after
    ]
    return items


def _field_changes(
    old: FactBase, new: FactBase, was: Commitment, now: Commitment
) -> list[FieldChange]:
    vocab = new.vocabulary
    found: list[FieldChange] = []
    for spec in vocab.fields.commitment:
        a, b = was.value(spec.key), now.value(spec.key)
        if not _same(spec, a, b):
            found.append(
                FieldChange(
                    spec.key,
                    spec.label,
                    _raw(a),
                    _raw(b),
                    shown(a, spec, vocab),
                    shown(b, spec, vocab),
                )
            )
    if _date_json(was.date) != _date_json(now.date):
        found.append(
            FieldChange(
                "date",
                "Date",
                _date_json(was.date),
                _date_json(now.date),
                _date_text(was.date),
                _date_text(now.date),
            )
        )
    if sorted(was.parties) != sorted(now.parties):
        found.append(
            FieldChange(
                "parties",
                "Parties",
                list(was.parties),
                list(now.parties),
                _parties(old, was.parties),
                _parties(new, now.parties),
            )
        )
    return found


def _commitment_items(old: FactBase, new: FactBase) -> list[Item]:
    before, after = _commitments(old), _commitments(new)
    items: list[Item] = []
    for cid, (actor, c) in after.items():
        if cid in before:
            continue
        with_ = f", with {_parties(new, c.parties)}" if c.parties else ""
        data = _commitment_data(actor, c) | {"parties": list(c.parties)}
        text = f"New: {actor.name} — {c.title}{with_}"
        items.append(Item("commitment", "added", text, actor.id, cid, data=data))
    for cid, (actor, c) in before.items():
        if cid not in after:
            text = f"Removed: {actor.name} — {c.title}"
            items.append(Item("commitment", "removed", text, data=_commitment_data(actor, c)))
    for cid, (actor, c) in after.items():
        if cid not in before:
            continue
        fields = _field_changes(old, new, before[cid][1], c)
        if not fields:
            continue
        text = f"Changed: {actor.name} — {c.title}: " + "; ".join(f.text for f in fields)
        data = _commitment_data(actor, c) | {
            "fields": [
                {"field": f.key, "label": f.label, "from": f.before, "to": f.after} for f in fields
            ]
        }
        items.append(Item("commitment", "changed", text, actor.id, cid, data=data))
    return items


def _answer_items(old: FactBase, new: FactBase) -> list[Item]:
    spec, old_spec = new.vocabulary.answer(), old.vocabulary.answer()
    if spec is None:
        return []
    items: list[Item] = []
    old_actors = {a.id: a for a in old.actors}
    for actor in new.actors:
        was_actor = old_actors.get(actor.id)
        for question in new.edition.questions:
            now = answer(actor, question.id, spec.key)
            was = (
                answer(was_actor, question.id, old_spec.key)
                if was_actor is not None and old_spec is not None
                else None
            )
            a = was.latest.value(old_spec.key) if was is not None and old_spec else None
            b = now.latest.value(spec.key) if now is not None else None
            if _same(spec, a, b):
                continue
            a_text = shown(a, spec, new.vocabulary) if was is not None else NO_POSITION
            b_text = shown(b, spec, new.vocabulary) if now is not None else NO_POSITION
            position = now.latest if now is not None else None
            date = when(position) if position is not None else None
            dated = f" ({_date_text(date)})" if date is not None else ""
            text = f"{actor.name}, {question.label}: {a_text} → {b_text}{dated}"
            data = {
                "actor": actor.id,
                "question": question.id,
                "from": _raw(a),
                "to": _raw(b),
                "position": position.id if position is not None else None,
                "date": _date_json(date),
            }
            fact = position.id if position is not None else None
            items.append(Item("answer", "changed", text, actor.id, fact, data=data))
    return items


def _source_items(old: FactBase, new: FactBase) -> list[Item]:
    before = {s.id for s in old.sources}
    after = {s.id for s in new.sources}

    def data(s: Any) -> dict[str, Any]:
        return {"id": s.id, "title": s.title, "outlet": s.outlet}

    items = [
        Item("source", "added", f"New: {s.title} ({s.outlet})", data=data(s))
        for s in new.sources
        if s.id not in before
    ]
    items += [
        Item("source", "removed", f"Removed: {s.title} ({s.outlet})", data=data(s))
        for s in old.sources
        if s.id not in after
    ]
    return items


def _norm(text: str) -> str:
    return " ".join(text.split())


def _open_question_items(old: FactBase, new: FactBase) -> list[Item]:
    # Keyed by actor id, None for the overview's own.
    known: dict[str | None, set[str]] = {None: {_norm(q.text) for q in old.overview.open_questions}}
    for actor in old.actors:
        known[actor.id] = {_norm(q.text) for q in actor.open_questions}
    places: list[tuple[str | None, str, list[Any]]] = [
        (None, "Overview", list(new.overview.open_questions))
    ]
    places += [(a.id, a.name, list(a.open_questions)) for a in new.actors]
    items: list[Item] = []
    for actor_id, where, questions in places:
        seen = known.get(actor_id, set())
        for q in questions:
            if _norm(q.text) in seen:
                continue
            data = {"in": actor_id or "overview", "text": q.text}
            items.append(Item("open_question", "added", where, actor_id, note=q.text, data=data))
    return items


def diff(old: FactBase, new: FactBase) -> Changes:
    """What changed from the edition of `old` to the edition of `new`."""
    words = new.vocabulary.words
    return Changes(
        since=old.edition.number,
        edition=new.edition.number,
        actors=tuple(_actor_items(old, new)),
        commitments=tuple(_commitment_items(old, new)),
        answers=tuple(_answer_items(old, new)),
        sources=tuple(_source_items(old, new)),
        open_questions=tuple(_open_question_items(old, new)),
        titles={
            "actors": "Actors",
            "commitments": words.commitments,
            "answers": words.positions,
            "sources": "Sources",
            "open_questions": "Open questions",
        },
    )
