"""the registry's version, so that read models can cache a snapshot of it

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 18:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    state = op.create_table(
        "registry_state",
        sa.Column("registry_state_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("registry_state_id = 1", name=op.f("ck_registry_state_one_row")),
        sa.PrimaryKeyConstraint("registry_state_id", name=op.f("pk_registry_state")),
    )
    op.bulk_insert(state, [{"registry_state_id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("registry_state")
