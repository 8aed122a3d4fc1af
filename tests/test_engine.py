"""The generic engine: vocabulary from the facts, one pipeline, planned outputs, located errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.check.facts import check_project
from briefing.cli import main
from briefing.core.diagnostics import errors
from briefing.core.project import Project
from briefing.render.pages import PACKAGE_TEMPLATES
from tests.editing_fixture import edit, messages

# --- The vocabulary ---------------------------------------------------------------------------


def test_a_word_added_to_a_list_can_be_used_with_no_other_change(mini: Project) -> None:
    south = mini.actors / "south.yaml"
    edit(south, "    instrument: bilateral agreement", "    instrument: treaty")
    found = messages(mini)
    assert len(found) == 1 and "'treaty' is not allowed here" in found[0]
    assert found[0].startswith("facts/actors/south.yaml:14:17: error:")
    edit(
        mini.facts / "vocabulary.yaml",
        "      - id: bilateral agreement\n",
        "      - id: treaty\n        definition: A binding agreement between states.\n"
        "      - id: bilateral agreement\n",
    )
    assert messages(mini) == []
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    # The commitment is printed in full in the principal's note.
    assert ">treaty<" in (mini.build / "html" / "note.html").read_text(encoding="utf-8")


def test_an_undeclared_word_gets_a_suggestion(mini: Project) -> None:
    edit(mini.actors / "council.yaml", "stance: opposes", "stance: oposes")
    [problem] = messages(mini)
    assert "positions.0.stance: 'oposes' is not allowed here" in problem
    assert "did you mean 'opposes'?" in problem


def test_a_desk_can_add_and_drop_fields(mini: Project) -> None:
    vocabulary = mini.facts / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    # Drop 'duration' and add a number with a unit and an integer, in this order.
    start = text.index("    - key: duration")
    end = text.index("    - key: elements")
    text = text[:start] + text[end:]
    text = text.replace(
        "  position:\n",
        "    - key: finance_usd\n      label: Finance\n      type: number\n      unit: USD\n"
        "    - key: target_year\n      label: Target year\n      type: integer\n"
        "      required: true\n  position:\n",
    )
    vocabulary.write_text(text, encoding="utf-8")
    south = mini.actors / "south.yaml"
    found = messages(mini)
    assert any("unknown key 'duration'" in m for m in found)
    assert any("missing required key 'target_year'" in m for m in found)
    edit(south, "    duration: 10 years\n", "    finance_usd: 2500000\n    target_year: 2041\n")
    # The fixture's quotes give neither figure: warned of (Q501), which does not stop a build.
    assert [m.split(": warning: ")[1].split(" ")[0] for m in messages(mini)] == [
        "2,500,000",
        "2041",
    ]
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    # Commitments are printed in full in the principal's note, their fields in declared order.
    html = (mini.build / "html" / "note.html").read_text(encoding="utf-8")
    card = html.split('id="note-fact-south-pact"')[1].split("</div>")[0]
    keys = re.findall(r'<span class="field-([\w]+)"[^>]*>', card)
    assert keys[-2:] == ["finance_usd", "target_year"]
    assert "2,500,000 USD" in html and ">2041<" in html
    assert "Duration" not in html


def test_true_is_not_a_number(mini: Project) -> None:
    vocabulary = mini.facts / "vocabulary.yaml"
    edit(
        vocabulary,
        "  position:\n",
        "    - key: target_year\n      label: Target year\n      type: integer\n  position:\n",
    )
    edit(mini.actors / "south.yaml", "    duration: 10 years\n", "    target_year: true\n")
    assert any("target_year" in m and "integer" in m for m in messages(mini))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  confidence:\n", "  sureness:\n", "the list 'confidence' is missing"),
        ("      list: stance\n", "      list: stances\n", "unknown list 'stances'"),
        ("      answer: true\n", "", "exactly one position field must be the answer"),
        ("        code: none\n", "", "does not say which code its actors carry"),
        ("    - key: duration\n", "    - key: title\n", "'title' is a field every commitment"),
    ],
)
def test_vocabulary_mistakes_are_located(mini: Project, old: str, new: str, expected: str) -> None:
    edit(mini.facts / "vocabulary.yaml", old, new)
    found = messages(mini)
    assert any(expected in m and m.startswith("facts/vocabulary.yaml:") for m in found), found


# --- One pipeline: planned outputs and ids unique by construction ------------------------------


@pytest.mark.parametrize("reserved", ["overview", "book", "index", "source"])
def test_an_actor_named_like_an_output_is_a_located_error(mini: Project, reserved: str) -> None:
    council = mini.actors / "council.yaml"
    edit(council, "id: council\n", f"id: {reserved}\n")
    council.rename(mini.actors / f"{reserved}.yaml")
    edit(mini.facts / "people.yaml", "actor: council", f"actor: {reserved}")
    found = [m for m in messages(mini) if "error" in m]
    assert len(found) == 1, found
    assert found[0].startswith(f"facts/actors/{reserved}.yaml:1:5: error: actor id '{reserved}'")
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 1
    assert not mini.build.exists()


def test_a_fact_id_cannot_break_the_page(mini: Project) -> None:
    """A fact with id 'content' once took the skip link's target."""
    edit(mini.actors / "south.yaml", "id: south-pact", "id: content")
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    for page in ("south", "note"):  # the note prints the commitment in full
        html = (mini.build / "html" / f"{page}.html").read_text(encoding="utf-8")
        assert html.count('id="content"') == 1, page
    assert 'id="note-fact-content"' in html


def test_check_reads_each_source_once_and_keeps_it(mini: Project) -> None:
    checked = check_project(mini)
    assert not errors(checked.problems)
    assert set(checked.texts) == {"harbour"}
    assert checked.plan is not None and checked.plan.slugs == (
        "note",
        "overview",
        "council",
        "south",
    )


# --- Template mistakes are located, in build and in serve --------------------------------------


def _override(project: Project, name: str, old: str, new: str) -> Path:
    """A project copy of a packaged template, with one change."""
    target = project.templates / name
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (PACKAGE_TEMPLATES / name).read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_an_undefined_name_in_a_template_is_located(
    mini: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    _override(mini, "actor.html", "{{ actor.name }}</h1>", "{{ actor.nmae.upper() }}</h1>")
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    line = next(
        n
        for n, text in enumerate((mini.templates / "actor.html").read_text().splitlines(), 1)
        if "actor.nmae" in text
    )
    assert f"templates/actor.html:{line}:1: error: template error:" in err
    assert "nmae" in err
    assert not mini.build.exists()


def test_a_template_syntax_error_is_located_in_serve_too(mini: Project) -> None:
    from briefing.site.serve import Preview

    _override(mini, "overview.html", "{% endif %}", "{% endiff %}")
    preview = Preview(mini)
    preview.rebuild()
    page = preview.page("/html/overview.html")
    assert page is not None and "templates/overview.html:" in page
    assert "Traceback" not in page


def test_project_templates_override_the_packaged_ones(mini: Project) -> None:
    _override(mini, "book/cover.html", ">Contents</h2>", ">Desk book</h2>")
    assert main(["--root", str(mini.root), "build"]) == 0
    from pypdf import PdfReader

    # The contents follow the principal's note, which opens the book.
    pages = PdfReader(mini.build / "pdf" / "book-ed3.pdf").pages
    assert any("Desk book" in page.extract_text() for page in pages[:4])


# --- A new desk ----------------------------------------------------------------------------


def test_init_starts_a_desk_that_checks_strictly_and_builds(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    assert main(["init", str(desk)]) == 0
    assert main(["--root", str(desk), "check", "--strict"]) == 0
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "build"],
        cwd=desk,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (desk / "build" / "pdf" / "book-ed1.pdf").is_file()
    assert (desk / "schema" / "actor.schema.json").is_file()
    assert main(["init", str(desk)]) == 2  # never over an existing desk


def test_a_template_that_leads_outside_is_refused(
    mini: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("/* secret-outside-words */", encoding="utf-8")
    mini.templates.mkdir()
    (mini.templates / "brief.css").symlink_to(secret)
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "templates/brief.css: error: file is a symlink that leads outside templates/" in err
    assert "secret-outside-words" not in err and not mini.build.exists()
