"""billing extras: attachments, deliveries, subscriptions

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        autoincrement=True,
        nullable=False,
    )


def _company(table: str) -> tuple[sa.Column[int], sa.ForeignKeyConstraint]:
    return (
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f(f"fk_{table}_company_id_companies")
        ),
    )


def upgrade() -> None:
    op.create_table(
        "attachments",
        _id(),
        *_company("attachments"),
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_attachments_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint(
            "document_id", "sha256", name=op.f("uq_attachments_document_id_sha256")
        ),
    )
    op.create_index("ix_attachments_company_document", "attachments", ["company_id", "document_id"])

    op.create_table(
        "deliveries",
        _id(),
        *_company("deliveries"),
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("attempted_by", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_deliveries_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    op.create_index("ix_deliveries_company_document", "deliveries", ["company_id", "document_id"])

    op.create_table(
        "subscriptions",
        _id(),
        *_company("subscriptions"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("anchor_day", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_code", sa.String(length=20), nullable=True),
        sa.Column("account_code", sa.String(length=20), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_subscriptions_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    op.create_index(
        "ix_subscriptions_company_customer", "subscriptions", ["company_id", "customer_id"]
    )

    op.create_table(
        "subscription_changes",
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        *_company("subscription_changes"),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("unit_price", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_changes_subscription_id_subscriptions"),
        ),
        sa.UniqueConstraint(
            "subscription_id",
            "effective",
            name=op.f("uq_subscription_changes_subscription_id_effective"),
        ),
    )

    op.create_table(
        "usage_records",
        _id(),
        *_company("usage_records"),
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("unit_price", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_usage_records_subscription_id_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_records")),
    )
    op.create_index(
        "ix_usage_records_subscription",
        "usage_records",
        ["company_id", "subscription_id", "on_date"],
    )

    op.create_table(
        "billing_runs",
        _id(),
        *_company("billing_runs"),
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("document_id", sa.BigInteger(), nullable=True),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_billing_runs_subscription_id_subscriptions"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_billing_runs_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_runs")),
        sa.UniqueConstraint(
            "company_id",
            "subscription_id",
            "period_start",
            name=op.f("uq_billing_runs_company_id_subscription_id_period_start"),
        ),
    )


def downgrade() -> None:
    op.drop_table("billing_runs")
    op.drop_index("ix_usage_records_subscription", table_name="usage_records")
    op.drop_table("usage_records")
    op.drop_table("subscription_changes")
    op.drop_index("ix_subscriptions_company_customer", table_name="subscriptions")
    op.drop_table("subscriptions")
    op.drop_index("ix_deliveries_company_document", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_index("ix_attachments_company_document", table_name="attachments")
    op.drop_table("attachments")
