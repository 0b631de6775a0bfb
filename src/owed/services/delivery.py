"""Printing, sending and attaching documents.

The services do not know PDF or SMTP: they talk to three small ports that
the adapters implement (``owed.adapters.delivery``):

* ``Renderer``: a ``PrintableDocument`` (the document, its customer, tax
  summary and the invoice it corrects) → PDF bytes;
* ``Mailer``: an ``OutgoingMail`` → ``MailOutcome`` (sent or failed with the
  reason; a failure is an outcome, not an exception). It is SMTP when a host
  is configured, else the outbox folder: ``channel`` says which;
* ``BlobStore``: content-addressed file storage (``put`` returns the sha256).

``send_document`` mails the PDF (and the document's attachments) to the
customer's billing contact (billing, else AP contact, else the customer's
email), records the delivery (sent / failed with the reason) and audits it.
A document already sent is refused unless ``resend``: customers must not get
the same invoice twice by accident.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Protocol

from owed.domain.auth import Permission
from owed.domain.billing.documents import DocumentStatus
from owed.domain.errors import InvalidInput, NotFound, RuleViolation
from owed.domain.money import Money, total
from owed.services.billing import find_document
from owed.services.billing_model import Document
from owed.services.customers import Customer
from owed.services.unit_of_work import CompanyRef, UnitOfWork


@dataclass(frozen=True)
class TaxLine:
    code: str
    rate: Decimal
    base: Money
    tax: Money


@dataclass(frozen=True)
class AttachmentInfo:
    sha256: str
    filename: str
    content_type: str
    size_bytes: int


@dataclass(frozen=True)
class PrintableDocument:
    document: Document
    customer: Customer
    company: CompanyRef
    tax_lines: tuple[TaxLine, ...] = ()
    original_number: str | None = None
    attachments: tuple[AttachmentInfo, ...] = ()


class Renderer(Protocol):
    def __call__(self, printable: PrintableDocument) -> bytes: ...


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    attachments: tuple[tuple[str, bytes, str], ...]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MailOutcome:
    status: str  # sent | failed
    message_id: str | None = None
    reason: str = ""
    location: str | None = None  # the outbox file


class Mailer(Protocol):
    channel: str  # "email" or "outbox"

    def __call__(self, mail: OutgoingMail) -> MailOutcome: ...


class BlobStore(Protocol):
    def put(self, content: bytes) -> str: ...

    def get(self, sha256: str) -> bytes: ...


@dataclass(frozen=True)
class Delivery:
    document: str
    channel: str
    recipient: str
    status: str
    reason: str
    location: str | None


# -- printing ---------------------------------------------------------------------


def _printable(uow: UnitOfWork, doc: Document) -> PrintableDocument:
    customer = uow.customers.get(doc.customer_id)
    rates = {code: tax.rate for code, (tax, _) in uow.billing.tax_codes().items()}
    lines: list[TaxLine] = []
    for code in dict.fromkeys(ln.draft.tax_code for ln in doc.lines if ln.draft.tax_code):
        assert code is not None
        mine = [ln for ln in doc.lines if ln.draft.tax_code == code]
        lines.append(
            TaxLine(
                code,
                rates.get(code, Decimal(0)),
                total((ln.net for ln in mine), doc.currency),
                total((ln.tax for ln in mine), doc.currency),
            )
        )
    original = uow.billing.get(doc.related_id).number if doc.related_id else None
    return PrintableDocument(
        doc,
        customer,
        uow.company,
        tuple(lines),
        original,
        tuple(uow.billing.attachments_of(doc.id)),
    )


def get_printable(uow: UnitOfWork, number: str) -> PrintableDocument:
    with uow:
        uow.require(Permission.READ)
        return _printable(uow, find_document(uow, number))


# -- sending -----------------------------------------------------------------------


@dataclass(frozen=True)
class SendDocument:
    number: str
    resend: bool = False
    to: str | None = None  # overrides the billing contact


def _mail(
    printable: PrintableDocument, pdf: bytes, extra: Sequence[tuple[str, bytes, str]], to: str
) -> OutgoingMail:
    doc = printable.document
    what = doc.kind.value.replace("_", " ")
    lines = [
        f"Dear {printable.customer.name},",
        "",
        f"please find attached {what} {doc.number} dated {doc.issue_date.isoformat()} "
        f"for {doc.total}.",
    ]
    if doc.kind.value != "credit_memo":
        lines.append(
            f"It is due on {doc.due_date.isoformat()}"
            + (f"; please quote {doc.rf_reference} with your payment." if doc.rf_reference else ".")
        )
    lines += ["", "Kind regards,", printable.company.name]
    return OutgoingMail(
        to=to,
        subject=f"{what.capitalize()} {doc.number} from {printable.company.name}",
        text="\n".join(lines),
        attachments=((f"{doc.number}.pdf", pdf, "application/pdf"), *extra),
        headers={"X-Owed-Document": doc.number},
    )


def send_document(
    cmd: SendDocument,
    uow: UnitOfWork,
    render: Renderer,
    mailer: Mailer,
    store: BlobStore | None = None,
) -> Delivery:
    with uow:
        uow.require(Permission.BILL)
        doc = find_document(uow, cmd.number)
        if doc.status in (DocumentStatus.DRAFT, DocumentStatus.VOIDED):
            raise RuleViolation(
                f"{doc.label} is {doc.status.value}: only an issued document can be sent"
            )
        sent = [d for d in uow.billing.deliveries_of(doc.id) if d["status"] == "sent"]
        if sent and not cmd.resend:
            last = sent[-1]
            raise RuleViolation(
                f"{doc.label} was already sent to {last['recipient']} on "
                f"{last['attempted_at']:%Y-%m-%d}; use --resend to send again"
            )
        printable = _printable(uow, doc)
        to = cmd.to or printable.customer.billing_email()
        if not to:
            raise RuleViolation(
                f"customer {printable.customer.external_id} has no billing "
                "contact or email: add one with `owed customer update`"
            )
        extra = (
            [(a.filename, store.get(a.sha256), a.content_type) for a in printable.attachments]
            if store is not None
            else []
        )
        outcome = mailer(_mail(printable, render(printable), extra, to))
        uow.billing.add_delivery(
            doc.id,
            mailer.channel,
            to,
            outcome.status,
            outcome.reason,
            outcome.message_id,
            outcome.location,
            uow.actor.username,
            uow.now(),
        )
        uow.audit(
            "document.send",
            "document",
            doc.number,
            after={
                "channel": mailer.channel,
                "to": to,
                "status": outcome.status,
                "reason": outcome.reason,
                "resend": bool(sent),
            },
        )
        uow.commit()
        return Delivery(
            doc.number, mailer.channel, to, outcome.status, outcome.reason, outcome.location
        )


def list_deliveries(uow: UnitOfWork, number: str) -> list[dict[str, object]]:
    with uow:
        uow.require(Permission.READ)
        return uow.billing.deliveries_of(find_document(uow, number).id)  # type: ignore[no-any-return]


# -- attachments ---------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class AttachFile:
    number: str
    filename: str
    content: bytes
    content_type: str | None = None


def attach_file(cmd: AttachFile, uow: UnitOfWork, store: BlobStore) -> AttachmentInfo:
    with uow:
        uow.require(Permission.BILL)
        doc = find_document(uow, cmd.number)
        name = PurePath(cmd.filename).name
        if not name:
            raise InvalidInput("an attachment needs a file name")
        if not cmd.content:
            raise InvalidInput(f"{name} is empty")
        if len(cmd.content) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(
                f"{name} is {len(cmd.content)} bytes; the limit is {MAX_ATTACHMENT_BYTES}"
            )
        kind = cmd.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        sha = store.put(cmd.content)
        if any(a.sha256 == sha for a in uow.billing.attachments_of(doc.id)):
            raise RuleViolation(f"{doc.label} already has this file attached ({sha[:12]}...)")
        info = AttachmentInfo(sha, name, kind, len(cmd.content))
        uow.billing.add_attachment(doc.id, info, uow.actor.username, uow.now())
        uow.audit(
            "document.attach",
            "document",
            doc.number,
            after={"file": name, "sha256": sha, "bytes": len(cmd.content)},
        )
        uow.commit()
        return info


def get_attachment(
    uow: UnitOfWork, number: str, sha_prefix: str, store: BlobStore
) -> tuple[AttachmentInfo, bytes]:
    with uow:
        uow.require(Permission.READ)
        doc = find_document(uow, number)
        for info in uow.billing.attachments_of(doc.id):
            if info.sha256.startswith(sha_prefix.lower()):
                return info, store.get(info.sha256)
        raise NotFound(f"attachment of {doc.label}", sha_prefix)
