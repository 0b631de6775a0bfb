"""Tables for receipts, bank files, applications and what matching learned (migration 0004)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from owed.adapters.db.schema import BigId, Money, company_fk, metadata

bank_files = Table(
    "bank_files",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("sha256", String(64), nullable=False),
    Column("filename", String(300), nullable=False),
    Column("format", String(20), nullable=False),
    Column("lines", BigInteger, nullable=False),
    Column("receipts_created", BigInteger, nullable=False),
    Column("duplicates", BigInteger, nullable=False),
    Column("skipped", BigInteger, nullable=False),
    Column("warnings", Text, nullable=False, server_default="[]"),
    Column("imported_by", String(64), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "sha256"),
)

receipts = Table(
    "receipts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("bank_file_id", BigInteger, ForeignKey("bank_files.id")),
    Column("kind", String(10), nullable=False),  # receipt | return
    Column("bank_account", String(60), nullable=False),
    Column("method", String(10), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", Money, nullable=False),
    Column("unapplied_minor", Money, nullable=False),  # cash not yet applied or credited
    Column("value_date", Date, nullable=False),
    Column("booking_date", Date),
    Column("payer_name", String(200)),
    Column("payer_account", String(60)),
    Column("bank_reference", String(100)),
    Column("customer_reference", String(100)),
    Column("type_code", String(20)),
    Column("remittance_text", Text, nullable=False, server_default=""),
    Column("remittance", Text, nullable=False, server_default="[]"),  # structured lines, JSON
    Column("dedupe_key", String(500), nullable=False),
    Column("status", String(12), nullable=False),  # unapplied | partial | applied | returned
    Column("match_status", String(12), nullable=False),  # new | auto | exception | manual
    Column("customer_id", BigInteger),  # identified payer
    Column("proposal", Text),  # JSON: explanation and ranked suggestions for a person
    Column("source_position", String(80), nullable=False, server_default=""),
    Column("entry_id", BigInteger),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "dedupe_key"),
    Index("ix_receipts_status", "company_id", "status", "value_date"),
    Index("ix_receipts_customer", "company_id", "customer_id"),
)

applications = Table(
    "applications",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("receipt_id", BigInteger, ForeignKey("receipts.id"), nullable=False),
    Column("document_id", BigInteger, ForeignKey("documents.id")),  # NULL: customer credit
    Column("customer_id", BigInteger),
    Column("amount_minor", Money, nullable=False),  # cash from the receipt
    Column("discount_minor", Money, nullable=False, server_default="0"),
    Column("write_off_minor", Money, nullable=False, server_default="0"),
    Column("deduction_minor", Money, nullable=False, server_default="0"),
    Column("fee_minor", Money, nullable=False, server_default="0"),
    Column("reason_code", String(40)),
    Column("how", String(10), nullable=False),  # auto | suggested | manual
    Column("rule", String(60), nullable=False),
    Column("confidence", Float, nullable=False),  # a score between 0 and 1, not money
    Column("explanation", Text, nullable=False, server_default=""),
    Column("applied_on", Date, nullable=False),
    Column("applied_by", String(64), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("entry_id", BigInteger),
    Column("reversed_on", Date),
    Column("reversed_by", String(64)),
    Column("reversal_entry_id", BigInteger),
    Index("ix_applications_receipt", "company_id", "receipt_id"),
    Index("ix_applications_document", "company_id", "document_id"),
)

match_knowledge = Table(
    "match_knowledge",
    metadata,
    company_fk(),
    Column("kind", String(20), nullable=False),  # payer_account | payer_name | pattern
    Column("key", String(200), nullable=False),
    Column("customer_id", BigInteger, nullable=False),
    Column("detail", Text, nullable=False, server_default="{}"),
    Column("learned_by", String(64), nullable=False),
    Column("learned_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "kind", "key"),
)
