"""Adapters for the billing delivery ports (``owed.services.delivery``).

* ``InvoicePdfRenderer``: ``PrintableDocument`` → ``InvoiceView`` → PDF via
  ``owed.adapters.documents.render_invoice``. The company header comes from
  the company's settings (``"document_header"``: address_lines, tax_id,
  email, phone, bank_details).
* ``MailerAdapter``: ``OutgoingMail`` → ``compose`` → a ``MailSender``
  (``SmtpSender`` or ``OutboxSender``); ``mailer_for(settings, clock)``
  picks SMTP when ``smtp_host`` is set, else the outbox folder
  ``data_dir/outbox``.
* ``FileBlobStore``: content-addressed files under
  ``data_dir/attachments/ab/cdef...`` (the sha256, split after two hex
  digits), written aside and renamed so a file is complete or absent.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from owed.adapters.documents import (
    CompanyHeader,
    InvoiceLineView,
    InvoiceView,
    Party,
    TaxSummaryView,
    render_invoice,
)
from owed.adapters.mail.message import compose
from owed.adapters.mail.senders import MailSender, OutboxSender, SmtpSender
from owed.config import Settings
from owed.domain.clock import Clock
from owed.domain.errors import NotFound
from owed.services.delivery import MailOutcome, OutgoingMail, PrintableDocument


def company_header(printable: PrintableDocument) -> CompanyHeader:
    raw = printable.company.settings.get("document_header", {})
    return CompanyHeader(
        name=printable.company.name,
        address_lines=tuple(raw.get("address_lines", ())),
        tax_id=raw.get("tax_id"),
        email=raw.get("email"),
        phone=raw.get("phone"),
        bank_details=tuple(raw.get("bank_details", ())),
    )


def invoice_view(printable: PrintableDocument) -> InvoiceView:
    doc = printable.document
    customer = printable.customer
    address = customer.addresses[0] if customer.addresses else None
    lines = tuple(
        InvoiceLineView(
            description=ln.draft.description,
            quantity=ln.draft.quantity,
            unit_price=ln.draft.unit_price,
            net=ln.net,
            discount_percent=ln.draft.discount_percent or None,
            tax_code=ln.draft.tax_code or "",
        )
        for ln in doc.lines
    )
    return InvoiceView(
        kind=doc.kind.value,
        number=doc.number,
        issue_date=doc.issue_date,
        currency=doc.total.currency,
        bill_to=Party(
            customer.name,
            (address.line1, f"{address.postal_code} {address.city}".strip(), address.country)
            if address
            else (),
            customer.tax_id,
            customer.external_id,
        ),
        lines=lines,
        net=doc.net,
        tax=doc.tax,
        total=doc.total,
        due_date=doc.due_date if doc.kind.value != "credit_memo" else None,
        po_number=doc.po_number,
        terms=doc.terms or "",
        tax_summary=tuple(
            TaxSummaryView(t.code, t.rate, t.base, t.tax) for t in printable.tax_lines
        ),
        amount_paid=doc.applied if not doc.applied.is_zero() else None,
        balance_due=doc.open if not doc.applied.is_zero() else None,
        rf_reference=doc.rf_reference,
        language=customer.language,
        original_invoice=printable.original_number,
    )


def render_pdf(printable: PrintableDocument) -> bytes:
    """The ``Renderer`` port: the document's PDF."""
    return render_invoice(invoice_view(printable), company_header(printable))


@dataclass
class MailerAdapter:
    sender: MailSender
    mail_from: str
    clock: Clock
    channel: str = "email"

    def __call__(self, mail: OutgoingMail) -> MailOutcome:
        message = compose(
            self.mail_from,
            mail.to,
            mail.subject,
            mail.text,
            attachments=list(mail.attachments),
            headers=mail.headers,
            sent_at=self.clock.now(),
        )
        result = self.sender.send(message)
        return MailOutcome(result.status, result.message_id, result.reason, result.location)


def mail_sender_for(settings: Settings) -> tuple[MailSender, str]:
    """The one place that chooses how mail leaves: SMTP when a host is configured,
    else the outbox folder (``data_dir/outbox``). Returns the sender and its channel."""
    if settings.smtp_host:
        smtp = SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_username,
            settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
        return smtp, "email"
    return OutboxSender(settings.data_dir / "outbox"), "outbox"


def mailer_for(settings: Settings, clock: Clock) -> MailerAdapter:
    sender, channel = mail_sender_for(settings)
    return MailerAdapter(sender, settings.mail_from, clock, channel)


@dataclass(frozen=True)
class FileBlobStore:
    root: Path  # data_dir / "attachments"

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:]

    def put(self, content: bytes) -> str:
        sha = hashlib.sha256(content).hexdigest()
        target = self.path_of(sha)
        if target.exists():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha256: str) -> bytes:
        path = self.path_of(sha256)
        if not path.is_file():
            raise NotFound("stored attachment", sha256)
        return path.read_bytes()
