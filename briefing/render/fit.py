"""Fit: whether a table's declared columns, or the book's contents, fit the printed page.

Decided before layout, from what the desk declares (how many columns, how long their labels
and words), so the templates can choose a layout that holds: a matrix whose columns are too
many or too narrow folds its answers under each row's title; contents too long for the cover
flow onto the pages after it in two columns. The estimates are deliberately cautious (the
widths of wide letters), and the build measures every page it lays out afterwards
(briefing.pdf.measure): an estimate that is wrong stops the build, it never prints a cut word.

Hand-written rather than laid out twice with WeasyPrint: a second layout of the note would
cost as much as the first, and the question asked is coarse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# The text column of an A4 page in the book (book.css: 210 mm less 20 mm margins each side).
TEXT_WIDTH_MM = 170.0
# The share of a matrix's width its first column (the actor) takes (book.css, table.matrix).
ROW_TITLE_SHARE = 0.22
# Narrower than this, a column of answers with their references ("[S5 ¶2, 5, 9, 10, 13]",
# which never breaks) cannot be read.
MIN_COLUMN_MM = 30.0
# A cell's padding, both sides (book.css: 1.4 mm each in the note's tables).
CELL_PADDING_MM = 2.8
# The advance of an average letter, in ems, rounded up: Noto Sans bold (headings, answers),
# and Noto Sans or Noto Serif regular (contents, subtitles).
EM_PER_CHAR = 0.58
EM_PER_CHAR_REGULAR = 0.52
MM_PER_PT = 25.4 / 72


def text_mm(text: str, size_pt: float, em: float = EM_PER_CHAR) -> float:
    """About how wide `text` prints at `size_pt` (`em`: an average letter's advance), erring
    wide."""
    return len(text) * em * size_pt * MM_PER_PT


def columns_fit(
    columns: Sequence[Iterable[str]],
    size_pt: float = 8.0,
    width_mm: float = TEXT_WIDTH_MM,
    title_share: float = ROW_TITLE_SHARE,
) -> bool:
    """Whether `columns` (each the words it prints: its heading and its values) fit beside a
    row title in a table `width_mm` wide: each column gets an equal share, at least
    MIN_COLUMN_MM, and its longest word must fit its share."""
    if not columns:
        return True
    share = width_mm * (1 - title_share) / len(columns)
    if share < MIN_COLUMN_MM:
        return False
    room = share - CELL_PADDING_MM
    return all(
        text_mm(word, size_pt) <= room
        for texts in columns
        for text in texts
        for word in text.split()
    )


# The cover (book.css): the room between the subtitle and the information row, in lines of
# the contents (10 pt type, 1.42 leading, 1.6 mm apart), with a title of one line and a
# subtitle of one; each further line of the title or subtitle takes two lines of contents.
COVER_CONTENT_LINES = 15
CONTENTS_WIDTH_MM = 110.0 - 9.0 - 14.0  # the contents' width, less the number and the page
TITLE_WIDTH_MM = 160.0  # the title block, less its rule and padding
TITLE_PT = 30.0
SUBTITLE_PT = 14.0
PUBLISHER_PT = 10.0


def lines(text: str, size_pt: float, width_mm: float, em: float = EM_PER_CHAR_REGULAR) -> int:
    """About how many lines `text` takes in a box `width_mm` wide (words never split)."""
    count, used = 1, 0.0
    space = text_mm(" ", size_pt, em)
    for word in text.split():
        wide = text_mm(word, size_pt, em)
        if used and used + space + wide > width_mm:
            count, used = count + 1, wide
        else:
            used += (space if used else 0.0) + wide
    return count


def contents_fit_cover(
    titles: Sequence[str],
    title: str,
    subtitle: str | None,
    publisher: str = "",
    extra: int = 0,
) -> bool:
    """Whether the contents (one line or more per title, the appendices after them) fit the
    cover between its title block and its information row. `publisher`, the line above the
    title (with whom the book is prepared for), takes a line of the contents per extra line;
    `extra` lines more stand above them (a numbered copy's line and its recipient's role)."""
    taken = sum(lines(t, 10.0, CONTENTS_WIDTH_MM) for t in titles) + 2 + 1  # appendices, gap
    taken += extra
    heading = lines(title, TITLE_PT, TITLE_WIDTH_MM, EM_PER_CHAR) - 1
    if subtitle:
        heading += lines(subtitle, SUBTITLE_PT, TITLE_WIDTH_MM) - 1
    if publisher:
        taken += lines(publisher, PUBLISHER_PT, TITLE_WIDTH_MM) - 1
    return taken + 2 * heading <= COVER_CONTENT_LINES


# The principal's note (book.css): the text area of an A4 page (297 mm less 24 mm and 22 mm
# margins), and what its blocks take. Heights err tall, as widths err wide above: a note
# judged to fit that does not would print a third page, which the reader is promised never.
PAGE_HEIGHT_MM = 251.0
NOTE_PAGES = 2
PT_MM = MM_PER_PT
HEADING_MM = 7.5  # an h2 with its rule and the gap above it
# The advance of an average letter of running text (Noto Serif, regular), in ems: the
# estimates above err wide for a single line; over a page, this one errs tall by about a tenth.
EM_PER_CHAR_TEXT = 0.48
CARD_WIDTH_MM = (TEXT_WIDTH_MM - 6.0) / 2  # the commitments' two columns
POINTS_WIDTH_MM = TEXT_WIDTH_MM - 6.0  # a bulleted list, less its indent
ACTION_WIDTH_MM = (TEXT_WIDTH_MM - 6.0) / 2 - 5.0  # a list in one of the two action columns


def block_mm(text: str, size_pt: float, width_mm: float, leading: float = 1.35) -> float:
    """About how tall `text` prints at `size_pt` in a box `width_mm` wide."""
    return lines(text, size_pt, width_mm, EM_PER_CHAR_TEXT) * size_pt * leading * PT_MM


GROUP_HEADING_MM = 5.0  # a group's small heading over its cards (book.css h3.card-group)


def note_fits(
    page_one: Sequence[str],
    judgments: Sequence[tuple[str, str]],
    actions: Sequence[Sequence[str]],
    matrix_rows: Sequence[float],
    cards: Sequence[tuple[str, str, str]],
    key: str,
    groups: int = 1,
) -> bool:
    """Whether the principal's note holds its stance matrix and every commitment in full within
    two pages: `page_one` the bottom line and the lines on the evidence; `judgments` each key
    judgment with its estimate line; `actions` the points of each side-by-side column (what it
    means, what to watch); `matrix_rows` each row's lines; `cards` each commitment's heading,
    field line and summary; `key` the line under the matrix; `groups` how many groups the cards
    are printed in, each under its heading."""
    height = 24.0 + 4 * HEADING_MM  # the head, and the headings of page one
    height += sum(block_mm(text, 9.5, POINTS_WIDTH_MM) + 1.5 for text in page_one)
    height += sum(
        block_mm(text, 9.5, POINTS_WIDTH_MM) + block_mm(estimate, 8.0, POINTS_WIDTH_MM) + 1.6
        for text, estimate in judgments
    )
    height += max(
        (sum(block_mm(p, 8.5, ACTION_WIDTH_MM, 1.3) + 1.0 for p in column) for column in actions),
        default=0.0,
    )
    height += 2 * HEADING_MM + 8.0 + block_mm(key, 8.0, TEXT_WIDTH_MM)  # table head, key
    height += sum(rows * 8.5 * 1.3 * PT_MM + 2.5 for rows in matrix_rows)
    cards_mm = sum(
        block_mm(head, 8.0, CARD_WIDTH_MM, 1.25)
        + block_mm(fields, 7.5, CARD_WIDTH_MM, 1.25)
        + block_mm(summary, 7.5, CARD_WIDTH_MM, 1.25)
        + 3.5
        for head, fields, summary in cards
    )
    # Two columns: each takes about half, and a card is never split between them.
    height += cards_mm / 2 + (12.0 if cards else 0.0)
    # Each group beyond the first: its heading, and its columns' uneven ends.
    height += max(groups - 1, 0) * (GROUP_HEADING_MM + 6.0)
    # A page's foot is lost where a block will not split (a card, a judgment): a twentieth.
    return height <= NOTE_PAGES * PAGE_HEIGHT_MM * 0.95
