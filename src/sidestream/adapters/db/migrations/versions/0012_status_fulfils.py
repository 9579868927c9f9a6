"""the requirements of a use a regulatory status record shows met

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One column added with a default, which SQLite does without rebuilding the table; existing
# records meet no requirement beyond what their status meets by itself. The downgrade drops it
# with ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later), not in batch mode: rebuilding the
# table would drop it first, and the documents pointing at its records (ON DELETE SET NULL)
# would lose their link.


def upgrade() -> None:
    op.add_column(
        "regulatory_statuses",
        sa.Column("fulfils", sa.Text(), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("regulatory_statuses", "fulfils")
