"""Scaffolds: `briefing new ...` writes a commented skeleton into the right facts file.

Entries are appended as text, never by re-dumping YAML, so the curator's comments, order and
layout survive. Free text the curator must write is left as a 'FILL IN: ...' placeholder that
`briefing check` reports as an error naming what to write; the result is parsed before it is
written, and the file is replaced atomically or not at all.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from briefing.authoring.findquote import yaml_scalar
from briefing.authoring.intake import ORIGINAL_KINDS, Extracted, IntakeError, extract
from briefing.check.facts import PLACEHOLDER
from briefing.core.diagnostics import MessageError, did_you_mean
from briefing.core.files import write_bytes_atomic, write_text_atomic
from briefing.core.gate import (
    MAX_FILE_BYTES,
    MAX_ORIGINAL_BYTES,
    file_sha256,
    read_project_bytes,
    read_project_file,
    source_path,
)
from briefing.core.project import Project
from briefing.factbase import schema
from briefing.factbase.load import LoadedFile, load_file, parse_yaml
from briefing.factbase.model import FACT_GROUPS, ID_PATTERN, FieldSpec, FuzzyDate, Vocabulary
from briefing.factbase.validate import load_vocabulary
from briefing.factbase.values import read_amount, read_money


class ScaffoldError(MessageError):
    """A `briefing new` that cannot be done as asked; the message says why and what to do."""

    default_code = "N001"


def vocabulary(project: Project) -> Vocabulary:
    """The project's vocabulary, for the choices a scaffold offers; it must check first."""
    _, models, problems = load_vocabulary(project)
    if models is None:
        first = problems[0].format() if problems else "facts/vocabulary.yaml cannot be used"
        raise ScaffoldError(f"fix the vocabulary first, then try again:\n{first}", "N003")
    return models.vocabulary


def choices(vocab: Vocabulary, list_id: str) -> tuple[str, ...]:
    """The words of one list, in their declared order."""
    terms = vocab.lists.get(list_id)
    return tuple(t.id for t in terms.terms) if terms else ()


def fill(what: str) -> str:
    """A placeholder value that the check reports, saying what belongs there."""
    return f"{PLACEHOLDER}: {what}"


@dataclass(frozen=True)
class Written:
    """What a scaffold wrote: the file, the line of the new entry, and a short description."""

    path: Path
    line: int
    what: str


# --- Asking for required values ----------------------------------------------------------------

Ask = Callable[[str], str]


def require(
    values: dict[str, str | None],
    choices: dict[str, Sequence[str]],
    ask: Ask | None,
    labels: dict[str, str] | None = None,
) -> dict[str, str]:
    """Every required value, from the options given or, on a terminal, by asking.

    `ask` is None when stdin is not a terminal: then every missing value is an error.
    `labels` names values that are not given as --options (e.g. a positional argument).
    """
    result: dict[str, str] = {}
    missing: list[str] = []
    for name, given in values.items():
        allowed = choices.get(name)
        label = (labels or {}).get(name, f"--{name.replace('_', '-')}")
        if given is not None:
            if allowed and given not in allowed:
                raise ScaffoldError(
                    f"{label} '{given}' is not allowed; choose one of: {', '.join(allowed)}"
                )
            result[name] = given
            continue
        if ask is None:
            hint = f" (one of: {', '.join(allowed)})" if allowed else ""
            missing.append(f"{label}{hint}")
            continue
        result[name] = _prompt(name, allowed, ask)
    if missing:
        raise ScaffoldError(
            "missing required value(s): "
            + "; ".join(missing)
            + ". stdin is not a terminal, so pass them as options",
            "N005",
        )
    return result


def _prompt(name: str, allowed: Sequence[str] | None, ask: Ask) -> str:
    label = name.replace("_", " ")
    if allowed:
        listing = "\n".join(f"  {i}. {c}" for i, c in enumerate(allowed, 1))
        question = f"{label}:\n{listing}\nchoose a number or type the value: "
    else:
        question = f"{label}: "
    for _ in range(5):
        answer = ask(question).strip()
        if allowed and answer.isdigit() and 1 <= int(answer) <= len(allowed):
            return allowed[int(answer) - 1]
        if answer and (not allowed or answer in allowed):
            return answer
    raise ScaffoldError(f"no valid {label} given")


# --- Writing ------------------------------------------------------------------------------------


def _load(project: Project, path: Path) -> tuple[str, LoadedFile]:
    text, problems = read_project_file(path, project.facts, project.name(path))
    if text is None:
        raise ScaffoldError(problems[0].format() if problems else f"cannot read {path}", "N003")
    loaded, problems = parse_yaml(text, path, project.name(path))
    if loaded is None or problems:
        first = problems[0].format() if problems else "file is empty"
        raise ScaffoldError(f"fix this file first, then try again:\n{first}", "N003")
    if not isinstance(loaded.data, dict):
        raise ScaffoldError(f"{project.name(path)}: expected a mapping of keys at the top", "N003")
    return text, loaded


Line = tuple[str, Any, str]  # key, value (None: placeholder already in value), comment


def _scalar(value: Any) -> str:
    """One value as YAML: a number stays a number (quoted, the check would refuse it as
    text), anything else a safely quoted string."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return yaml_scalar(str(value))


def entry_lines(fields: Sequence[Line], indent: int) -> list[str]:
    """A list entry, '- key: value  # comment' lines, its dash at column `indent`."""
    lines: list[str] = []
    for i, (key, value, comment) in enumerate(fields):
        prefix = " " * indent + ("- " if i == 0 else "  ")
        if key == "citations":
            source, quote = value
            pad = " " * (indent + 2)
            lines.append(f"{pad}citations:" + (f"  # {comment}" if comment else ""))
            lines.append(f"{pad}  - source: {yaml_scalar(source)}")
            lines.append(f"{pad}    quote: {yaml_scalar(quote)}")
            continue
        if key.startswith("#"):
            lines.append(f"{' ' * (indent + 2)}{key}")
            continue
        if isinstance(value, list):
            rendered = "[" + ", ".join(yaml_scalar(str(v)) for v in value) + "]"
        elif isinstance(value, dict):
            pairs = ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items())
            rendered = "{" + pairs + "}"
        else:
            rendered = _scalar(value)
        line = f"{prefix}{key}: {rendered}"
        if comment:
            line += f"  # {comment}"
        lines.append(line)
    return lines


def append_to_list(text: str, loaded: LoadedFile, key: str, fields: Sequence[Line]) -> str:
    """`text` with a new entry at the end of the top-level list `key`, comments kept."""
    lines = text.splitlines()
    data = loaded.data
    current = data.get(key)
    if key not in data:
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join([*lines, "", f"{key}:", *entry_lines(fields, 2)]) + "\n"
    key_line = loaded.keys[(key,)][0]
    if not current:
        # 'key: []' or 'key:' on one line: open it as a block list.
        own = lines[key_line - 1]
        if not re.match(rf"^{re.escape(key)}:\s*(\[\s*\])?\s*(#.*)?$", own):
            raise ScaffoldError(
                f"cannot append to '{key}' on line {key_line}; add it by hand", "N004"
            )
        lines[key_line - 1] = f"{key}:"
        insert_at = key_line
        indent = 2
    else:
        if not isinstance(current, list) or (key, 0) not in loaded.values:
            raise ScaffoldError(f"'{key}' on line {key_line} is not a list; fix it first", "N003")
        indent = max(loaded.values[(key, 0)][1] - 3, 0)
        later = [pos[0] for path, pos in loaded.keys.items() if len(path) == 1]
        later = [line for line in later if line > key_line]
        end = (min(later) - 1) if later else len(lines)
        # Blank lines and column-0 comments before the next key belong to that key.
        while end > key_line and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        insert_at = end
    new = lines[:insert_at] + entry_lines(fields, indent) + lines[insert_at:]
    return "\n".join(new) + "\n"


def _commit(
    project: Project, path: Path, new_text: str, key: str, before: int, what: str
) -> Written:
    """Parse the new text, make sure it holds one more entry, then write it atomically."""
    written = _verified(project, path, new_text, key, before, what)
    write_text_atomic(path, new_text)
    return written


def _verified(
    project: Project, path: Path, new_text: str, key: str, before: int, what: str
) -> Written:
    """What `_commit` would write, once the new text is known to parse and to hold one more
    entry in `key`; nothing is written."""
    loaded, problems = parse_yaml(new_text, path, project.name(path))
    if loaded is None or problems or not isinstance(loaded.data, dict):
        raise ScaffoldError(
            "the new entry would break the file's YAML; nothing was written", "N004"
        )
    items = loaded.data.get(key)
    if not isinstance(items, list) or len(items) != before + 1:
        raise ScaffoldError(f"could not add to '{key}' safely; nothing was written", "N004")
    line = loaded.values[(key, before)][0]
    return Written(path, line, what)


def _registry(project: Project, key: str, about: str) -> tuple[Path, str, LoadedFile]:
    """facts/KEY.yaml (created with its schema line and an empty list if missing), its text and
    its parsed form."""
    registry = project.facts / f"{key}.yaml"
    if not registry.exists():
        write_text_atomic(
            registry,
            f"# yaml-language-server: $schema=../schema/{key}.schema.json\n# {about}\n{key}: []\n",
        )
    original, loaded = _load(project, registry)
    return registry, original, loaded


def _source_registry(
    project: Project, name: str, source_id: str | None
) -> tuple[Path, str, LoadedFile, str, int]:
    """facts/sources.yaml as `_registry` gives it, the id the text `name` is to have and the
    place of its entry; ScaffoldError if the text is registered already."""
    registry, original, loaded = _registry(
        project, "sources", "Every text in facts/sources/ and what we know about it."
    )
    entries = loaded.data.get("sources") or []
    if any(isinstance(e, dict) and e.get("file") == name for e in entries):
        raise ScaffoldError(f"{name} is already registered in {project.name(registry)}")
    return registry, original, loaded, _source_id(loaded, source_id, name), len(entries)


def _ids_in(data: Any, key: str) -> set[str]:
    items = data.get(key) if isinstance(data, dict) else None
    return {str(item["id"]) for item in items or [] if isinstance(item, dict) and "id" in item}


def _check_id(value: str, what: str) -> str:
    # fullmatch: with re.match, the pattern's '$' would let a trailing newline through.
    if not re.fullmatch(ID_PATTERN, value):
        raise ScaffoldError(
            f"{what} id {value!r} is not valid: use lower-case letters, digits, '-' and '_'"
        )
    return value


def slug(text: str) -> str:
    """A valid id made from a file name or a title."""
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    return (cleaned or "source")[:40].rstrip("-_")


# --- Sources -----------------------------------------------------------------------------------


def new_source(
    project: Project, file: str, *, source_id: str | None = None, reliability: str | None = None
) -> Written:
    """Register a text file already in facts/sources/ in facts/sources.yaml; a saved web page
    or a PDF is taken in first (see `new_source_from_original`)."""

    if Path(file).suffix.lower() in ORIGINAL_KINDS:
        return new_source_from_original(project, file, source_id=source_id, reliability=reliability)
    name = Path(file).name
    candidate = Path(file)
    if candidate.exists() and candidate.resolve().parent != project.sources.resolve():
        raise ScaffoldError(
            f"{file} is not in {project.name(project.sources)}/; copy it there first"
        )
    path, reason = source_path(project, name)
    if path is None:
        raise ScaffoldError(f"{name}: {reason}")
    text, problems = read_project_file(path, project.sources, project.name(path))
    if text is None:
        raise ScaffoldError(problems[0].format(), "N003")
    registry, original, loaded, wanted, place = _source_registry(project, name, source_id)
    grade, grades = _grade(project, reliability)
    first_line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")[:90]
    fields: list[Line] = [
        ("id", wanted, "how citations name this source"),
        ("file", name, ""),
        (
            "sha256",
            file_sha256(path),
            "the text as registered; after a deliberate change: briefing pin",
        ),
        (f"# The text begins: {first_line}", None, ""),
        ("title", fill("the headline, or a short description of the text"), ""),
        ("outlet", fill("the outlet exactly as the text names it"), ""),
        ("reliability", grade, "one of " + ", ".join(grades)),
        ("reliability_note", fill("one line on why this grade"), ""),
        ("# date: {value: YYYY-MM-DD, basis: stated}   # only the parts that are known", None, ""),
    ]
    new_text = append_to_list(original, loaded, "sources", fields)
    return _commit(project, registry, new_text, "sources", place, f"source '{wanted}'")


def _source_id(loaded: LoadedFile, source_id: str | None, name: str) -> str:
    """The id asked for, or one made from the file name that no source has yet."""
    taken = _ids_in(loaded.data, "sources")
    wanted = _check_id(source_id, "source") if source_id else slug(Path(name).stem)
    if wanted in taken:
        if source_id:
            raise ScaffoldError(f"source id '{wanted}' is taken; choose another with --id")
        wanted = next(
            f"{wanted[:36]}-{n}" for n in range(2, 1000) if f"{wanted[:36]}-{n}" not in taken
        )
    return wanted


def _grade(project: Project, reliability: str | None) -> tuple[str, tuple[str, ...]]:
    """The grade given (checked against the vocabulary) or a placeholder, and the grades."""
    grades = choices(vocabulary(project), "reliability")
    if reliability is not None and reliability not in grades:
        raise ScaffoldError(f"--reliability must be one of {', '.join(grades)}")
    return reliability or fill("the reliability grade, one of " + ", ".join(grades)), grades


def _find_original(project: Project, file: str) -> Path:
    """The saved page or PDF named on the command line: as given (from the current folder),
    else inside the project, else in facts/originals/."""
    given = Path(file).expanduser()
    candidates = [given] if given.is_absolute() else [given, project.root / given]
    candidates.append(project.originals / given.name)
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise ScaffoldError(f"no such file: {file}")


def new_source_from_original(
    project: Project, file: str, *, source_id: str | None = None, reliability: str | None = None
) -> Written:
    """Take in a saved web page or a PDF: its text becomes facts/sources/NAME.txt, the file
    itself is kept as facts/originals/NAME.html (or .pdf), and the source is registered with
    what the page says of itself. Nothing is written unless all of it can be."""

    path = _find_original(project, file)
    name = path.name
    if any(ord(ch) < 32 for ch in name):
        raise ScaffoldError(f"{name!r}: the file name contains a control character; rename it")
    try:
        inside_sources = path.resolve().parent == project.sources.resolve()
        inside_originals = path.resolve().parent == project.originals.resolve()
    except (OSError, RuntimeError):
        raise ScaffoldError(f"{file}: cannot resolve the path") from None
    if inside_sources:
        raise ScaffoldError(
            f"{name} is in {project.name(project.sources)}/, which holds the texts that are "
            f"cited; move it to {project.name(project.originals)}/ and run this again"
        )
    # Through the gate, from the folder it is in: a symlink out of that folder is refused,
    # and so is a file too large to be a page or a report.
    data, problems = read_project_bytes(
        path,
        project.originals if inside_originals else path.parent,
        project.name(path),
        limit=MAX_ORIGINAL_BYTES,
        too_big="a page or a PDF this large is not one article; extract the part to cite",
    )
    if data is None:
        raise ScaffoldError(problems[0].format(), "N003")
    try:
        found = extract(data, name)
    except IntakeError as exc:
        raise ScaffoldError(f"{exc}; nothing was written", "I001") from None
    text_name = f"{path.stem}.txt"
    text_path = project.sources / text_name
    kept = project.originals / name
    body = found.text.encode("utf-8")
    # A file that holds exactly what this command writes is left by a run of it that was
    # stopped before the registry was written: the retry takes it over instead of refusing.
    if _stands_in_the_way(text_path, body):
        raise ScaffoldError(
            f"{project.name(text_path)} already exists; rename the file you are adding", "N002"
        )
    if not inside_originals and _stands_in_the_way(kept, data):
        raise ScaffoldError(
            f"{project.name(kept)} already exists; rename the file you are adding", "N002"
        )
    if len(body) > MAX_FILE_BYTES:
        raise ScaffoldError(
            f"{name}: its text is {len(body):,} bytes, over the limit of a source text "
            f"({MAX_FILE_BYTES // 1024} KiB); nothing was written"
        )
    registry, original, loaded, wanted, place = _source_registry(project, text_name, source_id)
    grade, grades = _grade(project, reliability)
    fields = _original_fields(found, wanted, text_name, name, hashlib.sha256(body).hexdigest())
    fields.insert(6, ("reliability", grade, "one of " + ", ".join(grades)))
    new_text = append_to_list(original, loaded, "sources", fields)
    written = _verified(project, registry, new_text, "sources", place, f"source '{wanted}'")
    done: list[Path] = []
    try:
        fresh = not os.path.lexists(text_path)
        write_text_atomic(text_path, found.text)
        if fresh:
            done.append(text_path)
        if not inside_originals:
            fresh = not os.path.lexists(kept)
            write_bytes_atomic(kept, data)
            if fresh:
                done.append(kept)
        write_text_atomic(registry, new_text)
    except OSError as exc:
        for made in done:  # all or nothing: a text without its entry would be a stray
            made.unlink(missing_ok=True)
        raise ScaffoldError(
            f"cannot write {exc.filename}: {exc.strerror}; nothing was written", "N004"
        ) from None
    return written


def _stands_in_the_way(path: Path, content: bytes) -> bool:
    """Whether `path` is there and is not a regular file holding exactly `content`."""
    if not os.path.lexists(path):
        return False
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size != len(content):
            return True
        return path.read_bytes() != content
    except OSError:
        return True


def _original_fields(
    found: Extracted, source_id: str, text_name: str, name: str, digest: str
) -> list[Line]:
    """The registry entry of a source taken in from a page or a PDF: what it says of itself
    filled in, what only the curator can judge left to fill in."""
    from pydantic import ValidationError

    fields: list[Line] = [
        ("id", source_id, "how citations name this source"),
        ("file", text_name, "the text extracted from the original"),
        ("original", name, "the page or PDF itself, in facts/originals/"),
        ("sha256", digest, "the text as registered; after a deliberate change: briefing pin"),
        ("title", found.title or fill("the headline, or a short description of the text"), ""),
        (
            "outlet",
            found.site or fill("the outlet as the page or document names itself"),
            "as the page names itself" if found.site else "",
        ),
        ("reliability_note", fill("one line on why this grade"), ""),
    ]
    if found.author:
        fields.append(("notes", f"Byline: {found.author}.", ""))
    date = None
    if found.date:
        note = f"As given in {found.date_from}."
        try:
            FuzzyDate(value=found.date, basis="stated", note=note)
            date = {"value": found.date, "basis": "stated", "note": note}
        except ValidationError:
            date = None
    if date is not None:
        fields.append(("date", date, "check it against the text"))
    else:
        fields.append(
            (
                "# date: {value: YYYY-MM-DD, basis: stated}   # only the parts that are known",
                None,
                "",
            )
        )
    return fields


@dataclass(frozen=True)
class Pinned:
    """A source whose pin `briefing pin` wrote (or found already right)."""

    source_id: str
    line: int
    sha256: str
    changed: bool


_SHA_LINE = re.compile(r"^(?P<head>\s*(?:-\s+)?sha256:\s*)(?P<value>[^\s#]*)(?P<tail>.*)$")


def pin_sources(project: Project, wanted: Sequence[str] = ()) -> list[Pinned]:
    """Write the SHA-256 of each source text (all when `wanted` is empty) into its entry in
    facts/sources.yaml, edited as text so comments stay: the 'sha256:' line is rewritten, or
    one is inserted after the 'file:' line."""
    registry = project.facts / "sources.yaml"
    if not registry.exists():
        raise ScaffoldError(f"no {project.name(registry)}; register a source first")
    original, loaded = _load(project, registry)
    entries = loaded.data.get("sources")
    if not isinstance(entries, list):
        raise ScaffoldError(
            f"{project.name(registry)}: 'sources' is not a list; fix it first", "N003"
        )
    by_id = {
        e["id"]: i
        for i, e in reversed(list(enumerate(entries)))
        if isinstance(e, dict) and isinstance(e.get("id"), str)
    }
    for source_id in wanted:
        if source_id not in by_id:
            hint = did_you_mean(source_id, set(by_id)) or "see facts/sources.yaml"
            raise ScaffoldError(f"unknown source '{source_id}'; {hint}")
    chosen = [by_id[s] for s in dict.fromkeys(wanted)] if wanted else sorted(set(by_id.values()))
    lines = original.splitlines()
    edits: list[tuple[int, str, bool]] = []  # (0-based line, text, insert?) applied bottom-up
    pinned: list[Pinned] = []
    for index in chosen:
        entry = entries[index]
        path, reason = source_path(project, str(entry.get("file", "")))
        if path is None:
            raise ScaffoldError(f"source '{entry['id']}': {reason}")
        digest = file_sha256(path)
        where = ("sources", index, "sha256")
        if where in loaded.values:
            line = loaded.values[where][0]
            found = _SHA_LINE.match(lines[line - 1])
            if found is None:
                raise ScaffoldError(
                    f"{project.name(registry)}:{line}: cannot rewrite 'sha256' here; "
                    "edit it by hand",
                    "N004",
                )
            changed = entry.get("sha256") != digest
            edits.append((line - 1, f"{found['head']}{yaml_scalar(digest)}{found['tail']}", False))
        else:
            file_key = loaded.keys.get(("sources", index, "file"))
            if file_key is None:
                raise ScaffoldError(f"source '{entry['id']}' has no 'file:'; fix it first", "N003")
            line, col = file_key
            edits.append((line, " " * (col - 1) + f"sha256: {yaml_scalar(digest)}", True))
            line, changed = line + 1, True
        pinned.append(Pinned(str(entry["id"]), line, digest, changed))
    for at, text, insert in sorted(edits, reverse=True):
        if insert:
            lines.insert(at, text)
        else:
            lines[at] = text
    new_text = "\n".join(lines) + "\n"
    # Read back what was written: every chosen entry must hold its digest, nothing else moved.
    check, problems = parse_yaml(new_text, registry, project.name(registry))
    after = (
        check.data.get("sources") if check is not None and isinstance(check.data, dict) else None
    )
    if (
        problems
        or not isinstance(after, list)
        or len(after) != len(entries)
        or any(after[i].get("sha256") != p.sha256 for i, p in zip(chosen, pinned, strict=True))
    ):
        raise ScaffoldError(
            f"could not pin {project.name(registry)} safely (a flow-style entry?); "
            "nothing was written",
            "N004",
        )
    if new_text != original:
        write_text_atomic(registry, new_text)
    return pinned


# --- Actors and their facts -------------------------------------------------------------------

ACTOR_TEMPLATE = """\
# yaml-language-server: $schema=../../schema/actor.schema.json
# {name}: positions, commitments and statements, each citing a source.
id: {id}
name: {name_yaml}
kind: {kind}
{code_line}
# bluf:            # two to four key judgments, each cited ('briefing new' cannot guess them)
#   - text: ...
#     confidence: {confidence}
#     citations:
#       - source: <source id>
#         quote: <words copied from the source; briefing find-quote helps>
#
# Add facts with:
#   briefing new position --actor {id} --question <id>
#   briefing new commitment --actor {id} --id <id>
#   briefing new statement --actor {id} --id <id> --speaker <person id>
"""


def new_actor(project: Project, actor_id: str, name: str, kind: str, code: str | None) -> Written:
    """Create facts/actors/<id>.yaml with the schema line and a commented skeleton."""
    _check_id(actor_id, "actor")
    vocab = vocabulary(project)
    kinds = vocab.lists["actor_kind"]
    term = kinds.get(kind)
    if term is None:
        raise ScaffoldError(f"--kind must be one of: {', '.join(choices(vocab, 'actor_kind'))}")
    rule = term.code or "none"
    if rule != "none" and not code:
        raise ScaffoldError(f"an actor of kind '{kind}' needs --code (its {rule.upper()} code)")
    if rule == "none" and code:
        raise ScaffoldError(f"an actor of kind '{kind}' has no --code")
    path = _actor_path(project, actor_id)
    if path.exists():
        raise ScaffoldError(f"{project.name(path)} already exists", "N002")
    code_line = f"code: {yaml_scalar(code.upper())}" if code else f"# no code: {kind}"
    text = ACTOR_TEMPLATE.format(
        id=actor_id,
        name=name,
        name_yaml=yaml_scalar(name),
        kind=yaml_scalar(kind),
        code_line=code_line,
        confidence=" | ".join(choices(vocab, "confidence")),
    )
    loaded, problems = parse_yaml(text, path, project.name(path))
    if loaded is None or problems:
        raise ScaffoldError("the name cannot be written as YAML; nothing was written", "N004")
    write_text_atomic(path, text)
    return Written(path, 3, f"actor '{actor_id}'")


def _actor_path(project: Project, actor_id: str) -> Path:
    """facts/actors/<id>.yaml, refused unless the id is an id and the file stays in actors/."""
    # The id comes from the command line: checked before it becomes part of any path.
    _check_id(actor_id, "actor")
    path = project.actors / f"{actor_id}.yaml"
    try:
        inside = path.resolve().is_relative_to(project.actors.resolve())
    except (OSError, RuntimeError, ValueError):
        inside = False
    if not inside:
        raise ScaffoldError(
            f"{project.name(path)} is a symlink that leads outside "
            f"{project.name(project.actors)}/; copy the file there instead of linking to it",
            "N006",
        )
    return path


def _actor_file(project: Project, actor_id: str) -> tuple[Path, str, LoadedFile]:
    path = _actor_path(project, actor_id)
    if not path.is_file():
        known = sorted(p.stem for p in project.actors.glob("*.yaml"))
        raise ScaffoldError(
            f"no actor file {project.name(path)}; known actors: {', '.join(known) or 'none'} "
            f"(create one with: briefing new actor {actor_id} --name ... --kind ...)"
        )
    text, loaded = _load(project, path)
    return path, text, loaded


def _all_fact_ids(project: Project) -> set[str]:
    ids: set[str] = set()
    for path in project.actors.glob("*.yaml"):
        loaded, _ = load_file(path, project.name(path), within=project.facts)
        if loaded is not None:
            for group in FACT_GROUPS:
                ids |= _ids_in(loaded.data, group)
    return ids


def _citation(source: str | None, quote: str | None) -> tuple[str, str]:
    return (
        source or fill("id of the source in sources.yaml"),
        quote or fill("words copied exactly from the source (briefing find-quote helps)"),
    )


def new_fact(project: Project, group: str, actor_id: str, fields: list[Line]) -> Written:
    """Append a position, commitment or statement to an actor file."""
    path, text, loaded = _actor_file(project, actor_id)
    fact_id = str(fields[0][1])
    _check_id(fact_id, "fact")
    if fact_id in _all_fact_ids(project):
        raise ScaffoldError(f"fact id '{fact_id}' is already used; choose another with --id")
    items = loaded.data.get(group)
    before = len(items) if isinstance(items, list) else 0
    new_text = append_to_list(text, loaded, group, fields)
    kind = group.removesuffix("s")
    return _commit(project, path, new_text, group, before, f"{kind} '{fact_id}'")


def typed_value(spec: FieldSpec, text: str) -> Any:
    """A value given on the command line as the field's type: numbers as numbers (a quoted
    '10000000' would not check), '17.5 million' read as 17500000."""
    if spec.type not in ("number", "integer", "money", "quantity"):
        return text
    if spec.type == "money":
        return _typed_money(spec, text)
    amount = read_amount(text)
    if amount is None or (spec.type == "integer" and not amount.is_integer()):
        kind = "a whole number" if spec.type == "integer" else "a number"
        raise ScaffoldError(
            f"--{spec.key.replace('_', '-')} '{text}' is not {kind}; give it in digits, "
            "e.g. 17500000"
        )
    return int(amount) if amount.is_integer() else amount


def _typed_money(spec: FieldSpec, text: str) -> Any:
    """Money from the command line: a bare number where it is in the field's currency and
    unhedged, else the mapping ('£20 million' gives {amount: 20000000, currency: GBP})."""
    read = read_money(text)
    flag = f"--{spec.key.replace('_', '-')}"
    if read is None:
        raise ScaffoldError(f"{flag} '{text}' is not an amount; give it in digits, e.g. 17500000")
    amount, currency, qualifier = read
    currency = currency or spec.currency
    if currency is None:
        raise ScaffoldError(
            f"{flag} '{text}' names no currency and the field declares none; give it, "
            "e.g. 'USD 17500000' or '$17.5 million'"
        )
    number = int(amount) if amount.is_integer() else amount
    if currency == spec.currency and qualifier is None:
        return number
    money: dict[str, Any] = {"amount": number, "currency": currency}
    if qualifier is not None:
        money["qualifier"] = qualifier
    return money


def declared_lines(vocab: Vocabulary, specs: list[FieldSpec], given: dict[str, str]) -> list[Line]:
    """Lines for the desk's declared fields: given values, placeholders for required ones,
    and a commented line naming the choices for the others."""
    lines: list[Line] = []
    for spec in specs:
        words = choices(vocab, spec.list) if spec.list else ()
        hint = ", ".join(words) if words else spec.description or spec.label
        if spec.key in given:
            value: Any = typed_value(spec, given[spec.key])
            lines.append((spec.key, [value] if spec.type == "choices" else value, ""))
        elif spec.required:
            lines.append((spec.key, fill(f"the {spec.label.lower()}: {hint}"), ""))
        elif spec.type == "choices":
            lines.append((spec.key, [], hint))
        else:
            lines.append((f"# {spec.key}: {hint}", None, ""))
    return lines


@dataclass(frozen=True)
class FactOptions:
    """What a curator may give on the command line for any fact, besides declared fields."""

    source: str | None = None
    quote: str | None = None
    date: str | None = None
    summary: str | None = None
    title: str | None = None
    parties: str | None = None  # comma-separated actor ids
    speaker: str | None = None


def _date_line(value: str | None, example: str) -> Line:
    if value is None:
        return (f"# date: {{value: {example}, basis: stated}}   # only what is known", None, "")
    from pydantic import ValidationError

    try:
        FuzzyDate(value=value, basis="stated")
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ScaffoldError(f"--date '{value}': {reason}") from None
    return ("date", {"value": value, "basis": "stated"}, "stated by the source? else 'inferred'")


def _summary(options: FactOptions, what: str) -> Line:
    return ("summary", options.summary or fill(what), "")


def commitment_fields(
    vocab: Vocabulary, values: dict[str, str], given: dict[str, str], options: FactOptions
) -> list[Line]:
    """The skeleton of a commitment."""
    if options.parties is None:
        parties: Any = fill("ids of the other actors party to it, e.g. [ua, pl], or []")
    else:
        parties = [p.strip() for p in options.parties.split(",") if p.strip()]
        for party in parties:
            _check_id(party, "party")
    return [
        ("id", values["id"], ""),
        ("title", options.title or fill("short name of the commitment, in our words"), ""),
        ("parties", parties, "ids of the other actors party to it"),
        *declared_lines(vocab, vocab.fields.commitment, given),
        _date_line(options.date, "YYYY-MM"),
        _summary(options, "what the commitment does, in our words"),
        ("citations", _citation(options.source, options.quote), ""),
    ]


def position_fields(
    vocab: Vocabulary, values: dict[str, str], given: dict[str, str], options: FactOptions
) -> list[Line]:
    """The skeleton of a position: an observation of an actor's answer at one time."""
    fields: list[Line] = [
        ("id", values["id"], ""),
        ("question", values["question"], ""),
        *declared_lines(vocab, vocab.fields.position, given),
    ]
    if options.speaker:
        fields.append(("speaker", options.speaker, ""))
    else:
        fields.append(("# speaker: <person id>   # who stated it, if the source says", None, ""))
    fields += [
        _date_line(options.date, "YYYY-MM-DD"),
        _summary(options, "the position in our words"),
        ("citations", _citation(options.source, options.quote), ""),
    ]
    return fields


def statement_fields(
    vocab: Vocabulary, values: dict[str, str], given: dict[str, str], options: FactOptions
) -> list[Line]:
    """The skeleton of a statement."""
    return [
        ("id", values["id"], ""),
        ("speaker", values["speaker"], "a person id from people.yaml"),
        *declared_lines(vocab, vocab.fields.statement, given),
        _date_line(options.date, "YYYY-MM-DD"),
        _summary(options, "what was said, in our words"),
        ("citations", _citation(options.source, options.quote), ""),
    ]


def declared_values(
    vocab: Vocabulary, kind: str, given: dict[str, str], ask: Ask | None
) -> dict[str, str]:
    """Values for the declared fields of a `kind` of fact: those given as `--key value`
    (checked against their lists), and, on a terminal, the required ones asked for."""
    specs: list[FieldSpec] = getattr(vocab.fields, kind)
    by_key = {spec.key: spec for spec in specs}
    for key in given:
        if key not in by_key:
            hint = did_you_mean(key, by_key)
            raise ScaffoldError(
                f"--{key.replace('_', '-')} is not a field of a {kind}"
                + (f"; {hint}" if hint else ""),
                "N005",
            )
    required = {s.key: given.get(s.key) for s in specs if s.required and s.type == "choice"}
    lists: dict[str, Sequence[str]] = {s.key: choices(vocab, s.list) for s in specs if s.list}
    asked = require(required, lists, ask) if ask is not None else {}
    values = {**given, **asked}
    for key, value in values.items():
        allowed = lists.get(key)
        if allowed and value not in allowed:
            hint = did_you_mean(value, allowed)
            raise ScaffoldError(f"--{key.replace('_', '-')} '{value}' is not allowed; {hint}")
    return values


def question_ids(project: Project) -> list[str]:
    """The question ids of the edition, if edition.yaml can be read."""
    path = project.facts / "edition.yaml"
    if not path.is_file():
        return []
    loaded, _ = load_file(path, project.name(path), within=project.facts)
    questions = loaded.data.get("questions") if loaded and isinstance(loaded.data, dict) else None
    return [
        str(q["id"])
        for q in questions or []
        if isinstance(q, dict) and isinstance(q.get("id"), str)
    ]


def new_from_options(
    project: Project,
    what: str,
    options: dict[str, Any],
    ask: Ask | None,
    declared: dict[str, str] | None = None,
) -> Written:
    """Add a skeleton of kind `what` from command-line options, asking for what is missing.

    `declared` holds `--key value` options for the fields the vocabulary declares.
    """
    opts = SimpleNamespace(**options)
    given = declared or {}
    if what == "source":
        return new_source(project, opts.file, source_id=opts.id, reliability=opts.reliability)
    vocab = vocabulary(project)
    if what == "actor":
        values = require(
            {"id": opts.id, "name": opts.name, "kind": opts.kind},
            {"kind": choices(vocab, "actor_kind")},
            ask,
            labels={"id": "the actor id (first argument, e.g. 'briefing new actor lv')"},
        )
        code = opts.code
        term = vocab.term("actor_kind", values["kind"])
        if term is not None and (term.code or "none") != "none" and not code:
            code = require({"code": None}, {}, ask)["code"]
        return new_actor(project, values["id"], values["name"], values["kind"], code)
    if what == "person":
        values = require(
            {"id": opts.id, "name": opts.name, "role": opts.role, "actor": opts.actor},
            {},
            ask,
            labels={"id": "the person id (first argument, e.g. 'briefing new person duda')"},
        )
        return new_person(project, values)
    fact_options = FactOptions(
        source=opts.source,
        quote=opts.quote,
        date=opts.date,
        summary=opts.summary,
        title=getattr(opts, "title", None),
        parties=getattr(opts, "parties", None),
        speaker=getattr(opts, "speaker", None),
    )
    if what == "commitment":
        values = require({"actor": opts.actor, "id": opts.id}, {}, ask)
        declared = declared_values(vocab, "commitment", given, ask)
        fields = commitment_fields(vocab, values, declared, fact_options)
        return new_fact(project, "commitments", values["actor"], fields)
    if what == "position":
        questions = question_ids(project)
        values = require(
            {"actor": opts.actor, "question": opts.question}, {"question": questions}, ask
        )
        values["id"] = opts.id or f"{values['actor']}-{values['question']}"
        declared = declared_values(vocab, "position", given, ask)
        fields = position_fields(vocab, values, declared, fact_options)
        return new_fact(project, "positions", values["actor"], fields)
    # what == "statement"
    values = require({"actor": opts.actor, "id": opts.id, "speaker": opts.speaker}, {}, ask)
    declared = declared_values(vocab, "statement", given, ask)
    fields = statement_fields(vocab, values, declared, fact_options)
    return new_fact(project, "statements", values["actor"], fields)


# --- People -----------------------------------------------------------------------------------


def new_person(project: Project, values: dict[str, str]) -> Written:
    """Append a person to facts/people.yaml; the actor they speak for must exist."""
    person_id = _check_id(values["id"], "person")
    actor_id = _check_id(values["actor"], "actor")
    known = sorted(p.stem for p in project.actors.glob("*.yaml"))
    if actor_id not in known:
        hint = did_you_mean(actor_id, known)
        raise ScaffoldError(
            f"no actor '{actor_id}' in facts/actors/" + (f"; {hint}" if hint else "")
        )
    registry, original, loaded = _registry(
        project, "people", "People whose words are recorded, with their role at the time."
    )
    entries = loaded.data.get("people") or []
    if person_id in _ids_in(loaded.data, "people"):
        raise ScaffoldError(f"person id '{person_id}' is taken; choose another")
    fields: list[Line] = [
        ("id", person_id, "how statements and positions name them as 'speaker'"),
        ("name", values["name"], ""),
        ("role", values["role"], "at the time of the statements"),
        ("actor", actor_id, "the actor they speak for"),
    ]
    new_text = append_to_list(original, loaded, "people", fields)
    return _commit(project, registry, new_text, "people", len(entries), f"person '{person_id}'")


# --- A new desk ------------------------------------------------------------------------------

STARTER = Path(__file__).resolve().parent.parent / "starter"
GITIGNORE = "build/\n.briefing-staging-*/\n.build-*/\n.build.lock\n.build.stamp\n.cache/\n"


@dataclass(frozen=True)
class Started:
    """What `init` wrote, and the files it found in place and left as they were."""

    written: list[Path]
    skipped: list[Path]


def init_project(root: Path) -> Started:
    """Start a new desk in `root`: an edition, a vocabulary, one source, one actor, the editor
    schema and a .gitignore; a build of it passes `briefing check --strict`.

    No file is ever overwritten: one already there is skipped. Every file to write is known
    and checked first, so a refusal (a folder that leads out of `root`) writes nothing."""
    project = Project.at(root)
    # lexists: a dangling symlink named facts/ is there too, and writing under it would fail.
    if os.path.lexists(project.facts):
        kind = "a symlink" if project.facts.is_symlink() else "already there"
        raise ScaffoldError(
            f"{project.facts} is {kind}; init starts a new desk only, in a folder without facts/",
            "N002",
        )
    _, models, problems = load_vocabulary(Project.at(STARTER))
    if models is None:  # the starter is ours: a failure here is a bug, not a user mistake
        raise RuntimeError("the starter vocabulary does not check: " + str(problems))
    planned = [
        (project.root / path.relative_to(STARTER), path.read_text(encoding="utf-8"))
        for path in sorted(STARTER.rglob("*"))
        if path.is_file()
    ]
    planned.append((project.root / ".gitignore", GITIGNORE))
    planned += [
        (project.root / "schema" / schema.file_name(name), schema.schema_text(name, models))
        for name in schema.NAMES
    ]
    for target, _ in planned:
        _refuse_outside(project, target)
    written: list[Path] = []
    skipped: list[Path] = []
    for target, text in planned:
        if os.path.lexists(target):
            skipped.append(target)
            continue
        try:
            write_text_atomic(target, text)
        except OSError as exc:
            raise ScaffoldError(
                f"cannot write {project.name(target)}: {exc.strerror or exc}"
                + (f"; wrote {len(written)} file(s) before it" if written else "")
            ) from None
        written.append(target)
    return Started(written, skipped)


def _refuse_outside(project: Project, target: Path) -> None:
    """ScaffoldError unless every folder on the way to `target` is a folder inside the project
    (a symlinked folder that leads out of it would have init write elsewhere)."""
    top = project.root.resolve()
    for folder in reversed(target.parents):
        if not folder.is_relative_to(project.root) or not os.path.lexists(folder):
            continue
        try:
            inside = folder.resolve().is_relative_to(top)
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            raise ScaffoldError(
                f"{project.name(folder)} is a symlink that leads outside {project.root}; "
                "nothing was written. Remove the link, or start the desk in another folder",
                "N006",
            )
        if not folder.is_dir():
            raise ScaffoldError(
                f"{project.name(folder)} is a file where init needs a folder; nothing was "
                "written. Move it away, or start the desk in another folder",
                "N006",
            )
