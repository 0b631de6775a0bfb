"""Benchmark: aging (now and as of a past date) and the dunning selection over 1M open items.

Run::

    PYTHONPATH=src python benchmarks/bench_aging.py [--items 1000000] [--customers 50000]
        [--url postgresql://postgres@127.0.0.1:5432/postgres] [--repeat 3]

Without ``--url`` a scratch SQLite file is used. With a PostgreSQL URL a
scratch database ``owed_bench_<random>`` is created on that server and dropped
at the end. The schema is migrated, a scratch company created, and the rows
are bulk-loaded with Core ``executemany`` (SQLite) or ``COPY`` (PostgreSQL),
not through the services: customers, open invoices spread over 400 days of
due dates, and for a third of them a dated partial payment (a settlement row),
so the as-of path has work to do. On PostgreSQL the tables are then vacuumed
and analysed, as autovacuum does after a bulk insert. Then it times, best of
``--repeat``:

* ``aging now``: ``get_aging`` by customer (SQL grouping + report assembly);
* ``aging as of``: the same 60 days back, rebuilt from settlements;
* ``aging now by currency``: the SQL alone dominates (few groups);
* ``dunning selection`` (once: it is slow): ``run_dunning(dry_run=True)``:
  promises, the bulk load of every customer's state and the domain's
  selection, no sending.

Nothing is asserted; figures go to docs/performance.md with the machine.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from owed.adapters.db.engine import ensure_schema, make_engine, normalize_url
from owed.adapters.db.schema import customers, documents, settlements
from owed.adapters.db.uow import SqlUnitOfWork
from owed.domain.clock import FixedClock
from owed.services.aging import GetAging, get_aging
from owed.services.companies import CreateCompany, create_company
from owed.services.dunning import RunDunning, run_dunning

TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
COMPANY = "BENCH"


def scratch_postgres(url: str) -> tuple[str, Callable[[], None]]:
    base = make_url(normalize_url(url))
    name = f"owed_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def load(engine: Engine, company_id: int, n_items: int, n_customers: int) -> None:
    rng = random.Random(42)
    customer_rows = [
        {
            "company_id": company_id,
            "external_id": f"C{i:06d}",
            "name": f"Customer {i}",
            "currency": "USD",
            "collector": f"collector{i % 20}",
            "segment": ("retail", "b2b")[i % 2],
            "email": f"ap{i}@example.com",
            "details": "{}",
            "created_at": NOW,
            "updated_at": NOW,
        }
        for i in range(n_customers)
    ]
    with engine.begin() as conn:
        conn.execute(insert(customers), customer_rows)
        ids = list(
            conn.execute(
                select(customers.c.id)
                .where(customers.c.company_id == company_id)
                .order_by(customers.c.id)
            ).scalars()
        )
    columns = (
        "company_id",
        "customer_id",
        "kind",
        "number",
        "status",
        "issue_date",
        "due_date",
        "currency",
        "net_minor",
        "tax_minor",
        "total_minor",
        "open_minor",
        "source",
        "details",
        "created_by",
        "created_at",
    )
    rows = []
    paid: list[tuple[int, int, date]] = []  # (row index, amount settled, on date)
    for i in range(n_items):
        due = TODAY + timedelta(days=rng.randint(-370, 30))
        total = rng.randint(1_000, 5_000_000)
        settled = total // 3 if i % 3 == 0 else 0
        if settled:
            paid.append((i, settled, due + timedelta(days=rng.randint(-10, 40))))
        rows.append(
            (
                company_id,
                ids[i % len(ids)],
                "invoice",
                f"INV-{i:08d}",
                "partially_paid" if settled else "issued",
                due - timedelta(days=30),
                due,
                "USD",
                total,
                0,
                total,
                total - settled,
                "import",
                "{}",
                "bench",
                NOW,
            )
        )
    if engine.dialect.name == "postgresql":
        _copy(engine, "documents", columns, rows)
    else:
        with engine.begin() as conn:
            for start in range(0, len(rows), 50_000):
                conn.execute(
                    insert(documents),
                    [dict(zip(columns, r, strict=True)) for r in rows[start : start + 50_000]],
                )
    with engine.begin() as conn:
        doc_ids = dict(
            conn.execute(
                select(documents.c.number, documents.c.id).where(
                    documents.c.company_id == company_id
                )
            ).all()
        )
    s_columns = (
        "company_id",
        "document_id",
        "on_date",
        "kind",
        "amount_minor",
        "source_type",
        "created_by",
        "created_at",
    )
    s_rows = [
        (
            company_id,
            doc_ids[f"INV-{i:08d}"],
            min(on, TODAY),
            "payment",
            amount,
            "import",
            "bench",
            NOW,
        )
        for i, amount, on in paid
    ]
    if engine.dialect.name == "postgresql":
        _copy(engine, "settlements", s_columns, s_rows)
        # What autovacuum does after a bulk insert (autovacuum_vacuum_insert_threshold):
        # statistics, and the visibility map that lets the aging read its covering
        # index alone. Run here so that the timings do not depend on when it wakes up.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("documents", "settlements", "customers"):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    else:
        with engine.begin() as conn:
            for start in range(0, len(s_rows), 50_000):
                conn.execute(
                    insert(settlements),
                    [dict(zip(s_columns, r, strict=True)) for r in s_rows[start : start + 50_000]],
                )
            conn.execute(text("ANALYZE"))


def _copy(
    engine: Engine, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def timed(label: str, fn: Callable[[], Any], repeat: int) -> Any:
    best_seconds, result = float("inf"), None  # wall time, not money
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best_seconds = min(best_seconds, time.perf_counter() - start)
    print(f"{label:<28} {best_seconds * 1000:>9.0f} ms (best of {repeat})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--url", default=None, help="PostgreSQL server (scratch database)")
    parser.add_argument("--repeat", type=int, default=3)
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
        start = time.perf_counter()
        load(engine, company.id, args.items, args.customers)
        print(f"{'bulk load':<28} {(time.perf_counter() - start):>9.1f} s")

        def uow() -> SqlUnitOfWork:
            return SqlUnitOfWork(engine, COMPANY, "admin", clock)

        now = timed("aging now (by customer)", lambda: get_aging(GetAging(), uow()), args.repeat)
        timed(
            "aging now (by currency)",
            lambda: get_aging(GetAging(by="currency"), uow()),
            args.repeat,
        )
        past = TODAY - timedelta(days=60)
        timed(
            "aging as of -60d (customer)",
            lambda: get_aging(GetAging(as_of=past), uow()),
            args.repeat,
        )
        timed(
            "aging as of -60d (currency)",
            lambda: get_aging(GetAging(as_of=past, by="currency"), uow()),
            args.repeat,
        )
        run = timed("dunning selection", lambda: run_dunning(RunDunning(True), uow(), None), 1)
        print(
            f"  {len(now.report.rows):,} aging rows; {len(run.run.notices):,} notices, "
            f"{len(run.run.exclusions):,} exclusions"
        )
        engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    sys.exit(main())
