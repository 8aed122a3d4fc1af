"""Charts (briefing.render.charts) on the pledges desk and on thirty actors with long names:
accessible SVG, reproducible bytes, ranges drawn where sources differ, a page that holds it."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import weasyprint

from briefing.check.facts import check_project
from briefing.core.project import Project
from briefing.factbase.model import Actor, FieldSpec
from briefing.factbase.plan import actor_order
from briefing.factbase.values import short_figure
from briefing.render.charts import MAX_HEIGHT, chart_of, svg
from briefing.site.build import build

PLEDGES = Path(__file__).resolve().parent / "fixtures" / "pledges"
CSS = Path(__file__).resolve().parent.parent / "briefing" / "templates" / "brief.css"


@pytest.fixture
def desk(tmp_path: Path) -> Project:
    root = tmp_path / "pledges"
    shutil.copytree(PLEDGES, root)
    return Project.at(root)


def _drawn(actors: list[Actor], spec: FieldSpec) -> str:
    drawn = chart_of(actors, spec, None)
    return str(svg(drawn, lambda n: f"p-{n}", lambda a: short_figure(a, drawn.unit, True)))


def _many(desk: Project, n: int) -> tuple[list[Actor], FieldSpec]:
    """`n` actors with long names, each pledging in dollars; every third one disputed."""
    checked = check_project(desk, pdf=False)
    assert checked.base is not None
    models = checked.base.models
    spec = next(s for s in models.vocabulary.fields.commitment if s.key == "pledge")
    actors = []
    for i in range(n):
        amount = 1_000_000 * (i + 1)
        pledge: object = amount
        if i % 3 == 0:
            pledge = {
                "reported": [
                    {"value": amount, "source": "wire", "quote": "The United States said it"},
                    {"value": amount * 1.5, "source": "gov", "quote": "The Prime Minister said"},
                ]
            }
        commitment = {
            "id": f"a{i}-fund",
            "title": "Pledge",
            "kind": "fund contribution",
            "status": "announced",
            "summary": "A pledge.",
            "pledge": pledge,
            "citations": [{"source": "wire", "quote": "The United States said it"}],
        }
        name = f"The Democratic Federation of the Long Named Islands Number {i}"
        actors.append(
            models.actor.model_validate(
                {
                    "id": f"a{i}",
                    "name": name,
                    "kind": "city network",
                    "no_position": "None.",
                    "commitments": [commitment],
                }
            )
        )
    return actors, spec


def test_the_overview_draws_a_bar_per_actor_with_its_table(desk: Project) -> None:
    build(desk, pdf=False)
    page = (desk.root / "build" / "html" / "overview.html").read_text("utf-8")
    chart = re.search(r"<svg [^>]*class=\"chart\".*?</svg>", page, re.S)
    assert chart is not None
    drawing = chart.group(0)
    assert 'role="img"' in drawing and "aria-labelledby=" in drawing
    assert "<title" in drawing and "<desc" in drawing and "<script" not in drawing
    labels = re.findall(r'role="listitem" aria-label="([^"]+)"', drawing)
    # In the desk's dollars: Germany's euros at the declared rate; the UK and the US ranges.
    assert labels == [
        "Germany: $109 million",
        "United Kingdom: $50.6–60 million; sources differ",
        "United States: $17–17.5 million; sources differ",
        "European Union: $267.05 million",
    ]
    assert drawing.count('class="range"') == 2
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "European Union's figure includes Germany's." in text.replace("&#39;", "'")
    assert "Not drawn: United Kingdom's £20 million (no rate given)." in text.replace("&#39;", "'")
    assert "United Kingdom $50.6–60 million (sources differ)" in text
    assert "Converted at the desk's declared rate €1 = $1.09 on 1 December 2023 (S4)." in (
        text.replace("&#39;", "'")
    )


def test_the_chart_is_vector_in_the_pdf(desk: Project) -> None:
    build(desk)
    pdf = desk.root / "build" / "pdf" / "overview-ed1.pdf"
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    assert len(images.stdout.splitlines()) == 2  # the header only: no picture of the chart
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
    assert "$267.05 million" in words.stdout and "$300m" in words.stdout


def test_thirty_actors_with_long_names_fit_one_page(desk: Project) -> None:
    actors, spec = _many(desk, 30)
    started = time.perf_counter()
    drawing = _drawn(actors, spec)
    took = time.perf_counter() - started
    assert took < 0.5
    height = float(re.search(r'viewBox="0 0 640 ([\d.]+)"', drawing).group(1))  # type: ignore[union-attr]
    assert height <= MAX_HEIGHT
    assert drawing.count('role="listitem"') == 30
    assert drawing.count('class="range"') == 10
    # Every name is whole in its aria-label; a drawn line never runs past the label column.
    assert "Long Named Islands Number 29" in drawing
    lines = re.findall(r'text-anchor="end" aria-hidden="true">([^<]+)<', drawing)
    assert lines and all(len(line) <= 34 for line in lines)
    # A name cut to fit keeps its end, where these names differ.
    ends = [line for line in lines if line.startswith("… ")]
    assert [line.rsplit(" ", 1)[-1] for line in ends] == [str(i) for i in range(30)]
    page = (
        f"<html><head><style>{CSS.read_text('utf-8')}</style></head><body>"
        f'<figure class="chart">{drawing}</figure></body></html>'
    )
    document = weasyprint.HTML(string=page).render()
    assert len(document.pages) == 1


def test_a_hundred_actors_still_fit_with_names_on_one_line(desk: Project) -> None:
    actors, spec = _many(desk, 100)
    drawing = _drawn(actors, spec)
    height = float(re.search(r'viewBox="0 0 640 ([\d.]+)"', drawing).group(1))  # type: ignore[union-attr]
    assert height <= MAX_HEIGHT
    lines = re.findall(r'text-anchor="end" aria-hidden="true">([^<]+)<', drawing)
    assert len(lines) == 100
    assert [line.rsplit(" ", 1)[-1] for line in lines] == [str(i) for i in range(100)]


def test_the_same_facts_give_the_same_bytes(desk: Project) -> None:
    actors, spec = _many(desk, 7)
    assert _drawn(actors, spec) == _drawn(list(actors), spec)
    assert "uuid" not in _drawn(actors, spec)


def test_a_chart_of_words_is_refused() -> None:
    with pytest.raises(ValueError, match="'chart: true' needs a field of type money"):
        FieldSpec(key="baseline", label="Baseline", type="text", chart=True)


def test_actor_order_is_the_charts_order(desk: Project) -> None:
    checked = check_project(desk, pdf=False)
    assert checked.base is not None
    facts = checked.base.facts
    spec = next(s for s in facts.vocabulary.fields.commitment if s.key == "pledge")
    drawn = chart_of(actor_order(facts), spec, facts.vocabulary.money)
    assert [b.actor for b in drawn.bars] == [a.id for a in actor_order(facts)]
