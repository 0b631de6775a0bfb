"""Customer master data: create, update, list, show, and the data-quality report.

Every field a user types goes through ``normalize_fields`` before it is
stored, so the rules live in one place: the currency is an ISO code, the
payment terms parse (``PaymentTerms.parse``; the canonical spelling is
stored), the tax id passes its country's checksum (``parse_tax_id``; the
normalized form is stored), emails are valid, a credit limit is exact for
the currency, and card numbers are redacted from notes
(``redact_card_numbers``) before they are ever stored.

Reading is masked by role: a user without ``VIEW_SENSITIVE`` sees contact
emails and phones, the billing email and bank accounts masked
(``mask_email`` / ``mask_account``). The unmasked value never leaves the
service for them.

Addresses, contacts, bank accounts and notes are kept in the customer's
``details`` JSON; everything queried (external id, name, currency, terms,
credit limit, collector...) has its own column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from owed.domain.auth import Permission
from owed.domain.billing.terms import PaymentTerms
from owed.domain.customers.model import (
    Address,
    Contact,
    ContactRole,
    DeliveryPreference,
    parse_tax_id,
    validate_email,
)
from owed.domain.customers.privacy import mask_account, mask_email, redact_card_numbers
from owed.domain.customers.quality import CustomerRecord, QualityReport, quality_report
from owed.domain.errors import Conflict, InvalidInput, NotFound
from owed.domain.money import Currency, Money, to_decimal
from owed.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Customer:
    """A customer as stored (``id``) and as shown (possibly masked)."""

    id: int
    external_id: str
    name: str
    currency: str
    payment_terms: str = "NET 30"
    parent_id: int | None = None
    credit_limit: Money | None = None
    country: str | None = None
    tax_id: str | None = None
    email: str | None = None
    delivery: str = DeliveryPreference.EMAIL.value
    po_required: bool = False
    segment: str | None = None
    risk_class: str | None = None
    collector: str | None = None
    language: str = "en"
    on_hold: bool = False
    addresses: tuple[Address, ...] = ()
    contacts: tuple[Contact, ...] = ()
    bank_accounts: tuple[str, ...] = ()
    notes: str = ""
    masked: bool = field(default=False, compare=False)

    def billing_email(self) -> str | None:
        """Where invoices go: the billing contact, else the AP contact, else ``email``."""
        for role in (ContactRole.BILLING, ContactRole.AP):
            for contact in self.contacts:
                if contact.role is role and contact.email:
                    return contact.email
        return self.email


# Fields a create or update may set (parent is given by its external id).
EDITABLE = (
    "name", "currency", "payment_terms", "parent", "credit_limit", "country", "tax_id",
    "email", "delivery", "po_required", "segment", "risk_class", "collector", "language",
    "addresses", "contacts", "bank_accounts", "notes",
)  # fmt: skip


@dataclass(frozen=True)
class CreateCustomer:
    external_id: str
    name: str
    currency: str
    values: Mapping[str, Any] = field(default_factory=dict)  # any of EDITABLE


@dataclass(frozen=True)
class UpdateCustomer:
    external_id: str
    values: Mapping[str, Any]  # any of EDITABLE; None clears an optional field


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _credit_limit(value: Any, currency: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    amount = value.amount if isinstance(value, Money) else to_decimal(value)
    if amount < 0:
        raise InvalidInput(f"credit limit {amount} must not be negative")
    return Currency.of(currency).to_minor(amount)


def _contacts(value: Any) -> list[dict[str, Any]]:
    out = []
    for item in value or ():
        contact = (
            item
            if isinstance(item, Contact)
            else Contact(
                name=item["name"],
                email=item.get("email"),
                phone=item.get("phone"),
                role=ContactRole(item.get("role", "other")),
            )
        )
        out.append(
            {
                "name": contact.name,
                "email": contact.email,
                "phone": contact.phone,
                "role": contact.role.value,
            }
        )
    return out


def _addresses(value: Any) -> list[dict[str, str]]:
    out = []
    for item in value or ():
        address = item if isinstance(item, Address) else Address(**item)
        out.append({f.name: getattr(address, f.name) for f in fields(Address)})
    return out


def normalize_fields(values: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """Validate and normalize user-typed fields into column values (see module doc)."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput(
            f"unknown customer field(s): {', '.join(sorted(unknown))}; "
            f"fields are: {', '.join(EDITABLE)}"
        )
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "name":
            if not _text(value):
                raise InvalidInput("a customer needs a name")
            out["name"] = _text(value)
        elif key == "currency":
            out["currency"] = Currency.of(str(value)).code
        elif key == "payment_terms":
            out["payment_terms"] = PaymentTerms.parse(str(value)).code
        elif key == "credit_limit":
            out["credit_limit_minor"] = _credit_limit(value, currency)
        elif key == "country":
            text = _text(value)
            if text is not None and not (len(text) == 2 and text.isalpha()):
                raise InvalidInput(f"country {value!r} is not a two-letter ISO code")
            out["country"] = text.upper() if text else None
        elif key == "email":
            out["email"] = validate_email(str(value)) if _text(value) else None
        elif key == "delivery":
            out["delivery"] = DeliveryPreference(str(value).strip().lower()).value
        elif key == "po_required":
            out["po_required"] = bool(value)
        elif key == "language":
            out["language"] = _text(value) or "en"
        elif key == "contacts":
            out["contacts"] = _contacts(value)
        elif key == "addresses":
            out["addresses"] = _addresses(value)
        elif key == "bank_accounts":
            out["bank_accounts"] = [str(v).strip() for v in value or () if str(v).strip()]
        elif key == "notes":
            out["notes"] = redact_card_numbers(str(value or ""))
        else:  # parent, tax_id, segment, risk_class, collector: plain text
            out[key] = _text(value)
    return out


def _check_tax_id(values: dict[str, Any], country: str | None) -> None:
    if values.get("tax_id"):
        values["tax_id"] = parse_tax_id(country, values["tax_id"]).value


def _resolve_parent(uow: UnitOfWork, values: dict[str, Any], own: str) -> None:
    if "parent" not in values:
        return
    parent_ext = values.pop("parent")
    if parent_ext is None:
        values["parent_id"] = None
        return
    if parent_ext == own:
        raise InvalidInput(f"customer {own} cannot be its own parent")
    parent = uow.customers.get_by_external(parent_ext)
    if parent is None:
        raise NotFound("parent customer", parent_ext)
    values["parent_id"] = parent.id


def _snapshot(customer: Customer) -> dict[str, Any]:
    """What the audit log records: masked where personal, so the log holds no PII copies."""
    shown = mask(customer)
    return {
        "external_id": shown.external_id,
        "name": shown.name,
        "currency": shown.currency,
        "payment_terms": shown.payment_terms,
        "parent_id": shown.parent_id,
        "credit_limit": str(shown.credit_limit) if shown.credit_limit else None,
        "country": shown.country,
        "tax_id": shown.tax_id,
        "email": shown.email,
        "delivery": shown.delivery,
        "po_required": shown.po_required,
        "segment": shown.segment,
        "risk_class": shown.risk_class,
        "collector": shown.collector,
        "language": shown.language,
        "contacts": len(shown.contacts),
        "addresses": len(shown.addresses),
    }


def create_customer(cmd: CreateCustomer, uow: UnitOfWork) -> Customer:
    with uow:
        uow.require(Permission.MANAGE_CUSTOMERS)
        external_id = (cmd.external_id or "").strip()
        if not external_id:
            raise InvalidInput("a customer needs an external id (the ERP key)")
        currency = Currency.of(cmd.currency).code
        values = normalize_fields({**cmd.values, "name": cmd.name, "currency": currency}, currency)
        values.setdefault("payment_terms", "NET 30")
        _check_tax_id(values, values.get("country"))
        _resolve_parent(uow, values, external_id)
        if uow.customers.get_by_external(external_id) is not None:
            raise Conflict(f"customer {external_id!r} already exists")
        customer_id = uow.customers.add(external_id, values, uow.now())
        customer = uow.customers.get(customer_id)
        uow.audit("customer.create", "customer", external_id, after=_snapshot(customer))
        uow.commit()
        return customer  # type: ignore[no-any-return]


def update_customer(cmd: UpdateCustomer, uow: UnitOfWork) -> Customer:
    with uow:
        uow.require(Permission.MANAGE_CUSTOMERS)
        before = uow.customers.get_by_external(cmd.external_id)
        if before is None:
            raise NotFound("customer", cmd.external_id)
        currency = Currency.of(cmd.values.get("currency", before.currency)).code
        values = normalize_fields(cmd.values, currency)
        if "credit_limit" not in cmd.values and "currency" in values and before.credit_limit:
            values["credit_limit_minor"] = _credit_limit(before.credit_limit.amount, currency)
        if "tax_id" in values or "country" in values:
            values.setdefault("tax_id", before.tax_id)
            _check_tax_id(values, values.get("country", before.country))
        _resolve_parent(uow, values, before.external_id)
        uow.customers.update(before.id, values, uow.now())
        after = uow.customers.get(before.id)
        uow.audit(
            "customer.update",
            "customer",
            before.external_id,
            before=_snapshot(before),
            after=_snapshot(after),
        )
        uow.commit()
        return after  # type: ignore[no-any-return]


def mask(customer: Customer) -> Customer:
    """The customer as a user without VIEW_SENSITIVE sees it."""
    return replace(
        customer,
        email=mask_email(customer.email) if customer.email else None,
        contacts=tuple(_masked_contact(c) for c in customer.contacts),
        bank_accounts=tuple(mask_account(a) for a in customer.bank_accounts),
        masked=True,
    )


def _masked_contact(contact: Contact) -> Contact:
    # Built without __init__ so the masked email is not re-validated as an address.
    masked = object.__new__(Contact)
    object.__setattr__(masked, "name", contact.name)
    object.__setattr__(masked, "email", mask_email(contact.email) if contact.email else None)
    object.__setattr__(masked, "phone", mask_account(contact.phone) if contact.phone else None)
    object.__setattr__(masked, "role", contact.role)
    return masked


def _visible(uow: UnitOfWork, customer: Customer) -> Customer:
    return customer if uow.actor.can(Permission.VIEW_SENSITIVE) else mask(customer)


def get_customer(uow: UnitOfWork, external_id: str) -> Customer:
    with uow:
        uow.require(Permission.READ)
        customer = uow.customers.get_by_external(external_id)
        if customer is None:
            raise NotFound("customer", external_id)
        return _visible(uow, customer)


def list_customers(uow: UnitOfWork, search: str | None = None, limit: int = 200) -> list[Customer]:
    with uow:
        uow.require(Permission.READ)
        return [_visible(uow, c) for c in uow.customers.list(search, limit)]


def customer_quality(uow: UnitOfWork, name_threshold: float = 90) -> QualityReport:
    """The data-quality report over every customer of the company (ids are external ids)."""
    with uow:
        uow.require(Permission.READ)
        records = [_record(c) for c in uow.customers.list(None, None)]
        return quality_report(records, name_threshold=name_threshold)


def _record(customer: Customer) -> CustomerRecord:
    emails = [customer.email] if customer.email else []
    emails += [c.email for c in customer.contacts if c.email and c.email not in emails]
    return CustomerRecord(
        id=customer.external_id,
        external_id=customer.external_id,
        name=customer.name,
        country=customer.country,
        tax_id=customer.tax_id,
        emails=tuple(emails),
        has_ap_contact=any(c.role is ContactRole.AP for c in customer.contacts),
    )


__all__: Sequence[str] = (
    "EDITABLE", "CreateCustomer", "Customer", "UpdateCustomer", "create_customer",
    "customer_quality", "get_customer", "list_customers", "mask", "normalize_fields",
    "update_customer",
)  # fmt: skip
