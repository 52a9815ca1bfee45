"""ops.runs: who ran it (the operating-system account and the database role)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

An information governance lead asks who ran what: every run that writes the warehouse now
records the operating-system account of its process and, on PostgreSQL, the database role it
wrote as. Written by hand from schema.metadata and checked with the autogenerate comparison on
both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "runs",
        sa.Column("run_by", sa.Text(), nullable=True, comment="Operating-system account of the process that wrote"),
        schema="ops",
    )
    op.add_column(
        "runs",
        sa.Column("database_role", sa.Text(), nullable=True, comment="Database role it wrote as (PostgreSQL; NULL on SQLite)"),
        schema="ops",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("runs", "database_role", schema="ops")
    op.drop_column("runs", "run_by", schema="ops")
