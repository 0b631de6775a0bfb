"""Tables for collections (migration 0005).

* ``activities``: the customer timeline (calls, emails, letters, notes, every
  dunning message), with an outcome and the next action date.
* ``dunning_runs``: one row per company and run date, the idempotency guard
  of ``owed dunning run``; ``dunning_messages``: every consolidated message,
  an outbox (migration 0010): queued when the run commits its decisions,
  then sending / sent / failed with the reason, attempts, the stable
  Message-ID, the outbox or letter file, and the decided notice as JSON;
  ``dunning_levels``: the level each item reached, one row per (item, level).
* ``promises``, ``payment_plans`` and ``plan_installments``: what the
  customer agreed to. The status column is the last evaluation (it is
  re-evaluated from the applications at every dunning run).
* ``credit_holds``: holds placed and released (``customers.on_hold`` is the
  current flag; this table is the history and who did what).
* ``disputes``: the minimal shape collections reads (an open dispute on a
  document excludes its amount from dunning). The disputes work owns the
  behaviour; the table is created here because dunning needs it first.

Money is BIGINT minor units beside a currency code; dates are DATE.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from owed.adapters.db.schema import BigId, Money, company_fk, metadata

activities = Table(
    "activities",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # call | email | letter | note | dunning | ...
    Column("on_date", Date, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("outcome", String(60)),
    Column("next_action", Date),
    Column("message_id", String(200)),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_activities_customer", "company_id", "customer_id", "on_date"),
)

dunning_runs = Table(
    "dunning_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("run_date", Date, nullable=False),
    Column("notices", Integer, nullable=False),
    Column("sent", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("run_by", String(64), nullable=False),
    Column("run_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "run_date"),
)

dunning_messages = Table(
    "dunning_messages",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("run_id", BigInteger, ForeignKey("dunning_runs.id"), nullable=False),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("level", Integer, nullable=False),
    Column("channel", String(10), nullable=False),  # email | outbox | letter
    Column("recipient", String(254), nullable=False, server_default=""),
    Column("status", String(10), nullable=False),  # queued | sending | sent | failed
    Column("reason", Text, nullable=False, server_default=""),
    Column("message_id", String(200)),  # stable Message-ID, set when queued (0010)
    Column("location", Text),  # outbox .eml or letter PDF
    Column("items", Text, nullable=False, server_default="[]"),  # JSON: numbers and levels
    Column("created_at", DateTime(timezone=True), nullable=False),
    # 0010: the outbox. What to render (JSON), the notice reference, the delivery history.
    Column("payload", Text, nullable=False, server_default="{}"),
    Column("reference", String(120)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("attempted_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_dunning_messages_customer", "company_id", "customer_id"),
    Index("ix_dunning_messages_status", "company_id", "status"),
)

dunning_levels = Table(
    "dunning_levels",
    metadata,
    company_fk(),
    Column("document_id", BigInteger, ForeignKey("documents.id"), nullable=False),
    Column("level", Integer, nullable=False),
    Column("sent_on", Date, nullable=False),
    Column("message_id", BigInteger, ForeignKey("dunning_messages.id"), nullable=False),
    UniqueConstraint("company_id", "document_id", "level"),
)

promises = Table(
    "promises",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", Money, nullable=False),
    Column("made_on", Date, nullable=False),
    Column("promised_date", Date, nullable=False),
    Column("promised_by", String(200), nullable=False),
    Column("documents", Text, nullable=False, server_default="[]"),  # JSON: document numbers
    Column("status", String(10), nullable=False),  # pending | kept | broken (last evaluation)
    Column("evaluated_on", Date),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_promises_customer", "company_id", "customer_id", "status"),
)

payment_plans = Table(
    "payment_plans",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("made_on", Date, nullable=False),
    Column("documents", Text, nullable=False, server_default="[]"),  # JSON: document numbers
    Column("status", String(10), nullable=False),  # current | completed | broken
    Column("evaluated_on", Date),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_payment_plans_customer", "company_id", "customer_id", "status"),
)

plan_installments = Table(
    "plan_installments",
    metadata,
    Column("plan_id", BigInteger, ForeignKey("payment_plans.id"), nullable=False),
    company_fk(),
    Column("seq", Integer, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("amount_minor", Money, nullable=False),
    UniqueConstraint("plan_id", "seq"),
)

credit_holds = Table(
    "credit_holds",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("source", String(10), nullable=False),  # manual | dunning | limit
    Column("reason", Text, nullable=False),
    Column("placed_on", Date, nullable=False),
    Column("placed_by", String(64), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("released_by", String(64)),
    Column("released_at", DateTime(timezone=True)),
    Column("release_reason", Text),
    Index("ix_credit_holds_customer", "company_id", "customer_id"),
)

disputes = Table(
    "disputes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("document_id", BigInteger, ForeignKey("documents.id"), nullable=False),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("amount_minor", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("status", String(16), nullable=False),  # open | investigating | resolved | rejected
    Column("owner", String(64)),
    Column("opened_by", String(64), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("sla_due", Date),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution", String(20)),
    Column("details", Text, nullable=False, server_default="{}"),
    Index("ix_disputes_document", "company_id", "document_id", "status"),
    Index("ix_disputes_customer", "company_id", "customer_id", "status"),
)
