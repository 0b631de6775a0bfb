"""Worked examples: issuing invoices, with their totals, dates and ledger entries."""

from __future__ import annotations

from datetime import date

import pytest

from owed.domain.errors import ClosedPeriod, InvalidTransition, NotPermitted, RuleViolation
from owed.domain.money import Money
from owed.services import billing as svc
from owed.services.ledger import ClosePeriod, close_period
from tests.integration.billing.conftest import (
    add_customer,
    add_tax,
    ar_by_customer,
    entry_lines,
    invoice,
    open_by_customer,
)


def usd(text: str) -> Money:
    return Money(text, "USD")


def test_two_ten_net_thirty_invoice_dates_discount_and_posting(env):
    add_customer(env, "C1", payment_terms="2/10 NET 30")
    add_tax(env, "ST8", "8")
    doc = invoice(env, "C1", [("Consulting", "10", "150.00", "ST8")], issue_date=date(2026, 3, 2))

    assert doc.number == "INV-000001"
    assert (doc.net, doc.tax, doc.total, doc.open) == (
        usd("1500.00"),
        usd("120.00"),
        usd("1620.00"),
        usd("1620.00"),
    )
    assert doc.due_date == date(2026, 4, 1)  # 30 days after 2 March
    assert doc.discount_date == date(2026, 3, 12)  # 10 days after issue
    assert doc.discount == usd("32.40")  # 2 % of 1,620.00
    assert doc.rf_reference == "RF69INV000001"
    # Dr AR 1,620.00 (customer, document) / Cr revenue 1,500.00 / Cr tax payable 120.00
    assert entry_lines(env, "document", doc.id) == [
        [["1200", "1620.00", True], ["4000", "-1500.00", False], ["2200", "-120.00", False]]
    ]


def test_tax_exclusive_totals_with_several_rates(env):
    add_customer(env)
    add_tax(env, "S19", "19")
    add_tax(env, "R7", "7")
    doc = invoice(
        env,
        "C1",
        [
            ("Laptop", "1", "999.99", "S19"),
            ("Book", "3", "12.35", "R7"),
            ("Cable", "2", "4.99", "S19"),
            ("Postage", "1", "5.00", None),
        ],
    )
    # net 999.99 + 37.05 + 9.98 + 5.00; tax per line: 190.00 + 2.59 + 1.90 (half-up)
    assert doc.net == usd("1052.02")
    assert doc.tax == usd("194.49")
    assert doc.total == usd("1246.51")
    assert [(ln.net, ln.tax) for ln in doc.lines] == [
        (usd("999.99"), usd("190.00")),
        (usd("37.05"), usd("2.59")),
        (usd("9.98"), usd("1.90")),
        (usd("5.00"), usd("0.00")),
    ]
    assert entry_lines(env, "document", doc.id) == [
        [["1200", "1246.51", True], ["4000", "-1052.02", False], ["2200", "-194.49", False]]
    ]


def test_tax_inclusive_prices_per_document_rounding(env):
    svc.configure_billing(svc.ConfigureBilling("per_document", True), env.uow())
    add_customer(env)
    add_tax(env, "S19", "19")
    add_tax(env, "R7", "7")
    doc = invoice(
        env,
        "C1",
        [("A", "1", "11.90", "S19"), ("B", "1", "11.90", "S19"), ("C", "1", "10.70", "R7")],
    )
    # gross 23.80 at 19 % holds 3.80 tax; 10.70 at 7 % holds 0.70
    assert doc.total == usd("34.50")
    assert doc.tax == usd("4.50")
    assert doc.net == usd("30.00")
    assert entry_lines(env, "document", doc.id) == [
        [["1200", "34.50", True], ["4000", "-30.00", False], ["2200", "-4.50", False]]
    ]


def test_numbers_are_gap_free_per_series_and_drafts_have_none(env):
    add_customer(env)
    draft = invoice(env, "C1", [("A", "1", "10.00", None)], issue=False)
    assert draft.number.startswith("DRAFT-")
    with pytest.raises(RuleViolation):  # PO required below: the issue rolls back
        add_customer(env, "C2", po_required=True)
        invoice(env, "C2", [("A", "1", "10.00", None)])
    issued = svc.issue_document(svc.IssueDocument(draft.number), env.uow("clara"))
    second = invoice(env, "C1", [("B", "1", "5.00", None)])
    assert (issued.number, second.number) == ("INV-000001", "INV-000002")


def test_po_required_refuses_issue_without_po_and_accepts_with(env):
    add_customer(env, "C2", po_required=True)
    with pytest.raises(RuleViolation, match="purchase order"):
        invoice(env, "C2", [("A", "1", "10.00", None)])
    assert svc.list_documents(env.uow(), "C2") == []  # nothing stored: one transaction
    doc = invoice(env, "C2", [("A", "1", "10.00", None)], po_number="PO-7")
    assert doc.po_number == "PO-7"


def test_posting_into_a_closed_period_is_refused_and_changes_nothing(env):
    add_customer(env)
    close_period(ClosePeriod("2026-02"), env.uow())
    with pytest.raises(ClosedPeriod):
        invoice(env, "C1", [("A", "1", "10.00", None)], issue_date=date(2026, 2, 27))
    assert svc.list_documents(env.uow()) == []
    assert ar_by_customer(env) == {}


def test_permission_failure_changes_nothing(env):
    add_customer(env)
    with pytest.raises(NotPermitted):
        invoice(env, "C1", [("A", "1", "10.00", None)], user="ann")  # analyst: read only
    assert svc.list_documents(env.uow()) == []


def test_void_reverses_the_posting_and_records_a_void_settlement(env):
    customer = add_customer(env)
    doc = invoice(env, "C1", [("A", "2", "50.00", None)])
    voided = svc.void_document(svc.VoidDocument(doc.number, "wrong customer"), env.uow("clara"))
    assert voided.status.value == "voided"
    assert voided.open == usd("0.00")
    entries = entry_lines(env, "document", doc.id)
    assert entries == [
        [["1200", "100.00", True], ["4000", "-100.00", False]],
        [["1200", "-100.00", True], ["4000", "100.00", False]],
    ]
    assert ar_by_customer(env) == {}
    uow = env.uow()
    with uow:
        rows = uow.billing.settlements_of(doc.id)
    assert [(r["kind"], r["amount_minor"]) for r in rows] == [("void", 10000)]
    with pytest.raises(InvalidTransition):
        svc.void_document(svc.VoidDocument(doc.number, "again"), env.uow("clara"))
    assert customer.id not in {k[0] for k in open_by_customer(env)}


def test_debit_memo_posts_like_an_invoice(env):
    add_customer(env)
    inv = invoice(env, "C1", [("A", "1", "100.00", None)])
    cmd = svc.CreateDraft(
        "C1",
        [svc_line("Freight omitted", "1", "25.00")],
        kind=svc.DocumentKind.DEBIT_MEMO,
        related=inv.number,
    )
    memo = svc.create_draft(cmd, env.uow("clara"), issue=True)
    assert memo.number == "DM-000001"
    assert entry_lines(env, "document", memo.id) == [
        [["1200", "25.00", True], ["4000", "-25.00", False]]
    ]
    assert ar_by_customer(env) == open_by_customer(env)


def svc_line(description: str, quantity: str, price: str):
    from owed.services.billing_model import LineInput

    return LineInput(description, quantity, price)
