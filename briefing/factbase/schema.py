"""JSON Schema for editors, generated from the model and the desk's vocabulary: hover text,
completion of the declared words with their definitions, squiggles.

The facts files name their schema in a first-line comment that yaml-language-server reads
(`# yaml-language-server: $schema=../schema/actor.schema.json`). The schema depends on the
project's facts/vocabulary.yaml, so it is generated per project (and refreshed by every build).
The model stays the authority; the schema is a faithful but weaker copy (it cannot check the
calendar or cross-references).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from briefing.core.files import write_text_atomic
from briefing.factbase.model import Distribution, Edition, PeopleList, Vocabulary
from briefing.factbase.vocabulary import Models

# Draft 7: the dialect yaml-language-server (VS Code's YAML extension and others) implements.
DIALECT = "http://json-schema.org/draft-07/schema#"

# The schema stems in schema/, in the order they are written.
NAMES = ("vocabulary", "edition", "overview", "sources", "people", "actor", "distribution")


def models_by_name(models: Models) -> dict[str, type[BaseModel]]:
    """File stem in schema/ → the model of the facts files that name it."""
    return {
        "vocabulary": Vocabulary,
        "edition": Edition,
        "overview": models.overview,
        "sources": models.source_list,
        "people": PeopleList,
        "actor": models.actor,
        "distribution": Distribution,
    }


# Which facts file uses which schema, for tests and documentation.
USED_BY: dict[str, str] = {
    "vocabulary": "facts/vocabulary.yaml",
    "edition": "facts/edition.yaml",
    "overview": "facts/overview.yaml",
    "sources": "facts/sources.yaml",
    "people": "facts/people.yaml",
    "actor": "facts/actors/*.yaml",
    "distribution": "facts/distribution.yaml",
}


def file_name(name: str) -> str:
    """The schema file name for a schema stem, e.g. 'actor.schema.json'."""
    return f"{name}.schema.json"


def schema_for(name: str, models: Models) -> dict[str, Any]:
    """The JSON Schema of one facts file kind, as a dict."""
    model = models_by_name(models)[name]
    body = model.model_json_schema(mode="validation", ref_template="#/definitions/{model}")
    if "$defs" in body:
        body["definitions"] = body.pop("$defs")
    return {"$schema": DIALECT, **_ref_siblings(body)}


def _ref_siblings(node: Any) -> Any:
    """Wrap '$ref' in 'allOf' where it has siblings: draft 7 ignores keywords beside a '$ref',
    which would drop the description (the hover text) of fields such as 'event'."""
    if isinstance(node, list):
        return [_ref_siblings(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _ref_siblings(value) for key, value in node.items()}
    if "$ref" in node and len(node) > 1:
        ref = node.pop("$ref")
        node = {"allOf": [{"$ref": ref}], **node}
    return node


def schema_text(name: str, models: Models) -> str:
    """The schema as the exact text written to schema/ (stable key order, final newline)."""
    return json.dumps(schema_for(name, models), indent=2, ensure_ascii=False) + "\n"


def stale(directory: Path, models: Models) -> list[str]:
    """Schema files in `directory` that are missing or differ from the model."""
    out: list[str] = []
    for name in NAMES:
        path = directory / file_name(name)
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != schema_text(name, models):
            out.append(file_name(name))
    return out


def write(directory: Path, models: Models) -> list[Path]:
    """Write every schema file into `directory`; returns the files that changed."""
    changed: list[Path] = []
    for name in stale(directory, models):
        path = directory / name
        write_text_atomic(path, schema_text(name.removesuffix(".schema.json"), models))
        changed.append(path)
    return changed
