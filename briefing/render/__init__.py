"""Render: the HTML pages of the briefs and the book's parts, from the checked fact base."""
