"""Files a bank or an ERP would send, written from demo data.

* ``write_bai2``: a BAI2 prior-day file for one US account (``_bai2_writer``);
* ``write_camt053``: an ISO 20022 camt.053.001.08 statement (``_camt_writer``);
* ``write_customers_csv`` / ``write_invoices_csv``: the import formats, with
  exactly the import columns first and the optional ones after;
* ``write_bank_files``: today's bank activity of a ``DemoCompany`` as the
  files the demo imports (USD as BAI2, EUR and GBP as CAMT.053, one file per
  report day and account).

Each writer is deterministic (the same values give the same bytes) and the
files parse with ``owed.adapters.bankfiles`` with every control total and
balance agreeing; ``tests/unit/simulation`` checks that with the real parsers.
CSV amounts are plain decimals with a dot (``1234.50``), dates ISO 8601.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from owed.simulation import _bai2_writer, _camt_writer
from owed.simulation.demo_model import DemoCompany, DemoCustomer, DemoInvoice, DemoReceipt

CUSTOMER_COLUMNS = (
    "customer_id", "name", "currency", "payment_terms", "email", "parent_id", "country",
    "tax_id", "credit_limit", "segment", "risk_class", "collector", "language", "po_required",
)  # fmt: skip
INVOICE_COLUMNS = (
    "invoice_number", "customer_id", "issue_date", "due_date", "currency", "amount",
    "open_amount", "po_number",
)  # fmt: skip


def write_bai2(
    path: Path | str,
    account: str,
    currency: str,
    receipts: Sequence[DemoReceipt],
    as_of: date,
    file_id: str,
) -> Path:
    """Write the BAI2 file reporting ``receipts`` on ``account`` for ``as_of``."""
    target = Path(path)
    text = _bai2_writer.render(account, currency, receipts, as_of, file_id)
    target.write_bytes(text.encode("utf-8"))
    return target


def write_camt053(
    path: Path | str,
    account_iban: str,
    currency: str,
    receipts: Sequence[DemoReceipt],
    as_of: date,
    msg_id: str,
    *,
    opening_balance: Decimal = Decimal("0.00"),
) -> Path:
    """Write a camt.053.001.08 statement of ``receipts`` on ``account_iban`` for ``as_of``."""
    target = Path(path)
    target.write_bytes(
        _camt_writer.render(account_iban, currency, receipts, as_of, msg_id, opening_balance)
    )
    return target


def write_rows(path: Path | str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    """A UTF-8 CSV file with ``header`` then ``rows`` (``\n`` line ends, minimal quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    target = Path(path)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def customer_row(c: DemoCustomer) -> list[str]:
    return [
        c.external_id, c.name, c.currency, c.payment_terms, c.email, c.parent_id or "",
        c.country, c.tax_id, str(c.credit_limit), c.segment, c.risk_class, c.collector,
        c.language, "true" if c.po_required else "false",
    ]  # fmt: skip


def invoice_row(i: DemoInvoice) -> list[str]:
    return [
        i.number, i.customer_id, i.issue_date.isoformat(), i.due_date.isoformat(), i.currency,
        str(i.amount), str(i.open_amount), i.po_number or "",
    ]  # fmt: skip


def write_customers_csv(path: Path | str, customers: Iterable[DemoCustomer]) -> Path:
    return write_rows(path, CUSTOMER_COLUMNS, (customer_row(c) for c in customers))


def write_invoices_csv(path: Path | str, invoices: Iterable[DemoInvoice]) -> Path:
    return write_rows(path, INVOICE_COLUMNS, (invoice_row(i) for i in invoices))


def write_bank_files(company: DemoCompany, directory: Path | str) -> list[Path]:
    """Today's receipts as one file per report day and account; returns the paths written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for day in company.report_days:
        stamp = day.strftime("%Y%m%d")
        usd = company.receipts_reported_on(day, "USD")
        written.append(
            write_bai2(
                folder / f"bank_usd_{stamp}.bai2", company.bank_accounts["USD"], "USD", usd, day,
                f"{stamp}01",
            )
        )  # fmt: skip
        for currency in ("EUR", "GBP"):
            receipts = company.receipts_reported_on(day, currency)
            written.append(
                write_camt053(
                    folder / f"bank_{currency.lower()}_{stamp}.xml",
                    company.bank_accounts[currency], currency, receipts, day,
                    f"OWED{currency}{stamp}",
                )
            )  # fmt: skip
    return written
