"""Benchmark: KPIs (by customer, with trend) and the 13-week forecast over a large book.

Run::

    PYTHONPATH=src python benchmarks/bench_reporting.py [--items 200000] [--customers 20000]
        [--url postgresql://postgres@127.0.0.1:5432/postgres]

The book is bulk-loaded by ``bench_aging.load`` (open invoices over 400 days
of due dates, a third partly paid by dated settlements; no receipts or
journal, so the cash-application KPIs are empty and the close is not timed).
Timed once each: ``report_kpis`` for Q1 overall, by customer, and with the
monthly trend; ``run_forecast`` (13 weeks). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_aging import COMPANY, NOW, load, scratch_postgres

from owed.adapters.db.engine import ensure_schema, make_engine
from owed.adapters.db.uow import SqlUnitOfWork
from owed.domain.clock import FixedClock
from owed.services.companies import CreateCompany, create_company
from owed.services.forecast import RunForecast, run_forecast
from owed.services.reporting import ReportKpis, report_kpis


def timed(label: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = fn()
    print(f"{label:<34} {(time.perf_counter() - start):>8.2f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if args.url:
        url, drop = scratch_postgres(args.url)
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    try:
        engine = make_engine(url)
        ensure_schema(engine)
        clock = FixedClock(NOW)
        company = create_company(
            CreateCompany(code=COMPANY, name="Bench", base_currency="USD", admin_username="admin"),
            SqlUnitOfWork(engine, COMPANY, None, clock, creating=True),
        )
        print(
            f"{engine.dialect.name}, {args.items:,} items, {args.customers:,} customers, "
            f"Python {platform.python_version()}, {platform.machine()}"
        )
        timed("bulk load", lambda: load(engine, company.id, args.items, args.customers))

        def uow() -> SqlUnitOfWork:
            return SqlUnitOfWork(engine, COMPANY, "admin", clock)

        q1 = (date(2026, 1, 1), date(2026, 3, 31))
        timed("KPIs Q1 overall", lambda: report_kpis(ReportKpis(*q1), uow()))
        rows = timed(
            "KPIs Q1 by customer", lambda: report_kpis(ReportKpis(*q1, by="customer"), uow())
        )
        timed(
            "KPIs Q1 overall + monthly trend",
            lambda: report_kpis(ReportKpis(*q1, trend=True), uow()),
        )
        f = timed("forecast 13 weeks", lambda: run_forecast(RunForecast(date(2026, 3, 15)), uow()))
        print(
            f"  {len(rows.rows):,} KPI rows; forecast of {len(f.forecast.items):,} open items, "
            f"next 14 days {f.next_14_days['USD']}"
        )
        engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    sys.exit(main())
