"""The `briefing` command: a thin layer over the pipeline stages.

Exit codes, the same for every command:

    0    done; `check` found no errors (warnings allowed), `verify` proved every file
    1    the facts or inputs have errors: a curator's mistake in any command (check, build,
         new, init, pin, sign, keygen), or a PDF whose proof failed in `verify`
    2    usage or refused: an argument argparse rejects, a file `verify` will not verify (not
         a Briefing PDF, damaged, encrypted), a refusal to overwrite (`new`, `keygen`)

Every error is a BriefingError carrying coded diagnostics (briefing/core/codes.py); a code
marked as a refusal makes the exit 2, any other error 1.

Each command imports the stages it runs inside its own function: `briefing check` need not
load the renderer, the PDF libraries or the signer, and starts faster for it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from briefing.check.facts import check_project, run_check
from briefing.core.diagnostics import (
    BriefingError,
    Diagnostic,
    FactBaseError,
    Location,
    as_json,
    errors,
    printable,
    render,
)
from briefing.core.gate import SourceLines
from briefing.core.project import Project
from briefing.evidence.citations import all_citations
from briefing.factbase.model import show_date


def report(
    problems: Sequence[Diagnostic], stream: TextIO | None = None, project: Project | None = None
) -> None:
    """Print diagnostics compiler-style (with the source line and a caret), then a summary."""
    out = stream if stream is not None else sys.stderr
    lines = SourceLines(project.root) if project is not None else None
    for problem in problems:
        loc = problem.location
        line = lines.get(loc.file, loc.line) if lines is not None else None
        print(render(problem, line), file=out)
    n_err = len(errors(problems))
    n_warn = len(problems) - n_err
    if problems:
        print(f"{n_err} error(s), {n_warn} warning(s)", file=out)


def cmd_check(args: argparse.Namespace) -> int:
    project = Project.at(args.root)
    base, problems = run_check(project)
    if args.strict:
        problems = [dataclasses.replace(p, severity="error") for p in problems]
    if args.format == "json":
        json.dump([as_json(p) for p in problems], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 1 if errors(problems) or base is None else 0
    report(problems, project=project)
    if errors(problems) or base is None:
        return 1
    facts = base.facts
    n_cites = sum(1 for _ in all_citations(base))
    print(
        f"ok: {len(facts.actors)} actors, {len(facts.sources)} sources, "
        f"{n_cites} citations verified"
    )
    return 0


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of processes (1 or more)")
    return int(text)


def _layout_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        metavar="N",
        help="lay out PDFs in N processes (default: one per core, or BRIEFING_JOBS)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="lay out every PDF afresh, neither reading nor filling .cache/briefing/",
    )


def cmd_build(args: argparse.Namespace) -> int:
    from briefing.site.build import build

    project = Project.at(args.root)
    started = time.perf_counter()
    try:
        result, checked = build(
            project, pdf=not args.no_pdf, jobs=args.jobs, cache=not args.no_cache, docx=args.docx
        )
    except FactBaseError as exc:
        report(exc.diagnostics, project=project)
        print("build stopped: fix the errors above; build/ was left as it was", file=sys.stderr)
        return 1
    report(checked.problems, project=project)
    elapsed = time.perf_counter() - started
    if result.unchanged:
        print(f"nothing changed since the last build: {project.name(project.build)}/ is up to date")
        return 0
    laid = (
        f"; {len(result.rendered)} PDFs made from {len(result.laid_out)} new layouts, "
        f"{len(result.reused)} unchanged (cached)"
        if result.pdf
        else ""
    )
    print(
        f"built {len(result.briefs)} briefs ({len(result.html)} HTML, {len(result.pdf)} PDF"
        f"{', Word in docx/' if args.docx else ''}) "
        f"in {project.name(project.build)}/ in {elapsed:.1f}s{laid}"
    )
    return 0


def cmd_distribute(args: argparse.Namespace) -> int:
    """One numbered copy of the book per recipient of facts/distribution.yaml, and its log."""
    from briefing.site.distribute import LOG, distribute

    project = Project.at(args.root)
    started = time.perf_counter()
    try:
        result, checked = distribute(project, jobs=args.jobs, cache=not args.no_cache)
    except FactBaseError as exc:
        report(exc.diagnostics, project=project)
        print("distribute stopped: fix the errors above; no copy was written", file=sys.stderr)
        return 1
    report(checked.problems, project=project)
    where = project.name(result.folder)
    elapsed = time.perf_counter() - started
    copies = f"{len(result.copies)} numbered cop{'y' if len(result.copies) == 1 else 'ies'}"
    if result.unchanged:
        print(f"nothing changed: {where}/ holds these {copies}")
        return 0
    print(
        f"distributed {copies} to {where}/ "
        f"(logged in {where}/{LOG}) in {elapsed:.1f}s; "
        f"{_plural(len(result.laid_out), 'part')} laid out"
    )
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    """Build with PDFs and freeze the edition into editions/N/, signing its PDFs on request."""
    from briefing.pdf.sign import SignError, desk_key, signer_for
    from briefing.site.build import release

    project = Project.at(args.root)
    sign = desk = None
    try:
        if args.sign:
            desk = desk_key(args.key, args.cert)
            sign = signer_for(desk)
        edition, result, checked = release(
            project, sign=sign, jobs=args.jobs, cache=not args.no_cache, docx=args.docx
        )
    except (SignError, FactBaseError) as exc:
        report(exc.diagnostics, project=project)
        print("release stopped: fix the errors above; nothing was released", file=sys.stderr)
        return exc.exit_status
    report(checked.problems, project=project)
    folder = project.name(edition.folder)
    print(
        f"released edition {edition.number} in {folder}/: {len(result.briefs)} briefs, "
        f"{len(edition.files)} files listed in {folder}/SHA256SUMS"
    )
    if desk is not None:
        print(f"signed its {len(result.pdf)} PDFs with {desk.key} ({desk.cert})")
    print(f"check it with: cd {folder} && sha256sum -c SHA256SUMS")
    print("next: raise 'number' in facts/edition.yaml to start the next edition")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """What changed since a released edition, as text or JSON."""
    from briefing.editions.diff import Changes, diff
    from briefing.editions.released import EditionError, load_edition, numbers
    from briefing.site.build import checked_facts

    project = Project.at(args.root)
    _, facts, _ = checked_facts(project, pdf=False)
    current = facts.edition.number
    since: int | None = args.since
    if since is None:
        earlier = [n for n in numbers(project) if n < current]
        since = earlier[-1] if earlier else None
    elif since not in numbers(project):
        folder = project.name(project.editions / str(since))
        raise EditionError(
            [
                Diagnostic(
                    Location(folder), f"edition {since} is not released in {folder}/", code="E007"
                )
            ]
        )
    if since is None:
        print(
            f"no edition before edition {current} is released in "
            f"{project.name(project.editions)}/: nothing to compare",
            file=sys.stderr,
        )
        if args.format == "json":
            empty = Changes(since=0, edition=current).as_json() | {"since": None}
            json.dump(empty, sys.stdout, indent=2, ensure_ascii=False)
            print()
        return 0
    old, problems = load_edition(project, since)
    if old is None:
        raise EditionError(problems)
    changes = diff(old, facts)
    if args.format == "json":
        json.dump(changes.as_json(), sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    count = len(changes)
    print(f"since edition {since}, in edition {current}: {count} change{'' if count == 1 else 's'}")
    for line in changes.lines():
        print(line)
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    """Per source: the share of sentences cited, and every uncited sentence with its line."""
    from briefing.evidence.coverage import coverage, total_percent

    project = Project.at(args.root)
    checked = check_project(project)
    report(checked.problems, project=project)
    if errors(checked.problems) or checked.base is None:
        return 1
    results = coverage(checked.base.facts, checked.texts, checked.proofs)
    for result in results:
        name = project.name(project.sources / result.source.file)
        print(
            f"{name}: {result.percent:.1f}% cited "
            f"({len(result.cited)} of {len(result.counted)} sentences"
            f"{f', {len(result.furniture)} furniture' if result.furniture else ''})"
        )
        for item in result.uncited:
            print(f"  {name}:{item.sentence.line}: uncited: {item.sentence.text}")
        if args.furniture:
            for item in result.furniture:
                print(f"  {name}:{item.sentence.line}: furniture: {item.sentence.text}")
    overall = total_percent(results)
    print(f"total: {overall:.1f}% of sentences cited")
    if args.fail_under is not None and overall < args.fail_under:
        print(f"coverage {overall:.1f}% is below {args.fail_under}%", file=sys.stderr)
        return 1
    return 0


# --- Verifying and signing PDFs: verify, sign, keygen -------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify PDFs from what they carry; the worst outcome is the exit code (0, 1, 2)."""
    from briefing.pdf.sign import SignError, load_trusted
    from briefing.pdf.verify import Refused, exit_code, verify
    from briefing.site.derive import derive_pdf

    try:
        trust = load_trusted([Path(p) for p in args.trust])
    except SignError as exc:
        print(f"error: --trust: {exc} [{exc.code}]", file=sys.stderr)
        return exc.exit_status
    worst = 0
    for file in args.files:
        started = time.perf_counter()
        try:
            result = verify(Path(file), trust, derive_pdf)
        except Refused as exc:
            print(printable(f"{file}: refused: {exc.reason} [{exc.code}]"), file=sys.stderr)
            worst = max(worst, exc.exit_status)
            continue
        elapsed = time.perf_counter() - started
        # Names, slugs, certificate fields and passages come from a file anyone can make: a
        # control character in one could draw a line of the report or erase one.
        for line in verification_report(file, result, elapsed):
            print(printable(line))
        worst = max(worst, exit_code(result))
    return worst


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _shown_date(value: str) -> str:
    """A day, month or year as the pages print it ('1 July 2023', 'July 2023'); as written
    when it is none (a file's manifest is anyone's)."""
    try:
        return show_date(value)
    except ValueError:
        return value


def verification_report(file: str, result: Any, elapsed: float) -> list[str]:
    """What `briefing verify` prints about one PDF (a briefing.verify.Verification)."""
    what = {"book": "book", "copy": "numbered copy of the book"}.get(
        result.document, f"brief ({result.slug or 'unnamed'})"
    )
    edition = (
        f"edition {result.edition} of {result.title!r}"
        if result.edition is not None
        else "its fact base does not load"
    )
    lines = [f"{file}: a Briefing {what}, {edition}"]
    if result.copy is not None:
        issued = result.copy
        lines.append(
            f"  copy {issued.number} of {issued.of}, issued to {issued.name} "
            f"({issued.recipient}): {', '.join(issued.chapters)}"
        )
    if result.as_of:
        # As the pages print them: a cut-off of a month reads 'July 2023', no day invented.
        compiled = _shown_date(result.compiled) if result.compiled else "not recorded"
        lines.append(f"  information cut-off {_shown_date(result.as_of)}, compiled {compiled}")
    lines.append(f"  fact base: {_plural(result.fact_files, 'file')}, sha256 {result.facts_digest}")
    quotes = f"  quotes: {result.quotes} verified in {_plural(result.sources, 'source')}"
    if result.pinned:
        quotes += f" ({result.pinned} of them pinned by SHA-256)"
    lines.append(quotes)
    for given in result.excerpted:
        lines.append(
            f"  source '{given.source}' travels as excerpts, not whole ({given.file}: "
            f"{_plural(given.excerpts, 'passage')}, {given.carried:,} of its "
            f"{given.characters:,} characters); its quotes are proved against them"
        )
        lines.append(
            f"    its full text ({given.bytes:,} bytes) is not attached; whoever holds it can "
            f"check it is the one cited: SHA-256 {given.sha256}"
        )
    if result.not_carried:
        lines.append(
            f"  {result.not_carried} other quotes cite sources this brief does not carry; "
            "the book of its edition carries them all"
        )
    lines.append(f"  notes: {_plural(result.printed, 'printed passage')}, each checked")
    if result.templates:
        lines.append(f"  templates: {result.templates}")
    if result.pages:
        lines.append(f"  pages: {result.pages}")
    if not result.manifest:
        lines.append("  no manifest (built before 'briefing verify'): attachments not compared")
    if not result.signatures:
        lines.append("  signature: none (the file is not signed)")
    for signature in result.signatures:
        if not signature.signer:
            continue
        state = "valid" if signature.intact and signature.valid else "NOT VALID"
        when = signature.signed_at.isoformat() if signature.signed_at else "no time given"
        lines.append(f"  signature: {state}, by {signature.signer}, at {when}")
        lines.append(f"    certificate SHA-256 {signature.fingerprint}")
        if signature.trusted:
            lines.append("    a certificate you trust (--trust)")
        elif not signature.trust_asked:
            lines.append(
                "    not checked against a certificate you trust: pass --trust CERT.pem, with "
                "the desk's certificate as you got it from the desk"
            )
        if not signature.added_bytes:
            lines.append("    it covers the whole file")
    lines += _what_is_proved(result)
    if result.ok:
        lines.append(
            f"ok: {result.quotes} quotes verified in {_plural(result.sources, 'source')} "
            f"({elapsed:.1f}s)"
        )
        return lines
    lines.append(f"FAILED: {_plural(len(result.problems), 'problem')}")
    for number, problem in enumerate(result.problems, 1):
        lines.append(f"  {number}. {problem.message} [{problem.code}]")
        lines += [f"       {detail}" for detail in problem.detail]
    return lines


def _what_is_proved(result: Any) -> list[str]:
    """What the verification proves, and what it cannot, said plainly."""
    lines = []
    if result.ok and result.quotes:
        lines.append(
            "  proved: each quote is, word for word, in the attached source text it cites"
            + (" (or in its excerpts, at their place in it)" if result.excerpted else "")
            + ", and each passage printed in quotation marks is one the facts cite"
        )
    if result.ok and result.excerpted:
        lines.append(
            "  not proved: that the excerpts are the words of the full texts they come from; "
            "only those texts can show it, by the SHA-256 given above"
        )
    if result.signed_and_trusted:
        lines.append(
            "  proved: the file is as the holder of a certificate you trust signed it, "
            "attachments and pages alike"
        )
    elif result.signatures and not result.trust_asked:
        lines.append(
            "  not proved: who signed it (pass --trust CERT.pem); unchecked, a signature "
            "proves nothing, since anyone can sign with a certificate of their own"
        )
    else:
        lines.append(
            "  not proved: that the desk made it; without a signature by a certificate you "
            "trust, the attachments and their manifest could have been replaced together"
        )
    # Whether the pages are what the attachments give does not depend on who signed them.
    if result.pages.startswith(("identical", "text matches")):
        lines.append(
            "  proved: every word of every page is what its attached facts, sources and "
            "templates give (images and layout not compared in text mode)"
            if result.pages.startswith("text")
            else "  proved: every page is what its attached facts, sources and templates give"
        )
    elif not result.pages.startswith("differ"):
        lines.append(
            "  not proved: the rest of the pages' words (stances, statuses, dates, figures); "
            "they were not derived again from the attached facts"
            + (
                "; the signature vouches for them as the signer's"
                if result.signed_and_trusted
                else ""
            )
        )
    return lines


def cmd_sign(args: argparse.Namespace) -> int:
    """Sign a PDF with the desk's key (an incremental update; the signed time is the PDF's)."""
    from briefing.pdf.sign import SignError, desk_key, sign_file

    source = Path(args.file)
    target = Path(args.output) if args.output else source
    try:
        when = sign_file(source, target, desk_key(args.key, args.cert))
    except SignError as exc:
        print(f"error: {source}: {exc} [{exc.code}]", file=sys.stderr)
        return exc.exit_status
    print(f"signed {target} (signing time {when.isoformat()})")
    print(f"check it with: briefing verify --trust CERT.pem {target}")
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    """Make the desk's signing key and a self-signed certificate, and say what they prove."""
    import datetime as dt

    from briefing.pdf.sign import SignError, fingerprint, keygen

    directory = Path(args.directory)
    try:
        key, cert = keygen(directory, args.name, dt.datetime.now(dt.UTC))
    except SignError as exc:
        print(f"error: {exc} [{exc.code}]", file=sys.stderr)
        return exc.exit_status
    print(f"wrote {key} (the private key: keep it secret, and out of version control)")
    print(f"wrote {cert} (the certificate: give it to your readers)")
    print(f"certificate SHA-256 fingerprint: {fingerprint(cert)}")
    print(
        "What a signature with a self-signed certificate proves: that the PDF is unchanged since\n"
        "someone holding this key signed it. It does not prove who that someone is: no authority\n"
        "vouches for the name in it. A reader who got the certificate (or its fingerprint) from\n"
        "you through a channel they trust, in person or from a page they know is yours, can check\n"
        f"with 'briefing verify --trust {cert.name} FILE.pdf' that the desk signed it."
    )
    print(
        f"sign a release with: BRIEFING_SIGNING_KEY={key} BRIEFING_SIGNING_CERT={cert} "
        "briefing release --sign"
    )
    return 0


def add_pdf_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The subcommands for the PDFs themselves: verify, sign, keygen."""
    verify_parser = commands.add_parser(
        "verify",
        help="check a Briefing PDF from what it carries: facts, quotes, notes, signature",
        description="Verify Briefing PDFs offline, from the PDF alone. Exit 0: verified; "
        "1: something does not hold (each failure is listed); 2: refused (not a Briefing "
        "PDF, damaged, encrypted, attachments missing or too large).",
    )
    verify_parser.add_argument("files", nargs="+", metavar="FILE.pdf", help="PDFs to verify")
    verify_parser.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="CERT",
        help="a certificate (PEM or DER) you trust to sign; may be given several times",
    )
    verify_parser.set_defaults(func=cmd_verify)

    sign_parser = commands.add_parser(
        "sign", help="sign a PDF with the desk's key (PAdES, an incremental update)"
    )
    sign_parser.add_argument("file", metavar="FILE.pdf", help="the PDF to sign")
    sign_parser.add_argument("-o", "--output", help="write the signed PDF here (default: in place)")
    _signing_options(sign_parser)
    sign_parser.set_defaults(func=cmd_sign)

    keygen_parser = commands.add_parser(
        "keygen", help="make a signing key and a self-signed desk certificate"
    )
    keygen_parser.add_argument(
        "directory", nargs="?", default=".", help="where to write desk-key.pem and desk.pem"
    )
    keygen_parser.add_argument("--name", required=True, help="the desk's name, in the certificate")
    keygen_parser.set_defaults(func=cmd_keygen)


def _signing_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--key", help="the private key (PEM); default: $BRIEFING_SIGNING_KEY")
    command.add_argument("--cert", help="its certificate (PEM); default: $BRIEFING_SIGNING_CERT")


# --- Editing commands: schema, find-quote, new, serve --------------------------------------


def cmd_schema(args: argparse.Namespace) -> int:
    from briefing.factbase import schema
    from briefing.factbase.validate import load_vocabulary

    project = Project.at(args.root)
    _, models, problems = load_vocabulary(project)
    if models is None:
        report(problems, project=project)
        print("the schema follows facts/vocabulary.yaml: fix it first", file=sys.stderr)
        return 1
    directory = project.root / "schema"
    if args.check:
        outdated = schema.stale(directory, models)
        for name in outdated:
            print(f"schema/{name}: out of date with facts/vocabulary.yaml", file=sys.stderr)
        if outdated:
            print("run 'briefing schema' (or any build) to regenerate it", file=sys.stderr)
            return 1
        print(f"ok: {len(schema.NAMES)} schema files match the vocabulary and the model")
        return 0
    changed = schema.write(directory, models)
    for path in changed:
        print(f"wrote {project.name(path)}")
    if not changed:
        print(f"schema/ is up to date ({len(schema.NAMES)} files)")
    return 0


def cmd_find_quote(args: argparse.Namespace) -> int:
    from briefing.authoring.findquote import citation_yaml, load_sources, search

    project = Project.at(args.root)
    sources = load_sources(project)
    if not sources:
        print(f"error: no source texts in {project.name(project.sources)}/", file=sys.stderr)
        return 2
    query = " ".join(args.text)
    hits = search(query, sources, near=args.limit)[: args.limit]
    bold = sys.stdout.isatty()
    if hits and hits[0].kind == "near":
        print("no match; the closest passages are:\n")
    elif not hits:
        print(f"no match for {query!r} in {len(sources)} source(s)", file=sys.stderr)
        return 1
    for rank, hit in enumerate(hits, 1):
        label = {"exact": "exact", "loose": "differs in case or punctuation", "near": "similar"}
        score = "" if hit.kind == "exact" else f", {hit.score:.0%}"
        print(
            f"{rank}. {hit.source_id or '(not registered)'}  "
            f"{hit.name}:{hit.line}:{hit.col}  ({label[hit.kind]}{score})"
        )
        marked = f"\033[1m{hit.passage}\033[0m" if bold else f"[{hit.passage}]"
        print(f"   {hit.before}{marked}{hit.after}")
        print("   " + citation_yaml(hit).replace("\n", "\n   "))
        print()
    return 0 if hits[0].kind != "near" else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from briefing.site.serve import serve

    project = Project.at(args.root)
    try:
        serve(project, args.port, announce=lambda line: print(line, flush=True))
    except OSError as exc:
        print(f"error: cannot serve on 127.0.0.1:{args.port}: {exc.strerror}", file=sys.stderr)
        print("    hint: pick another port with --port", file=sys.stderr)
        return 1
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from briefing.authoring import scaffold

    root = Path(args.directory)
    try:
        started = scaffold.init_project(root)
    except scaffold.ScaffoldError as exc:
        print(f"error: {exc} [{exc.code}]", file=sys.stderr)
        return exc.exit_status
    project = Project.at(root)
    for path in started.skipped:
        print(f"skipped {project.name(path)}: it is there already, and init never overwrites")
    print(f"started a new desk in {root} ({len(started.written)} files)")
    print(f"next: cd {root} && briefing check && briefing build")
    print("then edit facts/vocabulary.yaml (your lists and fields) and the facts themselves")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from briefing.authoring import scaffold

    project = Project.at(args.root)
    ask = input if sys.stdin.isatty() else None
    options = {k: v for k, v in vars(args).items() if k not in {"root", "func", "command"}}
    options.pop("declared", None)
    try:
        written = scaffold.new_from_options(project, args.what, options, ask, args.declared)
    except scaffold.ScaffoldError as exc:
        print(f"error: {exc} [{exc.code}]", file=sys.stderr)
        return exc.exit_status
    except EOFError:
        print("error: input ended before every value was given", file=sys.stderr)
        return 2
    print(f"{project.name(written.path)}:{written.line}: added {written.what}")
    print("next: replace each 'FILL IN' placeholder; 'briefing check' lists what is left")
    return 0


def cmd_pin(args: argparse.Namespace) -> int:
    from briefing.authoring import scaffold

    project = Project.at(args.root)
    try:
        pinned = scaffold.pin_sources(project, args.source_ids)
    except scaffold.ScaffoldError as exc:
        print(f"error: {exc} [{exc.code}]", file=sys.stderr)
        return exc.exit_status
    registry = project.name(project.facts / "sources.yaml")
    for pin in pinned:
        done = "pinned" if pin.changed else "already pinned"
        print(f"{registry}:{pin.line}: {done} '{pin.source_id}' (sha256 {pin.sha256[:12]}...)")
    return 0


def _add_new_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new_parser = commands.add_parser(
        "new", help="add a source, actor, person, commitment, position or statement"
    )
    kinds = new_parser.add_subparsers(dest="what", required=True, metavar="WHAT")
    source = kinds.add_parser("source", help="register a text file dropped into facts/sources/")
    source.add_argument("file", help="file name inside facts/sources/")
    source.add_argument("--id", help="source id (default: made from the file name)")
    source.add_argument("--reliability", help="a grade from the reliability list of the vocabulary")
    actor = kinds.add_parser("actor", help="create facts/actors/<id>.yaml")
    actor.add_argument("id", nargs="?", help="actor id, also the file name, e.g. 'pl'")
    actor.add_argument("--name", help="name as printed, e.g. 'Poland'")
    actor.add_argument("--kind", help="a kind from the actor_kind list of the vocabulary")
    actor.add_argument(
        "--code", help="the code its kind asks for: ISO 3166-1 (PL), ISO 3166-2 (US-CA) or declared"
    )
    person = kinds.add_parser("person", help="add someone who is quoted to facts/people.yaml")
    person.add_argument("id", nargs="?", help="person id, e.g. 'duda'")
    person.add_argument("--name", help="full name as printed")
    person.add_argument("--role", help="role at the time of the statements")
    person.add_argument("--actor", help="id of the actor they speak for")
    for what in ("commitment", "position", "statement"):
        fact = kinds.add_parser(what, help=f"append a {what} to an actor file")
        fact.add_argument("--actor", help="actor id (the file facts/actors/<id>.yaml)")
        fact.add_argument("--id", help=f"{what} id, unique across all actors")
        fact.add_argument("--source", help="id of the source to cite")
        fact.add_argument("--quote", help="words copied from that source")
        fact.add_argument("--date", help="YYYY, YYYY-MM, YYYY-MM-DD or a span START/END")
        fact.add_argument("--summary", help=f"the {what} in our words")
        if what == "commitment":
            fact.add_argument("--title", help="short name of the commitment")
            fact.add_argument("--parties", help="ids of the other actors party to it: ua,pl")
        if what == "position":
            fact.add_argument("--question", help="question id from edition.yaml")
        if what in ("position", "statement"):
            fact.add_argument("--speaker", help="person id from people.yaml")
        fact.epilog = (
            f"The {what} fields your facts/vocabulary.yaml declares are given as --KEY VALUE "
            "(e.g. --status signed); required ones you leave out are asked for on a terminal "
            "or left as FILL IN."
        )
    new_parser.set_defaults(func=cmd_new)


def add_editing_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The subcommands that help curators edit facts."""
    init_parser = commands.add_parser(
        "init", help="start a new desk: an edition, a vocabulary, one source, one actor"
    )
    init_parser.add_argument("directory", help="where to create it (it must have no facts/)")
    init_parser.set_defaults(func=cmd_init)

    pin_parser = commands.add_parser(
        "pin", help="record the SHA-256 of source texts in facts/sources.yaml"
    )
    pin_parser.add_argument(
        "source_ids", nargs="*", metavar="SOURCE_ID", help="sources to pin (default: all)"
    )
    pin_parser.set_defaults(func=cmd_pin)

    schema_parser = commands.add_parser(
        "schema", help="write JSON Schema files for editors into schema/"
    )
    schema_parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if schema/ is out of date"
    )
    schema_parser.set_defaults(func=cmd_schema)

    find_parser = commands.add_parser(
        "find-quote", help="search the sources for words, print the exact passage to cite"
    )
    find_parser.add_argument("text", nargs="+", help="the words to look for")
    find_parser.add_argument(
        "--limit", type=int, default=5, help="show at most this many matches (default: 5)"
    )
    find_parser.set_defaults(func=cmd_find_quote)

    serve_parser = commands.add_parser(
        "serve", help="live preview on 127.0.0.1: rebuilds and reloads on every edit"
    )
    serve_parser.add_argument(
        "--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0 picks one)"
    )
    serve_parser.set_defaults(func=cmd_serve)
    _add_new_command(commands)


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    main_parser = argparse.ArgumentParser(
        prog="briefing",
        description="Build cited policy briefs from a YAML fact base.",
    )
    main_parser.add_argument(
        "--root", type=Path, default=Path("."), help="project directory (default: current)"
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check_parser = commands.add_parser("check", help="validate the facts and verify every quote")
    check_parser.add_argument(
        "--strict", action="store_true", help="treat warnings as errors (for CI before release)"
    )
    check_parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="'json' prints a list of {file, line, col, severity, message, hint} on stdout",
    )
    check_parser.set_defaults(func=cmd_check)

    build_parser = commands.add_parser("build", help="check, then write HTML and PDF to build/")
    build_parser.add_argument("--no-pdf", action="store_true", help="write HTML only")
    build_parser.add_argument(
        "--docx", action="store_true", help="also write the briefs as Word files to build/docx/"
    )
    _layout_options(build_parser)
    build_parser.set_defaults(func=cmd_build)

    distribute_parser = commands.add_parser(
        "distribute",
        help="one numbered copy of the book per recipient (facts/distribution.yaml), logged",
    )
    _layout_options(distribute_parser)
    distribute_parser.set_defaults(func=cmd_distribute)

    release_parser = commands.add_parser(
        "release",
        help="build with PDFs, then freeze the edition into editions/N/ with a SHA256SUMS",
    )
    _layout_options(release_parser)
    release_parser.add_argument(
        "--sign",
        action="store_true",
        help="sign every PDF with the desk's key (--key/--cert or BRIEFING_SIGNING_KEY/_CERT)",
    )
    release_parser.add_argument(
        "--docx", action="store_true", help="also write and freeze the briefs as Word files"
    )
    _signing_options(release_parser)
    release_parser.set_defaults(func=cmd_release)

    diff_parser = commands.add_parser(
        "diff", help="what changed since the last released edition (or edition N)"
    )
    diff_parser.add_argument(
        "--since", type=int, metavar="N", help="compare with edition N (default: the last one)"
    )
    diff_parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="'text': one line per change, grouped; 'json': a stable structure",
    )
    diff_parser.set_defaults(func=cmd_diff)

    coverage_parser = commands.add_parser(
        "coverage", help="per source, which sentences the facts cite and which they do not"
    )
    coverage_parser.add_argument(
        "--furniture", action="store_true", help="also list lines marked as page furniture"
    )
    coverage_parser.add_argument(
        "--fail-under", type=float, metavar="PCT", help="exit 1 if total coverage is lower"
    )
    coverage_parser.set_defaults(func=cmd_coverage)
    add_editing_commands(commands)
    add_pdf_commands(commands)
    return main_parser


def declared_options(extra: list[str]) -> dict[str, str] | None:
    """`--key value` pairs for the fields a vocabulary declares; None if `extra` is not that."""
    declared: dict[str, str] = {}
    words = list(extra)
    while words:
        option = words.pop(0)
        key, eq, value = option.partition("=")
        if not key.startswith("--") or len(key) < 3:
            return None
        if not eq:
            if not words:
                return None
            value = words.pop(0)
        declared[key[2:].replace("-", "_")] = value
    return declared


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    main_parser = parser()
    args, extra = main_parser.parse_known_args(argv)
    declared = declared_options(extra) if getattr(args, "what", None) else None
    if extra and (declared is None or args.what not in ("commitment", "position", "statement")):
        main_parser.error("unrecognized arguments: " + " ".join(extra))
    args.declared = declared or {}
    try:
        code = int(args.func(args))
        # Flush here, not at exit: a pipe closed by the reader must be met inside this try.
        sys.stdout.flush()
        return code
    except BriefingError as exc:
        # Every mistake a user can fix ends here: located diagnostics, exit 1 (2 for a
        # refusal), no traceback.
        report(exc.diagnostics, project=Project.at(args.root))
        return exc.exit_status
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader ('| head -1', '| grep -q') has what it wanted. As the Python docs advise,
        # point stdout at devnull so that the flush at exit does not fail a second time.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass  # stdout is not a real file (e.g. captured by a test): nothing to flush
        return 141  # 128 + SIGPIPE, what the shell reports for a command a pipe stopped


if __name__ == "__main__":
    sys.exit(main())
