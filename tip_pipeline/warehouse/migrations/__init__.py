"""Alembic's script directory (env.py, versions/), importable as the migrations API.

The code lives in ``tip_pipeline.warehouse.migrate``; this re-export lets callers write
``from tip_pipeline.warehouse.migrations import upgrade``.
"""

from tip_pipeline.warehouse.migrate import current_revision, upgrade

__all__ = ["current_revision", "upgrade"]
