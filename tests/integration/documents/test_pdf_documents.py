"""Invoices, statements and letters render to PDFs that say the right things.

Each PDF is read back with poppler's pdftotext/pdfinfo, so the assertions are
about what a reader of the document sees, not about reportlab internals.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from reportlab.lib.utils import ImageReader

from owed.adapters.documents import render_invoice, render_letter, render_statement
from owed.domain.errors import ConfigurationError, InvalidInput
from owed.domain.money import Money
from tests.integration.documents.builders import (
    company,
    invoice_view,
    letter_view,
    statement_view,
)
from tests.integration.documents.pdftools import pdf_info, pdf_pages, pdf_text


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


class TestInvoice:
    def test_is_a_pdf_with_number_total_due_date_and_rf_reference(self) -> None:
        view = invoice_view()
        data = render_invoice(view, company())
        assert data.startswith(b"%PDF-")
        text = pdf_text(data)
        assert "INVOICE" in text
        assert "INV-2026-00042" in text
        assert "4,407.38 EUR" in text  # total: 3 x 1,234.56 + 19 % tax
        assert "4,307.38 EUR" in text  # balance due after 100.00 paid
        assert "14 Feb 2026" in text and "15 Jan 2026" in text
        assert "PO-88231" in text and "Net 30 days" in text
        assert "RF18 5390 0754 7034" in text  # print form, groups of four
        assert "RF18539007547034" in squeeze(text)
        assert "Contoso Retail Ltd" in text and "Contoso Warehouse" in text

    def test_every_line_is_listed_with_its_amount(self) -> None:
        text = pdf_text(render_invoice(invoice_view(lines=3), company()))
        for i in (1, 2, 3):
            assert f"Valve assembly item {i}" in text
        assert text.count("1,234.56") == 3

    def test_remittance_box_names_bank_details_and_what_to_quote(self) -> None:
        text = pdf_text(render_invoice(invoice_view(), company()))
        assert "How to pay" in text
        assert "IBAN DE89 3704 0044 0532 0130 00" in text
        assert re.search(r"Invoice no\.\s+INV-2026-00042\s+·\s+Payment reference", text)

    def test_metadata_names_the_document_and_the_company(self) -> None:
        info = pdf_info(render_invoice(invoice_view(), company()))
        assert info["Title"] == "Invoice INV-2026-00042"
        assert info["Author"] == "Northwind Components GmbH"
        assert info["Pages"] == "1"

    def test_single_page_has_no_page_numbers(self) -> None:
        assert "Page 1 of" not in pdf_text(render_invoice(invoice_view(), company()))

    def test_200_lines_flow_over_pages_with_header_row_and_page_x_of_y(self) -> None:
        data = render_invoice(invoice_view(lines=200), company())
        pages = pdf_pages(data)
        count = len(pages)
        assert count > 1
        assert pdf_info(data)["Pages"] == str(count)
        for number, page in enumerate(pages, start=1):
            assert f"Page {number} of {count}" in page
            assert "Description" in page and "Net (EUR)" in page  # repeated header row
        text = "".join(pages)
        assert all(
            f"Valve assembly item {i}\n" in text or f"Valve assembly item {i} " in text
            for i in (1, 100, 200)
        )
        assert "Balance due" in pages[-1]
        assert "Balance due" not in pages[0]

    def test_credit_memo_says_so_and_asks_for_no_payment(self) -> None:
        view = replace(invoice_view(kind="credit_memo"), amount_paid=None, balance_due=None)
        text = pdf_text(render_invoice(view, company()))
        assert "CREDIT MEMO" in text
        assert "Credit memo no." in text
        assert "no payment is due" in text
        assert "Total credit" in text and "4,407.38 EUR" in text
        assert "How to pay" not in text
        assert "INVOICE" not in text

    def test_german_invoice_uses_german_labels_dates_and_numbers(self) -> None:
        text = pdf_text(render_invoice(invoice_view(language="de"), company()))
        assert "RECHNUNG" in text
        assert "4.407,38 EUR" in text
        assert "14. Feb. 2026" in text
        assert "Zahlungsreferenz" in text

    def test_same_view_renders_to_the_same_bytes(self) -> None:
        assert render_invoice(invoice_view(), company()) == render_invoice(
            invoice_view(), company()
        )

    def test_text_with_markup_characters_is_printed_literally(self) -> None:
        view = replace(invoice_view(), terms="Net 30 <b>days</b> & 2 % early")
        assert "Net 30 <b>days</b> & 2 % early" in pdf_text(render_invoice(view, company()))

    def test_logo_is_drawn_when_given(self, tmp_path: Path) -> None:
        from PIL import Image

        path = tmp_path / "logo.png"
        Image.new("RGB", (400, 100), (23, 69, 107)).save(path)
        assert ImageReader(str(path)).getSize() == (400, 100)
        with_logo = render_invoice(invoice_view(), company(logo_path=path))
        without = render_invoice(invoice_view(), company())
        assert b"/Subtype /Image" in with_logo
        assert b"/Subtype /Image" not in without

    def test_missing_logo_is_a_configuration_error(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigurationError, match="logo not found"):
            render_invoice(invoice_view(), company(logo_path=tmp_path / "none.png"))

    def test_view_refuses_an_amount_in_another_currency(self) -> None:
        with pytest.raises(InvalidInput, match="tax is in USD but the document is in EUR"):
            replace(invoice_view(), tax=Money("1.00", "USD"))

    def test_view_refuses_an_unknown_kind(self) -> None:
        with pytest.raises(InvalidInput, match="kind 'quote'"):
            replace(invoice_view(), kind="quote")  # type: ignore[arg-type]

    def test_amount_due_is_the_balance_when_given_else_the_total(self) -> None:
        view = invoice_view()
        assert view.amount_due == view.balance_due
        assert replace(view, balance_due=None).amount_due == view.total


class TestStatement:
    def test_activity_statement_runs_from_opening_to_closing_balance(self) -> None:
        view = statement_view("activity")
        data = render_statement(view, company())
        assert data.startswith(b"%PDF-")
        text = pdf_text(data)
        assert "STATEMENT OF ACCOUNT" in text and "Account activity" in text
        assert "Opening balance" in text and "1,000.00" in text
        assert "Closing balance" in text and "2,050.75 EUR" in text  # 1000 + 3x750.25 - 2x400
        assert "1 Jan 2026 – 28 Feb 2026" in text
        for line in view.lines:
            assert line.document in text

    def test_open_item_statement_shows_due_dates_and_no_opening_balance(self) -> None:
        view = replace(statement_view("open_item"), lines=statement_view().lines[::2])
        text = pdf_text(render_statement(view, company()))
        assert "Open items" in text
        assert "Opening balance" not in text
        assert "4 Feb 2026" in text  # due date of INV-0 (5 Jan + 30 days)

    def test_aging_row_and_remittance(self) -> None:
        text = pdf_text(render_statement(statement_view(), company()))
        for label in ("Current", "1-30", "31-60", "61-90", "90+"):
            assert label in text
        assert "1,750.75 EUR" in text  # current bucket
        assert "How to pay" in text and "Customer no. C-1007" in text

    def test_statement_refuses_aging_in_another_currency(self) -> None:
        view = statement_view()
        bucket = replace(view.aging[0], amount=Money("1", "USD"))
        with pytest.raises(InvalidInput, match="aging Current"):
            replace(view, aging=(bucket,))


class TestLetter:
    def test_letter_shows_level_body_items_and_total(self) -> None:
        data = render_letter(letter_view(), company())
        assert data.startswith(b"%PDF-")
        text = pdf_text(data)
        assert "Final notice" in text
        assert "Despite our reminders" in text
        assert "INV-2026-00012" in text and "INV-2026-00017" in text
        assert "Total due" in text and "2,510.25 EUR" in text
        assert "DUN-3-0042" in text and "1 Mar 2026" in text
        assert pdf_info(data)["Title"] == "Final notice – Contoso Retail Ltd"

    def test_letter_refuses_items_in_another_currency(self) -> None:
        view = letter_view()
        item = replace(view.items[0], open_amount=Money("1", "USD"))
        with pytest.raises(InvalidInput, match="INV-2026-00012"):
            replace(view, items=(item,))
