"""Posting throughput: journal entries per second into the ledger.

Each entry is an invoice posting of three lines: Dr AR control (with a
customer id and document), Cr revenue, Cr sales tax. Two paths:

* bulk (default): ``LedgerRepository.add_entries`` inside a ``SqlUnitOfWork``,
  ``--batch`` entries per commit, one audit record per batch;
* ``--single``: one entry per commit through ``services.ledger.post_entries``
  (period and account checks, one audit record per entry), as a use case does.

The database is a temporary SQLite file by default. ``--url postgresql://...``
creates a scratch database on that server and drops it afterwards; any other
``--url`` is used as it is. The figures include building the domain entries
(``JournalEntry`` checks the balance) and are printed, never asserted::

    PYTHONPATH=src python benchmarks/bench_posting.py --entries 100000 --batch 1000
    PYTHONPATH=src python benchmarks/bench_posting.py --url postgresql://postgres@127.0.0.1:5432/test
    PYTHONPATH=src python benchmarks/bench_posting.py --single --entries 5000
    PYTHONPATH=src python benchmarks/bench_posting.py --profile   # cProfile, top 30
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from owed.adapters.db.engine import ensure_schema, make_engine, normalize_url
from owed.adapters.db.schema import journal_entries, journal_lines
from owed.adapters.db.uow import SqlUnitOfWork
from owed.domain.clock import FixedClock
from owed.domain.ledger import JournalEntry, JournalLine
from owed.domain.money import Money
from owed.services import ledger
from owed.services.companies import CreateCompany, create_company

COMPANY = "BENCH"
CLOCK = FixedClock(datetime(2026, 3, 31, 12, tzinfo=UTC))
DAY = date(2026, 3, 15)


# -- the database ----------------------------------------------------------------------
@contextmanager
def scratch_database(url: str | None) -> Iterator[str]:
    """Yield a database URL that is fresh, and clean it up afterwards."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="owed-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "postgresql":
        yield url
        return
    name = f"owed_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str) -> Engine:
    engine = make_engine(url)
    ensure_schema(engine)
    create_company(
        CreateCompany(code=COMPANY, name="Benchmark company", admin_username="admin"),
        SqlUnitOfWork(engine, COMPANY, None, CLOCK, creating=True),
    )
    return engine


# -- the entries -------------------------------------------------------------------------
def invoice_entry(i: int, customers: int) -> JournalEntry:
    """A deterministic invoice: net 10.00-1,009.99, tax 8% (rounded down)."""
    net = 1000 + (i * 7919) % 100_000
    tax = net * 8 // 100
    return JournalEntry(
        DAY,
        f"Invoice {i}",
        (
            JournalLine(
                "1200",
                Money.from_minor(net + tax, "USD"),
                customer_id=1 + i % customers,
                document_type="invoice",
                document_id=i,
            ),
            JournalLine("4000", Money.from_minor(-net, "USD")),
            JournalLine("2200", Money.from_minor(-tax, "USD")),
        ),
        source_type="invoice",
        source_id=i,
    )


# -- the two paths ------------------------------------------------------------------------
def post_bulk(engine: Engine, count: int, batch: int, customers: int) -> float:
    """Post ``count`` entries, ``batch`` per commit; returns seconds spent building them."""
    building = 0.0
    for start in range(0, count, batch):
        t0 = time.perf_counter()
        entries = [invoice_entry(i, customers) for i in range(start, min(start + batch, count))]
        building += time.perf_counter() - t0
        with SqlUnitOfWork(engine, COMPANY, "admin", CLOCK) as uow:
            ids = uow.ledger.add_entries(entries, uow.actor.username, uow.now())
            uow.audit(
                "journal.bulk_post",
                "journal_entry",
                ids[0],
                after={"entries": len(ids), "last": ids[-1]},
            )
            uow.commit()
    return building


def post_single(engine: Engine, count: int, customers: int) -> float:
    building = 0.0
    for i in range(count):
        t0 = time.perf_counter()
        entry = invoice_entry(i, customers)
        building += time.perf_counter() - t0
        with SqlUnitOfWork(engine, COMPANY, "admin", CLOCK) as uow:
            (entry_id,) = ledger.post_entries(uow, [entry])
            uow.audit("journal.post", "journal_entry", entry_id)
            uow.commit()
    return building


def check(engine: Engine, count: int) -> None:
    with engine.connect() as conn:
        entries = conn.execute(select(func.count()).select_from(journal_entries)).scalar_one()
        lines = conn.execute(select(func.count()).select_from(journal_lines)).scalar_one()
        net = conn.execute(
            select(func.coalesce(func.sum(journal_lines.c.amount_minor), 0))
        ).scalar_one()
    if (entries, lines, int(net)) != (count, 3 * count, 0):
        sys.exit(f"CHECK FAILED: {entries} entries, {lines} lines, net {net}")


# -- main -------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000, help="entries per commit (bulk)")
    parser.add_argument("--url", default=None, help="database URL (default: temp SQLite)")
    parser.add_argument(
        "--single",
        action="store_true",
        help="one entry per commit through services.ledger.post_entries",
    )
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    args = parser.parse_args(argv)

    with scratch_database(args.url) as url:
        engine = prepare(url)
        backend = engine.dialect.name
        mode = "single (1 per commit)" if args.single else f"bulk ({args.batch} per commit)"
        profiler = cProfile.Profile() if args.profile else None
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        if args.single:
            building = post_single(engine, args.entries, args.customers)
        else:
            building = post_bulk(engine, args.entries, args.batch, args.customers)
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - t0
        check(engine, args.entries)
        engine.dispose()

    lines = 3 * args.entries
    print(
        f"backend:   {backend} ({platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()})"
    )
    print(f"mode:      {mode}, {args.entries:,} entries, {lines:,} lines")
    print(f"elapsed:   {elapsed:.2f} s (building entries {building:.2f} s)")
    print(f"entries/s: {args.entries / elapsed:,.0f}")
    print(f"lines/s:   {lines / elapsed:,.0f}")
    if elapsed > building:
        print(
            f"database share: {args.entries / (elapsed - building):,.0f} entries/s "
            "excluding entry construction"
        )
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
