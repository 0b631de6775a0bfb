"""The bank import's bulk path: one dedupe query, postings first, receipts inserted with them.

Sizes cross the old 900-key chunk so the single-query dedupe lookup is exercised
with more keys than any one chunk held.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from owed.adapters.db.schema import journal_entries, journal_lines
from owed.adapters.db.schema_cash import receipts
from owed.domain.payments.statement import Direction, RemittanceLine
from tests.integration.cash.test_cash_application import import_lines, line
from tests.integration.disputes.helpers import assert_books_hold


def _lines(start: int, count: int) -> list:
    return [
        line(
            f"{100 + i}.{i % 100:02d}",
            ref=f"BULK-{i}",
            payer=f"PAYER {i % 7}",
            remittance=(RemittanceLine(f"INV-{i}", paid=Decimal(f"{100 + i}.{i % 100:02d}")),)
            if i % 3 == 0
            else (),
            day=date(2026, 3, 1 + i % 10),
        )
        for i in range(start, start + count)
    ]


def test_a_large_file_is_imported_with_each_receipt_posted_once(env) -> None:
    first = import_lines(env, *_lines(0, 1000), name="first.csv")
    assert (first.receipts_created, first.duplicates) == (1000, 0)
    # 920 known keys (more than one old 900-key chunk), 100 new, one returned payment.
    ret = line("101.01", ref="BULK-1-RET", direction=Direction.DEBIT, reversal=True)
    second = import_lines(env, *_lines(80, 920), *_lines(1000, 100), ret, name="second.csv")
    assert (second.receipts_created, second.returns_created, second.duplicates) == (100, 1, 920)
    assert len(second.receipt_ids) == 101 and len(set(second.receipt_ids)) == 101
    again = import_lines(env, *_lines(0, 1100), name="third.csv")  # all known by now
    assert (again.receipts_created, again.duplicates, again.receipt_ids) == (0, 1100, [])
    with env.uow() as uow:
        rows = uow.conn.execute(
            select(
                receipts.c.id,
                receipts.c.kind,
                receipts.c.bank_reference,
                receipts.c.amount_minor,
                receipts.c.remittance,
                receipts.c.entry_id,
                journal_entries.c.source_type,
                journal_entries.c.entry_date,
                receipts.c.value_date,
            )
            .join(journal_entries, journal_entries.c.id == receipts.c.entry_id)
            .where(receipts.c.company_id == uow.company.id)
            .order_by(receipts.c.id)
        ).all()
        bank_lines = dict(
            uow.conn.execute(
                select(journal_lines.c.entry_id, journal_lines.c.amount_minor).where(
                    journal_lines.c.company_id == uow.company.id,
                    journal_lines.c.line_no == 1,
                )
            ).all()
        )
    assert len(rows) == 1101  # every receipt joined to its own entry
    assert [r.id for r in rows] == first.receipt_ids + second.receipt_ids  # ids in file order
    assert len({r.entry_id for r in rows}) == 1101
    by_ref = {r.bank_reference: r for r in rows}
    assert by_ref["BULK-7"].amount_minor == 10707
    assert bank_lines[by_ref["BULK-7"].entry_id] == 10707  # Dr bank
    assert bank_lines[by_ref["BULK-1-RET"].entry_id] == -10101  # Cr bank: a returned payment
    assert by_ref["BULK-1-RET"].kind == "return"
    assert all(r.source_type == "receipt" and r.entry_date == r.value_date for r in rows)
    assert json.loads(by_ref["BULK-9"].remittance) == [
        {
            "reference": "INV-9",
            "paid": "109.09",
            "invoice_amount": None,
            "discount": None,
            "adjustment": None,
            "reason_code": None,
            "reason_text": None,
            "kind": "invoice",
        }
    ]
    assert json.loads(by_ref["BULK-8"].remittance) == []
    assert_books_hold(env)
