"""Compute-only benchmark of cash application matching (no database, no I/O).

Generates a messy scenario with ``owed.simulation.cashapp``, builds the match
context, matches every receipt in order (automatic decisions consume their
items), and prints the timings and the quality metrics. Run from the
repository root::

    PYTHONPATH=src python benchmarks/bench_matching_compute.py --receipts 100000 --items 500000
"""

from __future__ import annotations

import argparse
import platform
import time

from owed.domain.cash_application import MatchContext, match_receipts
from owed.simulation.cashapp import Profile, evaluate, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--customers", type=int, default=0, help="default: items / 5")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    customers = args.customers or max(1, args.items // 5)
    profile = Profile(customers=customers, open_items=args.items, receipts=args.receipts)

    started = time.perf_counter()
    scenario = generate(profile, args.seed)
    generated = time.perf_counter()
    context = MatchContext.build(scenario.open_items, scenario.customers, ticker=time.perf_counter)
    built = time.perf_counter()
    decisions = match_receipts(scenario.receipts, context, scenario.knowledge)
    matched = time.perf_counter()
    metrics = evaluate(scenario, decisions)

    seconds = matched - built
    print(f"machine                  {platform.machine()} {platform.python_implementation()} "
          f"{platform.python_version()}")  # fmt: skip
    print(f"size                     {len(scenario.receipts)} receipts, "
          f"{len(scenario.open_items)} open items, {len(scenario.customers)} customers, "
          f"seed {args.seed}")  # fmt: skip
    print(f"generation               {generated - started:.2f} s")
    print(f"index build              {built - generated:.2f} s")
    print(f"match                    {seconds:.2f} s")
    print(f"receipts per second      {len(scenario.receipts) / seconds:,.0f}")
    for line in metrics.lines():
        print(line)


if __name__ == "__main__":
    main()
