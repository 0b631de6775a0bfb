"""customers documents settlements

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:58:33.705607
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_terms", sa.String(length=60), server_default="NET30", nullable=False),
        sa.Column("credit_limit_minor", sa.BigInteger(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("tax_id", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("delivery", sa.String(length=10), server_default="email", nullable=False),
        sa.Column("po_required", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=True),
        sa.Column("risk_class", sa.String(length=20), nullable=True),
        sa.Column("collector", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), server_default="en", nullable=False),
        sa.Column("on_hold", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("dunning_blocked", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("details", sa.Text(), server_default="{}", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_customers_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["customers.id"], name=op.f("fk_customers_parent_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint(
            "company_id", "external_id", name=op.f("uq_customers_company_id_external_id")
        ),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_company_name", ["company_id", "name"], unique=False)
        batch_op.create_index(
            "ix_customers_company_parent", ["company_id", "parent_id"], unique=False
        )

    op.create_table(
        "number_series",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=20), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("next_number", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), server_default="6", nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_number_series_company_id_companies")
        ),
        sa.UniqueConstraint(
            "company_id", "series", name=op.f("uq_number_series_company_id_series")
        ),
    )
    op.create_table(
        "tax_codes",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("rate", sa.String(length=20), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_tax_codes_company_id_companies")
        ),
        sa.UniqueConstraint("company_id", "code", name=op.f("uq_tax_codes_company_id_code")),
    )
    op.create_table(
        "documents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tax_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("open_minor", sa.BigInteger(), nullable=False),
        sa.Column("discount_date", sa.Date(), nullable=True),
        sa.Column("discount_minor", sa.BigInteger(), nullable=True),
        sa.Column("po_number", sa.String(length=60), nullable=True),
        sa.Column("terms", sa.String(length=60), nullable=True),
        sa.Column("rf_reference", sa.String(length=40), nullable=True),
        sa.Column("related_id", sa.BigInteger(), nullable=True),
        sa.Column("source", sa.String(length=20), server_default="billing", nullable=False),
        sa.Column("source_key", sa.String(length=120), nullable=True),
        sa.Column("details", sa.Text(), server_default="{}", nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_documents_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_documents_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["related_id"], ["documents.id"], name=op.f("fk_documents_related_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("company_id", "number", name=op.f("uq_documents_company_id_number")),
        sa.UniqueConstraint(
            "company_id", "source_key", name=op.f("uq_documents_company_id_source_key")
        ),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_documents_customer", ["company_id", "customer_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_documents_open", ["company_id", "status", "due_date"], unique=False
        )
        batch_op.create_index("ix_documents_po", ["company_id", "po_number"], unique=False)
        batch_op.create_index("ix_documents_rf", ["company_id", "rf_reference"], unique=False)

    op.create_table(
        "document_lines",
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("unit_price", sa.String(length=40), nullable=False),
        sa.Column("discount_percent", sa.String(length=20), server_default="0", nullable=False),
        sa.Column("tax_code", sa.String(length=20), nullable=True),
        sa.Column("account_code", sa.String(length=20), nullable=True),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("tax_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_document_lines_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_lines_document_id_documents")
        ),
        sa.UniqueConstraint(
            "document_id", "line_no", name=op.f("uq_document_lines_document_id_line_no")
        ),
    )
    op.create_table(
        "settlements",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("source_type", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=True),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("reverses_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_settlements_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_settlements_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_settlements_document", ["company_id", "document_id", "on_date"], unique=False
        )
        batch_op.create_index(
            "ix_settlements_source", ["company_id", "source_type", "source_id"], unique=False
        )

    # Settlements are append-only: an unapply is a new, negative row.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER settlements_append_only BEFORE UPDATE OR DELETE ON settlements "
            "FOR EACH ROW EXECUTE FUNCTION owed_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER settlements_no_{verb.lower()} BEFORE {verb} ON settlements "
                "BEGIN SELECT RAISE(ABORT, 'owed: settlements is append-only'); END"
            )


def downgrade() -> None:
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_index("ix_settlements_source")
        batch_op.drop_index("ix_settlements_document")

    op.drop_table("settlements")
    op.drop_table("document_lines")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_rf")
        batch_op.drop_index("ix_documents_po")
        batch_op.drop_index("ix_documents_open")
        batch_op.drop_index("ix_documents_customer")

    op.drop_table("documents")
    op.drop_table("tax_codes")
    op.drop_table("number_series")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_company_parent")
        batch_op.drop_index("ix_customers_company_name")

    op.drop_table("customers")
