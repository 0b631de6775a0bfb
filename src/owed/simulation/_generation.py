"""The generator's workings: customers, open items and receipts, step by step.

``Builder`` is driven by ``cashapp.generate``; every random choice goes through
its one ``random.Random``, in a fixed order, so a seed fixes the scenario.
Truth is recorded as ``(customer_id, {item_id: cash}, story)`` or ``None``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING

from stdnum.iso7064 import mod_97_10

from owed.domain.cash_application.model import CustomerInfo, Knowledge, OpenItem, Receipt
from owed.domain.payments.statement import Method, RemittanceLine
from owed.simulation import _noise
from owed.simulation._words import (
    FIRST,
    INDUSTRY,
    LEGAL,
    PEOPLE,
    REGIONS,
    SECOND,
    SHORT_REASONS,
    STRANGERS,
)

if TYPE_CHECKING:
    from owed.simulation.cashapp import Profile

Truth = tuple[int, dict[int, Decimal], str] | None
CENT = Decimal("0.01")


@dataclass
class _Payment:
    """What the payer intends, before it is written down."""

    owner: int
    payer: int
    items: list[int]
    cash: dict[int, Decimal]
    value_date: date
    method: Method
    stories: list[str]
    fee: Decimal = Decimal(0)
    over: Decimal = Decimal(0)
    discounted: bool = False
    short_item: int | None = None
    short: Decimal = Decimal(0)
    reason: tuple[str, str] | None = None


class Builder:
    def __init__(self, profile: Profile, rng: random.Random) -> None:
        self.p = profile
        self.rng = rng
        self.customer_list: list[CustomerInfo] = []
        self.customers: dict[int, CustomerInfo] = {}
        self.accounts: dict[int, str] = {}
        self.vendor_numbers: dict[int, str] = {}
        self.recurring: dict[int, Decimal] = {}
        self.last_paid: dict[int, date] = {}  # a subscriber's latest payment date
        self.items: dict[int, OpenItem] = {}
        self.unpaid: dict[int, list[int]] = {}
        self.pool: list[int] = []
        self.position: dict[int, int] = {}
        self.receipt_list: list[Receipt] = []
        self.truth: dict[int, Truth] = {}
        self.stories: dict[int, str] = {}

    # -- customers and items ---------------------------------------------------
    def _base_names(self, count: int) -> list[str]:
        rng, names, seen = self.rng, list[str](), set[str]()
        while len(names) < count:
            second = rng.choice(SECOND) if rng.random() < 0.6 else ""
            parts = [rng.choice(FIRST), second, rng.choice(INDUSTRY)]
            base = " ".join(p for p in parts if p)
            if base not in seen:
                seen.add(base)
                names.append(base)
        return names

    def customers_and_items(self) -> None:
        rng, p = self.rng, self.p
        bases = self._base_names(p.customers)
        roots: list[int] = []
        for index, base in enumerate(bases):
            cid = index + 1
            parent = None
            name = f"{base} {rng.choice(LEGAL)}"
            if roots and rng.random() < p.child_share:
                parent = rng.choice(roots)
                parent_base = bases[parent - 1]
                name = f"{parent_base} {rng.choice(REGIONS)} {rng.choice(LEGAL)}"
            else:
                roots.append(cid)
            customer = CustomerInfo(cid, name, parent_id=parent, external_id=f"C{cid:06d}")
            self.customer_list.append(customer)
            self.customers[cid] = customer
            self.accounts[cid] = f"{rng.randrange(10**11, 10**12)}"
            if rng.random() < p.recurring_share:
                self.recurring[cid] = self._amount()
            if rng.random() < p.pattern_share:
                self.vendor_numbers[cid] = f"V{rng.randrange(10000, 99999)}"
        weights = [rng.paretovariate(1.5) for _ in bases]
        owners = rng.choices(range(1, p.customers + 1), weights=weights, k=p.open_items)
        for index, owner in enumerate(owners):
            self._item(index + 1, owner)
        for owner, bucket in self.unpaid.items():
            if p.recurring_in_order and owner in self.recurring:  # oldest debt first
                bucket.sort(key=lambda i: (self.items[i].due_date, self.items[i].issue_date, i))
            else:
                bucket.sort(key=lambda i: (self.items[i].due_date, i))

    def _amount(self) -> Decimal:
        cents = int(math.exp(self.rng.uniform(math.log(5_000), math.log(5_000_000))))
        return Decimal(cents).scaleb(-2)

    def _item(self, item_id: int, owner: int) -> None:
        rng, p = self.rng, self.p
        amount = self.recurring.get(owner) or self._amount()
        issue = p.start + timedelta(days=rng.randrange(0, 150))
        due = issue + timedelta(days=rng.choice((30, 30, 30, 45, 60)))
        discount_date = discount = None
        if rng.random() < p.discount_terms_share:
            discount_date = issue + timedelta(days=10)
            discount = (amount * 2 / 100).quantize(CENT)
        po = f"45{rng.randrange(10**7, 10**8)}" if rng.random() < p.po_share else None
        rf = None
        if rng.random() < p.rf_share:
            body = f"{item_id:010d}"
            rf = f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"
        self.items[item_id] = OpenItem(
            item_id, owner, f"INV-{100000 + item_id:06d}", p.currency, amount, amount,
            issue, due, po, rf, discount_date, discount,
        )  # fmt: skip
        self.unpaid.setdefault(owner, []).append(item_id)
        self.position[item_id] = len(self.pool)
        self.pool.append(item_id)

    def _take(self, item_id: int) -> None:
        at, last = self.position.pop(item_id), self.pool.pop()
        if last != item_id:
            self.pool[at], self.position[last] = last, at
        self.unpaid[self.items[item_id].customer_id].remove(item_id)

    def knowledge(self) -> Knowledge:
        known = {
            self.accounts[c.id]: c.id
            for c in self.customer_list
            if self.rng.random() < self.p.known_account_share
        }
        return Knowledge(accounts=MappingProxyType(known))

    # -- receipts --------------------------------------------------------------
    def receipts(self) -> None:
        p = self.p
        unowned = round(p.receipts * p.unowned_share)
        duplicates = round(p.receipts * p.duplicate_share)
        for _ in range(p.receipts - unowned - duplicates):
            if not self.pool:
                break
            self._write(self._payment())
        originals = list(self.receipt_list)
        for _ in range(duplicates if originals else 0):
            self._duplicate(self.rng.choice(originals))
        for _ in range(unowned):
            self._unowned()
        self.receipt_list.sort(key=lambda r: (r.value_date, r.id))

    def _payment(self) -> _Payment:
        rng, p = self.rng, self.p
        first = self.pool[rng.randrange(len(self.pool))]
        owner = self.items[first].customer_id
        in_order = p.recurring_in_order and owner in self.recurring
        if in_order:  # a subscriber pays its identical invoices in the order they fall due
            first = self.unpaid[owner][0]
        chosen = [first]
        if rng.random() < p.multi_share:
            others = [i for i in self.unpaid[owner] if i != first]
            more = rng.sample(others, min(len(others), rng.randint(1, 4)))
            chosen += others[: len(more)] if in_order else more
        for item_id in chosen:
            self._take(item_id)
        chosen.sort(key=lambda i: (self.items[i].due_date, i))
        parent = self.customers[owner].parent_id
        payer = parent if parent and rng.random() < p.parent_pays_share else owner
        latest_due = max(self.items[i].due_date for i in chosen)
        earliest = max(self.items[i].issue_date for i in chosen) + timedelta(days=1)
        value_date = max(earliest, latest_due + timedelta(days=rng.randint(-15, 15)))
        roll = rng.random()
        method = Method.WIRE if roll < p.wire_share else Method.ACH if roll < 0.65 else Method.CHECK
        cash = {i: self.items[i].open_amount for i in chosen}
        payment = _Payment(owner, payer, chosen, cash, value_date, method, [])
        self._differences(payment)
        if in_order:  # ... and never before its previous payment
            payment.value_date = max(payment.value_date, self.last_paid.get(owner, date.min))
            self.last_paid[owner] = payment.value_date
        return payment

    def _differences(self, pay: _Payment) -> None:
        rng, p = self.rng, self.p
        with_terms = [i for i in pay.items if self.items[i].discount_amount]
        if with_terms and rng.random() < p.discount_share:
            late = rng.random() < p.late_discount_share
            for item_id in with_terms:
                pay.cash[item_id] -= self.items[item_id].discount_amount or Decimal(0)
            dates = [self.items[i].discount_date or pay.value_date for i in with_terms]
            earliest = max(self.items[i].issue_date for i in pay.items) + timedelta(days=1)
            on_time = max(earliest, min(dates) - timedelta(days=rng.randint(0, 8)))
            # late or not, never before the newest invoice paid was issued
            pay.value_date = (
                max(earliest, max(dates) + timedelta(days=rng.randint(8, 25))) if late else on_time
            )
            pay.discounted = True
            pay.stories.append("late discount" if late else "discount")
        elif rng.random() < p.short_share:
            target = pay.items[-1]
            balance = pay.cash[target]
            if rng.random() < 0.3:
                limit = min(Decimal(5), balance * Decimal("0.005"))
                short = max(CENT, (limit * Decimal(rng.randint(1, 100)) / 100).quantize(CENT))
            else:
                short = (balance * Decimal(rng.randint(2, 30)) / 100).quantize(CENT)
            pay.cash[target] -= short
            pay.short_item, pay.short = target, short
            if rng.random() < p.short_reason_share:
                pay.reason = rng.choice(SHORT_REASONS)
            pay.stories.append("short pay" + (" with reason" if pay.reason else ""))
        if pay.method is Method.WIRE and not pay.short and rng.random() < p.wire_fee_share:
            fee = Decimal(rng.choice((10, 15, 20, 25, 30, 35)))
            if pay.cash[pay.items[-1]] > fee:
                pay.cash[pay.items[-1]] -= fee
                pay.fee = fee
                pay.stories.append("wire fee")
        if rng.random() < p.overpay_share:
            pay.over = Decimal(rng.randint(100, 10_000)).scaleb(-2)
            pay.stories.append("overpayment")
        if pay.payer != pay.owner:
            pay.stories.append("parent pays")
        if len(pay.items) > 1:
            pay.stories.append("multi")

    def _name_variant(self) -> str:
        roll, p = self.rng.random(), self.p
        if roll < p.name_missing_share:
            return "missing"
        if roll < p.name_missing_share + p.name_abbreviated_share:
            return "abbreviated"
        if roll < p.name_missing_share + p.name_abbreviated_share + p.name_truncated_share:
            return "truncated"
        return "exact"

    def _write(self, pay: _Payment) -> None:
        rng, p = self.rng, self.p
        receipt_id = len(self.receipt_list) + 1
        mode_roll = rng.random()
        text, lines = "", tuple[RemittanceLine, ...]()
        if mode_roll < p.structured_share:
            lines = self._structured(pay)
            pay.stories.append("structured")
        elif mode_roll < p.structured_share + p.text_share:
            text = self._text(pay)
        else:
            text = rng.choice(("", "PAYMENT", "ACH CREDIT", "THANK YOU", "PAYMENT ON ACCOUNT"))
            pay.stories.append("no reference")
        variant = self._name_variant()
        payer = self.customers[pay.payer]
        amount = sum(pay.cash.values(), Decimal(0)) + pay.over
        self.receipt_list.append(
            Receipt(
                receipt_id, amount, p.currency, pay.value_date, pay.method,
                _noise.payer_name(payer.name, variant, rng), self.accounts[pay.payer],
                text, lines, f"BR{receipt_id:09d}",
            )
        )  # fmt: skip
        self.truth[receipt_id] = (pay.owner, dict(pay.cash), ",".join(pay.stories))

    def _structured(self, pay: _Payment) -> tuple[RemittanceLine, ...]:
        rng, lines = self.rng, []
        for item_id in pay.items:
            item = self.items[item_id]
            number = item.number
            style = rng.random()
            if style < 0.1:
                number = number.split("-")[1]
            elif style < 0.2:
                number = number.replace("-", "")
            if rng.random() < self.p.typo_share / 2:
                head, _, digits = number.rpartition("-")
                number = (head + "-" if head else "") + _noise.typo(digits or number, rng)
            paid = pay.cash[item_id] + (pay.fee if item_id == pay.items[-1] else 0)
            short = pay.short if item_id == pay.short_item else None
            lines.append(
                RemittanceLine(
                    reference=number,
                    paid=paid,
                    invoice_amount=item.original_amount,
                    discount=item.discount_amount if pay.discounted else None,
                    adjustment=short if pay.reason else None,
                    reason_code=pay.reason[0] if pay.reason and short else None,
                    reason_text=pay.reason[1] if pay.reason and short else None,
                )
            )
        return tuple(lines)

    def _text(self, pay: _Payment) -> str:
        rng, p = self.rng, self.p
        vendor = self.vendor_numbers.get(pay.payer)
        quoted = []
        for item_id in pay.items:
            item = self.items[item_id]
            if vendor:
                quoted.append(vendor + item.number.split("-")[1])
            elif item.rf_reference and rng.random() < 0.3:
                quoted.append(item.rf_reference)
            elif rng.random() < p.typo_share:
                prefix, _, digits = item.number.partition("-")
                quoted.append(prefix + "-" + _noise.typo(digits, rng))
                pay.stories.append("typo")
            else:
                quoted.append(_noise.quote_number(item.number, rng))
        if len(quoted) > 1 and rng.random() < p.partial_share:
            quoted.pop(rng.randrange(len(quoted)))
            pay.stories.append("partial remittance")
        if rng.random() < p.wrong_share:
            other = self.items[rng.randrange(1, len(self.items) + 1)]
            quoted[rng.randrange(len(quoted))] = other.number
            pay.stories.append("wrong reference")
        text = _noise.reference_text(quoted, rng)
        if pay.reason and rng.random() < 0.8:
            text += f" SHORT PAID {pay.reason[1].upper()}"
        pay.stories.append("vendor pattern" if vendor else "text")
        return text

    def _duplicate(self, original: Receipt) -> None:
        receipt_id = len(self.receipt_list) + 1
        when = original.value_date + timedelta(days=self.rng.randint(1, 5))
        self.receipt_list.append(
            Receipt(
                receipt_id, original.amount, original.currency, when, original.method,
                original.payer_name, original.payer_account, original.remittance_text,
                original.remittance, f"BR{receipt_id:09d}",
            )
        )  # fmt: skip
        truth = self.truth[original.id]
        owner = truth[0] if truth else 0
        self.truth[receipt_id] = (owner, {}, "duplicate")

    def _unowned(self) -> None:
        rng, p = self.rng, self.p
        receipt_id = len(self.receipt_list) + 1
        number = str(rng.randrange(10 ** rng.randint(3, 7), 10**8))
        text = rng.choice(("", "REFUND {}", "INVOICE {}", "TRANSFER {}", "PAYROLL", "REF {}"))
        name = rng.choice(PEOPLE + STRANGERS)
        when = p.start + timedelta(days=rng.randrange(20, 200))
        self.receipt_list.append(
            Receipt(
                receipt_id, self._amount(), p.currency, when, rng.choice((Method.ACH, Method.WIRE)),
                name, f"{rng.randrange(10**11, 10**12)}", text.format(number), (),
                f"BR{receipt_id:09d}",
            )
        )  # fmt: skip
        self.truth[receipt_id] = None
