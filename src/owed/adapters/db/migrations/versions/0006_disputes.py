"""Disputes and deductions, write-offs, agency placements.

The ``disputes`` table itself is created by 0005 (collections reads it for
dunning); this revision adds the columns the disputes work owns, plus notes,
attachments, write-off requests and agency placements.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_placements",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("placed_minor", sa.BigInteger(), nullable=False),
        sa.Column("recovered_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("export_path", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), server_default="[]", nullable=False),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_agency_placements_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_agency_placements_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_placements")),
    )
    op.create_index(
        "ix_agency_placements_customer",
        "agency_placements",
        ["company_id", "customer_id", "status"],
        unique=False,
    )
    op.create_table(
        "dispute_attachments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_dispute_attachments_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_dispute_attachments_dispute_id_disputes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_attachments")),
        sa.UniqueConstraint(
            "dispute_id", "sha256", name=op.f("uq_dispute_attachments_dispute_id_sha256")
        ),
    )
    op.create_table(
        "dispute_notes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(length=64), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_dispute_notes_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_dispute_notes_dispute_id_disputes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_notes")),
    )
    op.create_index(
        "ix_dispute_notes_dispute", "dispute_notes", ["company_id", "dispute_id"], unique=False
    )
    op.create_table(
        "write_offs",
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
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_write_offs_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_write_offs_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_write_offs_dispute_id_disputes")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_write_offs_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_offs")),
    )
    op.create_index(
        "ix_write_offs_document", "write_offs", ["company_id", "document_id"], unique=False
    )
    op.create_index("ix_write_offs_status", "write_offs", ["company_id", "status"], unique=False)
    op.add_column("disputes", sa.Column("opened_on", sa.Date(), nullable=True))
    op.add_column("disputes", sa.Column("closed_on", sa.Date(), nullable=True))
    op.add_column("disputes", sa.Column("resolved_by", sa.String(length=64), nullable=True))
    op.add_column("disputes", sa.Column("resolution_ref", sa.BigInteger(), nullable=True))
    op.add_column(
        "disputes",
        sa.Column("source", sa.String(length=10), server_default="manual", nullable=False),
    )
    op.add_column("disputes", sa.Column("application_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_disputes_status_opened", "disputes", ["company_id", "status", "opened_on"], unique=False
    )
    op.create_index(
        "uq_disputes_application", "disputes", ["company_id", "application_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_disputes_application", table_name="disputes")
    op.drop_index("ix_disputes_status_opened", table_name="disputes")
    with op.batch_alter_table("disputes") as batch:
        for column in (
            "application_id",
            "source",
            "resolution_ref",
            "resolved_by",
            "closed_on",
            "opened_on",
        ):
            batch.drop_column(column)
    op.drop_index("ix_write_offs_status", table_name="write_offs")
    op.drop_index("ix_write_offs_document", table_name="write_offs")
    op.drop_table("write_offs")
    op.drop_index("ix_dispute_notes_dispute", table_name="dispute_notes")
    op.drop_table("dispute_notes")
    op.drop_table("dispute_attachments")
    op.drop_index("ix_agency_placements_customer", table_name="agency_placements")
    op.drop_table("agency_placements")
