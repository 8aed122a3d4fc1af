"""build/data/: the fact base as JSON, CSV and SQLite, complete, keyed, located and reproducible."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from briefing.cli import main
from briefing.core.project import Project
from briefing.evidence.quotes import normalise
from briefing.factbase.model import Citation, Fact, FactBase
from briefing.factbase.plan import PATHS, TABLES
from briefing.site.build import checked_facts, render_site
from briefing.site.data import FACT_TABLES
from tests.editing_fixture import edit


def build(project: Project) -> Path:
    assert main(["--root", str(project.root), "build", "--no-pdf"]) == 0
    return project.build / "data"


def facts_of(project: Project) -> FactBase:
    _, facts, _ = checked_facts(project, pdf=False)
    return facts


def rows(data: Path, table: str) -> list[dict[str, str]]:
    with open(data / f"{table}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def header(data: Path, table: str) -> list[str]:
    with open(data / f"{table}.csv", newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def all_citations(facts: FactBase) -> Iterator[Citation]:
    """Every citation of the fact base, wherever it is."""
    groups: list[list[Any]] = [list(facts.overview.bluf), list(facts.overview.open_questions)]
    for actor in facts.actors:
        groups += [
            list(actor.bluf),
            list(actor.positions),
            list(actor.commitments),
            list(actor.statements),
            list(actor.open_questions),
        ]
    for group in groups:
        for item in group:
            yield from item.citations
            if isinstance(item, Fact):
                # A value's own citations join the table too, under their fact.
                yield from item.value_citations()


def expected_counts(facts: FactBase) -> dict[str, int]:
    actors = facts.actors
    return {
        "actors": len(actors),
        "sources": len(facts.sources),
        "people": len(facts.people),
        "questions": len(facts.edition.questions),
        "commitments": sum(len(a.commitments) for a in actors),
        "positions": sum(len(a.positions) for a in actors),
        "statements": sum(len(a.statements) for a in actors),
        "parties": sum(len(set(c.parties)) for a in actors for c in a.commitments),
        "judgments": len(facts.overview.bluf) + sum(len(a.bluf) for a in actors),
        "open_questions": len(facts.overview.open_questions)
        + sum(len(a.open_questions) for a in actors),
        "citations": len(list(all_citations(facts))),
        "terms": sum(len(terms.terms) for terms in facts.vocabulary.lists.values()),
    }


def manifest(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


# --- What a build writes ------------------------------------------------------------------------


def test_a_build_without_pdfs_writes_every_data_file_and_only_what_it_plans(mini: Project) -> None:
    data = build(mini)
    assert {f"data/{name}" for name in manifest(data)} == set(PATHS)
    _, _, plan = checked_facts(mini, pdf=False)
    assert set(manifest(mini.build)) == set(plan.paths())
    # The database was built in memory: no journal, WAL or temporary file beside it.
    assert not [p for p in data.iterdir() if re.search(r"-(journal|wal|shm)$|^\.", p.name)]
    assert not list(mini.root.glob(".briefing-staging-*"))


def test_counts_in_every_csv_and_in_sqlite_are_those_of_the_facts(mini: Project) -> None:
    data = build(mini)
    counts = expected_counts(facts_of(mini))
    assert counts["commitments"] and counts["positions"] and counts["statements"]
    assert counts["citations"] > counts["commitments"] + counts["positions"]
    with sqlite3.connect(data / "facts.sqlite") as db:
        for table, count in counts.items():
            assert len(rows(data, table)) == count, table
            assert db.execute(f"select count(*) from {table}").fetchone() == (count,), table


def test_the_sqlite_file_answers_a_reader_on_the_command_line(mini: Project) -> None:
    sqlite3_cli = shutil.which("sqlite3")
    if sqlite3_cli is None:
        pytest.skip("the sqlite3 command is not installed")
    import subprocess

    data = build(mini)
    out = subprocess.run(
        [sqlite3_cli, str(data / "facts.sqlite"), "select count(*) from commitments"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == str(expected_counts(facts_of(mini))["commitments"])


def test_every_csv_has_its_header_crlf_and_plain_utf8(mini: Project) -> None:
    data = build(mini)
    for table in TABLES:
        raw = (data / f"{table}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), table
        assert raw.endswith(b"\r\n") and raw.count(b"\n") == raw.count(b"\r\n"), table
        assert header(data, table), table
    assert rows(data, "open_questions") == []  # no open question in the fixture: header only
    assert header(data, "open_questions") == ["id", "actor_id", "n", "text"]
    [statement] = rows(data, "statements")
    assert statement["date"] == "2031-03"
    assert (statement["date_precision"], statement["date_basis"]) == ("month", "inferred")


def test_declared_fields_are_columns_and_choices_are_also_rows(mini: Project) -> None:
    data = build(mini)
    facts = facts_of(mini)
    fields = facts.vocabulary.fields
    for kind, table in FACT_TABLES.items():
        columns = header(data, table)
        keys = [spec.key for spec in getattr(fields, kind)]
        assert columns[-len(keys) - 1 : -1] == keys, table  # declared order, then the summary
        assert columns[-1] == "summary"
    choices = [spec for spec in fields.commitment if spec.type == "choices"]
    assert choices  # the fixture's desk has one: the test would prove nothing without it
    links = rows(data, "commitment_terms")
    for commitment in (c for a in facts.actors for c in a.commitments):
        [row] = [r for r in rows(data, "commitments") if r["id"] == commitment.id]
        for spec in fields.commitment:
            value = commitment.value(spec.key)
            if spec.type == "choices":
                assert row[spec.key] == "; ".join(value)
                linked = [
                    r["term"]
                    for r in links
                    if r["commitment_id"] == commitment.id and r["field"] == spec.key
                ]
                assert linked == value
            elif spec.type in ("text", "choice"):
                assert row[spec.key] == (value or "")


# --- Keys --------------------------------------------------------------------------------------


FOREIGN_KEYS = {
    "people": {("actor_id", "actors", "id")},
    "commitments": {("actor_id", "actors", "id")},
    "parties": {("commitment_id", "commitments", "id"), ("actor_id", "actors", "id")},
    "commitment_terms": {("commitment_id", "commitments", "id")},
    "positions": {
        ("actor_id", "actors", "id"),
        ("question_id", "questions", "id"),
        ("speaker_id", "people", "id"),
    },
    "position_terms": {("position_id", "positions", "id")},
    "statements": {("actor_id", "actors", "id"), ("speaker_id", "people", "id")},
    "statement_terms": {("statement_id", "statements", "id")},
    "judgments": {("actor_id", "actors", "id")},
    "open_questions": {("actor_id", "actors", "id")},
    "citations": {("source_id", "sources", "id"), ("actor_id", "actors", "id")},
    "reported_values": {("source_id", "sources", "id"), ("citation", "citations", "id")},
    "totals": {("actor_id", "actors", "id")},
}


def test_sqlite_declares_primary_and_foreign_keys_and_they_hold(mini: Project) -> None:
    data = build(mini)
    with sqlite3.connect(data / "facts.sqlite") as db:
        names = [r[0] for r in db.execute("select name from sqlite_master where type = 'table'")]
        assert names == list(TABLES)
        for table in TABLES:
            declared = {(r[3], r[2], r[4]) for r in db.execute(f"pragma foreign_key_list({table})")}
            assert declared == FOREIGN_KEYS.get(table, set()), table
            primary = [r[1] for r in db.execute(f"pragma table_info({table})") if r[5]]
            assert primary, table
        assert db.execute("pragma foreign_key_check").fetchall() == []
        assert db.execute("pragma integrity_check").fetchall() == [("ok",)]
        # A citation names its fact by kind and id: every pair resolves to one row.
        for kind, table in {**FACT_TABLES, "judgment": "judgments"}.items():
            dangling = db.execute(
                f"select count(*) from citations where fact_kind = ? "
                f"and fact_id not in (select id from {table})",
                (kind,),
            ).fetchone()
            assert dangling == (0,), kind
        kinds = {r[0] for r in db.execute("select distinct fact_kind from citations")}
        assert kinds <= {*FACT_TABLES, "judgment", "open_question"}


# --- Citations located in the original file ----------------------------------------------------


def assert_citations_slice_their_sources(project: Project, data: Path) -> int:
    files = {s["id"]: s["file"] for s in rows(data, "sources")}
    found = rows(data, "citations")
    for row in found:
        # The file as a reader's program opens it: UTF-8, line endings untouched.
        raw = (project.sources / files[row["source_id"]]).read_bytes().decode("utf-8")
        start, end = int(row["start_offset"]), int(row["end_offset"])
        passage = raw[start:end]
        # Up to typography (whitespace, quotes, dashes), the passage is the quote, no more.
        assert normalise(passage).text == normalise(row["quote"]).text, row
        assert passage == passage.strip()
        before = raw[:start]
        assert int(row["line"]) == before.count("\n") + 1
        assert int(row["col"]) == start - (before.rfind("\n") + 1) + 1
    return len(found)


def test_every_citation_offset_slices_its_quote_from_the_source(mini: Project) -> None:
    data = build(mini)
    assert (
        assert_citations_slice_their_sources(mini, data)
        == expected_counts(facts_of(mini))["citations"]
    )


def test_offsets_count_original_characters_not_normalised_ones(mini: Project) -> None:
    # CRLF line endings, characters that normalise to more or fewer (… → ..., a soft hyphen
    # vanishes, NBSP), an astral character and a quote broken over two lines.
    source = mini.sources / "harbour.txt"
    text = source.read_text(encoding="utf-8").replace("\n", "\r\n")
    text = "Dateline\u00a0\u2026 \U0001f6a2 co\u00adop —\r\n\r\n" + text
    text = text.replace("joint training and", "joint training\r\n    and")
    source.write_bytes(text.encode("utf-8"))
    data = build(mini)
    assert (
        assert_citations_slice_their_sources(mini, data)
        == expected_counts(facts_of(mini))["citations"]
    )
    pact = next(r for r in rows(data, "citations") if r["fact_id"] == "south-pact")
    assert "\r\n    and" in text[int(pact["start_offset"]) : int(pact["end_offset"])]


# --- facts.json ---------------------------------------------------------------------------------


def without(data: Any, keys: set[str]) -> Any:
    if isinstance(data, dict):
        return {k: without(v, keys) for k, v in data.items() if k not in keys}
    if isinstance(data, list):
        return [without(v, keys) for v in data]
    return data


def test_facts_json_is_the_whole_fact_base_with_located_citations(mini: Project) -> None:
    edit(
        mini.actors / "south.yaml",
        "training and intelligence.",
        "training and intelligence — in Україна.",
    )
    data = build(mini)
    text = (data / "facts.json").read_text(encoding="utf-8")
    loaded = strict_json(text)
    # Canonical: sorted keys, indent 2, non-ASCII as is, one trailing newline.
    assert text == json.dumps(loaded, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert "— in Україна." in text and "\\u" not in text
    facts = facts_of(mini)
    # Everything the model holds, declared fields included (they live on the desk's subclasses,
    # which a plain model_dump of the generic FactBase leaves out); only locations and
    # precisions are added.
    expected = facts.model_dump(mode="json", serialize_as_any=True)
    assert without(loaded, {"location", "precision", "as_of_precision"}) == expected
    # The cut-off's precision, as a date's: a day here, a month is not its first day.
    assert loaded["edition"]["as_of_precision"] == "day"
    [south] = [a for a in loaded["actors"] if a["id"] == "south"]
    [pact] = south["commitments"]
    for spec in facts.vocabulary.fields.commitment:
        assert spec.key in pact
    assert pact["elements"] == ["arms", "training", "intelligence"]
    [statement] = south["statements"]
    assert statement["date"]["precision"] == "month"
    located = [
        c["location"]
        for actor in loaded["actors"]
        for group in ("bluf", "positions", "commitments", "statements", "open_questions")
        for item in actor[group]
        for c in item["citations"]
    ]
    located += [c["location"] for j in loaded["overview"]["bluf"] for c in j["citations"]]
    assert len(located) == expected_counts(facts)["citations"]
    by_csv = [
        {k: int(r[k]) for k in ("line", "col", "start_offset", "end_offset")}
        for r in rows(data, "citations")
    ]
    assert sorted(sorted(d.items()) for d in located) == sorted(sorted(d.items()) for d in by_csv)


# --- Reproducible ------------------------------------------------------------------------------


def test_two_builds_give_identical_bytes_for_every_data_file(mini: Project, tmp_path: Path) -> None:
    first = manifest(build(mini))
    assert manifest(build(mini)) == first
    # Another folder, another time: nothing of the machine's paths or clock gets in.
    elsewhere = Project.at(
        shutil.copytree(mini.root / "facts", tmp_path / "other" / "facts").parent
    )
    assert manifest(build(elsewhere)) == first
    assert set(first) == {p.removeprefix("data/") for p in PATHS}


# --- The index, the preview ---------------------------------------------------------------------


def test_the_index_links_every_data_file(mini: Project) -> None:
    build(mini)
    index = (mini.build / "index.html").read_text(encoding="utf-8")
    assert 'id="data"' in index
    for path in PATHS:
        assert f'href="{path}"' in index, path
        assert (mini.build / path).is_file()


def test_the_preview_renders_no_data(mini: Project) -> None:
    _, facts, plan = checked_facts(mini, pdf=False)
    assert render_site(facts, mini, plan).data == {}


# --- Other desks -------------------------------------------------------------------------------


NUMBER_FIELDS = (
    "    - key: finance_usd\n      label: Finance\n      type: number\n      unit: USD\n"
    "    - key: target_year\n      label: Target year\n      type: integer\n"
    "    - key: signed\n      label: Signed\n      type: date\n"
    "  position:\n"
)


def test_a_desk_with_number_integer_and_date_fields(mini: Project) -> None:
    edit(mini.facts / "vocabulary.yaml", "  position:\n", NUMBER_FIELDS)
    edit(
        mini.actors / "south.yaml",
        "    duration: 10 years\n",
        "    duration: 10 years\n    finance_usd: 2500000\n    target_year: 2041\n"
        "    signed: {value: '2031-04-02', basis: stated}\n",
    )
    data = build(mini)
    columns = header(data, "commitments")
    assert columns[-8:] == [
        "mutual_defence",
        "finance_usd",
        "target_year",
        "signed",
        "signed_precision",
        "signed_basis",
        "signed_note",
        "summary",
    ]
    [pact] = rows(data, "commitments")
    assert (pact["finance_usd"], pact["target_year"]) == ("2500000", "2041")
    assert (pact["signed"], pact["signed_precision"], pact["signed_basis"]) == (
        "2031-04-02",
        "day",
        "stated",
    )
    with sqlite3.connect(data / "facts.sqlite") as db:
        typed = db.execute(
            "select finance_usd, typeof(finance_usd), target_year, typeof(target_year) "
            "from commitments"
        ).fetchone()
    assert typed == (2500000.0, "real", 2041, "integer")
    loaded = strict_json((data / "facts.json").read_text(encoding="utf-8"))
    [south] = [a for a in loaded["actors"] if a["id"] == "south"]
    commitment = south["commitments"][0]
    assert (commitment["finance_usd"], commitment["target_year"]) == (2500000, 2041)
    assert commitment["signed"] == {
        "value": "2031-04-02",
        "basis": "stated",
        "note": None,
        "precision": "day",
    }


def test_positions_carry_when_they_held_and_where_they_stand_in_order(mini: Project) -> None:
    edit(
        mini.actors / "council.yaml",
        "    summary: No membership offer while the dispute lasts.\n",
        "    summary: No membership offer while the dispute lasts.\n"
        "    as_of: {value: 2031-03, basis: stated}\n"
        "    order: {before: event, note: the source says 'already'}\n",
    )
    data = build(mini)
    assert {"as_of", "as_of_precision", "order_before", "order_note"} <= set(
        header(data, "positions")
    )
    [row] = [r for r in rows(data, "positions") if r["id"] == "council-membership"]
    assert (row["as_of"], row["as_of_precision"], row["as_of_basis"]) == (
        "2031-03",
        "month",
        "stated",
    )
    assert (row["order_before"], row["order_after"]) == ("event", "")
    assert row["order_note"] == "the source says 'already'"
    for table in ("commitments", "statements"):
        assert {"order_before", "order_after", "order_note"} <= set(header(data, table))


def test_a_number_too_large_for_a_float_stops_the_build_before_any_export(
    mini: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """1.0e+400 reads as infinity, which no JSON, CSV or brief can carry as an amount: the
    check refuses it, located, and nothing is exported."""
    edit(mini.facts / "vocabulary.yaml", "  position:\n", NUMBER_FIELDS)
    edit(mini.actors / "south.yaml", "    duration: 10 years\n", "    finance_usd: 1.0e+400\n")
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "facts/actors/south.yaml:" in err and "finite number" in err
    assert not (mini.build / "data").exists()


@pytest.mark.parametrize("key", ["actor_id", "date_basis"])
def test_a_field_named_like_a_column_stops_the_build_with_a_message(
    mini: Project, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    build(mini)
    before = manifest(mini.build)
    edit(
        mini.facts / "vocabulary.yaml",
        "  position:\n",
        f"    - key: {key}\n      label: X\n      type: text\n  position:\n",
    )
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert f"the commitment field '{key}' would be the column '{key}'" in err
    assert "facts/vocabulary.yaml" in err and "Traceback" not in err
    assert manifest(mini.build) == before


def test_the_shipped_facts_with_pdfs(shipped: Project) -> None:
    # The session's full build (PDFs and the book) writes the data too, and every one of the
    # shipped citations is located in its real source text.
    data = shipped.build / "data"
    _, facts, plan = checked_facts(shipped)
    assert set(manifest(shipped.build)) == set(plan.paths())
    counts = expected_counts(facts)
    with sqlite3.connect(data / "facts.sqlite") as db:
        for table, count in counts.items():
            assert len(rows(data, table)) == count, table
            assert db.execute(f"select count(*) from {table}").fetchone() == (count,), table
        assert db.execute("pragma foreign_key_check").fetchall() == []
    assert assert_citations_slice_their_sources(shipped, data) == counts["citations"]
