"""dunning messages as an outbox: queued first, delivered after the commit

Revision ID: 0010
Revises: 0009

``owed dunning run`` now commits its decisions (the run, one message per
customer and currency with status ``queued``, the item levels, timeline and
audit) before anything is sent; a delivery step then sends each queued
message in its own short transaction. The message row therefore carries what
is needed to render and retry it:

* ``payload``: JSON of the decided notice (channel, level name, template,
  currency, lines with their amounts in minor units, total, actions);
* ``reference``: the notice reference (``D-<date>-<customer>-<currency>``);
* ``attempts``, ``attempted_at``, ``sent_at``: the delivery history
  (``status`` is queued | sending | sent | failed);
* ``message_id`` is now set when the message is queued (a stable
  Message-ID, so a retry after an ambiguous failure is recognisable).

Plain ADD COLUMNs with defaults: no table rebuild on SQLite, so its
triggers and constraints are untouched. Existing rows are messages of the
old one-transaction run and keep their sent/failed status.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "dunning_messages",
        sa.Column("payload", sa.Text(), server_default="{}", nullable=False),
    )
    op.add_column("dunning_messages", sa.Column("reference", sa.String(length=120), nullable=True))
    op.add_column(
        "dunning_messages",
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "dunning_messages",
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "dunning_messages", sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_dunning_messages_status", "dunning_messages", ["company_id", "status"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_dunning_messages_status", table_name="dunning_messages")
    with op.batch_alter_table("dunning_messages") as batch:
        for name in ("sent_at", "attempted_at", "attempts", "reference", "payload"):
            batch.drop_column(name)
