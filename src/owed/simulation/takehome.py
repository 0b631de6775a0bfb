"""The classic AR take-home test: an aging report, customers, and the bank's files.

``write_takehome(directory, seed)`` writes plain files a candidate (or a user
trying Owed) can open and replace with their own:

* ``open_ar_aging.csv``: the open invoices (one is billed twice);
* ``customers.csv``: the customer master (the import columns);
* ``bank_ach.bai2``: the day's ACH and wire credits;
* ``bank_lockbox.bai2``: the day's lockbox check deposits (type 115);
* ``SCENARIO.md``: what the files are and what is asked.

It returns ``TakeHome`` with the paths and the ground truth (``expected``,
one ``Expectation`` per receipt) for tests; the truth is never written.
The day's cases: clean single payments, a payment of several invoices, short
pays with and without a reason, the same payment sent twice, an invoice
billed twice (paid once, by its PO number), an overpayment, a check paying
two invoices, a check without remittance, and a payment nobody can identify.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from owed.domain.billing.terms import PaymentTerms
from owed.domain.payments.statement import Method
from owed.simulation import files
from owed.simulation._demo_customers import build_accounts
from owed.simulation._demo_fates import previous_business_day
from owed.simulation.demo_model import Allocation, DemoCustomer, DemoInvoice, DemoReceipt

AS_OF = date(2026, 3, 13)
ACCOUNT = "4021558870"


@dataclass(frozen=True)
class Expectation:
    """What a careful clerk posts for one receipt."""

    receipt_id: str
    customer_id: str | None  # None: nobody's money (leave unapplied, investigate)
    allocations: dict[str, Decimal]  # invoice number -> cash
    unapplied: Decimal
    case: str  # clean | multi | short with reason | short | duplicate payment | ...


@dataclass(frozen=True)
class TakeHome:
    directory: Path
    files: tuple[Path, ...]
    customers: tuple[DemoCustomer, ...]
    invoices: tuple[DemoInvoice, ...]
    receipts: tuple[DemoReceipt, ...]
    expected: tuple[Expectation, ...]
    billed_twice: tuple[str, str]  # (original, duplicate) invoice numbers
    as_of: date = AS_OF


@dataclass
class _Book:
    rng: random.Random
    customers: list[DemoCustomer]
    invoices: list[DemoInvoice] = field(default_factory=list)
    receipts: list[DemoReceipt] = field(default_factory=list)
    expected: list[Expectation] = field(default_factory=list)
    billed_twice: tuple[str, str] = ("", "")

    def invoice(
        self, customer: DemoCustomer, days_ago: int, cents: int, po: str | None = None
    ) -> DemoInvoice:
        issue = AS_OF - timedelta(days=days_ago)
        number = f"INV-{issue.year}-{7100 + len(self.invoices):06d}"
        due = PaymentTerms.parse(customer.payment_terms).due_date(issue)
        po = po or (f"PO-{self.rng.randrange(10_000, 99_999)}" if customer.po_required else None)
        amount = Decimal(cents).scaleb(-2)
        inv = DemoInvoice(
            number, customer.external_id, issue, due, customer.currency, amount, amount, po
        )
        self.invoices.append(inv)
        return inv

    def receive(
        self,
        customer: DemoCustomer | None,
        method: Method,
        amount: Decimal,
        text: str,
        allocations: dict[str, Decimal],
        case: str,
        name: str | None = None,
    ) -> DemoReceipt:
        n = len(self.receipts) + 1
        kind = {Method.ACH: "AC", Method.WIRE: "FW", Method.LOCKBOX: "LB"}[method]
        check = method is Method.LOCKBOX
        receipt = DemoReceipt(
            id=f"T{n:03d}",
            amount=amount,
            currency="USD",
            value_date=AS_OF,
            reported_on=AS_OF,
            method=method,
            payer_name=None if check else (name or (customer.name.upper() if customer else None)),
            payer_account=None,
            bank_reference=f"{AS_OF:%y%m%d}{kind}{n:07d}",
            customer_reference=f"{30_000 + n * 37}" if check else f"0210000{n:08d}",
            remittance_text=text,
            customer_id=customer.external_id if customer else None,
            payer_id=customer.external_id if customer else None,
            allocations=tuple(Allocation(k, v) for k, v in allocations.items()),
            unapplied=amount - sum(allocations.values(), Decimal(0)),
            story=(case,),
        )
        self.receipts.append(receipt)
        self.expected.append(
            Expectation(receipt.id, receipt.customer_id, dict(allocations), receipt.unapplied, case)
        )
        return receipt


def _cents(rng: random.Random) -> int:
    # A spread factor, not money: amounts are integer cents.
    factor_ratio = math.exp(rng.gauss(0, 0.7))
    return max(25_000, int(480_000 * factor_ratio))


def _customers(rng: random.Random) -> list[DemoCustomer]:
    accounts = build_accounts(rng, 40, AS_OF)
    usd = [
        a.customer for a in accounts if a.customer.currency == "USD" and not a.customer.parent_id
    ]
    return [replace(c, pays_for_children=False) for c in usd[:12]]


def _build(seed: int) -> _Book:
    rng = random.Random(seed)
    book = _Book(rng, _customers(rng))
    cs = book.customers
    for c in cs:  # the background: every customer owes something
        for _ in range(rng.randint(1, 3)):
            book.invoice(c, rng.randint(5, 140), _cents(rng))
    # clean ACH payment of one invoice
    a = book.invoice(cs[0], 40, _cents(rng))
    book.receive(cs[0], Method.ACH, a.amount, f"INV {a.number}", {a.number: a.amount}, "clean")
    # one payment for three invoices
    m = [book.invoice(cs[1], d, _cents(rng)) for d in (62, 48, 33)]
    total = sum((i.amount for i in m), Decimal(0))
    text = "INVOICES " + " ".join(i.number for i in m)
    book.receive(cs[1], Method.ACH, total, text, {i.number: i.amount for i in m}, "multi")
    # short pays: with a reason, then without
    s1 = book.invoice(cs[2], 45, _cents(rng))
    short = (s1.amount * Decimal("0.06")).quantize(Decimal("0.01"))
    book.receive(cs[2], Method.ACH, s1.amount - short,
                 f"{s1.number} SHORT PAID {short} DAMAGED GOODS", {s1.number: s1.amount - short},
                 "short with reason")  # fmt: skip
    s2 = book.invoice(cs[3], 38, _cents(rng))
    paid = s2.amount - Decimal("48.20")
    book.receive(cs[3], Method.ACH, paid, s2.number, {s2.number: paid}, "short")
    # the same payment sent twice (two ACH credits, two traces)
    d = book.invoice(cs[4], 35, _cents(rng))
    book.receive(cs[4], Method.ACH, d.amount, f"PMT {d.number}", {d.number: d.amount}, "clean")
    book.receive(cs[4], Method.ACH, d.amount, f"PMT {d.number}", {}, "duplicate payment")
    # an invoice billed twice, paid once quoting the PO
    po = f"PO-{rng.randrange(10_000, 99_999)}"
    original = book.invoice(cs[5], 30, _cents(rng), po)
    twin = book.invoice(cs[5], 29, int(original.amount * 100), po)
    book.receive(cs[5], Method.WIRE, original.amount, f"OBI PO {po}",
                 {original.number: original.amount}, "billed twice, paid once")  # fmt: skip
    # an overpayment
    o = book.invoice(cs[6], 41, _cents(rng))
    book.receive(cs[6], Method.ACH, o.amount + Decimal("1000.00"), o.number,
                 {o.number: o.amount}, "overpayment")  # fmt: skip
    # nobody's money
    book.receive(None, Method.ACH, Decimal("2318.40"), "REFUND 44718", {}, "unidentified",
                 name="J SMITH")  # fmt: skip
    # lockbox: a check for two invoices, a short check, a check without remittance
    k = [book.invoice(cs[7], d, _cents(rng)) for d in (50, 36)]
    both = {i.number: i.amount for i in k}
    text = f"{k[0].number} {k[1].number}"
    book.receive(cs[7], Method.LOCKBOX, k[0].amount + k[1].amount, text, both, "check multi")
    ks = book.invoice(cs[8], 44, _cents(rng))
    book.receive(cs[8], Method.LOCKBOX, ks.amount - Decimal("125.00"), ks.number,
                 {ks.number: ks.amount - Decimal("125.00")}, "check short")  # fmt: skip
    kn = book.invoice(cs[9], 47, _cents(rng))
    book.receive(
        cs[9], Method.LOCKBOX, kn.amount, "", {kn.number: kn.amount}, "check no remittance"
    )
    book.billed_twice = (original.number, twin.number)
    return book


def write_takehome(directory: Path | str, seed: int = 11) -> TakeHome:
    """Write the take-home inputs into ``directory``; return paths and the truth."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    book = _build(seed)
    names = {c.external_id: c.name for c in book.customers}
    invoices = sorted(book.invoices, key=lambda i: (i.customer_id, i.issue_date, i.number))
    aging = files.write_rows(
        folder / "open_ar_aging.csv",
        ("invoice_number", "customer_id", "customer_name", "issue_date", "due_date",
         "currency", "amount", "open_amount", "po_number"),
        ([i.number, i.customer_id, names[i.customer_id], i.issue_date.isoformat(),
          i.due_date.isoformat(), i.currency, str(i.amount), str(i.open_amount), i.po_number or ""]
         for i in invoices),
    )  # fmt: skip
    customers = files.write_customers_csv(folder / "customers.csv", book.customers)
    electronic = [r for r in book.receipts if r.method is not Method.LOCKBOX]
    checks = [r for r in book.receipts if r.method is Method.LOCKBOX]
    ach = files.write_bai2(folder / "bank_ach.bai2", ACCOUNT, "USD", electronic, AS_OF, "TH0001")
    lockbox = files.write_bai2(
        folder / "bank_lockbox.bai2", ACCOUNT, "USD", checks, AS_OF, "TH0002"
    )
    scenario = folder / "SCENARIO.md"
    scenario.write_text(_scenario(len(invoices), len(book.customers), len(electronic), len(checks)),
                        encoding="utf-8")  # fmt: skip
    return TakeHome(
        directory=folder,
        files=(aging, customers, ach, lockbox, scenario),
        customers=tuple(book.customers),
        invoices=tuple(invoices),
        receipts=tuple(book.receipts),
        expected=tuple(book.expected),
        billed_twice=book.billed_twice,
    )


def _scenario(invoices: int, customers: int, electronic: int, checks: int) -> str:
    day = AS_OF.isoformat()
    prior = previous_business_day(AS_OF).isoformat()
    return f"""# AR take-home: apply one day of cash

You are the cash application analyst of a US distributor. It is the morning
after {day}; the last cash was applied on {prior}. All amounts are USD.

## Files

* `open_ar_aging.csv`: {invoices} open invoices. Columns: invoice_number,
  customer_id, customer_name, issue_date, due_date, currency, amount,
  open_amount, po_number.
* `customers.csv`: {customers} customers. Columns: customer_id, name, currency,
  payment_terms, email, parent_id, country, tax_id, credit_limit, segment,
  risk_class, collector, language, po_required.
* `bank_ach.bai2`: BAI2 prior-day report of account {ACCOUNT}: {electronic} ACH
  (142/165) and wire (195) credits; remittance is in the 16/88 text.
* `bank_lockbox.bai2`: BAI2 report of the lockbox deposits: {checks} checks
  (115); the check number is the customer reference.

## What is asked

1. Apply each receipt to the right invoices, or say why you cannot.
2. List the short payments and what you would do with each difference.
3. List anything that looks like a duplicate (payments, or invoices) and what you would do.
4. Say what is left unapplied and how you would resolve it.

Everything here is invented: names, numbers, accounts. Replace the files with
your own exports to try Owed on real data: `owed` reads the same columns.
"""
