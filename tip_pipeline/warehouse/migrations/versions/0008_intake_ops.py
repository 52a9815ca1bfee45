"""ops.pseudonym_keys, intake_log, intake_tables, intake_refusals: intake's account

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Intake converts a local authority's raw returns into contract files. What it did is kept in
ops, never a value: the key fingerprints it has used (a different key splits every child's
history, so it is refused unless the history is rebuilt); every raw file each run found,
converted or refused whole; each contract extract a file gave, with records read, written and
refused; and each refused record by file, position, column and reason. Written by hand from
schema.metadata and checked with the autogenerate comparison on both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "pseudonym_keys",
        sa.Column("fingerprint", sa.Text(), nullable=False, comment="Fingerprint of a pseudonym key (16 hex digits; never the key)"),
        sa.Column("first_run_id", sa.Text(), nullable=False, comment="First intake run that used the key"),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False, comment="When"),
        sa.Column("current", sa.Boolean(), nullable=False, comment="True for the key intake uses now; an earlier key's pseudonyms do not link"),
        sa.Column("rekeyed", sa.Boolean(), nullable=False, comment="True when it replaced a key (--rekey)"),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_pseudonym_keys")),
        schema="ops",
        comment="The pseudonym keys intake has used, by fingerprint: a different key is refused unless the whole history is rebuilt with it (tip intake --rekey).",
    )
    op.create_table(
        "intake_log",
        sa.Column("run_id", sa.Text(), nullable=False, comment="Intake run (ops.runs)"),
        sa.Column("raw_file", sa.Text(), nullable=False, comment="Raw file, by its path in the raw folder"),
        sa.Column("period", sa.Text(), nullable=False, comment="Financial year, or 'unknown' if refused unread"),
        sa.Column("status", sa.Text(), nullable=False, comment="'converted' or 'refused' (whole)"),
        sa.Column("refused_reason", sa.Text(), nullable=True, comment="Why the whole file was refused; NULL otherwise"),
        sa.Column("key_fingerprint", sa.Text(), nullable=False, comment="Fingerprint of the run's key"),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False, comment="When"),
        sa.PrimaryKeyConstraint("run_id", "raw_file", name=op.f("pk_intake_log")),
        schema="ops",
        comment="Every raw file each intake run found: converted (its tables in ops.intake_tables) or refused whole with why. Names, never a value.",
    )
    op.create_table(
        "intake_tables",
        sa.Column("run_id", sa.Text(), nullable=False, comment="Intake run (ops.runs)"),
        sa.Column("raw_file", sa.Text(), nullable=False, comment="Raw file, by its path in the raw folder"),
        sa.Column("table_name", sa.Text(), nullable=False, comment="Contract extract written from it"),
        sa.Column("period", sa.Text(), nullable=False, comment="Financial year (e.g. 2023/24)"),
        sa.Column("unit", sa.Text(), nullable=False, comment="What a record is numbered by: line, row, element"),
        sa.Column("records_read", sa.BigInteger(), nullable=False, comment="Records read"),
        sa.Column("records_written", sa.BigInteger(), nullable=False, comment="Records written"),
        sa.Column("records_refused", sa.BigInteger(), nullable=False, comment="Records refused"),
        sa.PrimaryKeyConstraint("run_id", "raw_file", "table_name", name=op.f("pk_intake_tables")),
        schema="ops",
        comment="Each contract extract a converted raw file gave (a CIN census XML gives four): records read = written + refused (each refusal in ops.intake_refusals).",
    )
    op.create_table(
        "intake_refusals",
        sa.Column("run_id", sa.Text(), nullable=False, comment="Intake run (ops.runs)"),
        sa.Column("raw_file", sa.Text(), nullable=False, comment="Raw file, by its path in the raw folder"),
        sa.Column("table_name", sa.Text(), nullable=False, comment="Contract extract the record was for"),
        sa.Column("refusal", sa.BigInteger(), nullable=False, comment="Number of the refusal in the file and table (1, 2, ...), in the file's order"),
        sa.Column("period", sa.Text(), nullable=False, comment="Financial year (e.g. 2023/24)"),
        sa.Column("position", sa.BigInteger(), nullable=False, comment="Line (CSV), row (XLSX) or line of the element's start tag (XML)"),
        sa.Column("unit", sa.Text(), nullable=False, comment="line (CSV), row (XLSX) or element (XML)"),
        sa.Column("raw_column", sa.Text(), nullable=True, comment="Raw column or element that refused it; NULL if none"),
        sa.Column("reason", sa.Text(), nullable=False, comment="Why, in plain English; never the value"),
        sa.PrimaryKeyConstraint("run_id", "raw_file", "table_name", "refusal", name=op.f("pk_intake_refusals")),
        schema="ops",
        comment="Each raw record intake could not convert, by file, position, column and reason. Never the record: the raw returns stay in the raw folder.",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("intake_refusals", schema="ops")
    op.drop_table("intake_tables", schema="ops")
    op.drop_table("intake_log", schema="ops")
    op.drop_table("pseudonym_keys", schema="ops")
