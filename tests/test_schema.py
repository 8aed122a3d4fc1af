"""JSON Schema for editors: generated from the model, committed, and as strict as it can be."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from briefing.core.project import Project
from briefing.factbase import schema
from briefing.factbase.load import parse_yaml
from briefing.factbase.model import Edition
from briefing.factbase.validate import load_vocabulary, validate_file
from briefing.factbase.vocabulary import specialise
from tests.conftest import FIXTURES, fixture_models

REPO = Path(__file__).resolve().parent.parent
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
# Engine tests use the fixture desk's vocabulary; the shipped one is tested for invariants.
MODELS = fixture_models()
Actor = MODELS.actor
SourceList = MODELS.source_list


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("schema")
    schema.write(directory, MODELS)
    return directory


def validate_with_schema(
    name: str, files: list[Path], directory: Path
) -> subprocess.CompletedProcess[str]:
    """Run the independent validator (check-jsonschema) on YAML files."""
    return subprocess.run(
        [
            str(CHECK_JSONSCHEMA),
            "--schemafile",
            str(directory / schema.file_name(name)),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_committed_schema_files_are_up_to_date() -> None:
    _, models, _ = load_vocabulary(Project.at(REPO))
    assert models is not None
    stale = schema.stale(REPO / "schema", models)
    assert stale == [], f"run 'briefing schema' to regenerate: {stale}"


def test_stale_detects_a_changed_file(tmp_path: Path) -> None:
    assert sorted(schema.stale(tmp_path, MODELS)) == sorted(
        schema.file_name(n) for n in schema.NAMES
    )
    schema.write(tmp_path, MODELS)
    assert schema.stale(tmp_path, MODELS) == []
    path = tmp_path / "actor.schema.json"
    path.write_text(path.read_text().replace("Short readable id", "Id"))
    assert schema.stale(tmp_path, MODELS) == ["actor.schema.json"]


def _nested(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping inside a schema node, the node included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nested(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nested(value)


def test_a_word_added_to_the_vocabulary_reaches_the_schema(tmp_path: Path) -> None:
    vocab = MODELS.vocabulary.model_copy(deep=True)
    terms = vocab.lists["channel"].terms
    terms.append(terms[0].model_copy(update={"id": "x", "label": "X", "definition": "A post."}))
    schema.write(tmp_path, MODELS)
    assert schema.stale(tmp_path, specialise(vocab)) == ["actor.schema.json"]
    actor = schema.schema_for("actor", specialise(vocab))
    channel = actor["definitions"]["Statement"]["properties"]["channel"]
    # A field's forms (a plain word, or a word with its own citations) nest the words.
    words = next(option for option in _nested(channel) if "enum" in option)
    assert "x" in words["enum"] and "X: A post." in words["enumDescriptions"]


def test_schema_cli_check_fails_when_stale(mini: Project) -> None:
    from briefing.cli import main

    root = str(mini.root)
    assert main(["--root", root, "schema", "--check"]) == 1
    assert main(["--root", root, "schema"]) == 0
    assert main(["--root", root, "schema", "--check"]) == 0
    assert (mini.root / "schema" / "edition.schema.json").is_file()


def test_schema_needs_a_vocabulary_that_checks(tmp_path: Path) -> None:
    from briefing.cli import main

    assert main(["--root", str(tmp_path), "schema"]) == 1


def test_facts_files_name_their_schema() -> None:
    for name, pattern in schema.USED_BY.items():
        for path in REPO.glob(pattern):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            relative = (
                Path("..") / "schema" if path.parent.name == "facts" else Path("../../schema")
            )
            assert first == f"# yaml-language-server: $schema={relative}/{name}.schema.json"


def test_descriptions_become_hover_text() -> None:
    actor = schema.schema_for("actor", MODELS)
    citation = actor["definitions"]["Citation"]["properties"]["quote"]
    assert "Verbatim" in citation["description"]
    # Every field a curator writes carries a description.
    for definition in [actor, *actor["definitions"].values()]:
        for key, prop in definition.get("properties", {}).items():
            assert prop.get("description"), f"{definition['title']}.{key} has no description"


def test_schema_is_draft_7_without_ref_siblings() -> None:
    """yaml-language-server implements draft 7, where keywords beside '$ref' are ignored."""
    edition = schema.schema_for("edition", MODELS)
    assert edition["$schema"] == "http://json-schema.org/draft-07/schema#"
    event = edition["properties"]["event"]
    assert event["allOf"] == [{"$ref": "#/definitions/Event"}]
    assert event["description"].startswith("The event")

    def refs(node: object) -> list[dict[str, object]]:
        if isinstance(node, dict):
            own = [node] if "$ref" in node else []
            return own + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    for name in schema.NAMES:
        for ref in refs(schema.schema_for(name, MODELS)):
            assert list(ref) == ["$ref"], ref
            assert str(ref["$ref"]).startswith("#/definitions/")


def test_shipped_facts_validate_against_schema() -> None:
    for name, pattern in schema.USED_BY.items():
        files = sorted(REPO.glob(pattern))
        assert files
        result = validate_with_schema(name, files, REPO / "schema")
        assert result.returncode == 0, result.stdout + result.stderr


ACTOR_OK = """\
id: xx
name: Somewhere
kind: country
code: PL
commitments:
  - id: xx-deal
    title: A deal
    instrument: proposal
    status: proposed
    mutual_defence: not stated
    date: {value: 2023-07-11, basis: stated}
    summary: A deal.
    citations:
      - source: src
        quote: words from the source
"""

# Each breaks one rule pydantic enforces and JSON Schema can express.
BROKEN_ACTORS = {
    "unknown key": ACTOR_OK.replace("    title: A deal", "    titel: A deal"),
    "bad enum": ACTOR_OK.replace("instrument: proposal", "instrument: treaty"),
    "bad id": ACTOR_OK.replace("id: xx-deal", "id: XX Deal"),
    "missing key": ACTOR_OK.replace("    mutual_defence: not stated\n", ""),
    "empty citations": ACTOR_OK.split("    citations:")[0] + "    citations: []\n",
    "short quote": ACTOR_OK.replace("words from the source", "words"),
    "month 13": ACTOR_OK.replace("2023-07-11", "2023-13"),
    "date as words": ACTOR_OK.replace("2023-07-11", "July 2023"),
    "bare year is a number": ACTOR_OK.replace("2023-07-11", "2023"),
    "inferred without note": ACTOR_OK.replace("basis: stated", "basis: inferred"),
    "country without code": ACTOR_OK.replace("code: PL\n", ""),
    "organisation with code": ACTOR_OK.replace("kind: country", "kind: organisation"),
    "undeclared kind": ACTOR_OK.replace("kind: country", "kind: planet"),
    "code not two letters": ACTOR_OK.replace("code: PL", "code: POL"),
    "list where mapping": ACTOR_OK.replace(
        "date: {value: 2023-07-11, basis: stated}", "date: [2023]"
    ),
}


def _pydantic_rejects(text: str, model: type, tmp_path: Path) -> bool:
    loaded, problems = parse_yaml(text, tmp_path / "x.yaml", "x.yaml")
    assert loaded is not None and not problems
    value, problems = validate_file(model, loaded)
    return value is None and bool(problems)


def test_ok_actor_passes_both(tmp_path: Path, schema_dir: Path) -> None:
    """The unquoted 2023-07-11 in ACTOR_OK is a YAML 1.1 timestamp; check-jsonschema keeps it as
    the string it was written as (and our loader has no implicit dates), so both accept it."""
    assert not _pydantic_rejects(ACTOR_OK, Actor, tmp_path)
    path = tmp_path / "ok.yaml"
    path.write_text(ACTOR_OK)
    result = validate_with_schema("actor", [path], schema_dir)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("case", sorted(BROKEN_ACTORS))
def test_broken_actor_rejected_by_pydantic_and_schema(
    case: str, tmp_path: Path, schema_dir: Path
) -> None:
    text = BROKEN_ACTORS[case]
    assert _pydantic_rejects(text, Actor, tmp_path), case
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    result = validate_with_schema("actor", [path], schema_dir)
    assert result.returncode == 1, f"{case}: schema accepted it\n{result.stdout}"


def test_broken_edition_and_sources_rejected_by_schema(tmp_path: Path, schema_dir: Path) -> None:
    edition = (FIXTURES / "mini" / "facts" / "edition.yaml").read_text()
    bad_edition = edition.replace("number: 3", "number: 0")
    bad_as_of = next(line for line in edition.splitlines() if line.startswith("as_of:"))
    cases: list[tuple[str, type, str]] = [
        ("edition", Edition, bad_edition),
        ("edition", Edition, edition.replace(bad_as_of, "as_of: 2023-7-1")),
        ("edition", Edition, edition.replace("questions:", "questions: []\nx:")),
    ]
    sources = (FIXTURES / "mini" / "facts" / "sources.yaml").read_text()
    assert "reliability: B" in sources
    cases.append(("sources", SourceList, sources.replace("reliability: B", "reliability: G", 1)))
    for i, (name, model, text) in enumerate(cases):
        assert _pydantic_rejects(text, model, tmp_path), text
        path = tmp_path / f"case{i}.yaml"
        path.write_text(text)
        assert validate_with_schema(name, [path], schema_dir).returncode == 1, text


def test_calendar_is_beyond_the_schema(tmp_path: Path, schema_dir: Path) -> None:
    """An honest limit: a pattern cannot know that February has no 30th; pydantic does."""
    text = ACTOR_OK.replace("2023-07-11", "2023-02-30")
    assert _pydantic_rejects(text, Actor, tmp_path)
    path = tmp_path / "feb30.yaml"
    path.write_text(text)
    assert validate_with_schema("actor", [path], schema_dir).returncode == 0
