"""The warehouse's three layers, each a database schema.

- ``restricted``: person-level rows (raw staging of every extract). Never read by analysts.
- ``published``: aggregates only, after disclosure control. What analysts query.
- ``ops``: the pipeline's own bookkeeping: ingest log, runs, validation, quarantine, lineage,
  and Alembic's version table.

On PostgreSQL each layer is a schema; on SQLite each is an attached database file (see
``engine``). Either way SQL names tables as ``<layer>.<table>``.
"""

from __future__ import annotations

from typing import Final

RESTRICTED: Final = "restricted"
PUBLISHED: Final = "published"
OPS: Final = "ops"

#: every layer, in the order their schemas are created
LAYERS: Final[tuple[str, ...]] = (RESTRICTED, PUBLISHED, OPS)
