"""`briefing find-quote`: find remembered words in the sources and print what to cite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from briefing.authoring.findquote import SourceText, citation_yaml, fold, load_sources, search
from briefing.check.facts import run_check
from briefing.cli import main
from briefing.core.diagnostics import errors
from briefing.core.project import Project
from briefing.evidence.quotes import normalise
from tests.editing_fixture import edit, make_project


def texts(**named: str) -> list[SourceText]:
    return [SourceText(k, f"{k}.txt", normalise(v)) for k, v in named.items()]


def test_fold_ignores_case_punctuation_and_apostrophes() -> None:
    assert fold("We DON'T, rule -- it  out!").text == "we dont rule it out"


def test_typographic_quotes_and_line_breaks_are_exact() -> None:
    sources = texts(a="He said that the \u201cpartnership will\n   last ten years\u201d today.")
    [hit] = search('"partnership will last ten years"', sources)
    assert hit.kind == "exact"
    assert hit.passage == "\u201cpartnership will last ten years\u201d"
    assert (hit.line, hit.col) == (1, 18)
    assert hit.before.endswith("He said that the ")
    assert hit.after == " today."


def test_case_and_punctuation_are_forgiven_but_passage_is_the_sources() -> None:
    sources = texts(
        a="Officials were cautious. \u201cWe don\u2019t rule anything out,\u201d she said."
    )
    [hit] = search("we dont rule anything out", sources)
    assert hit.kind == "loose"
    assert hit.passage == "We don\u2019t rule anything out"
    assert 0.8 < hit.score < 1.0


def test_whole_words_only() -> None:
    hits = search("art", texts(a="a partnership, an artist"))
    assert [h.kind for h in hits] in ([], ["near"])


def test_ranked_best_first_then_in_source_order() -> None:
    sources = texts(
        one="Talks Will Continue, they said.",
        two="talks will continue through summer; talks will continue",
    )
    hits = search("talks will continue", sources)
    assert [(h.source_id, h.kind, h.col) for h in hits] == [
        ("two", "exact", 1),
        ("two", "exact", 37),
        ("one", "loose", 1),
    ]


def test_near_misses_when_nothing_matches() -> None:
    sources = texts(
        a="The minister said the partnership will last ten years and include training.",
        b="Completely unrelated words about the weather in spring.",
    )
    hits = search("the partnership will last twelve years", sources)
    assert [h.kind for h in hits] == ["near"]
    assert hits[0].source_id == "a"
    assert "partnership will last ten years" in hits[0].passage
    assert hits[0].score >= 0.6


def test_citation_yaml_quotes_when_needed() -> None:
    [hit] = search("clear security guarantees", texts(b='offer "clear security guarantees" now'))
    assert hit.passage == "clear security guarantees"
    [hit] = search('offer "clear', texts(b='offer "clear security guarantees" now'))
    assert citation_yaml(hit) == '- source: b\n  quote: offer "clear'
    [hit] = search("key: value", texts(b="a key: value pair"))
    assert citation_yaml(hit) == "- source: b\n  quote: 'key: value'"


def test_cli_prints_source_line_passage_and_context(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    assert main(["--root", str(project.root), "find-quote", "WE DONT", "rule anything out"]) == 0
    out = capsys.readouterr().out
    assert "1. alpha  facts/sources/alpha.txt:6:40  (differs in case or punctuation" in out
    assert "[We don\u2019t rule anything out]" in out
    assert "   - source: alpha\n     quote: We don\u2019t rule anything out\n" in out


def test_cli_near_miss_exit_status(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    assert main(["--root", str(project.root), "find-quote", "talks would go on all summer"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("no match; the closest passages are:")
    assert "beta  facts/sources/beta.txt:" in out
    assert main(["--root", str(project.root), "find-quote", "zebra xylophone quartz"]) == 1
    assert "no match for 'zebra xylophone quartz'" in capsys.readouterr().err


def test_falls_back_to_files_when_sources_yaml_is_broken(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    (project.facts / "sources.yaml").write_text("sources: [unclosed\n")
    (project.sources / "gamma.txt").write_text("A brand new text about harbour cranes.\n")
    found = load_sources(project)
    assert sorted(s.name for s in found) == [
        "facts/sources/alpha.txt",
        "facts/sources/beta.txt",
        "facts/sources/gamma.txt",
    ]
    assert all(s.source_id is None for s in found)
    assert main(["--root", str(project.root), "find-quote", "harbour cranes"]) == 0
    assert "1. (not registered)  facts/sources/gamma.txt:1:24  (exact)" in capsys.readouterr().out


def test_pasted_passage_passes_the_check(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    [hit] = search("officials in the north were cautious", load_sources(project))
    ee = project.facts / "actors" / "ee.yaml"
    edit(ee, "quote: \u201cpartnership will last ten years\u201d", f"quote: {hit.passage}")
    base, problems = run_check(project)
    assert base is not None
    assert errors(problems) == []


def test_output_into_a_pipe_closed_early_ends_quietly(mini: Project) -> None:
    # `briefing find-quote pact | head -1`: the reader stops after a few bytes.
    lines = [f"Line {n}: the harbour pact was discussed once more." for n in range(3000)]
    (mini.sources / "many.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = Path(sys.executable).with_name("briefing")  # the installed console script
    assert command.is_file()
    process = subprocess.Popen(
        [str(command), "--root", str(mini.root), "find-quote", "pact", "--limit", "3000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    # Far more output than a pipe holds: the command is still writing when the pipe closes.
    first = process.stdout.read(64)
    process.stdout.close()
    err = process.stderr.read().decode("utf-8", "replace")
    code = process.wait(timeout=60)
    assert first.startswith(b"1. ")
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert err == ""
    assert code == 141  # 128 + SIGPIPE, as for any command a closed pipe stops
