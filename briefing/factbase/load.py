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
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefing.core.diagnostics import Diagnostic, LineIndex, Location, editor_lines
from briefing.core.gate import read_project_file
from briefing.core.memo import Memo, digest

MAX_DEPTH = 40  # far below Python's recursion limit, far above the six levels facts need
MAX_NODES = 100_000  # values after alias expansion; stops billion-laughs before it is built
MAX_ALIASES = 100  # aliases are legal YAML but facts have no use for many of them

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


class _Refused(Exception):
    """A file the loader will not parse any further, with where and why."""

    def __init__(
        self, line: int, col: int, message: str, hint: str = "", code: str = "Y005"
    ) -> None:
        super().__init__(message)
        self.line, self.col, self.message, self.hint = line, col, message, hint
        self.code = code


_RESOLVER = _FactResolver()


class _BudgetedComposer(yaml.composer.Composer, _FactResolver):
    """A composer with our resolver and budgets for hostile input, over any event source.

    Every composed node is weighed: its own value plus everything its aliases would expand to.
    An alias bomb is thus refused at the alias that tips the budget, before anything is built.
    """

    def __init__(self, stream: str) -> None:
        yaml.composer.Composer.__init__(self)
        _FactResolver.__init__(self)
        self.lines = LineIndex(stream)
        self.alias_count = 0
        self.depth = 0
        self.weights: dict[int, int] = {}  # id(node) -> expanded size, once complete
        self.open_weights: list[int] = [0]  # running size of each node being composed

    def peek_event(self) -> Any:
        """The next event, from the parser this composer is combined with."""
        raise NotImplementedError

    def where(self, event: Any) -> tuple[int, int]:
        """The line:col an editor shows for where `event` starts."""
        return self.lines.line_col(event.start_mark.index)

    def _add_weight(self, weight: int, event: Any) -> None:
        self.open_weights[-1] += weight
        if self.open_weights[-1] > MAX_NODES:
            line, col = self.where(event)
            raise _Refused(
                line,
                col,
                f"this file would expand to more than {MAX_NODES:,} values (alias bomb?)",
                "write the values out instead of repeating them with aliases ('*name')",
            )

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.events.AliasEvent):
            self.alias_count += 1
            line, col = self.where(event)
            if self.alias_count > MAX_ALIASES:
                raise _Refused(
                    line,
                    col,
                    f"more than {MAX_ALIASES} aliases ('*name') in one file",
                    "write the values out; aliases are limited to stop alias bombs",
                )
            target = self.anchors.get(event.anchor)
            if target is not None:
                if id(target) not in self.weights:
                    raise _Refused(
                        line,
                        col,
                        f"alias '*{event.anchor}' refers to a value that contains it",
                        "a value cannot include itself; write it out",
                        code="Y006",
                    )
                self._add_weight(self.weights[id(target)], event)
            aliased: Node | None = super().compose_node(parent, index)
            return aliased
        self.depth += 1
        if self.depth > MAX_DEPTH:
            line, col = self.where(event)
            raise _Refused(
                line,
                col,
                f"nesting deeper than {MAX_DEPTH} levels",
                "facts need only a few levels; flatten the structure",
            )
        self.open_weights.append(0)
        try:
            node: Node | None = super().compose_node(parent, index)
        finally:
            self.depth -= 1
            inner = self.open_weights.pop()
        if node is not None:
            self.weights[id(node)] = inner + 1
            self._add_weight(inner + 1, event)
        return node


class _FactComposer(
    yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _BudgetedComposer
):
    """PyYAML's own reader, scanner and parser under the budgeted composer: the one whose
    errors the loader words for the curator (see _SYNTAX_HINTS)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _BudgetedComposer.__init__(self, stream)

    # PyYAML ends a comment at NEL, U+2028 and U+2029 as at a line break, and reads what follows
    # as YAML: a pasted separator in a comment became a syntax error, or a key. An editor shows
    # one comment line there; a comment here ends only where an editor ends the line.
    def scan_to_next_token(self) -> None:
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        while True:
            while self.peek() == " ":
                self.forward()
            self._skip_comment()
            if not self.scan_line_break():  # type: ignore[no-untyped-call]
                return
            if not self.flow_level:
                self.allow_simple_key = True

    def scan_block_scalar_ignored_line(self, start_mark: Any) -> None:
        while self.peek() == " ":
            self.forward()
        self._skip_comment()
        super().scan_block_scalar_ignored_line(start_mark)

    def _skip_comment(self) -> None:
        if self.peek() == "#":
            while self.peek() not in "\0\r\n":
                self.forward()


class _FastComposer(_BudgetedComposer):
    """libyaml's parser (PyYAML's C extension) under the same budgeted composer: the events
    are the same, ten times as fast. Used for a file that parses cleanly; any problem sends
    the file through _FactComposer, whose messages and hints the curator gets."""

    def __init__(self, stream: str) -> None:
        from yaml._yaml import CParser

        self._events = CParser(stream)
        _BudgetedComposer.__init__(self, stream)

    def check_event(self, *choices: Any) -> bool:
        return bool(self._events.check_event(*choices))

    def peek_event(self) -> Any:
        return self._events.peek_event()

    def get_event(self) -> Any:
        return self._events.get_event()

    def dispose(self) -> None:
        self._events.dispose()


def _fast_parse(text: str) -> Any:
    """The composed node of a clean file with libyaml, or None when there is no libyaml, the
    text has what libyaml would read otherwise than PyYAML, or libyaml finds anything wrong."""
    if not getattr(yaml, "__with_libyaml__", False) or _LIBYAML_DIFFERS.search(text):
        return None
    try:
        return _FastComposer(text).get_single_node()
    except (yaml.YAMLError, _Refused, RecursionError):
        return None


# Where libyaml and PyYAML part (found by tests/test_properties.py and a review): libyaml takes
# a tab after 'key:', a '#' right after '|' or '>', tags ('!'), and '?' in flow collections
# that PyYAML refuses, skips a byte-order mark at the start of any line where PyYAML keeps it,
# reads a control character PyYAML's reader refuses, and ends a comment at NEL, U+2028 or
# U+2029 where _FactComposer does not. A file with any of them goes the slow way, to be told
# exactly what PyYAML says of it.
_LIBYAML_DIFFERS = re.compile(
    r"[\t!\ufeff\x85\u2028\u2029]|[|>][-+0-9]*#|\?.*[\[{]|[\[{].*\?|"
    + yaml.reader.Reader.NON_PRINTABLE.pattern,
    re.DOTALL,
)


@dataclass
class LoadedFile:
    """One YAML file as plain data, plus the line:col of every key and value in it."""

    path: Path
    name: str  # as shown to the curator, e.g. facts/actors/pl.yaml
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    text: str = ""  # the text it was parsed from, as read through the gate

    @cached_property
    def digest(self) -> str:
        """The SHA-256 of its text: how a memo names what was made from this file."""
        return digest(self.text)

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


# What PyYAML's reader refuses in a file, applied to the values an escape can produce.
_CONTROL = yaml.reader.Reader.NON_PRINTABLE


class _Builder:
    """Turns composed nodes into dicts, lists and scalars, recording positions."""

    def __init__(self, loaded: LoadedFile) -> None:
        self.loaded = loaded
        self.lines = LineIndex(loaded.text)
        self.problems: list[Diagnostic] = []
        self.count = 0

    def where(self, node: Node) -> tuple[int, int]:
        """The line:col an editor shows for where `node` starts."""
        return self.lines.line_col(node.start_mark.index)

    def problem(self, node: Node, message: str, hint: str, code: str) -> None:
        line, col = self.where(node)
        self.problems.append(
            Diagnostic(Location(self.loaded.name, line, col), message, hint, code=code)
        )

    def build(self, node: Node, path: Path_, depth: int = 0) -> Any:
        # The composer has already bounded size and depth; these guard against an alias that
        # places a deep value deep inside another, which only shows once it is expanded.
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            line, col = self.where(node)
            limit = f"{MAX_NODES:,} values" if self.count > MAX_NODES else f"{MAX_DEPTH} levels"
            raise _Refused(line, col, f"once aliases are expanded, this exceeds {limit}")
        self.loaded.values[path] = self.where(node)
        if node.tag not in _ALLOWED_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(
                node,
                f"YAML tag '{tag}' is not allowed",
                "facts are plain text, numbers, lists and mappings; remove the '!' tag",
                "Y007",
            )
            return None
        if not self.fits(node):
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(
                node, f"the tag '{tag}' does not fit this value", "remove the '!!' tag", "Y007"
            )
            return None
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if self.controlled(node):
            return None
        return self.scalar(node)

    def controlled(self, node: ScalarNode) -> bool:
        """Whether a scalar holds a control character, which it can only have got from an
        escape in double quotes ('\\e', '\\x07'): reported as the reader reports a raw one."""
        found = _CONTROL.search(str(node.value))
        if found is None:
            return False
        char = ord(found.group())
        self.problem(
            node,
            f"control character U+{char:04X} (written as an escape) is not allowed in YAML",
            "delete the escape ('\\' and what follows it) from the quoted text; facts are "
            "printed, and a control character would act on a terminal or a page",
            "Y002",
        )
        return True

    def fits(self, node: Node) -> bool:
        """Whether an explicit tag such as '!!int' matches what the value is written as."""
        if isinstance(node, MappingNode):
            return node.tag == _MAP
        if isinstance(node, SequenceNode):
            return node.tag == _SEQ
        if node.tag == _STR:
            return True
        implicit = _RESOLVER.resolve(ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
        return bool(implicit == node.tag)

    def mapping(self, node: MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            # Plain style is None from PyYAML's composer and '' from libyaml's.
            if key_node.value == "<<" and not getattr(key_node, "style", None):
                self.problem(
                    key_node, "merge keys ('<<') are not supported", "write the keys out", "Y008"
                )
                continue
            if not isinstance(key_node, ScalarNode):
                self.problem(
                    key_node, "a key must be a plain word", "use a text key such as 'id'", "Y008"
                )
                continue
            if self.controlled(key_node):
                continue
            key = str(key_node.value)
            if key in first_seen:
                line, _ = first_seen[key]
                self.problem(
                    key_node,
                    f"duplicate key '{key}' (first given on line {line})",
                    "remove one of the two, or merge their values",
                    "Y009",
                )
                continue
            first_seen[key] = self.where(key_node)
            self.loaded.keys[(*path, key)] = self.where(key_node)
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
            digits = text.replace("_", "")
            if len(digits) > 30:
                self.problem(node, "number too long", "put it in quotes if it is text", "Y010")
                return None
            return int(digits)
        if node.tag == _FLOAT:
            return float(text.replace("_", ""))
        return text


# PyYAML's wording, translated into advice for someone editing facts by hand.
_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    ("'\\t'", "indent with spaces, never tabs; after ':' use a space, not a tab"),
    (
        "mapping values are not allowed here",
        "a ': ' inside a value starts a new key; put the value in quotes or on a '>-' block",
    ),
    (
        "could not find expected ':'",
        "a key needs ':' after it; a value running over several lines needs '>-' or quotes",
    ),
    (
        "expected <block end>, but found '<scalar>'",
        "a quoted value ends early (quote marks inside it?) or the line is mis-indented; "
        "use single quotes outside double quotes, or '>-'",
    ),
    ("expected <block end>", "this line does not line up with the lines around it"),
    ("is never closed", "close the quote or bracket, or remove the opening one"),
    ("found another document", "one document per file: remove the '---' line"),
    ("undefined alias", "'*name' needs an earlier '&name'; better, write the value out"),
    ("duplicate anchor", "each '&name' may be defined only once"),
    (
        "that cannot start any token",
        "a value starting with '@', '`', '%' or a tab must be put in quotes",
    ),
    ("unknown escape character", "in double quotes '\\' starts an escape; use single quotes"),
)


_UNCLOSED = re.compile(r"end of stream|<stream end>|<document end>")


def _syntax_hint(message: str) -> str:
    return next((hint for needle, hint in _SYNTAX_HINTS if needle in message), "")


def _is_blank(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in editor_lines(text))


def parse_yaml(text: str, path: Path, name: str) -> tuple[LoadedFile | None, list[Diagnostic]]:
    """Parse one YAML document into a LoadedFile; every problem becomes a diagnostic."""
    loaded = LoadedFile(path=path, name=name, data=None, text=text)
    empty = Diagnostic(
        Location(name), "file is empty", "add content or delete the file", code="F006"
    )
    if _is_blank(text):
        return None, [empty]
    try:
        node = _fast_parse(text)
        if node is None:
            composer = _FactComposer(text)  # the reader refuses control characters right here
            node = composer.get_single_node()
        if node is None:
            return None, [empty]
        builder = _Builder(loaded)
        loaded.data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = (exc.problem or exc.context or "invalid YAML").strip()
        if exc.context and exc.context_mark and _UNCLOSED.search(message):
            # The end of the file is not where the mistake is: point at what was left open.
            mark = exc.context_mark
            opened = exc.context.removeprefix("while scanning ").removeprefix("while parsing ")
            message = f"{opened} starting here is never closed"
        line, col = LineIndex(text).line_col(mark.index) if mark else (0, 0)
        return None, [
            Diagnostic(
                Location(name, line, col),
                f"YAML syntax: {message}",
                _syntax_hint(message),
                code="Y001",
            )
        ]
    except yaml.reader.ReaderError as exc:
        line, col = LineIndex(text).line_col(exc.position)
        return None, [
            Diagnostic(
                Location(name, line, col),
                f"control character U+{exc.character:04X} is not allowed in YAML",
                "delete it; it is invisible in most editors (pasted from a PDF or a web page?)",
                code="Y002",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(Location(name), f"YAML syntax: {exc}", code="Y001")]
    except _Refused as exc:
        return None, [
            Diagnostic(Location(name, exc.line, exc.col), exc.message, exc.hint, code=exc.code)
        ]
    except RecursionError:
        return None, [
            Diagnostic(Location(name), f"nesting deeper than {MAX_DEPTH} levels", code="Y005")
        ]
    if not isinstance(loaded.data, dict):
        kind = "a list" if isinstance(loaded.data, list) else "a single value"
        line, col = loaded.values.get((), (1, 1))
        return None, [
            Diagnostic(
                Location(name, line, col),
                f"the file holds {kind}; it must hold keys and values ('key: value' lines)",
                "start with the top-level keys, e.g. 'id:' and 'name:' for an actor",
                code="Y004",
            )
        ]
    return loaded, builder.problems


Parse = tuple[LoadedFile | None, list[Diagnostic]]


def load_file(
    path: Path,
    name: str,
    *,
    within: Path | None = None,
    memo: Memo | None = None,
    real_within: Path | None = None,
) -> tuple[LoadedFile | None, list[Diagnostic]]:
    """Read and parse one YAML file that stays inside `within` (default: its own folder;
    `real_within`: `within` resolved already, see read_project_file).

    With `memo` (the live preview's), a file whose text is what it was is not parsed again:
    what a parse returns is only ever read (by the validation and the check)."""
    area = within if within is not None else path.parent
    text, problems = read_project_file(path, area, name, real_area=real_within)
    if text is None:
        return None, problems
    if memo is None:
        return _parse_text(text, path, name)
    loaded, found = memo.get(
        ("yaml", path, name, digest(text)), lambda: _parse_text(text, path, name)
    )
    return loaded, list(found)  # the caller's to extend; the memo's stays as it was


def _parse_text(text: str, path: Path, name: str) -> Parse:
    if "\t" in text:
        for number, line in enumerate(editor_lines(text), 1):
            indent = line[: len(line) - len(line.lstrip())]
            if "\t" in indent:
                return None, [
                    Diagnostic(
                        Location(name, number, indent.index("\t") + 1),
                        "tab character used for indentation",
                        "YAML indentation must use spaces; replace the tab with spaces",
                        code="Y003",
                    )
                ]
    return parse_yaml(text, path, name)


def iter_yaml(directory: Path) -> Iterator[Path]:
    """YAML files under a directory, in a stable order (symlinked folders are not entered)."""
    yield from sorted(
        p for p in directory.rglob("*") if p.suffix in {".yaml", ".yml"} and not p.is_dir()
    )
