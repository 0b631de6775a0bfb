"""The demo's history as of the cutoff: disputes, write-offs, promises, open amounts.

Only what is dated before the cutoff (the first report day) has happened.
A partial dispute exists once the short payment that raised it is history;
its resolution counts once dated before the cutoff. The open amount of each
invoice is its amount less history cash, granted discounts and bank fees,
credit memos and write-offs; ``DemoInvoice.open_amount`` is that figure.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from owed.simulation._demo_fates import ZERO, Fate, business_day
from owed.simulation.demo_model import (
    DemoDispute,
    DemoInvoice,
    DemoPromise,
    DemoReceipt,
    DemoWriteOff,
)


@dataclass
class Ledger:
    cutoff: date
    today: date
    reduced: dict[str, Decimal] = field(default_factory=dict)  # invoice -> amount closed
    disputes: list[DemoDispute] = field(default_factory=list)
    write_offs: list[DemoWriteOff] = field(default_factory=list)
    promises: list[DemoPromise] = field(default_factory=list)

    def close(self, number: str, amount: Decimal) -> None:
        self.reduced[number] = self.reduced.get(number, ZERO) + amount

    def apply_history(self, receipts: list[DemoReceipt]) -> None:
        for receipt in receipts:
            for a in receipt.allocations:
                self.close(a.invoice_number, a.amount + a.discount + a.bank_fee)

    def disputes_of(self, fates: list[Fate]) -> None:
        found = []
        for fate in fates:
            d = fate.dispute
            if d is None or d.opened >= self.cutoff:
                continue
            if not d.full and (fate.pay_on is None or fate.pay_on >= self.cutoff):
                continue  # the deduction that raises it has not been posted yet
            found.append((d.opened, fate))
        found.sort(key=lambda x: (x[0], x[1].bill.number))
        for n, (_, fate) in enumerate(found, start=1):
            self._dispute(n, fate)

    def _dispute(self, n: int, fate: Fate) -> None:
        d = fate.dispute
        assert d is not None
        bill = fate.bill
        closed = d.closes < self.cutoff
        if closed and d.outcome == "credit_memo":
            self.close(bill.number, d.amount)
        if closed and d.outcome == "write_off":
            self.close(bill.number, d.amount)
            self.write_offs.append(
                DemoWriteOff(bill.number, bill.customer_id, d.amount, d.closes, "dispute")
            )
        if closed:
            status = "rejected" if d.outcome == "rejected" else "resolved"
        else:
            status = "open" if (self.today - d.opened).days <= 7 else "investigating"
        self.disputes.append(
            DemoDispute(
                id=f"D{n:05d}",
                invoice_number=bill.number,
                customer_id=bill.customer_id,
                reason=d.reason,
                amount=d.amount,
                opened_on=d.opened,
                status=status,
                resolution=d.outcome if closed and d.outcome != "rejected" else None,
                closed_on=d.closes if closed else None,
                note="deducted from payment" if not d.full else "whole invoice disputed",
            )
        )

    def small_balances(self, rng: random.Random, fates: list[Fate]) -> None:
        """Write off some small leftovers (short pays, unearned discounts) after 45 days."""
        for fate in fates:
            left = fate.short + fate.discount_taken - fate.discount_granted
            if fate.dispute is not None or fate.pay_on is None or not ZERO < left <= 50:
                continue
            on = business_day(fate.pay_on + timedelta(days=45))
            if on < self.cutoff and rng.random() < 0.08:
                self.close(fate.bill.number, left)
                self.write_offs.append(
                    DemoWriteOff(fate.bill.number, fate.bill.customer_id, left, on, "small_balance")
                )

    def bad_debt(self, fates: list[Fate]) -> None:
        """Stopped payer: its oldest unpaid invoice written off after 120 days."""
        for fate in fates:
            stopped = fate.account.customer.behaviour.stopped_on
            if stopped is None or fate.pay_on is not None:
                continue
            on = business_day(stopped + timedelta(days=120))
            if on < self.cutoff:
                self.close(fate.bill.number, fate.bill.amount)
                self.write_offs.append(
                    DemoWriteOff(
                        fate.bill.number, fate.bill.customer_id, fate.bill.amount, on, "bad_debt"
                    )
                )
            return

    def promises_of(self, rng: random.Random, fates: list[Fate], last_report_day: date) -> None:
        """Promises on late invoices of riskier customers: kept, broken, or still pending."""
        for fate in fates:
            bill, customer = fate.bill, fate.account.customer
            if customer.risk_class == "low" or bill.due + timedelta(days=20) >= self.today:
                continue
            paid_on = fate.pay_on if fate.pay_on and fate.pay_on <= last_report_day else None
            if paid_on is not None and paid_on <= bill.due + timedelta(days=25):
                continue
            if rng.random() >= 0.3:
                continue
            if paid_on is not None:
                made = business_day(max(bill.due, paid_on - timedelta(days=rng.randint(5, 20))))
                keep = rng.random() < 0.65
                shift = -rng.randint(0, 3) if keep else -rng.randint(6, 15)
                promised = max(made + timedelta(days=1), paid_on + timedelta(days=shift))
            else:
                made = business_day(bill.due + timedelta(days=rng.randint(10, 30)))
                promised = business_day(made + timedelta(days=rng.randint(5, 14)))
            if made >= self.today or (paid_on is not None and made >= paid_on):
                continue
            if promised >= self.today:
                status = "pending"
            elif paid_on is not None and paid_on <= promised + timedelta(days=2):
                status = "kept"
            else:
                status = "broken"
            self.promises.append(
                DemoPromise(customer.external_id, (bill.number,), fate.cash or bill.amount,
                            made, promised, status, customer.collector)
            )  # fmt: skip

    def invoice(self, fate: Fate) -> DemoInvoice:
        bill = fate.bill
        open_amount = bill.amount - self.reduced.get(bill.number, ZERO)
        assert open_amount >= 0, f"{bill.number} over-closed by {-open_amount}"
        return DemoInvoice(
            number=bill.number,
            customer_id=bill.customer_id,
            issue_date=bill.issue,
            due_date=bill.due,
            currency=bill.account.customer.currency,
            amount=bill.amount,
            open_amount=open_amount,
            po_number=bill.po_number,
            discount_date=bill.discount_date,
            discount_amount=bill.discount,
        )
