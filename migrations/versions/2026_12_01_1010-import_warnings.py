"""import warnings stored with the schedule

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Schedules imported before this revision keep an empty list: their warnings were not kept.
    with op.batch_alter_table("schedule") as batch:
        batch.add_column(
            sa.Column("import_warnings", sa.JSON(), server_default="[]", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("schedule") as batch:
        batch.drop_column("import_warnings")
