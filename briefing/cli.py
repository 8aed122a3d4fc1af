"""The `briefing` command: a thin layer over the pipeline stages."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import jinja2

from briefing.check import all_citations, run_check
from briefing.diagnostics import Diagnostic, as_json, errors, render
from briefing.files import SourceLines
from briefing.project import Project


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


def cmd_build(args: argparse.Namespace) -> int:
    from briefing.publish import PublishError, publish

    project = Project.at(args.root)
    started = time.perf_counter()
    base, problems = run_check(project)
    report(problems, project=project)
    if errors(problems) or base is None:
        print("build stopped: fix the errors above; build/ was left as it was", file=sys.stderr)
        return 1
    try:
        result = publish(project, base.facts, pdf=not args.no_pdf)
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except jinja2.TemplateSyntaxError as exc:
        where = project.name(project.templates / (exc.name or exc.filename or "?"))
        print(f"{where}:{exc.lineno}:1: error: template syntax: {exc.message}", file=sys.stderr)
        return 1
    except (jinja2.TemplateNotFound, FileNotFoundError) as exc:
        missing = getattr(exc, "filename", None) or getattr(exc, "name", None) or str(exc)
        print(
            f"error: a template file is missing: {missing}\n"
            f"    hint: the project needs {project.name(project.templates)}/ with the brief "
            "templates and CSS",
            file=sys.stderr,
        )
        return 1
    elapsed = time.perf_counter() - started
    print(
        f"built {len(result.briefs)} briefs ({len(result.html)} HTML, {len(result.pdf)} PDF) "
        f"in {project.name(project.build)}/ in {elapsed:.1f}s"
    )
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    """Per source: the share of sentences cited, and every uncited sentence with its line."""
    from briefing.check import read_sources
    from briefing.coverage import coverage, total_percent

    project = Project.at(args.root)
    base, problems = run_check(project)
    report(problems)
    if errors(problems) or base is None:
        return 1
    texts, _ = read_sources(project, base)
    results = coverage(base.facts, texts)
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


# --- Editing commands: schema, find-quote, new, serve --------------------------------------


def cmd_schema(args: argparse.Namespace) -> int:
    from briefing import schema

    project = Project.at(args.root)
    directory = project.root / "schema"
    if args.check:
        outdated = schema.stale(directory)
        for name in outdated:
            print(f"schema/{name}: out of date with briefing/model.py", file=sys.stderr)
        if outdated:
            print("run 'briefing schema' and commit the result", file=sys.stderr)
            return 1
        print(f"ok: {len(schema.SCHEMAS)} schema files match the model")
        return 0
    changed = schema.write(directory)
    for path in changed:
        print(f"wrote {project.name(path)}")
    if not changed:
        print(f"schema/ is up to date ({len(schema.SCHEMAS)} files)")
    return 0


def cmd_find_quote(args: argparse.Namespace) -> int:
    from briefing.findquote import citation_yaml, load_sources, search

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
    from briefing.serve import serve

    project = Project.at(args.root)
    try:
        serve(project, args.port, announce=lambda line: print(line, flush=True))
    except OSError as exc:
        print(f"error: cannot serve on 127.0.0.1:{args.port}: {exc.strerror}", file=sys.stderr)
        print("    hint: pick another port with --port", file=sys.stderr)
        return 1
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from briefing import scaffold

    project = Project.at(args.root)
    ask = input if sys.stdin.isatty() else None
    options = {k: v for k, v in vars(args).items() if k not in {"root", "func", "command"}}
    try:
        written = scaffold.new_from_options(project, args.what, options, ask)
    except scaffold.ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except EOFError:
        print("error: input ended before every value was given", file=sys.stderr)
        return 2
    print(f"{project.name(written.path)}:{written.line}: added {written.what}")
    print("next: replace each 'FILL IN' placeholder; 'briefing check' lists what is left")
    return 0


def _add_new_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new_parser = commands.add_parser(
        "new", help="add a source, actor, commitment, position or statement skeleton"
    )
    kinds = new_parser.add_subparsers(dest="what", required=True, metavar="WHAT")
    source = kinds.add_parser("source", help="register a text file dropped into facts/sources/")
    source.add_argument("file", help="file name inside facts/sources/")
    source.add_argument("--id", help="source id (default: made from the file name)")
    source.add_argument("--reliability", help="Admiralty grade A-F (default: F, cannot judge)")
    actor = kinds.add_parser("actor", help="create facts/actors/<id>.yaml")
    actor.add_argument("id", nargs="?", help="actor id, also the file name, e.g. 'pl'")
    actor.add_argument("--name", help="name as printed, e.g. 'Poland'")
    actor.add_argument("--kind", help="'country' or 'organisation'")
    actor.add_argument("--code", help="ISO 3166-1 alpha-2 code of a country, e.g. PL")
    for what in ("commitment", "position", "statement"):
        fact = kinds.add_parser(what, help=f"append a {what} to an actor file")
        fact.add_argument("--actor", help="actor id (the file facts/actors/<id>.yaml)")
        fact.add_argument("--id", help=f"{what} id, unique across all actors")
        fact.add_argument("--source", help="id of the source to cite")
        fact.add_argument("--quote", help="words copied from that source")
        if what == "commitment":
            fact.add_argument("--title", help="short name of the instrument")
            fact.add_argument("--instrument", help="bilateral agreement, declaration, ...")
            fact.add_argument("--status", help="proposed, signed, in force, ...")
            fact.add_argument("--mutual-defence", help="yes, no or 'not stated'")
        if what == "position":
            fact.add_argument("--question", help="question id from edition.yaml")
            fact.add_argument("--stance", help="seeks, supports, cautious, opposes, ...")
        if what in ("position", "statement"):
            fact.add_argument("--speaker", help="person id from people.yaml")
        if what == "statement":
            fact.add_argument("--channel", help="interview, statement, speech, ...")
    new_parser.set_defaults(func=cmd_new)


def add_editing_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The subcommands that help curators edit facts."""
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
    build_parser.set_defaults(func=cmd_build)

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
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    try:
        code = int(args.func(args))
        # Flush here, not at exit: a pipe closed by the reader must be met inside this try.
        sys.stdout.flush()
        return code
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
