"""the laboratory that measured a stream's property

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 17:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One column with a default (no table rebuild on SQLite; see 0012): measurements entered in a
# listing name no laboratory, those from a laboratory's file do.


def upgrade() -> None:
    op.add_column(
        "stream_properties",
        sa.Column("laboratory", sa.String(length=200), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("stream_properties", "laboratory")
