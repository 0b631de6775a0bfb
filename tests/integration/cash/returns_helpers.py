"""Helpers for the returned-payment tests: bank lines, imports, and the invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from owed.adapters.db.schema_cash import applications, receipts
from owed.adapters.db.schema_returns import receipt_returns
from owed.domain.payments.statement import (
    Direction,
    Method,
    ParsedFile,
    RemittanceLine,
    Statement,
    StatementLine,
)
from owed.services import ledger as ledger_svc
from owed.services.payments import ImportBankFile, import_bank_file

ACCOUNT = "DE89370400440532013000"


def credit(
    amount: str,
    ref: str,
    *,
    e2e: str | None = None,
    account: str | None = ACCOUNT,
    payer: str | None = "ACME CORP",
    text: str = "",
    remittance: tuple[RemittanceLine, ...] = (),
    day: date = date(2026, 3, 2),
) -> StatementLine:
    return StatementLine(
        amount=Decimal(amount),
        currency="USD",
        direction=Direction.CREDIT,
        value_date=day,
        bank_reference=ref,
        customer_reference=e2e,
        method=Method.ACH,
        payer_name=payer,
        payer_account=account,
        remittance_text=text,
        remittance=remittance,
        source_position=f"test {ref}",
    )


def returned(
    amount: str,
    ref: str,
    *,
    e2e: str | None = None,
    account: str | None = ACCOUNT,
    text: str = "return reason AC04",
    day: date = date(2026, 3, 9),
) -> StatementLine:
    return StatementLine(
        amount=Decimal(amount),
        currency="USD",
        direction=Direction.DEBIT,
        value_date=day,
        bank_reference=ref,
        customer_reference=e2e,
        method=Method.ACH,
        payer_name="ACME CORP",
        payer_account=account,
        remittance_text=text,
        is_reversal=True,
        source_position=f"test {ref}",
    )


def import_lines(env, *lines: StatementLine, name: str) -> list[int]:
    parsed = ParsedFile("csv", (Statement("111222333", "USD", tuple(lines)),))
    return import_bank_file(ImportBankFile(parsed, name, f"sha-{name}"), env.uow()).receipt_ids


def receipt_row(env, receipt_id: int) -> dict:
    uow = env.uow()
    with uow:
        row = uow.cash.receipt(receipt_id)
    assert row is not None
    return row


def gl(env, code: str) -> Decimal:
    """Debit balance of an account (negative: credit balance)."""
    total = Decimal(0)
    for r in ledger_svc.trial_balance(env.uow()).rows:
        if r.account.code == code:
            total += r.debit.amount - r.credit.amount
    return total


def invariants_hold(env) -> None:
    """Every receipt and return accounted for to the cent; the ledger agrees with the rows.

    receipt: Σ active applications (cash + credit) + unapplied + returned = amount
    return:  paired: returned + fee = amount
    GL unapplied cash (credit) = Σ receipts' unapplied − Σ unpaired returns
    ledger balanced per currency; AR subledger = control.
    """
    uow = env.uow()
    with uow:
        cid = uow.company.id
        rows = uow.conn.execute(select(receipts).where(receipts.c.company_id == cid)).all()
        pairs = uow.conn.execute(
            select(receipt_returns).where(receipt_returns.c.company_id == cid)
        ).all()
        by_receipt = {p.receipt_id: p for p in pairs}
        by_return = {p.return_id: p for p in pairs}
        expected_unapplied = 0
        for r in rows:
            if r.kind == "receipt":
                applied = uow.conn.execute(
                    select(func.coalesce(func.sum(applications.c.amount_minor), 0)).where(
                        applications.c.receipt_id == r.id, applications.c.reversed_on.is_(None)
                    )
                ).scalar_one()
                back = by_receipt[r.id].returned_minor if r.id in by_receipt else 0
                assert applied + r.unapplied_minor + back == r.amount_minor, r
                assert (r.status == "returned") == (r.id in by_receipt), r
                expected_unapplied += r.unapplied_minor
            else:
                p = by_return.get(r.id)
                if p is None:
                    assert r.status != "returned", r
                    expected_unapplied -= r.amount_minor
                else:
                    assert p.returned_minor + p.fee_minor == r.amount_minor, r
                    assert r.status == "returned", r
    tb = ledger_svc.trial_balance(env.uow())
    assert tb.balanced
    for _cur, (sub, control) in ledger_svc.subledger_vs_control(env.uow()).items():
        assert sub == control
    assert -gl(env, "2100") == Decimal(expected_unapplied) / 100
