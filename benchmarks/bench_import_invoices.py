"""Benchmark: import N open invoices through the same service as `owed import invoices`.

Generates a CSV of N invoices (default 1,000,000) for C customers (default
50,000, imported first through `import_customers`), then imports the CSV
with `read_table` + `import_invoices` and prints validated rows/s (the
validation pass, reading the CSV included) and the end-to-end rate (with the
inserts, the opening entries and the commit).

    python benchmarks/bench_import_invoices.py                 # SQLite, temp file
    python benchmarks/bench_import_invoices.py -n 200000 --url postgresql://postgres@127.0.0.1:5432/postgres

With --url a scratch database is created beside the given one and dropped after.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from owed.adapters.db.engine import ensure_schema, make_engine, normalize_url
from owed.adapters.db.uow import SqlUnitOfWork
from owed.adapters.tables import read_table
from owed.domain.clock import FixedClock
from owed.services.billing_imports import ImportInvoices, import_invoices
from owed.services.companies import CreateCompany, create_company
from owed.services.customer_imports import ImportCustomers, import_customers


def generate(directory: Path, invoices: int, customers: int) -> tuple[Path, Path]:
    rng = random.Random(42)
    cust = directory / "customers.csv"
    with cust.open("w", newline="") as stream:
        w = csv.writer(stream)
        w.writerow(["customer_id", "name", "currency", "payment_terms"])
        for i in range(customers):
            w.writerow([f"C{i:06d}", f"Customer {i}", "USD", "NET 30"])
    inv = directory / "invoices.csv"
    start = date(2025, 1, 1)
    with inv.open("w", newline="") as stream:
        w = csv.writer(stream)
        w.writerow(
            [
                "invoice_number",
                "customer_id",
                "issue_date",
                "due_date",
                "currency",
                "amount",
                "open_amount",
                "po_number",
            ]
        )
        for i in range(invoices):
            issue = start + timedelta(days=rng.randrange(400))
            cents = rng.randrange(1000, 5_000_000)
            open_cents = cents if rng.random() < 0.8 else rng.randrange(0, cents)
            w.writerow(
                [
                    f"INV{i:08d}",
                    f"C{rng.randrange(customers):06d}",
                    issue.isoformat(),
                    (issue + timedelta(days=30)).isoformat(),
                    "USD",
                    f"{cents // 100}.{cents % 100:02d}",
                    f"{open_cents // 100}.{open_cents % 100:02d}",
                    "",
                ]
            )
    return cust, inv


def run(url: str, invoices: int, customers: int, directory: Path) -> None:
    engine = make_engine(url)
    ensure_schema(engine)
    clock = FixedClock(datetime(2026, 3, 15, 12, tzinfo=UTC))
    code = f"B{uuid.uuid4().hex[:6]}"
    create_company(
        CreateCompany(code=code, name="Bench"),
        SqlUnitOfWork(engine, code, None, clock, creating=True),
    )
    cust_path, inv_path = generate(directory, invoices, customers)
    t0 = time.perf_counter()
    res = import_customers(
        ImportCustomers(read_table(cust_path)), SqlUnitOfWork(engine, code, "admin", clock)
    )
    print(f"  customers: {res.imported:,} in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    res = import_invoices(
        ImportInvoices(read_table(inv_path)), SqlUnitOfWork(engine, code, "admin", clock)
    )
    total = time.perf_counter() - t0
    print(f"  invoices: {res.imported:,} imported, {len(res.rejects)} rejected")
    print(
        f"  validation (read + validate): {res.validate_seconds:.2f} s = "
        f"{res.read / res.validate_seconds:,.0f} validated rows/s"
    )
    print(f"  write (inserts, opening entry, settlements, commit): {res.write_seconds:.2f} s")
    print(f"  end to end: {total:.2f} s = {res.read / total:,.0f} rows/s")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", "--invoices", type=int, default=1_000_000)
    parser.add_argument("-c", "--customers", type=int, default=50_000)
    parser.add_argument("--url", help="PostgreSQL server URL; a scratch database is used")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        print(f"SQLite ({args.invoices:,} invoices, {args.customers:,} customers)")
        run(f"sqlite:///{directory / 'bench.db'}", args.invoices, args.customers, directory)
        if args.url:
            server = make_url(normalize_url(args.url))
            name = f"owed_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                print("PostgreSQL")
                run(
                    server.set(database=name).render_as_string(hide_password=False),
                    args.invoices,
                    args.customers,
                    directory,
                )
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
