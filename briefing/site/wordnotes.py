"""Word footnotes: python-docx has no footnote API, so this writes the part itself.

A .docx keeps its footnotes in word/footnotes.xml, a part the document part relates to
(relationship type .../footnotes) and that [Content_Types].xml lists; a footnote is marked in
the text by a run holding <w:footnoteReference w:id="N"/>. Word numbers footnotes by the order
of their references, so the ids are given in that order and the numbers it prints match them.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

# Word expects the two separator footnotes (ids -1 and 0) before any of the document's own:
# without them it calls the file damaged and offers to repair it.
_SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
    "<w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0"/>'
    "</w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
)
# One footnote: a run whose footnoteRef prints the number Word gives the footnote, then its
# words at 9 pt (w:sz counts half points) under the 11 pt text.
_FOOTNOTE = (
    '<w:footnote w:id="{id}"><w:p>'
    '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
    '<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> {text}</w:t></w:r>'
    "</w:p></w:footnote>"
)


class Footnotes:
    """The footnotes of one document: `mark` puts a reference in the text, `attach` writes the
    part once every footnote's text is known."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, paragraph: Paragraph) -> int:
        """A footnote reference at the end of `paragraph`; its id, whose text `fill` sets."""
        self.texts.append("")
        number = len(self.texts)
        run = paragraph.add_run()
        # Superscript set on the run itself: the default template has no footnote styles.
        run.font.superscript = True
        reference = OxmlElement("w:footnoteReference", {qn("w:id"): str(number)})
        run._r.append(reference)
        return number

    def fill(self, number: int, text: str) -> None:
        """The text of footnote `number` (notes may grow as later citations merge in, so
        their text is set when the document is complete)."""
        self.texts[number - 1] = text

    def attach(self, document: Document) -> None:
        """Write word/footnotes.xml and relate the document to it (its content type is listed
        from the part's own when the package is saved)."""
        if not self.texts:
            return
        notes = "".join(
            _FOOTNOTE.format(id=number, text=escape(text))
            for number, text in enumerate(self.texts, 1)
        )
        blob = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:footnotes xmlns:w="{W}">{_SEPARATORS}{notes}</w:footnotes>'
        ).encode()
        package = document.part.package
        part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE, blob, package)
        document.part.relate_to(part, RT.FOOTNOTES)
