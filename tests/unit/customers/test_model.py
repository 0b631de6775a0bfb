"""Customer value types, email validation and tax id normalization."""

from __future__ import annotations

import pytest

from owed.domain.customers.model import (
    Address,
    Contact,
    ContactRole,
    parse_tax_id,
    validate_email,
    validate_tax_id,
)
from owed.domain.errors import InvalidInput


class TestTaxIds:
    @pytest.mark.parametrize(
        ("country", "typed", "normalized", "scheme"),
        [
            ("DE", "DE 136 695 976", "DE136695976", "de.vat"),
            ("de", "136695976", "DE136695976", "de.vat"),
            ("GR", "094259216", "EL094259216", "gr.vat"),
            ("FR", "FR 40 303 265 045", "FR40303265045", "fr.vat"),
            ("GB", "980 7806 84", "GB980780684", "gb.vat"),
            ("US", "12-3456789", "123456789", "us.tin"),  # EIN, via the tin fallback
            ("AU", "51 824 753 556", "51824753556", "au.vat"),
            ("IN", "ABCPE1234F", "ABCPE1234F", "in.pan"),  # national fallback after GSTIN
            (None, "DE136695976", "DE136695976", "de.vat"),  # prefix read when no country
            (None, "EL 094 259 216", "EL094259216", "gr.vat"),
        ],
    )
    def test_valid_ids_are_normalized(
        self, country: str | None, typed: str, normalized: str, scheme: str
    ) -> None:
        tax_id = parse_tax_id(country, typed)
        assert (tax_id.value, tax_id.scheme, tax_id.verified) == (normalized, scheme, True)
        assert validate_tax_id(country, typed) == normalized

    @pytest.mark.parametrize(
        ("country", "typed", "reason"),
        [
            ("DE", "136695978", "checksum"),
            ("DE", "12345", "length"),
            ("US", "1", "format"),
            (None, "DE136695978", "VAT prefix DE"),
            ("DE", "   ", "empty"),
        ],
    )
    def test_invalid_ids_name_the_reason(
        self, country: str | None, typed: str, reason: str
    ) -> None:
        with pytest.raises(InvalidInput, match=reason):
            validate_tax_id(country, typed)

    @pytest.mark.parametrize(
        ("country", "typed"), [("XX", "ABC-123"), ("LI", "FL-0002.000.773-3"), (None, "12345")]
    )
    def test_unknown_country_or_no_rule_is_accepted_as_typed_but_flagged(
        self, country: str | None, typed: str
    ) -> None:
        tax_id = parse_tax_id(country, typed)
        assert (tax_id.value, tax_id.verified, tax_id.scheme) == (typed, False, None)


class TestEmail:
    @pytest.mark.parametrize(
        ("typed", "normalized"),
        [
            (" ap@Example.COM ", "ap@example.com"),
            ("Jane.Doe+invoices@sub.example.co.uk", "Jane.Doe+invoices@sub.example.co.uk"),
            ("o'brien@example.ie", "o'brien@example.ie"),
        ],
    )
    def test_valid(self, typed: str, normalized: str) -> None:
        assert validate_email(typed) == normalized

    @pytest.mark.parametrize(
        ("typed", "reason"),
        [
            ("ap.example.com", "exactly one @"),
            ("a@b@example.com", "exactly one @"),
            ("@example.com", "before @"),
            ("jane..doe@example.com", "before @"),
            ("jane doe@example.com", "before @"),
            ("ap@localhost", "labels"),
            ("ap@-example.com", "labels"),
            ("ap@example.c0m", "top-level"),
            ("a" * 65 + "@example.com", "before @"),
        ],
    )
    def test_invalid(self, typed: str, reason: str) -> None:
        with pytest.raises(InvalidInput, match=reason):
            validate_email(typed)


def test_contact_and_address_normalize() -> None:
    contact = Contact("Jane", "AP@ACME.COM", role=ContactRole.AP)
    assert contact.email == "AP@acme.com"
    assert Address("1 Main St", "Springfield", " us ").country == "US"
    with pytest.raises(InvalidInput, match="two-letter"):
        Address("1 Main St", "Springfield", "USA")
    with pytest.raises(InvalidInput):
        Contact("Jane", "not-an-email")
