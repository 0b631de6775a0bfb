"""From invoice fates to receipts: grouping, wire fees, overpayments, bank faces.

Payments of one payer on one day made in a payment run become one receipt
(several invoices, a parent's and its children's together); others are one
receipt per invoice; a rejected dispute is paid later by its own receipt.
Receipts dated before the first report day are history; those on the two
report days are today's bank activity; later ones have not happened.
Today's activity also gets payments that belong to no one and one
transaction the bank reports again in the second day's file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from owed.domain.payments.statement import Method
from owed.simulation import _demo_bank
from owed.simulation._demo_customers import Account
from owed.simulation._demo_fates import CENT, ZERO, Fate, business_day, payer_id
from owed.simulation.demo_model import Allocation, DemoReceipt


@dataclass
class Part:
    fate: Fate
    cash: Decimal
    discount_taken: Decimal
    discount_granted: Decimal
    short: Decimal
    reason: str | None
    bank_fee: Decimal = ZERO


@dataclass
class Payment:
    payer: Account
    day: date
    parts: list[Part]
    method: Method
    tags: list[str] = field(default_factory=list)
    over: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        return sum((p.cash for p in self.parts), ZERO) + self.over


def group(fates: list[Fate], accounts: dict[str, Account], paying: frozenset[str]) -> list[Payment]:
    """Main payments: a payment run per (payer, day), else one payment per invoice."""
    runs: dict[tuple[str, date], Payment] = {}
    payments: list[Payment] = []
    for fate in fates:
        if fate.pay_on is None or (fate.dispute is not None and fate.dispute.full):
            continue
        payer = accounts[payer_id(fate, paying)]
        part = Part(
            fate, fate.cash, fate.discount_taken, fate.discount_granted, fate.short, fate.reason
        )
        key = (payer.customer.external_id, fate.pay_on)
        if fate.in_run and key in runs:
            runs[key].parts.append(part)
            continue
        payment = Payment(payer, fate.pay_on, [part], payer.customer.payment_method)
        payments.append(payment)
        if fate.in_run:
            runs[key] = payment
    return payments


def followups(fates: list[Fate], accounts: dict[str, Account], paying: frozenset[str],
              rng: random.Random) -> list[Payment]:  # fmt: skip
    """A rejected dispute's amount, paid some days after the rejection."""
    payments = []
    for fate in fates:
        d = fate.dispute
        if d is None or d.outcome != "rejected":
            continue
        day = business_day(d.closes + timedelta(days=rng.randint(5, 25)))
        payer = accounts[payer_id(fate, paying)]
        part = Part(fate, d.amount, ZERO, ZERO, ZERO, None)
        payments.append(
            Payment(payer, day, [part], payer.customer.payment_method, ["dispute paid"])
        )
    return payments


def settle(rng: random.Random, payment: Payment) -> None:
    """Receipt-level mess: tags, a wire fee, sometimes an overpayment or a wire instead of ACH."""
    parts = sorted(payment.parts, key=lambda p: (p.fate.bill.due, p.fate.bill.number))
    payment.parts = parts
    if payment.payer.customer.external_id != parts[0].fate.account.customer.external_id:
        payment.tags.append("parent pays")
    if len(parts) > 1:
        payment.tags.append("multi")
    for part in parts:
        payment.tags.extend(t for t in part.fate.tags if t not in payment.tags and t != "discount")
    if payment.method is Method.ACH and rng.random() < 0.05:
        payment.method = Method.WIRE
    if payment.method is Method.WIRE and rng.random() < 0.5:
        add_wire_fee(rng, payment)
    if rng.random() < 0.01:
        payment.over = Decimal(rng.randint(1_000, 50_000)).scaleb(-2)
        payment.tags.append("overpayment")


def add_wire_fee(rng: random.Random, payment: Payment) -> None:
    fee = Decimal(rng.choice((12, 15, 18, 20, 25, 30, 35))).quantize(CENT)
    last = payment.parts[-1]
    if last.cash > fee * 10:
        payment.method = Method.WIRE
        last.cash -= fee
        last.bank_fee = fee
        payment.tags.append("wire fee")


def to_receipt(rng: random.Random, payment: Payment, number: int, wrong_number: str) -> DemoReceipt:
    quoted = [
        _demo_bank.Quoted(
            number=p.fate.bill.number,
            po_number=p.fate.bill.po_number,
            invoice_amount=p.fate.bill.amount,
            cash=p.cash + p.bank_fee,
            discount=p.discount_taken,
            short=p.short,
            reason=p.reason,
        )
        for p in payment.parts
    ]
    payer = payment.payer.customer
    face = _demo_bank.face(rng, payer, payment.method, quoted, payment.day, number, wrong_number)
    return DemoReceipt(
        id=f"R{number:06d}",
        amount=payment.amount,
        currency=payer.currency,
        value_date=payment.day,
        reported_on=payment.day,
        method=payment.method,
        payer_name=face.payer_name,
        payer_account=face.payer_account,
        bank_reference=face.bank_reference,
        customer_reference=face.customer_reference,
        remittance_text=face.remittance_text,
        remittance=face.remittance,
        customer_id=payment.parts[0].fate.account.customer.external_id,
        payer_id=payer.external_id,
        allocations=tuple(
            Allocation(p.fate.bill.number, p.cash, p.discount_granted, p.bank_fee)
            for p in payment.parts
        ),
        unapplied=payment.over,
        story=tuple(payment.tags) + face.tags,
    )


def unowned(rng: random.Random, day: date, number: int, currency: str) -> DemoReceipt:
    face = _demo_bank.unowned_face(rng, day, number)
    amount = Decimal(rng.randint(5_000, 2_500_000)).scaleb(-2)
    return DemoReceipt(
        id=f"R{number:06d}",
        amount=amount,
        currency=currency,
        value_date=day,
        reported_on=day,
        method=Method.ACH,
        payer_name=face.payer_name,
        payer_account=face.payer_account,
        bank_reference=face.bank_reference,
        customer_reference=face.customer_reference,
        remittance_text=face.remittance_text,
        unapplied=amount,  # to suspense: nobody's invoice
        story=("belongs to no one",),
    )


def re_reported(original: DemoReceipt, number: int, day: date) -> DemoReceipt:
    """The same bank transaction again in a later file: same bank reference, apply nothing."""
    return replace(
        original,
        id=f"R{number:06d}",
        reported_on=day,
        allocations=(),
        unapplied=ZERO,
        duplicate_of=original.id,
        story=("duplicate",),
    )
