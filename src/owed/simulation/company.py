"""The demo company: a year of a realistic AR book, built from a seed.

``build_company(seed, customers, months, today)`` is pure and deterministic:
one ``random.Random(seed)`` drives every choice in a fixed order, nothing
reads a clock or touches a file, and the same arguments give equal values.
The steps, each in its own module:

1. ``_demo_customers``: customers, groups, behaviour profiles;
2. ``_demo_billing``: twelve months of invoices;
3. ``_demo_fates``: what happens to each invoice (paid when and how,
   disputed, never paid), then ``ensure_mix`` for the report days;
4. ``_demo_receipts`` + ``_demo_bank``: payments grouped into receipts with
   what the bank reports about them (the mess) and the truth;
5. ``_demo_ledger``: disputes, write-offs, promises and open amounts as of
   the cutoff (the first of the last two business days before ``today``).

Receipts before the cutoff are ``history_receipts`` (load them as already
applied); receipts on the two report days are ``todays_receipts`` (the
bank files the demo imports), with a few that belong to no one and one
transaction the bank reports in both days' files.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

from owed.domain.payments.statement import Method
from owed.simulation import _demo_receipts as receipts_mod
from owed.simulation._demo_billing import bill
from owed.simulation._demo_customers import build_accounts
from owed.simulation._demo_fates import decide, ensure_mix, previous_business_day
from owed.simulation._demo_ledger import Ledger
from owed.simulation._demo_words import COLLECTORS
from owed.simulation.demo_model import DemoCompany, DemoReceipt

DEFAULT_TODAY = date(2026, 3, 16)
FX_TO_USD = {"USD": Decimal(1), "EUR": Decimal("1.0850"), "GBP": Decimal("1.2700")}
OUR_ACCOUNTS = {
    "USD": "4021558870",  # the US operating account (BAI2)
    "EUR": "DE44500105175407324931",  # the euro account (CAMT.053)
    "GBP": "GB82WEST12345698765432",  # the sterling account (CAMT.053)
}


def build_company(
    seed: int = 7, customers: int = 300, months: int = 12, today: date = DEFAULT_TODAY
) -> DemoCompany:
    """A deterministic demo company as of ``today`` (see the module docstring)."""
    rng = random.Random(seed)
    accounts = build_accounts(rng, customers, today)
    by_id = {a.customer.external_id: a for a in accounts}
    paying = frozenset(a.customer.external_id for a in accounts if a.customer.pays_for_children)
    bills = bill(rng, accounts, months, today)
    last = previous_business_day(today)
    days = (previous_business_day(last), last)
    fates = [decide(rng, b) for b in bills]
    ensure_mix(rng, fates, days, paying)
    payments = receipts_mod.group(fates, by_id, paying)
    payments += receipts_mod.followups(fates, by_id, paying, rng)
    payments = [p for p in payments if p.day <= last]
    payments.sort(key=lambda p: (p.day, p.payer.customer.external_id, p.parts[0].fate.bill.number))
    for payment in payments:
        receipts_mod.settle(rng, payment)
    todays = [p for p in payments if p.day >= days[0]]
    if todays and not any("wire fee" in p.tags for p in todays):
        receipts_mod.add_wire_fee(rng, max(todays, key=lambda p: p.parts[-1].cash))
    numbers = [b.number for b in bills]
    made = [
        receipts_mod.to_receipt(rng, p, n, rng.choice(numbers))
        for n, p in enumerate(payments, start=1)
    ]
    history = [r for r in made if r.value_date < days[0]]
    today_list = [r for r in made if r.value_date >= days[0]]
    today_list += _extras(rng, today_list, days, len(made))
    today_list = _batched(today_list, days)

    ledger = Ledger(cutoff=days[0], today=today)
    ledger.apply_history(history)
    ledger.disputes_of(fates)
    ledger.small_balances(rng, fates)
    ledger.bad_debt(fates)
    ledger.promises_of(rng, fates, last)
    return DemoCompany(
        seed=seed,
        today=today,
        name="Owed Demo Industries Inc.",
        base_currency="USD",
        fx_to_base=dict(FX_TO_USD),
        bank_accounts=dict(OUR_ACCOUNTS),
        collectors=COLLECTORS,
        report_days=days,
        customers=tuple(a.customer for a in accounts),
        invoices=tuple(ledger.invoice(f) for f in fates),
        history_receipts=tuple(history),
        todays_receipts=tuple(sorted(today_list, key=lambda r: (r.reported_on, r.id))),
        disputes=tuple(ledger.disputes),
        promises=tuple(sorted(ledger.promises, key=lambda p: (p.made_on, p.customer_id))),
        write_offs=tuple(sorted(ledger.write_offs, key=lambda w: (w.on, w.invoice_number))),
    )


def _extras(
    rng: random.Random,
    todays: list[DemoReceipt],
    days: tuple[date, date],
    count: int,
) -> list[DemoReceipt]:
    """Payments that belong to no one, and one transaction re-reported the next day."""
    extras = [
        receipts_mod.unowned(rng, days[0], count + 1, "USD"),
        receipts_mod.unowned(rng, days[1], count + 2, "USD"),
        receipts_mod.unowned(rng, days[1], count + 3, "USD"),
    ]
    if any(r.currency == "EUR" for r in todays):
        extras.append(receipts_mod.unowned(rng, days[0], count + 4, "EUR"))
    first_day = [r for r in todays if r.reported_on == days[0] and r.currency == "USD"]
    if first_day:
        original = rng.choice(first_day)
        extras.append(receipts_mod.re_reported(original, count + len(extras) + 1, days[1]))
    return extras


def _batched(receipts: list[DemoReceipt], days: tuple[date, date]) -> list[DemoReceipt]:
    """Up to three SEPA credits of a day that the bank books as one batch entry (CAMT)."""
    batch: dict[str, str] = {}
    for day in days:
        for currency in ("EUR", "GBP"):
            members = [
                r for r in receipts
                if r.reported_on == day and r.currency == currency and r.method is Method.ACH
                and r.customer_id is not None and r.duplicate_of is None
            ]  # fmt: skip
            if len(members) >= 2:
                batch.update((r.id, f"{day:%y%m%d}BT{currency}") for r in members[:3])
    return [replace(r, batch_id=batch[r.id]) if r.id in batch else r for r in receipts]
