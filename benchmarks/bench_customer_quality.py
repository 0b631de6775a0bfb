"""Benchmark: the customer data-quality report over 50,000 synthetic customers.

Run: ``PYTHONPATH=src python benchmarks/bench_customer_quality.py [count] [prefix_length]``

Builds a deterministic customer list (seeded), with about 2 % injected
duplicates (legal suffix changed, case changed, a typo after the first four
letters, words swapped), then times ``quality_report`` and prints the time,
the findings by kind and how many injected duplicates were found.
Nothing is asserted: see docs/performance.md for recorded figures.
"""

from __future__ import annotations

import platform
import random
import sys
import time

from stdnum.iso7064 import mod_11_10

from owed.domain.customers.quality import CustomerRecord, IssueKind, quality_report

SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["ter", "son", "tech", "gen"]
INDUSTRY = [
    "Systems",
    "Logistics",
    "Foods",
    "Metals",
    "Media",
    "Health",
    "Capital",
    "Energy",
    "Labs",
    "Retail",
]
SUFFIXES = ["Inc", "LLC", "Ltd", "GmbH", "Corp", "S.A.", "B.V.", "", ""]


def brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4))).capitalize()


def german_vat(rng: random.Random) -> str:
    body = str(rng.randint(10_000_000, 99_999_999))
    return "DE" + body + mod_11_10.calc_check_digit(body)


def variant(name: str, rng: random.Random) -> str:
    words = name.split()
    how = rng.randrange(4)
    if how == 0:
        return " ".join([*words[:-1], rng.choice(["Inc.", "Limited", "Corporation"])])
    if how == 1:
        return name.upper()
    if how == 2 and len(words[0]) > 5:
        i = rng.randrange(4, len(words[0]))
        words[0] = words[0][:i] + rng.choice("aeiou") + words[0][i + 1 :]
        return " ".join(words)
    return " ".join([words[1], words[0], *words[2:]]) if len(words) > 2 else name + " Group"


def build(count: int, seed: int = 7) -> tuple[list[CustomerRecord], set[tuple[str, str]]]:
    rng = random.Random(seed)
    records: list[CustomerRecord] = []
    injected: set[tuple[str, str]] = set()
    while len(records) < count:
        cid = f"C{len(records):06d}"
        if records and rng.random() < 0.02:
            original = rng.choice(records)
            name = variant(original.name, rng)
            injected.add(tuple(sorted((original.id, cid))))  # type: ignore[arg-type]
        else:
            name = " ".join(filter(None, [brand(rng), rng.choice(INDUSTRY), rng.choice(SUFFIXES)]))
        tax = german_vat(rng) if rng.random() < 0.7 else None
        if tax and rng.random() < 0.02:
            tax = tax[:-1] + str((int(tax[-1]) + 1) % 10)  # break the check digit
        emails = (f"ap@{cid.lower()}.example.com",) if rng.random() < 0.9 else ()
        records.append(
            CustomerRecord(cid, f"ERP{len(records)}", name, "DE", tax, emails, rng.random() < 0.8)
        )
    return records, injected


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    prefix = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    records, injected = build(count)
    started = time.perf_counter()
    report = quality_report(records, prefix_length=prefix)
    seconds = time.perf_counter() - started
    pairs = {f.customer_ids for f in report.of_kind(IssueKind.LIKELY_DUPLICATE_NAME)}
    found = sum(1 for pair in injected if pair in pairs)
    print(
        f"machine: {platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}"
    )
    print(f"customers: {count}, prefix_length: {prefix}, quality_report: {seconds:.2f} s")
    for kind, n in sorted(report.count_by_kind().items()):
        print(f"  {kind.value}: {n}")
    print(f"injected duplicate pairs found: {found} of {len(injected)}")


if __name__ == "__main__":
    main()
