"""Validate: turn loaded YAML into the pydantic model, mapping every error back to file:line:col."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from briefing.core.diagnostics import Diagnostic, Location, did_you_mean, suggest
from briefing.core.gate import folder_leaves
from briefing.core.memo import Memo
from briefing.core.project import Project
from briefing.factbase.load import LoadedFile, iter_yaml, load_file
from briefing.factbase.model import (
    LANGUAGE_PATTERN,
    Actor,
    Distribution,
    Edition,
    FactBase,
    FuzzyDate,
    Money,
    PeopleList,
    Vocabulary,
    iso_date_hint,
)
from briefing.factbase.values import read_amount, read_money
from briefing.factbase.vocabulary import Models, check_vocabulary, specialise

M = TypeVar("M", bound=BaseModel)


@dataclass
class LoadedFactBase:
    """A validated fact base and the files it came from, so later stages can point at lines."""

    facts: FactBase
    models: Models
    vocabulary_file: LoadedFile
    edition_file: LoadedFile
    overview_file: LoadedFile
    sources_file: LoadedFile
    people_file: LoadedFile
    actor_files: list[LoadedFile]
    # Ids of actors whose file failed to load or validate (file stem, and the id it declares):
    # references to them are not reported again as unknown.
    failed_actors: frozenset[str] = frozenset()
    # facts/distribution.yaml, where the desk keeps one (briefing distribute).
    distribution: Distribution | None = None
    distribution_file: LoadedFile | None = None


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional wrappers from a type."""
    while True:
        origin = get_origin(tp)
        if origin is typing.Annotated:
            tp = get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def type_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> Any:
    """The declared type at a pydantic error location, or None when the path leaves the model."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            if get_origin(current) in (typing.Union, types.UnionType):
                # A declared field's forms, one of them a list: the entry is the list's.
                lists = [_unwrap(a) for a in get_args(current) if get_origin(_unwrap(a)) is list]
                current = lists[0] if lists else current
            if get_origin(current) is not list:
                return None
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            # A mapping by key ('languages: {fr: ...}'): its values' type.
            current = get_args(current)[1]
        elif get_origin(current) in (typing.Union, types.UnionType):
            # A declared field's forms (plain, sourced, disputed): the one that has the key.
            models = [_unwrap(a) for a in get_args(current)]
            found = [m for m in models if _is_model(m) and part in m.model_fields]
            if not found:
                return None
            current = found[0].model_fields[part].annotation
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    return _unwrap(current)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _describe(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


_EDITION_NUMBER_HINT = (
    "editions are counted 1, 2, 3, ...: give the last released edition's number plus one "
    "(editions/ holds the released ones)"
)


# Pydantic's error types, by the code of the kind of mistake each is; a type not named here is
# a wrong type if it ends in '_type' or '_parsing', else a value of the wrong form.
_PYDANTIC_CODES = {
    "extra_forbidden": "S001",
    "missing": "S002",
    "literal_error": "S003",
    "enum": "S003",
    "value_error": "S006",
    "assertion_error": "S006",
}


def _pydantic_code(kind: str) -> str:
    if kind in _PYDANTIC_CODES:
        return _PYDANTIC_CODES[kind]
    return "S004" if kind.endswith(("_type", "_parsing")) else "S005"


def diagnose(error: ErrorDetails, model: type[BaseModel], loaded: LoadedFile) -> Diagnostic:
    """One pydantic error as a curator-facing diagnostic at the right line and column."""
    loc = tuple(error["loc"])
    kind = error["type"]
    message = error["msg"].removeprefix("Value error, ")
    hint = ""
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = type_at(model, loc[:-1])
        allowed = list(parent.model_fields) if _is_model(parent) else []
        where = loaded.locate(loc, key=True)
        return Diagnostic(where, f"unknown key '{key}'", did_you_mean(key, allowed), code="S001")
    if kind == "missing":
        key = str(loc[-1])
        where = loaded.locate(loc[:-1])
        field_type = type_at(model, loc[:-1])
        field = field_type.model_fields.get(key) if _is_model(field_type) else None
        desc = f" ({field.description})" if field is not None and field.description else ""
        return Diagnostic(
            where, f"missing required key '{key}'", f"add '{key}:'{desc}", code="S002"
        )
    if loc and loc[-1] == "[key]":
        # A mapping's key is wrong ('languages: {French: ...}'): point at the key itself.
        loc = loc[:-1]
        where = loaded.locate(loc, key=True)
    else:
        where = loaded.locate(loc)
    declared = type_at(model, loc)
    if get_origin(declared) in (typing.Union, types.UnionType):
        # A declared field's forms: a word or number written plainly is judged as the plain
        # form, which comes first.
        declared = _unwrap(get_args(declared)[0])
    if kind == "literal_error" and get_origin(declared) is Literal:
        choices = [str(c) for c in get_args(declared)]
        value = error.get("input")
        message = f"{_describe(value)} is not allowed here"
        hint = did_you_mean(str(value), choices) or "allowed: " + ", ".join(choices)
        if "did you mean" in hint:
            hint += " (allowed: " + ", ".join(choices) + ")"
    elif kind == "string_pattern_mismatch" and loc and loc[-1] == "sha256":
        message = f"{_describe(error.get('input'))} is not a SHA-256 (64 lower-case hex digits)"
        hint = "let 'briefing pin' write it"
    elif kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == (
        LANGUAGE_PATTERN
    ):
        message = f"{_describe(error.get('input'))} is not a language tag"
        hint = "use a BCP 47 tag, e.g. 'en', 'fr' or 'pt-BR'"
    elif kind == "string_pattern_mismatch":
        message = f"{_describe(error.get('input'))} is not a valid id"
        hint = "ids use lower-case letters, digits, '-' and '_', at most 40 characters"
    elif kind == "too_short" and isinstance(error.get("input"), list):
        message = "this list needs at least one entry"
        if loc and loc[-1] == "citations":
            hint = "cite a source: '- source: <id>' and 'quote: <verbatim words>'"
    elif kind in {"less_than_equal", "greater_than_equal"}:
        message = f"{message}, got {_describe(error.get('input'))}"
        if model is Edition and loc == ("number",):
            hint = _EDITION_NUMBER_HINT
    elif kind in {"dict_type", "model_type"} and declared is FuzzyDate:
        value = error.get("input")
        message = f"a date is written as a mapping of 'value' and 'basis', got {_describe(value)}"
        iso = iso_date_hint(value) if isinstance(value, str) else None
        written = iso.rsplit("write ", 1)[-1].split(" or ")[0] if iso else "YYYY-MM-DD"
        hint = f"write {{value: {written}, basis: stated}}" + (
            f" ({iso})" if iso and "ambiguous" in iso else ""
        )
    elif kind in {"dict_type", "model_type", "float_type", "float_parsing"} and isinstance(
        error.get("input"), str
    ):
        value = error.get("input")
        amount = read_amount(value) if isinstance(value, str) else None
        message = (
            f"expected a number, got {_describe(value)}"
            if kind.startswith("float") or amount is not None
            else f"expected a mapping of keys to values, got {_describe(value)}"
        )
        if amount is not None:
            digits = str(int(amount)) if amount.is_integer() else repr(amount)
            hint = f"write the number in digits, without quotes: {digits}"
            money = read_money(value) if isinstance(value, str) else None
            if _is_model(declared) and issubclass(declared, Money) and money and money[1]:
                # '£20 million' in a dollar field: the currency is written out, never lost.
                qualifier = f", qualifier: {money[2]}" if money[2] else ""
                hint = f"write {{amount: {digits}, currency: {money[1]}{qualifier}}}"
    elif kind in {"dict_type", "model_type"}:
        message = f"expected a mapping of keys to values, got {_describe(error.get('input'))}"
    elif kind == "list_type":
        message = f"expected a list ('- item' lines), got {_describe(error.get('input'))}"
    elif kind in {"string_type", "int_type", "int_parsing"}:
        value = error.get("input")
        message = f"{message}, got {_describe(value)}"
        if kind == "string_type" and isinstance(value, int | float | bool):
            # YAML reads 2023, 1.5 or true as a number or a boolean; quotes keep it as text.
            text = str(value).lower() if isinstance(value, bool) else str(value)
            hint = f"put it in quotes to make it text: '{text}'"
    field_path = ".".join(str(p) for p in loc)
    if field_path:
        message = f"{field_path}: {message}"
    return Diagnostic(where, message, hint, code=_pydantic_code(kind))


def validate_file(model: type[M], loaded: LoadedFile) -> tuple[M | None, list[Diagnostic]]:
    """Validate one loaded file against a model."""
    try:
        return model.model_validate(loaded.data), []
    except ValidationError as exc:
        errors = _without_misspelt_missing(model, [_untagged(e) for e in exc.errors()])
        return None, [diagnose(error, model, loaded) for error in errors]


def _untagged(error: ErrorDetails) -> ErrorDetails:
    """The error with the tags of a field's forms ('<plain>', '<sourced>') dropped from its
    location: they name no key of the file."""
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("<")))
    return {**error, "loc": loc}


def _without_misspelt_missing(
    model: type[BaseModel], errors: list[ErrorDetails]
) -> list[ErrorDetails]:
    """Drop "missing key 'name'" where an unknown key 'nmae' beside it is that key misspelt.

    The unknown key's diagnostic already suggests the right spelling; one typo, one message.
    """
    misspelt: set[tuple[str | int, ...]] = set()
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] != "extra_forbidden" or not loc:
            continue
        parent = type_at(model, loc[:-1])
        if _is_model(parent):
            best = suggest(str(loc[-1]), parent.model_fields)
            if best is not None:
                misspelt.add((*loc[:-1], best))
    return [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"]) in misspelt)]


Parsed = dict[Path, tuple[LoadedFile | None, list[Diagnostic]]]


def _parse(
    project: Project,
    path: Path,
    parsed: Parsed,
    memo: Memo | None = None,
    real_facts: Path | None = None,
) -> tuple[LoadedFile | None, list[Diagnostic]]:
    """One facts file parsed once: later stages reuse what this returns (and, with `memo`,
    later checks while its text is unchanged). `real_facts`: facts/ resolved already."""
    if path not in parsed:
        name = project.name(path)
        if not path.exists() and not path.is_symlink():
            parsed[path] = (
                None,
                [Diagnostic(Location(name), "file is missing", f"create {name}", code="F001")],
            )
        else:
            parsed[path] = load_file(
                path, name, within=project.facts, memo=memo, real_within=real_facts
            )
    return parsed[path]


def _validated(
    model: type[M], loaded: LoadedFile, memo: Memo | None, vocabulary: str
) -> tuple[M | None, list[Diagnostic]]:
    """validate_file, kept in `memo` by the file's text and the `vocabulary` (the digest of the
    vocabulary file its model is narrowed to): models are frozen, so one can be given again."""
    if memo is None:
        return validate_file(model, loaded)
    key = ("valid", vocabulary, model.__qualname__, loaded.name, loaded.digest)
    value, problems = memo.get(key, lambda: validate_file(model, loaded))
    return value, list(problems)  # the caller's to extend; the memo's stays as it was


def _load_and_validate(
    project: Project,
    relative: str,
    model: type[M],
    parsed: Parsed,
    memo: Memo | None = None,
    vocabulary: str = "",
) -> tuple[LoadedFile | None, M | None, list[Diagnostic]]:
    loaded, problems = _parse(project, project.facts / relative, parsed, memo)
    if loaded is None or problems:
        return loaded, None, list(problems)
    value, problems = _validated(model, loaded, memo, vocabulary)
    return loaded, value, problems


def load_vocabulary(
    project: Project, parsed: Parsed | None = None, memo: Memo | None = None
) -> tuple[LoadedFile | None, Models | None, list[Diagnostic]]:
    """The desk's vocabulary and the model narrowed to it; None when it cannot be used. With
    `memo`, an unchanged vocabulary gives the very models it gave before."""
    cache: Parsed = {} if parsed is None else parsed
    loaded, problems = _parse(project, project.facts / "vocabulary.yaml", cache, memo)
    if loaded is None or problems:
        return loaded, None, list(problems)
    if memo is None:
        return (loaded, *_vocabulary_models(loaded))
    models, problems = memo.get(("vocabulary", loaded.digest), lambda: _vocabulary_models(loaded))
    return loaded, models, list(problems)


def _vocabulary_models(loaded: LoadedFile) -> tuple[Models | None, list[Diagnostic]]:
    vocab, problems = validate_file(Vocabulary, loaded)
    if vocab is None:
        return None, problems
    problems = check_vocabulary(vocab, loaded)
    if problems:
        return None, problems
    return specialise(vocab), []


FIXED_FILES = ("vocabulary.yaml", "edition.yaml", "overview.yaml", "sources.yaml", "people.yaml")

# Optional: who receives which numbered copy. It never travels inside a PDF (see
# render.attachments): a recipient's copy must not list the other recipients.
DISTRIBUTION_FILE = "distribution.yaml"


def load_fact_base(
    project: Project, memo: Memo | None = None
) -> tuple[LoadedFactBase | None, list[Diagnostic], list[LoadedFile]]:
    """Load and validate every file of the fact base, collecting all problems in one pass.

    Every file is parsed once, first; the vocabulary is validated next, and the other files
    against the model it narrows. Returns the fact base (None only when a file everything
    depends on is unusable; otherwise it holds every actor that validated), the problems, and
    every file that parsed, for the checks that read the YAML itself (placeholders).

    With `memo` (see briefing.core.memo), a file whose text is unchanged is neither parsed nor
    validated again (nor is it validated again while the vocabulary is unchanged).
    """
    outside = folder_leaves(project.facts, project.root)
    if outside is not None:
        # Every file below would pass the gate (each is inside facts/): the folder is judged
        # first. A link to a folder inside the project is the curator's own arrangement.
        hint = "keep the fact base inside the project; copy it in instead of linking to it"
        return None, [Diagnostic(Location("facts/"), outside, hint, code="F007")], []
    parsed: Parsed = {}
    # Resolved once for the hundreds of files read from it (each file is resolved itself).
    real_facts = project.facts.resolve()
    actor_paths = list(iter_yaml(project.actors)) if project.actors.is_dir() else []
    for path in [*(project.facts / name for name in FIXED_FILES), *actor_paths]:
        _parse(project, path, parsed, memo, real_facts)
    files = [loaded for loaded, _ in parsed.values() if loaded is not None]
    vocabulary_file, models, problems = load_vocabulary(project, parsed, memo)
    if models is None or vocabulary_file is None:
        # Nothing else can be validated without the vocabulary; syntax problems still show.
        for path, (_, found) in parsed.items():
            if path.name != "vocabulary.yaml" or path.parent != project.facts:
                problems += found
        return None, problems, files
    known = (memo, vocabulary_file.digest)
    edition_file, edition, found = _load_and_validate(
        project, "edition.yaml", Edition, parsed, *known
    )
    problems += found
    overview_file, overview, found = _load_and_validate(
        project, "overview.yaml", models.overview, parsed, *known
    )
    problems += found
    sources_file, sources, found = _load_and_validate(
        project, "sources.yaml", models.source_list, parsed, *known
    )
    problems += found
    people_file, people, found = _load_and_validate(
        project, "people.yaml", PeopleList, parsed, *known
    )
    problems += found
    distribution_file: LoadedFile | None = None
    distribution: Distribution | None = None
    distribution_path = project.facts / DISTRIBUTION_FILE
    if distribution_path.exists() or distribution_path.is_symlink():
        distribution_file, distribution, found = _load_and_validate(
            project, DISTRIBUTION_FILE, Distribution, parsed, *known
        )
        problems += found

    actor_files: list[LoadedFile] = []
    actors: list[Actor] = []
    failed: set[str] = set()
    if not actor_paths:
        problems.append(
            Diagnostic(
                Location(project.name(project.actors)),
                "no actor files found",
                "add one YAML file per actor, e.g. facts/actors/pl.yaml",
                code="F008",
            )
        )
    for path in actor_paths:
        loaded, found = _parse(project, path, parsed, memo)
        problems += found
        actor = None
        if loaded is not None and not found:
            actor, found = _validated(models.actor, loaded, memo, vocabulary_file.digest)
            problems += found
        if actor is None or loaded is None:
            failed.add(path.stem)
            declared = loaded.data.get("id") if loaded and isinstance(loaded.data, dict) else None
            if isinstance(declared, str):
                failed.add(declared.strip())
            continue
        actors.append(actor)
        actor_files.append(loaded)

    if (
        edition is None
        or overview is None
        or sources is None
        or people is None
        or edition_file is None
        or overview_file is None
        or sources_file is None
        or people_file is None
    ):
        return None, problems, files
    facts = FactBase(
        vocabulary=models.vocabulary,
        edition=edition,
        overview=overview,
        sources=sources.sources,
        people=people.people,
        actors=actors,
    )
    # Returned even when some actor files failed, so that the check stage can still verify the
    # quotes of every file that did validate: the curator sees all problems in one run.
    return (
        LoadedFactBase(
            facts,
            models,
            vocabulary_file,
            edition_file,
            overview_file,
            sources_file,
            people_file,
            actor_files,
            frozenset(failed),
            distribution,
            distribution_file,
        ),
        problems,
        files,
    )
