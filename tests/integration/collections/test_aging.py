"""The aging on a real database: buckets in SQL, groupings, FX, and as-of reconstruction.

The property: an aging as of a past date equals the aging that was shown on
that date. Hypothesis builds random histories (invoices, payments applied,
credit memos, write-offs, payments kept as on-account credit) day by day,
snapshots the aging after each step, and at the end recomputes every past
snapshot date from the settlements and compares row by row.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from owed.domain.errors import InvalidInput
from owed.domain.money import Money
from owed.domain.payments.statement import Direction, Method, ParsedFile, Statement, StatementLine
from owed.services import billing as billing_svc
from owed.services import billing_memos as memos
from owed.services import customers as customers_svc
from owed.services.aging import GetAging, get_aging
from owed.services.billing_model import LineInput
from owed.services.cash_corrections import ApplyReceipt, Target, apply_receipt
from owed.services.payments import ImportBankFile, import_bank_file
from tests.builders import add_customer, add_invoice
from tests.conftest import make_env

AS_OF = date(2026, 3, 15)


def usd(text: str) -> Money:
    return Money(text, "USD")


def rows(aging):
    return {
        (r.group, r.currency): (
            tuple(r.buckets[label].amount for label in aging.report.labels),
            r.item_count,
            r.unapplied_cash.amount,
            r.credits.amount,
        )
        for r in aging.report.rows
    }


def test_buckets_by_due_date_with_default_edges(env):
    acme = add_customer(env, "Acme")
    # due dates relative to 2026-03-15: not yet due, 1, 30, 31, 61, 91, 121 days overdue
    for days_overdue, amount in [
        (-5, "1"),
        (1, "2"),
        (30, "4"),
        (31, "8"),
        (61, "16"),
        (91, "32"),
        (121, "64"),
    ]:
        due = AS_OF - timedelta(days=days_overdue)
        add_invoice(env, acme, amount, issue_date=due - timedelta(days=30))
    aging = get_aging(GetAging(), env.uow())
    assert aging.report.labels == ("current", "1-30", "31-60", "61-90", "91-120", "over 120")
    (row,) = aging.report.rows
    assert [row.buckets[label].amount for label in aging.report.labels] == [
        Decimal("1.00"),
        Decimal("6.00"),
        Decimal("8.00"),
        Decimal("16.00"),
        Decimal("32.00"),
        Decimal("64.00"),
    ]
    assert row.total == usd("127.00") and row.item_count == 7
    assert aging.report.base_total == usd("127.00")


def test_basis_invoice_date_and_company_edges(env):
    acme = add_customer(env, "Acme")
    add_invoice(env, acme, "10.00", issue_date=AS_OF - timedelta(days=20), due_days=30)
    uow = env.uow()
    with uow:
        uow.companies.update_settings(uow.company.id, {"aging_buckets": [15, 45]})
        uow.commit()
    by_due = get_aging(GetAging(basis="due"), env.uow())
    by_invoice = get_aging(GetAging(basis="invoice"), env.uow())
    assert by_due.report.labels == ("current", "1-15", "16-45", "over 45")
    assert by_due.report.rows[0].buckets["current"] == usd("10.00")
    assert by_invoice.report.rows[0].buckets["16-45"] == usd("10.00")


def test_groupings_parent_collector_and_currency_with_fx(env):
    parent = add_customer(env, "Group HQ", external_id="HQ", collector="kim", segment="retail")
    child = add_customer(
        env, "Group Branch", external_id="BR", parent_id=parent, collector="lee", currency="EUR"
    )
    add_invoice(env, parent, "100.00", issue_date=date(2026, 1, 1))
    add_invoice(env, child, "50.00", issue_date=date(2026, 1, 1), currency="EUR")
    with pytest.raises(InvalidInput, match="EUR"):
        get_aging(GetAging(by="parent"), env.uow())
    uow = env.uow()
    with uow:
        uow.companies.update_settings(uow.company.id, {"fx_rates": {"EUR": "1.08"}})
        uow.commit()
    by_parent = get_aging(GetAging(by="parent"), env.uow())
    assert {(r.group, r.currency, r.total.amount) for r in by_parent.report.rows} == {
        ("HQ", "USD", Decimal("100.00")),
        ("HQ", "EUR", Decimal("50.00")),
    }
    assert by_parent.report.base_total == usd("154.00")
    by_collector = get_aging(GetAging(by="collector"), env.uow())
    assert {r.group for r in by_collector.report.rows} == {"kim", "lee"}
    by_currency = get_aging(GetAging(by="currency"), env.uow())
    assert {r.group for r in by_currency.report.rows} == {"USD", "EUR"}


# -- as-of reconstruction --------------------------------------------------------------

step = st.one_of(
    st.tuples(st.just("invoice"), st.integers(1, 3), st.integers(50, 900), st.integers(0, 3)),
    st.tuples(st.just("pay"), st.integers(0, 9), st.integers(1, 100), st.booleans()),
    st.tuples(
        st.just("credit"), st.integers(0, 9), st.sampled_from(["0.1", "0.5"]), st.just(False)
    ),
    st.tuples(st.just("write_off"), st.integers(0, 9), st.integers(50, 95), st.just(False)),
)
history = st.lists(st.tuples(st.integers(0, 25), step), min_size=3, max_size=9)


class Book:
    """Drives one company's history through the real services."""

    def __init__(self, engine):
        self.env = make_env(engine, today=date(2026, 1, 5))
        self.env.add_user("clara", "clerk")
        self.env.add_user("sam", "specialist")
        for n in (1, 2, 3):
            customers_svc.create_customer(
                customers_svc.CreateCustomer(
                    f"C{n}", f"Customer {n}", "USD", {"payment_terms": "NET 30"}
                ),
                self.env.uow("clara"),
            )
        self.invoices: list[str] = []
        self.receipts = 0

    def open_of(self, number: str) -> Money:
        return billing_svc.get_document(self.env.uow(), number).open

    def do(self, kind, a, b, c) -> None:
        if kind == "invoice":
            # issued today (a document dated in the past would change what past days showed)
            cmd = billing_svc.CreateDraft(
                f"C{a}",
                [LineInput("Work", "1", str(b))],
                issue_date=self.env.clock.now().date(),
                terms=f"NET {(10, 30, 45, 60)[c]}",
            )
            self.invoices.append(
                billing_svc.create_draft(cmd, self.env.uow("clara"), issue=True).number
            )
            return
        if not self.invoices:
            return
        number = self.invoices[a % len(self.invoices)]
        open_now = self.open_of(number)
        if open_now.is_zero():
            return
        if kind == "credit":
            credit = Money(open_now.amount * Decimal(b), "USD").round()  # of what is open
            if not credit.is_zero():
                memos.request_credit_memo(
                    memos.RequestCreditMemo(number, "adjustment", amount=credit.amount),
                    self.env.uow("clara"),
                )
        elif kind == "pay":
            cash = Money(open_now.amount * b / 100, "USD").round()
            extra = usd("25.00") if c else usd("0")
            if cash.is_zero():
                return
            rid = self.receive(cash + extra)
            apply_receipt(
                ApplyReceipt(rid, (Target(number, cash.amount),), keep_remainder_as_credit=bool(c)),
                self.env.uow("sam"),
            )
        elif kind == "write_off":
            cash = Money(open_now.amount * b / 100, "USD").round()
            rid = self.receive(cash)
            apply_receipt(
                ApplyReceipt(rid, (Target(number, cash.amount, (open_now - cash).amount),)),
                self.env.uow("sam"),
            )

    def receive(self, amount: Money) -> int:
        self.receipts += 1
        ref = f"R{self.receipts}"
        line = StatementLine(
            amount=amount.amount,
            currency="USD",
            direction=Direction.CREDIT,
            value_date=self.env.clock.now().date(),
            bank_reference=ref,
            method=Method.ACH,
            source_position=ref,
        )
        import_bank_file(
            ImportBankFile(
                ParsedFile("csv", (Statement("1", "USD", (line,)),)),
                f"{ref}.csv",
                f"sha-{ref}-{self.env.code}",
            ),
            self.env.uow(),
        )
        uow = self.env.uow()
        with uow:
            return int(uow.cash.receipt_by_reference(ref)["id"])


@settings(
    max_examples=20,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history)
def test_aging_as_of_a_past_date_equals_the_aging_shown_that_day(engine, steps):
    book = Book(engine)
    shown: dict[tuple[date, str], dict] = {}
    for advance, (kind, a, b, c) in steps:
        book.env.clock.advance(days=advance)
        book.do(kind, a, b, c)
        today = book.env.clock.now().date()
        for by in ("customer", "currency"):
            shown[(today, by)] = rows(get_aging(GetAging(by=by), book.env.uow()))
    book.env.clock.advance(days=40)
    for (day, by), expected in shown.items():
        recomputed = get_aging(GetAging(as_of=day, by=by), book.env.uow())
        assert recomputed.reconstructed
        assert rows(recomputed) == expected, (day, by)


def test_unapplied_cash_and_credits_beside_the_aging(env):
    acme = add_customer(env, "Acme", external_id="ACME")
    add_invoice(env, acme, "100.00", issue_date=date(2026, 1, 1))
    line = StatementLine(
        amount=Decimal("40.00"),
        currency="USD",
        direction=Direction.CREDIT,
        value_date=AS_OF,
        bank_reference="U1",
        method=Method.ACH,
    )
    import_bank_file(
        ImportBankFile(ParsedFile("csv", (Statement("1", "USD", (line,)),)), "u.csv", "sha-u"),
        env.uow(),
    )
    aging = get_aging(GetAging(), env.uow())
    by_group = {r.group: r for r in aging.report.rows}
    assert by_group["ACME"].total == usd("100.00")
    assert by_group["(unidentified)"].unapplied_cash == usd("40.00")
    assert json.dumps(sorted(by_group))  # groups are plain strings
