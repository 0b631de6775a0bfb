"""Tables for disputes and deductions, write-offs and agency placements (migration 0006).

A dispute holds part or all of one document (``document_id``) out of
collections until it is resolved (credit memo, rebill, write-off) or rejected
back to collections. ``source`` says whether a person opened it (``manual``)
or cash application found a short pay (``deduction``, with the
``application_id`` that carried the deduction). Notes and attachments hang off
the dispute; attachment content is stored content-addressed in the billing
attachment store (data_dir/attachments), only its hash is kept here.

A write-off is requested, then approved (and posted) or rejected; the posting
is the journal entry in ``entry_id`` and a settlement row of kind write_off.

An agency placement records which customer was handed to which agency, for
how much, and what has been recovered since.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from owed.adapters.db.schema import BigId, Money, company_fk, metadata
from owed.adapters.db.schema_collections import disputes as base_disputes

# The base table (the columns dunning reads) is defined with the collections
# tables because dunning needed it first; the disputes work adds what it owns.
Table(
    "disputes",
    metadata,
    Column("opened_on", Date),  # business date opened (metrics, SLA); always set
    Column("closed_on", Date),  # business date resolved or rejected
    Column("resolved_by", String(64)),
    Column("resolution_ref", BigInteger),  # credit/debit memo document id or write-off id
    Column("source", String(10), nullable=False, server_default="manual"),  # | deduction
    Column("application_id", BigInteger),  # the application that carried the deduction
    Index("uq_disputes_application", "company_id", "application_id", unique=True),
    Index("ix_disputes_status_opened", "company_id", "status", "opened_on"),
    extend_existing=True,
)
disputes = base_disputes  # the same Table object, now with every column

dispute_notes = Table(
    "dispute_notes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("dispute_id", BigInteger, ForeignKey("disputes.id"), nullable=False),
    Column("body", Text, nullable=False),
    Column("written_by", String(64), nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    Index("ix_dispute_notes_dispute", "company_id", "dispute_id"),
)

dispute_attachments = Table(
    "dispute_attachments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("dispute_id", BigInteger, ForeignKey("disputes.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("added_by", String(64), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("dispute_id", "sha256"),
)

write_offs = Table(
    "write_offs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("document_id", BigInteger, ForeignKey("documents.id"), nullable=False),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("amount_minor", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(10), nullable=False),  # requested | approved | rejected
    Column("dispute_id", BigInteger, ForeignKey("disputes.id")),
    Column("requested_by", String(64), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_note", Text),
    Column("on_date", Date),  # the posting date
    Column("entry_id", BigInteger),  # the journal entry that posted it
    Index("ix_write_offs_status", "company_id", "status"),
    Index("ix_write_offs_document", "company_id", "document_id"),
)

agency_placements = Table(
    "agency_placements",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("agency", String(200), nullable=False),
    Column("status", String(10), nullable=False),  # placed | recalled | closed
    Column("currency", String(3), nullable=False),
    Column("placed_minor", Money, nullable=False),
    Column("recovered_minor", Money, nullable=False, server_default="0"),
    Column("placed_on", Date, nullable=False),
    Column("export_path", Text, nullable=False),
    Column("items", Text, nullable=False, server_default="[]"),  # placed document ids, JSON
    Column("placed_by", String(64), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Index("ix_agency_placements_customer", "company_id", "customer_id", "status"),
)
