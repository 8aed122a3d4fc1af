"""Signed editions: keygen, sign, release --sign, and what `briefing verify` says of a signature."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from briefing.cli import main
from briefing.core.project import Project
from briefing.pdf.sign import (
    DeskKey,
    SignError,
    check_signatures,
    desk_key,
    keygen,
    load_certificate,
    sign_bytes,
    signing_time,
)
from briefing.pdf.verify import verify
from briefing.site.build import build
from tests.carried import carried, tampered
from tests.conftest import FIXTURES

T = TypeVar("T")


@dataclass(frozen=True)
class Desk:
    project: Project
    book: Path
    key: DeskKey
    other_cert: Path


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The fixture desk built once, a desk key pair, and another desk's certificate."""
    base = tmp_path_factory.mktemp("sign")
    root = base / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    project = Project.at(root)
    build(project)
    now = dt.datetime.now(dt.UTC)
    key, cert = keygen(base / "keys", "Test desk", now)
    _, other = keygen(base / "other", "Someone else", now)
    book = next((project.build / "pdf").glob("book-ed*.pdf"))
    return Desk(project, book, DeskKey(key, cert), other)


@pytest.fixture(scope="module")
def signed(desk: Desk, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = desk.book.read_bytes()
    target = tmp_path_factory.mktemp("signed") / "book-signed.pdf"
    target.write_bytes(sign_bytes(data, desk.key, signing_time(data, {})))
    return target


def in_a_thread(call: Callable[[], T]) -> T:
    """`call` on a thread of its own: in a test worker that also ran the browser tests, this
    thread already runs an event loop, and pyHanko's synchronous API starts one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_keygen_writes_a_private_key_only_its_owner_reads(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert stat.S_IMODE(desk.key.key.stat().st_mode) == 0o600
    assert b"BEGIN PRIVATE KEY" in desk.key.key.read_bytes()
    cert = load_certificate(desk.key.cert)
    assert cert.subject.human_friendly == "Common Name: Test desk"
    code, out, _ = run(capsys, "keygen", str(tmp_path), "--name", "A desk")
    assert code == 0
    assert "does not prove who that someone is" in out and "fingerprint" in out
    # Never over a key that exists.
    code, _, err = run(capsys, "keygen", str(tmp_path), "--name", "A desk")
    assert code == 2 and "never overwrites" in err


def test_a_signed_book_validates_with_the_desks_certificate(
    desk: Desk, signed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "verify", "--trust", str(desk.key.cert), str(signed))
    assert code == 0, out
    assert "signature: valid, by Common Name: Test desk, at 2031-04-01T00:00:00+00:00" in out
    assert "a certificate you trust (--trust)" in out
    assert "it covers the whole file" in out


def test_pyhanko_validates_the_signed_book_on_its_own(desk: Desk, signed: Path) -> None:
    with signed.open("rb") as handle:
        reader = PdfFileReader(handle)
        (signature,) = reader.embedded_signatures
        context = ValidationContext(
            trust_roots=[load_certificate(desk.key.cert)], allow_fetching=False
        )
        status = in_a_thread(partial(validate_pdf_signature, signature, context))
    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_signing_is_an_addition_and_reproducible(desk: Desk, signed: Path) -> None:
    unsigned = desk.book.read_bytes()
    data = signed.read_bytes()
    # The PDF/A-3 file as built is untouched at the start of the signed one.
    assert data.startswith(unsigned) and len(data) > len(unsigned)
    # Same PDF, same key, same time: the same bytes (RSA PKCS#1 v1.5 is deterministic).
    assert sign_bytes(unsigned, desk.key, signing_time(unsigned, {})) == data
    # The time is the edition's, or SOURCE_DATE_EPOCH's, never the clock's.
    assert signing_time(unsigned, {}) == dt.datetime(2031, 4, 1, tzinfo=dt.UTC)
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert signing_time(unsigned, epoch) == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)


def test_a_certificate_the_reader_does_not_trust(
    desk: Desk, signed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "verify", "--trust", str(desk.other_cert), str(signed))
    assert code == 1
    assert "signed by Common Name: Test desk" in out
    assert "which is not a certificate you trust (--trust)" in out
    # Without --trust the signature is reported, and what it does not prove said.
    code, out, _ = run(capsys, "verify", str(signed))
    assert code == 0
    assert "not checked against a certificate you trust" in out


def test_bytes_appended_after_signing(
    desk: Desk, signed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "appended.pdf"
    added = b"\n% a line added on the way\n"
    copy.write_bytes(signed.read_bytes() + added)
    code, out, _ = run(capsys, "verify", "--trust", str(desk.key.cert), str(copy))
    assert code == 1
    assert f"{len(added)} bytes were added after signing" in out
    assert "it covers the whole file" not in out


def test_a_signed_byte_changed_breaks_the_signature(
    desk: Desk, signed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One byte inside the colour profile PDF/A asks for (its stream): the file still
    # reads, and what the signature covers is no longer what was signed.
    data = bytearray(signed.read_bytes())
    profile = re.search(rb"/N 3\b", data)
    assert profile is not None
    at = data.index(b"stream\n", profile.end()) + len(b"stream\n") + 100
    data[at] ^= 0x01
    copy = tmp_path / "changed.pdf"
    copy.write_bytes(bytes(data))
    code, out, _ = run(capsys, "verify", "--trust", str(desk.key.cert), str(copy))
    assert code == 1
    assert "is broken: the signed bytes were changed after signing" in out


def test_sign_refuses_what_it_cannot_do(
    desk: Desk, signed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SignError, match="no signing key given"):
        desk_key(None, None, {})
    code, _, err = run(
        capsys,
        "sign",
        str(signed),
        "-o",
        str(tmp_path / "twice.pdf"),
        "--key",
        str(desk.key.key),
        "--cert",
        str(desk.key.cert),
    )
    assert code == 1 and "signed already" in err
    code, _, err = run(capsys, "verify", "--trust", str(desk.key.key), str(signed))
    assert code == 1 and "is not a certificate" in err


def test_release_sign_signs_every_pdf_of_the_edition(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    # Without a key nothing is built or released.
    monkeypatch.delenv("BRIEFING_SIGNING_KEY", raising=False)
    monkeypatch.delenv("BRIEFING_SIGNING_CERT", raising=False)
    code, _, err = run(capsys, "--root", str(root), "release", "--sign")
    assert code == 1 and "no signing key given" in err
    assert not (root / "editions").exists()
    monkeypatch.setenv("BRIEFING_SIGNING_KEY", str(desk.key.key))
    monkeypatch.setenv("BRIEFING_SIGNING_CERT", str(desk.key.cert))
    code, out, _ = run(capsys, "--root", str(root), "release", "--sign")
    assert code == 0, out
    edition = root / "editions" / "3"
    pdfs = sorted((edition / "pdf").glob("*.pdf"))
    assert len(pdfs) >= 4
    trust = [load_certificate(desk.key.cert)]
    for pdf in pdfs:
        result = verify(pdf, trust)
        assert result.ok, (pdf.name, result.problems)
        assert [s.trusted for s in result.signatures] == [True]
        # What build/ holds is what was released, signed alike.
        assert (root / "build" / "pdf" / pdf.name).read_bytes() == pdf.read_bytes()
    # The signed unsigned-prefix is the build's own PDF: signing changed no byte of it.
    unsigned = (desk.project.build / "pdf" / pdfs[0].name).read_bytes()
    assert pdfs[0].read_bytes().startswith(unsigned)
    subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=edition, check=True)


def test_signing_and_checking_inside_a_running_event_loop(desk: Desk, signed: Path) -> None:
    # pyHanko's synchronous calls start an event loop of their own; a notebook, or a browser
    # driver in the same test worker, already runs one in this thread.
    async def inside() -> tuple[bytes, bool]:
        data = desk.book.read_bytes()
        again = sign_bytes(data, desk.key, signing_time(data, {}))
        (check,) = check_signatures(again, [load_certificate(desk.key.cert)])
        return again, check.trusted and not check.problems

    again, trusted = in_a_thread(partial(asyncio.run, inside()))
    assert again == signed.read_bytes() and trusted


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 65, "--name is 65 bytes long in UTF-8; a certificate holds at most 64"),
        ("é" * 33, "--name is 66 bytes long in UTF-8"),
        ("  ", "--name is empty"),
        ("Desk\x1b[31m", "--name contains a control character"),
    ],
)
def test_keygen_refuses_a_name_no_certificate_can_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    code, _, err = run(capsys, "keygen", str(tmp_path / "keys"), "--name", name)
    assert code == 1 and err.startswith(f"error: {message}")
    assert not (tmp_path / "keys").exists()


def test_keygen_takes_a_name_of_exactly_64_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(capsys, "keygen", str(tmp_path), "--name", "x" * 64)
    assert code == 0
    cert = load_certificate(tmp_path / "desk.pem")
    assert cert.subject.human_friendly == "Common Name: " + "x" * 64


# --- With --trust, only a trusted signature over the whole file verifies ------------------------


def test_trust_asked_of_an_unsigned_file_fails(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "verify", "--trust", str(desk.key.cert), str(desk.book))
    assert code == 1, out
    assert "it is not signed: --trust asks for a signature by a certificate you trust" in out
    assert "[V402]" in out
    assert "not proved: that the desk made it" in out


def stripped_of_its_signature(signed: Path, target: Path) -> Path:
    """`signed` with an incremental update that takes the signature field out of the form: the
    signature is still in the file, and no reader shows it."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed.read_bytes()))
    form = writer.root.raw_get("/AcroForm")
    writer.root["/AcroForm"]["/Fields"] = generic.ArrayObject([])
    writer.mark_update(form)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    target.write_bytes(out.getvalue())
    return target


@pytest.mark.parametrize("trusting", [True, False])
def test_a_signature_removed_by_a_later_revision(
    desk: Desk, signed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], trusting: bool
) -> None:
    copy = stripped_of_its_signature(signed, tmp_path / "stripped.pdf")
    assert copy.read_bytes().startswith(signed.read_bytes())
    trust = ["--trust", str(desk.key.cert)] if trusting else []
    code, out, _ = run(capsys, "verify", *trust, str(copy))
    assert code == 1, out
    assert "the file was signed, but a later change to it removed the signature" in out
    assert ("it is not signed: --trust asks" in out) is trusting


def test_a_fact_changed_in_a_signed_book_with_its_manifest(
    desk: Desk, signed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The attachments and the manifest agree, and the quotes hold: only the signature, which
    # covered the fact base as the desk released it, tells.
    name = "facts/actors/council.yaml"
    facts = carried(signed)[name].replace(b"opposes", b"supports")
    copy = tampered(signed, tmp_path / "book.pdf", {name: facts}, manifest=True)
    code, out, _ = run(capsys, "verify", str(copy))
    assert "proved: the file is as the holder" not in out
    code, out, _ = run(capsys, "verify", "--trust", str(desk.key.cert), str(copy))
    assert code == 1, out
    assert "is broken: the signed bytes were changed after signing" in out


def test_a_signing_time_outside_the_certificates_validity(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A certificate valid from 2039: the book says it was signed in 2031.
    key, cert = keygen(tmp_path / "later", "Later desk", dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
    data = desk.book.read_bytes()
    copy = tmp_path / "book.pdf"
    copy.write_bytes(sign_bytes(data, DeskKey(key, cert), signing_time(data, {})))
    code, out, _ = run(capsys, "verify", "--trust", str(cert), str(copy))
    assert code == 1, out
    assert "says it was made at 2031-04-01T00:00:00+00:00, outside its certificate's" in out
    assert "validity (2039-12-31T00:00:00+00:00 to 2049-12-29T00:00:00+00:00)" in out


def test_a_certificate_name_cannot_erase_the_report(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # keygen refuses such a name; anyone else's tools do not.
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "Desk\x1b[1A\x1b[2K\x1b[1A")])
    now = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    data = desk.book.read_bytes()
    copy = tmp_path / "book.pdf"
    copy.write_bytes(sign_bytes(data, DeskKey(key_path, cert_path), signing_time(data, {})))
    code, out, _ = run(capsys, "verify", "--trust", str(desk.key.cert), str(copy))
    assert code == 1
    assert "\x1b" not in out
    assert "by Common Name: Desk\\x1b[1A\\x1b[2K\\x1b[1A, at" in out
    assert "FAILED: 1 problem" in out


def test_no_library_warning_reaches_the_reader(desk: Desk, signed: Path) -> None:
    # In a process of its own: this one imported pyHanko, and its warning, long ago.
    done = subprocess.run(
        [sys.executable, "-m", "briefing", "verify", "--trust", str(desk.key.cert), str(signed)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert "proved: the file is as the holder of a certificate you trust signed it" in done.stdout


def test_a_key_younger_than_the_edition_signs_at_its_first_valid_day(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The edition is dated 2031 in the fixture; a key made then, a month after the edition's
    # date, would sign at a time its certificate disowns: it signs at the day it became valid.
    later = dt.datetime(2031, 5, 1, tzinfo=dt.UTC)
    key, cert = keygen(tmp_path / "young", "Young desk", later)
    target = tmp_path / "book.pdf"
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert (
        main(["sign", "--key", str(key), "--cert", str(cert), "-o", str(target), str(desk.book)])
        == 0
    )
    code, out, _ = run(capsys, "verify", "--trust", str(cert), str(target))
    assert code == 0, out
    start = load_certificate(cert).not_valid_before.isoformat()
    assert f"signature: valid, by Common Name: Young desk, at {start}" in out
