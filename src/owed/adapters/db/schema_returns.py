"""Returned payments paired with the receipt they return (migration 0011).

One row per pairing: the return (a ``receipts`` row of kind ``return``) and
the original receipt, each paired at most once (unique per company). The
original amount is what was returned; ``fee_minor`` is what the return adds
(a returned-item fee, posted to bank fees). The entries are the unapply of
the original's applications (if it had any) and the fee posting (if any).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from owed.adapters.db.schema import BigId, Money, company_fk, metadata

receipt_returns = Table(
    "receipt_returns",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    company_fk(),
    Column("return_id", BigInteger, ForeignKey("receipts.id"), nullable=False),
    Column("receipt_id", BigInteger, ForeignKey("receipts.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("returned_minor", Money, nullable=False),  # the original receipt's amount
    Column("fee_minor", Money, nullable=False, server_default="0"),  # return − original
    Column("how", String(10), nullable=False),  # auto | manual
    Column("rule", String(20), nullable=False),  # reference | account_amount | manual
    Column("explanation", Text, nullable=False, server_default=""),
    Column("paired_on", Date, nullable=False),
    Column("paired_by", String(64), nullable=False),
    Column("paired_at", DateTime(timezone=True), nullable=False),
    Column("unapply_entry_id", BigInteger),
    Column("fee_entry_id", BigInteger),
    UniqueConstraint("company_id", "return_id"),
    UniqueConstraint("company_id", "receipt_id"),
)
