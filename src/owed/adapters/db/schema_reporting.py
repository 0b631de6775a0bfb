"""Tables for reporting, statements, month-end close and forecasts (migration 0007).

* ``statement_runs``: one row per (company, period, customer, currency): the
  idempotency guard of ``owed statement run``. A row whose status is ``sent``
  is never sent again; a ``failed`` row is retried by the next run.
* ``close_runs``: every ``owed close`` (dry runs too), with its outcome
  (``checked`` | ``locked`` | ``refused``), whether the subledger equalled
  the GL, the reason given with ``--force``, and the report as JSON.
* ``allowance_proposals``: the allowance for doubtful accounts proposed at a
  close, per currency: the current allowance balance, the target from the
  aging, the adjustment; approved (and posted) or rejected by a second person.
* ``forecast_snapshots``: every forecast and back-test run with its headline
  figures and detail (JSON), so accuracy can be followed over time.

Money is BIGINT minor units beside a currency code; dates are DATE.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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

statement_runs = Table(
    "statement_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("period", String(7), nullable=False),  # YYYY-MM
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(10), nullable=False),  # open_item | activity
    Column("as_of", Date, nullable=False),
    Column("balance_minor", Money, nullable=False),
    Column("channel", String(10), nullable=False),  # email | outbox | none
    Column("recipient", String(254), nullable=False, server_default=""),
    Column("status", String(10), nullable=False),  # sent | failed
    Column("reason", Text, nullable=False, server_default=""),
    Column("message_id", String(200)),
    Column("location", Text),
    Column("run_by", String(64), nullable=False),
    Column("run_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "period", "customer_id", "currency"),
)

close_runs = Table(
    "close_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("period", String(7), nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("outcome", String(20), nullable=False),  # checked|locked|refused|awaiting_approval
    Column("reconciled", Boolean, nullable=False),  # subledger == GL, every currency
    Column("forced_reason", Text),
    Column("report", Text, nullable=False, server_default="{}"),  # JSON
    Column("report_dir", Text),
    Column("run_by", String(64), nullable=False),
    Column("run_at", DateTime(timezone=True), nullable=False),
    Index("ix_close_runs_period", "company_id", "period"),
)

allowance_proposals = Table(
    "allowance_proposals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("period", String(7), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("current_minor", Money, nullable=False),  # allowance balance, credit positive
    Column("target_minor", Money, nullable=False),
    Column("adjustment_minor", Money, nullable=False),  # + increase (Dr bad debt / Cr allow.)
    Column("detail", Text, nullable=False, server_default="[]"),  # JSON: per bucket
    Column("status", String(12), nullable=False),  # proposed | approved | rejected | superseded
    Column("proposed_by", String(64), nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_note", Text),
    Column("entry_id", BigInteger),
    Index("ix_allowance_proposals_period", "company_id", "period", "status"),
)

forecast_snapshots = Table(
    "forecast_snapshots",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("kind", String(10), nullable=False),  # forecast | backtest
    Column("as_of", Date, nullable=False),
    Column("date_to", Date),  # back-test: the last as-of date
    Column("weeks", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("headline_minor", Money),  # expected cash in the next 14 days (forecast)
    Column("summary", Text, nullable=False, server_default="{}"),  # JSON
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_forecast_snapshots_kind", "company_id", "kind", "as_of"),
)
