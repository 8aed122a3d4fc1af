"""The desk's vocabulary: its lists and fields checked, then the fact model narrowed to them.

`facts/vocabulary.yaml` declares every closed list a desk chooses words from and the fields its
commitments, positions and statements carry. `specialise` turns the generic model of
`briefing.factbase.model` into classes whose fields accept exactly the declared words, so
validation, did-you-mean hints and the editors' JSON Schema all follow the desk's file, with
no code change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    Discriminator,
    Field,
    GetJsonSchemaHandler,
    Tag,
    create_model,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from briefing.core.diagnostics import Diagnostic, did_you_mean
from briefing.factbase.load import LoadedFile
from briefing.factbase.model import (
    ENGINE_LISTS,
    Actor,
    Commitment,
    Disputed,
    FieldSpec,
    FuzzyDate,
    Judgment,
    Money,
    Overview,
    Position,
    Quantity,
    Reported,
    Source,
    Sourced,
    SourceList,
    Statement,
    TermList,
    Vocabulary,
)

# The declared fields of each kind of fact, and the engine's class for it.
FACT_KINDS: dict[str, type[BaseModel]] = {
    "commitment": Commitment,
    "position": Position,
    "statement": Statement,
}
_CHOICE_TYPES = ("choice", "choices")


@dataclass(frozen=True)
class Models:
    """The model classes of one project, narrowed to its vocabulary."""

    vocabulary: Vocabulary
    source: type[Source]
    source_list: type[SourceList]
    overview: type[Overview]
    actor: type[Actor]
    commitment: type[Commitment]
    position: type[Position]
    statement: type[Statement]


def check_vocabulary(vocab: Vocabulary, loaded: LoadedFile) -> list[Diagnostic]:
    """What makes a vocabulary unusable, located in facts/vocabulary.yaml."""
    return list(_vocabulary_problems(vocab, loaded))


def _vocabulary_problems(vocab: Vocabulary, loaded: LoadedFile) -> Iterator[Diagnostic]:
    for name, what in ENGINE_LISTS.items():
        if name not in vocab.lists:
            yield Diagnostic(
                loaded.locate(("lists",), key=True),
                f"the list '{name}' is missing",
                f"declare '{name}:' under 'lists:', with the {what}",
                code="D001",
            )
    for list_id, terms in vocab.lists.items():
        seen: set[str] = set()
        for i, term in enumerate(terms.terms):
            path = ("lists", list_id, "terms", i)
            if term.id in seen:
                yield Diagnostic(
                    loaded.locate((*path, "id")),
                    f"'{term.id}' is declared twice in the list '{list_id}'",
                    "give each word of a list once",
                    code="D002",
                )
            seen.add(term.id)
            if list_id == "actor_kind" and term.code is None:
                yield Diagnostic(
                    loaded.locate(path),
                    f"actor kind '{term.id}' does not say which code its actors carry",
                    "add 'code: none', 'code: iso-3166-1' or 'code: iso-3166-2'",
                    code="D003",
                )
            if list_id != "confidence" and term.needs is not None:
                yield Diagnostic(
                    loaded.locate((*path, "needs"), key=True),
                    "'needs' belongs only to the terms of the 'confidence' list",
                    "remove it",
                    code="D004",
                )
            for k, need in enumerate(term.needs or []):
                grades = vocab.lists.get("reliability")
                if grades is not None and grades.get(need.grade) is None:
                    yield Diagnostic(
                        loaded.locate((*path, "needs", k, "grade")),
                        f"unknown grade '{need.grade}'",
                        did_you_mean(need.grade, [t.id for t in grades.terms]),
                        code="D005",
                    )
            if list_id != "actor_kind" and term.code is not None:
                yield Diagnostic(
                    loaded.locate((*path, "code"), key=True),
                    "'code' belongs only to the terms of the 'actor_kind' list",
                    "remove it",
                    code="D004",
                )
    for kind, core in FACT_KINDS.items():
        specs: list[FieldSpec] = getattr(vocab.fields, kind)
        keys: set[str] = set()
        for i, spec in enumerate(specs):
            yield from _field_problems(vocab, loaded, kind, core, spec, ("fields", kind, i), keys)
            keys.add(spec.key)
    answers = [i for i, spec in enumerate(vocab.fields.position) if spec.answer]
    if len(answers) != 1:
        where = ("fields", "position", answers[1]) if len(answers) > 1 else ("fields",)
        yield Diagnostic(
            loaded.locate(where, key=len(answers) < 1),
            "exactly one position field must be the answer ('answer: true')"
            + (f"; {len(answers)} are" if answers else "; none is"),
            "mark the choice field that holds the answer to a question with 'answer: true'",
            code="D006",
        )
    codes: set[str] = set()
    for i, user_code in enumerate(vocab.codes):
        if user_code.code in codes:
            yield Diagnostic(
                loaded.locate(("codes", i, "code")),
                f"code '{user_code.code}' is declared twice",
                code="D002",
            )
        codes.add(user_code.code)


def _field_problems(
    vocab: Vocabulary,
    loaded: LoadedFile,
    kind: str,
    core: type[BaseModel],
    spec: FieldSpec,
    path: tuple[str | int, ...],
    keys: set[str],
) -> Iterator[Diagnostic]:
    if spec.key in core.model_fields:
        yield Diagnostic(
            loaded.locate((*path, "key")),
            f"'{spec.key}' is a field every {kind} has already",
            "choose another key; the engine's fields are: " + ", ".join(core.model_fields),
            code="D007",
        )
    if spec.key in keys:
        yield Diagnostic(
            loaded.locate((*path, "key")),
            f"the {kind} field '{spec.key}' is declared twice",
            code="D002",
        )
    if spec.type in _CHOICE_TYPES:
        if spec.list is None:
            yield Diagnostic(
                loaded.locate(path),
                f"a '{spec.type}' field needs the 'list' its words come from",
                "add 'list: <id of a list under lists:>'",
                code="D008",
            )
        elif spec.list not in vocab.lists:
            yield Diagnostic(
                loaded.locate((*path, "list")),
                f"unknown list '{spec.list}'",
                did_you_mean(spec.list, vocab.lists),
                code="D005",
            )
    elif spec.list is not None:
        yield Diagnostic(
            loaded.locate((*path, "list"), key=True),
            f"a '{spec.type}' field takes no list",
            "remove 'list:', or make the field a 'choice' or 'choices'",
            code="D004",
        )
    if spec.answer and (kind != "position" or spec.type != "choice"):
        yield Diagnostic(
            loaded.locate((*path, "answer"), key=True),
            "only a position field of type 'choice' can be the answer",
            code="D004",
        )
    if spec.unit is not None and spec.type not in ("number", "integer", "quantity"):
        yield Diagnostic(
            loaded.locate((*path, "unit"), key=True),
            "only numbers and quantities have a 'unit'",
            "remove it" + ("; money has a 'currency'" if spec.type == "money" else ""),
            code="D004",
        )
    if spec.currency is not None and spec.type != "money":
        yield Diagnostic(
            loaded.locate((*path, "currency"), key=True),
            "only money has a 'currency'",
            "remove it, or make the field 'type: money'",
            code="D004",
        )


# Types built at run time from the vocabulary: written through Any, since a static checker
# cannot know a type that only exists once a desk's file has been read.
_LITERAL = cast(Any, Literal)
_ANNOTATED = cast(Any, Annotated)
_LIST = cast(Any, list)
_UNION = cast(Any, Union)

# The tags of a field's forms, as pydantic puts them in an error's location; '<' keeps them apart
# from any key a desk declares, and validate strips them from the path it prints.
PLAIN, SOURCED, DISPUTED = "<plain>", "<sourced>", "<disputed>"


def _choice_type(terms: TermList) -> Any:
    """A Literal of the list's words, with their definitions as editor hover text."""
    ids = tuple(term.id for term in terms.terms)
    hover: Any = [f"{t.text}: {t.definition}" for t in terms.terms]
    return _ANNOTATED[_LITERAL[ids], Field(json_schema_extra={"enumDescriptions": hover})]


def _plain_type(spec: FieldSpec, vocab: Vocabulary) -> Any:
    """The type of one plain value of a declared field."""
    if spec.type in _CHOICE_TYPES:
        assert spec.list is not None  # check_vocabulary runs first
        one = _choice_type(vocab.lists[spec.list])
        return _LIST[one] if spec.type == "choices" else one
    if spec.type == "text":
        return str
    # 1.0e400 reads as infinity: no amount a source states, and a brief would print 'inf'.
    if spec.type == "number":
        return _ANNOTATED[float, Field(strict=True, allow_inf_nan=False)]  # true is not 1
    if spec.type == "integer":
        return _ANNOTATED[int, Field(strict=True)]
    if spec.type in ("money", "quantity"):
        key, default = ("currency", spec.currency) if spec.type == "money" else ("unit", spec.unit)
        typed: Any = _ANNOTATED[
            Money if spec.type == "money" else Quantity, BeforeValidator(_bare_amount(key, default))
        ]
        # Where the field names its currency or unit, the editor allows a bare number too.
        return _ANNOTATED[typed, _OrNumber()] if default is not None else typed
    return FuzzyDate


class _OrNumber:
    """Annotation for the editor's schema of an amount: a bare number beside the mapping."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [handler(core_schema), {"type": "number"}]}


def _bare_amount(key: str, default: str | None) -> Any:
    """A plain number for a money or quantity field, read in the field's declared currency or
    unit: the short form for the desk's usual case."""

    def read(data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            if default is None:
                raise ValueError(
                    f"a bare number needs the field to declare its '{key}'; write "
                    f"{{amount: {data}, {key}: ...}}"
                )
            return {"amount": data, key: default}
        return data

    return read


def _form(data: Any) -> str:
    """Which form a field's value is written in: plain, sourced or disputed."""
    if isinstance(data, dict):
        if "reported" in data:
            return DISPUTED
        if "citations" in data:
            return SOURCED
    if isinstance(data, Disputed):
        return DISPUTED
    return SOURCED if isinstance(data, Sourced) else PLAIN


def _field(spec: FieldSpec, vocab: Vocabulary) -> tuple[Any, Any]:
    """The annotation and field of one declared field: a plain value, one value with its
    citations, or (for values, not words of a list) the figures several sources report."""
    description = spec.description or spec.label
    plain = _plain_type(spec, vocab)
    if spec.type == "choices" and spec.required:
        plain = _ANNOTATED[plain, Field(min_length=1)]
    name = spec.key.title().replace("_", "")
    value = (plain, Field(description=f"{spec.label}: the value, written as a plain one."))
    sourced = create_model(f"Sourced{name}", __base__=Sourced, value=value)
    forms = [_ANNOTATED[plain, Tag(PLAIN)], _ANNOTATED[sourced, Tag(SOURCED)]]
    if spec.type not in _CHOICE_TYPES:
        # A stance the sources disagree on is two positions (a recorded disagreement), not one
        # value with two words: the matrix shows an answer per position.
        reported = create_model(f"Reported{name}", __base__=Reported, value=value)
        disputed = create_model(
            f"Disputed{name}",
            __base__=Disputed,
            reported=(_LIST[reported], Field(min_length=2, description="Each source's figure.")),
        )
        forms.append(_ANNOTATED[disputed, Tag(DISPUTED)])
    annotation: Any = _ANNOTATED[_UNION[tuple(forms)], Discriminator(_form)]
    if spec.type == "choices":
        return annotation, Field(default_factory=list, description=description)
    if spec.required:
        return annotation, Field(description=description)
    return annotation | None, Field(default=None, description=description)


def _override(base: type[BaseModel], name: str, annotation: Any) -> tuple[Any, FieldInfo]:
    """A field of `base` with a narrower type, keeping its description and default."""
    info = base.model_fields[name]
    if info.default_factory is not None:
        field: FieldInfo = Field(default_factory=info.default_factory, description=info.description)
    elif info.is_required():
        field = Field(description=info.description)
    else:
        field = Field(default=info.default, description=info.description)
    return annotation, field


def specialise(vocab: Vocabulary) -> Models:
    """The fact model with every list-valued field narrowed to the desk's declared words."""
    grades = _choice_type(vocab.lists["reliability"])
    levels = _choice_type(vocab.lists["confidence"])
    kinds = _choice_type(vocab.lists["actor_kind"])
    rated: dict[str, Any] = {}
    if "credibility" in vocab.lists:
        # A desk that rates the information too may use only its declared ratings.
        ratings = _choice_type(vocab.lists["credibility"])
        rated["credibility"] = _override(Source, "credibility", ratings | None)
    source = create_model(
        "Source", __base__=Source, reliability=_override(Source, "reliability", grades), **rated
    )
    likely: dict[str, Any] = {}
    if "likelihood" in vocab.lists:
        # A desk that declares estimative words may use only those.
        bands = _choice_type(vocab.lists["likelihood"])
        likely["likelihood"] = _override(Judgment, "likelihood", bands | None)
    judgment = create_model(
        "Judgment",
        __base__=Judgment,
        confidence=_override(Judgment, "confidence", levels),
        **likely,
    )
    facts: dict[str, Any] = {}
    for kind, core in FACT_KINDS.items():
        declared = {spec.key: _field(spec, vocab) for spec in getattr(vocab.fields, kind)}
        facts[kind] = cast(Any, create_model)(core.__name__, __base__=core, **declared)
    actor = create_model(
        "Actor",
        __base__=Actor,
        kind=_override(Actor, "kind", kinds),
        bluf=_override(Actor, "bluf", _LIST[judgment]),
        positions=_override(Actor, "positions", _LIST[facts["position"]]),
        commitments=_override(Actor, "commitments", _LIST[facts["commitment"]]),
        statements=_override(Actor, "statements", _LIST[facts["statement"]]),
    )
    actor.code_rules = {term.id: term.code or "none" for term in vocab.lists["actor_kind"].terms}
    actor.user_codes = frozenset(code.code for code in vocab.codes)
    overview = create_model(
        "Overview",
        __base__=Overview,
        bluf=_override(Overview, "bluf", _LIST[judgment]),
    )
    source_list = create_model(
        "SourceList",
        __base__=SourceList,
        sources=_override(SourceList, "sources", _LIST[source]),
    )
    return Models(
        vocabulary=vocab,
        source=source,
        source_list=source_list,
        overview=overview,
        actor=actor,
        commitment=facts["commitment"],
        position=facts["position"],
        statement=facts["statement"],
    )
