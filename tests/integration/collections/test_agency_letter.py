"""The level-5 letter of the default policy: a real PDF announcing the agency placement."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from owed.adapters.dunning_delivery import DunningSender
from owed.adapters.mail.senders import OutboxSender
from owed.domain.clock import FixedClock
from owed.domain.collections.dunning_policy import Channel, DunningAction
from owed.domain.money import Money
from owed.services.customers import Customer
from owed.services.dunning_selection import DEFAULT_POLICY
from owed.services.dunning_sending import NoticeLine, OutgoingNotice
from tests.integration.documents.pdftools import pdf_text

HEADER = {
    "document_header": {
        "address_lines": ["Hauptstrasse 1", "10115 Berlin"],
        "email": "ar@northwind.example",
        "bank_details": ["IBAN DE89 3704 0044 0532 0130 00", "BIC COBADEFFXXX"],
    }
}
EXPECTED = {
    "en": ("Collection agency", "collection agency", "1,530.25 EUR"),
    "de": ("Collection agency", "Inkassounternehmen", "1.530,25 EUR"),
    "fr": ("Collection agency", "recouvrement", "1 530,25 EUR"),
}
GREETING = {"en": "Dear Contoso", "de": "Guten Tag Contoso", "fr": "Bonjour Contoso"}
HEADING = {
    "en": "Placement with a collection agency:",
    "de": "Übergabe an ein Inkassounternehmen:",
    "fr": "Transmission à une société de recouvrement :",
}


def test_the_default_policy_uses_its_own_level_5_template():
    level = DEFAULT_POLICY.level(5)
    assert level is not None and level.template == "dunning_5"
    assert level.channel is Channel.LETTER
    assert level.actions == frozenset({DunningAction.ESCALATE_AGENCY})


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_agency_letter_pdf_announces_the_placement_with_amounts_how_to_pay_and_contact(
    tmp_path, language
):
    level = DEFAULT_POLICY.level(5)
    assert level is not None
    amount = Money("1530.25", "EUR")
    notice = OutgoingNotice(
        customer=Customer(1, "C-77", "Contoso Retail Ltd", "EUR", language=language),
        to=None,
        channel=level.channel,
        level=5,
        level_name=level.name,
        template=level.template,
        items=(NoticeLine("INV-2026-00012", date(2025, 12, 20), 85, amount),),
        total=amount,
        letter_date=date(2026, 3, 15),
        company_name="Northwind Components GmbH",
        company_settings=HEADER,
        reference="D-2026-03-15-C-77-EUR",
    )
    clock = FixedClock(datetime(2026, 3, 15, 12, tzinfo=UTC))
    sender = DunningSender(
        OutboxSender(tmp_path / "outbox"), "outbox", "ar@owed.example", tmp_path / "letters", clock
    )

    outcome = sender(notice)

    assert (outcome.channel, outcome.status) == ("letter", "sent")
    assert outcome.location is not None
    data = Path(outcome.location).read_bytes()
    assert data.startswith(b"%PDF-")
    text = " ".join(pdf_text(data).split())
    title, agency, total = EXPECTED[language]
    assert title in text  # the level name heads the letter
    assert HEADING[language] in text  # headed in the customer's language
    assert GREETING[language] in text  # the letter greets (its text goes on in lower case)
    assert agency in text  # the placement is announced
    assert "INV-2026-00012" in text and total.replace("\u00a0", " ") in text.replace("\u00a0", " ")
    assert "DE89 3704 0044 0532 0130 00" in text  # how to pay
    assert "ar@northwind.example" in text  # whom to contact
    assert "Contoso Retail Ltd" in text
    # the wording is the level-5 text, not the level-4 credit-hold notice
    assert "placed on credit hold because" not in text
    assert "Liefersperre verhängt" not in text and "a été bloqué car" not in text
