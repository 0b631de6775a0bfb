"""What the bank reports about a demo payment: payer, references, remittance.

The noise comes from ``_noise`` (the cash application benchmark's helpers):
payer names abbreviated or cut to a bank's field width, invoice numbers in
other spellings or with a typo. A customer's ``bad_reference_share`` decides
how often its remittance is wrong, partial or missing. USD payments arrive in
BAI2 files, which carry remittance as free text only; EUR and GBP payments
arrive in CAMT.053, where some payers send structured remittance (one
``RemittanceLine`` per invoice, with discount and deduction amounts).

Check and lockbox deposits carry no payer name or account (a BAI2 deposit
does not), only the check number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from owed.domain.payments.statement import Method, RemittanceLine
from owed.simulation import _noise
from owed.simulation._words import PEOPLE, STRANGERS
from owed.simulation.demo_model import DemoCustomer

# Remittance reason for a deduction: (bank code of at most 4 characters, text).
REMIT_REASONS: Final[dict[str, tuple[str, str]]] = {
    "pricing": ("PRIC", "pricing difference"),
    "quantity": ("QTY", "quantity difference"),
    "damaged_quality": ("DAMG", "damaged goods"),
    "tax": ("TAX", "tax difference"),
    "shortage": ("SHRT", "short shipped"),
    "trade_promotion": ("PROM", "promo allowance"),
    "other": ("FRGT", "freight deduction"),
}


@dataclass(frozen=True)
class Quoted:
    """One invoice as a payment pays it: what the payer means to remit."""

    number: str
    po_number: str | None
    invoice_amount: Decimal
    cash: Decimal
    discount: Decimal
    short: Decimal
    reason: str | None  # a REMIT_REASONS key, when the payer says why it paid short


@dataclass(frozen=True)
class Face:
    payer_name: str | None
    payer_account: str | None
    bank_reference: str
    customer_reference: str | None
    remittance_text: str
    remittance: tuple[RemittanceLine, ...]
    tags: tuple[str, ...]


def face(
    rng: random.Random,
    payer: DemoCustomer,
    method: Method,
    quoted: list[Quoted],
    day: date,
    seq: int,
    wrong_number: str,
) -> Face:
    """The bank's view of a payment by ``payer`` of ``quoted`` (``seq`` makes references unique)."""
    tags: list[str] = []
    name, account = _payer(rng, payer, method, tags)
    bank_ref, customer_ref = references(method, payer.currency, day, seq)
    text, lines = "", tuple[RemittanceLine, ...]()
    bad = rng.random() < payer.behaviour.bad_reference_share
    if payer.currency != "USD" and not bad and rng.random() < 0.35:
        lines = tuple(_structured(q) for q in quoted)
        tags.append("structured")
    else:
        text = _text(rng, quoted, bad, wrong_number, tags)
    return Face(name, account, bank_ref, customer_ref, text, lines, tuple(tags))


def references(method: Method, currency: str, day: date, seq: int) -> tuple[str, str | None]:
    """(bank reference, customer reference) as the bank would number them."""
    stamp = day.strftime("%y%m%d")
    if currency != "USD":
        return f"{stamp}CT{seq:08d}", f"E2E{stamp}{seq:07d}"
    if method in (Method.CHECK, Method.LOCKBOX):
        return f"{stamp}LB{seq:07d}", f"{100_000 + seq * 7 % 900_000}"
    if method is Method.WIRE:
        return f"{stamp}FW{seq:07d}", f"FED{stamp}{seq:06d}"
    return f"{stamp}AC{seq:07d}", f"0210000{seq:08d}"


def _payer(
    rng: random.Random, payer: DemoCustomer, method: Method, tags: list[str]
) -> tuple[str | None, str | None]:
    if method in (Method.CHECK, Method.LOCKBOX):
        return None, None
    roll = rng.random()
    variant = "missing" if roll < 0.04 else "abbreviated" if roll < 0.34 else "exact"
    if variant == "exact" and roll < 0.56:
        variant = "truncated"
    if variant != "exact":
        tags.append(f"name {variant}")
    return _noise.payer_name(payer.name, variant, rng), payer.bank_account


def _structured(q: Quoted) -> RemittanceLine:
    code, text = REMIT_REASONS[q.reason] if q.reason else (None, None)
    return RemittanceLine(
        reference=q.number,
        paid=q.cash,
        invoice_amount=q.invoice_amount,
        discount=q.discount or None,
        adjustment=q.short if q.reason and q.short else None,
        reason_code=code if q.short else None,
        reason_text=text if q.short else None,
    )


def _text(
    rng: random.Random, quoted: list[Quoted], bad: bool, wrong_number: str, tags: list[str]
) -> str:
    if bad and rng.random() < 0.3:
        tags.append("no reference")
        return rng.choice(("PAYMENT", "ACH CREDIT", "THANK YOU", "PAYMENT ON ACCOUNT", "INVOICES"))
    numbers = []
    for q in quoted:
        if q.po_number and rng.random() < 0.25:
            po = q.po_number
            numbers.append(po if po.startswith("PO") else f"PO {po}")
            tags.append("po quoted")
        elif bad and rng.random() < 0.5:
            head, _, digits = q.number.rpartition("-")
            numbers.append(f"{head}-{_noise.typo(digits, rng)}")
            tags.append("typo")
        else:
            numbers.append(_noise.quote_number(q.number, rng))
    if bad and len(numbers) > 1:
        numbers.pop(rng.randrange(len(numbers)))
        tags.append("partial remittance")
    elif bad and rng.random() < 0.3:
        numbers[rng.randrange(len(numbers))] = wrong_number
        tags.append("wrong reference")
    text = _noise.reference_text(numbers, rng)
    reasons = [REMIT_REASONS[q.reason][1] for q in quoted if q.reason and q.short]
    if reasons:
        text += f" SHORT PAID {reasons[0].upper()}"
    if any(q.discount for q in quoted):
        text += " LESS 2PCT DISC"
    return " ".join(text.split())


def unowned_face(rng: random.Random, day: date, seq: int) -> Face:
    """A payment that belongs to no customer: a refund, a transfer, a stranger."""
    name = rng.choice(PEOPLE + STRANGERS)
    number = rng.randrange(10_000, 10**8)
    text = rng.choice(("REFUND {}", "TRANSFER {}", "REF {}", "CLAIM {}", "")).format(number)
    bank_ref, customer_ref = references(Method.ACH, "USD", day, seq)
    return Face(name, str(rng.randrange(10**9, 10**11)), bank_ref, customer_ref, text, (), ())
