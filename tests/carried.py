"""What a built PDF carries, read and rewritten by project name: the sources attached apart
(under the names the manifest's `shown` gives) and the rest in the bundle. A forger's tools."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pikepdf

from briefing.pdf.embed import attach_file, bundle
from briefing.render.attachments import BUNDLE, MANIFEST, Attachment

WHEN = dt.datetime(2031, 4, 1, tzinfo=dt.UTC)


def members(packed: bytes) -> dict[str, bytes]:
    """The files of a bundle, by name."""
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def attachment_names(pdf_path: Path) -> list[str]:
    """The names a reader's attachment panel shows, sorted."""
    with pikepdf.open(pdf_path) as pdf:
        return sorted(pdf.attachments)


def carried(pdf_path: Path) -> dict[str, bytes]:
    """Every file the PDF carries, by its project name (facts/…, briefing/templates/…)."""
    with pikepdf.open(pdf_path) as pdf:
        files = {n: bytes(s.get_file().read_bytes()) for n, s in pdf.attachments.items()}
    inside = members(files.pop(BUNDLE))
    shown = json.loads(inside[MANIFEST]).get("shown", {})
    by_shown = {attached: name for name, attached in shown.items()}
    return {**inside, **{by_shown.get(key, key): content for key, content in files.items()}}


def manifest_of(pdf_path: Path) -> dict[str, Any]:
    """The PDF's briefing.json, parsed."""
    listing: dict[str, Any] = json.loads(carried(pdf_path)[MANIFEST])
    return listing


def tampered(
    original: Path,
    target: Path,
    changes: Mapping[str, bytes | None],
    *,
    manifest: bool = False,
    fields: Mapping[str, object] | None = None,
) -> Path:
    """A copy of `original` whose files (by project name) are replaced (bytes), added, or
    removed (None), in the bundle or attached apart as the file was; with `manifest`,
    briefing.json is rewritten to match, as a careful forger would; `fields` are set in it."""
    with pikepdf.open(original) as pdf:
        files = pdf.attachments
        inside = members(bytes(files[BUNDLE].get_file().read_bytes()))
        listing = json.loads(inside[MANIFEST])
        shown = listing.get("shown", {})
        for name, content in changes.items():
            if name in shown:
                key = shown[name]
                del files[key]
                if content is not None:
                    files[key] = pikepdf.AttachedFileSpec(pdf, content, filename=key)
            else:
                inside.pop(name, None)
                if content is not None:
                    inside[name] = content
            if manifest and content is None:
                listing["files"].pop(name, None)
                shown.pop(name, None)
            elif manifest and content is not None:
                listing["files"][name] = hashlib.sha256(content).hexdigest()
        listing.update(fields or {})
        if manifest or fields:
            inside[MANIFEST] = json.dumps(listing).encode()
        del files[BUNDLE]
        packed = bundle([Attachment(n, "", c) for n, c in inside.items()], WHEN)
        files[BUNDLE] = pikepdf.AttachedFileSpec(pdf, packed, filename=BUNDLE)
        pdf.save(target)
    return target


def rebundled(original: Path, target: Path, packed: bytes) -> Path:
    """A copy of `original` whose bundle is `packed`, as it is."""
    with pikepdf.open(original) as pdf:
        del pdf.attachments[BUNDLE]
        pdf.attachments[BUNDLE] = pikepdf.AttachedFileSpec(pdf, packed, filename=BUNDLE)
        pdf.save(target)
    return target


def flat(original: Path, target: Path) -> Path:
    """`original` as the last version embedded it: every file attached on its own under its
    project name (MIME type, MD5, size, dates, listed in the names tree and /AF), and a
    manifest of format briefing-evidence/1, which has no `shown`."""
    files = carried(original)
    listing = json.loads(files[MANIFEST])
    listing["format"] = "briefing-evidence/1"
    listing.pop("shown", None)
    files[MANIFEST] = json.dumps(listing, indent=2, ensure_ascii=False).encode() + b"\n"
    with pikepdf.open(original) as pdf:
        del pdf.Root.Names.EmbeddedFiles
        del pdf.Root.AF
        # Each file on its own, the manifest last, as the engine attached them then.
        for name in [n for n in files if n != MANIFEST] + [MANIFEST]:
            attach_file(pdf, name, name, files[name], "Source", WHEN)
        pdf.save(target)
    return target
