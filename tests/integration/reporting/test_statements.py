"""Statements: open-item and activity forms, and the idempotent monthly run over real SMTP."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from owed.adapters.mail.senders import SmtpSender
from owed.adapters.statements import StatementMailerAdapter, render_statement_pdf
from owed.services.statements import (
    GetStatement,
    RunStatements,
    get_statement,
    run_statements,
)
from tests.builders import add_customer, add_invoice
from tests.integration.reporting.builders import pay


def book(env):
    a = add_customer(env, "Acme", external_id="ACME", email="ap@acme.example")
    b = add_customer(env, "Bolt", external_id="BOLT", email="ap@bolt.example")
    add_customer(env, "Zero", external_id="ZERO", email="ap@zero.example")  # nothing open
    i1 = add_invoice(env, a, "500.00", issue_date=date(2026, 2, 20))
    add_invoice(env, a, "120.00", issue_date=date(2026, 3, 5))
    add_invoice(env, b, "80.00", issue_date=date(2026, 3, 6))
    pay(env, i1.number, "200.00", date(2026, 3, 10))
    return i1


def test_open_item_statement_lists_open_items_with_running_balance(env):
    i1 = book(env)
    (st,) = get_statement(GetStatement("ACME", date(2026, 3, 31)), env.uow())
    assert [(ln.document, ln.debit.amount, ln.balance.amount) for ln in st.lines] == [
        (i1.number, Decimal("300.00"), Decimal("300.00")),
        (st.lines[1].document, Decimal("120.00"), Decimal("420.00")),
    ]
    assert st.closing.amount == Decimal("420.00")
    assert sum((a for _, a in st.aging), st.closing * 0) == st.closing
    uow = env.uow()
    with uow:
        company = uow.company
    assert render_statement_pdf(st, company).startswith(b"%PDF")


def test_activity_statement_runs_from_the_opening_balance(env):
    i1 = book(env)
    (st,) = get_statement(GetStatement("ACME", date(2026, 3, 31), "activity"), env.uow())
    assert st.opening.amount == Decimal("500.00")  # i1, issued in February
    rows = [(ln.document, ln.description, ln.debit, ln.credit) for ln in st.lines]
    assert rows[1][0] == i1.number and rows[1][1] == "Payment"
    assert rows[1][3].amount == Decimal("200.00")
    assert st.closing.amount == Decimal("420.00")  # = open as of the day


def test_statement_run_is_idempotent_and_mails_arrive_with_the_pdf(env, smtp_server):
    book(env)
    mailer = StatementMailerAdapter(
        SmtpSender(smtp_server.host, smtp_server.port, starttls=False), "ar@example.com", env.clock
    )
    first = run_statements(RunStatements("2026-03"), env.uow(), render_statement_pdf, mailer)
    assert (first.sent, first.failed, first.skipped_already_sent) == (2, 0, 0)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "ap@acme.example",
        "ap@bolt.example",
    ]
    message = smtp_server.messages[0].message
    (pdf,) = [p for p in message.iter_attachments()]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content().startswith(b"%PDF")
    second = run_statements(RunStatements("2026-03"), env.uow(), render_statement_pdf, mailer)
    assert (second.sent, second.skipped_already_sent) == (0, 2)
    assert len(smtp_server.messages) == 2


def test_failed_statement_is_retried_by_the_next_run(env, smtp_server):
    book(env)
    smtp_server.refuse_recipient("ap@bolt.example")
    mailer = StatementMailerAdapter(
        SmtpSender(smtp_server.host, smtp_server.port, starttls=False), "ar@example.com", env.clock
    )
    first = run_statements(RunStatements("2026-03"), env.uow(), render_statement_pdf, mailer)
    assert (first.sent, first.failed) == (1, 1) and first.failures[0][0] == "BOLT"
    smtp_server.refuse.clear()
    second = run_statements(RunStatements("2026-03"), env.uow(), render_statement_pdf, mailer)
    assert (second.sent, second.failed, second.skipped_already_sent) == (1, 0, 1)
