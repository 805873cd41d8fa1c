"""TLV reference lists (dated, never edited) and their codes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Two reference lists in force on one day can never both commit (PostgreSQL; SQLite serialises
# every write transaction with BEGIN IMMEDIATE instead, app.db): a quote must find one list per
# day. A NULL valid_to is an open end. A plain GiST on a range needs no extension.
NO_OVERLAP = "ex_reference_list_no_overlap"


def upgrade() -> None:
    op.create_table(
        "reference_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("stated_valid_from", sa.Date(), nullable=True),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("source_filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("source_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("imported_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("import_notes", sa.JSON(), server_default="[]", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_list")),
    )
    op.create_table(
        "reference_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference_list_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("general_ore", sa.BigInteger(), nullable=True),
        sa.Column("specialist_ore", sa.BigInteger(), nullable=True),
        sa.Column("technical", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("material", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reference_list_id"],
            ["reference_list.id"],
            name=op.f("fk_reference_code_reference_list_id_reference_list"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_code")),
        sa.UniqueConstraint("reference_list_id", "code", name="uq_reference_code_code"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE reference_list ADD CONSTRAINT {NO_OVERLAP} EXCLUDE USING gist "
            "(daterange(valid_from, valid_to, '[]') WITH &&)"
        )


def downgrade() -> None:
    op.drop_table("reference_code")
    op.drop_table("reference_list")
