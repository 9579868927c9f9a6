"""documents attached to streams as files: a decision, a permit, a lab report, with their bytes

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A new table only (no batch mode: see 0007). A document goes with its stream (ON DELETE
# CASCADE) but outlives the status record it supported (ON DELETE SET NULL). The bytes are a
# BLOB on SQLite and a bytea on PostgreSQL.


def upgrade() -> None:
    op.create_table(
        "stream_documents",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("status_record_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_stream_documents_size_bytes_positive")),
        sa.ForeignKeyConstraint(
            ["stream_id"],
            ["side_streams.stream_id"],
            name=op.f("fk_stream_documents_stream_id_side_streams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_record_id"],
            ["regulatory_statuses.status_record_id"],
            name=op.f("fk_stream_documents_status_record_id_regulatory_statuses"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_stream_documents")),
    )
    op.create_index(op.f("ix_stream_documents_stream_id"), "stream_documents", ["stream_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_stream_documents_stream_id"), table_name="stream_documents")
    op.drop_table("stream_documents")
