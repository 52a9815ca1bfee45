"""Files written whole: a reader sees the old file or the new one, never part of one.

Why: the contract files intake writes are read by ingestion, the reports by browsers and the
steering group's links, the exports by analysts' tools; a run killed, a disk filled or two
runs of the same year at once must not leave a half-written file where the whole one was. The
file is written beside its target under a temporary name and renamed onto it
(``os.replace``: atomic within a filesystem on POSIX and Windows).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def written_whole(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to; renamed onto ``target`` when the block
    ends without error, removed otherwise. The target's folder is created if missing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix
    )
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
