"""Builders for collections scenarios: customers with email, disputes, payments, a sender."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from owed.adapters.db.schema_cash import receipts
from owed.adapters.db.schema_collections import (
    disputes,
    dunning_levels,
    dunning_messages,
    dunning_runs,
)
from owed.adapters.dunning_delivery import DunningSender
from owed.adapters.mail.senders import OutboxSender, SmtpSender
from owed.domain.payments.statement import Direction, Method, ParsedFile, Statement, StatementLine
from owed.services.cash_application import RunCashApplication, run_cash_application
from owed.services.cash_corrections import ApplyReceipt, Target, apply_receipt
from owed.services.payments import ImportBankFile, import_bank_file
from tests.builders import add_customer


def customer(env, name: str = "Acme Corporation", email: str = "ap@acme.example", **kw) -> int:
    return add_customer(env, name, email=email, **kw)


def external_id(env, customer_id: int) -> str:
    uow = env.uow()
    with uow:
        return str(uow.customers.get(customer_id).external_id)


def dispute(env, invoice, amount: str | None = None, status: str = "open") -> None:
    """An open dispute on an invoice, written the way the disputes service stores one."""
    uow = env.uow()
    with uow:
        minor = invoice.total.to_minor() if amount is None else int(Decimal(amount) * 100)
        uow.conn.execute(
            disputes.insert().values(
                company_id=uow.company.id,
                document_id=invoice.id,
                customer_id=invoice.customer_id,
                amount_minor=minor,
                currency="USD",
                reason="pricing",
                status=status,
                owner="admin",
                opened_by="admin",
                opened_at=uow.now(),
                details=json.dumps({}),
            )
        )
        uow.commit()


def pay(
    env,
    amount: str,
    reference: str,
    day: date,
    *,
    invoice: str | None = None,
    run: bool = True,
    apply_to: str | None = None,
) -> None:
    """Import one incoming payment; then run cash application or apply it by hand."""
    line = StatementLine(
        amount=Decimal(amount),
        currency="USD",
        direction=Direction.CREDIT,
        value_date=day,
        bank_reference=reference,
        method=Method.ACH,
        payer_name="ACME CORP",
        remittance_text=f"PAYMENT {invoice or ''}",
        source_position=f"test {reference}",
    )
    parsed = ParsedFile("csv", (Statement("111222333", "USD", (line,)),))
    import_bank_file(ImportBankFile(parsed, f"{reference}.csv", f"sha-{reference}"), env.uow())
    if run:
        run_cash_application(RunCashApplication(), env.uow())
    if apply_to is not None:
        uow = env.uow()
        with uow:
            rid = uow.conn.execute(
                select(receipts.c.id).where(
                    receipts.c.company_id == uow.company.id, receipts.c.bank_reference == reference
                )
            ).scalar_one()
        apply_receipt(ApplyReceipt(rid, (Target(apply_to),)), env.uow())


def smtp_sender(env, server, tmp_path: Path) -> DunningSender:
    return DunningSender(
        SmtpSender(server.host, server.port, starttls=False),
        "email",
        "ar@owed.example",
        tmp_path / "letters",
        env.clock,
    )


def outbox_sender(env, tmp_path: Path) -> DunningSender:
    return DunningSender(
        OutboxSender(tmp_path / "outbox"),
        "outbox",
        "ar@owed.example",
        tmp_path / "letters",
        env.clock,
    )


def counts(env) -> dict[str, int]:
    """Rows written by dunning, to prove a run changed nothing."""
    uow = env.uow()
    with uow:
        out = {}
        for name, table in (
            ("runs", dunning_runs),
            ("messages", dunning_messages),
            ("levels", dunning_levels),
        ):
            out[name] = uow.conn.execute(
                select(func.count()).select_from(table).where(table.c.company_id == uow.company.id)
            ).scalar_one()
        return out


def levels_of(env, document_id: int) -> list[int]:
    uow = env.uow()
    with uow:
        return list(
            uow.conn.execute(
                select(dunning_levels.c.level)
                .where(
                    dunning_levels.c.company_id == uow.company.id,
                    dunning_levels.c.document_id == document_id,
                )
                .order_by(dunning_levels.c.level)
            ).scalars()
        )


def messages_of(env, customer_id: int) -> list[dict]:
    uow = env.uow()
    with uow:
        return uow.collections.messages(customer_id)


def run_counts(env) -> list[tuple[int, int, int]]:
    """(notices, sent, failed) of each dunning run, oldest first."""
    uow = env.uow()
    with uow:
        rows = uow.conn.execute(
            select(dunning_runs.c.notices, dunning_runs.c.sent, dunning_runs.c.failed)
            .where(dunning_runs.c.company_id == uow.company.id)
            .order_by(dunning_runs.c.run_date)
        )
        return [tuple(r) for r in rows]


def on_hold(env, customer_id: int) -> bool:
    uow = env.uow()
    with uow:
        return uow.customers.get(customer_id).on_hold
