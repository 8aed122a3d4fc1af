"""Diagnostic codes: one stable code per kind of problem, as ruff and Sphinx have.

A code is a letter naming the family and three digits; the first digit groups a family:

    F  files: missing, unreadable, not text, outside their folder
    Y  YAML: syntax, tags, aliases, the loader's limits
    S  schema: keys and values the model does not accept
    D  desk vocabulary (facts/vocabulary.yaml) and the data it shapes
    R  references and ids
    Q  quotes and sources: Q1 quote not found, Q2 source files, Q3 context, Q4 claims,
       Q5 figures and what totals add
    C  completeness and editorial rules (placeholders, positions, key judgments)
    E  editions
    T  templates
    P  publishing and the disk
    L  layout: words that leave the page or print over others (briefing.pdf.measure)
    N  `briefing init` / `new` / `pin`;  I  intake of pages and PDFs
    K  signing keys and signing;  V  `briefing verify`

Codes are never reused for another meaning: a retired code stays retired. Code that tells
kinds of problem apart compares codes, never message text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """What a code means, how to fix it, and the exit status of a command it stops: 1 for a
    mistake in the facts or inputs, 2 for a usage error or a refusal."""

    summary: str
    fix: str
    exit: int = 1


CODES: dict[str, Code] = {
    # F: files
    "F001": Code("a required file is missing", "create the file the message names"),
    "F002": Code("a file cannot be read or is not a regular file", "make it a readable file"),
    "F003": Code("a file is larger than the limit", "split it, or cut what is not needed"),
    "F004": Code("a file is binary (contains NUL bytes)", "save it as UTF-8 text"),
    "F005": Code("a file is not valid UTF-8", "save the file as UTF-8"),
    "F006": Code("a file is empty", "add content or delete the file"),
    "F007": Code(
        "a file or folder leads outside its place in the project",
        "copy it into the project instead of linking to it",
    ),
    "F008": Code("no actor files found", "add one YAML file per actor under facts/actors/"),
    # Y: YAML
    "Y001": Code("YAML syntax error", "fix the YAML at the place shown (see the hint)"),
    "Y002": Code("a control character in YAML", "delete the invisible character"),
    "Y003": Code("a tab used for indentation", "indent with spaces"),
    "Y004": Code("the file does not hold keys and values", "start with 'key: value' lines"),
    "Y005": Code(
        "the file exceeds a limit of the loader (values, aliases, nesting)",
        "write the values out plainly, without deep nesting or many aliases",
    ),
    "Y006": Code("an alias refers to a value that contains it", "remove the recursive alias"),
    "Y007": Code("a YAML tag is not allowed or does not fit", "remove the '!' tag"),
    "Y008": Code("a key that YAML allows but facts do not (merge key, not a word)", "use 'id:'"),
    "Y009": Code("duplicate key", "remove one of the two, or merge their values"),
    "Y010": Code("a number too long to be a number", "put it in quotes if it is text"),
    # S: schema (pydantic validation of a file)
    "S001": Code("unknown key", "correct the spelling (see the hint) or remove the key"),
    "S002": Code("missing required key", "add the key the message names"),
    "S003": Code("value is not one of those allowed", "use one of the allowed values"),
    "S004": Code("value of the wrong type", "write a value of the expected type"),
    "S005": Code(
        "value has the wrong form, length or size",
        "write it in the form the message gives",
    ),
    "S006": Code("value breaks a rule of its field", "change it as the message says"),
    # D: desk vocabulary
    "D001": Code("a list the engine needs is missing", "declare it under 'lists:'"),
    "D002": Code("a word, code or field is declared twice", "declare each once"),
    "D003": Code("an actor kind does not say which code its actors carry", "add 'code:'"),
    "D004": Code("a key that belongs to another list or type", "remove the key"),
    "D005": Code("unknown list or grade", "name one declared in facts/vocabulary.yaml"),
    "D006": Code(
        "not exactly one position field is the answer",
        "mark one 'choice' field 'answer: true'",
    ),
    "D007": Code("a field takes the name of an engine field", "choose another key"),
    "D008": Code("a choice field has no list", "add 'list:' naming a list"),
    "D009": Code("two fields would be the same data column", "rename one of the fields"),
    # R: references and ids
    "R001": Code("duplicate id", "give each one its own id"),
    "R002": Code("actor id does not match its file name", "rename the file or change the id"),
    "R003": Code("unknown reference (id, word of a list)", "use a declared id (see the hint)"),
    "R004": Code("actor id is a name the build uses", "choose another id"),
    # R1: facts/distribution.yaml
    "R101": Code("a recipient's chapter is not a brief", "name 'overview' or an actor id"),
    "R102": Code("two recipients share an id", "give each recipient its own id"),
    "R103": Code("a copy would hold nothing", "list chapters, or 'chapters: all'"),
    # Q: quotes and sources
    "Q101": Code("quote not found in source", "copy the words exactly (briefing find-quote)"),
    "Q102": Code("quote is in another source", "cite the source the message names"),
    "Q103": Code("a part of a quote in parts is too short", "quote more words in each part"),
    "Q104": Code("a part of a quote in parts not found", "copy the part exactly"),
    "Q105": Code("the parts of a quote are out of order", "cite the parts separately"),
    "Q106": Code("the parts of a quote span paragraphs", "cite the parts separately"),
    "Q107": Code("a quote is too long to search for", "quote only the supporting passage"),
    "Q201": Code("a source file cannot be read", "fix or replace the file in facts/sources/"),
    "Q202": Code("an original cannot be read", "fix or replace the file in facts/originals/"),
    "Q203": Code("an original is larger than the limit", "keep a smaller original"),
    "Q204": Code("a source changed since it was pinned", "check the change, then briefing pin"),
    "Q205": Code("a source text is not registered", "run: briefing new source FILE"),
    "Q206": Code("a source is not cited by any fact", "cite it, or remove the entry"),
    "Q207": Code(
        "a source's excerpts cannot stand for its text (briefing verify)",
        "ask the desk for the PDF again: its excerpts were changed or damaged",
    ),
    "Q208": Code("a furniture line is not in the source text", "copy the line exactly"),
    "Q301": Code("quote is in the page furniture", "quote the text, not the furniture"),
    "Q302": Code("the source does not name the speaker near the quote", "check the speaker"),
    "Q303": Code("quote stops before words that turn it", "quote on to take in the turn"),
    "Q304": Code("quote starts right after a negation", "quote from before the negation"),
    "Q305": Code("an ellipsis leaves out words that turn the quote", "quote the words whole"),
    "Q401": Code("words in quotation marks are not in the source", "quote exactly or unquote"),
    "Q402": Code("words given to a speaker are the source's own", "attribute them to the source"),
    "Q403": Code("a judgment's confidence needs more evidence", "cite more, or lower it"),
    "Q404": Code("a judgment forecasts with no likelihood", "add 'likelihood:' from the scale"),
    "Q405": Code("likelihood and confidence in one sentence", "keep them in their own fields"),
    "Q406": Code("the cut-off is earlier than a dated source", "correct as_of or the date"),
    "Q407": Code("a reference names no registered source", "write a source's id in [S:id]"),
    "Q408": Code(
        "a judgment only says what the record holds; its confidence grades nothing",
        "judge what the record suggests, or make it a limit or an open question",
    ),
    "Q409": Code("a key judgment cites a source the desk sets aside", "cite it elsewhere"),
    "Q410": Code("one passage is cited with two relays ('via')", "give it the same 'via'"),
    "Q501": Code(
        "a figure is given by none of the quotes it cites", "write the quote's figure, or cite it"
    ),
    "Q502": Code("a value includes a fact that gives no such value", "name a fact that gives it"),
    "Q503": Code("a value comes to include itself", "remove one of the 'includes'"),
    "Q504": Code("an included value is in another currency or unit", "include a like figure"),
    # C: completeness and editorial rules
    "C001": Code("a value still holds a placeholder", "write the value, drop 'FILL IN'"),
    "C002": Code("an actor has positions and 'no_position'", "remove one of the two"),
    "C003": Code("two positions on one question at one date", "date them, or merge them"),
    "C004": Code("a person speaks no statement or position", "cite them, or remove the entry"),
    "C005": Code("an actor has no position", "add positions, or 'no_position:'"),
    "C006": Code("an entry cites too many passages", "cite the best few, or split the entry"),
    "C007": Code("too few or too many key judgments", "write the number the message gives"),
    "C008": Code("an actor has key judgments and 'no_judgment'", "remove one of the two"),
    "C009": Code("an actor without a chapter has no 'no_judgment'", "say why in 'no_judgment:'"),
    # E: editions
    "E001": Code("the edition is already released", "raise 'number' in facts/edition.yaml"),
    "E002": Code("editions/ is not a folder of the project", "make editions/ a real folder"),
    "E003": Code("the edition was released by another run", "build again for the next edition"),
    "E004": Code("an edition could not be written", "free disk space or fix permissions"),
    "E005": Code("a released edition cannot be read", "restore editions/N/ from a backup"),
    "E006": Code("a released edition is left out of the index", "restore or remove the folder"),
    "E007": Code("the edition asked for is not released", "name a released edition"),
    # T: templates
    "T001": Code("a template leads outside templates/", "copy the template into templates/"),
    "T002": Code("template syntax error", "fix the template at the line shown"),
    "T003": Code("template not found", "add the template, or fix the name that includes it"),
    "T004": Code("a template failed while rendering", "fix the template at the line shown"),
    # P: publishing and the disk
    "P001": Code("the output could not be written", "free disk space or fix permissions"),
    "P002": Code("two outputs or a stray path in build/", "rename the clashing actors or pages"),
    "P003": Code(
        "build/ is not a plain folder of the project",
        "remove the link or file and build again",
    ),
    "P004": Code("a process making PDFs died", "build with fewer processes (--jobs 1)"),
    "P005": Code("SOURCE_DATE_EPOCH is not a Unix time in seconds", "unset it or fix it"),
    "P006": Code("the cache is not a plain folder; built without it", "make .cache/ a folder"),
    "P007": Code("an input changed while building; nothing published", "build again"),
    "P008": Code("a build started later has published; this one was not", "nothing to do"),
    "P009": Code(
        "nothing to distribute: facts/distribution.yaml is missing",
        "list the recipients in facts/distribution.yaml",
        exit=2,
    ),
    # L: layout, measured on the laid-out pages
    "L001": Code(
        "text leaves the page's content area", "let it wrap, fold the fields, or give it room"
    ),
    "L002": Code("text prints over other text", "give each box room of its own"),
    "L003": Code("text laid out on no page", "let the box that holds it grow or flow on"),
    "L004": Code("the principal's note runs past two pages", "shorten what page 1 prints"),
    "L005": Code("the note's page 1 leaves out what it means or what to watch", "shorten page 1"),
    # N, I: authoring
    "N001": Code("a value given to init/new/pin is not valid", "give it as the message says"),
    "N002": Code("would overwrite an existing file", "rename or remove it", exit=2),
    "N003": Code("a file must be fixed before it is edited", "fix the file, then run again"),
    "N005": Code(
        "an option is unknown, or a required one not given", "see briefing new --help", exit=2
    ),
    "N006": Code(
        "will not write through a link that leads outside, or over a file",
        "remove the link or the file, or work in another folder",
        exit=2,
    ),
    "N004": Code("the edit could not be written", "nothing was written; see the message"),
    "I001": Code("a page or PDF yields no text to cite", "save the article's text, or OCR"),
    # K, V: signing and verifying
    "K001": Code("a key, certificate or PDF cannot be used to sign", "give usable files"),
    "K002": Code("keygen would overwrite a key", "choose another folder", exit=2),
    "V001": Code("not a Briefing PDF that verify can read", "verify the PDF Briefing made", exit=2),
    "V101": Code(
        "an attachment the manifest lists is missing", "ask the sender for the file as built"
    ),
    "V102": Code("an attachment is not the file the PDF was built with", "do not trust it"),
    "V103": Code("an attachment the manifest does not list was added", "do not trust it"),
    "V104": Code("the attached fact base does not load or check", "ask the sender"),
    "V105": Code("the manifest and the attached facts disagree", "do not trust it"),
    "V106": Code("a source its facts say travels whole arrives as excerpts", "do not trust it"),
    "V107": Code("a quote stands outside every excerpt of its source", "do not trust it"),
    "V201": Code("a printed passage is not one the facts cite", "do not trust that page"),
    "V202": Code("passages the facts cite were removed from the pages", "do not trust it"),
    "V203": Code("a note leads to a passage without the quote's words", "do not trust it"),
    "V301": Code("its pages cannot be derived again from what it carries", "ask the sender"),
    "V302": Code("a page is not what its attached facts give: changed", "do not trust the page"),
    "V303": Code("a template it carries reaches outside the PDF: refused", "do not trust it"),
    "V304": Code(
        "its pages differ, and it was made with other versions",
        "verify it with the versions it names",
    ),
    "V401": Code("a signature is broken, invalid, partial or untrusted", "do not trust it"),
    "V402": Code("no signature by a certificate you trust covers the file", "ask for a signed one"),
}
