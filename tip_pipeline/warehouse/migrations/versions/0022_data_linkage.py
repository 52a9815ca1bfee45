"""published.data_linkage and ops.pseudonym_keys.linked: match rates published, linkage held

Revision ID: 0022
Revises: 0021
Create Date: 2027-02-10

Issue #16. Each published year's match rates of people across services, from its latest intake
(ops.intake_linkage), published beside the data-quality summary (published.data_linkage); and
whether the history's pseudonyms were made through the authority's cross-reference
(ops.pseudonym_keys.linked), which intake holds to as it holds to the key. Written by hand from
schema.metadata.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0022"
down_revision: Union[str, Sequence[str], None] = "0021"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "pseudonym_keys",
        sa.Column(
            "linked",
            sa.Boolean(),
            nullable=True,
            comment="Whether the history's pseudonyms were made through the authority's cross-reference of people across services (it changes the listed children's pseudonyms as a new key would: a change is refused unless --rekey); NULL before the first intake that recorded it",
        ),
        schema="ops",
    )
    op.create_table(
        "data_linkage",
        sa.Column("period", sa.Text(), nullable=False, comment="Financial year (e.g. 2023/24)"),
        sa.Column("service", sa.Text(), nullable=False, comment="Source system: social_care (CIN census, SSDA903), youth_justice or housing"),
        sa.Column("people", sa.BigInteger(), nullable=False, comment="Distinct people the year's records of the service gave"),
        sa.Column("linked", sa.BigInteger(), nullable=False, comment="Of them, how many the authority's cross-reference listed (0 without one)"),
        sa.Column("match_rate_pct", sa.Double(), nullable=True, comment="linked / people, percent; NULL when the service gave nobody"),
        sa.Column("cross_reference", sa.Boolean(), nullable=False, comment="Whether a cross-reference of people across services was applied at intake"),
        sa.Column("run_id", sa.Text(), nullable=False, comment="Intake run that recorded it (ops.runs)"),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False, comment="When it was published"),
        sa.PrimaryKeyConstraint("period", "service", name=op.f("pk_data_linkage")),
        schema="published",
        comment="Match rates of the people of each service linked across services, from the latest intake of each published year (ops.intake_linkage): a measure across services reads as much as the linkage allows. No row for a year delivered as contract files, whose services share one pseudonym by declaration. Counts of people, no person's record.",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("data_linkage", schema="published")
    with op.batch_alter_table("pseudonym_keys", schema="ops") as batch:
        batch.drop_column("linked")
