"""End-to-end cash application benchmark (same as ``owed bench cashapp``).

Generates messy receipts with ground truth, loads customers and open invoices into
a fresh company, imports the receipts through the bank-import use case, runs the
matching run that persists applications, settlements, postings and audit, and
prints timings and quality. Examples::

    python benchmarks/bench_cashapp.py --receipts 10000 --items 50000
    python benchmarks/bench_cashapp.py --receipts 100000 --items 500000 \
        --url postgresql://postgres@127.0.0.1:5432/test

With a PostgreSQL URL a scratch database is created and dropped; the default is a
temporary SQLite file.
"""

from __future__ import annotations

import argparse
import os
import platform

from owed.entrypoints.bench.cashapp import run_benchmark
from owed.entrypoints.bench.scratch import scratch_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=2_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", default=None, help="PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} Python {platform.python_version()}")
    with scratch_engine(args.url) as engine:
        print(f"database: {engine.dialect.name}")
        result = run_benchmark(engine, args.receipts, args.items, args.customers, args.seed)
    for line in result.lines():
        print(line)
    one, five, fifteen = os.getloadavg()  # the machine may be shared: say how busy it was
    print(f"load average             {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)")


if __name__ == "__main__":
    main()
