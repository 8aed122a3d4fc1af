"""Data: the fact base for readers who want tables, written to build/data/ by every build.

`facts.json` holds the whole validated fact base; one CSV per table and `facts.sqlite` (the
same tables, with primary and foreign keys) hold it flat. Every citation carries where its
quote is in the source file: line and column (1-based), and character offsets into the file's
text such that text[start_offset:end_offset] is the quoted passage.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel

from briefing.core.diagnostics import BriefingError, Diagnostic, Location
from briefing.evidence.proofs import Proofs
from briefing.evidence.quotes import NormalText
from briefing.factbase.model import (
    Citation,
    Commitment,
    Disputed,
    Edition,
    Fact,
    FactBase,
    FieldSpec,
    FuzzyDate,
    Judgment,
    Money,
    OpenQuestion,
    Order,
    Position,
    Quantity,
    Sourced,
    Statement,
)
from briefing.factbase.plan import JSON, SQLITE, TABLES, TOTALS_JSON
from briefing.factbase.values import totals

# sqlite_utils is imported inside `sqlite_file`: the preview renders pages without the data
# export and need not load it.

# The kinds of fact that carry the desk's declared fields, with their tables.
FACT_TABLES = {"commitment": "commitments", "position": "positions", "statement": "statements"}

Row = dict[str, Any]


class DataError(BriefingError):
    """The desk's vocabulary names a field so that two columns of a table would collide."""


@dataclass
class Table:
    """One table: typed columns in order, primary key, foreign keys and rows in fact-base order."""

    name: str
    columns: dict[str, type]
    pk: tuple[str, ...] = ("id",)
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Located:
    """Where a citation's quote is in the original text of its source file."""

    line: int
    col: int
    start_offset: int
    end_offset: int


def locate(citation: Citation, proofs: Proofs) -> Located:
    """Where the check found the quote in its source, as line, column and original offsets."""
    text = proofs.texts.get(citation.source)
    match = proofs.of(citation)
    if text is None or match is None:
        # The check stage refuses such a fact base; reaching here is a bug, not a user mistake.
        raise LookupError(f"quote not found in source '{citation.source}': {citation.quote!r}")
    # Offsets map normalised characters back to the original ones; the end is exclusive.
    start = text.offsets[match.start]
    end = text.offsets[match.end - 1] + 1
    return Located(match.line, match.col, start, end)


# --- facts.json ---------------------------------------------------------------------------------


def _plain(value: Any, proofs: Proofs) -> Any:
    """A model as JSON-ready data: every field, declared ones included; citations located."""
    if isinstance(value, BaseModel):
        # Walked by hand, not model_dump(): the desk's fields live on subclasses made at run
        # time, which a dump by the generic FactBase's annotations would leave out.
        # Keys as the YAML writes them: a field named after a Python word has it as its alias
        # ('from' for from_).
        fields = type(value).model_fields
        out = {
            (info.alias or name): _plain(getattr(value, name), proofs)
            for name, info in fields.items()
        }
        if isinstance(value, FuzzyDate):
            out["precision"] = value.precision
        if isinstance(value, Edition):
            # The cut-off's precision, as a date's: a month is not its first day.
            out["as_of_precision"] = value.as_of_precision
        if isinstance(value, Citation):
            out["location"] = asdict(locate(value, proofs))
        return out
    if isinstance(value, list | tuple):
        return [_plain(item, proofs) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item, proofs) for key, item in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        # Validation lets 1e400 through as inf; JSON has no such number, and one 'Infinity'
        # would make strict parsers refuse the whole file. The CSV cell reads the same.
        return str(value)
    return value


def facts_json(facts: FactBase, proofs: Proofs) -> bytes:
    """The whole fact base as JSON: keys sorted, lists in fact-base order, one trailing newline."""
    data = _plain(facts, proofs)
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


# --- The tables ---------------------------------------------------------------------------------


def _date_columns(key: str) -> dict[str, type]:
    return {key: str, f"{key}_precision": str, f"{key}_basis": str, f"{key}_note": str}


def _date(key: str, date: FuzzyDate | None) -> Row:
    if date is None:
        return dict.fromkeys(_date_columns(key))
    return {
        key: date.value,
        f"{key}_precision": date.precision,
        f"{key}_basis": date.basis,
        f"{key}_note": date.note,
    }


def _order_columns() -> dict[str, type]:
    return {"order_before": str, "order_after": str, "order_note": str}


def _order(order: Order | None) -> Row:
    """Where a fact without a date stands: before or after which fact (or 'event'), and why."""
    if order is None:
        return dict.fromkeys(_order_columns())
    return {"order_before": order.before, "order_after": order.after, "order_note": order.note}


_FIELD_TYPES: dict[str, type] = {"number": float, "integer": int, "money": float, "quantity": float}


def _declared_columns(specs: Sequence[FieldSpec]) -> Iterator[tuple[str, type, FieldSpec]]:
    for spec in specs:
        if spec.type == "date":
            for name, kind in _date_columns(spec.key).items():
                yield name, kind, spec
        else:
            yield spec.key, _FIELD_TYPES.get(spec.type, str), spec


def _declared(fact: Fact, specs: Sequence[FieldSpec]) -> Row:
    row: Row = {}
    for spec in specs:
        value = fact.value(spec.key)
        if isinstance(value, Disputed):
            # No one figure stands for the sources that differ: reported_values holds each.
            value = None
        if isinstance(value, Money | Quantity):
            # The amount, in the currency or unit that reported_values names.
            value = value.amount
        if spec.type == "date":
            row.update(_date(spec.key, value))
        elif spec.type == "choices":
            # Term ids cannot contain ';' (TERM_PATTERN), so the joined cell is unambiguous.
            row[spec.key] = "; ".join(value) if value else None
        elif spec.type == "number" and value is not None:
            row[spec.key] = float(value)
        else:
            row[spec.key] = value
    return row


def _fact_table(
    kind: str,
    engine: dict[str, type],
    foreign_keys: tuple[tuple[str, str, str], ...],
    specs: Sequence[FieldSpec],
) -> Table:
    """A fact table: the engine's columns, the desk's declared ones, then the summary."""
    name = FACT_TABLES[kind]
    columns = dict(engine)
    for column, kind_of, spec in _declared_columns(specs):
        if column in columns:
            # Keys never repeat an engine field, but may repeat a column such as 'actor_id'
            # or the '<key>_basis' of a date field.
            raise DataError(
                [
                    Diagnostic(
                        Location("facts/vocabulary.yaml"),
                        f"the {kind} field '{spec.key}' would be the column '{column}' of "
                        f"data/{name}.csv, which another column already is",
                        "choose another key for the field",
                        code="D009",
                    )
                ]
            )
        columns[column] = kind_of
    columns["summary"] = str
    return Table(name, columns, foreign_keys=(("actor_id", "actors", "id"), *foreign_keys))


def _terms_table(kind: str) -> Table:
    """The words of a fact's 'choices' fields, one row each: what a filter or a join needs."""
    key = f"{kind}_id"
    return Table(
        f"{kind}_terms",
        {key: str, "field": str, "term": str},
        pk=(key, "field", "term"),
        foreign_keys=((key, FACT_TABLES[kind], "id"),),
    )


def _cited(
    table: Table,
    kind: str,
    fact_id: str,
    actor_id: str | None,
    citations: Sequence[Citation],
    proofs: Proofs,
) -> list[int]:
    """Add the citations to the table; their row ids, in order."""
    ids: list[int] = []
    for n, citation in enumerate(citations, 1):
        ids.append(len(table.rows) + 1)
        where = locate(citation, proofs)
        table.rows.append(
            {
                "id": len(table.rows) + 1,
                "fact_kind": kind,
                "fact_id": fact_id,
                "actor_id": actor_id,
                "n": n,
                "source_id": citation.source,
                "quote": citation.quote,
                "note": citation.note,
                "lang": citation.lang,
                **asdict(where),
            }
        )
    return ids


def _reported_row(spec: FieldSpec, value: Any) -> Row:
    """The value, unit and qualifier columns of one figure of a field."""
    if isinstance(value, Money):
        return {
            "value": value.amount,
            "value_text": None,
            "unit": value.currency,
            "qualifier": value.qualifier,
        }
    if isinstance(value, Quantity):
        return {
            "value": value.amount,
            "value_text": None,
            "unit": value.unit,
            "qualifier": value.qualifier,
        }
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"value": float(value), "value_text": None, "unit": spec.unit, "qualifier": None}
    text = value.value if isinstance(value, FuzzyDate) else str(value)
    return {"value": None, "value_text": text, "unit": None, "qualifier": None}


def _reported(
    table: Table,
    citations: Table,
    kind: str,
    fact: Fact,
    actor_id: str,
    specs: Sequence[FieldSpec],
    proofs: Proofs,
) -> None:
    """Every figure of a fact's value fields, one row each, with the source that gives it:
    a plain value (no source of its own), each citation of a sourced value, each figure of a
    disputed one. Its citations join the citations table, under the fact."""
    for spec in specs:
        if spec.type in ("choice", "choices"):
            continue
        given = fact.given(spec.key)
        figures: list[tuple[Any, str | None, int | None]] = []
        if isinstance(given, Disputed):
            cited = _cited(citations, kind, fact.id, actor_id, given.reported, proofs)
            figures = [(r.value, r.source, n) for r, n in zip(given.reported, cited, strict=True)]
        elif isinstance(given, Sourced):
            cited = _cited(citations, kind, fact.id, actor_id, given.citations, proofs)
            figures = [
                (given.value, c.source, n) for c, n in zip(given.citations, cited, strict=True)
            ]
        elif given is not None:
            figures = [(given, None, None)]
        for value, source_id, citation_id in figures:
            table.rows.append(
                {
                    "id": len(table.rows) + 1,
                    "fact_kind": kind,
                    "fact_id": fact.id,
                    "field": spec.key,
                    **_reported_row(spec, value),
                    "source_id": source_id,
                    "citation": citation_id,
                }
            )


def tables(facts: FactBase, proofs: Proofs) -> list[Table]:
    """Every table of the export, filled, in the order of TABLES."""
    vocab = facts.vocabulary
    fields = vocab.fields
    dates = _date_columns("date")
    out = {
        "questions": Table("questions", {"id": str, "label": str, "text": str}),
        "terms": Table(
            "terms",
            {"list_id": str, "id": str, "label": str, "definition": str},
            pk=("list_id", "id"),
        ),
        "sources": Table(
            "sources",
            {
                "id": str,
                "file": str,
                "title": str,
                "outlet": str,
                **dates,
                "reliability": str,
                "reliability_note": str,
                "notes": str,
            },
        ),
        "people": Table(
            "people",
            {"id": str, "name": str, "role": str, "actor_id": str},
            foreign_keys=(("actor_id", "actors", "id"),),
        ),
        "actors": Table(
            "actors",
            {
                "id": str,
                "name": str,
                "kind": str,
                "role": str,
                "code": str,
                "no_position": str,
                "no_judgment": str,
            },
        ),
        "commitments": _fact_table(
            "commitment",
            {"id": str, "actor_id": str, "title": str, **dates, **_order_columns()},
            (),
            fields.commitment,
        ),
        "parties": Table(
            "parties",
            {"commitment_id": str, "actor_id": str},
            pk=("commitment_id", "actor_id"),
            foreign_keys=(("commitment_id", "commitments", "id"), ("actor_id", "actors", "id")),
        ),
        "commitment_terms": _terms_table("commitment"),
        "positions": _fact_table(
            "position",
            {
                "id": str,
                "actor_id": str,
                "question_id": str,
                "speaker_id": str,
                **dates,
                **_date_columns("as_of"),
                **_order_columns(),
            },
            (("question_id", "questions", "id"), ("speaker_id", "people", "id")),
            fields.position,
        ),
        "position_terms": _terms_table("position"),
        "statements": _fact_table(
            "statement",
            {
                "id": str,
                "actor_id": str,
                "speaker_id": str,
                **dates,
                **_order_columns(),
                "audience": str,
                "reported_by": str,
            },
            (("speaker_id", "people", "id"),),
            fields.statement,
        ),
        "statement_terms": _terms_table("statement"),
        "judgments": Table(
            "judgments",
            {"id": str, "actor_id": str, "n": int, "text": str, "confidence": str},
            foreign_keys=(("actor_id", "actors", "id"),),
        ),
        "open_questions": Table(
            "open_questions",
            {"id": str, "actor_id": str, "n": int, "text": str},
            foreign_keys=(("actor_id", "actors", "id"),),
        ),
        "citations": Table(
            "citations",
            {
                "id": int,
                "fact_kind": str,
                "fact_id": str,
                "actor_id": str,
                "n": int,
                "source_id": str,
                "quote": str,
                "note": str,
                "lang": str,
                "line": int,
                "col": int,
                "start_offset": int,
                "end_offset": int,
            },
            foreign_keys=(("source_id", "sources", "id"), ("actor_id", "actors", "id")),
        ),
        "reported_values": Table(
            "reported_values",
            {
                "id": int,
                "fact_kind": str,
                "fact_id": str,
                "field": str,
                "value": float,
                "value_text": str,
                "unit": str,
                "qualifier": str,
                "source_id": str,
                "citation": int,
            },
            foreign_keys=(("source_id", "sources", "id"), ("citation", "citations", "id")),
        ),
        "totals": Table(
            "totals",
            {
                "id": int,
                "fact_kind": str,
                "field": str,
                "actor_id": str,
                "unit": str,
                "low": float,
                "high": float,
                "facts": str,
                "counted_within": str,
                "rates": str,
                "excluded": str,
            },
            foreign_keys=(("actor_id", "actors", "id"),),
        ),
    }
    reported = out["reported_values"]

    out["questions"].rows += [
        {"id": q.id, "label": q.label, "text": q.text} for q in facts.edition.questions
    ]
    out["terms"].rows += [
        {"list_id": list_id, "id": t.id, "label": t.text, "definition": t.definition}
        for list_id, terms in vocab.lists.items()
        for t in terms.terms
    ]
    out["sources"].rows += [
        {
            "id": s.id,
            "file": s.file,
            "title": s.title,
            "outlet": s.outlet,
            **_date("date", s.date),
            "reliability": s.reliability,
            "reliability_note": s.reliability_note,
            "notes": s.notes,
        }
        for s in facts.sources
    ]
    out["people"].rows += [
        {"id": p.id, "name": p.name, "role": p.role, "actor_id": p.actor} for p in facts.people
    ]
    out["actors"].rows += [
        {
            "id": a.id,
            "name": a.name,
            "kind": a.kind,
            "role": a.role,
            "code": a.code,
            "no_position": a.no_position,
            "no_judgment": a.no_judgment,
        }
        for a in facts.actors
    ]

    citations = out["citations"]

    def judged(owner: str, actor_id: str | None, bluf: Sequence[Judgment]) -> None:
        for n, judgment in enumerate(bluf, 1):
            judgment_id = f"{owner}/bluf/{n}"
            out["judgments"].rows.append(
                {
                    "id": judgment_id,
                    "actor_id": actor_id,
                    "n": n,
                    "text": judgment.text,
                    "confidence": judgment.confidence,
                }
            )
            _cited(citations, "judgment", judgment_id, actor_id, judgment.citations, proofs)

    def asked(owner: str, actor_id: str | None, questions: Sequence[OpenQuestion]) -> None:
        for n, question in enumerate(questions, 1):
            question_id = f"{owner}/open_questions/{n}"
            out["open_questions"].rows.append(
                {"id": question_id, "actor_id": actor_id, "n": n, "text": question.text}
            )
            _cited(citations, "open_question", question_id, actor_id, question.citations, proofs)

    def terms(kind: str, fact: Fact, specs: Sequence[FieldSpec]) -> None:
        for spec in specs:
            if spec.type == "choices":
                # A word given twice is one row: the key of the link table is the triple.
                for term in dict.fromkeys(fact.value(spec.key) or []):
                    out[f"{kind}_terms"].rows.append(
                        {f"{kind}_id": fact.id, "field": spec.key, "term": term}
                    )

    def proved(
        kind: str,
        fact: Position | Commitment | Statement,
        actor_id: str,
        specs: Sequence[FieldSpec],
    ) -> None:
        # What every kind of fact adds beside its own row: its words of the vocabulary, its
        # citations, and the values it gives with sources of their own.
        terms(kind, fact, specs)
        _cited(citations, kind, fact.id, actor_id, fact.citations, proofs)
        _reported(reported, citations, kind, fact, actor_id, specs, proofs)

    # Judgments and open questions of the overview have no actor; their ids say 'overview',
    # which no actor may be called (briefing.plan.RESERVED).
    judged("overview", None, facts.overview.bluf)
    asked("overview", None, facts.overview.open_questions)
    for actor in facts.actors:
        judged(actor.id, actor.id, actor.bluf)
        for p in actor.positions:
            out["positions"].rows.append(
                {
                    "id": p.id,
                    "actor_id": actor.id,
                    "question_id": p.question,
                    "speaker_id": p.speaker,
                    **_date("date", p.date),
                    **_date("as_of", p.as_of),
                    **_order(p.order),
                    **_declared(p, fields.position),
                    "summary": p.summary,
                }
            )
            proved("position", p, actor.id, fields.position)
        for c in actor.commitments:
            out["commitments"].rows.append(
                {
                    "id": c.id,
                    "actor_id": actor.id,
                    "title": c.title,
                    **_date("date", c.date),
                    **_order(c.order),
                    **_declared(c, fields.commitment),
                    "summary": c.summary,
                }
            )
            out["parties"].rows += [
                {"commitment_id": c.id, "actor_id": party} for party in dict.fromkeys(c.parties)
            ]
            proved("commitment", c, actor.id, fields.commitment)
        for s in actor.statements:
            out["statements"].rows.append(
                {
                    "id": s.id,
                    "actor_id": actor.id,
                    "speaker_id": s.speaker,
                    **_date("date", s.date),
                    **_order(s.order),
                    "audience": s.audience,
                    "reported_by": s.reported_by,
                    **_declared(s, fields.statement),
                    "summary": s.summary,
                }
            )
            proved("statement", s, actor.id, fields.statement)
        asked(actor.id, actor.id, actor.open_questions)
    _totals(out["totals"], facts)
    return [out[name] for name in TABLES]


def _totals(table: Table, facts: FactBase) -> None:
    """The sums of each field the desk totals (`total: true`): across all actors (no
    actor_id), then each actor's own facts. A range where sources differ (low adds each
    fact's smallest figure, high its largest); the desk's currency where it declares one."""
    money = facts.vocabulary.money
    for kind in FACT_TABLES:
        for spec in getattr(facts.vocabulary.fields, kind):
            if not spec.total:
                continue
            group = f"{kind}s"
            scopes: list[tuple[str | None, list[Fact]]] = [
                (None, [f for a in facts.actors for f in getattr(a, group)])
            ]
            scopes += [(a.id, list(getattr(a, group))) for a in facts.actors]
            for actor_id, listed in scopes:
                summed = totals(listed, spec, money)
                common = {
                    "fact_kind": kind,
                    "field": spec.key,
                    "actor_id": actor_id,
                    "excluded": "; ".join(
                        f"{o.fact}: {o.given}, {o.reason}" for o in summed.left_out
                    )
                    or None,
                }
                rows = [
                    {
                        "unit": t.unit or None,
                        "low": t.low,
                        "high": t.high,
                        "facts": "; ".join(t.facts),
                        # The facts not added again, beside the total that holds them.
                        "counted_within": "; ".join(
                            f"{m} in {h}" for m, h in summed.included if h in t.facts
                        )
                        or None,
                        "rates": "; ".join(
                            f"{r.from_}/{r.to} {r.rate} on {r.date} ({r.source})" for r in t.rates
                        )
                        or None,
                    }
                    for t in summed.found
                ]
                if not rows and summed.left_out:
                    # Nothing adds up, yet something was left out: the row says what.
                    empty = ("unit", "low", "high", "facts", "counted_within", "rates")
                    rows = [dict.fromkeys(empty)]
                for row in rows:
                    table.rows.append({"id": len(table.rows) + 1, **common, **row})


def totals_json(table: Table) -> bytes:
    """The totals table as JSON: a list of rows, keys sorted, one trailing newline."""
    data = [{column: row[column] for column in table.columns} for row in table.rows]
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


# --- CSV and SQLite -----------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 2500000, not 2500000.0: numbers as a reader writes them
    return str(value)


def table_csv(table: Table) -> bytes:
    """The table as CSV: a header row, then one row per record; UTF-8, CRLF as the csv module
    writes it, empty cells for what a fact leaves out."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(row[column]) for column in table.columns])
    return buffer.getvalue().encode()


def sqlite_file(all_tables: Sequence[Table]) -> bytes:
    """The tables as an SQLite database file, built in memory: the same tables give the same
    bytes, and no journal or temporary file is ever written beside the build."""
    # Imported here: the check stage imports this module's names, and never needs SQLite.
    import sqlite_utils

    connection = sqlite3.connect(":memory:")
    try:
        # No plugins: whatever happens to be installed must not change the file.
        db = sqlite_utils.Database(connection, execute_plugins=False)
        for table in all_tables:
            created = db.table(table.name).create(
                table.columns,
                pk=table.pk[0] if len(table.pk) == 1 else table.pk,
                foreign_keys=list(table.foreign_keys),
                not_null=table.pk,
            )
            created.insert_all(table.rows)
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()


def export(
    facts: FactBase, texts: Mapping[str, NormalText], proofs: Proofs | None = None
) -> dict[str, bytes]:
    """Every file of build/data/ by its path under build/ (see PATHS)."""
    proofs = proofs if proofs is not None else Proofs(texts, find_missing=True)
    filled = tables(facts, proofs)
    files = {JSON: facts_json(facts, proofs)}
    files[TOTALS_JSON] = totals_json(next(t for t in filled if t.name == "totals"))
    files.update({f"data/{table.name}.csv": table_csv(table) for table in filled})
    files[SQLITE] = sqlite_file(filled)
    return files
