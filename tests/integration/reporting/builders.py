"""Builders for the reporting tests: receipts paid against invoices through cash application."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from owed.adapters.db.schema_cash import receipts
from owed.domain.payments.statement import (
    Direction,
    Method,
    ParsedFile,
    RemittanceLine,
    Statement,
    StatementLine,
)
from owed.services.cash_application import RunCashApplication, run_cash_application
from owed.services.cash_corrections import ApplyReceipt, Target, apply_receipt
from owed.services.payments import ImportBankFile, import_bank_file

_refs = itertools.count(1)


def receive(
    env,
    amount: str,
    day: date,
    *,
    text: str = "",
    remit: str | None = None,
    payer: str = "Payer",
    currency: str = "USD",
) -> int:
    """Import one bank receipt; returns its id."""
    ref = f"R{next(_refs):07d}"
    remittance = (RemittanceLine(reference=remit, paid=Decimal(amount)),) if remit else ()
    line = StatementLine(
        amount=Decimal(amount),
        currency=currency,
        direction=Direction.CREDIT,
        value_date=day,
        bank_reference=ref,
        method=Method.ACH,
        payer_name=payer,
        payer_account=None,
        remittance_text=text,
        remittance=remittance,
        is_reversal=False,
        source_position=ref,
    )
    parsed = ParsedFile("csv", (Statement("111222333", currency, (line,)),))
    import_bank_file(ImportBankFile(parsed, f"{ref}.csv", f"sha-{ref}"), env.uow())
    uow = env.uow()
    with uow:
        found = uow.conn.execute(
            select(receipts.c.id).where(
                receipts.c.company_id == uow.company.id, receipts.c.bank_reference == ref
            )
        )
        return int(found.scalar_one())


def pay(env, number: str, amount: str, day: date, user: str = "admin") -> int:
    """A receipt of ``amount`` on ``day`` applied by hand to invoice ``number``."""
    rid = receive(env, amount, day)
    apply_receipt(ApplyReceipt(rid, (Target(number, Decimal(amount)),)), env.uow(user))
    return rid


def auto_run(env) -> object:
    return run_cash_application(RunCashApplication(), env.uow(), keep_decisions=True)
