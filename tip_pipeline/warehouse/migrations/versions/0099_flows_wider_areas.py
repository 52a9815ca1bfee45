"""Involvement flows of regions and England: the area columns' comments

Revision ID: 0099
Revises: 0021
Create Date: 2026-12-10

Issue #18 (measuring impact): restricted.involvement_flows and its published twin now also
hold a region's and England's flows where the delivery holds every one of their authorities
(tip_pipeline.indicators.flows), so area_code and area_name no longer name a local authority
only. No column changes; the comments are PostgreSQL's only (SQLite keeps none). Written by
hand from schema.metadata.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0099"
down_revision: Union[str, Sequence[str], None] = "0021"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD = {"area_code": "Local authority", "area_name": "Local authority name"}
NEW = {
    "area_code": "Local authority; or region or England (dim_area), where the delivery holds every one of its authorities: then the sum of their flows",
    "area_name": "Area name",
}
NULLABLE = {"area_code": False, "area_name": True}


def _comment(comments: dict[str, str], existing: dict[str, str]) -> None:
    if op.get_bind().dialect.name != "postgresql":  # comments: PostgreSQL only
        return
    for schema in ("restricted", "published"):
        for column, comment in comments.items():
            op.alter_column(
                "involvement_flows",
                column,
                existing_type=sa.Text(),
                comment=comment,
                existing_comment=existing[column],
                existing_nullable=NULLABLE[column],
                schema=schema,
            )


def upgrade() -> None:
    """Upgrade schema."""
    _comment(NEW, OLD)


def downgrade() -> None:
    """Downgrade schema."""
    _comment(OLD, NEW)
