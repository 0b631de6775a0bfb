"""Cash application: bank files, receipts, applications, learned matching knowledge.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_files",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.Column("receipts_created", sa.BigInteger(), nullable=False),
        sa.Column("duplicates", sa.BigInteger(), nullable=False),
        sa.Column("skipped", sa.BigInteger(), nullable=False),
        sa.Column("warnings", sa.Text(), server_default="[]", nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_bank_files_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_files")),
        sa.UniqueConstraint("company_id", "sha256", name=op.f("uq_bank_files_company_id_sha256")),
    )
    op.create_table(
        "match_knowledge",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("detail", sa.Text(), server_default="{}", nullable=False),
        sa.Column("learned_by", sa.String(length=64), nullable=False),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_match_knowledge_company_id_companies")
        ),
        sa.UniqueConstraint(
            "company_id", "kind", "key", name=op.f("uq_match_knowledge_company_id_kind_key")
        ),
    )
    op.create_table(
        "receipts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("bank_file_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("bank_account", sa.String(length=60), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("unapplied_minor", sa.BigInteger(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=True),
        sa.Column("payer_name", sa.String(length=200), nullable=True),
        sa.Column("payer_account", sa.String(length=60), nullable=True),
        sa.Column("bank_reference", sa.String(length=100), nullable=True),
        sa.Column("customer_reference", sa.String(length=100), nullable=True),
        sa.Column("type_code", sa.String(length=20), nullable=True),
        sa.Column("remittance_text", sa.Text(), server_default="", nullable=False),
        sa.Column("remittance", sa.Text(), server_default="[]", nullable=False),
        sa.Column("dedupe_key", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("match_status", sa.String(length=12), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("proposal", sa.Text(), nullable=True),
        sa.Column("source_position", sa.String(length=80), server_default="", nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_file_id"], ["bank_files.id"], name=op.f("fk_receipts_bank_file_id_bank_files")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_receipts_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint(
            "company_id", "dedupe_key", name=op.f("uq_receipts_company_id_dedupe_key")
        ),
    )
    op.create_index("ix_receipts_customer", "receipts", ["company_id", "customer_id"], unique=False)
    op.create_index(
        "ix_receipts_status", "receipts", ["company_id", "status", "value_date"], unique=False
    )
    op.create_table(
        "applications",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.BigInteger(), nullable=False),
        sa.Column("document_id", sa.BigInteger(), nullable=True),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("discount_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("write_off_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deduction_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("how", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), server_default="", nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("applied_by", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("reversed_on", sa.Date(), nullable=True),
        sa.Column("reversed_by", sa.String(length=64), nullable=True),
        sa.Column("reversal_entry_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_applications_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_applications_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_applications_receipt_id_receipts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    op.create_index(
        "ix_applications_document", "applications", ["company_id", "document_id"], unique=False
    )
    op.create_index(
        "ix_applications_receipt", "applications", ["company_id", "receipt_id"], unique=False
    )


def downgrade() -> None:
    for table in ("applications", "receipts", "match_knowledge", "bank_files"):
        op.drop_table(table)
