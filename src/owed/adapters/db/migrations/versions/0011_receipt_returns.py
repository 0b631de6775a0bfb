"""returned payments paired with their original receipt

Revision ID: 0011
Revises: 0010

One new table, ``receipt_returns`` (``adapters/db/schema_returns.py``): the
return, the receipt it returns (each paired once: unique per company), the
amount returned, the returned-item fee, how and by whom it was paired, and
the journal entries it posted.

Chained after 0010 (the dunning outbox).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "receipt_returns",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.BigInteger(), nullable=False),
        sa.Column("receipt_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("returned_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("how", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("explanation", sa.Text(), server_default="", nullable=False),
        sa.Column("paired_on", sa.Date(), nullable=False),
        sa.Column("paired_by", sa.String(length=64), nullable=False),
        sa.Column("paired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unapply_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("fee_entry_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_receipt_returns_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["receipts.id"], name=op.f("fk_receipt_returns_return_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_returns_receipt_id_receipts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_returns")),
        sa.UniqueConstraint(
            "company_id", "return_id", name=op.f("uq_receipt_returns_company_id_return_id")
        ),
        sa.UniqueConstraint(
            "company_id", "receipt_id", name=op.f("uq_receipt_returns_company_id_receipt_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("receipt_returns")
