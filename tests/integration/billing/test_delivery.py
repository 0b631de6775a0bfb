"""PDF, email delivery to a real local SMTP server, outbox, attachments."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from owed.adapters.delivery import FileBlobStore, MailerAdapter, render_pdf
from owed.adapters.mail.senders import OutboxSender, SmtpSender
from owed.domain.errors import RuleViolation
from owed.services import delivery
from tests.fixtures.smtp import smtp_server  # noqa: F401  (fixture)
from tests.integration.billing.conftest import add_customer, invoice


def smtp_mailer(env, server) -> MailerAdapter:
    return MailerAdapter(
        SmtpSender(server.host, server.port, starttls=False), "ar@owed.example", env.clock
    )


def deliveries(env, number):
    return [(d["status"], d["recipient"]) for d in delivery.list_deliveries(env.uow(), number)]


def test_invoice_email_arrives_with_the_pdf_and_attachments(env, smtp_server, tmp_path: Path):  # noqa: F811
    add_customer(
        env,
        contacts=[{"name": "Bea", "email": "bea@acme.example", "role": "billing"}],
        email="ap@acme.example",
    )
    doc = invoice(env, "C1", [("Widgets", "3", "10.00", None)])
    store = FileBlobStore(tmp_path / "attachments")
    info = delivery.attach_file(
        delivery.AttachFile(doc.number, "pod.txt", b"signed"), env.uow("clara"), store
    )
    assert store.path_of(info.sha256).read_bytes() == b"signed"
    assert store.path_of(info.sha256).parent.name == info.sha256[:2]

    sent = delivery.send_document(
        delivery.SendDocument(doc.number),
        env.uow("clara"),
        render_pdf,
        smtp_mailer(env, smtp_server),
        store,
    )

    assert sent.status == "sent" and sent.recipient == "bea@acme.example"
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ("bea@acme.example",)
    assert doc.number in received.message["Subject"]
    parts = {p.get_filename(): p for p in received.message.iter_attachments()}
    assert parts[f"{doc.number}.pdf"].get_content().startswith(b"%PDF")
    assert parts["pod.txt"].get_content() == "signed"
    assert deliveries(env, doc.number) == [("sent", "bea@acme.example")]


def test_sending_twice_is_refused_unless_resend(env, smtp_server):  # noqa: F811
    add_customer(env, email="ap@acme.example")
    doc = invoice(env, "C1", [("A", "1", "10.00", None)])
    mailer = smtp_mailer(env, smtp_server)
    delivery.send_document(delivery.SendDocument(doc.number), env.uow("clara"), render_pdf, mailer)
    with pytest.raises(RuleViolation, match="already sent"):
        delivery.send_document(
            delivery.SendDocument(doc.number), env.uow("clara"), render_pdf, mailer
        )
    assert len(smtp_server.messages) == 1
    delivery.send_document(
        delivery.SendDocument(doc.number, resend=True), env.uow("clara"), render_pdf, mailer
    )
    assert len(smtp_server.messages) == 2
    assert deliveries(env, doc.number) == [("sent", "ap@acme.example")] * 2


def test_refused_recipient_is_recorded_as_failed(env, smtp_server):  # noqa: F811
    smtp_server.refuse.add("gone@acme.example")
    add_customer(env, email="gone@acme.example")
    doc = invoice(env, "C1", [("A", "1", "10.00", None)])
    result = delivery.send_document(
        delivery.SendDocument(doc.number),
        env.uow("clara"),
        render_pdf,
        smtp_mailer(env, smtp_server),
    )
    assert result.status == "failed" and "refused" in result.reason
    assert deliveries(env, doc.number) == [("failed", "gone@acme.example")]
    # a failed delivery does not block a later send
    smtp_server.refuse.clear()
    again = delivery.send_document(
        delivery.SendDocument(doc.number),
        env.uow("clara"),
        render_pdf,
        smtp_mailer(env, smtp_server),
    )
    assert again.status == "sent"


def test_without_smtp_the_message_goes_to_the_outbox(env, tmp_path: Path):
    add_customer(env, email="ap@acme.example")
    doc = invoice(env, "C1", [("A", "1", "10.00", None)])
    mailer = MailerAdapter(
        OutboxSender(tmp_path / "outbox"), "ar@owed.example", env.clock, "outbox"
    )
    result = delivery.send_document(
        delivery.SendDocument(doc.number), env.uow("clara"), render_pdf, mailer
    )
    assert result.channel == "outbox"
    assert result.location is not None
    assert Path(result.location).parent == tmp_path / "outbox"
    message = BytesParser(policy=policy.default).parsebytes(Path(result.location).read_bytes())
    (pdf,) = list(message.iter_attachments())
    assert pdf.get_filename() == f"{doc.number}.pdf"
    assert pdf.get_content().startswith(b"%PDF")


def test_draft_cannot_be_sent(env, smtp_server):  # noqa: F811
    add_customer(env, email="ap@acme.example")
    draft = invoice(env, "C1", [("A", "1", "10.00", None)], issue=False)
    with pytest.raises(RuleViolation, match="draft"):
        delivery.send_document(
            delivery.SendDocument(draft.number),
            env.uow("clara"),
            render_pdf,
            smtp_mailer(env, smtp_server),
        )
    assert smtp_server.messages == []
