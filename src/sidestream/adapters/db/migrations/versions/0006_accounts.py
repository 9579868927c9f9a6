"""accounts: users, memberships, partners, sessions, API tokens, sign-in attempts, audit log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 16:14:10.932151
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only new tables: nothing here alters an existing table, so no batch mode (on SQLite batch mode
# may copy a table and drop the original, whose rows the ON DELETE CASCADE foreign keys would
# take their child rows with; see 0004). Memberships and partners refer to organisations, so
# deleting an organisation takes its memberships and partnerships along; nothing refers to the
# new tables from the registry, so dropping them on the way down leaves the registry whole.


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_administrator", sa.Boolean(), nullable=False),
        sa.Column("is_facilitator", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "memberships",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.organisation_id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_memberships_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "organisation_id", name=op.f("pk_memberships")),
    )
    op.create_index(
        op.f("ix_memberships_organisation_id"), "memberships", ["organisation_id"], unique=False
    )
    op.create_table(
        "organisation_partners",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("partner_organisation_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "organisation_id <> partner_organisation_id",
            name=op.f("ck_organisation_partners_not_self"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.organisation_id"],
            name=op.f("fk_organisation_partners_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_organisation_id"],
            ["organisations.organisation_id"],
            name=op.f("fk_organisation_partners_partner_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "partner_organisation_id", name=op.f("pk_organisation_partners")
        ),
    )
    op.create_index(
        op.f("ix_organisation_partners_partner_organisation_id"),
        "organisation_partners",
        ["partner_organisation_id"],
        unique=False,
    )
    op.create_table(
        "sessions",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_sessions_secret_sha256")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"], unique=False)
    op.create_table(
        "api_tokens",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_api_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_api_tokens_secret_sha256")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "login_attempts",
        sa.Column("login_attempt_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("login_attempt_id", name=op.f("pk_login_attempts")),
    )
    op.create_index(op.f("ix_login_attempts_at"), "login_attempts", ["at"], unique=False)
    op.create_index(
        "ix_login_attempts_client_address_at",
        "login_attempts",
        ["client_address", "at"],
        unique=False,
    )
    op.create_index("ix_login_attempts_email_at", "login_attempts", ["email", "at"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("audit_event_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("entity_kind", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("audit_event_id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        op.f("ix_audit_events_actor_user_id"), "audit_events", ["actor_user_id"], unique=False
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"], unique=False)
    op.create_index(
        "ix_audit_events_entity_kind_entity_id",
        "audit_events",
        ["entity_kind", "entity_id"],
        unique=False,
    )


def downgrade() -> None:
    # Children first: dropping a table deletes its rows, and nothing is left to cascade to.
    op.drop_index("ix_audit_events_entity_kind_entity_id", table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_at"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_actor_user_id"), table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_login_attempts_email_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_client_address_at", table_name="login_attempts")
    op.drop_index(op.f("ix_login_attempts_at"), table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_table("sessions")
    op.drop_index(
        op.f("ix_organisation_partners_partner_organisation_id"),
        table_name="organisation_partners",
    )
    op.drop_table("organisation_partners")
    op.drop_index(op.f("ix_memberships_organisation_id"), table_name="memberships")
    op.drop_table("memberships")
    op.drop_table("users")
