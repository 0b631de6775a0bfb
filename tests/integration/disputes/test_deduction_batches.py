"""Deduction disputes opened per matching batch, from the batch's own documents only.

The run hands ``open_deduction_disputes`` the documents it took a deduction
on in each batch; the query reads only applications on those documents, so a
batch opens exactly its own deductions' disputes, however long the history.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from owed.adapters.db.schema_cash import applications
from owed.domain.payments.statement import RemittanceLine
from owed.services import cash_application as cashapp
from owed.services.cash_application import RunCashApplication, run_cash_application
from owed.services.disputes import list_disputes, open_deduction_disputes
from tests.builders import Invoice, add_customer, add_invoice
from tests.integration.cash.test_cash_application import import_lines, line
from tests.integration.disputes.helpers import assert_books_hold


def _short_pays(env) -> tuple[list[Invoice], Invoice]:
    """Three invoices short paid (deductions 100.00, 50.00, 25.00) and one paid in full."""
    short: list[Invoice] = []
    lines = []
    for i, (paid, kept, code) in enumerate(
        [("400.00", "100.00", "01"), ("450.00", "50.00", "02"), ("475.00", "25.00", None)]
    ):
        name = f"Short Payer {'ABC'[i]} Ltd"
        inv = add_invoice(env, add_customer(env, name), "500.00", issue_date=date(2026, 3, 1))
        short.append(inv)
        remittance = (
            RemittanceLine(
                inv.number, paid=Decimal(paid), adjustment=Decimal(kept), reason_code=code
            ),
        )
        lines.append(line(paid, ref=f"S-{inv.number}", payer=name.upper(), remittance=remittance))
    full = add_invoice(env, add_customer(env, "Full Payer Inc"), "300.00")
    lines.append(
        line(
            "300.00",
            ref=f"F-{full.number}",
            payer="FULL PAYER INC",
            remittance=(RemittanceLine(full.number, paid=Decimal("300.00")),),
        )
    )
    import_lines(env, *lines)
    return short, full


def _deduction_apps(env) -> dict[int, int]:
    """Document id -> id of the application that carried its deduction."""
    with env.uow() as uow:
        rows = uow.conn.execute(
            select(applications.c.document_id, applications.c.id).where(
                applications.c.company_id == uow.company.id, applications.c.deduction_minor > 0
            )
        ).all()
    return {r.document_id: r.id for r in rows}


def test_each_batch_opens_exactly_the_disputes_of_its_deductions(
    env, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[set[int]] = []

    def spy(uow, document_ids=None):  # the real function, recording what each batch asks
        asked.append(set(document_ids))
        return open_deduction_disputes(uow, document_ids)

    monkeypatch.setattr(cashapp, "open_deduction_disputes", spy)
    short, full = _short_pays(env)
    result = run_cash_application(RunCashApplication(batch=1), env.uow(), keep_decisions=True)
    assert result.auto_applied == 4, [d.explanation for d in result.decisions]
    assert asked == [{short[0].id}, {short[1].id}, {short[2].id}, set()]  # receipt (id) order
    apps = _deduction_apps(env)
    assert set(apps) == {inv.id for inv in short}
    disputes = list_disputes(env.uow())
    assert sorted((d["document_id"], d["application_id"], d["amount_minor"]) for d in disputes) == (
        sorted(
            (inv.id, apps[inv.id], minor)
            for inv, minor in zip(short, (10000, 5000, 2500), strict=True)
        )
    )
    assert all(d["source"] == "deduction" and d["status"] == "open" for d in disputes)
    assert full.id not in {d["document_id"] for d in disputes}
    with env.uow() as uow:
        opened = [r for r in uow.audit_log.records() if r.action == "dispute.open"]
    assert sorted(int(r.object_id) for r in opened) == sorted(apps.values())
    assert {json.loads(r.after or "")["document_id"] for r in opened} == set(apps)
    run_cash_application(RunCashApplication(batch=1), env.uow())  # nothing new to open
    assert len(list_disputes(env.uow())) == 3
    assert_books_hold(env)


def test_only_the_documents_given_are_looked_at(env, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run without opening disputes, so three deductions wait; then open them by hand.
    monkeypatch.setattr(cashapp, "open_deduction_disputes", lambda uow, ids=None: 0)
    short, full = _short_pays(env)
    assert run_cash_application(RunCashApplication(), env.uow()).auto_applied == 4
    assert list_disputes(env.uow()) == []
    a, b, c = short
    with env.uow() as uow:
        assert open_deduction_disputes(uow, set()) == 0  # an empty batch reads nothing
        assert open_deduction_disputes(uow, {a.id, full.id}) == 1
        uow.commit()
    assert [d["document_id"] for d in list_disputes(env.uow())] == [a.id]
    with env.uow() as uow:
        assert open_deduction_disputes(uow, {a.id}) == 0  # already has its dispute
        assert open_deduction_disputes(uow, None) == 2  # everything still waiting: b and c
        uow.commit()
    assert sorted(d["document_id"] for d in list_disputes(env.uow())) == sorted([a.id, b.id, c.id])
    assert_books_hold(env)
