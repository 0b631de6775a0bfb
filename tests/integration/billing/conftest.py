"""Builders for billing scenarios: a company with users, tax codes and customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from owed.services import billing as billing_svc
from owed.services import customers as customers_svc
from owed.services.billing_model import Document, LineInput
from owed.services.ledger import customer_balances
from tests.conftest import Env, make_env


@pytest.fixture
def env(engine: Any) -> Env:
    """A company where billing and approval are different people (no combined duties)."""
    env = make_env(engine, allow_combined_duties=False)
    env.add_user("clara", "clerk")
    env.add_user("lena", "lead")
    env.add_user("ann", "analyst")
    return env


def add_customer(
    env: Env,
    external_id: str = "C1",
    name: str = "Acme Corp",
    currency: str = "USD",
    user: str = "admin",
    **values: Any,
) -> customers_svc.Customer:
    values.setdefault("payment_terms", "NET 30")
    return customers_svc.create_customer(
        customers_svc.CreateCustomer(external_id, name, currency, values), env.uow(user)
    )


def add_tax(env: Env, code: str, rate: str) -> None:
    billing_svc.add_tax_code(billing_svc.AddTaxCode(code, f"Tax {rate} %", rate), env.uow())


def invoice(
    env: Env,
    customer: str,
    lines: Sequence[tuple[str, str, str, str | None]],
    *,
    issue: bool = True,
    user: str = "clara",
    **kw: Any,
) -> Document:
    """lines: (description, quantity, unit price, tax code)."""
    cmd = billing_svc.CreateDraft(
        customer, [LineInput(d, q, p, tax_code=t) for d, q, p, t in lines], **kw
    )
    return billing_svc.create_draft(cmd, env.uow(user), issue=issue)


def ar_by_customer(env: Env) -> dict[tuple[int, str], Any]:
    return {k: v for k, v in customer_balances(env.uow()).items() if not v.is_zero()}


def open_by_customer(env: Env) -> dict[tuple[int, str], Any]:
    return billing_svc.open_items_by_customer(env.uow())


def entry_lines(env: Env, source_type: str, source_id: int) -> list[list[Any]]:
    """[[account, amount text, document number memo], ...] of every entry of a source."""
    uow = env.uow()
    with uow:
        out = []
        for entry_id in uow.ledger.entries_for_source(source_type, source_id):
            entry = uow.ledger.get_entry(entry_id)
            out.append(
                [
                    [ln.account, str(ln.amount.amount), ln.customer_id is not None]
                    for ln in entry.lines
                ]
            )
        return out
