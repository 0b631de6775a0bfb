"""Placing a customer with a collection agency, and tracking the placement.

``place_with_agency`` (``MANAGE_CREDIT``: leads and specialists) builds the
agency file from the customer's open items with the domain's
``agency_export_rows`` (disputed amounts are never placed), adds the
customer's contacts and each item's dunning history, hands the rows to an
``ExportSink`` (the CSV adapter writes them under data_dir/agency/), records
the placement, and blocks our own dunning of the customer (the agency
collects now). ``list_placements`` shows what was recovered since: payments
settled on the placed items on or after the placement date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from owed.domain.auth import Permission
from owed.domain.collections.writeoffs import AGENCY_COLUMNS, Debtor, PlacedItem, agency_export_rows
from owed.domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from owed.domain.money import Money
from owed.services.unit_of_work import UnitOfWork

EXPORT_COLUMNS = (*AGENCY_COLUMNS, "contacts", "dunning_history")


class ExportSink(Protocol):
    def write(self, name: str, columns: tuple[str, ...], rows: list[dict[str, str]]) -> str: ...


@dataclass(frozen=True)
class PlaceWithAgency:
    customer: str  # external id
    agency: str | None = None  # default: company setting "collection_agency"


@dataclass(frozen=True)
class Placement:
    placement_id: int
    agency: str
    placed: Money
    items: int
    skipped: list[str]
    path: str


def place_with_agency(cmd: PlaceWithAgency, uow: UnitOfWork, sink: ExportSink) -> Placement:
    with uow:
        uow.require(Permission.MANAGE_CREDIT)
        customer = uow.customers.get_by_external(cmd.customer.strip())
        if customer is None:
            raise NotFound("customer", cmd.customer)
        agency = (cmd.agency or uow.company.settings.get("collection_agency") or "").strip()
        if not agency:
            raise InvalidInput("name the agency (--agency) or set collection_agency")
        active = [p for p in uow.disputes.placements("placed") if p["customer_id"] == customer.id]
        if active:
            raise Conflict(f"customer {customer.external_id} is already placed with "
                           f"{active[0]['agency']} (placement {active[0]['id']})")  # fmt: skip
        docs = uow.disputes.open_items_of(customer.id)
        ids = [d["id"] for d in docs]
        disputed = uow.disputes.disputed_minor(ids)
        paid = uow.disputes.last_payment_dates(ids)
        history = _history(uow.disputes.dunning_history(ids))
        placed_on = uow.today()
        export = agency_export_rows([_debtor(customer)], [
            PlacedItem(customer.external_id, d["number"], d["issue_date"], d["due_date"],
                       Money.from_minor(d["total_minor"], d["currency"]),
                       Money.from_minor(d["open_minor"], d["currency"]),
                       Money.from_minor(disputed.get(d["id"], 0), d["currency"]),
                       paid.get(d["id"]), max((lv for lv, _ in history.get(d["id"], [])),
                                              default=0))
            for d in docs], placed_on)  # fmt: skip
        if not export.rows:
            raise RuleViolation(f"customer {customer.external_id} has nothing undisputed to place")
        currencies = {r["currency"] for r in export.rows}
        if len(currencies) != 1:
            raise RuleViolation(f"open items in {sorted(currencies)}: place one currency at a time")
        (currency,) = currencies
        total = sum((Money(r["placed_amount"], currency) for r in export.rows),
                    Money.zero(currency))  # fmt: skip
        by_number = {d["number"]: d["id"] for d in docs}
        contacts = "; ".join(f"{c.name} <{c.email or ''}> {c.phone or ''}".strip()
                             for c in customer.contacts)  # fmt: skip
        rows = [{**r, "contacts": contacts,
                 "dunning_history": _levels(history.get(by_number[r["document"]], []))}
                for r in export.rows]  # fmt: skip
        name = f"{uow.company.code}-{customer.external_id}-{placed_on.isoformat()}.csv"
        path = sink.write(name, EXPORT_COLUMNS, rows)
        placed_ids = [by_number[r["document"]] for r in export.rows]
        placement_id = uow.disputes.add_placement(
            customer_id=customer.id, agency=agency, status="placed", currency=currency,
            placed_minor=total.to_minor(), placed_on=placed_on, export_path=path,
            items=_json(placed_ids), placed_by=uow.actor.username, placed_at=uow.now(),
        )  # fmt: skip
        uow.customers.update(customer.id, {"dunning_blocked": True}, uow.now())
        uow.audit("agency.place", "customer", customer.external_id,
                  before={"dunning_blocked": False},
                  after={"placement": placement_id, "agency": agency, "amount": str(total),
                         "items": len(rows), "file": path, "dunning_blocked": True})  # fmt: skip
        uow.commit()
        return Placement(placement_id, agency, total, len(rows),
                         [f"{s.document}: {s.reason}" for s in export.skipped], path)  # fmt: skip


def _debtor(customer: Any) -> Debtor:
    address = customer.addresses[0] if customer.addresses else None
    phone = next((c.phone for c in customer.contacts if c.phone), "") or ""
    return Debtor(customer.external_id, customer.name, customer.tax_id or "",
                  _address_text(address), customer.email or "", phone)  # fmt: skip


def _address_text(address: Any) -> str:
    if address is None:
        return ""
    city = " ".join(p for p in (address.postal_code, address.city) if p)
    parts = (address.line1, address.line2, city, address.region, address.country)
    return ", ".join(p for p in parts if p)


def _history(rows: list[dict[str, Any]]) -> dict[int, list[tuple[int, date]]]:
    out: dict[int, list[tuple[int, date]]] = {}
    for r in rows:
        out.setdefault(r["document_id"], []).append((int(r["level"]), r["sent_on"]))
    return out


def _levels(levels: list[tuple[int, date]]) -> str:
    return " ".join(f"L{level}@{on.isoformat()}" for level, on in levels)


def _json(ids: list[int]) -> str:
    return json.dumps(ids)


@dataclass(frozen=True)
class PlacementView:
    placement_id: int
    customer: str
    agency: str
    status: str
    placed_on: date
    placed: Money
    recovered: Money
    path: str


def list_placements(uow: UnitOfWork, status: str | None = None) -> list[PlacementView]:
    with uow:
        uow.require(Permission.READ)
        rows = uow.disputes.placements(status)
        recovered = uow.disputes.recovered_since(rows)
        return [
            PlacementView(p["id"], p["customer_external_id"], p["agency"], p["status"],
                          p["placed_on"], Money.from_minor(p["placed_minor"], p["currency"]),
                          Money.from_minor(recovered.get(p["id"], 0), p["currency"]),
                          p["export_path"])
            for p in rows
        ]  # fmt: skip
