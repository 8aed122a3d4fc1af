"""Sign: the desk signs the PDFs it releases, and a reader checks the signature.

A signature is a PAdES baseline (B-B) signature made with pyHanko and written as an
incremental update: the PDF/A-3 file as built stays byte for byte at the start of the signed
file, and the signature is an addition after it. Signing is reproducible too:

- the signing time is SOURCE_DATE_EPOCH or the PDF's own date (the edition's, see
  briefing.pdf.build_date), never the clock;
- the second half of the file identifier, which pyHanko draws at random, is derived from the
  bytes being signed;
- an RSA key signs with PKCS#1 v1.5, which is deterministic: the same PDF and key give the
  same signed bytes. An ECDSA key (or RSA-PSS) draws a random nonce or salt for every
  signature, so its signed files differ from one signing to the next; they verify the same.

The key and certificate are named by the command line or the environment
(BRIEFING_SIGNING_KEY, BRIEFING_SIGNING_CERT), never by the facts: the fact base is attached
to every PDF, and a key named there would be one a reader could be pointed at.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import io
import logging
import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from briefing.core.clock import source_date_epoch
from briefing.core.diagnostics import MessageError

# pyhanko and pikepdf are imported inside the functions that use them: loading pyhanko takes
# most of a second, and only signing and verifying need it.

if TYPE_CHECKING:
    from asn1crypto import x509

KEY_VARIABLE = "BRIEFING_SIGNING_KEY"
CERT_VARIABLE = "BRIEFING_SIGNING_CERT"
PASSPHRASE_VARIABLE = "BRIEFING_SIGNING_PASSPHRASE"
FIELD_NAME = "Briefing desk signature"
T = TypeVar("T")
KEY_FILE, CERT_FILE = "desk-key.pem", "desk.pem"


class SignError(MessageError):
    """A signing or trust file that cannot be used, or a PDF that cannot be signed: the
    user's to fix, reported without a traceback."""

    default_code = "K001"


def _quiet() -> None:
    """pyHanko logs its failures with tracebacks; the report says what went wrong instead."""
    for name in ("pyhanko", "pyhanko_certvalidator", "pyhanko.sign"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


@contextmanager
def _silenced() -> Iterator[None]:
    """pyHanko and the libraries under it warn of their own deprecations (cryptography's DSA
    warning on import); they are the maintainer's to act on, never the reader's to read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _outside_event_loop(call: Callable[[], T]) -> T:
    """Run `call` (which uses pyHanko's synchronous API, itself asyncio.run) in a thread of
    its own when this thread already runs an event loop (a notebook, a browser driver)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


# --- The desk's key ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskKey:
    """The files a desk signs with."""

    key: Path
    cert: Path
    passphrase: bytes | None = None


def desk_key(
    key: str | None, cert: str | None, environ: Mapping[str, str] | None = None
) -> DeskKey:
    """The key and certificate from the options, else from BRIEFING_SIGNING_KEY and
    BRIEFING_SIGNING_CERT; SignError when either is not given or not a readable file."""
    env = os.environ if environ is None else environ
    key = key or env.get(KEY_VARIABLE, "").strip() or None
    cert = cert or env.get(CERT_VARIABLE, "").strip() or None
    if key is None or cert is None:
        missing = " and ".join(
            option for option, value in (("--key", key), ("--cert", cert)) if value is None
        )
        raise SignError(
            f"no signing {'key' if key is None else 'certificate'} given: pass {missing} "
            f"or set {KEY_VARIABLE} and {CERT_VARIABLE} (briefing keygen makes a pair)"
        )
    for what, path in (("key", key), ("certificate", cert)):
        if not Path(path).is_file():
            raise SignError(f"the signing {what} {path} is not a file")
    passphrase = env.get(PASSPHRASE_VARIABLE)
    return DeskKey(Path(key), Path(cert), passphrase.encode("utf-8") if passphrase else None)


def keygen(directory: Path, name: str, now: dt.datetime, years: int = 10) -> tuple[Path, Path]:
    """Write a new RSA key (desk-key.pem, readable by its owner only) and a self-signed
    certificate for it (desk.pem) into `directory`; SignError if either file exists."""
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    _check_desk_name(name)
    for path in (key_path, cert_path):
        if path.exists() or path.is_symlink():
            raise SignError(
                f"{path} exists; keygen never overwrites a key or a certificate", "K002"
            )
    # RSA, so that signatures are deterministic (PKCS#1 v1.5) and a release reproducible.
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        cx509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(cx509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            cx509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(cx509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key_pem)
        with open(cert_path, "xb") as handle:
            handle.write(certificate.public_bytes(serialization.Encoding.PEM))
    except OSError as exc:
        raise SignError(f"cannot write the key pair into {directory}: {exc}") from None
    return key_path, cert_path


# X.509 caps a common name at 64 characters; the certificate library counts UTF-8 bytes.
MAX_NAME_BYTES = 64


def _check_desk_name(name: str) -> None:
    """SignError unless `name` can be a certificate's common name, checked before a key is
    made, so that the library's own refusal never reaches the user as a traceback."""
    size = len(name.encode("utf-8"))
    if not name.strip():
        raise SignError("--name is empty; give the desk's name, as readers know it")
    if size > MAX_NAME_BYTES:
        raise SignError(
            f"--name is {size} bytes long in UTF-8; a certificate holds at most "
            f"{MAX_NAME_BYTES} (accented letters count 2): shorten it"
        )
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise SignError("--name contains a control character; type the name plainly")


def fingerprint(cert_path: Path) -> str:
    """The SHA-256 fingerprint of a certificate file (PEM or DER), as readers compare it."""
    return _cert_fingerprint(load_certificate(cert_path))


def load_certificate(path: Path) -> x509.Certificate:
    """A certificate from a PEM or DER file; SignError if it is not one."""
    with _silenced():
        from pyhanko.keys import load_cert_from_pemder

    try:
        return load_cert_from_pemder(str(path))  # type: ignore[no-untyped-call]
    except (OSError, ValueError, TypeError) as exc:
        raise SignError(f"{path} is not a certificate (PEM or DER): {exc}") from None


def _cert_fingerprint(cert: x509.Certificate) -> str:
    digest = hashlib.sha256(cert.dump()).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


# --- Signing -------------------------------------------------------------------------------------


def signing_time(data: bytes, environ: Mapping[str, str] | None = None) -> dt.datetime:
    """When a PDF is signed: SOURCE_DATE_EPOCH if set, else the PDF's own modification date
    (its edition's build date). Never the clock, so that signing again gives the same bytes."""
    import pikepdf

    try:
        epoch = source_date_epoch(environ)
    except ValueError as exc:
        raise SignError(str(exc)) from None
    if epoch is not None:
        return epoch
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            stamp = str(pdf.docinfo.get("/ModDate", ""))
    except (pikepdf.PdfError, ValueError) as exc:
        raise SignError(f"not a PDF that can be signed: {exc}") from None
    try:
        return _pdf_date(stamp)
    except ValueError:
        raise SignError(
            "the PDF has no date to sign it with; set SOURCE_DATE_EPOCH to the time to record"
        ) from None


def _pdf_date(stamp: str) -> dt.datetime:
    """A PDF date (D:YYYYMMDDHHmmSSZ, as WeasyPrint writes Briefing's) as a UTC datetime."""
    text = stamp.removeprefix("D:").rstrip("Z").replace("'", "")
    digits = text[:14]
    if len(digits) < 8 or not digits.isdigit():
        raise ValueError(stamp)
    digits = digits.ljust(14, "0")
    return dt.datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)


def sign_bytes(data: bytes, desk: DeskKey, when: dt.datetime) -> bytes:
    """`data` (a PDF) with the desk's signature appended as an incremental update."""
    with _silenced():
        return _sign_bytes(data, desk, when)


def _sign_bytes(data: bytes, desk: DeskKey, when: dt.datetime) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    _quiet()
    signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(desk.key), str(desk.cert), key_passphrase=desk.passphrase
    )
    if signer is None:
        raise SignError(
            f"cannot load the key {desk.key} with the certificate {desk.cert} (a passphrase "
            f"goes in {PASSPHRASE_VARIABLE})"
        )
    derived = hashlib.sha256(data).digest()[:16]

    class Writer(IncrementalPdfFileWriter):
        @classmethod
        def _handle_id(cls, prev: Any) -> Any:
            # pyHanko draws the new half of /ID at random; from the content it repeats.
            from pyhanko.pdf_utils import generic

            ids = super()._handle_id(prev)  # type: ignore[no-untyped-call]
            return generic.ArrayObject([ids[0], generic.ByteStringObject(derived)])

        def _update_meta(self) -> None:
            # pyHanko would stamp the clock's time into the Info dictionary and the XMP
            # metadata; the signature is an addition, and the document's metadata (which
            # PDF/A holds to) stays as built.
            return None

    class Signer(signers.PdfSigner):
        def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = when  # the edition's time, not the clock's
            return session

    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Released by the desk: the briefs, their fact base and sources as attached",
    )
    try:
        writer = Writer(io.BytesIO(data), strict=False)
        if writer.prev.embedded_signatures:
            raise SignError("it is signed already")
        out = _outside_event_loop(partial(Signer(meta, signer=signer).sign_pdf, writer))
    except (PdfError, SigningError, ValueError, KeyError) as exc:
        raise SignError(f"cannot sign it: {exc}") from None
    return bytes(out.getvalue())


def sign_file(source: Path, target: Path, desk: DeskKey) -> dt.datetime:
    """Sign the PDF at `source` into `target` (which may be the same path); its time."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise SignError(f"cannot read {source}: {exc.strerror or exc}") from None
    when = _not_before_certificate(signing_time(data), desk)
    signed = sign_bytes(data, desk, when)
    partial = target.with_name(f".{target.name}.signing")
    try:
        partial.write_bytes(signed)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise SignError(f"cannot write {target}: {exc.strerror or exc}") from None
    return when


def _not_before_certificate(when: dt.datetime, desk: DeskKey) -> dt.datetime:
    """The edition's date, unless the desk's certificate is younger: then the day it became
    valid. A key made after the edition was compiled would otherwise sign at a time its own
    certificate disowns, and every reader's verify would call the signature invalid. Still
    never the clock: the same key signs the same PDF with the same bytes."""
    from cryptography import x509 as cx509

    try:
        start = cx509.load_pem_x509_certificate(desk.cert.read_bytes()).not_valid_before_utc
    except (OSError, ValueError):
        return when  # sign_bytes says what is wrong with the certificate
    return max(when, start)


def signer_for(desk: DeskKey) -> Callable[[Path], None]:
    """Signs, in place, every PDF a staged build wrote under pdf/ (briefing release --sign)."""

    def sign_build(built: Path) -> None:
        for pdf in sorted((built / "pdf").glob("*.pdf")):
            sign_file(pdf, pdf, desk)

    return sign_build


# --- Checking a signature ------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """What a reader learns from one signature in a PDF."""

    name: str
    signer: str = ""
    fingerprint: str = ""
    signed_at: dt.datetime | None = None
    intact: bool = False  # the signed bytes are those the signature was made over
    valid: bool = False  # and the signature over them is the certificate's key's
    trusted: bool = False  # the certificate is one the reader trusts (--trust)
    trust_asked: bool = False
    added_bytes: int = 0  # bytes after the signed part of the file
    # The certificate's validity, when the signing time falls outside it.
    outside_validity: tuple[dt.datetime, dt.datetime] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def proves(self) -> bool:
        """Valid, by a certificate the reader trusts, over the whole file as it is."""
        return not self.problems and self.intact and self.valid and self.trusted


def load_trusted(paths: Sequence[Path]) -> list[x509.Certificate]:
    """The certificates a reader trusts (--trust), each a PEM or DER file."""
    return [load_certificate(path) for path in paths]


# A signature dictionary's byte range: its bytes must be in the file as written, uncompressed,
# for any signature to be checked, so a plain search finds every signature ever made in it.
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[")


def check_signatures(data: bytes, trust: Sequence[x509.Certificate] = ()) -> list[SignatureCheck]:
    """Validate every signature in a PDF: intact, valid, covering the whole file, and by a
    certificate in `trust` (only those: neither the system's store nor the network)."""
    with _silenced():
        return _check_each(data, trust)


def signing_problems(data: bytes, checks: Sequence[SignatureCheck], trust_asked: bool) -> list[str]:
    """What is wrong with the file's signing as a whole: a signature removed by a later change;
    with --trust, no signature by a trusted certificate that covers the whole file."""
    problems: list[str] = []
    if not any(check.signer for check in checks) and _BYTE_RANGE.search(data):
        problems.append(
            "the file was signed, but a later change to it removed the signature: what "
            "was signed cannot be told apart from what was changed"
        )
    if trust_asked and not checks:
        problems.append(
            "it is not signed: --trust asks for a signature by a certificate you trust, "
            "and there is none"
        )
    elif (
        trust_asked
        and not any(check.proves for check in checks)
        and not any(check.problems for check in checks)
    ):
        problems.append("no signature by a certificate you trust covers the whole file")
    return problems


def _check_each(data: bytes, trust: Sequence[x509.Certificate]) -> list[SignatureCheck]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _quiet()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # any failure of pyHanko's on a hostile file: report, not crash
        return [SignatureCheck("?", problems=[f"its signatures cannot be read: {exc}"])]
    checks: list[SignatureCheck] = []
    for signature in embedded:
        name = str(signature.field_name)
        try:
            context = ValidationContext(
                trust_roots=list(trust), allow_fetching=False, revocation_mode="soft-fail"
            )
            status = _outside_event_loop(partial(validate_pdf_signature, signature, context))
            byte_range = list(signature.byte_range)
            added = max(0, len(data) - (int(byte_range[2]) + int(byte_range[3])))
        except Exception as exc:  # any failure of pyHanko's on a signature: report, not crash
            checks.append(
                SignatureCheck(name, problems=[f"signature '{name}' cannot be validated: {exc}"])
            )
            continue
        cert = status.signing_cert
        check = SignatureCheck(
            name=name,
            signer=str(cert.subject.human_friendly),
            fingerprint=_cert_fingerprint(cert),
            signed_at=status.signer_reported_dt,
            intact=bool(status.intact),
            valid=bool(status.valid),
            trusted=bool(status.trusted),
            trust_asked=bool(trust),
            added_bytes=added,
            outside_validity=_outside_validity(cert, status.signer_reported_dt),
        )
        checks.append(_with_problems(check))
    return checks


def _outside_validity(
    cert: x509.Certificate, when: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime] | None:
    """The certificate's validity period when `when` falls outside it, else None."""
    start, end = cert.not_valid_before, cert.not_valid_after
    if when is None or start <= when <= end:
        return None
    return start, end


def _with_problems(check: SignatureCheck) -> SignatureCheck:
    problems: list[str] = []
    if not check.intact:
        problems.append(
            f"signature '{check.name}' is broken: the signed bytes were changed after signing"
        )
    elif not check.valid:
        problems.append(f"signature '{check.name}' is not valid for its certificate")
    if check.added_bytes:
        problems.append(
            f"{check.added_bytes:,} bytes were added after signing: the signature does not "
            "cover them, and what they change is not the desk's"
        )
    if check.outside_validity is not None and check.signed_at is not None:
        start, end = check.outside_validity
        problems.append(
            f"signature '{check.name}' says it was made at {check.signed_at.isoformat()}, "
            f"outside its certificate's validity ({start.isoformat()} to {end.isoformat()})"
        )
    if check.trust_asked and not check.trusted:
        problems.append(
            f"signed by {check.signer} (SHA-256 {check.fingerprint[:23]}...), "
            "which is not a certificate you trust (--trust)"
        )
    return SignatureCheck(**{**check.__dict__, "problems": problems})
