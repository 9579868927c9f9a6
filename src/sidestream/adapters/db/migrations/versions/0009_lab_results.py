"""lab results of side streams: total content and leaching per parameter, by standard

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 19:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A new table only (no batch mode: see 0007); it goes with its stream (ON DELETE CASCADE).


def upgrade() -> None:
    op.create_table(
        "lab_results",
        sa.Column("lab_result_id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("parameter_code", sa.String(length=40), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("standard", sa.String(length=200), nullable=False),
        sa.Column("laboratory", sa.String(length=200), nullable=False),
        sa.Column("tested_on", sa.Date(), nullable=False),
        sa.Column("is_below_detection", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("value >= 0", name=op.f("ck_lab_results_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["stream_id"],
            ["side_streams.stream_id"],
            name=op.f("fk_lab_results_stream_id_side_streams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lab_result_id", name=op.f("pk_lab_results")),
    )
    op.create_index(op.f("ix_lab_results_stream_id"), "lab_results", ["stream_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lab_results_stream_id"), table_name="lab_results")
    op.drop_table("lab_results")
