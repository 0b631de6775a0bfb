"""Adapters for the statement ports (``owed.services.statements``).

* ``render_statement_pdf``: ``Statement`` → ``StatementView`` → PDF via
  ``owed.adapters.documents.render_statement``; the company header comes from
  settings ``"document_header"`` as for invoices.
* ``StatementMailerAdapter``: the covering email (``render_statement_email``
  in the customer's language) with the PDF attached, sent through a
  ``MailSender`` (SMTP when ``smtp_host`` is set, else the outbox folder).
"""

from __future__ import annotations

from dataclasses import dataclass

from owed.adapters.delivery import mail_sender_for
from owed.adapters.documents import (
    AgingBucketView,
    CompanyHeader,
    Party,
    StatementLineView,
    StatementView,
    render_statement,
)
from owed.adapters.mail import StatementEmailContext, compose, render_statement_email
from owed.adapters.mail.senders import MailSender
from owed.config import Settings
from owed.domain.clock import Clock
from owed.domain.money import Currency
from owed.services.delivery import MailOutcome
from owed.services.statements import Statement
from owed.services.unit_of_work import CompanyRef


def header(company: CompanyRef) -> CompanyHeader:
    raw = company.settings.get("document_header", {})
    return CompanyHeader(
        name=company.name,
        address_lines=tuple(raw.get("address_lines", ())),
        tax_id=raw.get("tax_id"),
        email=raw.get("email"),
        phone=raw.get("phone"),
        bank_details=tuple(raw.get("bank_details", ())),
    )


def statement_view(st: Statement) -> StatementView:
    c = st.customer
    address = c.addresses[0] if c.addresses else None
    return StatementView(
        customer=Party(
            c.name,
            (address.line1, f"{address.postal_code} {address.city}".strip(), address.country)
            if address
            else (),
            c.tax_id,
            c.external_id,
        ),
        as_of=st.as_of,
        kind=st.kind,  # type: ignore[arg-type]  # "open_item" | "activity", checked
        currency=Currency.of(st.currency),
        lines=tuple(
            StatementLineView(
                ln.on, ln.document, ln.description, ln.debit, ln.credit, ln.balance, ln.due_date
            )
            for ln in st.lines
        ),
        opening_balance=st.opening,
        closing_balance=st.closing,
        period_start=st.period_start,
        period_end=st.period_end,
        aging=tuple(AgingBucketView(label, amount) for label, amount in st.aging),
        language=c.language,
    )


def render_statement_pdf(statement: Statement, company: CompanyRef) -> bytes:
    """The ``StatementRenderer`` port."""
    return render_statement(statement_view(statement), header(company))


def statement_filename(statement: Statement) -> str:
    return f"statement-{statement.customer.external_id}-{statement.as_of}-{statement.currency}.pdf"


@dataclass
class StatementMailerAdapter:
    """The ``StatementMailer`` port."""

    sender: MailSender
    mail_from: str
    clock: Clock
    channel: str = "email"

    def __call__(
        self, statement: Statement, company: CompanyRef, pdf: bytes, to: str
    ) -> MailOutcome:
        h = header(company)
        email = render_statement_email(
            statement.customer.language,
            StatementEmailContext(
                customer_name=statement.customer.name,
                company_name=company.name,
                as_of=statement.as_of,
                balance=statement.closing,
                payment_instructions=h.bank_details,
                contact=h.email,
            ),
        )
        message = compose(
            self.mail_from,
            to,
            email.subject,
            email.text,
            email.html,
            attachments=[(statement_filename(statement), pdf, "application/pdf")],
            sent_at=self.clock.now(),
        )
        result = self.sender.send(message)
        return MailOutcome(result.status, result.message_id, result.reason, result.location)


def statement_mailer(settings: Settings, clock: Clock) -> StatementMailerAdapter:
    """SMTP when a host is configured, else the outbox folder."""
    sender, channel = mail_sender_for(settings)
    return StatementMailerAdapter(sender, settings.mail_from, clock, channel)
