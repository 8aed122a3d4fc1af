"""The names a reader's attachment panel shows each source under: its label and title, plain."""

from __future__ import annotations

from typing import Any

import pytest

from briefing.evidence.attached import TITLE_CHARACTERS, attached_names
from briefing.factbase.model import Source
from briefing.pdf.verify import _safe_name


def source(**fields: Any) -> Source:
    given: dict[str, Any] = {
        "id": "harbour",
        "file": "harbour.txt",
        "title": "Harbour Council Weighs a Shield",
        "outlet": "The Harbour Gazette",
        "reliability": "B",
        "reliability_note": "Fixture.",
    }
    return Source.model_validate({**given, **fields})


def test_a_text_is_named_by_its_label_and_title() -> None:
    names = attached_names(source(), "S1")
    assert names.text == "S1 Harbour Council Weighs a Shield.txt"
    assert names.original is None


def test_its_original_beside_it() -> None:
    names = attached_names(source(original="harbour.html"), "S2")
    assert names.text == "S2 Harbour Council Weighs a Shield.txt"
    assert names.original == "S2 Harbour Council Weighs a Shield (original).html"


def test_excerpts_say_they_are_the_passages_cited_and_carry_no_original() -> None:
    names = attached_names(source(redistribute="excerpts", original="harbour.html"), "S3")
    assert names.text == "S3 Harbour Council Weighs a Shield (passages cited).json"
    assert names.original is None


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Tracker: who has pledged what?", "S1 Tracker - who has pledged what.txt"),
        ('A/B "test" <x> | y\\z', "S1 A-B 'test' x - y-z.txt"),
        ("Line\nbreak\x1b[2K here.", "S1 Line break [2K here.txt"),
        ("../../etc/passwd", "S1 ..-..-etc-passwd.txt"),
    ],
)
def test_a_title_is_made_a_plain_file_name(title: str, shown: str) -> None:
    name = attached_names(source(title=title), "S1").text
    assert name == shown
    # verify reads it back under the same name: one plain path, no folder.
    assert _safe_name(name) == name and "/" not in name


def test_a_long_title_is_cut_at_a_word() -> None:
    title = "NATO Members Are Uncertain About What to Propose to Ukraine at the Summit in Vilnius"
    name = attached_names(source(title=title), "S5").text
    assert name == "S5 NATO Members Are Uncertain About What to Propose to Ukraine….txt"
    assert len(name) <= len("S5 ") + TITLE_CHARACTERS + len("….txt")
