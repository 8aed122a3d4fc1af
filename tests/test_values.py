"""Values with provenance, on a desk of our own (tests/fixtures/pledges): figures that carry
their sources, a disputed amount, money in another currency, numbers proved by the quotes,
a disagreement between sources on one day, and the reported_values table."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from briefing.authoring.scaffold import ScaffoldError, typed_value
from briefing.check.facts import check_project
from briefing.cli import main
from briefing.core.diagnostics import Diagnostic
from briefing.core.project import Project
from briefing.factbase.model import (
    Citation,
    Disputed,
    Fact,
    FieldSpec,
    Money,
    MoneyRules,
    Reported,
    Sourced,
)
from briefing.factbase.values import format_given, numbers_in, read_amount, totals
from briefing.pdf.verify import verify
from briefing.site.build import build
from briefing.site.data import tables
from tests.editing_fixture import edit

PLEDGES = Path(__file__).resolve().parent / "fixtures" / "pledges"


@pytest.fixture
def desk(tmp_path: Path) -> Project:
    root = tmp_path / "pledges"
    shutil.copytree(PLEDGES, root)
    return Project.at(root)


def _errors(project: Project) -> list[Diagnostic]:
    return [p for p in check_project(project, pdf=False).problems if p.severity == "error"]


def _text(path: Path) -> str:
    """A page's words, tags dropped and spaces collapsed."""
    words = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return " ".join(html.unescape(words).split())


def test_the_desk_checks_and_its_value_quotes_are_proved(desk: Project) -> None:
    checked = check_project(desk, pdf=False)
    assert [p.format() for p in checked.problems if p.severity == "error"] == []
    # The quotes that values cite of their own are found like any other, and kept as proofs.
    assert checked.base is not None
    gb = checked.base.facts.actor("gb")
    pledge = gb.commitments[0].given("pledge")
    assert isinstance(pledge, Disputed)
    assert all(checked.proofs.of(r) is not None for r in pledge.reported)


def test_a_value_quote_not_in_its_source_is_located(desk: Project) -> None:
    gb = desk.actors / "gb.yaml"
    edit(gb, "quote: will provide up to $US60 million", "quote: will provide at most $US60 million")
    found = [p for p in _errors(desk) if p.code == "Q101"]
    assert len(found) == 1
    assert found[0].location.file == "facts/actors/gb.yaml"
    assert found[0].location.line == 39


def _unmarked(path: Path) -> str:
    """A page's words without its note markers and their popovers: the words a reader reads
    in the running text."""
    page = re.sub(r'<span class="ref".*?</span></span></span>', "", path.read_text("utf-8"))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_briefs_print_each_figure_with_its_source(desk: Project) -> None:
    build(desk, pdf=False)
    # The principal's note prints the commitments in full; each actor's brief refers to them
    # and prints the figures its sources give again, with their notes.
    for page in ("note", "gb"):
        gb = _unmarked(desk.root / "build" / "html" / f"{page}.html")
        assert (
            "$50.6–60 million; sources differ: $51 million (S2) , up to $60 million (S1) , "
            "$50.6 million equivalent (S3)" in gb.replace("),", ") ,")
        )
        assert "10 years (S3)" in gb
    us = _unmarked(desk.root / "build" / "html" / "us.html")
    assert "$17–17.5 million; sources differ: $17.5 million (S2) , $17 million (S3)" in us
    # A pledge in another currency keeps it: no silent conversion to the field's USD.
    de = _unmarked(desk.root / "build" / "html" / "de.html")
    assert "€100 million (S2)" in de
    # A collective figure says whose it includes.
    eu = _unmarked(desk.root / "build" / "html" / "eu.html")
    assert "€245 million (S2) , including Germany's" in eu.replace("),", ") ,")


def _notes(page: str) -> dict[str, str]:
    """A brief's notes by number: the passage each prints."""
    found = re.findall(
        r'<li id="[\w-]+-note-(\d+)".*?<q[^>]*>(.*?)</q>\s*<a[^>]*>(S\d+)', page, re.S
    )
    return {n: " ".join(html.unescape(f"{q} {label}").split()) for n, q, label in found}


def test_a_values_citations_are_notes_of_the_brief(desk: Project) -> None:
    build(desk, pdf=False)
    page = (desk.root / "build" / "html" / "gb.html").read_text("utf-8")
    notes = _notes(page)
    # Each figure is followed by the marker of the note that quotes its source, and the
    # note names the source by the label the figure prints.
    marker = re.compile(
        r'<sup class="cite"><span class="ref" id="gb-ref-\d+"><a [^>]*#gb-note-(\d+)"'
    )
    for figure, quote in [
        ("$51 million (S2)", "The United Kingdom pledged $51 million to the new fund"),
        ("up to $60 million (S1)", "will provide up to $US60 million for loss and damage"),
        ("$50.6 million equivalent (S3)", "United Kingdom: $50.6 million equivalent"),
        ("10 years (S3)", "made up of £40 million over ten years"),
    ]:
        end = page.index(html.escape(figure, quote=False)) + len(figure)
        found = marker.match(page, end)
        assert found is not None, figure
        # The note prints the passage that holds the quote, with the other cuts of its
        # paragraph: S3's two figures stand in one paragraph, so they share one note.
        note = notes[found.group(1)]
        assert quote in note and note.endswith(f" {figure[-3:-1]}"), figure
    # The tracker is cited by the figures alone: the sources table lists it all the same.
    assert '<tr id="source-tracker">' in page


def test_each_brief_whose_values_cite_a_source_verifies(desk: Project) -> None:
    build(desk)
    # The UK's brief cites the tracker only through its figures, and the US one the gov
    # source's passages only through its pledge: each PDF carries the texts and verifies.
    for name in ("gb", "us", "de", "eu", "note", "overview", "book"):
        result = verify(desk.root / "build" / "pdf" / f"{name}-ed1.pdf")
        assert [p.message for p in result.problems] == [], name
    gb = verify(desk.root / "build" / "pdf" / "gb-ed1.pdf")
    assert gb.sources == 3


def test_a_number_no_cited_quote_gives_is_an_error(desk: Project) -> None:
    edit(
        desk.actors / "us.yaml", "{value: 17500000, source: wire", "{value: 17600000, source: wire"
    )
    found = [p for p in _errors(desk) if p.code == "Q501"]
    assert len(found) == 1
    where = found[0].location
    assert (where.file, where.line) == ("facts/actors/us.yaml", 20)
    assert "17,600,000" in found[0].message and "17,500,000" in found[0].message


def test_a_plain_value_is_proved_by_the_facts_quotes(desk: Project) -> None:
    edit(desk.actors / "us.yaml", "  - id: us-fund\n", "  - id: us-fund\n    target_year: 2031\n")
    problems = check_project(desk, pdf=False).problems
    # A warning, not an error: a desk written before values carried sources keeps checking.
    found = [p for p in problems if p.code == "Q501" and p.severity == "warning"]
    assert [p.location.line for p in found] == [14]
    assert "2031" in found[0].message


def test_different_sources_on_one_day_are_a_recorded_disagreement(desk: Project) -> None:
    assert not [p for p in _errors(desk) if p.code == "C003"]
    build(desk, pdf=False)
    gb = _text(desk.root / "build" / "html" / "gb.html")
    question = (
        "The sources differ on United Kingdom’s position on Fund operational on 1 December "
        "2023: ‘backs’ (Government press office) against ‘no stated view’ (Gulf Climate Wire)."
    )
    assert question.replace("’", "'").replace("‘", "'") in gb.replace("’", "'").replace("‘", "'")
    assert gb.count("sources differ · current") == 2
    # The principal's note's matrix shows both answers; the overview lists the open question.
    note = _text(desk.root / "build" / "html" / "note.html")
    assert "sources differ: no stated view" in note or "sources differ: backs" in note
    overview = _text(desk.root / "build" / "html" / "overview.html")
    assert "The sources differ on United Kingdom" in overview


def test_one_source_saying_two_things_on_one_day_is_still_an_error(desk: Project) -> None:
    edit(
        desk.actors / "gb.yaml",
        "      - source: wire\n        quote: London still has doubts",
        "      - source: gov\n        quote: the UK backs making the fund operational at once\n"
        "      - source: wire\n        quote: London still has doubts",
    )
    found = [p for p in _errors(desk) if p.code == "C003"]
    assert len(found) == 1
    assert "from the same source ('gov')" in found[0].message


def test_reported_values_rows(desk: Project) -> None:
    checked = check_project(desk, pdf=False)
    assert checked.base is not None
    table = next(
        t for t in tables(checked.base.facts, checked.proofs) if t.name == "reported_values"
    )
    rows = [
        (r["fact_id"], r["field"], r["value"], r["unit"], r["qualifier"], r["source_id"])
        for r in table.rows
    ]
    assert rows == [
        ("de-fund", "pledge", 100_000_000, "EUR", None, "wire"),
        ("eu-fund", "pledge", 245_000_000, "EUR", None, "wire"),
        ("gb-fund", "pledge", 51_000_000, "USD", None, "wire"),
        ("gb-fund", "pledge", 60_000_000, "USD", "up to", "gov"),
        ("gb-fund", "pledge", 50_600_000, "USD", "equivalent", "tracker"),
        ("gb-fund", "duration", 10, "years", None, "tracker"),
        ("gb-warning", "pledge", 20_000_000, "GBP", None, "wire"),
        ("us-fund", "pledge", 17_500_000, "USD", None, "wire"),
        ("us-fund", "pledge", 17_000_000, "USD", None, "tracker"),
    ]
    citations = next(t for t in tables(checked.base.facts, checked.proofs) if t.name == "citations")
    by_id = {r["id"]: r for r in citations.rows}
    for row in table.rows:
        # Each figure's citation is a row of the citations table, of the same source.
        assert by_id[row["citation"]]["source_id"] == row["source_id"]


def test_data_files_hold_the_table(desk: Project) -> None:
    build(desk, pdf=False)
    csv_text = (desk.root / "build" / "data" / "reported_values.csv").read_text()
    assert csv_text.splitlines()[0] == (
        "id,fact_kind,fact_id,field,value,value_text,unit,qualifier,source_id,citation"
    )
    assert "gb-fund,pledge,60000000,,USD,up to,gov," in csv_text


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("17.5 million", [17_500_000]),
        ("$17.5m", [17_500_000]),
        ("US$17,500,000", [17_500_000]),
        ("£20 million", [20_000_000]),
        ("up to $US60 million", [60_000_000]),
        ("ten years", [10]),
        ("1.2 billion USD", [1_200_000_000]),
        ("40 percent below 2013 levels", [40, 2013]),
    ],
)
def test_numbers_in_quotes(text: str, numbers: list[float]) -> None:
    assert numbers_in(text) == numbers


def test_mixed_currencies_print_no_range() -> None:
    spec = FieldSpec(key="pledge", label="Pledge", type="money", currency="USD")
    disputed = Disputed(
        reported=[
            Reported(
                source="a", quote="pledged $40 million", value=Money(amount=40e6, currency="USD")
            ),
            Reported(
                source="b", quote="pledged £20 million", value=Money(amount=20e6, currency="GBP")
            ),
        ]
    )
    assert format_given(disputed, spec, str.upper) == (
        "sources differ: $40 million (A), £20 million (B)"
    )


def test_hints_for_values_written_in_words(desk: Project) -> None:
    edit(
        desk.actors / "de.yaml",
        "  - id: de-fund\n",
        "  - id: de-fund\n    finance_usd: 17.5 million\n    date: Dec 1, 2023\n",
    )
    edit(
        desk.actors / "us.yaml",
        "  - id: us-fund\n",
        "  - id: us-fund\n    date: {value: 01/12/2023, basis: stated}\n",
    )
    found = {(p.location.file, p.location.line): p for p in _errors(desk)}
    amount = found[("facts/actors/de.yaml", 14)]
    assert amount.hint == "write the number in digits, without quotes: 17500000"
    date = found[("facts/actors/de.yaml", 15)]
    assert date.hint == "write {value: 2023-12-01, basis: stated}"
    ambiguous = found[("facts/actors/us.yaml", 14)]
    assert "1 December 2023 (day first) or 12 January 2023 (month first)" in ambiguous.message
    assert "write 2023-12-01 or 2023-01-12" in ambiguous.message


def test_new_commitment_writes_typed_money_that_checks(desk: Project) -> None:
    base = ["--root", str(desk.root), "new", "commitment", "--actor", "de"]
    base += ["--kind", "fund contribution", "--status", "announced", "--title", "T"]
    base += ["--summary", "S.", "--parties", "us"]
    quote = ["--source", "wire", "--quote", "Britain also pledged £20 million for early warning"]
    assert main([*base, "--id", "de-a", "--pledge", "10000000", *quote]) == 0
    assert main([*base, "--id", "de-b", "--pledge", "up to £20 million", *quote]) == 0
    text = (desk.actors / "de.yaml").read_text("utf-8")
    assert "    pledge: 10000000\n" in text
    assert "    pledge: {amount: 20000000, currency: GBP, qualifier: up to}\n" in text
    # Both check as money (the figure of the first is not the quote's: Q501 warns of it).
    found = check_project(desk, pdf=False).problems
    assert [p.format() for p in found if p.severity == "error"] == []
    assert [p.code for p in found if p.location.file == "facts/actors/de.yaml"] == ["Q501"]
    with pytest.raises(ScaffoldError, match="names no currency"):
        typed_value(FieldSpec(key="pledge", label="Pledge", type="money"), "17.5 million")


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("COP28 opened", []), ("G7 leaders", []), ("$US60 million", [60_000_000]), ("28 days", [28])],
)
def test_a_figure_starts_a_word(text: str, numbers: list[float]) -> None:
    assert numbers_in(text) == numbers


def test_an_amount_in_words_keeps_its_currency_in_the_hint(desk: Project) -> None:
    edit(desk.actors / "de.yaml", "value: {amount: 100000000, currency: EUR}", "value: £20 million")
    found = [p for p in _errors(desk) if p.location.file == "facts/actors/de.yaml"]
    assert [(p.location.line, p.hint) for p in found] == [
        (19, "write {amount: 20000000, currency: GBP}")
    ]
    # The EU's figure includes Germany's, whose file did not validate: no second error.
    assert not [p for p in _errors(desk) if p.code == "Q502"]


def test_new_writes_numbers_as_numbers() -> None:
    spec = FieldSpec(key="amount", label="Amount", type="number")
    assert typed_value(spec, "10000000") == 10_000_000
    assert typed_value(spec, "17.5 million") == 17_500_000
    assert read_amount("seventeen and eighteen") is None
    with pytest.raises(ScaffoldError, match="not a whole number"):
        typed_value(FieldSpec(key="year", label="Year", type="integer"), "20.5")


def _pledges(project: Project) -> tuple[list[Fact], FieldSpec, MoneyRules | None]:
    checked = check_project(project, pdf=False)
    assert checked.base is not None
    facts = checked.base.facts
    spec = next(s for s in facts.vocabulary.fields.commitment if s.key == "pledge")
    return [c for a in facts.actors for c in a.commitments], spec, facts.vocabulary.money


MONEY = re.compile(r"\nmoney:\n.*?\n\n", re.S)


def _without_rates(project: Project) -> None:
    path = project.facts / "vocabulary.yaml"
    path.write_text(MONEY.sub("\n", path.read_text("utf-8"), count=1), "utf-8")


def test_totals_in_the_desks_currency_against_hand_sums(desk: Project) -> None:
    facts, spec, money = _pledges(desk)
    summed = totals(facts, spec, money)
    # By hand, in US dollars: UK 50.6 to 60 million, US 17 to 17.5 million, the EU's
    # €245 million at the declared $1.09 (267.05 million), Germany's €100 million within
    # the EU's; the UK's £20 million has no declared rate.
    eu = 245_000_000 * 1.09
    assert [(t.unit, t.facts) for t in summed.found] == [("USD", ("eu-fund", "gb-fund", "us-fund"))]
    total = summed.found[0]
    assert total.low == pytest.approx(50_600_000 + 17_000_000 + eu)
    assert total.high == pytest.approx(60_000_000 + 17_500_000 + eu)
    assert [(r.from_, r.to, r.rate) for r in total.rates] == [("EUR", "USD", 1.09)]
    assert summed.included == [("de-fund", "eu-fund")]
    assert [(o.fact, o.given, o.reason) for o in summed.left_out] == [
        ("gb-warning", "£20 million", "no rate given")
    ]
    build(desk, pdf=False)
    note = _text(desk.root / "build" / "html" / "note.html")
    assert (
        "Pledge, total: $334.65–344.55 million (United Kingdom, United States, European "
        "Union); converted at the desk's declared rate €1 = $1.09 on 1 December 2023 (S4); "
        "Germany's figure is counted within European Union's; excluding United Kingdom's "
        "£20 million: no rate given." in note
    )


def test_without_declared_rates_each_currency_is_totalled_apart(desk: Project) -> None:
    _without_rates(desk)
    facts, spec, money = _pledges(desk)
    assert money is None
    summed = totals(facts, spec, money)
    sums = {t.unit: (t.low, t.high, t.facts) for t in summed.found}
    # By hand: the dollars of the UK and the US; the EU's euros (Germany's within them,
    # never added again); the UK's pounds. Nothing converted.
    assert sums == {
        "USD": (
            pytest.approx(50_600_000 + 17_000_000),
            60_000_000 + 17_500_000,
            ("gb-fund", "us-fund"),
        ),
        "GBP": (20_000_000, 20_000_000, ("gb-warning",)),
        "EUR": (245_000_000, 245_000_000, ("eu-fund",)),
    }
    assert summed.left_out == []
    build(desk, pdf=False)
    note = _text(desk.root / "build" / "html" / "note.html")
    assert "each currency or unit added apart, none converted" in note


def test_a_total_leaves_out_a_fact_whose_sources_differ_in_currency() -> None:
    spec = FieldSpec(key="pledge", label="Pledge", type="money", currency="USD", total=True)

    class Pledge(Fact):
        pledge: Disputed | Money

    mixed = Disputed(
        reported=[
            Reported(
                source="a", quote="pledged $40 million", value=Money(amount=40e6, currency="USD")
            ),
            Reported(
                source="b", quote="pledged £20 million", value=Money(amount=20e6, currency="GBP")
            ),
        ]
    )
    plain = Money(amount=5e6, currency="USD")
    summed = totals([Pledge(id="x", pledge=mixed), Pledge(id="y", pledge=plain)], spec)
    assert [(t.unit, t.low, t.high) for t in summed.found] == [("USD", 5e6, 5e6)]
    assert [(o.fact, o.reason) for o in summed.left_out] == [
        ("x", "figures in different currencies or units")
    ]


def test_a_member_of_a_member_counts_within_the_whole() -> None:
    spec = FieldSpec(key="pledge", label="Pledge", type="money", currency="USD", total=True)

    class Pledge(Fact):
        pledge: Sourced | Money

    def sourced(amount: float, *members: str) -> Sourced:
        cited = [Citation(source="a", quote=f"pledged ${amount:.0f}")]
        money = Money(amount=amount, currency="USD")
        return Sourced(value=money, citations=cited, includes=list(members))

    facts = [
        Pledge(id="city", pledge=Money(amount=1, currency="USD")),
        Pledge(id="state", pledge=sourced(10, "city")),
        Pledge(id="union", pledge=sourced(100, "state")),
        Pledge(id="other", pledge=Money(amount=7, currency="USD")),
    ]
    summed = totals(facts, spec)
    assert [(t.low, t.facts) for t in summed.found] == [(107, ("union", "other"))]
    assert sorted(summed.included) == [("city", "union"), ("state", "union")]


@pytest.mark.parametrize(
    ("includes", "code", "words"),
    [
        ("[de-fnd]", "Q502", "'de-fnd' is not a fact that gives 'pledge'"),
        ("[gb-warning]", "Q504", "'gb-warning' gives pledge in GBP, this value in EUR"),
        ("[eu-fund]", "Q503", "'eu-fund' comes to include itself: eu-fund includes eu-fund"),
    ],
)
def test_a_wrong_include_is_located(desk: Project, includes: str, code: str, words: str) -> None:
    edit(desk.actors / "eu.yaml", "includes: [de-fund]", f"includes: {includes}")
    found = [p for p in _errors(desk) if p.code == code]
    assert len(found) == 1, [p.format() for p in _errors(desk)]
    assert (found[0].location.file, found[0].location.line) == ("facts/actors/eu.yaml", 19)
    assert words in found[0].message


def test_a_cycle_through_two_facts_is_refused(desk: Project) -> None:
    edit(
        desk.actors / "de.yaml",
        "      value: {amount: 100000000, currency: EUR}\n",
        "      value: {amount: 100000000, currency: EUR}\n      includes: [eu-fund]\n",
    )
    found = [p for p in _errors(desk) if p.code == "Q503"]
    assert {p.location.file for p in found} == {"facts/actors/de.yaml", "facts/actors/eu.yaml"}
    assert any("de-fund includes eu-fund includes de-fund" in p.message for p in found)


def test_a_rate_its_quote_does_not_give_is_located(desk: Project) -> None:
    edit(desk.facts / "vocabulary.yaml", "rate: 1.09,", "rate: 1.1,")
    found = [p for p in _errors(desk) if p.code == "Q501"]
    assert len(found) == 1
    assert found[0].location.file == "facts/vocabulary.yaml"
    assert "the rate 1.1 is not given by its quote; it gives: 1.09" in found[0].message


def test_a_rate_quote_is_proved_like_any_other(desk: Project) -> None:
    edit(desk.facts / "vocabulary.yaml", "quote: the euro was worth", "quote: the euro is worth")
    found = [p for p in _errors(desk) if p.code == "Q101"]
    assert [p.location.file for p in found] == ["facts/vocabulary.yaml"]


def test_a_rate_from_an_unknown_source_is_located(desk: Project) -> None:
    edit(desk.facts / "vocabulary.yaml", "source: fx,", "source: fxx,")
    found = [p for p in _errors(desk) if p.code == "R003"]
    assert [p.location.file for p in found] == ["facts/vocabulary.yaml"]


def test_a_rate_to_its_own_currency_is_refused(desk: Project) -> None:
    edit(desk.facts / "vocabulary.yaml", "{from: EUR, to: USD", "{from: USD, to: USD")
    found = _errors(desk)
    assert any("not USD to itself" in p.message for p in found), [p.format() for p in found]


def test_a_total_of_words_is_refused() -> None:
    with pytest.raises(ValueError, match="'total: true' needs a field of type money"):
        FieldSpec(key="baseline", label="Baseline", type="text", total=True)


def _totals_rows(project: Project) -> list[tuple[object, ...]]:
    checked = check_project(project, pdf=False)
    assert checked.base is not None
    table = next(t for t in tables(checked.base.facts, checked.proofs) if t.name == "totals")
    columns = ("actor_id", "unit", "low", "high", "facts", "counted_within", "rates", "excluded")
    return [tuple(row[c] for c in columns) for row in table.rows]


def test_the_totals_table_against_hand_sums(desk: Project) -> None:
    rate = "EUR/USD 1.09 on 2023-12-01 (fx)"
    no_rate = "gb-warning: £20 million, no rate given"
    # By hand: all actors, in dollars, the EU's euros at 1.09 with Germany's inside them;
    # then each actor's own pledges (Germany's €100 million is its own there).
    assert _totals_rows(desk) == [
        (
            None,
            "USD",
            50_600_000 + 17_000_000 + 267_050_000,
            60_000_000 + 17_500_000 + 267_050_000,
            "eu-fund; gb-fund; us-fund",
            "de-fund in eu-fund",
            rate,
            no_rate,
        ),
        ("de", "USD", 109_000_000, 109_000_000, "de-fund", None, rate, None),
        ("eu", "USD", 267_050_000, 267_050_000, "eu-fund", None, rate, None),
        ("gb", "USD", 50_600_000, 60_000_000, "gb-fund", None, None, no_rate),
        ("us", "USD", 17_000_000, 17_500_000, "us-fund", None, None, None),
    ]


def test_the_totals_table_without_rates_keeps_currencies_apart(desk: Project) -> None:
    _without_rates(desk)
    rows = _totals_rows(desk)
    assert rows[:3] == [
        (None, "EUR", 245_000_000, 245_000_000, "eu-fund", "de-fund in eu-fund", None, None),
        (None, "USD", 67_600_000, 77_500_000, "gb-fund; us-fund", None, None, None),
        (None, "GBP", 20_000_000, 20_000_000, "gb-warning", None, None, None),
    ]


def test_totals_are_written_as_csv_json_and_sqlite(desk: Project) -> None:
    build(desk, pdf=False)
    data = desk.root / "build" / "data"
    csv_rows = list(csv.DictReader(io.StringIO((data / "totals.csv").read_text("utf-8"))))
    assert csv_rows[0]["low"] == "334650000" and csv_rows[0]["high"] == "344550000"
    rates = json.loads((data / "facts.json").read_text("utf-8"))["vocabulary"]["money"]["rates"]
    assert [(r["from"], r["to"], r["rate"]) for r in rates] == [("EUR", "USD", 1.09)]
    json_rows = json.loads((data / "totals.json").read_text("utf-8"))
    assert json_rows[0]["excluded"] == "gb-warning: £20 million, no rate given"
    with sqlite3.connect(data / "facts.sqlite") as db:
        found = db.execute("select high from totals where actor_id = 'us'").fetchall()
    assert found == [(17_500_000,)]


def test_the_starter_desk_shows_an_amount_two_sources_give_differently(tmp_path: Path) -> None:
    root = tmp_path / "desk"
    assert main(["init", str(root)]) == 0
    project = Project.at(root)
    checked = check_project(project, pdf=False)
    assert [p.format() for p in checked.problems] == []
    assert checked.base is not None
    offer = checked.base.facts.actors[0].commitments[0]
    amount = offer.given("amount")
    assert isinstance(amount, Disputed)
    assert {r.source for r in amount.reported} == {"harbour-gazette", "riverton-radio"}
    build(project, pdf=False)
    note = _unmarked(root / "build" / "html" / "note.html")
    assert "€40–45 million; sources differ: €40 million (S1) , €45 million (S2)" in note.replace(
        "),", ") ,"
    )
