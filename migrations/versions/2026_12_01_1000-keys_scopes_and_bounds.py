"""API keys scoped to owners, revocation, 64-bit amounts, one active taxa per owner/variant/date range

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Two active schedules of one owner and variant whose validity overlaps can never both commit,
# whatever the timing of two activations (PostgreSQL; SQLite serialises every write
# transaction with BEGIN IMMEDIATE instead, app.db). btree_gist lets = on text join && on a
# range in one GiST exclusion constraint; a NULL valid_to is an open end.
ONE_ACTIVE = "ex_schedule_one_active_per_owner_variant"


def upgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(sa.Column("owners", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("last_used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(
            sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch.create_index(batch.f("ix_audit_event_owner"), ["owner"], unique=False)
    with op.batch_alter_table("schedule_item") as batch:
        batch.alter_column(
            "price_ore", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False
        )
        batch.alter_column(
            "reference_price_ore",
            existing_type=sa.Integer(),
            type_=sa.BigInteger(),
            existing_nullable=True,
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE schedule ADD CONSTRAINT {ONE_ACTIVE} EXCLUDE USING gist "
            "(owner WITH =, variant WITH =, daterange(valid_from, valid_to, '[]') WITH &&) "
            "WHERE (status = 'active')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE schedule DROP CONSTRAINT {ONE_ACTIVE}")
    with op.batch_alter_table("schedule_item") as batch:
        batch.alter_column(
            "reference_price_ore",
            existing_type=sa.BigInteger(),
            type_=sa.Integer(),
            existing_nullable=True,
        )
        batch.alter_column(
            "price_ore", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False
        )
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_index(batch.f("ix_audit_event_owner"))
        batch.drop_column("owner")
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("owners")
