"""Embedding: write a PDF's attachments into it as PDF/A-3 associated files: the sources each
on its own, the rest in one deterministic zip."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
import zlib
from collections.abc import Sequence
from typing import Any

from briefing.render.attachments import BUNDLE, BUNDLE_DESCRIPTION, Attachment

# pikepdf is imported inside `embed`: only binding needs it, and a build whose PDFs all come
# from the cache never loads it.

# Files compressed for attaching, by their MD5: every brief carries the whole fact base, and a
# process binding many briefs compresses each file of it once.
_DEFLATED: dict[bytes, bytes] = {}


_DEFLATED_LIMIT = 64 * 1024 * 1024


def _deflated(checksum: bytes, data: bytes) -> bytes:
    if checksum not in _DEFLATED:
        if sum(map(len, _DEFLATED.values())) > _DEFLATED_LIMIT:
            _DEFLATED.clear()
        _DEFLATED[checksum] = zlib.compress(data, 6)
    return _DEFLATED[checksum]


def bundle(evidence: Sequence[Attachment], when: dt.datetime) -> bytes:
    """The zip of `evidence` under their project names: members sorted by name, each dated
    `when` (the PDF's own date, not the clock) with fixed permissions, so that the same files
    give the same bytes."""
    stamp = when.astimezone(dt.UTC)
    # A zip dates its members to the two seconds, in years 1980 to 2107.
    date_time = (min(max(stamp.year, 1980), 2107), *stamp.timetuple()[1:6])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in sorted(evidence, key=lambda item: item.name):
            info = zipfile.ZipInfo(item.name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, wherever it is built: the same bytes everywhere
            info.external_attr = 0o100644 << 16  # a regular file, read-only to others
            archive.writestr(info, item.content, compresslevel=6)
    return out.getvalue()


def embed(pdf: Any, evidence: Sequence[Attachment], when: dt.datetime) -> None:
    """Attach `evidence` to the open pikepdf.Pdf `pdf` as PDF/A-3 associated files, written as
    WeasyPrint writes its own (MIME type, MD5 checksum, size and dates; listed in the names
    tree and the catalog's /AF): each source's file on its own under the name a reader sees
    (Attachment.shown), and every other file in one bundle (BUNDLE), the manifest among them.

    Attached after layout, the fact base, which changes with every edit, does not make every
    brief's layout new: the layout of a brief whose page did not change comes from the cache.
    """
    if not evidence:
        return
    shown = [item for item in evidence if item.shown]
    rest = [item for item in evidence if not item.shown]
    for item in shown:
        attach_file(pdf, item.shown, item.description, item.content, item.relationship, when)
    if rest:
        # Deflated member by member already: the stream is stored as it is.
        packed = bundle(rest, when)
        attach_file(pdf, BUNDLE, BUNDLE_DESCRIPTION, packed, "Supplement", when, deflate=False)


def attach_file(
    pdf: Any,
    name: str,
    description: str,
    data: bytes,
    relationship: str,
    when: dt.datetime,
    *,
    deflate: bool = True,
) -> None:
    """Attach `data` to the open pikepdf `pdf` under `name`: an embedded file with its MIME type,
    MD5, size and dates, listed in the names tree and in /AF (see embed)."""
    import mimetypes

    import pikepdf

    stamp = pikepdf.String(when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ"))
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pdf.make_indirect(pikepdf.Dictionary())
    if "/EmbeddedFiles" not in pdf.Root.Names:
        pdf.Root.Names.EmbeddedFiles = pikepdf.NameTree.new(pdf).obj
    files = pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles)
    if "/AF" not in pdf.Root:
        pdf.Root.AF = pikepdf.Array()  # direct in the catalog, as WeasyPrint writes it
    mime = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
    checksum = hashlib.md5(data, usedforsecurity=False).digest()
    stream = pikepdf.Stream(pdf, b"")
    if deflate:
        stream.write(_deflated(checksum, data), filter=pikepdf.Name.FlateDecode)
    else:
        stream.write(data)
    stream.Type = pikepdf.Name.EmbeddedFile
    stream.Subtype = pikepdf.Name("/" + mime)
    stream.Params = pikepdf.Dictionary(
        CheckSum=pikepdf.String(checksum),
        Size=len(data),
        CreationDate=stamp,
        ModDate=stamp,
    )
    spec = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec,
            F=pikepdf.String(name),
            UF=pikepdf.String(name),
            EF=pikepdf.Dictionary(F=pdf.make_indirect(stream)),
            Desc=pikepdf.String(description),
            AFRelationship=pikepdf.Name("/" + relationship),
        )
    )
    files[name] = spec
    pdf.Root.AF.append(spec)
