"""side streams and needs: the range a quantity is known within

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:19:06.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("side_streams", "needs")


def upgrade() -> None:
    for table in TABLES:
        # Adding a nullable column is a plain ALTER TABLE on SQLite too: no copy of the table.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("quantity_low", sa.Float(), nullable=True))
            batch_op.add_column(sa.Column("quantity_high", sa.Float(), nullable=True))


def downgrade() -> None:
    # Not in batch mode: on SQLite that copies the table and drops the original, and dropping it
    # deletes every row first, which the ON DELETE CASCADE foreign keys carry on to the child
    # rows (properties, accepted classes and codes, limits, proposals). ALTER TABLE ... DROP
    # COLUMN (SQLite 3.35 and later) leaves the rows alone.
    for table in TABLES:
        op.drop_column(table, "quantity_high")
        op.drop_column(table, "quantity_low")
