"""What the two streamed XML readers share (``cin_xml`` for the CIN census, ``ssda903_xml`` for
the SSDA903 return): the count of elements not kept, and the expat handlers that skip an
element with all it holds.

Skipping follows only the depth until the skipped element ends and hands no text over, so the
text of an element that is dropped or unknown is never read: it cannot reach a message, a
count or a contract file (docs/INFORMATION_GOVERNANCE.md).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

#: distinct unknown element paths named in the report; more are only counted (a hostile file
#: could make each one different)
MAX_NAMED_UNKNOWN = 50


class ElementCount(NamedTuple):
    """An element path not kept, how many times it occurred, and why it was not kept."""

    path: str
    count: int
    why: str


class Skipping:
    """Expat handlers that skip an element (``_skip``), mixed into a reader that has an expat
    ``parser``, a ``_read`` method setting its reading handlers back, and the counters below
    (set in its ``__init__``)."""

    parser: Any
    #: depth inside a skipped element; 0 when reading
    skipped: int
    unknown: Counter[str]
    #: unknown elements past the first MAX_NAMED_UNKNOWN distinct paths
    unknown_unnamed: int

    def _read(self) -> None:
        raise NotImplementedError

    def _skip_unknown_path(self, path: str) -> None:
        """Skip an undeclared element, counted by its path (up to MAX_NAMED_UNKNOWN distinct
        paths, the rest counted without one)."""
        if path in self.unknown or len(self.unknown) < MAX_NAMED_UNKNOWN:
            self.unknown[path] += 1
        else:
            self.unknown_unnamed += 1
        self._skip()

    def _skip(self) -> None:
        """Follow only the depth until the element just started ends; no text is read."""
        self.skipped = 1
        self.parser.StartElementHandler = self._skipped_start
        self.parser.EndElementHandler = self._skipped_end
        self.parser.CharacterDataHandler = None

    def _skipped_start(self, name: str, attributes: list[str]) -> None:
        self.skipped += 1

    def _skipped_end(self, name: str) -> None:
        self.skipped -= 1
        if not self.skipped:
            self._read()
