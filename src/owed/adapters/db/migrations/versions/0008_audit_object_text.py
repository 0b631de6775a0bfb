"""audit_log.object_id as unbounded text (file paths and long keys are object ids too)

Revision ID: 0008
Revises: 0007

SQLite does not enforce VARCHAR lengths, and rebuilding the table there would
drop its append-only triggers, so only PostgreSQL changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("audit_log", "object_id", type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("audit_log", "object_id", type_=sa.String(80), existing_nullable=False)
