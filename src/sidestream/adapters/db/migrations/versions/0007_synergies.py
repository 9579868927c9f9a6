"""the synergy board: synergies following proposals, and every move they make

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only new tables: nothing here alters an existing table, so no batch mode (on SQLite batch mode
# may copy a table and drop the original, whose rows the ON DELETE CASCADE foreign keys would
# take their child rows with; see 0004). A synergy refers to its proposal ON DELETE RESTRICT, so
# the proposal cannot vanish while a synergy follows it; nothing refers to the new tables, so
# dropping them on the way down leaves the registry and its proposals whole.


def upgrade() -> None:
    op.create_table(
        "synergies",
        sa.Column("synergy_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("agreed_quantity", sa.Float(), nullable=True),
        sa.Column("agreed_unit", sa.String(length=4), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "agreed_quantity > 0", name=op.f("ck_synergies_agreed_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.proposal_id"],
            name=op.f("fk_synergies_proposal_id_proposals"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("synergy_id", name=op.f("pk_synergies")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_synergies_proposal_id")),
    )
    op.create_index(op.f("ix_synergies_stage"), "synergies", ["stage"], unique=False)
    op.create_table(
        "synergy_events",
        sa.Column("synergy_event_id", sa.Integer(), nullable=False),
        sa.Column("synergy_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_stage", sa.String(length=12), nullable=True),
        sa.Column("to_stage", sa.String(length=12), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["synergy_id"],
            ["synergies.synergy_id"],
            name=op.f("fk_synergy_events_synergy_id_synergies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("synergy_event_id", name=op.f("pk_synergy_events")),
    )
    op.create_index(
        op.f("ix_synergy_events_synergy_id"), "synergy_events", ["synergy_id"], unique=False
    )


def downgrade() -> None:
    # Children first: dropping a table deletes its rows, and nothing is left to cascade to.
    op.drop_index(op.f("ix_synergy_events_synergy_id"), table_name="synergy_events")
    op.drop_table("synergy_events")
    op.drop_index(op.f("ix_synergies_stage"), table_name="synergies")
    op.drop_table("synergies")
