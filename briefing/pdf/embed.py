"""Embedding: write a PDF's attachments into it as PDF/A-3 associated files."""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Sequence
from typing import Any

from briefing.render.attachments import Attachment

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


def embed(pdf: Any, evidence: Sequence[Attachment], when: dt.datetime) -> None:
    """Attach `evidence` to the open pikepdf.Pdf `pdf` as PDF/A-3 associated files, written as
    WeasyPrint writes its own (MIME type, MD5 checksum, size and dates; listed in the names
    tree and the catalog's /AF).

    Attached after layout, the fact base, which changes with every edit, does not make every
    brief's layout new: the layout of a brief whose page did not change comes from the cache.
    """
    import mimetypes

    import pikepdf

    if not evidence:
        return
    stamp = pikepdf.String(when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ"))
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pdf.make_indirect(pikepdf.Dictionary())
    if "/EmbeddedFiles" not in pdf.Root.Names:
        pdf.Root.Names.EmbeddedFiles = pikepdf.NameTree.new(pdf).obj
    files = pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles)
    if "/AF" not in pdf.Root:
        pdf.Root.AF = pikepdf.Array()  # direct in the catalog, as WeasyPrint writes it
    associated = pdf.Root.AF
    for item in evidence:
        data = item.content
        mime = mimetypes.guess_type(item.name, strict=False)[0] or "application/octet-stream"
        checksum = hashlib.md5(data, usedforsecurity=False).digest()
        stream = pikepdf.Stream(pdf, b"")
        stream.write(_deflated(checksum, data), filter=pikepdf.Name.FlateDecode)
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
                F=pikepdf.String(item.name),
                UF=pikepdf.String(item.name),
                EF=pikepdf.Dictionary(F=pdf.make_indirect(stream)),
                Desc=pikepdf.String(item.description),
                AFRelationship=pikepdf.Name("/" + item.relationship),
            )
        )
        files[item.name] = spec
        associated.append(spec)
