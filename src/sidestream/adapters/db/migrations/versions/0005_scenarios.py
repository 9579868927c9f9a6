"""saved scenarios of the regional optimiser, their plans and flows

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:30:49.330675
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only new tables: nothing here alters an existing table, so no batch mode (on SQLite batch mode
# may copy a table and drop the original, whose rows the ON DELETE CASCADE foreign keys would
# take their child rows with). No foreign key leads from these tables to the registry: a saved
# scenario is a record that outlives the listings and proposals it was made from.


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("spec_json", sa.Text(), nullable=False),
        sa.Column("left_out_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scenario_id", name=op.f("pk_scenarios")),
        sa.UniqueConstraint("name", name=op.f("uq_scenarios_name")),
    )
    op.create_table(
        "scenario_plans",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("termination", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("weights_json", sa.Text(), nullable=False),
        sa.Column("floors_json", sa.Text(), nullable=False),
        sa.Column("eur", sa.Float(), nullable=True),
        sa.Column("co2e_t", sa.Float(), nullable=True),
        sa.Column("tonnes", sa.Float(), nullable=True),
        sa.Column("hubs_opened_json", sa.Text(), nullable=False),
        sa.Column("solver_name", sa.Text(), nullable=False),
        sa.Column("solver_version", sa.Text(), nullable=False),
        sa.Column("solver_options_json", sa.Text(), nullable=False),
        sa.Column("runtime_s", sa.Float(), nullable=False),
        sa.Column("relative_gap_frac", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenarios.scenario_id"],
            name=op.f("fk_scenario_plans_scenario_id_scenarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_scenario_plans")),
    )
    op.create_index(
        op.f("ix_scenario_plans_scenario_id"), "scenario_plans", ["scenario_id"], unique=False
    )
    op.create_table(
        "scenario_flows",
        sa.Column("flow_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.Text(), nullable=False),
        sa.Column("need", sa.Text(), nullable=False),
        sa.Column("producer", sa.Text(), nullable=False),
        sa.Column("receiver", sa.Text(), nullable=False),
        sa.Column("hub", sa.Text(), nullable=True),
        sa.Column("modes", sa.String(length=40), nullable=False),
        sa.Column("flow_t", sa.Float(), nullable=False),
        sa.Column("eur", sa.Float(), nullable=False),
        sa.Column("co2e_t", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["scenario_plans.plan_id"],
            name=op.f("fk_scenario_flows_plan_id_scenario_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("flow_id", name=op.f("pk_scenario_flows")),
    )
    op.create_index(op.f("ix_scenario_flows_plan_id"), "scenario_flows", ["plan_id"], unique=False)


def downgrade() -> None:
    # Children first: dropping a table deletes its rows, and nothing is left to cascade to.
    op.drop_index(op.f("ix_scenario_flows_plan_id"), table_name="scenario_flows")
    op.drop_table("scenario_flows")
    op.drop_index(op.f("ix_scenario_plans_scenario_id"), table_name="scenario_plans")
    op.drop_table("scenario_plans")
    op.drop_table("scenarios")
