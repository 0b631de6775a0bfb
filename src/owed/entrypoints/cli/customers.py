"""CLI: `owed customer add/update/show/list/quality`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from owed.domain.errors import InvalidInput
from owed.entrypoints.cli.common import console, money_cell, table
from owed.entrypoints.cli.runtime import runtime

customer_app = typer.Typer(help="Customer master data.", no_args_is_help=True)

Opt = typer.Option


def _contacts(specs: list[str]) -> list[dict[str, Any]]:
    """``ROLE:NAME:EMAIL[:PHONE]`` → contact dicts."""
    from owed.domain.customers.model import ContactRole

    out = []
    for spec in specs:
        parts = spec.split(":")
        if len(parts) not in (3, 4):
            raise InvalidInput(
                f"--contact {spec!r}: expected ROLE:NAME:EMAIL[:PHONE] "
                f"(roles: {', '.join(r.value for r in ContactRole)})"
            )
        try:
            role = ContactRole(parts[0].strip().lower())
        except ValueError:
            raise InvalidInput(f"--contact {spec!r}: unknown role {parts[0]!r}") from None
        out.append(
            {
                "role": role.value,
                "name": parts[1],
                "email": parts[2] or None,
                "phone": parts[3] if len(parts) == 4 else None,
            }
        )
    return out


def _address(spec: str) -> dict[str, str]:
    """``LINE1|CITY|POSTAL|COUNTRY``."""
    parts = spec.split("|")
    if len(parts) != 4:
        raise InvalidInput(f"--address {spec!r}: expected LINE1|CITY|POSTAL_CODE|COUNTRY")
    return {"line1": parts[0], "city": parts[1], "postal_code": parts[2], "country": parts[3]}


def _values(**given: Any) -> dict[str, Any]:
    values = {k: v for k, v in given.items() if v is not None and v != []}
    if "contacts" in values:
        values["contacts"] = _contacts(values["contacts"])
    if "addresses" in values:
        values["addresses"] = [_address(a) for a in values["addresses"]]
    return values


@customer_app.command("add")
def customer_add(
    external_id: Annotated[str, typer.Argument(help="The customer's id in your ERP")],
    name: Annotated[str, Opt(help="Legal name")],
    currency: Annotated[str, Opt(help="ISO 4217 code")] = "USD",
    terms: Annotated[str | None, Opt("--terms", help='e.g. "NET 30", "2/10 NET 30"')] = None,
    parent: Annotated[str | None, Opt(help="Parent customer's external id")] = None,
    credit_limit: Annotated[str | None, Opt(help="Exact amount in the currency")] = None,
    country: Annotated[str | None, Opt()] = None,
    tax_id: Annotated[str | None, Opt(help="Checked against the country's rules")] = None,
    email: Annotated[str | None, Opt(help="Billing email of record")] = None,
    contact: Annotated[list[str], Opt(help="ROLE:NAME:EMAIL[:PHONE], repeatable")] = [],  # noqa: B006
    address: Annotated[list[str], Opt(help="LINE1|CITY|POSTAL|COUNTRY, repeatable")] = [],  # noqa: B006
    delivery: Annotated[str | None, Opt(help="email, portal or post")] = None,
    po_required: Annotated[bool, Opt("--po-required")] = False,
    segment: Annotated[str | None, Opt()] = None,
    risk_class: Annotated[str | None, Opt()] = None,
    collector: Annotated[str | None, Opt()] = None,
    language: Annotated[str | None, Opt()] = None,
    notes: Annotated[str | None, Opt(help="Card numbers are redacted before storing")] = None,
) -> None:
    """Add a customer."""
    from owed.services import customers as svc

    values = _values(
        payment_terms=terms,
        parent=parent,
        credit_limit=credit_limit,
        country=country,
        tax_id=tax_id,
        email=email,
        contacts=contact,
        addresses=address,
        delivery=delivery,
        segment=segment,
        risk_class=risk_class,
        collector=collector,
        language=language,
        notes=notes,
    )
    if po_required:
        values["po_required"] = True
    customer = svc.create_customer(
        svc.CreateCustomer(external_id, name, currency, values), runtime().uow()
    )
    console.print(
        f"customer {customer.external_id} added ({customer.name}, "
        f"{customer.currency}, {customer.payment_terms})"
    )


@customer_app.command("update")
def customer_update(
    external_id: str,
    name: Annotated[str | None, Opt()] = None,
    terms: Annotated[str | None, Opt("--terms")] = None,
    credit_limit: Annotated[str | None, Opt()] = None,
    country: Annotated[str | None, Opt()] = None,
    tax_id: Annotated[str | None, Opt()] = None,
    email: Annotated[str | None, Opt()] = None,
    contact: Annotated[list[str], Opt(help="Replaces all contacts")] = [],  # noqa: B006
    delivery: Annotated[str | None, Opt()] = None,
    po_required: Annotated[bool | None, Opt("--po-required/--no-po-required")] = None,
    segment: Annotated[str | None, Opt()] = None,
    risk_class: Annotated[str | None, Opt()] = None,
    collector: Annotated[str | None, Opt()] = None,
    notes: Annotated[str | None, Opt()] = None,
) -> None:
    """Change fields of a customer (only the options given)."""
    from owed.services import customers as svc

    values = _values(
        name=name,
        payment_terms=terms,
        credit_limit=credit_limit,
        country=country,
        tax_id=tax_id,
        email=email,
        contacts=contact,
        delivery=delivery,
        po_required=po_required,
        segment=segment,
        risk_class=risk_class,
        collector=collector,
        notes=notes,
    )
    if not values:
        raise InvalidInput("nothing to change: give at least one option")
    svc.update_customer(svc.UpdateCustomer(external_id, values), runtime().uow())
    console.print(f"customer {external_id} updated: {', '.join(sorted(values))}")


@customer_app.command("show")
def customer_show(external_id: str) -> None:
    """One customer (personal and bank data masked unless you may see them)."""
    from owed.services import customers as svc

    c = svc.get_customer(runtime().uow(), external_id)
    t = table(f"Customer {c.external_id}" + (" (masked)" if c.masked else ""), "field", "value")
    for label, value in [
        ("name", c.name),
        ("currency", c.currency),
        ("terms", c.payment_terms),
        ("credit limit", money_cell(c.credit_limit) or "none"),
        ("country", c.country),
        ("tax id", c.tax_id),
        ("email", c.email),
        ("delivery", c.delivery),
        ("PO required", "yes" if c.po_required else "no"),
        ("segment", c.segment),
        ("risk class", c.risk_class),
        ("collector", c.collector),
        ("language", c.language),
        ("bank accounts", ", ".join(c.bank_accounts)),
        ("notes", c.notes),
    ]:
        t.add_row(label, str(value or ""))
    for contact in c.contacts:
        t.add_row(
            f"contact ({contact.role.value})",
            f"{contact.name} {contact.email or ''} {contact.phone or ''}".strip(),
        )
    for address in c.addresses:
        t.add_row(
            "address", f"{address.line1}, {address.postal_code} {address.city}, {address.country}"
        )
    console.print(t)


@customer_app.command("list")
def customer_list(
    search: Annotated[str | None, Opt(help="Part of the name or id")] = None,
    limit: Annotated[int, Opt()] = 200,
) -> None:
    """Customers, by external id."""
    from owed.services import customers as svc

    t = table(
        "Customers",
        "id",
        "name",
        "ccy",
        "terms",
        "credit limit",
        "email",
        numeric=("credit limit",),
    )
    for c in svc.list_customers(runtime().uow(), search, limit):
        t.add_row(
            c.external_id,
            c.name,
            c.currency,
            c.payment_terms,
            money_cell(c.credit_limit),
            c.email or "",
        )
    console.print(t)


@customer_app.command("quality")
def customer_quality(
    threshold: Annotated[int, Opt(help="Name similarity (0-100) for likely duplicates")] = 90,
) -> None:
    """Data-quality report: likely duplicates, missing contacts, bad tax ids..."""
    from owed.services import customers as svc

    report = svc.customer_quality(runtime().uow(), threshold)
    t = table("Customer data quality", "issue", "customers", "detail")
    for finding in report.findings:
        t.add_row(finding.kind.value, ", ".join(finding.customer_ids), finding.detail)
    console.print(t)
    counts = report.count_by_kind()
    console.print(", ".join(f"{k.value}: {n}" for k, n in counts.items()) or "no findings")
