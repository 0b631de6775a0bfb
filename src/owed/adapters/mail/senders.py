"""Delivering messages: over SMTP, or into an outbox directory.

Both senders satisfy the ``MailSender`` protocol: ``send(message)`` returns a
``DeliveryResult`` and never raises because delivery failed. A refused
connection, a rejected login, a refused recipient or a full disk is an
outcome the caller records (the reminder stays unsent, the collector sees
why), not a crash in the middle of a dunning run. Only a message that cannot
be sent by construction (no recipient) raises ``InvalidInput``.

``SmtpSender`` opens one connection per message: dunning runs send tens to
hundreds of messages, where connection reuse saves little and a dropped
connection would otherwise fail every message after it. With ``starttls``
on (the default) a server that does not offer STARTTLS is a failure, never a
silent fallback to clear text.

``OutboxSender`` writes each message as an ``.eml`` file (RFC 5322, readable
by any mail client), for the demo and for installations without SMTP.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid
from pathlib import Path
from typing import Literal, Protocol

from owed.domain.errors import InvalidInput

DeliveryStatus = Literal["sent", "failed"]


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one message.

    ``refused`` lists recipients the server refused while accepting others
    (status is then still "sent", and ``reason`` says who was refused).
    """

    status: DeliveryStatus
    message_id: str
    reason: str = ""
    refused: tuple[str, ...] = field(default_factory=tuple)
    location: str | None = None  # the .eml path, for the outbox
    already_delivered: bool = False  # the outbox holds this Message-ID already (a retry)

    @property
    def ok(self) -> bool:
        return self.status == "sent"


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> DeliveryResult:
        """Deliver the message; report, never raise, a delivery failure."""
        ...


def ensure_message_id(message: EmailMessage) -> str:
    """The message's Message-ID, adding one first if it has none."""
    existing = message.get("Message-ID")
    if existing:
        return str(existing)
    _, sender = getaddresses([str(message.get("From", ""))])[0]
    domain = sender.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    return str(message["Message-ID"])


def _recipients(message: EmailMessage) -> list[str]:
    values = [str(v) for h in ("To", "Cc", "Bcc") for v in message.get_all(h, [])]
    return [address for _, address in getaddresses(values) if address]


@dataclass(frozen=True)
class SmtpSender:
    """Sends through an SMTP server (submission port 587 with STARTTLS by default).

    ``timeout`` is in seconds and applies to the connection and each command.
    ``implicit_tls`` is for servers that speak TLS from the first byte (465).
    """

    host: str
    port: int = 587
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    timeout: float = 30.0  # seconds, not money
    implicit_tls: bool = False

    def send(self, message: EmailMessage) -> DeliveryResult:
        if not _recipients(message):
            raise InvalidInput("message has no recipient in To, Cc or Bcc", field="to")
        message_id = ensure_message_id(message)
        try:
            refused = self._deliver(message)
        except smtplib.SMTPRecipientsRefused as error:
            detail = _refusals(error.recipients)
            return DeliveryResult("failed", message_id, f"all recipients refused: {detail}")
        except smtplib.SMTPSenderRefused as error:
            reason = f"sender {error.sender} refused: {error.smtp_code} {_text(error.smtp_error)}"
            return DeliveryResult("failed", message_id, reason)
        except smtplib.SMTPAuthenticationError as error:
            reason = f"login refused: {error.smtp_code} {_text(error.smtp_error)}"
            return DeliveryResult("failed", message_id, reason)
        except smtplib.SMTPResponseException as error:
            reason = f"server said {error.smtp_code} {_text(error.smtp_error)}"
            return DeliveryResult("failed", message_id, reason)
        except smtplib.SMTPException as error:
            return DeliveryResult("failed", message_id, f"SMTP error: {error}")
        except OSError as error:  # refused, unreachable, timed out, TLS failure
            reason = f"cannot reach {self.host}:{self.port}: {error.strerror or error}"
            return DeliveryResult("failed", message_id, reason)
        if refused:
            detail = _refusals(refused)
            return DeliveryResult(
                "sent", message_id, f"some recipients refused: {detail}", tuple(refused)
            )
        return DeliveryResult("sent", message_id)

    def _deliver(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.implicit_tls:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            client.ehlo()
            if self.starttls and not self.implicit_tls:
                if not client.has_extn("starttls"):
                    raise smtplib.SMTPNotSupportedError(
                        f"{self.host}:{self.port} does not offer STARTTLS "
                        "(refusing to send in clear text; set starttls=False to allow it)"
                    )
                client.starttls(context=context)
                client.ehlo()
            if self.username:
                client.login(self.username, self.password or "")
            return client.send_message(message)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _refusals(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{who} ({code} {_text(why)})" for who, (code, why) in recipients.items())


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class OutboxSender:
    """Writes each message to ``directory`` as ``<message-id>.eml`` instead of sending it.

    The file appears complete or not at all (written aside, then renamed), so
    a reader of the outbox never sees half a message. A message already in the
    outbox (same Message-ID) is reported as failed rather than overwritten.
    """

    directory: Path

    def send(self, message: EmailMessage) -> DeliveryResult:
        if not _recipients(message):
            raise InvalidInput("message has no recipient in To, Cc or Bcc", field="to")
        message_id = ensure_message_id(message)
        name = _UNSAFE.sub("_", message_id.strip("<>")) + ".eml"
        target = Path(self.directory) / name
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            if target.exists():
                return DeliveryResult(
                    "failed",
                    message_id,
                    f"{target} already exists: message already in outbox",
                    location=str(target),
                    already_delivered=True,
                )
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(message.as_bytes())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            reason = f"cannot write to outbox {self.directory}: {error.strerror or error}"
            return DeliveryResult("failed", message_id, reason)
        return DeliveryResult("sent", message_id, location=str(target))
