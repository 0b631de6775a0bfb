"""Email templates: every language and level renders, escalates, escapes, falls back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from owed.adapters.mail import (
    DunningContext,
    DunningItem,
    EmailTemplates,
    InvoiceEmailContext,
    StatementEmailContext,
    available_languages,
    render_dunning,
    render_invoice_email,
    render_statement_email,
)
from owed.domain.errors import InvalidInput, NotFound
from owed.domain.money import Money

LANGUAGES = ("en", "de", "fr")
LEVELS = (1, 2, 3, 4, 5)
# How each language writes the total of 2,510.25 EUR and the deadline of 10 March 2026.
TOTALS = {"en": "2,510.25 EUR", "de": "2.510,25 EUR", "fr": "2\u00a0510,25 EUR"}
PAY_BY = {"en": "10 Mar 2026", "de": "10. März 2026", "fr": "10 mars 2026"}


def context(customer: str = "Contoso Retail Ltd", **changes: object) -> DunningContext:
    items = [
        DunningItem("INV-2026-00012", date(2026, 1, 31), 29, Money("1530.25", "EUR")),
        DunningItem("INV-2026-00017", date(2026, 2, 5), 24, Money("980.00", "EUR")),
    ]
    values: dict[str, object] = {
        "customer_name": customer,
        "company_name": "Northwind Components GmbH",
        "items": items,
        "total": Money("2510.25", "EUR"),
        "payment_instructions": ["IBAN DE89 3704 0044 0532 0130 00", "BIC COBADEFFXXX"],
        "pay_by": date(2026, 3, 10),
        "contact": "ar@northwind.example",
    }
    values.update(changes)
    return DunningContext(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("level", LEVELS)
def test_each_language_and_level_renders_with_the_items(language: str, level: int) -> None:
    subject, text, html = render_dunning(language, level, context())
    assert TOTALS[language] in subject
    for body in (text, html):
        assert "Contoso Retail Ltd" in body
        assert "INV-2026-00012" in body and "INV-2026-00017" in body
        assert TOTALS[language] in body
        assert "DE89 3704 0044 0532 0130 00" in body
        assert "Northwind Components GmbH" in body
        assert "ar@northwind.example" in body
    if level > 1:
        assert PAY_BY[language] in text
    assert "29" in text and "24" in text  # days overdue
    assert html.startswith("<!DOCTYPE html>") and f'<html lang="{language}">' in html
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_level_has_its_own_wording(language: str) -> None:
    subjects = {render_dunning(language, level, context()).subject for level in LEVELS}
    texts = {render_dunning(language, level, context()).text for level in LEVELS}
    assert len(subjects) == len(texts) == len(LEVELS)


@pytest.mark.parametrize(
    ("language", "level", "words"),
    [
        ("en", 1, "Friendly reminder"),
        ("en", 2, "past due"),
        ("en", 3, "FINAL NOTICE"),
        ("en", 4, "credit hold"),
        ("de", 1, "Zahlungserinnerung"),
        ("de", 3, "Letzte Mahnung"),
        ("de", 4, "Liefersperre"),
        ("fr", 3, "DERNIER RAPPEL"),
        ("fr", 4, "Compte bloqué"),
        ("en", 5, "collection agency"),
        ("de", 5, "Inkassounternehmen"),
        ("fr", 5, "société de recouvrement"),
    ],
)
def test_tone_escalates_by_level(language: str, level: int, words: str) -> None:
    assert words in render_dunning(language, level, context()).subject


def test_level_4_warns_of_collection_agency_and_level_1_does_not() -> None:
    assert "collection agency" in render_dunning("en", 4, context()).text
    assert "collection agency" not in render_dunning("en", 1, context()).text
    assert "Inkasso" in render_dunning("de", 4, context()).text
    assert "recouvrement" in render_dunning("fr", 4, context()).text


def test_html_is_escaped_and_text_is_not() -> None:
    rendered = render_dunning("en", 2, context(customer="Smith & <Sons>"))
    assert "Smith &amp; &lt;Sons&gt;" in rendered.html
    assert "<Sons>" not in rendered.html
    assert "Dear Smith & <Sons>," in rendered.text


def test_single_item_and_no_deadline() -> None:
    item = DunningItem("INV-9", date(2026, 3, 15), 0, Money("10.00", "EUR"))
    rendered = render_dunning(
        "en", 1, context(items=[item], total=Money("10.00", "EUR"), pay_by=None)
    )
    assert rendered.subject == "Friendly reminder: invoice INV-9 (10.00 EUR)"
    assert "the following invoice is due" in rendered.text
    line = next(x for x in rendered.text.splitlines() if x.startswith("INV-9"))
    assert line.split()[4] == "-"  # not yet overdue: no days shown
    assert "within 7 days" in render_dunning("en", 2, context(pay_by=None)).text


def test_unknown_language_falls_back_to_english() -> None:
    assert render_dunning("es", 3, context()) == render_dunning("en", 3, context())
    assert render_dunning("de-AT", 3, context()) == render_dunning("de", 3, context())


def test_missing_level_in_a_language_falls_back_to_english(tmp_path: Path) -> None:
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "_base.j2").write_text(
        '{% extends "en/_base.j2" %}{% block greeting %}Estimado {{ customer_name }}:{% endblock %}'
    )
    (tmp_path / "es" / "dunning_1.j2").write_text(
        '{% extends "es/_base.j2" %}{% block subject %}Recordatorio: {{ total }}{% endblock %}'
        "{% block body %}Le recordamos las facturas siguientes.{% endblock %}"
    )
    templates = EmailTemplates([tmp_path])
    assert "es" in available_languages(templates)
    spanish = render_dunning("es", 1, context(), templates)
    assert spanish.subject == "Recordatorio: 2,510.25 EUR"
    assert spanish.text.startswith("Estimado Contoso Retail Ltd:")
    assert "INV-2026-00012" in spanish.text
    assert render_dunning("es", 2, context(), templates) == render_dunning("en", 2, context())


def test_unknown_level_is_not_found() -> None:
    with pytest.raises(NotFound, match="dunning_9"):
        render_dunning("en", 9, context())


def test_total_must_match_the_items() -> None:
    with pytest.raises(InvalidInput, match="differs from the sum of its items"):
        render_dunning("en", 1, context(total=Money("1.00", "EUR")))
    with pytest.raises(InvalidInput, match="at least one item"):
        render_dunning("en", 1, context(items=[], total=Money("0", "EUR")))


def test_shipped_languages() -> None:
    assert {"de", "en", "fr"} <= set(available_languages())


@pytest.mark.parametrize("language", LANGUAGES)
def test_invoice_email_names_number_amount_due_date_and_reference(language: str) -> None:
    ctx = InvoiceEmailContext(
        "Contoso Retail Ltd",
        "Northwind Components GmbH",
        "INV-2026-00042",
        Money("2510.25", "EUR"),
        date(2026, 3, 10),
        rf_reference="RF18539007547034",
    )
    subject, text, html = render_invoice_email(language, ctx)
    assert "INV-2026-00042" in subject
    for body in (text, html):
        assert TOTALS[language] in body and PAY_BY[language] in body
        assert "RF18 5390 0754 7034" in body


def test_credit_memo_email_says_no_payment_is_due() -> None:
    ctx = InvoiceEmailContext(
        "Contoso",
        "Northwind",
        "CM-7",
        Money("50.00", "EUR"),
        kind="credit_memo",
        rf_reference="RF18539007547034",
    )
    rendered = render_invoice_email("en", ctx)
    assert rendered.subject == "Credit memo CM-7 from Northwind"
    assert "no payment is due" in rendered.text
    assert "RF18" not in rendered.text
    assert "keine Zahlung fällig" in render_invoice_email("de", ctx).text


@pytest.mark.parametrize("language", LANGUAGES)
def test_statement_email_names_date_and_balance(language: str) -> None:
    ctx = StatementEmailContext("Contoso", "Northwind", date(2026, 3, 10), Money("2510.25", "EUR"))
    subject, text, _ = render_statement_email(language, ctx)
    assert PAY_BY[language] in subject
    assert TOTALS[language] in text
