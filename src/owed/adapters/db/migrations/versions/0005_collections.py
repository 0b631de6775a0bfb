"""collections: activities, dunning, promises, payment plans, credit holds

Also the minimal ``disputes`` table collections reads (the disputes work
builds on it) and a covering index on documents for the aging.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dunning_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("notices", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_dunning_runs_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_runs")),
        sa.UniqueConstraint(
            "company_id", "run_date", name=op.f("uq_dunning_runs_company_id_run_date")
        ),
    )
    op.create_table(
        "activities",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("outcome", sa.String(length=60), nullable=True),
        sa.Column("next_action", sa.Date(), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_activities_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_activities_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_index(
        "ix_activities_customer",
        "activities",
        ["company_id", "customer_id", "on_date"],
        unique=False,
    )
    op.create_table(
        "credit_holds",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_credit_holds_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_credit_holds_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_holds")),
    )
    op.create_index(
        "ix_credit_holds_customer", "credit_holds", ["company_id", "customer_id"], unique=False
    )
    op.create_table(
        "dunning_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=254), server_default="", nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("items", sa.Text(), server_default="[]", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_dunning_messages_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_dunning_messages_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["dunning_runs.id"], name=op.f("fk_dunning_messages_run_id_dunning_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_messages")),
    )
    op.create_index(
        "ix_dunning_messages_customer",
        "dunning_messages",
        ["company_id", "customer_id"],
        unique=False,
    )
    op.create_table(
        "payment_plans",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("documents", sa.Text(), server_default="[]", nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_payment_plans_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_payment_plans_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_plans")),
    )
    op.create_index(
        "ix_payment_plans_customer",
        "payment_plans",
        ["company_id", "customer_id", "status"],
        unique=False,
    )
    op.create_table(
        "promises",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("promised_by", sa.String(length=200), nullable=False),
        sa.Column("documents", sa.Text(), server_default="[]", nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_promises_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_promises_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
    )
    op.create_index(
        "ix_promises_customer", "promises", ["company_id", "customer_id", "status"], unique=False
    )
    op.create_table(
        "disputes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sla_due", sa.Date(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("details", sa.Text(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_disputes_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_disputes_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_disputes_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    op.create_index(
        "ix_disputes_customer", "disputes", ["company_id", "customer_id", "status"], unique=False
    )
    op.create_index(
        "ix_disputes_document", "disputes", ["company_id", "document_id", "status"], unique=False
    )
    op.create_table(
        "dunning_levels",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_dunning_levels_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_dunning_levels_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["dunning_messages.id"],
            name=op.f("fk_dunning_levels_message_id_dunning_messages"),
        ),
        sa.UniqueConstraint(
            "company_id",
            "document_id",
            "level",
            name=op.f("uq_dunning_levels_company_id_document_id_level"),
        ),
    )
    op.create_table(
        "plan_installments",
        sa.Column("plan_id", sa.BigInteger(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_plan_installments_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["payment_plans.id"],
            name=op.f("fk_plan_installments_plan_id_payment_plans"),
        ),
        sa.UniqueConstraint("plan_id", "seq", name=op.f("uq_plan_installments_plan_id_seq")),
    )
    op.create_index(
        "ix_documents_aging",
        "documents",
        ["company_id", "status", "due_date", "customer_id", "currency", "kind", "open_minor"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_documents_aging", table_name="documents")
    op.drop_table("plan_installments")
    op.drop_table("dunning_levels")
    op.drop_index("ix_disputes_document", table_name="disputes")
    op.drop_index("ix_disputes_customer", table_name="disputes")
    op.drop_table("disputes")
    op.drop_index("ix_promises_customer", table_name="promises")
    op.drop_table("promises")
    op.drop_index("ix_payment_plans_customer", table_name="payment_plans")
    op.drop_table("payment_plans")
    op.drop_index("ix_dunning_messages_customer", table_name="dunning_messages")
    op.drop_table("dunning_messages")
    op.drop_index("ix_credit_holds_customer", table_name="credit_holds")
    op.drop_table("credit_holds")
    op.drop_index("ix_activities_customer", table_name="activities")
    op.drop_table("activities")
    op.drop_table("dunning_runs")
