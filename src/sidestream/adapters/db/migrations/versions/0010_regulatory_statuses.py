"""regulatory status of streams per intended use

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 19:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A new table only (no batch mode: see 0007); it goes with its stream (ON DELETE CASCADE).


def upgrade() -> None:
    op.create_table(
        "regulatory_statuses",
        sa.Column("status_record_id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("use", sa.Text(), nullable=False),
        sa.Column("route_id", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("decision_reference", sa.Text(), nullable=True),
        sa.Column("authority", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("scope_of_use", sa.Text(), nullable=True),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["stream_id"],
            ["side_streams.stream_id"],
            name=op.f("fk_regulatory_statuses_stream_id_side_streams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("status_record_id", name=op.f("pk_regulatory_statuses")),
    )
    op.create_index(op.f("ix_regulatory_statuses_stream_id"), "regulatory_statuses", ["stream_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_regulatory_statuses_stream_id"), table_name="regulatory_statuses")
    op.drop_table("regulatory_statuses")
