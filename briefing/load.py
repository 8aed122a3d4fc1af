"""Load: read the YAML files of a fact base into plain data, remembering where every value sits.

The loader composes YAML nodes itself instead of using PyYAML's constructors, so that it can
(1) keep a line:col for every key and value, (2) refuse duplicate keys, custom tags and alias
bombs, and (3) never turn a string such as ``NO`` or ``2023-07`` into a bool or a date behind the
curator's back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefing.diagnostics import Diagnostic, Location

# Limits that keep a hostile or broken file from exhausting the machine. A real actor file is
# a few kilobytes, a handful of levels deep, and uses no aliases at all.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_NODES = 200_000
MAX_ALIASES = 100

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_ALLOWED_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ}


class _FactResolver(yaml.resolver.Resolver):
    """YAML 1.2-like resolution: only true/false are booleans, no implicit dates."""


_FactResolver.yaml_implicit_resolvers = {}
_FactResolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_FactResolver.add_implicit_resolver(
    _INT, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_FactResolver.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789"),
)
_FactResolver.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _FactComposer(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _FactResolver,
):
    """Reader → scanner → parser → composer, with our resolver and an alias budget."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _FactResolver.__init__(self)
        self.alias_count = 0
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.events.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooManyAliases(mark.line + 1, mark.column + 1)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooDeep(mark.line + 1, mark.column + 1)
            node: Node | None = super().compose_node(parent, index)
            return node
        finally:
            self.depth -= 1


class _TooManyAliases(Exception):
    def __init__(self, line: int, col: int) -> None:
        self.line, self.col = line, col


class _TooDeep(Exception):
    def __init__(self, line: int, col: int) -> None:
        self.line, self.col = line, col


@dataclass
class LoadedFile:
    """One YAML file as plain data, plus the line:col of every key and value in it."""

    path: Path
    name: str  # as shown to the curator, e.g. facts/actors/pl.yaml
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        """The location of the value (or, with `key`, the key) at `path`, or its nearest parent."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            if probe in table:
                line, col = table[probe]
                return Location(self.name, line, col)
            if not key and probe in self.keys:
                line, col = self.keys[probe]
                return Location(self.name, line, col)
            probe = probe[:-1]
        line, col = self.values.get((), (1, 1))
        return Location(self.name, line, col)


def _where(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Turns composed nodes into dicts, lists and scalars, recording positions."""

    def __init__(self, loaded: LoadedFile) -> None:
        self.loaded = loaded
        self.problems: list[Diagnostic] = []
        self.count = 0

    def problem(self, node: Node, message: str, hint: str = "") -> None:
        line, col = _where(node)
        self.problems.append(Diagnostic(Location(self.loaded.name, line, col), message, hint))

    def build(self, node: Node, path: Path_, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooManyNodes()
        self.loaded.values[path] = _where(node)
        if node.tag not in _ALLOWED_TAGS:
            self.problem(
                node,
                f"YAML tag '{node.tag}' is not allowed",
                "facts are plain text, numbers, lists and mappings; remove the '!' tag",
            )
            return None
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self.scalar(node)

    def mapping(self, node: MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, "merge keys ('<<') are not supported", "write the keys out")
                continue
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, "a key must be a plain word", "use a text key such as 'id'")
                continue
            key = str(key_node.value)
            if key in first_seen:
                line, _ = first_seen[key]
                self.problem(
                    key_node,
                    f"duplicate key '{key}' (first given on line {line})",
                    "remove one of the two, or merge their values",
                )
                continue
            first_seen[key] = _where(key_node)
            self.loaded.keys[(*path, key)] = _where(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def scalar(self, node: ScalarNode) -> Any:
        text = node.value
        if node.tag == _STR:
            return text
        if node.tag == _NULL:
            return None
        if node.tag == _BOOL:
            return text.lower() == "true"
        if node.tag == _INT:
            return int(text.replace("_", ""))
        if node.tag == _FLOAT:
            return float(text.replace("_", ""))
        return text


class _TooManyNodes(Exception):
    pass


def read_text(path: Path, name: str) -> tuple[str | None, list[Diagnostic]]:
    """Read a fact or source file as UTF-8 text, refusing binary, oversized or non-UTF-8 files."""
    where = Location(name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Diagnostic(where, f"cannot read file: {exc.strerror}")]
    if size > MAX_FILE_BYTES:
        return None, [
            Diagnostic(
                where,
                f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                "split it into several files",
            )
        ]
    raw = path.read_bytes()
    if b"\x00" in raw:
        return None, [Diagnostic(where, "file is binary (it contains NUL bytes)", "facts are text")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Diagnostic(
                Location(name, line, col),
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                "save the file as UTF-8",
            )
        ]
    return text.removeprefix("\ufeff"), []


def parse_yaml(text: str, path: Path, name: str) -> tuple[LoadedFile | None, list[Diagnostic]]:
    """Parse one YAML document into a LoadedFile; every problem becomes a diagnostic."""
    loaded = LoadedFile(path=path, name=name, data=None)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return None, [Diagnostic(Location(name), "file is empty", "add content or delete the file")]
    composer = _FactComposer(text)
    try:
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = (exc.problem or exc.context or "invalid YAML").strip()
        hint = "indent with spaces, never tabs" if "\t" in message or "tab" in message else ""
        return None, [Diagnostic(Location(name, line, col), f"YAML syntax: {message}", hint)]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(Location(name), f"YAML syntax: {exc}")]
    except _TooManyAliases as exc:
        return None, [
            Diagnostic(
                Location(name, exc.line, exc.col),
                f"more than {MAX_ALIASES} aliases ('*name') in one file",
                "write the values out; aliases are refused beyond this to stop alias bombs",
            )
        ]
    except _TooDeep as exc:
        return None, [
            Diagnostic(
                Location(name, exc.line, exc.col),
                f"nesting deeper than {MAX_DEPTH} levels",
                "facts need only a few levels; flatten the structure",
            )
        ]
    if node is None:
        return None, [Diagnostic(Location(name), "file is empty", "add content or delete the file")]
    builder = _Builder(loaded)
    try:
        loaded.data = builder.build(node, ())
    except _TooManyNodes:
        return None, [
            Diagnostic(
                Location(name),
                f"more than {MAX_NODES:,} values in one file (alias expansion?)",
                "split the file, and do not use aliases",
            )
        ]
    except RecursionError:
        return None, [Diagnostic(Location(name), f"nesting deeper than {MAX_DEPTH} levels")]
    return loaded, builder.problems


def load_file(path: Path, name: str) -> tuple[LoadedFile | None, list[Diagnostic]]:
    """Read and parse one YAML file."""
    text, problems = read_text(path, name)
    if text is None:
        return None, problems
    if "\t" in text:
        for number, line in enumerate(text.splitlines(), 1):
            indent = line[: len(line) - len(line.lstrip())]
            if "\t" in indent:
                return None, [
                    Diagnostic(
                        Location(name, number, indent.index("\t") + 1),
                        "tab character used for indentation",
                        "YAML indentation must use spaces; replace the tab with spaces",
                    )
                ]
    return parse_yaml(text, path, name)


def iter_yaml(directory: Path) -> Iterator[Path]:
    """YAML files under a directory, in a stable order."""
    yield from sorted(p for p in directory.rglob("*") if p.suffix in {".yaml", ".yml"})
