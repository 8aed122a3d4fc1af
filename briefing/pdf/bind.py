"""Bind: join PDFs laid out apart (a chapter, an appendix, the cover) into one PDF/A-3 document.

The book is bound from its cover, its chapters (laid out as one flow) and its appendices; a
brief's own PDF from its chapter, laid out alone, and its sources (see publish). Binding is what
a printer does with signatures:
the pages are kept as they were laid out, and what spans the whole document is made anew:

- the page numbers ("Page 3 of 31"), drawn from a layout of the numbers alone (`pagination`)
  over each page, marked as a pagination artifact so that readers and screen readers skip it;
- the structure tree of a tagged PDF (PDF/A-3a): one Document element holding every part's
  elements, and one parent tree whose keys are renumbered part after part;
- the outline, the named destinations, and the links: a link a part could not resolve on its
  own (to an anchor in another part, or to another brief's PDF that is bound into this one)
  becomes a link inside the document.

The first part gives the document its catalog: language, XMP metadata with its PDF/A
identification, output intent and document information. qpdf (through pikepdf) writes only
what the result still refers to, so what the other parts' catalogs held is dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from briefing.pdf.embed import embed
from briefing.render.attachments import Attachment

# A link whose target a part did not hold is laid out as a URI of this form: the fragment
# alone (see pdf.render_pdf). Binding resolves it against the whole document.
FRAGMENT = "#"

# The pagination artifact wrapped round each page's number (ISO 32000-1, 14.8.2.2).
_NUMBER_START = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq\n"
_NUMBER_END = b" Do\nQ\nEMC\n"


def page_count(content: bytes) -> int:
    """How many pages the PDF `content` has."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return len(pdf.pages)


def page_of(content: bytes, anchor: str) -> int | None:
    """The index of the page of the PDF `content` that its named destination `anchor` (an
    HTML id WeasyPrint kept) leads to; None without one."""
    return anchor_pages(content, {anchor}).get(anchor)


def anchor_pages(content: bytes, anchors: Collection[str]) -> dict[str, int]:
    """The index of the page each of `anchors` (named destinations: the HTML ids WeasyPrint
    kept) leads to in the PDF `content`, for those it has."""
    found: dict[str, int] = {}
    with pikepdf.open(io.BytesIO(content)) as pdf:
        names = pdf.Root.get("/Names")
        tree = names.get("/Dests") if isinstance(names, pikepdf.Dictionary) else None
        if tree is None:
            return found
        dests = pikepdf.NameTree(tree)
        index = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        for anchor in anchors:
            target = dests.get(anchor)
            if isinstance(target, pikepdf.Dictionary):
                target = target.get("/D")
            if not isinstance(target, pikepdf.Array) or not len(target):
                continue
            page = index.get(target[0].objgen)
            if page is not None:
                found[anchor] = page
    return found


def bind(
    parts: Sequence[bytes],
    pagination: bytes | None = None,
    *,
    unnumbered: frozenset[int] = frozenset(),
    inside: Mapping[str, str] | None = None,
    elsewhere: str | None = None,
    evidence: Sequence[Attachment] = (),
    when: dt.datetime | None = None,
) -> bytes:
    """One PDF of `parts`, in order, with their pages, structure, outline, destinations and
    links joined; each page `i` not in `unnumbered` gets page `i` of `pagination` drawn over it,
    and `evidence` is attached (dated `when`).

    A link to a PDF named in `inside` (name → the anchor of its chapter) that is bound into
    this one leads inside it; so does a bare fragment ('#name') whose anchor a part holds. A
    bare fragment that no part holds leads to that anchor in the PDF `elsewhere`.
    """
    with pikepdf.open(io.BytesIO(parts[0])) as book:
        root = book.Root
        document = _document_element(book)
        nums: list[tuple[int, Any]] = _numbers(root)
        next_key = _next_key(nums)
        outline = _outline_items(book, book)
        dests = _destinations(book, book)
        for content in parts[1:]:
            with pikepdf.open(io.BytesIO(content)) as part:
                first_new = len(book.pages)
                with warnings.catch_warnings():
                    # pikepdf warns that destinations are not carried along with the pages:
                    # they are, with the outline and the structure tree, below. (Its
                    # add_pages_from carries destinations but renames clashing ones, and
                    # leaves the structure tree behind.)
                    warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                    book.pages.extend(part.pages)
                pages = [book.pages[i] for i in range(first_new, len(book.pages))]
                if "/StructTreeRoot" in part.Root:
                    their_document = book.copy_foreign(part.Root.StructTreeRoot.K[0])
                    for element in their_document.K:
                        element.P = document
                        document.K.append(element)
                    shift = next_key
                    for key, value in _numbers(part.Root):
                        nums.append((key + shift, _copy(book, value)))
                    for page in pages:
                        if "/StructParents" in page.obj:
                            page.obj.StructParents = int(page.obj.StructParents) + shift
                        for annotation in page.obj.get("/Annots", Array()):
                            if "/StructParent" in annotation:
                                annotation.StructParent = int(annotation.StructParent) + shift
                    next_key = _next_key(nums)
                outline += _outline_items(part, book)
                dests += _destinations(part, book)
        if "/StructTreeRoot" in root:
            nums.sort(key=lambda item: item[0])
            flat = Array()
            for key, value in nums:
                flat.append(key)
                flat.append(value)
            root.StructTreeRoot.ParentTree = book.make_indirect(Dictionary(Nums=flat))
            root.StructTreeRoot.ParentTreeNextKey = next_key
        _write_outline(book, outline)
        names = _write_destinations(book, dests)
        _relink(book, names, inside or {}, elsewhere)
        if pagination is not None:
            _paginate(book, pagination, unnumbered)
        if evidence:
            assert when is not None, "attachments are dated"
            embed(book, evidence, when)
        out = io.BytesIO()
        # The identifier is a digest of the content, as WeasyPrint makes it: same parts, same
        # bytes, same /ID.
        # The many small objects a structure tree is made of go into compressed object streams:
        # written one by one, they double the file.
        book.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _document_element(pdf: Pdf) -> Any:
    """The Document element of a tagged PDF (WeasyPrint's tree has exactly one), or None."""
    if "/StructTreeRoot" not in pdf.Root:
        return None
    return pdf.Root.StructTreeRoot.K[0]


def _numbers(root: Any) -> list[tuple[int, Any]]:
    """The (key, value) pairs of a tagged PDF's parent tree (a flat number tree, as WeasyPrint
    writes it, or one with kids)."""
    if "/StructTreeRoot" not in root or "/ParentTree" not in root.StructTreeRoot:
        return []
    pairs: list[tuple[int, Any]] = []
    pending = [root.StructTreeRoot.ParentTree]
    while pending:
        node = pending.pop()
        flat = node.get("/Nums", Array())
        pairs += [(int(flat[i]), flat[i + 1]) for i in range(0, len(flat) - 1, 2)]
        pending += list(node.get("/Kids", Array()))
    return pairs


def _copy(book: Pdf, value: Any) -> Any:
    """`value` of another PDF as an object of `book` (a direct array's items one by one)."""
    if isinstance(value, Array) and not value.is_indirect:
        return Array([_copy(book, item) for item in value])
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return book.copy_foreign(value)
    return value


def _next_key(nums: list[tuple[int, Any]]) -> int:
    return max((key for key, _ in nums), default=-1) + 1


def _outline_items(part: Pdf, book: Pdf) -> list[Any]:
    """The top-level outline items of `part`, as objects of `book`."""
    if "/Outlines" not in part.Root or "/First" not in part.Root.Outlines:
        return []
    items = []
    item = part.Root.Outlines.First
    while True:
        items.append(item if part is book else _copy(book, item))
        if "/Next" not in item:
            return items
        item = item.Next


def _write_outline(book: Pdf, items: list[Any]) -> None:
    if not items:
        return
    outlines = book.make_indirect(Dictionary(Type=Name.Outlines))
    visible = 0
    for index, item in enumerate(items):
        item.Parent = outlines
        for link in ("/Prev", "/Next"):
            if link in item:
                del item[link]
        if index:
            item.Prev = items[index - 1]
        if index + 1 < len(items):
            item.Next = items[index + 1]
        visible += 1 + max(0, int(item.get("/Count", 0)))
    outlines.First = items[0]
    outlines.Last = items[-1]
    outlines.Count = visible
    book.Root.Outlines = outlines


def _destinations(part: Pdf, book: Pdf) -> list[tuple[str, Any]]:
    """The named destinations of `part`, as objects of `book`."""
    if "/Names" not in part.Root or "/Dests" not in part.Root.Names:
        return []
    tree = pikepdf.NameTree(part.Root.Names.Dests)
    return [(str(name), dest if part is book else _copy(book, dest)) for name, dest in tree.items()]


def _write_destinations(book: Pdf, dests: list[tuple[str, Any]]) -> set[str]:
    """One name tree of every part's destinations; the first part to define a name keeps it."""
    seen: dict[str, Any] = {}
    for name, dest in dests:
        seen.setdefault(name, dest)
    if not seen:
        return set()
    if "/Names" not in book.Root:
        book.Root.Names = book.make_indirect(Dictionary())
    tree = pikepdf.NameTree.new(book)
    for name in sorted(seen):
        tree[name] = seen[name]
    book.Root.Names.Dests = tree.obj
    return set(seen)


def _relink(book: Pdf, names: set[str], inside: Mapping[str, str], elsewhere: str | None) -> None:
    """Turn the links that lead into this document into internal ones (see `bind`)."""
    for page in book.pages:
        for annotation in page.obj.get("/Annots", Array()):
            action = annotation.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            target = _target(str(action.URI), names, inside, elsewhere)
            if target is None:
                continue
            if target.startswith(FRAGMENT):
                del annotation["/A"]
                annotation.Dest = String(target[1:])
            else:
                action.URI = String(target)


def _target(
    uri: str, names: set[str], inside: Mapping[str, str], elsewhere: str | None
) -> str | None:
    """Where a URI link of a bound PDF leads: '#name' inside it, another URI, or None for
    where it led."""
    document, hash_, fragment = uri.partition(FRAGMENT)
    if document in inside:
        anchor = fragment if hash_ else inside[document]
        return FRAGMENT + anchor if anchor in names else None
    if document or not hash_:
        return None
    if fragment in names:
        return FRAGMENT + fragment
    return f"{elsewhere}#{fragment}" if elsewhere else None


def _paginate(book: Pdf, pagination: bytes, unnumbered: frozenset[int]) -> None:
    """Draw page i of `pagination` (the page numbers, laid out alone) over page i of `book`."""
    with pikepdf.open(io.BytesIO(pagination)) as numbers:
        if len(numbers.pages) < len(book.pages):
            raise ValueError(
                f"{len(numbers.pages)} page numbers for a document of {len(book.pages)} pages"
            )
        for index, page in enumerate(book.pages):
            if index in unnumbered:
                continue
            form = book.copy_foreign(numbers.pages[index].as_form_xobject())
            # The pages of a part share one resource dictionary: each gets its own, or every
            # page would show the number given last.
            resources = Dictionary(dict(page.obj.get("/Resources", Dictionary()).items()))
            resources.XObject = Dictionary(dict(resources.get("/XObject", Dictionary()).items()))
            page.obj.Resources = resources
            # A fixed name (pikepdf would draw a random one): the same parts, the same bytes.
            name = page.add_resource(form, Name.XObject, Name("/BriefingPageNumber"))
            # The page's own drawing is closed off in q … Q first, so that whatever state it
            # leaves cannot move or recolour the number.
            page.contents_add(pikepdf.Stream(book, b"q\n"), prepend=True)
            page.contents_add(
                pikepdf.Stream(book, b"Q\n" + _NUMBER_START + bytes(name.unparse()) + _NUMBER_END)
            )
