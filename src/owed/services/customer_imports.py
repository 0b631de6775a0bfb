"""Importing customers from an ERP export.

Columns (``CUSTOMER_COLUMNS``): customer_id (the external id, the key),
name, currency, payment_terms (default NET 30), email, parent_id (another
customer's external id, in the database or anywhere in the file), country,
tax_id (checked for the country), credit_limit. See docs/formats.md.

Same bulk path as invoices: one query for what exists, one validation pass
(terms are parsed once per distinct spelling), executemany inserts, then one
executemany to link parents. A customer already stored is *unchanged* when
the file's normalized values equal the stored ones and *changed* (reported,
not applied: use ``owed customer update``) otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from owed.domain.auth import Permission
from owed.domain.billing.terms import PaymentTerms
from owed.domain.customers.model import parse_tax_id, validate_email
from owed.domain.errors import InvalidInput, Problem, UnknownCurrency
from owed.domain.money import Currency
from owed.services.imports_common import (
    BadCell,
    ImportResult,
    ImportTable,
    Progress,
    Reject,
    cell,
    cell_minor,
    check_length,
    refuse_or_keep,
    resolve_columns,
)
from owed.services.unit_of_work import UnitOfWork

CUSTOMER_COLUMNS = (
    "customer_id",
    "name",
    "currency",
    "payment_terms",
    "email",
    "parent_id",
    "country",
    "tax_id",
    "credit_limit",
    # optional master data
    "segment",
    "risk_class",
    "collector",
    "language",
    "po_required",
)
CUSTOMER_REQUIRED = ("customer_id", "name", "currency")
COMPARED = ("name", "currency", "payment_terms", "email", "country", "tax_id", "credit_limit_minor")


@dataclass(frozen=True)
class ImportCustomers:
    table: ImportTable
    mapping: Mapping[str, str] = field(default_factory=dict)
    skip_invalid: bool = False
    dry_run: bool = False


def import_customers(
    cmd: ImportCustomers, uow: UnitOfWork, progress: Progress | None = None
) -> ImportResult:
    with uow:
        uow.require(Permission.MANAGE_CUSTOMERS)
        columns = resolve_columns(cmd.table, cmd.mapping, CUSTOMER_COLUMNS, CUSTOMER_REQUIRED)
        started = time.perf_counter()
        result = ImportResult(header=list(cmd.table.header))
        new, parents = _validate(cmd.table, columns, uow, result, progress)
        result.validate_seconds = time.perf_counter() - started
        refuse_or_keep(result, cmd.table.source, "customer file", cmd.skip_invalid)
        if cmd.dry_run or not new:
            return result
        started = time.perf_counter()
        uow.customers.add_many(new, uow.now())
        ids = uow.customers.external_ids()
        uow.customers.set_parents(
            [(ids[child][0], ids[parent][0]) for child, parent in parents.items() if parent in ids]
        )
        result.imported = len(new)
        uow.audit(
            "import.customers",
            "import",
            cmd.table.source,
            after={
                "rows": result.read,
                "imported": result.imported,
                "unchanged": result.unchanged,
                "changed": len(result.changed),
                "rejected": len(result.rejects),
            },
        )
        uow.commit()
        result.write_seconds = time.perf_counter() - started
        return result


def _validate(
    table: ImportTable,
    columns: dict[str, int],
    uow: UnitOfWork,
    result: ImportResult,
    progress: Progress | None,
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    existing = uow.customers.snapshot_for_import()
    terms_cache: dict[str, str] = {}
    rows: list[tuple[int, list[str], dict[str, Any], str | None]] = []
    seen: dict[str, int] = {}
    row_no = 1
    for row_no, raw in enumerate(table.rows, start=2):
        if row_no % 10_000 == 0 and progress is not None:
            progress(row_no - 1)
        cells = list(raw)
        try:
            values, parent = _values(cells, columns, terms_cache)
            first = seen.get(values["external_id"])
            if first is not None:
                raise BadCell(f"customer_id {values['external_id']} repeats row {first}")
            seen[values["external_id"]] = row_no
        except BadCell as bad:
            result.rejects.append(Reject(row_no, cells, str(bad)))
            continue
        rows.append((row_no, cells, values, parent))
    result.read = row_no - 1
    new: list[dict[str, Any]] = []
    parents: dict[str, str] = {}
    for row_no, cells, values, parent in rows:  # parents may come later in the file
        ext = values["external_id"]
        if parent is not None and parent not in existing and parent not in seen:
            result.rejects.append(
                Reject(
                    row_no, cells, f"parent_id {parent!r} is not a known customer nor in the file"
                )
            )
            continue
        if parent == ext:
            result.rejects.append(Reject(row_no, cells, "parent_id is the customer itself"))
            continue
        stored = existing.get(ext)
        if stored is not None:
            differs = [k for k in COMPARED if stored[k] != values[k]]
            if differs:
                result.changed.append(
                    Problem(
                        f"row {row_no}",
                        f"customer {ext} already exists and differs in "
                        f"{', '.join(differs)}: not applied (use `owed customer update`)",
                        row=row_no,
                    )
                )
            else:
                result.unchanged += 1
            continue
        new.append(values)
        if parent is not None:
            parents[ext] = parent
    result.rejects.sort(key=lambda r: r.row)
    return new, parents


RISK_CLASSES = ("low", "medium", "high")


def _risk_class(text: str) -> str | None:
    if not text:
        return None
    if text.lower() not in RISK_CLASSES:
        raise BadCell(f"risk_class {text!r} must be one of {', '.join(RISK_CLASSES)}")
    return text.lower()


def _values(
    cells: list[str], c: dict[str, int], terms_cache: dict[str, str]
) -> tuple[dict[str, Any], str | None]:
    ext = check_length(cell(cells, c["customer_id"]), "customer_id", 64)
    if not ext:
        raise BadCell("customer_id is empty")
    name = check_length(cell(cells, c["name"]), "name", 200)
    if not name:
        raise BadCell("name is empty")
    code = cell(cells, c["currency"]).upper()
    try:
        currency = Currency.of(code)
    except UnknownCurrency:
        raise BadCell(f"currency {code!r} is not an ISO 4217 code") from None
    terms_text = cell(cells, c.get("payment_terms")) or "NET 30"
    terms = terms_cache.get(terms_text)
    if terms is None:
        try:
            terms = terms_cache[terms_text] = PaymentTerms.parse(terms_text).code
        except InvalidInput:
            raise BadCell(
                f"payment_terms {terms_text!r} cannot be read (e.g. NET 30, "
                "2/10 NET 30, EOM+15, DUE ON RECEIPT)"
            ) from None
    country = cell(cells, c.get("country")).upper() or None
    if country is not None and not (len(country) == 2 and country.isalpha()):
        raise BadCell(f"country {country!r} is not a two-letter ISO code")
    try:
        email = validate_email(e) if (e := cell(cells, c.get("email"))) else None
        tax = parse_tax_id(country, t).value if (t := cell(cells, c.get("tax_id"))) else None
    except InvalidInput as error:
        raise BadCell(error.message) from None
    limit_text = cell(cells, c.get("credit_limit"))
    limit = (
        cell_minor(limit_text, "credit_limit", currency.code, currency.minor_units)
        if limit_text
        else None
    )
    if limit is not None and limit < 0:
        raise BadCell(f"credit_limit {limit_text} must not be negative")
    po_text = cell(cells, c.get("po_required")).lower()
    if po_text not in ("", "true", "false", "yes", "no", "1", "0", "y", "n"):
        raise BadCell(f"po_required {po_text!r} must be true or false")
    language = cell(cells, c.get("language")).lower() or "en"
    if not (2 <= len(language) <= 8):
        raise BadCell(f"language {language!r} is not a language code such as en, de, fr")
    values = {
        "segment": check_length(cell(cells, c.get("segment")), "segment", 40) or None,
        "risk_class": _risk_class(cell(cells, c.get("risk_class"))),
        "collector": check_length(cell(cells, c.get("collector")), "collector", 64) or None,
        "language": language,
        "po_required": po_text in ("true", "yes", "1", "y"),
        "external_id": ext,
        "name": name,
        "currency": currency.code,
        "payment_terms": terms,
        "email": email,
        "country": country,
        "tax_id": tax,
        "credit_limit_minor": limit,
    }
    return values, cell(cells, c.get("parent_id")) or None
