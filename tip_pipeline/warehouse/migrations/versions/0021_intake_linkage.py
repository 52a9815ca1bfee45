"""ops.intake_linkage and ops.intake_tables.records_left_out: linkage across services

Revision ID: 0021
Revises: 0020
Create Date: 2027-02-03

Issue #16 (other services' raw layouts and linking people across them). Intake now reads the
youth justice case-management system's tables and H-CLIC's sections, and applies the
authority's cross-reference of people across its systems before hashing. What it records,
never a value: each year's people per service and how many the cross-reference linked (the
match rate, ops.intake_linkage); and the records left out by design (H-CLIC People: members who
are not dependent children), so that records read = written + refused + left out
(ops.intake_tables.records_left_out). Written by hand from schema.metadata.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0021"
down_revision: Union[str, Sequence[str], None] = "0020"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD_TABLES = "Each contract extract a converted raw file gave (a CIN census XML gives four): records read = written + refused (each refusal in ops.intake_refusals)."
NEW_TABLES = "Each contract extract a converted raw file gave (a CIN census XML gives four): records read = written + refused + left out (each refusal in ops.intake_refusals)."


def _table_comment(comment: str, existing: str) -> None:
    """ops.intake_tables' comment, where the database keeps comments (not SQLite)."""
    if op.get_bind().dialect.name == "postgresql":
        op.create_table_comment("intake_tables", comment, existing_comment=existing, schema="ops")


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "intake_tables",
        sa.Column(
            "records_left_out",
            sa.BigInteger(),
            nullable=False,
            server_default="0",
            comment="Records left out by design (H-CLIC People: members who are not dependent children), counted with why in the run's report",
        ),
        schema="ops",
    )
    _table_comment(NEW_TABLES, OLD_TABLES)
    op.create_table(
        "intake_linkage",
        sa.Column("run_id", sa.Text(), nullable=False, comment="Intake run (ops.runs)"),
        sa.Column("period", sa.Text(), nullable=False, comment="Financial year (e.g. 2023/24)"),
        sa.Column("service", sa.Text(), nullable=False, comment="Source system: social_care (CIN census, SSDA903), youth_justice or housing"),
        sa.Column("people", sa.BigInteger(), nullable=False, comment="Distinct people the year's returns of the service gave (person ids written)"),
        sa.Column("linked", sa.BigInteger(), nullable=False, comment="Of them, how many the authority's cross-reference listed (0 without one)"),
        sa.Column("cross_reference_file", sa.Text(), nullable=True, comment="The cross-reference file applied, by its path in the raw folder; NULL when there was none (each service kept pseudonyms of its own)"),
        sa.PrimaryKeyConstraint("run_id", "period", "service", name=op.f("pk_intake_linkage")),
        schema="ops",
        comment="Linkage of people across services, per intake run, year and service: the match rate is linked / people. Counts only, never an id.",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("intake_linkage", schema="ops")
    _table_comment(OLD_TABLES, NEW_TABLES)
    with op.batch_alter_table("intake_tables", schema="ops") as batch:
        batch.drop_column("records_left_out")
