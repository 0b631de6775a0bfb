"""documents: a covering index for the aging by customer, and one for open credits

Revision ID: 0012
Revises: 0011

``ix_documents_customer`` (company, customer, status) becomes (company,
customer, currency, status) carrying kind, due date, issue date, open and
total amounts: the aging by customer reads it alone (an index-only scan in
customer order, grouped without a hash table) instead of the whole table.
Lookups by customer use the same leading columns as before. PostgreSQL keeps
the carried columns out of the key (``INCLUDE``); SQLite, which has no
``INCLUDE``, puts them at the end of the key.

``ix_documents_aging`` (company, status, due date, customer, currency, kind,
open amount), from 0005, is dropped: the aging no longer reads it, and
``ix_documents_open`` (company, status, due date) serves lookups by status
and due date. One index fewer holds ``open_minor``, which every payment
changes.

``ix_documents_credit_memos`` (company, status, customer) holds credit memos only
(partial on ``kind``, which never changes): the open credits shown beside
the aging no longer scan every invoice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KEY = ["company_id", "customer_id", "currency", "status"]
CARRIED = ["kind", "due_date", "issue_date", "open_minor", "total_minor"]


AGING_0005 = ["company_id", "status", "due_date", "customer_id", "currency", "kind", "open_minor"]


def upgrade() -> None:
    op.drop_index("ix_documents_aging", table_name="documents")
    op.drop_index("ix_documents_customer", table_name="documents")
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_documents_customer", "documents", KEY, postgresql_include=CARRIED)
    else:
        op.create_index("ix_documents_customer", "documents", KEY + CARRIED)
    op.create_index(
        "ix_documents_credit_memos",
        "documents",
        ["company_id", "status", "customer_id"],
        postgresql_where=sa.text("kind = 'credit_memo'"),
        sqlite_where=sa.text("kind = 'credit_memo'"),
    )


def downgrade() -> None:
    op.drop_index("ix_documents_credit_memos", table_name="documents")
    op.drop_index("ix_documents_customer", table_name="documents")
    op.create_index("ix_documents_customer", "documents", ["company_id", "customer_id", "status"])
    op.create_index("ix_documents_aging", "documents", AGING_0005)
