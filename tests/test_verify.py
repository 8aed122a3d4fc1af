"""`briefing verify`: a PDF checked from what it carries, and every way of tampering with it."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from briefing.check.facts import run_check
from briefing.cli import main
from briefing.core.gate import MAX_FILE_BYTES
from briefing.core.project import Project
from briefing.evidence.citations import all_citations
from briefing.pdf.embed import bundle
from briefing.pdf.verify import MAX_ATTACHMENTS, MAX_PAGES, verify
from briefing.render.attachments import BUNDLE, MANIFEST, Attachment
from briefing.site.build import build, checked_facts, render_site
from tests.carried import (
    WHEN,
    attachment_names,
    carried,
    flat,
    manifest_of,
    members,
    rebundled,
    tampered,
)
from tests.conftest import FIXTURES

# The name a reader's attachment panel shows the fixture's one source under.
HARBOUR = "S1 Harbour Council Weighs a Shield for Northland.txt"


@dataclass(frozen=True)
class Built:
    project: Project
    book: Path
    south: Path
    citations: int
    printed_in_book: int


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture desk built once, with PDFs (the slow part)."""
    root = tmp_path_factory.mktemp("verify") / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    project = Project.at(root)
    build(project)
    base, _ = run_check(project)
    assert base is not None
    checked, facts, plan = checked_facts(project)
    book = render_site(facts, project, plan, checked.texts).book
    assert book is not None
    number = facts.edition.number
    return Built(
        project,
        project.build / "pdf" / f"book-ed{number}.pdf",
        project.build / "pdf" / f"south-ed{number}.pdf",
        sum(1 for _ in all_citations(base)),
        book.sources.count("<q>"),  # Appendix A prints each passage once
    )


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["verify", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def attached(pdf_path: Path, name: str) -> bytes:
    return carried(pdf_path)[name]


def edited(content: bytes, old: str, new: str) -> bytes:
    text = content.decode("utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    return text.replace(old, new, 1).encode("utf-8")


# --- A fresh build verifies ----------------------------------------------------------------------


def test_a_fresh_book_verifies_every_quote(
    built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(built.book))
    assert code == 0, out
    assert f"ok: {built.citations} quotes verified in 1 source" in out
    assert "edition 3 of 'Shield for Northland'" in out
    assert "information cut-off 1 April 2031, compiled 1 April 2031" in out
    assert "signature: none" in out
    # Every passage Appendix A prints in quotation marks was read back and checked.
    assert f"notes: {built.printed_in_book} printed passages" in out


def test_every_brief_verifies_and_they_share_one_fact_base(built: Built) -> None:
    paths = sorted((built.project.build / "pdf").glob("*.pdf"))
    results = [verify(p) for p in paths]
    assert len(results) >= 4
    assert all(r.ok for r in results), [r.problems for r in results]
    assert {r.document for r in results} == {"book", "brief"}
    assert len({r.facts_digest for r in results}) == 1
    # The note prints references, not passages (they are the book's Appendix A), and this
    # overview cites nothing now that its judgments are the note's; the rest print passages.
    printed = {p.name.split("-ed")[0]: r.printed for p, r in zip(paths, results, strict=True)}
    assert printed["note"] == printed["overview"] == 0
    assert all(n > 0 for name, n in printed.items() if name not in ("note", "overview"))


def test_a_brief_carries_the_fact_base_and_only_the_texts_it_cites(built: Built) -> None:
    names = set(carried(built.south))
    facts = built.project.facts
    yaml_files = {f"facts/{p.relative_to(facts).as_posix()}" for p in facts.rglob("*.yaml")}
    assert yaml_files <= names
    templates = {n for n in names if n.startswith(("briefing/templates/", "templates/"))}
    assert names - yaml_files - templates == {"facts/sources/harbour.txt", MANIFEST}
    listing = manifest_of(built.south)
    assert listing["document"] == "brief" and listing["slug"] == "south"
    assert listing["format"] == "briefing-evidence/2"
    assert set(listing["files"]) == names - {MANIFEST}
    assert listing["shown"] == {"facts/sources/harbour.txt": HARBOUR}


def test_a_reader_sees_the_sources_by_their_labels_and_one_bundle(built: Built) -> None:
    # The panel lists the source by its label and title, and one zip; not a template nor a
    # YAML file.
    for path in sorted((built.project.build / "pdf").glob("*.pdf")):
        names = attachment_names(path)
        assert names in ([HARBOUR, BUNDLE], [BUNDLE]), (path.name, names)
    assert attachment_names(built.book) == [HARBOUR, BUNDLE]
    with pikepdf.open(built.book) as pdf:
        spec = pdf.attachments[HARBOUR]
        assert spec.description == "Source text: " + (
            "Harbour Council Weighs a Shield for Northland (The Harbour Gazette)"
        )
        assert spec.get_file().mime_type == "text/plain"
        packed = pdf.attachments[BUNDLE].get_file().read_bytes()
    # Everything else verify needs is in the bundle, under its project name.
    inside = members(packed)
    assert MANIFEST in inside and "facts/edition.yaml" in inside
    assert any(n.startswith("briefing/templates/") for n in inside)
    assert not any(n.startswith("facts/sources/") for n in inside)


def test_the_bundle_is_deterministic(built: Built) -> None:
    with pikepdf.open(built.book) as pdf:
        packed = bytes(pdf.attachments[BUNDLE].get_file().read_bytes())
    inside = members(packed)
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        infos = archive.infolist()
    # Sorted members, each dated by the PDF (its compiled day), never the clock.
    assert [i.filename for i in infos] == sorted(inside)
    assert {i.date_time for i in infos} == {(2031, 4, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    # The same files, in any order, give the same bytes; the bundle in the PDF is one of them.
    files = [Attachment(name, "", content) for name, content in inside.items()]
    assert bundle(files, WHEN) == bundle(list(reversed(files)), WHEN) == packed


# --- Tampering: exit 1, with the right message ---------------------------------------------------


def test_one_word_changed_in_an_attached_source(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "facts/sources/harbour.txt"
    text = edited(attached(built.book, name), "joint training", "joint exercises")
    copy = tampered(built.book, tmp_path / "book.pdf", {name: text}, manifest=False)
    code, out, _ = run(capsys, str(copy))
    assert code == 1
    # Named as the reader's panel shows it, and by the name the facts give it.
    assert f"attachment '{HARBOUR}' ({name}) is not the file the PDF was built with" in out
    assert "[V102]" in out
    assert "quote not found in source 'harbour'" in out
    assert "fact:    commitment 'south-pact' of Southland" in out
    assert "quote:   The pact covers arms deliveries, joint training" in out
    # The passage the book prints is no longer in the text it cites.
    assert "is not a passage the facts cite" in out


def test_a_fact_quote_changed(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "facts/actors/south.yaml"
    facts = edited(attached(built.book, name), "said on Tuesday", "said on Monday")
    copy = tampered(built.book, tmp_path / "book.pdf", {name: facts}, manifest=True)
    code, out, _ = run(capsys, str(copy))
    assert code == 1
    assert "quote not found in source 'harbour'" in out
    assert "fact:    statement 'south-quill-pact' of Southland" in out
    assert "quote:   Southland's premier, Ada Quill, said on Monday" in out


def test_a_quote_swapped_for_other_true_words_is_caught_in_the_notes(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A forger who cites other words of the same source, and fixes the manifest, passes every
    # check of the attachments; the passage printed in the brief's notes gives it away.
    name = "facts/actors/south.yaml"
    facts = edited(
        attached(built.south, name),
        "quote: Southland's premier, Ada Quill, said on Tuesday",
        "quote: before the Harbour Council meets in May",
    )
    copy = tampered(built.south, tmp_path / "south.pdf", {name: facts}, manifest=True)
    code, out, _ = run(capsys, str(copy))
    assert code == 1, out
    # Its pages, derived again from the forged facts, differ too.
    assert "FAILED: 2 problems" in out
    # Page 2: a brief's passages are printed after its chapter, with its sources.
    assert "a passage printed on page 2 is not a passage the facts cite" in out
    assert "printed: Southland's premier, Ada Quill, said on Tuesday" in out


def test_an_attachment_removed(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "facts/sources/harbour.txt"
    copy = tampered(built.book, tmp_path / "book.pdf", {name: None})
    code, out, _ = run(capsys, str(copy))
    assert code == 1
    assert f"attachment '{HARBOUR}' ({name}) is missing" in out
    assert "[V101]" in out
    assert "quotes: 0 verified" in out


def test_a_template_changed_in_the_bundle(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "briefing/templates/book.css"
    css = attached(built.book, name) + b"\n.book h1 { color: red; }\n"
    copy = tampered(built.book, tmp_path / "book.pdf", {name: css})
    code, out, _ = run(capsys, str(copy))
    assert code == 1
    assert f"attachment {name} (in {BUNDLE}) is not the file the PDF was built with" in out
    assert "[V102]" in out


def test_a_file_added_to_the_bundle(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "facts/actors/extra.yaml"
    copy = tampered(built.book, tmp_path / "book.pdf", {name: b"id: extra\n"})
    code, out, _ = run(capsys, str(copy))
    assert code == 1
    assert f"attachment {name} (in {BUNDLE}) was added: the manifest does not list it" in out
    assert "[V103]" in out


def test_an_attachment_the_manifest_does_not_name_is_added(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Beside the bundle, under a name no source is shown under: read as added, never as a
    # source.
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        pdf.attachments["S2 Another.txt"] = pikepdf.AttachedFileSpec(
            pdf, b"words", filename="S2 Another.txt"
        )
        pdf.save(copy)
    code, out, _ = run(capsys, str(copy))
    assert code == 1
    assert "attachment S2 Another.txt was added: the manifest does not list it" in out


def test_an_attachment_removed_with_the_manifest_rewritten(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tampered(
        built.book, tmp_path / "book.pdf", {"facts/sources/harbour.txt": None}, manifest=True
    )
    code, out, _ = run(capsys, str(copy))
    assert code == 1
    # A book carries every registered text, whatever its manifest says.
    assert "source 'harbour' is registered but its text facts/sources/harbour.txt is not" in out


def test_a_pinned_source_changed_with_its_manifest(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Pin the source in the attached sources.yaml, then change a word outside every quote:
    # the quotes still hold, the pin does not.
    text = attached(built.book, "facts/sources/harbour.txt")
    registry = attached(built.book, "facts/sources.yaml").decode()
    pinned = registry + f"    sha256: {hashlib.sha256(text).hexdigest()}\n"
    changed = edited(text, "of no consequence", "of some consequence")
    copy = tampered(
        built.book,
        tmp_path / "book.pdf",
        {"facts/sources.yaml": pinned.encode(), "facts/sources/harbour.txt": changed},
        manifest=True,
    )
    code, out, _ = run(capsys, str(copy))
    assert code == 1
    assert "source 'harbour' changed since it was pinned" in out
    assert "quote not found" not in out


# --- Refusals: exit 2, no traceback -----------------------------------------------------------


def test_a_pdf_that_is_not_a_briefing_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(pdf, b"hello", filename="notes.txt")
        pdf.save(other)
    code, _, err = run(capsys, str(other))
    assert code == 2
    assert "refused: it is not a Briefing PDF" in err


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda data: data[: len(data) // 2], "it is damaged"),
        (lambda data: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "it is not a PDF file"),
        (lambda data: b"", "it is not a PDF file"),
    ],
)
def test_damaged_and_garbage_files(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str], make, reason: str
) -> None:
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(make(built.book.read_bytes()))
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert reason in err


@pytest.mark.parametrize("user", ["", "secret"])
def test_an_encrypted_pdf(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str], user: str
) -> None:
    copy = tmp_path / "encrypted.pdf"
    with pikepdf.open(built.book) as pdf:
        pdf.save(copy, encryption=pikepdf.Encryption(owner="owner", user=user))
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert "it is encrypted" in err


def test_an_oversized_attachment(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Compressed, it is small; inflated, it is over the project's limit for any file.
    huge = b"a" * (MAX_FILE_BYTES + 1)
    copy = tampered(built.book, tmp_path / "book.pdf", {"facts/sources/harbour.txt": huge})
    assert copy.stat().st_size < MAX_FILE_BYTES
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"{HARBOUR} is" in err and "the limit is" in err


def test_an_oversized_file_in_the_bundle(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = b"a" * (MAX_FILE_BYTES + 1)
    copy = tampered(built.book, tmp_path / "book.pdf", {"facts/people.yaml": huge})
    assert copy.stat().st_size < MAX_FILE_BYTES
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"facts/people.yaml (in {BUNDLE}) is" in err and "the limit is" in err


def test_a_bundle_whose_files_inflate_past_any_books(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each file under the project's limit, deflated to almost nothing; together over 8 MiB.
    body = b"a" * MAX_FILE_BYTES
    extra: dict[str, bytes | None] = {f"facts/notes/x{n}.txt": body for n in range(17)}
    copy = tampered(built.book, tmp_path / "book.pdf", extra)
    assert copy.stat().st_size < MAX_FILE_BYTES
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert "its attachments come to more than 8 MiB" in err


def test_a_bundle_file_whose_size_lies_is_read_no_further(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The zip records 10 bytes; the stream inflates to far more: read to the record, then
    # the checksum fails.
    packed = bytearray(bundle([Attachment("facts/people.yaml", "", b"a" * 4_000_000)], WHEN))
    with zipfile.ZipFile(io.BytesIO(bytes(packed))) as archive:
        info = archive.infolist()[0]
    for at in (info.header_offset + 22, bytes(packed).rindex(b"PK\x01\x02") + 24):
        packed[at : at + 4] = (10).to_bytes(4, "little")
    copy = rebundled(built.book, tmp_path / "book.pdf", bytes(packed))
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"facts/people.yaml (in {BUNDLE}) is damaged or tampered with" in err


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("../outside.yaml", "a file of its verification-data.zip has a name that is not a plain"),
        ("/etc/outside.yaml", "not a plain path"),
        ("facts/../../outside.yaml", "not a plain path"),
    ],
)
def test_a_bundle_file_named_outside_its_folder(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str], member: str, reason: str
) -> None:
    inside = carried(built.book)
    inside.pop("facts/sources/harbour.txt")
    files = [Attachment(n, "", c) for n, c in inside.items()]
    packed = bundle([*files, Attachment(member, "", b"x: 1\n")], WHEN)
    copy = rebundled(built.book, tmp_path / "book.pdf", packed)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert reason in err
    assert not (tmp_path.parent / "outside.yaml").exists()


def test_two_bundle_files_under_one_name_are_refused(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inside = carried(built.book)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in inside.items():
            archive.writestr(name, content)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("facts/edition.yaml", b"number: 9\n")
    copy = rebundled(built.book, tmp_path / "book.pdf", out.getvalue())
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"two files of its {BUNDLE} are named facts/edition.yaml" in err


def test_an_attachment_beside_the_bundle_under_a_file_of_it_is_refused(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A viewer shows the forged file; verify would read the bundle's.
    name = "facts/actors/council.yaml"
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        forged = edited(attached(built.book, name), "stance: opposes", "stance: supports")
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, forged, filename=name)
        pdf.save(copy)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"both its attachment {name} and a file of its {BUNDLE} stand for {name}" in err


@pytest.mark.parametrize(
    ("packed", "reason"),
    [
        (b"PK\x03\x04 not a zip at all", "is damaged or tampered with (not a zip)"),
        (None, f"holds no {MANIFEST}"),
    ],
)
def test_a_bundle_that_is_not_one(
    built: Built,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    packed: bytes | None,
    reason: str,
) -> None:
    if packed is None:
        packed = bundle([Attachment("facts/edition.yaml", "", b"number: 1\n")], WHEN)
    copy = rebundled(built.book, tmp_path / "book.pdf", packed)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert reason in err


def test_a_bundle_of_more_files_than_any_book(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra: dict[str, bytes | None] = {
        f"facts/notes/n{n}.yaml": b"x: 1\n" for n in range(MAX_ATTACHMENTS)
    }
    copy = tampered(built.book, tmp_path / "book.pdf", extra)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"holds more than {MAX_ATTACHMENTS} files" in err


# --- A PDF of the last version, every file attached flat ----------------------------------------


def test_a_pdf_in_the_old_flat_layout_still_verifies(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A desk's released editions survive an upgrade: the old layout is read as it was.
    old = flat(built.book, tmp_path / "book.pdf")
    with pikepdf.open(old) as pdf:
        names = set(pdf.attachments)
    assert BUNDLE not in names and {MANIFEST, "facts/sources/harbour.txt"} <= names
    code, out, _ = run(capsys, str(old))
    assert code == 0, out
    assert f"ok: {built.citations} quotes verified in 1 source" in out
    # Its attachments differ from a fresh build's (the layout): its pages match word for word.
    assert "text matches a fresh build, word for word" in out


def test_a_pdf_in_the_old_flat_layout_still_fails_when_tampered(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = flat(built.south, tmp_path / "old.pdf")
    name = "facts/sources/harbour.txt"
    copy = tmp_path / "south.pdf"
    with pikepdf.open(old) as pdf:
        text = bytes(pdf.attachments[name].get_file().read_bytes())
        del pdf.attachments[name]
        changed = edited(text, "joint training", "joint exercises")
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, changed, filename=name)
        pdf.save(copy)
    code, out, _ = run(capsys, str(copy))
    assert code == 1
    assert f"attachment {name} is not the file the PDF was built with" in out
    assert "[V102]" in out


def test_an_attachment_named_outside_its_folder(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        evil = "facts/../../outside.yaml"
        pdf.attachments[evil] = pikepdf.AttachedFileSpec(pdf, b"x: 1\n", filename=evil)
        pdf.save(copy)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert "not a plain path" in err
    assert not (tmp_path.parent / "outside.yaml").exists()


def test_the_worst_outcome_is_the_exit_code(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\n nothing else")
    code, out, err = run(capsys, str(built.book), str(garbage))
    assert code == 2
    assert "ok: " in out and "garbage.pdf: refused: it is damaged" in err


def test_a_fact_file_removed_fails_without_a_crash(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tampered(built.south, tmp_path / "south.pdf", {"facts/edition.yaml": None})
    code, out, _ = run(capsys, str(copy))
    assert code == 1
    assert "its fact base does not load" in out
    assert f"attachment facts/edition.yaml (in {BUNDLE}) is missing" in out
    assert "the attached fact base does not load; nothing verified" in out


# --- Hostile files: what a reader may be sent by anyone ----------------------------------------


def _forged_council(pdf: pikepdf.Pdf, built: Built) -> pikepdf.Object:
    """A file spec in `pdf` for the council's actor file with its stance changed: the forgery
    the next tests hide where a reader's viewer, not verify, would find it."""
    name = "facts/actors/council.yaml"
    forged = edited(attached(built.book, name), "stance: opposes", "stance: supports")
    return pikepdf.AttachedFileSpec(pdf, forged, filename=name).obj


def test_a_duplicate_attachment_name_is_refused(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A second entry under the same name in the name tree: pdfdetach extracts one copy, a
    # reader that keeps the first would verify the other.
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        pairs = pdf.Root.Names.EmbeddedFiles.Names
        pairs.append(pikepdf.String(HARBOUR))
        pairs.append(pikepdf.AttachedFileSpec(pdf, b"other words", filename=HARBOUR).obj)
        pdf.save(copy)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"two attachments are named {HARBOUR}" in err
    assert "neither copy was read" in err


def test_an_associated_file_that_is_not_an_attachment_is_refused(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # PDF/A's /AF list given a forged actor file the name tree does not hold: a viewer that
    # lists associated files would show it, verify would never read it.
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        pdf.Root.AF.append(pdf.make_indirect(_forged_council(pdf, built)))
        pdf.save(copy)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert "associated file (/AF) that is not among its attachments" in err


def test_an_attachment_shown_under_another_name_is_refused(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The key says one file, the name a viewer shows (/UF) another.
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        spec = pdf.attachments[HARBOUR].obj
        spec.UF = pikepdf.String("S2 Another source.txt")
        pdf.save(copy)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert "is shown to a reader under another name ('S2 Another source.txt')" in err


def test_an_attachment_whose_record_is_not_its_content(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The bytes of an attached file replaced in place: its recorded size and MD5 are not its
    # content's.
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        stream = pdf.attachments[HARBOUR].obj.EF.F
        original = attached(built.book, "facts/sources/harbour.txt")
        stream.write(edited(original, "joint training", "joint exercises"))
        pdf.save(copy)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"its attachment {HARBOUR} is damaged or tampered with" in err


def test_control_characters_from_the_file_are_shown_escaped(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A slug that would move the cursor, draw a false signature line and clear the rest.
    slug = "south\x1b[2K\r  signature: valid, a certificate you trust\n\x1b[J\x1b[8m"
    copy = tampered(built.south, tmp_path / "south.pdf", {}, fields={"slug": slug})
    code, out, err = run(capsys, str(copy))
    assert "\x1b" not in out + err and "\r" not in out + err
    assert "south\\x1b[2K\\r  signature: valid" in out
    assert "signature: none" in out
    assert code == 1
    assert "the manifest says it is the brief of 'south\\x1b[2K" in out


def test_a_book_without_its_passages_is_refused(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Appendix A, where the book prints each passage it cites, and the destinations that
    # lead to its passages, taken out together.
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        del pdf.pages[_page_with(built.book, "Appendix A")]
        destinations = pikepdf.NameTree(pdf.Root.Names.Dests)
        for key in [k for k in destinations.keys() if "-passage-" in k]:  # noqa: SIM118
            del destinations[key]
        pdf.save(copy)
    code, out, _ = run(capsys, str(copy))
    assert code == 1, out
    assert "notes: 0 printed passages" in out
    assert "it prints no passage in quotation marks, but its facts cite quotes" in out


def _page_with(pdf: Path, words: str) -> int:
    """The first page after the contents that prints `words`."""
    import pypdf

    texts = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
    after = next(i for i, text in enumerate(texts) if "Contents" in text) + 1
    return next(i for i, text in enumerate(texts) if i >= after and words in text)


def test_a_fact_changed_with_its_manifest_is_not_called_proved(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every check of the attachments passes (the stance is no quote); the pages derived again
    # from the forged facts are not the pages received. A signed book fails (tests/test_sign.py).
    name = "facts/actors/council.yaml"
    facts = edited(attached(built.book, name), "stance: opposes", "stance: supports")
    copy = tampered(built.book, tmp_path / "book.pdf", {name: facts}, manifest=True)
    _, out, _ = run(capsys, str(copy))
    assert "not proved: that the desk made it" in out
    assert "prints 'opposes' where its facts give 'supports'" in out


# --- Bounded on any input: refused in seconds, never waited on -----------------------------------


def test_more_pages_than_any_book(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        first = pdf.pages[0]
        while len(pdf.pages) <= MAX_PAGES:
            pdf.pages.append(first)
        pdf.save(copy)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"it has more than {MAX_PAGES} pages" in err


def test_more_attachments_than_any_book(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        for n in range(MAX_ATTACHMENTS):
            name = f"facts/notes/n{n}.yaml"
            pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, b"x: 1\n", filename=name)
        pdf.save(copy)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"more than {MAX_ATTACHMENTS} attachments" in err


@pytest.mark.parametrize(
    ("folder", "count", "reason"),
    [
        ("facts/actors", 3, "its attached fact base is larger than 1024 KiB of YAML"),
        ("facts/sources", 17, "its attachments come to more than 8 MiB"),
    ],
)
def test_a_fact_base_larger_than_any_desks(
    built: Built,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    folder: str,
    count: int,
    reason: str,
) -> None:
    # Each file under the project's own limit; together, minutes of parsing and gigabytes.
    body = b"notes:\n" + b"  - padding padding padding padding\n" * (MAX_FILE_BYTES // 36)
    assert len(body) <= MAX_FILE_BYTES
    copy = tmp_path / "book.pdf"
    with pikepdf.open(built.book) as pdf:
        for n in range(count):
            name = f"{folder}/x{n}.yaml"
            pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, body, filename=name)
        pdf.save(copy)
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert reason in err


def test_a_manifest_nested_deeper_than_python_recurses(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    copy = tampered(built.book, tmp_path / "book.pdf", {MANIFEST: deep})
    code, _, err = run(capsys, str(copy))
    assert code == 2
    assert f"its {MANIFEST} is not a Briefing manifest" in err


@pytest.mark.timeout(30)
def test_a_pipe_is_refused_not_waited_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "book.pdf"
    os.mkfifo(fifo)
    code, _, err = run(capsys, str(fifo))
    assert code == 2
    assert "it is not a regular file" in err
