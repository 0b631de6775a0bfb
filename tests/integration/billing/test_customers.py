"""Customer master: validation, masking by role, card redaction, quality report."""

from __future__ import annotations

import pytest

from owed.domain.customers.quality import IssueKind
from owed.domain.errors import InvalidInput, NotPermitted
from owed.services import customers as svc
from tests.integration.billing.conftest import add_customer

CONTACTS = [
    {"name": "Pat Payer", "email": "pat.payer@acme.example", "phone": "+1 555 0100", "role": "ap"}
]


def test_sensitive_fields_are_masked_for_roles_without_view_sensitive(env):
    add_customer(
        env,
        email="billing@acme.example",
        contacts=CONTACTS,
        bank_accounts=["DE89 3704 0044 0532 0130 00"],
    )
    seen_by_lead = svc.get_customer(env.uow("lena"), "C1")
    seen_by_clerk = svc.get_customer(env.uow("clara"), "C1")
    assert seen_by_lead.contacts[0].email == "pat.payer@acme.example"
    assert seen_by_lead.bank_accounts == ("DE89 3704 0044 0532 0130 00",)
    assert seen_by_clerk.masked
    assert seen_by_clerk.email == "b***@acme.example"
    assert seen_by_clerk.contacts[0].email == "p***@acme.example"
    assert seen_by_clerk.bank_accounts == ("*" * 18 + "3000",)
    assert [c.email for c in svc.list_customers(env.uow("ann"))] == ["b***@acme.example"]


def test_card_numbers_in_notes_are_redacted_before_storing(env):
    add_customer(env, notes="paid by card 4111-1111-1111-1111 exp 12/29")
    assert (
        svc.get_customer(env.uow("lena"), "C1").notes
        == "paid by card ****-****-****-1111 exp 12/29"
    )


def test_tax_id_terms_and_currency_are_validated(env):
    with pytest.raises(InvalidInput, match="tax id"):
        add_customer(env, "C9", country="DE", tax_id="DE123456789")
    with pytest.raises(InvalidInput, match="payment terms"):
        add_customer(env, "C9", payment_terms="whenever")
    with pytest.raises(InvalidInput, match="currency"):
        add_customer(env, "C9", currency="XYZ")
    customer = add_customer(env, "C9", country="DE", tax_id="136 695 976")
    assert customer.tax_id == "DE136695976"
    assert svc.list_customers(env.uow()) == [customer]


def test_update_is_audited_and_needs_permission(env):
    add_customer(env)
    with pytest.raises(NotPermitted):
        svc.update_customer(svc.UpdateCustomer("C1", {"name": "X"}), env.uow("ann"))
    after = svc.update_customer(
        svc.UpdateCustomer("C1", {"credit_limit": "2500.00", "payment_terms": "net 45"}),
        env.uow("clara"),
    )
    assert str(after.credit_limit) == "2,500.00 USD"
    assert after.payment_terms == "NET 45"
    uow = env.uow()
    with uow:
        actions = [r.action for r in uow.audit_log.records()]
    assert actions[-2:] == ["customer.create", "customer.update"]


def test_quality_report_finds_duplicates_and_missing_contacts(env):
    add_customer(env, "C1", "Acme Corporation Inc.", contacts=CONTACTS)
    add_customer(env, "C2", "ACME Corporation")
    report = svc.customer_quality(env.uow())
    dupes = report.of_kind(IssueKind.LIKELY_DUPLICATE_NAME)
    assert [f.customer_ids for f in dupes] == [("C1", "C2")]
    assert [f.customer_ids for f in report.of_kind(IssueKind.MISSING_AP_CONTACT)] == [("C2",)]
