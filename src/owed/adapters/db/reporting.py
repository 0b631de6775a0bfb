"""The reporting repository (``uow.reporting``), composed from one mixin per report family.

Everything is read in bulk, one query per fact, grouped in SQL where the
grouping is simple (per customer, currency, month or aging bucket), and
filtered on ``company_id``. Rows are SQLAlchemy ``Row`` objects (attribute
access); the services turn them into domain inputs.

* ``reporting_balances``: open items and AR as of a date, the GL side, customers;
* ``reporting_kpi_facts``: sales, write-offs, receipts and applications,
  disputes and promises over a range (the KPIs);
* ``reporting_forecast``: payment history, broken promises, forecast snapshots;
* ``reporting_statements``: statement activity and statement runs;
* ``reporting_close``: close runs and allowance proposals;
* ``reporting_journal``: journal lines for the GL export.
"""

from __future__ import annotations

from sqlalchemy import Connection

from owed.adapters.db.reporting_balances import BalanceQueries
from owed.adapters.db.reporting_close import CloseRecords
from owed.adapters.db.reporting_forecast import ForecastQueries
from owed.adapters.db.reporting_journal import JournalExportQueries
from owed.adapters.db.reporting_kpi_facts import KpiFactQueries
from owed.adapters.db.reporting_statements import StatementQueries


class ReportingRepository(
    BalanceQueries,
    KpiFactQueries,
    ForecastQueries,
    StatementQueries,
    CloseRecords,
    JournalExportQueries,
):
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id
