"""SmtpSender against a real local SMTP server (aiosmtpd), no mocks."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from owed.adapters.documents import render_invoice
from owed.adapters.mail import DeliveryResult, MailSender, SmtpSender, compose
from owed.domain.errors import InvalidInput
from tests.fixtures.smtp import LocalSmtpServer, free_port
from tests.integration.documents.builders import company, invoice_view


def invoice_message(to: str | list[str] = "ap@contoso.example") -> tuple[EmailMessage, bytes]:
    pdf = render_invoice(invoice_view(), company())
    message = compose(
        sender="Northwind Billing <billing@northwind.example>",
        to=to,
        subject="Invoice INV-2026-00042 from Northwind Components GmbH",
        text="Please find attached invoice INV-2026-00042.",
        html="<p>Please find attached invoice <b>INV-2026-00042</b>.</p>",
        attachments=[("INV-2026-00042.pdf", pdf, "application/pdf")],
        headers={"X-Owed-Document": "INV-2026-00042"},
    )
    return message, pdf


def plain_sender(server: LocalSmtpServer, **options: object) -> SmtpSender:
    return SmtpSender(server.host, server.port, starttls=False, timeout=5, **options)  # type: ignore[arg-type]


def test_invoice_arrives_with_pdf_attached_and_headers(smtp_server: LocalSmtpServer) -> None:
    message, pdf = invoice_message()
    result = plain_sender(smtp_server).send(message)

    assert result == DeliveryResult("sent", message["Message-ID"])
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.mail_from == "billing@northwind.example"
    assert received.rcpt_tos == ("ap@contoso.example",)
    got = received.message
    assert got["Subject"] == "Invoice INV-2026-00042 from Northwind Components GmbH"
    assert got["From"] == "Northwind Billing <billing@northwind.example>"
    assert got["To"] == "ap@contoso.example"
    assert got["Message-ID"] == result.message_id
    assert got["X-Owed-Document"] == "INV-2026-00042"
    assert got["Date"] is not None
    attachments = list(got.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["INV-2026-00042.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content() == pdf
    body = got.get_body(preferencelist=("plain",))
    assert body is not None and "INV-2026-00042" in body.get_content()
    html = got.get_body(preferencelist=("html",))
    assert html is not None and "<b>INV-2026-00042</b>" in html.get_content()


def test_cc_and_bcc_reach_the_envelope_but_bcc_is_not_shown(
    smtp_server: LocalSmtpServer,
) -> None:
    message = compose(
        "billing@northwind.example",
        "ap@contoso.example",
        "Hello",
        "Text",
        cc=["controller@contoso.example"],
    )
    message["Bcc"] = "archive@northwind.example"
    assert plain_sender(smtp_server).send(message).ok
    received = smtp_server.messages[0]
    assert set(received.rcpt_tos) == {
        "ap@contoso.example",
        "controller@contoso.example",
        "archive@northwind.example",
    }
    assert received.message["Bcc"] is None
    assert received.message["Cc"] == "controller@contoso.example"


def test_refused_connection_is_a_failed_result_with_a_reason() -> None:
    message, _ = invoice_message()
    port = free_port()
    result = SmtpSender("127.0.0.1", port, starttls=False, timeout=5).send(message)
    assert result.status == "failed"
    assert not result.ok
    assert result.message_id == message["Message-ID"]
    assert f"cannot reach 127.0.0.1:{port}" in result.reason
    assert "refused" in result.reason.lower()


def test_all_recipients_refused_is_a_failed_result(smtp_server: LocalSmtpServer) -> None:
    smtp_server.refuse_recipient("gone@contoso.example")
    message, _ = invoice_message("gone@contoso.example")
    result = plain_sender(smtp_server).send(message)
    assert result.status == "failed"
    assert "all recipients refused" in result.reason
    assert "gone@contoso.example (550" in result.reason
    assert smtp_server.messages == []


def test_one_recipient_refused_of_two_is_sent_and_reports_the_refusal(
    smtp_server: LocalSmtpServer,
) -> None:
    smtp_server.refuse_recipient("gone@contoso.example")
    message, _ = invoice_message(["ap@contoso.example", "gone@contoso.example"])
    result = plain_sender(smtp_server).send(message)
    assert result.status == "sent"
    assert result.refused == ("gone@contoso.example",)
    assert "some recipients refused" in result.reason
    assert smtp_server.messages[0].rcpt_tos == ("ap@contoso.example",)


def test_starttls_required_but_not_offered_fails_instead_of_sending_in_clear(
    smtp_server: LocalSmtpServer,
) -> None:
    message, _ = invoice_message()
    result = SmtpSender(smtp_server.host, smtp_server.port, starttls=True, timeout=5).send(message)
    assert result.status == "failed"
    assert "STARTTLS" in result.reason
    assert smtp_server.messages == []


NO_TLS_WARNING = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@NO_TLS_WARNING
def test_login_with_right_and_wrong_password(smtp_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = smtp_server_factory(username="owed", password="s3cret")
    good = plain_sender(server, username="owed", password="s3cret").send(invoice_message()[0])
    assert good.status == "sent", good.reason
    bad = plain_sender(server, username="owed", password="wrong").send(invoice_message()[0])
    assert bad.status == "failed"
    assert bad.reason.startswith("login refused: 535")
    assert len(server.messages) == 1


@NO_TLS_WARNING
def test_server_requiring_login_refuses_an_anonymous_sender(smtp_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = smtp_server_factory(username="owed", password="s3cret")
    result = plain_sender(server).send(invoice_message()[0])
    assert result.status == "failed"
    assert "530" in result.reason
    assert server.messages == []


def test_message_without_recipient_is_refused_before_connecting() -> None:
    message = EmailMessage()
    message["From"] = "billing@northwind.example"
    message["Subject"] = "nobody"
    message.set_content("x")
    with pytest.raises(InvalidInput, match="no recipient"):
        SmtpSender("127.0.0.1", free_port(), starttls=False).send(message)


def test_message_without_message_id_gets_one(smtp_server: LocalSmtpServer) -> None:
    message = EmailMessage()
    message["From"] = "billing@northwind.example"
    message["To"] = "ap@contoso.example"
    message["Subject"] = "no id"
    message.set_content("x")
    result = plain_sender(smtp_server).send(message)
    assert result.ok
    assert result.message_id.endswith("@northwind.example>")
    assert smtp_server.messages[0].message["Message-ID"] == result.message_id


def test_password_is_not_shown_in_repr() -> None:
    sender: MailSender = SmtpSender("smtp.example", password="hunter2")
    assert "hunter2" not in repr(sender)
