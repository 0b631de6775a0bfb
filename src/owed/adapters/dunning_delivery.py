"""The dunning ``NoticeSender`` port: reminder emails and letters.

* Email: ``render_dunning`` in the customer's language with the level's
  template (``dunning_N``; a level above the shipped templates uses the
  highest shipped one), ``compose`` with the message's stable Message-ID
  (``message_id_for``: the same message always carries the same id, so a
  retry after an ambiguous failure can be recognised), then the configured
  ``MailSender``: SMTP when ``smtp_host`` is set, else ``data_dir/outbox``
  (channel ``outbox``). Delivery failures come back as ``failed`` with the
  reason. A retry that finds its Message-ID already in the outbox folder is
  ``sent`` (the earlier attempt got through).
* Letter: the same wording laid out by ``render_letter`` as a PDF written to
  ``data_dir/letters/<reference>.pdf`` (channel ``letter``), for printing; a
  retry rewrites the same file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from owed.adapters.delivery import mail_sender_for
from owed.adapters.documents import CompanyHeader, LetterItemView, LetterView, Party, render_letter
from owed.adapters.mail.message import compose, message_id_for
from owed.adapters.mail.senders import MailSender
from owed.adapters.mail.templates import (
    DUNNING_LEVELS,
    DunningContext,
    DunningItem,
    RenderedEmail,
    render_dunning,
)
from owed.config import Settings
from owed.domain.clock import Clock
from owed.domain.collections.dunning_policy import Channel
from owed.services.dunning_sending import NoticeOutcome, OutgoingNotice


def template_level(template: str, level: int) -> int:
    """``dunning_3`` → 3; a level without its own template uses the highest shipped one."""
    found = re.search(r"(\d+)$", template)
    wanted = int(found.group(1)) if found else level
    return min(max(wanted, DUNNING_LEVELS[0]), DUNNING_LEVELS[-1])


def render_notice(notice: OutgoingNotice) -> RenderedEmail:
    header = notice.company_settings.get("document_header", {})
    context = DunningContext(
        customer_name=notice.customer.name,
        company_name=notice.company_name,
        items=[DunningItem(i.number, i.due_date, i.days_overdue, i.amount) for i in notice.items],
        total=notice.total,
        payment_instructions=tuple(header.get("bank_details", ())),
        contact=header.get("email"),
    )
    return render_dunning(
        notice.customer.language, template_level(notice.template, notice.level), context
    )


def company_header(notice: OutgoingNotice) -> CompanyHeader:
    raw = notice.company_settings.get("document_header", {})
    return CompanyHeader(
        name=notice.company_name,
        address_lines=tuple(raw.get("address_lines", ())),
        tax_id=raw.get("tax_id"),
        email=raw.get("email"),
        phone=raw.get("phone"),
        bank_details=tuple(raw.get("bank_details", ())),
    )


def letter_pdf(notice: OutgoingNotice, rendered: RenderedEmail) -> bytes:
    paragraphs = [p.strip() for p in rendered.text.split("\n\n") if p.strip()]
    numbers = {i.number for i in notice.items}
    body = []
    for p in paragraphs:  # greeting and text, up to the list of items (the letter's table)
        if any(n in p for n in numbers):
            break
        body.append(" ".join(p.split()))
    customer = notice.customer
    address = customer.addresses[0] if customer.addresses else None
    lines = (
        (address.line1, f"{address.postal_code} {address.city}".strip(), address.country)
        if address
        else ()
    )
    view = LetterView(
        customer=Party(customer.name, lines, customer.tax_id, customer.external_id),
        letter_date=notice.letter_date,
        level_name=notice.level_name,
        heading=rendered.subject,  # the level's subject in the customer's language
        body=tuple(body),
        items=tuple(
            LetterItemView(i.number, i.due_date, i.days_overdue, i.amount) for i in notice.items
        ),
        total_due=notice.total,
        reference=notice.reference,
        language=customer.language,
        signature=(notice.company_name,),
    )
    return render_letter(view, company_header(notice))


@dataclass
class DunningSender:
    """Implements ``owed.services.dunning_sending.NoticeSender``."""

    mail: MailSender
    mail_channel: str  # "email" or "outbox"
    mail_from: str
    letters_dir: Path
    clock: Clock

    def __call__(self, notice: OutgoingNotice) -> NoticeOutcome:
        rendered = render_notice(notice)
        if notice.channel is Channel.LETTER:
            return self._letter(notice, rendered)
        assert notice.to is not None  # the service fails a notice without an address
        message = compose(
            self.mail_from,
            notice.to,
            rendered.subject,
            rendered.text,
            rendered.html,
            headers={"X-Owed-Dunning": notice.reference},
            sent_at=self.clock.now(),
            message_id=notice.message_id,
        )
        result = self.mail.send(message)
        if result.already_delivered:
            return NoticeOutcome(
                self.mail_channel,
                "sent",
                result.message_id,
                "already delivered by an earlier attempt",
                result.location,
            )
        return NoticeOutcome(
            self.mail_channel, result.status, result.message_id, result.reason, result.location
        )

    def message_id_for(self, token: str) -> str:
        return message_id_for(token, self.mail_from)

    def _letter(self, notice: OutgoingNotice, rendered: RenderedEmail) -> NoticeOutcome:
        target = self.letters_dir / f"{re.sub(r'[^A-Za-z0-9._-]+', '_', notice.reference)}.pdf"
        try:
            self.letters_dir.mkdir(parents=True, exist_ok=True)
            target.write_bytes(letter_pdf(notice, rendered))
        except OSError as error:
            return NoticeOutcome("letter", "failed", None, f"cannot write {target}: {error}")
        return NoticeOutcome("letter", "sent", None, "", str(target))


def dunning_sender_for(settings: Settings, clock: Clock) -> DunningSender:
    """SMTP when a host is configured, else the outbox folder; letters in data_dir/letters."""
    sender, channel = mail_sender_for(settings)
    return DunningSender(sender, channel, settings.mail_from, settings.data_dir / "letters", clock)
