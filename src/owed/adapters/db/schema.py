"""The database schema, as SQLAlchemy Core tables.

The schema is created and changed only by Alembic migrations
(``owed/adapters/db/migrations``); these table objects are what queries are
written against and must match the migrations (a test compares them).

Rules: every business table has ``company_id`` (the tenant and future shard
key) and every query filters on it; money is ``*_minor`` BIGINT integer minor
units beside a ``currency`` code, never NUMERIC/REAL; business dates are DATE;
instants are timezone-aware UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Money = BigInteger  # alias that documents intent: integer minor units
# An auto-incrementing 64-bit key (SQLite only auto-assigns INTEGER PRIMARY KEY).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def company_fk() -> Column[int]:
    return Column("company_id", Integer, ForeignKey("companies.id"), nullable=False)


companies = Table(
    "companies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("base_currency", String(3), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("fiscal_year_start", Integer, nullable=False, server_default="1"),
    Column("allow_combined_duties", Boolean, nullable=False, server_default="0"),
    Column("settings", Text, nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    company_fk(),
    Column("username", String(64), nullable=False),
    Column("display_name", String(200), nullable=False, server_default=""),
    Column("email", String(254)),
    Column("roles", String(200), nullable=False),  # comma-separated Role values
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "username"),
)

accounts = Table(
    "accounts",
    metadata,
    company_fk(),
    Column("code", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("type", String(16), nullable=False),
    Column("role", String(40)),  # SystemAccount value, or NULL for user accounts
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "code"),
    UniqueConstraint("company_id", "role"),
)

fiscal_periods = Table(
    "fiscal_periods",
    metadata,
    company_fk(),
    Column("period", String(7), nullable=False),  # YYYY-MM
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("status", String(8), nullable=False),
    Column("changed_by", String(64)),
    Column("changed_at", DateTime(timezone=True)),
    UniqueConstraint("company_id", "period"),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    company_fk(),
    Column("entry_date", Date, nullable=False),
    Column("period", String(7), nullable=False),
    Column("description", Text, nullable=False),
    Column("source_type", String(40), nullable=False),
    Column("source_id", BigInteger),
    Column("reverses_id", BigInteger, ForeignKey("journal_entries.id")),
    Column("posted_by", String(64), nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    Index("ix_journal_entries_company_date", "company_id", "entry_date"),
    Index("ix_journal_entries_source", "company_id", "source_type", "source_id"),
)

# Lines are inserted before their entry header (whose insert trigger checks the
# balance), so the foreign key to the header is deferred to commit.
journal_lines = Table(
    "journal_lines",
    metadata,
    Column("entry_id", BigInteger, nullable=False),
    Column("line_no", Integer, nullable=False),
    company_fk(),
    Column("entry_date", Date, nullable=False),  # copied from the header: as-of queries
    Column("account_code", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", Money, nullable=False),  # + debit, - credit
    Column("customer_id", BigInteger),
    Column("document_type", String(20)),
    Column("document_id", BigInteger),
    Column("memo", Text, nullable=False, server_default=""),
    ForeignKeyConstraint(
        ["entry_id"],
        ["journal_entries.id"],
        deferrable=True,
        initially="DEFERRED",
        name="fk_journal_lines_entry_id_journal_entries",
    ),
    Index("ix_journal_lines_entry", "entry_id", "line_no", unique=True),
    Index("ix_journal_lines_account", "company_id", "account_code", "entry_date"),
    Index("ix_journal_lines_customer", "company_id", "customer_id", "entry_date"),
    Index("ix_journal_lines_document", "company_id", "document_type", "document_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("seq", BigInteger, nullable=False),
    Column("at", String(40), nullable=False),  # canonical UTC ISO text (hashed as stored)
    Column("actor", String(64), nullable=False),
    Column("action", String(60), nullable=False),
    Column("object_type", String(40), nullable=False),
    Column("object_id", Text, nullable=False),
    Column("before", Text),
    Column("after", Text),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("company_id", "seq"),
    Index("ix_audit_log_object", "company_id", "object_type", "object_id"),
)

audit_heads = Table(
    "audit_heads",
    metadata,
    Column("company_id", Integer, ForeignKey("companies.id"), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

id_counters = Table(  # SQLite only: block allocation of client-side ids
    "id_counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("next_value", BigInteger, nullable=False),
)


# -- customers and receivables (migration 0002) -----------------------------

customers = Table(
    "customers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("external_id", String(64), nullable=False),  # the ERP key
    Column("name", String(200), nullable=False),
    Column("parent_id", BigInteger, ForeignKey("customers.id")),
    Column("currency", String(3), nullable=False),
    Column("payment_terms", String(60), nullable=False, server_default="NET30"),
    Column("credit_limit_minor", Money),  # NULL = no limit set
    Column("country", String(2)),
    Column("tax_id", String(40)),
    Column("email", String(254)),  # billing address of record
    Column("delivery", String(10), nullable=False, server_default="email"),
    Column("po_required", Boolean, nullable=False, server_default="0"),
    Column("segment", String(40)),
    Column("risk_class", String(20)),
    Column("collector", String(64)),
    Column("language", String(8), nullable=False, server_default="en"),
    Column("on_hold", Boolean, nullable=False, server_default="0"),
    Column("dunning_blocked", Boolean, nullable=False, server_default="0"),
    Column("details", Text, nullable=False, server_default="{}"),  # addresses, contacts, notes
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "external_id"),
    Index("ix_customers_company_name", "company_id", "name"),
    Index("ix_customers_company_parent", "company_id", "parent_id"),
)

# Invoices, credit memos and debit memos: the open items of the AR subledger.
documents = Table(
    "documents",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("kind", String(12), nullable=False),  # invoice | credit_memo | debit_memo
    Column("number", String(40), nullable=False),
    Column("status", String(16), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("net_minor", Money, nullable=False, server_default="0"),
    Column("tax_minor", Money, nullable=False, server_default="0"),
    Column("total_minor", Money, nullable=False),  # always positive; kind gives the side
    Column("open_minor", Money, nullable=False),  # what is still to be settled
    Column("discount_date", Date),
    Column("discount_minor", Money),
    Column("po_number", String(60)),
    Column("terms", String(60)),
    Column("rf_reference", String(40)),
    Column("related_id", BigInteger, ForeignKey("documents.id")),  # memo -> invoice
    # billing | import | recurring
    Column("source", String(20), nullable=False, server_default="billing"),
    Column("source_key", String(120)),  # idempotency key (import row, billing run)
    Column("details", Text, nullable=False, server_default="{}"),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "number"),
    UniqueConstraint("company_id", "source_key"),
    Index("ix_documents_open", "company_id", "status", "due_date"),
    # covering: the aging by customer reads this index alone (migration 0012);
    # PostgreSQL carries the last five columns outside the key (INCLUDE)
    Index(
        "ix_documents_customer",
        "company_id",
        "customer_id",
        "currency",
        "status",
        "kind",
        "due_date",
        "issue_date",
        "open_minor",
        "total_minor",
    ),
    Index(
        "ix_documents_credit_memos",
        "company_id",
        "status",
        "customer_id",
        sqlite_where=text("kind = 'credit_memo'"),
        postgresql_where=text("kind = 'credit_memo'"),
    ),
    Index("ix_documents_po", "company_id", "po_number"),
    Index("ix_documents_rf", "company_id", "rf_reference"),
)

document_lines = Table(
    "document_lines",
    metadata,
    Column("document_id", BigInteger, ForeignKey("documents.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    company_fk(),
    Column("description", Text, nullable=False),
    Column("quantity", String(40), nullable=False),  # exact decimal text
    Column("unit_price", String(40), nullable=False),  # exact decimal text (may exceed minor)
    Column("discount_percent", String(20), nullable=False, server_default="0"),
    Column("tax_code", String(20)),
    Column("account_code", String(20)),
    Column("net_minor", Money, nullable=False),
    Column("tax_minor", Money, nullable=False),
    UniqueConstraint("document_id", "line_no"),
)

# Every change to an open item's balance, dated: payments applied, credit
# memos applied, discounts, write-offs, deductions split off, and their
# reversals (negative). Open amount as of D = total - sum(amount, date <= D).
# Append-only: an unapply is a new negative row.
settlements = Table(
    "settlements",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("document_id", BigInteger, ForeignKey("documents.id"), nullable=False),
    Column("on_date", Date, nullable=False),
    # payment | credit_memo | discount | write_off | deduction | bank_fee | opening
    Column("kind", String(16), nullable=False),
    Column("amount_minor", Money, nullable=False),  # reduces the open amount when positive
    Column("source_type", String(20), nullable=False),  # receipt|document|write_off|import
    Column("source_id", BigInteger),
    Column("entry_id", BigInteger),  # the journal entry that posted it
    Column("reverses_id", BigInteger),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_settlements_document", "company_id", "document_id", "on_date"),
    Index("ix_settlements_source", "company_id", "source_type", "source_id"),
)

number_series = Table(  # gap-free numbering: the counter moves in the issuing transaction
    "number_series",
    metadata,
    company_fk(),
    Column("series", String(20), nullable=False),
    Column("prefix", String(20), nullable=False),
    Column("next_number", BigInteger, nullable=False),
    Column("width", Integer, nullable=False, server_default="6"),
    UniqueConstraint("company_id", "series"),
)

tax_codes = Table(
    "tax_codes",
    metadata,
    company_fk(),
    Column("code", String(20), nullable=False),
    Column("name", String(100), nullable=False),
    Column("rate", String(20), nullable=False),  # percent, exact decimal text
    Column("account_code", String(20)),
    UniqueConstraint("company_id", "code"),
)


# -- billing extras (migration 0003) -----------------------------------------

# Files attached to a document, stored content-addressed (sha256) on disk
# under data_dir/attachments/ab/cdef...; one row per (document, content).
attachments = Table(
    "attachments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("document_id", BigInteger, ForeignKey("documents.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("added_by", String(64), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("document_id", "sha256"),
    Index("ix_attachments_company_document", "company_id", "document_id"),
)

# Every attempt to deliver a document (sent or failed, with the reason).
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("document_id", BigInteger, ForeignKey("documents.id"), nullable=False),
    Column("channel", String(10), nullable=False),  # email | outbox
    Column("recipient", String(254), nullable=False),
    Column("status", String(10), nullable=False),  # sent | failed
    Column("reason", Text, nullable=False, server_default=""),
    Column("message_id", String(200)),
    Column("location", Text),  # the outbox file, when written there
    Column("attempted_by", String(64), nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Index("ix_deliveries_company_document", "company_id", "document_id"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("description", String(200), nullable=False),
    Column("frequency", String(10), nullable=False),  # monthly | quarterly | annual
    Column("anchor_day", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("tax_code", String(20)),
    Column("account_code", String(20)),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_subscriptions_company_customer", "company_id", "customer_id"),
)

# Price and quantity in force from a date on; the first row starts the
# subscription, a quantity of 0 cancels it.
subscription_changes = Table(
    "subscription_changes",
    metadata,
    Column("subscription_id", BigInteger, ForeignKey("subscriptions.id"), nullable=False),
    company_fk(),
    Column("effective", Date, nullable=False),
    Column("quantity", String(40), nullable=False),  # exact decimal text
    Column("unit_price", String(40), nullable=False),  # exact decimal text
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("subscription_id", "effective"),
)

usage_records = Table(
    "usage_records",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("subscription_id", BigInteger, ForeignKey("subscriptions.id"), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("quantity", String(40), nullable=False),
    Column("unit_price", String(40), nullable=False),
    Column("description", String(200), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_usage_records_subscription", "company_id", "subscription_id", "on_date"),
)

# One row per subscription and billing period: the idempotency guard of runs.
billing_runs = Table(
    "billing_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("subscription_id", BigInteger, ForeignKey("subscriptions.id"), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("document_id", BigInteger, ForeignKey("documents.id")),  # NULL: nothing to bill
    Column("run_by", String(64), nullable=False),
    Column("run_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "subscription_id", "period_start"),
)
