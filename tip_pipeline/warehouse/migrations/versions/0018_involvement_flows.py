"""Involvement flows: restricted.involvement_flows and its published twin

Revision ID: 0018
Revises: 0017
Create Date: 2027-01-27

Issue #18 (measuring impact), point 4: "left shift" flows. For a reporting year Y, the children
known to children's services in Y-1 or Y by their highest level of involvement in each year
(none, referral, in need, child protection, looked after) and the level totals of both years as
margins (tip_pipeline.indicators.flows), true counts in the restricted layer and
disclosure-controlled in the published one (tip_pipeline.publish.cells). The indicator_id of
published.indicator_not_available now also names involvement_flows, for a year whose previous
year was not delivered (its column comment says so). Written by hand from schema.metadata and
checked with the autogenerate comparison on both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: Union[str, Sequence[str], None] = "0017"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

WHAT = "Involvement flows ('left shift'): children by their highest level of involvement in the previous year and in the year, linked across the CIN census and SSDA903 by the shared pseudonym, with the level totals of both years as margins."
COMMENTS = {
    "restricted": WHAT + " True counts, before disclosure control.",
    "published": WHAT + " Disclosure-controlled: see the suppressed column.",
}
CHILDREN = "Children known to children's services in Y-1 or Y at from_level in Y-1 and to_level in Y (none -> none is not counted)"
OLD_ID = "Indicator id (dim_indicator)"
NEW_ID = "Indicator id (dim_indicator), or involvement_flows (the flows table)"


def _flows(schema: str) -> None:
    published = schema == "published"
    tail = []
    if published:
        tail.append(sa.Column("suppressed", sa.Boolean(), nullable=False, comment="True when the count is withheld"))
    verb = "published" if published else "computed"
    op.create_table(
        "involvement_flows",
        sa.Column("period", sa.Text(), nullable=False, comment="Financial year Y (the flows into it)"),
        sa.Column("previous_period", sa.Text(), nullable=False, comment="Financial year Y-1"),
        sa.Column("area_code", sa.Text(), nullable=False, comment="Local authority"),
        sa.Column("area_name", sa.Text(), nullable=True, comment="Local authority name"),
        sa.Column("from_level", sa.Text(), nullable=False, comment="Highest level of involvement in Y-1: none, referral, in_need, child_protection, looked_after; 'all' on the margin of the children at each level in Y"),
        sa.Column("to_level", sa.Text(), nullable=False, comment="Highest level of involvement in Y (as from_level); 'all' on the margin of the children at each level in Y-1"),
        sa.Column("children", sa.BigInteger(), nullable=published, comment=CHILDREN + ("; NULL where suppressed" if published else "")),
        *tail,
        sa.Column("run_id", sa.Text(), nullable=False, comment=f"Run that {verb} the row (ops.runs)"),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False, comment="When it was written"),
        sa.PrimaryKeyConstraint("period", "area_code", "from_level", "to_level", name=op.f("pk_involvement_flows")),
        schema=schema,
        comment=COMMENTS[schema],
    )


def upgrade() -> None:
    """Upgrade schema."""
    _flows("restricted")
    _flows("published")
    if op.get_bind().dialect.name == "postgresql":  # comments: PostgreSQL only
        op.alter_column(
            "indicator_not_available",
            "indicator_id",
            existing_type=sa.Text(),
            comment=NEW_ID,
            existing_comment=OLD_ID,
            existing_nullable=False,
            schema="published",
        )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "indicator_not_available",
            "indicator_id",
            existing_type=sa.Text(),
            comment=OLD_ID,
            existing_comment=NEW_ID,
            existing_nullable=False,
            schema="published",
        )
    op.drop_table("involvement_flows", schema="published")
    op.drop_table("involvement_flows", schema="restricted")
