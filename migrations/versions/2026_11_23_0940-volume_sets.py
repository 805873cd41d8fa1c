"""volume sets: imported volumes per code (for the 7 % deviation analysis)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:40:10.637969
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "volume_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("source_filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("source_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("imported_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("clinics", sa.JSON(), nullable=False),
        sa.Column("patient_categories", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volume_set")),
    )
    op.create_table(
        "volume_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volume_set_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("volume", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["volume_set_id"],
            ["volume_set.id"],
            name=op.f("fk_volume_entry_volume_set_id_volume_set"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volume_entry")),
        sa.UniqueConstraint("volume_set_id", "code", name="uq_volume_entry_code"),
    )


def downgrade() -> None:
    op.drop_table("volume_entry")
    op.drop_table("volume_set")
