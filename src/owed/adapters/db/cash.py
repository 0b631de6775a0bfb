"""Persistence for cash application (``uow.cash``), composed from one mixin per concern.

Balances that several workers may touch at once (an invoice's open amount, a
receipt's unapplied cash) are only ever changed by a guarded UPDATE
(``... SET open = open - x WHERE open >= x``): if another transaction got
there first the row count is 0 and the caller gets ``OverApplication``. So two
processes applying cash at the same time can never over-apply an invoice.

The matching run writes thousands of rows per batch, so every bulk method
here costs one statement per batch and table, not one per row:

* guarded balance updates (``reduce_open_many``, ``take_unapplied_many``) and
  the receipt updates (``set_matches``, ``record_matches``) go through
  ``_update_rows``: on PostgreSQL one ``UPDATE ... FROM json_to_recordset(rows)`` (one
  round trip, the guard evaluated per row by the database, re-checked after a
  concurrent writer's commit as for any UPDATE), on SQLite an ``executemany``
  of the same statement (in process). Amounts for the same row are summed
  first, so a document settled twice in one batch is guarded on the total.
* receipts (with their entry ids: the import posts first), settlements and
  applications are inserted with ``insert_rows`` (``COPY`` on PostgreSQL), past
  SQLAlchemy's per-row processing; the import's dedupe lookup is one query.
* open items are read with ``_driver_rows``: the statement is built with Core,
  run on the driver, and dates are converted once per distinct value.

The mixins, beside this module:

* ``cash_import``: bank files, the receipts insert and its dedupe, receipt reads;
* ``cash_matching``: open items, customers and documents as matching reads them,
  match knowledge;
* ``cash_applying``: guarded balance updates, settlements, applications;
* ``cash_returns``: returned payments and their pairings;
* ``cash_bulk``: the shared bulk helpers (``_update_rows``, ``_insert_dicts``).
"""

from __future__ import annotations

from sqlalchemy import Connection

from owed.adapters.db.cash_applying import ApplicationWrites
from owed.adapters.db.cash_bulk import to_minor
from owed.adapters.db.cash_import import ReceiptImport
from owed.adapters.db.cash_matching import MatchingQueries
from owed.adapters.db.cash_returns import ReturnedPayments

__all__ = ["CashRepository", "to_minor"]


class CashRepository(ReceiptImport, MatchingQueries, ApplicationWrites, ReturnedPayments):
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id
