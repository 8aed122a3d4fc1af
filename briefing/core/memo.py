"""Memo: what one check made from a project's inputs, kept for the next check in the same
process (the live preview checks the whole fact base after every edit of one file).

A result is found again only by its key, which names what it was made from by content (a
file's name and SHA-256, a quote's words with its source's digest), never by a modification
time: a result is reused exactly when its inputs are byte for byte what they were. Results
are only ever read by those who get them, so one can be handed out again.

A memo belongs to one project (its root): `check_project` refuses one made for another. It is
bounded by the project's own size: each `run` marks what it used, and what the last `keep`
runs did not use is dropped, so the memo holds about what the current inputs need and no
more. It lives where its owner keeps it (the preview's Preview object); nothing is kept in
module state, so one test's project never leaks into another's check.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import TypeVar, cast

T = TypeVar("T")


def digest(text: str | bytes) -> str:
    """The SHA-256 of `text` (UTF-8 for a str), in hex: how a memo key names content."""
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


class Memo:
    """Results by content key, for one project, kept for as long as recent runs use them.
    One run at a time: the preview runs its checks under one lock."""

    def __init__(self, root: Path, *, keep: int = 2) -> None:
        self.root = root.resolve()
        self.keep = keep
        self._held: dict[Hashable, tuple[object, int]] = {}  # key → (result, run last used)
        self._run = 0
        self.hits = 0
        self.misses = 0

    def belongs_to(self, root: Path) -> bool:
        """Whether this memo is the one of the project at `root`."""
        return self.root == root.resolve()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The result kept under `key`, else `make()`, kept under it."""
        held = self._held.get(key)
        if held is not None:
            self.hits += 1
            self._held[key] = (held[0], self._run)
            return cast(T, held[0])
        self.misses += 1
        made = make()
        self._held[key] = (made, self._run)
        return made

    @contextlib.contextmanager
    def run(self) -> Iterator[None]:
        """One check: what it does not use, nor the `keep` - 1 runs before it, is then
        dropped (also when the check raises: what it did use is still marked)."""
        self._run += 1
        try:
            yield
        finally:
            oldest = self._run - self.keep + 1
            stale = [key for key, (_, used) in self._held.items() if used < oldest]
            for key in stale:
                del self._held[key]

    def __len__(self) -> int:
        return len(self._held)
