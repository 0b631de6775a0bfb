"""Outgoing email: composing messages, sending them, and their wording.

``compose`` builds a message; a ``MailSender`` (``SmtpSender`` or
``OutboxSender``) delivers it and reports a ``DeliveryResult``; the
``render_*`` functions produce subject, text and HTML from the Jinja2
templates shipped in ``templates/``.
"""

from owed.adapters.mail.message import Attachment, compose
from owed.adapters.mail.senders import DeliveryResult, MailSender, OutboxSender, SmtpSender
from owed.adapters.mail.templates import (
    DunningContext,
    DunningItem,
    EmailTemplates,
    InvoiceEmailContext,
    RenderedEmail,
    StatementEmailContext,
    available_languages,
    render_dunning,
    render_invoice_email,
    render_statement_email,
)

__all__ = [
    "Attachment",
    "DeliveryResult",
    "DunningContext",
    "DunningItem",
    "EmailTemplates",
    "InvoiceEmailContext",
    "MailSender",
    "OutboxSender",
    "RenderedEmail",
    "SmtpSender",
    "StatementEmailContext",
    "available_languages",
    "compose",
    "render_dunning",
    "render_invoice_email",
    "render_statement_email",
]
