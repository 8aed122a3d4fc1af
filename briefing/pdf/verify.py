"""Verify: a Briefing PDF checked by whoever holds it, offline, with nothing but the file.

Every PDF carries the evidence it rests on as PDF/A-3 attachments: the source texts it cites,
each on its own under the name a reader sees ("S1 Title.txt"), and one bundle (a zip,
render.attachments.BUNDLE) holding the YAML fact base, the templates and `briefing.json`, the
manifest of every file by its project name with its SHA-256 and the name each source is
attached under. A PDF of an earlier version carries every file flat, under its project name;
both are read. `briefing verify FILE.pdf`:

1. opens the file strictly (pikepdf, no repair) and refuses, as exit 2, anything that is not a
   readable, unencrypted Briefing PDF whose attachments, and the files of its bundle, fit the
   project's own file limits;
2. compares the attachments with the manifest (none missing, changed or added);
3. writes the attached files into a temporary folder and runs the check every build runs
   (check.check_project: the schema, the references, the pins, and every quote re-found with
   the same matcher);
4. reads the passages printed in the notes (pypdf) and confirms, with the check's proofs,
   that each is a passage the facts cite from an attached source, and that every cut a
   printed fact cites is printed whole where its passage is printed;
5. derives the document again from what it carries (the facts, the sources, the templates),
   as the build does, and compares it with the pages received: byte for byte where the PDF
   was made with the versions the reader has, else word by word on each page;
6. validates the signature, when there is one (briefing.pdf.sign).

Nothing an attachment says is executed or fetched: the YAML goes through the project's loader
(no tags, size, depth and alias limits), the texts are only read, and the templates are
rendered in Jinja's sandbox, laid out by a renderer that reads only the temporary folder's files.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import difflib
import hashlib
import io
import json
import logging
import os
import re
import stat
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.check.facts import Checked, check_project
from briefing.core.diagnostics import BriefingError, Diagnostic, Location, MessageError, errors
from briefing.core.gate import MAX_FILE_BYTES
from briefing.core.project import Project
from briefing.editions.released import manifest_line
from briefing.evidence.citations import Cited, all_citations
from briefing.evidence.excerpts import SUFFIX as EXCERPTS_SUFFIX
from briefing.evidence.excerpts import PartialText, excerpts_name
from briefing.evidence.quotes import ELLIPSIS, NormalText, Span, joined, normalise
from briefing.factbase.model import DAY_PATTERN
from briefing.factbase.plan import NOTE, OVERVIEW, actor_order
from briefing.factbase.validate import LoadedFactBase
from briefing.pdf.cache import made_with
from briefing.render.attachments import (
    BUNDLE,
    DESK_TEMPLATES,
    EARLIER_EDITION,
    MANIFEST,
    PACKAGED_TEMPLATES,
    briefing_version,
)
from briefing.render.pages import (
    PACKAGE_TEMPLATES,
    packaged_templates,
    packaged_templates_at,
    quote_text,
)

# pikepdf, pypdf and the signature checker (pyhanko) are imported inside the functions that
# use them: `briefing --help` and the commands that never open a PDF start without them.

if TYPE_CHECKING:
    import pikepdf

    from briefing.pdf.sign import SignatureCheck


# What a reader's machine is asked to take on: a file from anyone must be verified or refused
# in seconds and a few hundred MB. A book of the shipped desk is 31 pages and 0.7 MB, and
# carries 21 files (83 KB of YAML, 100 KB in all); each limit leaves a wide margin above that.
# Every attachment is also held to the limit the project holds its own files to
# (briefing.core.gate), so nothing can be attached that a build would not have read.
MAX_PDF_BYTES = 64 * 1024 * 1024
MAX_ATTACHMENTS = 500
MAX_ATTACHED_BYTES = 8 * 1024 * 1024  # all attachments together, once decompressed
# The bundle is one attachment holding many files, compressed: held to what they may come to.
MAX_BUNDLE_BYTES = MAX_ATTACHED_BYTES
# YAML loads at about 0.5 MB/s (briefing.core.gate) and a fact base is held in memory many
# times over while it is checked: 1 MiB is twelve times the shipped desk's.
MAX_FACT_BASE_BYTES = 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
# Reading a page's text takes 50 to 100 ms (pypdf); 200 pages is six times the shipped
# desk's book, and reads in 10 to 20 s.
MAX_PAGES = 200
# A page can be made arbitrarily slow to read (nested forms, a vast content stream): a
# backstop well above what 200 honest pages take on a busy machine, so that no book is refused
# for the machine's load.
MAX_READING_SECONDS = 30.0
MAX_DESTINATIONS = 100_000
MAX_TREE_DEPTH = 32  # a name tree's levels; qpdf and pikepdf write two

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


class Refused(MessageError):
    """A file `briefing verify` will not verify: not a Briefing PDF, damaged, encrypted, or
    with attachments missing or too large (exit 2)."""

    default_code = "V001"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CopyIssued(BaseModel):
    """A numbered copy's line of the manifest: which copy, issued to whom, holding what."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1)
    of: int = Field(ge=1)
    recipient: str = Field(max_length=200)
    name: str = Field(max_length=200)
    # Since copies are derived again: the role and marking its pages print.
    role: str | None = Field(default=None, max_length=200)
    marking: str | None = Field(default=None, max_length=200)
    chapters: list[str] = Field(max_length=MAX_ATTACHMENTS)


class Manifest(BaseModel):
    """briefing.json: which PDF this is and every file attached to it, with its SHA-256."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # /1: every file attached flat under its project name; /2: the sources apart, each under
    # the name `shown` gives, the rest in the bundle.
    format: Literal["briefing-evidence/1", "briefing-evidence/2"]
    document: Literal["book", "brief", "copy"]
    slug: str | None = Field(default=None, max_length=200)
    edition: int = Field(ge=1)
    compiled: str = Field(pattern=DAY_PATTERN)
    # Since PDFs carry their templates: the instant their dates print, and what made them.
    date: dt.datetime | None = None
    briefing: str | None = Field(default=None, max_length=100)
    made_with: dict[str, str] = Field(default_factory=dict, max_length=100)
    files: dict[str, str] = Field(max_length=MAX_ATTACHMENTS)
    # The name a reader sees each file attached on its own under, by its project name.
    shown: dict[str, str] = Field(default_factory=dict, max_length=MAX_ATTACHMENTS)
    copy_: CopyIssued | None = Field(default=None, alias="copy")

    def digests(self) -> dict[str, str]:
        return {name: digest.lower() for name, digest in self.files.items()}


# --- Reading the PDF ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """What verification needs from the file, read once."""

    data: bytes
    creator: str
    attachments: dict[str, bytes]  # by their project names, the bundle's files among them
    anchors: list[str]  # the names of the PDF's named destinations (the HTML ids it kept)
    # Whether it carries the bundle, and the name each file attached apart (or that the
    # manifest says is) is shown under, by its project name.
    bundled: bool = False
    shown: dict[str, str] = field(default_factory=dict)

    def called(self, name: str) -> str:
        """How a reader finds the file of project name `name`: the attachment it is shown as,
        or the bundle it is a file of."""
        if self.shown.get(name, name) != name:
            return f"'{self.shown[name]}' ({name})"
        return f"{name} (in {BUNDLE})" if self.bundled and name not in self.shown else name


def read_pdf(path: Path) -> bytes:
    """The bytes of `path`, refused when it is not a regular file or larger than any book."""
    try:
        # Non-blocking, so that a FIFO or a device given as the file is refused, not waited on.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise Refused(f"cannot read it: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise Refused("it is a directory, not a PDF")
        if not stat.S_ISREG(mode):
            raise Refused("it is not a regular file (a pipe, a socket or a device); save it first")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_PDF_BYTES + 1)
    except OSError as exc:
        raise Refused(f"cannot read it: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_PDF_BYTES:
        raise Refused(f"it is larger than {MAX_PDF_BYTES // (1024 * 1024)} MiB; no book is")
    return data


def open_pdf(data: bytes) -> Opened:
    """Open the PDF strictly and take out its attachments and anchors; Refused otherwise."""
    import pikepdf

    # A PDF starts with its header within the first KiB; anything else is not one at all.
    if b"%PDF-" not in data[:1024]:
        raise Refused("it is not a PDF file")
    try:
        # No repair: a damaged file is reported as damaged, never silently reconstructed.
        pdf = pikepdf.open(io.BytesIO(data), attempt_recovery=False)
    except pikepdf.PasswordError:
        raise Refused("it is encrypted; a Briefing PDF never is") from None
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        # qpdf names the stream it read from; the reader knows which file they gave.
        first = re.sub(r"^stream <[^>]*>:\s*", "", first)
        raise Refused(f"it is damaged ({first[:160]})") from None
    with pdf:
        if pdf.is_encrypted:
            raise Refused("it is encrypted; a Briefing PDF never is")
        try:
            # Counted here, in qpdf, before any page is parsed in Python.
            if len(pdf.pages) > MAX_PAGES:
                raise Refused(f"it has more than {MAX_PAGES:,} pages; no book does")
            creator = str(pdf.docinfo.get("/Creator", ""))
            attachments = _attachments(pdf)
            anchors = _anchors(pdf)
        except Refused:
            raise
        except (pikepdf.PdfError, ValueError, RuntimeError, TypeError, KeyError) as exc:
            raise Refused(f"it is damaged ({str(exc)[:160] or type(exc).__name__})") from None
    if BUNDLE not in attachments:
        return Opened(data, creator, attachments, anchors)  # flat, as an earlier version wrote
    files, shown = _unbundled(attachments)
    return Opened(data, creator, files, anchors, bundled=True, shown=shown)


def _name_tree(tree: Any, what: str, limit: int) -> list[tuple[str, Any]]:
    """Every (key, value) of a PDF name tree, walked by hand: pikepdf's NameTree keeps one of
    two equal keys silently, where another reader (pdfdetach) may show the other. Bounded in
    depth and size, and refused on a loop."""
    import pikepdf

    found: list[tuple[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int]] = [(tree, 0)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if not isinstance(node, pikepdf.Dictionary) or depth > MAX_TREE_DEPTH or nodes > limit:
            raise Refused(f"its {what} are damaged or tampered with (not a name tree)")
        if node.is_indirect:
            if node.objgen in seen:
                raise Refused(f"its {what} are damaged or tampered with (a loop)")
            seen.add(node.objgen)
        pairs = node.get("/Names")
        if pairs is not None:
            if not isinstance(pairs, pikepdf.Array) or len(pairs) % 2:
                raise Refused(f"its {what} are damaged or tampered with (an odd list)")
            for index in range(0, len(pairs), 2):
                key = pairs[index]
                if not isinstance(key, pikepdf.String):
                    raise Refused(f"its {what} are damaged or tampered with (a key not a string)")
                found.append((str(key), pairs[index + 1]))
                if len(found) > limit:
                    return found
        kids = node.get("/Kids")
        if kids is not None:
            if not isinstance(kids, pikepdf.Array):
                raise Refused(f"its {what} are damaged or tampered with (kids not a list)")
            stack += [(kid, depth + 1) for kid in reversed(list(kids))]
    return found


def _safe_name(name: str) -> str | None:
    """`name` if it is a plain relative path (facts/actors/pl.yaml), else None: an attachment
    is written under a temporary folder by its name, and must stay inside it."""
    if not name or len(name) > 255 or any(ord(c) < 32 or c in '\\:*?"<>|' for c in name):
        return None
    if any(part in ("", ".", "..") for part in name.split("/")):
        return None  # also an absolute name, whose first part is empty
    return name


def _decoded(stream: pikepdf.Stream, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """An attachment's bytes, decompressed no further than the size limit allows: a small
    stream that would inflate to gigabytes is refused after `limit` bytes."""
    import pikepdf

    params = stream.get("/Params")
    if isinstance(params, pikepdf.Dictionary):
        declared = params.get("/Size")
        if isinstance(declared, int) and declared > limit:
            raise Refused(_too_large(name, declared, limit))
    filters = stream.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        filters = filters[0] if len(filters) == 1 else filters
    raw = stream.read_raw_bytes()
    if filters is None:
        content = raw
    elif filters == pikepdf.Name.FlateDecode and "/DecodeParms" not in stream:
        inflater = zlib.decompressobj()
        try:
            content = inflater.decompress(raw, limit + 1)
        except zlib.error:
            raise Refused(
                f"its attachment {name} is damaged or tampered with (its compressed data "
                "does not inflate)"
            ) from None
        if inflater.unconsumed_tail:
            raise Refused(_too_large(name, None, limit))
    else:
        # WeasyPrint writes Flate or nothing; other filters are not worth the risk of decoding.
        raise Refused(f"its attachment {name} is encoded in a way Briefing never writes")
    if len(content) > limit:
        raise Refused(_too_large(name, len(content), limit))
    return bytes(content)


def _check_params(stream: pikepdf.Stream, name: str, content: bytes) -> None:
    """Refused when the size or MD5 an attachment records for itself is not its content's: the
    bytes were damaged, or replaced and its record left as it was."""
    import pikepdf

    params = stream.get("/Params")
    if not isinstance(params, pikepdf.Dictionary):
        return
    size, checksum = params.get("/Size"), params.get("/CheckSum")
    if isinstance(size, int) and int(size) != len(content):
        raise Refused(
            f"its attachment {name} is damaged or tampered with: it records {int(size):,} "
            f"bytes and holds {len(content):,}"
        )
    if (
        isinstance(checksum, pikepdf.String)
        and bytes(checksum) != hashlib.md5(content, usedforsecurity=False).digest()
    ):
        raise Refused(
            f"its attachment {name} is damaged or tampered with: its content is not the "
            "one its checksum records"
        )


def _too_much() -> str:
    return (
        f"its attachments come to more than {MAX_ATTACHED_BYTES // (1024 * 1024)} MiB; no book's do"
    )


def _too_large(name: str, size: int | None, limit: int = MAX_FILE_BYTES) -> str:
    shown = f"{size:,} bytes" if size is not None else "larger"
    which = "as for the project's own files" if limit == MAX_FILE_BYTES else "as for all files"
    return (
        f"its attachment {name} is {shown}; the limit is {limit:,} bytes "
        f"({limit // 1024} KiB), {which}"
    )


def _attachments(pdf: pikepdf.Pdf) -> dict[str, bytes]:
    """Every embedded file by its name, each checked for a safe name and a bounded size."""
    import pikepdf

    names = pdf.Root.get("/Names")
    tree = names.get("/EmbeddedFiles") if isinstance(names, pikepdf.Dictionary) else None
    if tree is None:
        return {}
    found: dict[str, bytes] = {}
    total = 0
    items = _name_tree(tree, "attachments", MAX_ATTACHMENTS)
    if len(items) > MAX_ATTACHMENTS:
        raise Refused(f"it has more than {MAX_ATTACHMENTS:,} attachments; no book does")
    keys = [key for key, _ in items]
    twice = next((key for key in keys if keys.count(key) > 1), None)
    if twice is not None:
        # One reader would show one copy and another the other: neither is read.
        raise Refused(
            f"two attachments are named {twice[:120]}: one reader shows one copy, another "
            "the other; it was tampered with, and neither copy was read"
        )
    for key, spec in items:
        name = _safe_name(key)
        if name is None:
            raise Refused(f"an attachment has a name that is not a plain path: {key[:80]!r}")
        embedded = spec.get("/EF") if isinstance(spec, pikepdf.Dictionary) else None
        stream = embedded.get("/F") if isinstance(embedded, pikepdf.Dictionary) else None
        if not isinstance(stream, pikepdf.Stream):
            raise Refused(f"its attachment {name} has no content")
        # A viewer lists the file under its /UF or /F name, verify under the key: one name.
        shown = [str(spec[k]) for k in ("/UF", "/F") if isinstance(spec.get(k), pikepdf.String)]
        if any(other != key for other in shown):
            raise Refused(
                f"its attachment {name} is shown to a reader under another name "
                f"({shown[0][:80]!r}): it was tampered with"
            )
        found[name] = _decoded(stream, name, MAX_BUNDLE_BYTES if name == BUNDLE else MAX_FILE_BYTES)
        _check_params(stream, name, found[name])
        total += len(found[name])
        if total > MAX_ATTACHED_BYTES:
            raise Refused(_too_much())
    _associated_are_attached(pdf, items)
    return found


def _unbundled(attachments: dict[str, bytes]) -> tuple[dict[str, bytes], dict[str, str]]:
    """The files a PDF in the bundled layout carries, by their project names (those of its
    bundle, and those attached apart, named back by the manifest's `shown`), and the name each
    of the latter is shown under. Refused where two files would stand for one name."""
    members = _members(attachments[BUNDLE])
    content = members.get(MANIFEST)
    if content is None:
        raise Refused(f"its {BUNDLE} holds no {MANIFEST}: it is not a Briefing bundle")
    shown = _parsed_manifest(content).shown
    named = {attached: name for name, attached in shown.items()}
    if len(named) < len(shown):
        raise Refused(f"its {MANIFEST} names two files attached under one name")
    files = dict(members)
    total = sum(map(len, files.values()))
    for key, data in attachments.items():
        if key == BUNDLE:
            continue
        # An attachment the manifest does not name keeps its own name: reported as added.
        name = named.get(key, key)
        if name in files:
            raise Refused(
                f"both its attachment {key[:120]} and a file of its {BUNDLE} stand for "
                f"{name[:120]}: one reader would be shown one, verify the other; it was "
                "tampered with, and neither was read"
            )
        files[name] = data
        total += len(data)
    if total > MAX_ATTACHED_BYTES:
        raise Refused(_too_much())
    # Attached apart: the sources under the names the manifest gives (attached or not), and
    # anything else under its own.
    apart = {named.get(key, key): key for key in attachments if key != BUNDLE}
    return files, {**shown, **apart}


# The errors zipfile raises on a damaged or hostile archive (a bad header, CRC, or stream).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
)


def _members(packed: bytes) -> dict[str, bytes]:
    """The files of the bundle, each checked as an attachment is (a plain path, one of each
    name, no larger than a project's file, not encrypted, deflated or stored), and bounded
    together; Refused otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(packed))
    except _ZIP_ERRORS:
        raise Refused(f"its {BUNDLE} is damaged or tampered with (not a zip)") from None
    members: dict[str, bytes] = {}
    total = 0
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ATTACHMENTS:
            raise Refused(f"its {BUNDLE} holds more than {MAX_ATTACHMENTS:,} files; no book's does")
        for info in infos:
            name = _safe_name(info.filename)
            if name is None:
                raise Refused(
                    f"a file of its {BUNDLE} has a name that is not a plain path: "
                    f"{info.filename[:80]!r}"
                )
            if name in members:
                raise Refused(
                    f"two files of its {BUNDLE} are named {name[:120]}: one reader shows one "
                    "copy, another the other; it was tampered with, and neither copy was read"
                )
            if info.flag_bits & 0x1 or info.compress_type not in (
                zipfile.ZIP_STORED,
                zipfile.ZIP_DEFLATED,
            ):
                raise Refused(
                    f"its {BUNDLE} holds {name} encrypted or encoded in a way Briefing never writes"
                )
            where = f"{name} (in {BUNDLE})"
            if info.file_size > MAX_FILE_BYTES:
                raise Refused(_too_large(where, info.file_size))
            try:
                # The size the zip records bounds the read; it is checked again below.
                with archive.open(info) as handle:
                    content = handle.read(MAX_FILE_BYTES + 1)
            except _ZIP_ERRORS as exc:
                reason = str(exc)[:120] or type(exc).__name__
                raise Refused(
                    f"its attachment {where} is damaged or tampered with ({reason})"
                ) from None
            if len(content) > MAX_FILE_BYTES:
                raise Refused(_too_large(where, len(content)))
            total += len(content)
            if total > MAX_ATTACHED_BYTES:
                raise Refused(_too_much())
            members[name] = content
    return members


def _associated_are_attached(pdf: pikepdf.Pdf, items: list[tuple[str, Any]]) -> None:
    """PDF/A lists the attachments again as associated files (/AF), where some readers find
    them: each must be one of the attachments verify reads, or a reader could be shown a file
    verify never saw."""
    import pikepdf

    listed = pdf.Root.get("/AF")
    if listed is None:
        return
    if not isinstance(listed, pikepdf.Array) or len(listed) > MAX_ATTACHMENTS:
        raise Refused("its associated files (/AF) are damaged or tampered with")
    known = {spec.objgen for _, spec in items if getattr(spec, "is_indirect", False)}
    for spec in listed:
        if not isinstance(spec, pikepdf.Dictionary) or spec.objgen not in known:
            raise Refused(
                "it lists an associated file (/AF) that is not among its attachments: "
                "a reader could be shown a file verify never read; it was tampered with"
            )


def _anchors(pdf: pikepdf.Pdf) -> list[str]:
    """The names of the named destinations: a brief's note ids, the book's passage ids."""
    import pikepdf

    names = pdf.Root.get("/Names")
    tree = names.get("/Dests") if isinstance(names, pikepdf.Dictionary) else None
    if tree is None:
        return []
    found = [key for key, _ in _name_tree(tree, "named destinations", MAX_DESTINATIONS)]
    if len(found) > MAX_DESTINATIONS:
        raise Refused("it has more named destinations than any book")
    return found


# --- The passages printed in the notes -------------------------------------------------------

# The quotation marks a <q> element draws (English, and the other languages a citation's
# `lang` may ask for). WeasyPrint draws each as a run of its own, apart from the words; a
# quotation mark inside a passage is glued to a word (no line may break beside one, UAX #14).
_OPENING_MARKS = frozenset("“‘„‚«‹\"'")
_CLOSING_MARKS = frozenset("”’“‘»›\"'")


@dataclass(frozen=True)
class Printed:
    """A passage printed in quotation marks in the PDF, and the page it starts on (1-based)."""

    page: int
    text: str


def printed_passages(data: bytes) -> list[Printed]:
    """Every passage printed between the quotation marks of a <q>: in a brief, its notes; in
    the book, Appendix A, where each passage the book cites is printed once.

    A passage that runs over a page break would take in the running header and footer between
    its halves; lines that recur on other pages are left out of such a passage.
    """
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not the reader's
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if len(reader.pages) > MAX_PAGES:
            raise Refused(f"it has more than {MAX_PAGES:,} pages; no book does")
        pages: list[list[str]] = []
        deadline = time.monotonic() + MAX_READING_SECONDS
        for page in reader.pages:
            pages.append(_runs(page))
            if time.monotonic() > deadline:
                raise Refused(
                    f"its pages take more than {MAX_READING_SECONDS:.0f} s to read (page "
                    f"{len(pages)} of {len(reader.pages)}); no book's do"
                )
    except Refused:
        raise
    except Exception as exc:  # any failure of the parser on a file pikepdf opened: damage
        raise Refused(
            f"its pages cannot be read ({str(exc)[:160] or type(exc).__name__})"
        ) from None
    recurring = _recurring(pages)
    passages: list[Printed] = []
    current: list[tuple[int, str]] | None = None
    for number, runs in enumerate(pages, 1):
        for run in runs:
            if current is None:
                if len(run) == 1 and run in _OPENING_MARKS:
                    current = []
            elif len(run) == 1 and run in _CLOSING_MARKS:
                first = current[0][0] if current else number
                spans_pages = bool(current) and current[-1][0] != first
                words = [
                    text
                    for page, text in current
                    if not (spans_pages and _furniture_key(text) in recurring)
                ]
                passages.append(Printed(first, " ".join(words)))
                current = None
            else:
                current.append((number, run))
    return passages


def _runs(page: Any) -> list[str]:
    """The runs of text on one page, in the order they are drawn."""
    runs: list[str] = []

    def keep(text: str, *_: Any) -> None:
        if text.strip():
            runs.append(text.strip())

    page.extract_text(visitor_text=keep)
    return runs


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _recurring(pages: list[list[str]]) -> set[str]:
    """Runs that appear on more than one page (page numbers aside): running heads and feet."""
    seen: dict[str, int] = {}
    for runs in pages:
        for key in {_furniture_key(run) for run in runs}:
            seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count > 1}


# A line may break after a hyphen or a slash, and before a dash glued to the next word (an em
# dash, which normalises to '-'); the words either side are then read as two runs.
_BROKEN_AT = re.compile(r"(?<=[^\s][-/]) |(?<=\S) (?=-\S)")


def comparable(text: str) -> str:
    """A passage as the matcher sees it (quotes.normalise: typography forgiven), with a line
    break after a hyphen or slash, or before a dash, not read as a space."""
    return _BROKEN_AT.sub("", normalise(text).text)


@dataclass(frozen=True)
class Cuts:
    """The cuts the facts cite from one source (each the runs of a proof), merged where they
    overlap, or stand apart by no word, into the stretches a printed passage can come from
    (a passage prints them as one run: evidence.quotes.joined)."""

    text: NormalText
    cuts: list[tuple[Span, ...]]
    # The cuts of the citations the document prints for certain (see _printing), with where
    # each is written: each must be printed whole where it is printed at all.
    printing: list[tuple[tuple[Span, ...], Cited]]

    @cached_property
    def stretches(self) -> list[Span]:
        return joined(self.text, (span for cut in self.cuts for span in cut))

    @cached_property
    def _bounds(self) -> tuple[list[int], list[int]]:
        runs = [span for cut in self.cuts for span in cut]
        return sorted({s for s, _ in runs}), sorted({e for _, e in runs})

    def place(self, printed: str) -> Span | None:
        """Where in the text a printed piece (comparable form) is cut from: a stretch from a
        cut's start to a cut's end that cuts cover with no word left out; None if none.

        Each start is tried once, its end found by bisection (a longer stretch prints longer
        words): thousands of overlapping cuts cost no more than sorting them, where pairing
        every start with every end did not fit in memory."""
        starts, ends = self._bounds
        for low, high in self.stretches:
            shown = comparable(quote_text(self.text.original_span(low, high)))
            if printed not in shown:
                continue
            first = bisect.bisect_left(starts, low)
            last = bisect.bisect_left(ends, high + 1)
            for start in starts[first : bisect.bisect_left(starts, high)]:
                candidates = ends[bisect.bisect_right(ends, start, 0, last) : last]
                at = bisect.bisect_left(
                    candidates, len(printed), key=lambda end: len(self._shown(start, end))
                )
                # Enclosing quotation marks left off (quote_text) make a length two shorter.
                for end in candidates[max(0, at - 1) : at + 2]:
                    if self._shown(start, end) == printed:
                        return start, end
        return None

    def _shown(self, start: int, end: int) -> str:
        return comparable(quote_text(self.text.original_span(start, end)))


# --- Verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One failure: what is wrong, the lines that show where (fact, source, passage), and its
    code (a V code of core.codes, or the check's code for a fact that no longer checks)."""

    message: str
    detail: tuple[str, ...] = ()
    code: str = field(kw_only=True)  # every failure names its own: V001 is for a refusal


@dataclass(frozen=True)
class Excerpted:
    """A source that travels as excerpts (evidence.excerpts): what of it the PDF carries, and
    the digest of the full text it does not."""

    source: str
    file: str  # the name its excerpts are attached under (facts/sources/… in a flat PDF)
    sha256: str  # of the full text, as the excerpts give it
    bytes: int
    characters: int
    carried: int  # characters the excerpts carry
    excerpts: int


@dataclass
class Verification:
    """What `briefing verify` found in one PDF."""

    document: str = "PDF"
    slug: str | None = None
    edition: int | None = None
    title: str = ""
    as_of: str = ""
    compiled: str = ""
    fact_files: int = 0
    facts_digest: str = ""
    sources: int = 0
    quotes: int = 0
    not_carried: int = 0
    pinned: int = 0
    printed: int = 0
    # How the pages were proved ('' when they were not derived), and from which templates.
    pages: str = ""
    templates: str = ""
    manifest: bool = False
    copy: CopyIssued | None = None  # a numbered copy: which, and to whom it was issued
    # The sources it carries as excerpts, not whole: their quotes are proved against those.
    excerpted: list[Excerpted] = field(default_factory=list)
    signatures: list[SignatureCheck] = field(default_factory=list)
    trust_asked: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def signed_and_trusted(self) -> bool:
        """A signature by a certificate the reader trusts covers the whole file as it is."""
        return any(signature.proves for signature in self.signatures)

    @property
    def ok(self) -> bool:
        return not self.problems


def facts_digest(files: dict[str, bytes]) -> str:
    """The fact base's digest: the SHA-256 of its SHA256SUMS (every YAML file's digest and
    name, sorted by name), the same for the book and every brief of one build."""
    lines = [
        manifest_line(name, hashlib.sha256(content).hexdigest()) + "\n"
        for name, content in sorted(files.items())
    ]
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


# Derives a document again in a project made of a PDF's attachments (briefing.site.derive):
# given the project, its check, the document ('book' or 'brief') and the brief's slug, the
# PDF's bytes, or a BriefingError saying why it cannot be made.
# Makes the PDF a manifest names again, from a project holding its attachments (site.derive).
Deriver = Callable[[Project, Checked, "Manifest"], bytes]


def verify(path: Path, trust: Sequence[Path] = (), derive: Deriver | None = None) -> Verification:
    """Verify one PDF (see the module's docstring); Refused when it cannot be verified. With
    `derive`, its pages are derived again and compared with those received."""
    try:
        return _verify(path, trust, derive)
    except RecursionError:
        # Structures nested past what any parser here is bounded for (pages, forms, outlines).
        raise Refused("it is nested deeper than any Briefing PDF is") from None


def _verify(path: Path, trust: Sequence[Path], derive: Deriver | None) -> Verification:
    from briefing.pdf.sign import check_signatures, signing_problems

    opened = open_pdf(read_pdf(path))
    manifest = _manifest(opened)
    result = Verification(manifest=manifest is not None)
    if manifest is not None:
        result.document, result.slug = manifest.document, manifest.slug
        result.compiled = manifest.compiled
        result.copy = manifest.copy_
        result.problems += _compare_with_manifest(opened, manifest)
    elif "facts/edition.yaml" in opened.attachments:
        result.document = "book"  # only books carried their fact base before the manifest
    facts_files = {n: c for n, c in opened.attachments.items() if n.startswith("facts/")}
    yaml_files = {n: c for n, c in facts_files.items() if not n.startswith("facts/sources/")}
    if sum(map(len, yaml_files.values())) > MAX_FACT_BASE_BYTES:
        raise Refused(
            f"its attached fact base is larger than {MAX_FACT_BASE_BYTES // 1024} KiB of YAML; "
            "no desk's is, and checking it would take minutes"
        )
    result.fact_files = len(yaml_files)
    result.facts_digest = facts_digest(yaml_files)
    carried = {
        n.removeprefix("facts/sources/") for n in facts_files if n.startswith("facts/sources/")
    }
    templates = {n: c for n, c in opened.attachments.items() if n.startswith(TEMPLATE_FOLDERS)}
    # The released edition it says what changed since (editions/N/facts/*.yaml): only YAML.
    earlier = {
        n: c
        for n, c in opened.attachments.items()
        if n.startswith(EARLIER_EDITION) and n.endswith(".yaml") and "/facts/" in n
    }
    if sum(map(len, earlier.values())) > MAX_FACT_BASE_BYTES:
        raise Refused("its attached earlier edition is larger than any desk's fact base")
    known = set(facts_files) | set(templates) | set(earlier) | {MANIFEST}
    for name in sorted(set(opened.attachments) - known):
        result.problems.append(
            Problem(
                f"attachment {opened.called(name)} is not part of a fact base; it was not read",
                code="V103",
            )
        )
    with tempfile.TemporaryDirectory(prefix="briefing-verify-") as folder:
        root = Path(folder)
        try:
            for name, content in {**facts_files, **templates, **earlier}.items():
                # The packaged templates go in a folder of their own, outside the project's.
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
        except OSError:
            # Names such as 'facts/a' beside 'facts/a/b.yaml': no folder of files is like it.
            raise Refused("its attachments' names do not make a folder of files") from None
        project = Project.at(root)
        cuts, checked = _check_facts(project, result, carried, manifest)
        if derive is not None:
            _check_pages(opened, result, manifest, templates, project, checked, derive)
    _check_printed(opened, result, cuts)
    result.signatures = check_signatures(opened.data, trust)
    for signature in result.signatures:
        result.problems += [Problem(p, code="V401") for p in signature.problems]
    result.problems += [
        Problem(p, code="V402")
        for p in signing_problems(opened.data, result.signatures, bool(trust))
    ]
    result.trust_asked = bool(trust)
    return result


def _manifest(opened: Opened) -> Manifest | None:
    """The PDF's manifest; None for a book built before PDFs carried one (its Creator and its
    attached fact base say it is a Briefing book); Refused for anything else."""
    content = opened.attachments.get(MANIFEST)
    if content is not None and len(content) > MAX_MANIFEST_BYTES:
        raise Refused(f"its {MANIFEST} is larger than any Briefing manifest")
    if content is None:
        if opened.creator == "Briefing" and "facts/edition.yaml" in opened.attachments:
            return None
        if opened.creator == "Briefing" and opened.attachments:
            raise Refused(
                "it carries source texts but not the fact base (a brief built before "
                "'briefing verify' existed); verify the book of its edition instead"
            )
        raise Refused("it is not a Briefing PDF (it carries no Briefing fact base)")
    return _parsed_manifest(content)


def _parsed_manifest(content: bytes) -> Manifest:
    """The manifest `content` holds; Refused when it is not one."""
    try:
        return Manifest.model_validate(json.loads(content.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, ValidationError, RecursionError):
        # RecursionError: JSON nested thousands deep, which no manifest is.
        raise Refused(f"its {MANIFEST} is not a Briefing manifest") from None


def _compare_with_manifest(opened: Opened, manifest: Manifest) -> list[Problem]:
    problems: list[Problem] = []
    attachments = opened.attachments
    listed = manifest.digests()
    for name, digest in sorted(listed.items()):
        content = attachments.get(name)
        if content is None:
            what = "source text" if name.startswith("facts/sources/") else "fact file"
            what = "source's excerpts" if name.endswith(EXCERPTS_SUFFIX) else what
            problems.append(
                Problem(
                    f"attachment {opened.called(name)} is missing: the PDF was built with this "
                    f"{what}, "
                    "and what rests on it cannot be verified",
                    code="V101",
                )
            )
        elif hashlib.sha256(content).hexdigest() != digest:
            problems.append(
                Problem(
                    f"attachment {opened.called(name)}{_excerpts_of(name, content)} is not the "
                    "file the PDF "
                    "was built with "
                    f"(its SHA-256 is {hashlib.sha256(content).hexdigest()[:16]}..., "
                    f"the manifest says {digest[:16]}...)",
                    code="V102",
                )
            )
    for name in sorted(set(attachments) - set(listed) - {MANIFEST}):
        problems.append(
            Problem(
                f"attachment {opened.called(name)} was added: the manifest does not list it",
                code="V103",
            )
        )
    return problems


def _excerpts_of(name: str, content: bytes) -> str:
    """' (the excerpts of source 'ID')' for an excerpts file that names its source, else ''."""
    if not name.endswith(EXCERPTS_SUFFIX):
        return ""
    try:
        named = json.loads(content.decode("utf-8")).get("source")
    except (UnicodeDecodeError, ValueError, RecursionError, AttributeError):
        return ""
    return f" (the excerpts of source '{named[:80]}')" if isinstance(named, str) else ""


def _check_facts(
    project: Project, result: Verification, carried: set[str], manifest: Manifest | None
) -> tuple[dict[str, Cuts], Checked]:
    """Run the project's check on the rebuilt fact base and count what it verified; for each
    source text it read, where the check found the quotes cited from it (its proofs)."""
    checked = check_project(project, pdf=False, only_sources=carried)
    base = checked.base
    citations = list(all_citations(base)) if base is not None else []
    for problem in errors(checked.problems):
        result.problems.append(_problem(problem, base, citations))
    if base is None:
        result.problems.append(
            Problem("the attached fact base does not load; nothing verified", code="V104")
        )
        return {}, checked
    facts = base.facts
    edition = facts.edition
    result.edition, result.title, result.as_of = edition.number, edition.title, edition.as_of
    result.compiled = result.compiled or edition.compiled or ""
    if manifest is not None and manifest.edition != edition.number:
        result.problems.append(
            Problem(
                f"the manifest says edition {manifest.edition}, the attached "
                f"facts/edition.yaml says {edition.number}",
                code="V105",
            )
        )
    result.sources = len(checked.texts)
    result.pinned = sum(1 for s in facts.sources if s.id in checked.texts and s.sha256)
    if result.document == "book":
        # A book carries every registered text; one the manifest lists is reported above.
        listed = manifest.digests() if manifest is not None else {}
        result.problems += [
            Problem(
                f"source '{s.id}' is registered but its text facts/sources/{s.file} is not "
                "attached: its quotes cannot be verified",
                code="V101",
            )
            for s in facts.sources
            if not {s.file, excerpts_name(s.file)} & carried
            and f"facts/sources/{s.file}" not in listed
        ]
    for source in facts.sources:
        text = checked.texts.get(source.id)
        if isinstance(text, PartialText):
            given = text.excerpts
            if source.redistribute == "whole":
                # Its facts say the text travels whole: excerpts in its place withhold it.
                result.problems.append(
                    Problem(
                        f"source '{source.id}' travels whole ('redistribute: whole' in the "
                        "attached sources.yaml), yet the PDF carries only excerpts of it",
                        code="V106",
                    )
                )
            name = f"facts/sources/{excerpts_name(source.file)}"
            result.excerpted.append(
                Excerpted(
                    source.id,
                    # As the reader's attachment panel shows it.
                    manifest.shown.get(name, name) if manifest is not None else name,
                    given.sha256,
                    given.bytes,
                    given.characters,
                    given.carried,
                    len(given.excerpts),
                )
            )
    slug = manifest.slug if manifest else None
    if result.document == "brief" and slug not in {NOTE, OVERVIEW, *(a.id for a in facts.actors)}:
        # Its notes would go unchecked: no brief of the fact base is the one it claims to be.
        result.problems.append(
            Problem(
                f"the manifest says it is the brief of '{slug}', which the attached fact base "
                "has no brief of; its notes cannot be checked",
                code="V105",
            )
        )
    printing = _printing(base, result.document, slug)
    if manifest is not None and manifest.copy_ is not None:
        printing = set().union(*(_printing(base, "brief", c) for c in manifest.copy_.chapters))
    cuts: dict[str, Cuts] = {}
    for cited in citations:
        text = checked.texts.get(cited.citation.source)
        if text is None:
            result.not_carried += 1
            continue
        found = checked.proofs.of(cited.citation)
        if found is not None and isinstance(text, PartialText) and not text.carries(found.spans):
            # Found over characters no excerpt carries: a quote made of the placeholder.
            result.problems.append(
                Problem(
                    f"a quote of source '{found.source}' is not inside any of the excerpts "
                    "that stand for its text",
                    (f"quote:   {' '.join(cited.citation.quote.split())}",),
                    code="V107",
                )
            )
            continue
        if found is not None:
            result.quotes += 1
            entry = cuts.setdefault(found.source, Cuts(text, [], []))
            entry.cuts.append(found.spans)
            if cited.file.path in printing:
                entry.printing.append((found.spans, cited))
    return cuts, checked


def _printing(base: LoadedFactBase, document: str, slug: str | None) -> set[Path]:
    """The facts files whose every citation the document prints: the overview's and each
    principal actor's in the book, an actor's own in its brief."""
    files = {"overview": base.overview_file.path}
    files.update({a.id: f.path for a, f in zip(base.facts.actors, base.actor_files, strict=True)})
    if document == "book":
        # Every principal's: an actor on record only has no chapter, but the overview's last
        # section cites all its facts do (its commitments and open questions).
        return {files["overview"], *(files[a.id] for a in actor_order(base.facts))}
    if slug in (NOTE, OVERVIEW):
        # overview.yaml is printed in two briefs (the judgments in the note, the rest in the
        # overview): neither is certain to print all its citations; the book prints them all.
        return set()
    return {files[slug]} if slug in files else set()


def _problem(found: Diagnostic, base: LoadedFactBase | None, citations: list[Cited]) -> Problem:
    """A check error as a verification failure; one at a citation names its fact, source and
    quote."""
    where = found.location
    lines = [f"at {where} (in the attached fact base)"] if where.file else []
    cited = _citation_at(where, citations)
    if cited is not None and base is not None:
        citation = cited.citation
        source = next((s for s in base.facts.sources if s.id == citation.source), None)
        lines = [
            f"fact:    {_fact_label(base, cited)} ({where}, attached)",
            f"source:  '{citation.source}'"
            + (f", facts/sources/{source.file}" if source is not None else ""),
            f"quote:   {' '.join(citation.quote.split())}",
        ]
    lines += [line.strip() for line in found.related]
    return Problem(found.message, tuple(lines), code=found.code or "V104")


def _citation_at(where: Location, citations: list[Cited]) -> Cited | None:
    """The citation whose quote holds `where`: the check points its caret at the quote, or at
    its first word that differs, on the quote's line or a later line of a folded value."""
    here = (where.line, where.col)
    for cited in citations:
        loaded = cited.file
        at = loaded.locate((*cited.path, "quote"))
        start = (at.line, at.col)
        if at.file != where.file or here < start:
            continue
        # The quote's value ends where the next key or value of its file starts.
        later = [p for p in (*loaded.values.values(), *loaded.keys.values()) if p > start]
        if not later or here < min(later):
            return cited
    return None


_KINDS = {
    "positions": "position",
    "commitments": "commitment",
    "statements": "statement",
    "bluf": "key judgment",
    "open_questions": "open question",
}


def _fact_label(base: LoadedFactBase, cited: Cited) -> str:
    """'commitment 'south-pact' of Southland', 'key judgment 2 of the overview'."""
    group, index = str(cited.path[0]), cited.path[1]
    kind = _KINDS.get(group, group.rstrip("s"))
    owner = next(
        (a for a, f in zip(base.facts.actors, base.actor_files, strict=True) if f is cited.file),
        None,
    )
    items = getattr(owner if owner is not None else base.facts.overview, group, [])
    item = items[index] if isinstance(index, int) and index < len(items) else None
    fact_id = getattr(item, "id", None)
    name = f"'{fact_id}'" if fact_id else str(index + 1 if isinstance(index, int) else index)
    return f"{kind} {name} of {owner.name if owner is not None else 'the overview'}"


def _check_printed(opened: Opened, result: Verification, cuts: dict[str, Cuts]) -> None:
    """Both ways: every passage printed in the notes is one the facts cite from an attached
    source, and every cut a printed fact cites is printed whole wherever it is printed at all;
    and the notes the PDF marks are the passages read from its pages."""
    printed = printed_passages(opened.data)
    result.printed = len(printed)
    shown: dict[str, list[tuple[Span, Printed]]] = {}
    for passage in printed:
        places = _placed(comparable(passage.text), cuts)
        if places is None:
            result.problems.append(
                Problem(
                    f"a passage printed on page {passage.page} is not a passage the facts "
                    "cite from an attached source",
                    (f"printed: {passage.text}",),
                    code="V201",
                )
            )
            continue
        for source, span in places:
            shown.setdefault(source, []).append((span, passage))
    if not printed and any(entry.printing for entry in cuts.values()):
        # Its pages (or the page that prints them) were taken out: said once, plainly.
        result.problems.append(
            Problem(
                "it prints no passage in quotation marks, but its facts cite quotes it must "
                "print: the passages were removed from its pages",
                code="V202",
            )
        )
        return
    # A printed passage no fact cites explains a cut that is printed nowhere: said once.
    refused = any("is not a passage the facts cite" in p.message for p in result.problems)
    for source, entry in cuts.items() if not refused else ():
        result.problems += _cut_short(entry, sorted(shown.get(source, []), key=lambda s: s[0]))
    marked = _marked_notes(opened.anchors)
    if marked is not None and marked != len(printed):
        result.problems.append(
            Problem(
                f"the PDF marks {marked} notes with a passage, but {len(printed)} passages "
                "in quotation marks were read from its pages",
                code="V202",
            )
        )


def _placed(passage: str, cuts: dict[str, Cuts]) -> list[tuple[str, Span]] | None:
    """Where a printed passage (comparable form) is cut from: one stretch of one source, or,
    for a quote in parts, one for each part between its ellipses; None if it is not cited."""
    for pieces in ([passage], [piece.strip() for piece in passage.split(_PARTED)]):
        for source, entry in cuts.items():
            spans = [entry.place(piece) for piece in pieces]
            if all(span is not None for span in spans):
                return [(source, span) for span in spans if span is not None]
    return None


# What a note prints between the parts of a quote in parts, as `comparable` reads it.
_PARTED = comparable(ELLIPSIS)


def _cut_short(entry: Cuts, shown: list[tuple[Span, Printed]]) -> list[Problem]:
    """A failure for each printed fact's cut that a printed passage takes in part of but no
    printed passage holds whole: its note leads to a passage without its words."""
    problems: list[Problem] = []
    starts = [span[0] for span, _ in shown]
    for runs, cited in entry.printing:
        touching: list[Printed] = []
        for low, high in runs:
            before = shown[: bisect.bisect_left(starts, high)]
            hit = [(span, p) for span, p in before if low < span[1]]
            if not any(a <= low and high <= b for (a, b), _ in hit):
                touching += [p for _, p in hit] or [Printed(0, "(nothing)")]
        if touching:
            problems.append(
                Problem(
                    "a quote a note cites is not printed whole in any passage: the note "
                    "leads to a passage without its words",
                    (
                        f"quote:   {' '.join(cited.citation.quote.split())}",
                        *dict.fromkeys(f"printed: {p.text}" for p in touching),
                    ),
                    code="V203",
                )
            )
    return problems


def _marked_notes(anchors: list[str]) -> int | None:
    """How many printed passages the PDF's anchors announce: the book's passages in Appendix A
    (source-ID-passage-N), or a brief's notes (SLUG-note-N); None when it has neither."""
    passages = sum(1 for a in anchors if re.fullmatch(r"source-.+-passage-\d+", a))
    if passages:
        return passages
    notes = sum(1 for a in anchors if re.fullmatch(r".+-note-\d+", a))
    return notes or None


# --- The pages, derived again ----------------------------------------------------------------

TEMPLATE_FOLDERS = (DESK_TEMPLATES, PACKAGED_TEMPLATES)

# How many differences are told one by one; the rest are counted.
MAX_DIFFERENCES = 8
# A page whose words agree less than this with the page the facts give is another page.
ANOTHER_PAGE = 0.5


def _check_pages(
    opened: Opened,
    result: Verification,
    manifest: Manifest | None,
    templates: dict[str, bytes],
    project: Project,
    checked: Checked,
    derive: Deriver,
) -> None:
    """Derive the document again in `project` (the attachments written out) and compare it
    with the file received: byte for byte, else the words of each page."""

    if manifest is None:
        result.pages = "not derived: it was built before PDFs carried their templates"
        return
    if manifest.document == "copy" and (manifest.copy_ is None or not templates):
        result.pages = "not derived: the copy was bound before copies carried their templates"
        return
    if errors(checked.problems) or checked.base is None or checked.plan is None:
        result.pages = "not derived: the attached fact base does not check"
        return
    if manifest.document == "brief" and manifest.slug not in checked.plan.slugs:
        result.pages = "not derived: the attached fact base has no such brief"
        return
    if manifest.copy_ is not None and not set(manifest.copy_.chapters) <= set(checked.plan.slugs):
        result.pages = "not derived: the attached fact base has not every chapter the copy holds"
        return
    packaged = {
        n.removeprefix(PACKAGED_TEMPLATES): hashlib.sha256(c).hexdigest()
        for n, c in templates.items()
        if n.startswith(PACKAGED_TEMPLATES)
    }
    folder = project.root / PACKAGED_TEMPLATES
    if not packaged:
        folder = packaged_templates()
        result.templates = (
            "it carries none (built before PDFs carried their templates): derived with this "
            "installation's"
        )
    elif packaged == _installed_templates():
        result.templates = (
            f"the {len(templates)} it carries; Briefing's own are identical to this installation's"
        )
    else:
        result.templates = (
            f"the {len(templates)} it carries, used in place of this installation's, which differ"
        )
    refused: list[str] = []
    try:
        with packaged_templates_at(folder), _dated(manifest), _refusals(refused):
            derived = derive(project, checked, manifest)
    except BriefingError as exc:
        result.pages = "not derived"
        result.problems.append(
            Problem(
                "its pages cannot be derived again from what it carries",
                tuple(" ".join(d.format().split()) for d in exc.diagnostics),
                code="V301",
            )
        )
        return
    result.problems += [
        Problem(
            f"a template it carries asks for {url}, which is not one of the PDF's own files: "
            "refused, and nothing was read from it",
            code="V303",
        )
        for url in dict.fromkeys(refused)
    ]
    if derived == opened.data:
        result.pages = "identical to a fresh build, byte for byte"
        return
    mine_with = made_with()
    same_tools = bool(manifest.made_with) and manifest.made_with == mine_with
    try:
        received, fresh = _page_words(opened.data), _page_words(derived)
    except Refused:
        raise
    except Exception as exc:  # the parser failing on a file pikepdf opened: damage
        reason = str(exc)[:160] or type(exc).__name__
        raise Refused(f"its pages cannot be read ({reason})") from None
    differences = _differences(received, fresh)
    if not differences:
        result.pages = f"text matches a fresh build, word for word on each of {len(fresh)} pages"
        if same_tools:
            result.pages += " (made with the same versions, yet not the same bytes: images, "
            result.pages += "fonts or links may differ)"
        elif manifest.made_with:
            apart = _versions_apart(manifest.made_with, mine_with)
            result.pages += f" (made with other versions: {apart})"
        return
    mine = briefing_version()
    result.pages = "differ from a fresh build"
    code = "V304"  # other versions: perhaps not a forgery
    if manifest.briefing is not None and manifest.briefing != mine:
        lead = (
            f"its pages differ from those this Briefing ({mine}) derives from what it carries; "
            f"it was made with Briefing {manifest.briefing}: the difference may be the "
            f"versions', not a forgery (verify it with Briefing {manifest.briefing})"
        )
    elif manifest.made_with and not same_tools:
        lead = (
            "its pages differ from those derived from what it carries; it was made with "
            "other versions of the layout libraries, and the difference may be theirs, not "
            "a forgery"
        )
    else:
        lead = "its pages are not the pages its attached facts give: they were changed"
        code = "V302"
    shown = differences[:MAX_DIFFERENCES]
    if len(differences) > len(shown):
        shown.append(f"... and {len(differences) - len(shown)} more differences")
    result.problems.append(Problem(lead, tuple(shown), code=code))


def _versions_apart(theirs: Mapping[str, str], mine: Mapping[str, str], most: int = 4) -> str:
    """What made the PDF that differs from this machine ("pydyf 0.12.1 there, 0.13.0 here")."""

    def short(version: str | None) -> str:
        # The code's digest is 64 characters: its first 12 tell two apart.
        return "none" if version is None else version[:12] + ("…" if len(version) > 12 else "")

    apart = [
        f"{name} {short(theirs.get(name))} there, {short(mine.get(name))} here"
        for name in sorted(set(theirs) | set(mine))
        if theirs.get(name) != mine.get(name)
    ]
    told = "; ".join(apart[:most])
    return told + (f"; and {len(apart) - most} more" if len(apart) > most else "")


def _installed_templates() -> dict[str, str]:
    """The digest of every template of the installed package, by its relative name."""

    return {
        p.relative_to(PACKAGE_TEMPLATES).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(PACKAGE_TEMPLATES.rglob("*"))
        if p.is_file()
    }


@contextlib.contextmanager
def _dated(manifest: Manifest) -> Iterator[None]:
    """SOURCE_DATE_EPOCH set to the instant the PDF was dated while the block runs, so that
    the pages derived again print the dates it prints."""
    when = manifest.date or dt.datetime.fromisoformat(manifest.compiled).replace(tzinfo=dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


class _Refusals(logging.Handler):
    """Collects the URLs the renderer's fetcher refused (WeasyPrint logs each and goes on)."""

    def __init__(self, found: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.found = found

    def emit(self, record: logging.LogRecord) -> None:
        match = re.search(r"refused to fetch (\S+?):(?:\s|$)", record.getMessage())
        if match is not None:
            self.found.append(match.group(1))


@contextlib.contextmanager
def _refusals(found: list[str]) -> Iterator[None]:
    """Collect into `found` what the templates asked for and were refused, while the block
    runs; WeasyPrint's own warnings are not the reader's."""
    logger = logging.getLogger("weasyprint")
    handler, propagate = _Refusals(found), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _page_words(data: bytes) -> list[list[str]]:
    """The words of each page, in reading order (pypdf's text extraction)."""
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = pypdf.PdfReader(io.BytesIO(data))
    if len(reader.pages) > MAX_PAGES:
        raise Refused(f"it has more than {MAX_PAGES:,} pages; no book does")
    deadline = time.monotonic() + MAX_READING_SECONDS
    pages: list[list[str]] = []
    for page in reader.pages:
        pages.append(page.extract_text().split())
        if time.monotonic() > deadline:
            raise Refused(f"its pages take more than {MAX_READING_SECONDS:.0f} s to read")
    return pages


def _numbers_masked(words: list[str]) -> str:
    # Page numbers move when a page is taken out or put in; pages are matched without them.
    return re.sub(r"\d+", "#", " ".join(words))


def _differences(received: list[list[str]], fresh: list[list[str]]) -> list[str]:
    """What differs between the pages received and the pages derived again, page by page."""
    if len(received) == len(fresh):
        found: list[str] = []
        for number, (got, want) in enumerate(zip(received, fresh, strict=True), 1):
            found += _page_differences(number, got, want)
        return found
    found = [f"it has {_pages(len(received))}; its facts give {_pages(len(fresh))}"]
    matcher = difflib.SequenceMatcher(
        None,
        [_numbers_masked(p) for p in received],
        [_numbers_masked(p) for p in fresh],
        autojunk=False,
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(paired):
            found += _page_differences(i1 + offset + 1, received[i1 + offset], fresh[j1 + offset])
        found += [
            f"page {i + 1}: not a page its facts give (it prints '{_shown(received[i])}')"
            for i in range(i1 + paired, i2)
        ]
        found += [
            f"page {j + 1} of a fresh build is missing (it prints '{_shown(fresh[j])}')"
            for j in range(j1 + paired, j2)
        ]
    return found


def _pages(count: int) -> str:
    return f"{count} page{'' if count == 1 else 's'}"


def _page_differences(number: int, got: list[str], want: list[str]) -> list[str]:
    """Each run of words that differs between a page received and the page the facts give."""
    if got == want:
        return []
    matcher = difflib.SequenceMatcher(None, got, want, autojunk=False)
    if matcher.ratio() < ANOTHER_PAGE:
        return [
            f"page {number}: not the page its facts give: it prints '{_shown(got)}' where "
            f"its facts give '{_shown(want)}'"
        ]
    found: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        printed, given = _shown(got[i1:i2]), _shown(want[j1:j2])
        if tag == "replace":
            found.append(f"page {number}: prints '{printed}' where its facts give '{given}'")
        elif tag == "delete":
            found.append(f"page {number}: prints '{printed}', which its facts do not give")
        elif tag == "insert":
            found.append(f"page {number}: leaves out '{given}', which its facts give")
    return found


def _shown(words: list[str], most: int = 12) -> str:
    text = " ".join(words[:most]) + (" ..." if len(words) > most else "")
    return text if len(text) <= 160 else text[:157] + "..."


def exit_code(outcome: Verification | Refused) -> int:
    """0 verified, 1 failures, 2 refused."""
    if isinstance(outcome, Refused):
        return EXIT_REFUSED
    return EXIT_OK if outcome.ok else EXIT_FAILED
