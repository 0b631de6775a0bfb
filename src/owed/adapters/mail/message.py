"""Building outgoing email messages.

``compose`` is the one way Owed builds a message: plain text always (some AP
mailboxes strip HTML), an HTML alternative when given, attachments last, and
a ``Message-ID`` and ``Date`` on every message so a delivery can be traced
and a reply threaded back to the invoice or reminder that caused it.

Header values are checked, not trusted: a line break in a header (header
injection), a structural header (``Content-Type``...) among the extra
headers, or a MIME type without a slash is refused with ``InvalidInput``
naming what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from owed.domain.errors import InvalidInput

# Headers compose() writes itself or that define the MIME structure.
_RESERVED = frozenset(
    h.lower()
    for h in (
        "From",
        "To",
        "Cc",
        "Bcc",
        "Subject",
        "Date",
        "Message-ID",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
    )
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str  # "application/pdf"


AttachmentLike = Attachment | tuple[str, bytes, str]


def compose(
    sender: str,
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[AttachmentLike] = (),
    headers: Mapping[str, str] | None = None,
    *,
    cc: Sequence[str] = (),
    reply_to: str | None = None,
    sent_at: datetime | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """Build a message ready for any ``MailSender``.

    ``headers`` adds headers such as ``X-Owed-Invoice`` or ``In-Reply-To``.
    ``sent_at`` (timezone-aware) sets the Date header; it defaults to now.
    ``message_id`` (``<left@right>``) sets a stable Message-ID, so a message sent
    again after an ambiguous failure carries the same one; by default a new one.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise InvalidInput("email has no recipient (to is empty)", field="to")
    for name, address in [("sender", sender), *(("to", r) for r in recipients)]:
        _check_address(name, address)
    message = EmailMessage()
    _set(message, "From", sender)
    _set(message, "To", ", ".join(recipients))
    if cc:
        for address in cc:
            _check_address("cc", address)
        _set(message, "Cc", ", ".join(cc))
    if reply_to:
        _check_address("reply_to", reply_to)
        _set(message, "Reply-To", reply_to)
    _set(message, "Subject", subject)
    when = sent_at if sent_at is not None else datetime.now(UTC)
    if when.tzinfo is None:
        raise InvalidInput("sent_at must be timezone-aware", field="sent_at")
    message["Date"] = format_datetime(when)
    if message_id is not None:
        if not _MESSAGE_ID.fullmatch(message_id):
            raise InvalidInput(
                f"message_id {message_id!r} is not of the form <left@right>", field="message_id"
            )
        message["Message-ID"] = message_id
    else:
        message["Message-ID"] = make_msgid(domain=_domain(sender))
    for name, value in (headers or {}).items():
        if name.lower() in _RESERVED:
            raise InvalidInput(
                f"header {name!r} cannot be set through headers: compose() sets it itself",
                header=name,
            )
        _set(message, name, value)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for position, item in enumerate(attachments, start=1):
        _attach(message, position, item)
    return message


def _set(message: EmailMessage, name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise InvalidInput(
            f"header {name} contains a line break (refused: header injection)", header=name
        )
    message[name] = value


def _check_address(field: str, address: str) -> None:
    _, parsed = parseaddr(address)
    if "@" not in parsed or "\n" in address or "\r" in address:
        raise InvalidInput(f"{field}: {address!r} is not an email address", field=field)


_MESSAGE_ID = re.compile(r"<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+>")


def message_id_for(token: str, sender: str) -> str:
    """A stable Message-ID from ``token`` on the sender's domain: the same token and
    sender always give the same id (characters not allowed in an id become ``-``)."""
    left = re.sub(r"[^A-Za-z0-9.+_-]+", "-", token).strip(".-") or "owed"
    return f"<{left}@{_domain(sender) or 'owed.invalid'}>"


def _domain(sender: str) -> str | None:
    _, parsed = parseaddr(sender)
    return parsed.rpartition("@")[2] or None


def _attach(message: EmailMessage, position: int, item: AttachmentLike) -> None:
    attachment = item if isinstance(item, Attachment) else Attachment(*item)
    maintype, slash, subtype = attachment.mimetype.partition("/")
    if not slash or not maintype or not subtype:
        raise InvalidInput(
            f"attachment {position} ({attachment.filename}): MIME type "
            f"{attachment.mimetype!r} is not of the form type/subtype",
            position=position,
        )
    if not attachment.filename or "/" in attachment.filename or "\\" in attachment.filename:
        raise InvalidInput(
            f"attachment {position}: file name {attachment.filename!r} must be a bare name",
            position=position,
        )
    message.add_attachment(
        attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
    )
