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
    titles: Sequence[str], title: str, subtitle: str | None, extra: int = 0
) -> bool:
    """Whether the contents (one line or more per title, the appendices after them) fit the
    cover between its title block and its information row, with `extra` lines more above
    them (a numbered copy's line and its recipient's role)."""
    taken = sum(lines(t, 10.0, CONTENTS_WIDTH_MM) for t in titles) + 2 + 1  # appendices, gap
    taken += extra
    heading = lines(title, TITLE_PT, TITLE_WIDTH_MM, EM_PER_CHAR) - 1
    if subtitle:
        heading += lines(subtitle, SUBTITLE_PT, TITLE_WIDTH_MM) - 1
    return taken + 2 * heading <= COVER_CONTENT_LINES
