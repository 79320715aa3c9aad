"""a finding's recommendation is stored as ``recommendation`` (was ``suggestion``), with the
detector's ``rule`` and ``details``: the findings table holds every field of lexpert.records.Finding

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# recreate='never': renaming and adding columns are plain ALTER TABLE statements on PostgreSQL and
# on SQLite (3.25 and later). Alembic's SQLite "move and copy" would drop the findings table, and
# with PRAGMA foreign_keys=ON (lexpert's engine sets it) that drop deletes, by ON DELETE CASCADE,
# every link between a recommendation and its findings.


def upgrade():
    with op.batch_alter_table('findings', schema=None, recreate='never') as batch_op:
        batch_op.alter_column('suggestion', new_column_name='recommendation', existing_type=sa.Text(),
                              existing_nullable=True)
        batch_op.add_column(sa.Column('rule', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('findings', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('details')
        batch_op.drop_column('rule')
        batch_op.alter_column('recommendation', new_column_name='suggestion', existing_type=sa.Text(),
                              existing_nullable=True)
