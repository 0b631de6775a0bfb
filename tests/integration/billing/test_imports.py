"""Imports of customers and open invoices: validation, rejects, idempotence, postings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from owed.adapters.tables import read_table
from owed.domain.errors import InvalidFile, NotPermitted
from owed.domain.money import Money
from owed.services import billing as svc
from owed.services import customers as customers_svc
from owed.services.billing_imports import ImportInvoices, import_invoices
from owed.services.customer_imports import ImportCustomers, import_customers
from owed.services.imports_common import ImportTable
from tests.integration.billing.conftest import ar_by_customer, open_by_customer

CUSTOMER_HEADER = [
    "Customer_ID",
    "Name",
    "Currency",
    "Payment_Terms",
    "Email",
    "Parent_ID",
    "Country",
    "Tax_ID",
    "Credit_Limit",
]
INVOICE_HEADER = [
    "invoice_number",
    "customer_id",
    "issue_date",
    "due_date",
    "currency",
    "amount",
    "open_amount",
    "po_number",
]
CUSTOMERS = [
    ["K1", "Kappa GmbH", "EUR", "NET 30", "ap@kappa.example", "K0", "DE", "DE136695976", "5000"],
    ["K0", "Kappa Holding", "EUR", "2/10 net 30", "", "", "DE", "", ""],
    ["U1", "Upsilon LLC", "USD", "", "", "", "US", "", "1000.50"],
]


def customers_table(rows=CUSTOMERS):
    return ImportTable("customers.csv", CUSTOMER_HEADER, [list(r) for r in rows])


def invoices_table(rows):
    return ImportTable("invoices.csv", INVOICE_HEADER, [list(r) for r in rows])


GOOD_INVOICES = [
    ["A-1", "K1", "2026-01-10", "2026-02-09", "EUR", "1190.00", "1190.00", "PO1"],
    ["A-2", "K1", "2026-02-01", "2026-03-03", "EUR", "500.00", "120.50", ""],
    ["A-3", "U1", "2026-02-15", "2026-03-17", "USD", "99.99", "", ""],
    ["A-4", "U1", "2026-01-05", "2026-02-04", "USD", "10.00", "0", ""],
]


@pytest.fixture
def with_customers(env):
    import_customers(ImportCustomers(customers_table()), env.uow("clara"))
    return env


def test_customer_import_normalizes_and_links_parents(env):
    result = import_customers(ImportCustomers(customers_table()), env.uow("clara"))
    assert (result.read, result.imported, result.rejects) == (3, 3, [])
    k1 = customers_svc.get_customer(env.uow("lena"), "K1")
    k0 = customers_svc.get_customer(env.uow("lena"), "K0")
    assert k1.parent_id == k0.id  # the parent came later in the file
    assert k1.tax_id == "DE136695976" and k1.credit_limit == Money("5000.00", "EUR")
    assert k0.payment_terms == "2/10 NET 30"
    again = import_customers(ImportCustomers(customers_table()), env.uow("clara"))
    assert (again.imported, again.unchanged, again.changed) == (0, 3, [])


def test_customer_import_reports_every_bad_row_and_imports_nothing(env):
    rows = [
        *CUSTOMERS,
        ["B1", "Bad tax", "EUR", "", "", "", "DE", "DE123", ""],
        ["B2", "Bad terms", "EUR", "whenever", "", "", "", "", ""],
        ["B3", "Bad limit", "JPY", "", "", "", "", "", "10.5"],
        ["B4", "Orphan", "EUR", "", "", "NOPE", "", "", ""],
    ]
    with pytest.raises(InvalidFile) as caught:
        import_customers(ImportCustomers(customers_table(rows)), env.uow("clara"))
    assert [p.row for p in caught.value.problems] == [5, 6, 7, 8]
    assert "tax id" in caught.value.problems[0].reason
    assert "payment_terms" in caught.value.problems[1].reason
    assert "decimal place" in caught.value.problems[2].reason
    assert "parent_id 'NOPE'" in caught.value.problems[3].reason
    assert customers_svc.list_customers(env.uow()) == []


def test_invoice_import_posts_one_opening_entry_per_currency(with_customers):
    env = with_customers
    result = import_invoices(
        ImportInvoices(invoices_table(GOOD_INVOICES), as_of=date(2026, 3, 1)), env.uow("clara")
    )
    assert (result.read, result.imported, len(result.entry_ids)) == (4, 4, 2)
    docs = {d.number: d for d in svc.list_documents(env.uow())}
    assert docs["A-2"].status.value == "partially_paid"
    assert docs["A-2"].open == Money("120.50", "EUR")
    assert docs["A-3"].open == Money("99.99", "USD")  # open_amount defaults to amount
    assert docs["A-4"].status.value == "paid"
    # EUR: Dr AR 1,190.00 and 120.50 (A-2) / Cr opening balance equity 1,310.50
    uow = env.uow()
    with uow:
        eur = uow.ledger.get_entry(result.entry_ids[0])
        settlements = uow.billing.settlements_of(docs["A-2"].id)
    assert [(ln.account, str(ln.amount.amount), ln.document_id) for ln in eur.lines] == [
        ("1200", "1190.00", docs["A-1"].id),
        ("1200", "120.50", docs["A-2"].id),
        ("3900", "-1310.50", None),
    ]
    assert eur.entry_date == date(2026, 3, 1)
    assert [(s["kind"], s["amount_minor"], s["on_date"]) for s in settlements] == [
        ("opening", 37950, date(2026, 3, 1))
    ]
    assert ar_by_customer(env) == open_by_customer(env)


def test_invoice_file_with_one_bad_row_imports_nothing_and_names_the_row(with_customers):
    env = with_customers
    rows = [*GOOD_INVOICES, ["A-5", "U1", "2026-02-30", "2026-03-17", "USD", "5.00", "", ""]]
    with pytest.raises(InvalidFile) as caught:
        import_invoices(ImportInvoices(invoices_table(rows)), env.uow("clara"))
    assert [str(p) for p in caught.value.problems] == [
        "row 6: issue_date '2026-02-30' is not a date (YYYY-MM-DD)"
    ]
    assert svc.list_documents(env.uow()) == []
    assert ar_by_customer(env) == {}


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["X", "K1", "2026-01-01", "2026-01-31", "EUR", "10.001", "", ""], "more than the 2"),
        (["X", "K1", "2026-01-01", "2026-01-31", "EUR", "10", "11", ""], "between 0 and amount"),
        (["X", "ZZ", "2026-01-01", "2026-01-31", "EUR", "10", "", ""], "not a known customer"),
        (["X", "K1", "2026-01-01", "2025-12-31", "EUR", "10", "", ""], "before issue_date"),
        (["X", "K1", "2026-01-01", "2026-01-31", "EURO", "10", "", ""], "ISO 4217"),
        (["X", "K1", "2026-01-01", "2026-01-31", "EUR", "ten", "", ""], "not a decimal"),
        (["A-1", "K1", "2026-01-01", "2026-01-31", "EUR", "10", "", ""], "repeats row 2"),
    ],
)
def test_each_bad_invoice_row_is_named(with_customers, row, reason):
    rows = [GOOD_INVOICES[0], row]
    with pytest.raises(InvalidFile) as caught:
        import_invoices(ImportInvoices(invoices_table(rows)), with_customers.uow("clara"))
    assert caught.value.problems[0].row == 3
    assert reason in caught.value.problems[0].reason


def test_skip_invalid_imports_the_rest_and_returns_the_rejects(with_customers):
    env = with_customers
    rows = [*GOOD_INVOICES, ["A-5", "NOPE", "2026-02-01", "2026-03-03", "EUR", "5.00", "", ""]]
    result = import_invoices(
        ImportInvoices(invoices_table(rows), skip_invalid=True), env.uow("clara")
    )
    assert result.imported == 4
    assert [(r.row, r.cells[0]) for r in result.rejects] == [(6, "A-5")]
    assert len(svc.list_documents(env.uow())) == 4


def test_reimport_creates_nothing_twice_and_reports_changed_amounts(with_customers):
    env = with_customers
    import_invoices(ImportInvoices(invoices_table(GOOD_INVOICES)), env.uow("clara"))
    balances = ar_by_customer(env)
    changed = [list(r) for r in GOOD_INVOICES]
    changed[2][5] = "109.99"
    again = import_invoices(ImportInvoices(invoices_table(changed)), env.uow("clara"))
    assert (again.imported, again.unchanged, len(again.changed)) == (0, 3, 1)
    assert "A-3 already exists" in again.changed[0].reason
    assert "not applied" in again.changed[0].reason
    assert len(svc.list_documents(env.uow())) == 4
    assert ar_by_customer(env) == balances


def test_header_mapping_and_case(with_customers):
    env = with_customers
    header = ["Beleg", "CUSTOMER_ID", "Issue_Date", "due_date", "currency", "Betrag"]
    table = ImportTable("x.csv", header, [["B-1", "K1", "2026-01-01", "2026-01-31", "EUR", "7"]])
    result = import_invoices(
        ImportInvoices(table, {"beleg": "invoice_number", "betrag": "amount"}), env.uow("clara")
    )
    assert result.imported == 1
    with pytest.raises(InvalidFile, match="missing column"):
        import_invoices(ImportInvoices(ImportTable("y.csv", header, [])), env.uow("clara"))


def test_import_needs_the_import_permission(with_customers):
    with pytest.raises(NotPermitted):
        import_invoices(ImportInvoices(invoices_table(GOOD_INVOICES)), with_customers.uow("ann"))
    assert svc.list_documents(with_customers.uow()) == []


def test_xlsx_file_is_read_exactly(with_customers, tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.append(INVOICE_HEADER)
    sheet.append(["X-1", "K1", date(2026, 1, 2), date(2026, 2, 1), "EUR", 1234.56, 0.1, None])
    path = tmp_path / "open.xlsx"
    book.save(path)
    result = import_invoices(ImportInvoices(read_table(path)), with_customers.uow("clara"))
    assert result.imported == 1
    doc = svc.get_document(with_customers.uow(), "X-1")
    assert (doc.total, doc.open, doc.issue_date) == (
        Money("1234.56", "EUR"),
        Money("0.10", "EUR"),
        date(2026, 1, 2),
    )
