"""Compute-only benchmark of cash application matching (no database, no I/O).

Generates a messy scenario with ``owed.simulation.cashapp``, builds the match
context, matches every receipt in order (automatic decisions consume their
items), and prints the timings (wall and process CPU time: on a shared machine
the CPU time is the steadier figure) and the quality metrics. Run from the
repository root::

    PYTHONPATH=src python benchmarks/bench_matching_compute.py --receipts 100000 --items 500000
"""

from __future__ import annotations

import argparse
import gc
import platform
import time

from owed.domain.cash_application import MatchContext, MatchSettings, match_receipts
from owed.simulation.cashapp import Profile, breakdown, evaluate, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--customers", type=int, default=0, help="default: items / 5")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() the scenario and the built context so the cyclic garbage collector "
        "stops re-scanning millions of long-lived objects (what a batch job should do)",
    )
    parser.add_argument(
        "--recurring-any-order",
        action="store_true",
        help="subscribers pay their identical invoices in any order (the generator before "
        "2026-12-03; default: in the order they fall due)",
    )
    parser.add_argument(
        "--no-oldest-first",
        action="store_true",
        help="MatchSettings(oldest_first=False): identical invoices are a person's choice",
    )
    args = parser.parse_args()
    customers = args.customers or max(1, args.items // 5)
    profile = Profile(
        customers=customers,
        open_items=args.items,
        receipts=args.receipts,
        recurring_in_order=not args.recurring_any_order,
    )
    settings = MatchSettings(oldest_first=not args.no_oldest_first)

    started = time.perf_counter()
    scenario = generate(profile, args.seed)
    if args.gc_freeze:
        gc.freeze()
    generated, generated_cpu = time.perf_counter(), time.process_time()
    context = MatchContext.build(scenario.open_items, scenario.customers, ticker=time.perf_counter)
    if args.gc_freeze:
        gc.freeze()
    built, built_cpu = time.perf_counter(), time.process_time()
    decisions = match_receipts(scenario.receipts, context, scenario.knowledge, settings)
    matched, matched_cpu = time.perf_counter(), time.process_time()
    metrics = evaluate(scenario, decisions)

    seconds = matched - built
    print(f"machine                  {platform.machine()} {platform.python_implementation()} "
          f"{platform.python_version()}")  # fmt: skip
    print(f"gc.freeze                {'yes' if args.gc_freeze else 'no'}")
    print(
        f"subscribers pay          {'in any order' if args.recurring_any_order else 'oldest first'}"
    )
    print(f"oldest_first             {settings.oldest_first}")
    print(f"size                     {len(scenario.receipts)} receipts, "
          f"{len(scenario.open_items)} open items, {len(scenario.customers)} customers, "
          f"seed {args.seed}")  # fmt: skip
    cpu = matched_cpu - built_cpu
    print(f"generation               {generated - started:.2f} s")
    print(f"index build              {built - generated:.2f} s wall, "
          f"{built_cpu - generated_cpu:.2f} s CPU")  # fmt: skip
    print(f"match                    {seconds:.2f} s wall, {cpu:.2f} s CPU")
    print(f"receipts per second      {len(scenario.receipts) / seconds:,.0f} wall, "
          f"{len(scenario.receipts) / cpu:,.0f} CPU")  # fmt: skip
    for line in metrics.lines():
        print(line)
    print("\nby story tag (a receipt counts under each of its tags)")
    print(f"{'tag':24s} {'receipts':>8s} {'auto':>8s} {'manual':>8s} {'auto %':>7s} {'wrong':>6s}")
    for tag, (total, auto, wrong) in breakdown(scenario, decisions).items():
        print(f"{tag:24s} {total:8d} {auto:8d} {total - auto:8d} {auto / total:7.1%} {wrong:6d}")


if __name__ == "__main__":
    main()
