"""The incremental check (briefing.core.memo): after any edit, a check that reuses what the last
one made from unchanged files reports exactly what a check from scratch reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from briefing.check import facts as check_module
from briefing.check.facts import Checked, check_project
from briefing.core.memo import Memo
from briefing.core.project import Project
from tests.editing_fixture import edit, make_project


def _same(project: Project, memo: Memo, before: Callable[[], None] = lambda: None) -> Checked:
    """Check `project` from scratch and with `memo` (calling `before` between the two), and
    require the same outcome."""
    full = check_project(project)
    before()
    incremental = check_project(project, memo=memo)
    assert [p.format() for p in incremental.problems] == [p.format() for p in full.problems]
    assert incremental.problems == full.problems
    assert sorted(incremental.proofs.recorded()) == sorted(full.proofs.recorded())
    assert {k: t.original for k, t in incremental.texts.items()} == {
        k: t.original for k, t in full.texts.items()
    }
    assert incremental.plan == full.plan
    return full


def _codes(checked: Checked) -> list[str]:
    return sorted(p.code for p in checked.problems)


def test_every_edit_is_checked_as_a_check_from_scratch_checks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    facts = project.facts
    ee, north = facts / "actors" / "ee.yaml", facts / "actors" / "north.yaml"
    memo = Memo(project.root)
    checked_files: list[str] = []
    real = check_module._check_file

    def counting(shared: check_module.Shared, entry: object, loaded: object) -> object:
        checked_files.append(loaded.name)  # type: ignore[attr-defined]
        return real(shared, entry, loaded)  # type: ignore[arg-type]

    monkeypatch.setattr(check_module, "_check_file", counting)

    def step(change: Callable[[], object], *codes: str) -> Checked:
        change()
        result = _same(project, memo, checked_files.clear)
        for code in codes:
            assert code in _codes(result), f"{code} missing after the edit"
        return result

    assert _same(project, memo).problems == []
    checked_files.clear()
    assert check_project(project, memo=memo).problems == []
    assert checked_files == []  # nothing changed: no file is checked again

    # A quote made wrong, then right again: only the edited file is checked again.
    wrong = "quote: it would include training and cooking"
    step(
        lambda: edit(ee, "quote: it would include training and intelligence sharing.", wrong),
        "Q101",
    )
    assert checked_files == ["facts/actors/ee.yaml"]
    step(lambda: edit(ee, wrong, "quote: it would include training and intelligence sharing."))
    assert _codes(check_project(project)) == []

    # A fact renamed; a source renamed in sources.yaml (every citation of it is then unknown),
    # and back.
    step(lambda: edit(ee, "id: ee-partnership", "id: ee-pact"))
    step(lambda: edit(facts / "sources.yaml", "id: alpha", "id: alfa"), "R003", "Q206")
    step(lambda: edit(facts / "sources.yaml", "id: alfa", "id: alpha"))
    assert _codes(check_project(project)) == []

    # A source text edited: the quotes that relied on the words it loses are not found.
    alpha = facts / "sources" / "alpha.txt"
    step(lambda: edit(alpha, "training and intelligence", "training and logistics"), "Q101")
    step(lambda: edit(alpha, "training and logistics", "training and intelligence"))

    # A speaker renamed in people.yaml: the source no longer names them near their words.
    step(lambda: edit(facts / "people.yaml", "Ben Example", "Ben Sample"), "Q302")
    step(lambda: edit(facts / "people.yaml", "Ben Sample", "Ben Example"))

    # A file that no longer validates: its quotes are still checked, from its YAML.
    step(lambda: edit(north, "stance: cautious", "stance: cautious\n    mood: calm"), "S001")
    step(lambda: edit(north, "membership was a question", "membership is a question"), "Q101")
    step(lambda: edit(north, "    mood: calm\n", ""), "Q101")
    step(lambda: edit(north, "membership is a question", "membership was a question"))

    # A fact deleted (the minister's only statement), words in quotation marks that no source
    # has, an actor file added (a copy: its ids are taken) and deleted.
    statement = ee.read_text(encoding="utf-8").split("statements:")[1].split("\nbluf:")[0]
    step(lambda: edit(ee, "statements:" + statement, ""), "C004")
    step(lambda: edit(north, "Cautious; membership", 'Cautious; "membership can wait"'), "Q401")
    step(lambda: (facts / "actors" / "west.yaml").write_text(north.read_text("utf-8")), "R001")
    step(lambda: (facts / "actors" / "west.yaml").unlink())
    step(lambda: edit(north, 'Cautious; "membership can wait"', "Cautious; membership"))
    assert _codes(check_project(project)) == ["C004"]


def test_the_memo_keeps_only_what_recent_checks_used(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ee = project.facts / "actors" / "ee.yaml"
    memo = Memo(project.root)
    check_project(project, memo=memo)
    held = len(memo)
    for n in range(8):
        text = ee.read_text(encoding="utf-8")
        ee.write_text(text.replace("Wants clear", f"Wants {n} clear", 1), encoding="utf-8")
        ee.write_text(ee.read_text("utf-8").replace(f"Wants {n - 1} clear", "Wants clear"))
        check_project(project, memo=memo)
    # What each edit made is dropped two checks later: the memo does not grow with edits.
    assert len(memo) <= held + 4
    assert memo.hits > 0


def test_a_memo_checks_only_its_own_project(tmp_path: Path) -> None:
    one, other = make_project(tmp_path / "one"), make_project(tmp_path / "other")
    with pytest.raises(ValueError, match="cannot check"):
        check_project(other, memo=Memo(one.root))
