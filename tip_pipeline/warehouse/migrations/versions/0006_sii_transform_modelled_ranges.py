"""SII transform, RII note, modelled ranges

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

New columns only. inequality_summary (both layers): ``sii_intercept`` (fitted value at the most
deprived end), ``sii_transform`` (log, logit or none: the scale of the fit) and ``rii_note``
(why an RII is NULL). The modelled toxic-trio range: ref_modelled_rates and its staging table
carry ``share_lower`` and ``share_upper``; modelled_prevalence the range of the modelled children,
percent and gap; prevalence_summary (both layers) the range of modelled rows, each labelled
``range_kind`` 'modelled range'. Column comments go with ADD COLUMN on PostgreSQL (SQLite
ignores them); the two modelled-rates tables' comments change on PostgreSQL only. Written by
hand from schema.metadata and checked with the autogenerate comparison on both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: (schema, table, column) added by this revision, frozen as of it
NEW_COLUMNS = [
    ('restricted', 'stg_ref_modelled_rates', sa.Column('share_lower', sa.Text(), nullable=True, comment='Share in the lower estimate of the published range (delivered as share_lower)')),
    ('restricted', 'stg_ref_modelled_rates', sa.Column('share_upper', sa.Text(), nullable=True, comment='Share in the upper estimate of the published range (delivered as share_upper)')),
    ('restricted', 'ref_modelled_rates', sa.Column('share_lower', sa.Double(), nullable=True, comment='Share in the lower estimate of the published range (delivered as share_lower)')),
    ('restricted', 'ref_modelled_rates', sa.Column('share_upper', sa.Double(), nullable=True, comment='Share in the upper estimate of the published range (delivered as share_upper)')),
    ('restricted', 'inequality_summary', sa.Column('sii_intercept', sa.Double(), nullable=True, comment='Fitted value at the most deprived end (rank 0); with sii_transform and the SII it gives the fitted line or curve')),
    ('restricted', 'inequality_summary', sa.Column('sii_transform', sa.Text(), nullable=True, comment='Scale of the fit: log (rates) or logit (proportions), back-transformed so the fit is a curve; none where the transform is undefined (a straight line)')),
    ('restricted', 'inequality_summary', sa.Column('rii_note', sa.Text(), nullable=True, comment='Why the RII is NULL (e.g. a straight-line fit not positive at both ends); NULL when the RII is published')),
    ('restricted', 'prevalence_summary', sa.Column('range_low_children', sa.Double(), nullable=True, comment='Modelled rows: lower estimate (children)')),
    ('restricted', 'prevalence_summary', sa.Column('range_high_children', sa.Double(), nullable=True, comment='Modelled rows: upper estimate (children)')),
    ('restricted', 'prevalence_summary', sa.Column('range_low_pct', sa.Double(), nullable=True, comment='Modelled rows: lower estimate (percent)')),
    ('restricted', 'prevalence_summary', sa.Column('range_high_pct', sa.Double(), nullable=True, comment='Modelled rows: upper estimate (percent)')),
    ('restricted', 'prevalence_summary', sa.Column('range_kind', sa.Text(), nullable=True, comment="'modelled range' on modelled rows: the spread of the source's estimates, not a confidence interval; NULL on recorded rows (their limits are Wilson 95%)")),
    ('restricted', 'modelled_prevalence', sa.Column('modelled_children_low', sa.Double(), nullable=True, comment='Lower estimate of the modelled range')),
    ('restricted', 'modelled_prevalence', sa.Column('modelled_children_high', sa.Double(), nullable=True, comment='Upper estimate of the modelled range')),
    ('restricted', 'modelled_prevalence', sa.Column('modelled_low_pct', sa.Double(), nullable=True, comment='Lower estimate of the modelled range, percent')),
    ('restricted', 'modelled_prevalence', sa.Column('modelled_high_pct', sa.Double(), nullable=True, comment='Upper estimate of the modelled range, percent')),
    ('restricted', 'modelled_prevalence', sa.Column('gap_children_low', sa.Double(), nullable=True, comment='Lower modelled estimate minus recorded')),
    ('restricted', 'modelled_prevalence', sa.Column('gap_children_high', sa.Double(), nullable=True, comment='Upper modelled estimate minus recorded')),
    ('restricted', 'modelled_prevalence', sa.Column('range_kind', sa.Text(), nullable=True, comment="'modelled range': the spread of the source's lower and upper estimates, not a confidence interval")),
    ('published', 'inequality_summary', sa.Column('sii_intercept', sa.Double(), nullable=True, comment='Fitted value at the most deprived end (rank 0); with sii_transform and the SII it gives the fitted line or curve')),
    ('published', 'inequality_summary', sa.Column('sii_transform', sa.Text(), nullable=True, comment='Scale of the fit: log (rates) or logit (proportions), back-transformed so the fit is a curve; none where the transform is undefined (a straight line)')),
    ('published', 'inequality_summary', sa.Column('rii_note', sa.Text(), nullable=True, comment='Why the RII is NULL (e.g. a straight-line fit not positive at both ends); NULL when the RII is published')),
    ('published', 'prevalence_summary', sa.Column('range_low_children', sa.Double(), nullable=True, comment='Modelled rows: lower estimate (children)')),
    ('published', 'prevalence_summary', sa.Column('range_high_children', sa.Double(), nullable=True, comment='Modelled rows: upper estimate (children)')),
    ('published', 'prevalence_summary', sa.Column('range_low_pct', sa.Double(), nullable=True, comment='Modelled rows: lower estimate (percent)')),
    ('published', 'prevalence_summary', sa.Column('range_high_pct', sa.Double(), nullable=True, comment='Modelled rows: upper estimate (percent)')),
    ('published', 'prevalence_summary', sa.Column('range_kind', sa.Text(), nullable=True, comment="'modelled range' on modelled rows: the spread of the source's estimates, not a confidence interval; NULL on recorded rows (their limits are Wilson 95%)")),
]

OLD_MODELLED_RATES = 'Modelled toxic-trio prevalence: for each age band and national IMD quintile, the share of children living with each combination of the three factors (a synthetic stand-in for survey-based model inputs). Shares within a band and quintile sum to 1.'
NEW_MODELLED_RATES = 'Modelled toxic-trio prevalence: for each age band and national IMD quintile, the share of children living with each combination of the three factors (a synthetic stand-in for survey-based model inputs), central estimate with the lower and upper estimates of the published range. Each of the three sums to 1 within a band and quintile.'
#: table -> the start of its comment, before the extract's description
MODELLED_RATES_TABLES = {
    "stg_ref_modelled_rates": "Raw ref_modelled_rates rows as delivered, all text, empty as NULL. ",
    "ref_modelled_rates": "Validated ref_modelled_rates rows, typed: every rule passed. ",
}


def _comment_modelled_rates(description: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, head in MODELLED_RATES_TABLES.items():
        op.create_table_comment(table, head + description, schema="restricted")


def upgrade() -> None:
    """Upgrade schema."""
    for schema, table, column in NEW_COLUMNS:
        op.add_column(table, column, schema=schema)
    _comment_modelled_rates(NEW_MODELLED_RATES)


def downgrade() -> None:
    """Downgrade schema."""
    _comment_modelled_rates(OLD_MODELLED_RATES)
    for schema, table, column in reversed(NEW_COLUMNS):
        with op.batch_alter_table(table, schema=schema) as batch:
            batch.drop_column(column.name)
