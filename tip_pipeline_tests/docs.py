"""The code blocks of the documents analysts read (README.md, warehouse/README.md), as the
tests run them: pasted as written into plain clients, on SQLite and PostgreSQL.

Blocks are taken in document order, so that a block attaching the ops file (SQLite) comes
before the queries that need it, as in a session where a reader pastes them one after another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).parents[1]
#: the documents whose queries analysts (and the pipeline's maintainers) paste
DOCUMENTS: Final = (ROOT / "README.md", ROOT / "warehouse" / "README.md")
#: where the documents' examples open the warehouse (relative to the working folder)
SQLITE_URL: Final = "sqlite:///warehouse/tip.db"

_BLOCK: Final = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
#: names of the layers a published-only session cannot see
_OTHER_LAYERS: Final = re.compile(r"\b(?:ops|restricted)\.\w+")


@dataclass(frozen=True)
class Block:
    document: str
    language: str
    code: str

    def statements(self) -> list[str]:
        """The block's SQL statements, one by one (no ``;`` inside a literal in these
        documents), as a client that runs one statement at a time is given them."""
        return [s.strip() for s in self.code.split(";") if s.strip()]

    @property
    def sqlite_only(self) -> bool:
        """An ``ATTACH`` (SQLite's way to reach the other layers' files) or Python's sqlite3."""
        return "ATTACH DATABASE" in self.code or "import sqlite3" in self.code

    @property
    def other_layers(self) -> bool:
        """Reads the ops or restricted layer: not for the analyst role on PostgreSQL."""
        return bool(_OTHER_LAYERS.search(self.code))


def blocks(language: str) -> list[Block]:
    """Every ``language`` block of the documents, in order."""
    return [
        Block(path.relative_to(ROOT).as_posix(), found.group(1), found.group(2))
        for path in DOCUMENTS
        for found in _BLOCK.finditer(path.read_text(encoding="utf-8"))
        if found.group(1) == language
    ]


def is_query(statement: str) -> bool:
    """A statement that returns rows (not an ``ATTACH`` or a ``SET``)."""
    body = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
    return body.lstrip().upper().startswith(("SELECT", "WITH"))
